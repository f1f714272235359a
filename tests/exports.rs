//! The Excel exports, read back with calamine as a person would read them:
//! a month with consultations in every state (held, approved as an
//! exception, declined with a reason, carried over), on every backend; and
//! the `banso export` command's refusals; the one dispatch behind the
//! command line and chat; a past month's progress report.

mod support;

use std::io::Cursor;
use std::process::Command;
use std::sync::Arc;

use banso::bot::clock::ManualClock;
use banso::bot::exports::{self, DocumentFormat, ExportError, ExportKind, ExportRequest};
use banso::bot::texts::Texts;
use banso::bot::{Bot, BotParts};
use banso::config::{ContractPeriod, Language, QuotaPeriod, QuotaRule, Settings};
use banso::store::{ExportRecord, Store};
use calamine::{Data, Reader, Xlsx};
use support::{bot_on, user};

async fn say(bot: &Bot, who: &str, line: &str) {
    bot.handle_text(&user(who), line).await;
}

/// June 2024: 13 requests against a limit of 10 — every state, plus a held
/// one approved as an exception, one declined, one carried into July.
async fn june(bot: &Bot, clock: &banso::bot::clock::ManualClock) {
    say(bot, "tanaka", "/dept 総務局 総務課").await;
    for n in 1..=10 {
        say(bot, "tanaka", &format!("/consult 六月の相談 {n}")).await;
    }
    say(bot, "consultant", "/consult assign 2406-002").await;
    say(bot, "consultant", "/consult assign 2406-003").await;
    say(
        bot,
        "consultant",
        "/consult answer 2406-003 パスワードを変更してください",
    )
    .await;
    say(bot, "consultant", "/consult assign 2406-004").await;
    // Answered two open days later (Wednesday).
    clock.set(
        chrono::DateTime::parse_from_rfc3339("2024-06-12T10:00:00+09:00")
            .unwrap()
            .to_utc(),
    );
    say(bot, "consultant", "/consult answer 2406-004").await;
    say(bot, "tanaka", "/consult close 2406-004").await;
    say(bot, "tanaka", "/consult withdraw 2406-005").await;
    say(bot, "coord", "/consult out-of-scope 2406-006").await;
    clock.set(
        chrono::DateTime::parse_from_rfc3339("2024-06-28T16:00:00+09:00")
            .unwrap()
            .to_utc(),
    );
    // Withdrawn and out of scope gave their slots back: two more fit.
    say(bot, "tanaka", "/consult 十一件目").await;
    say(bot, "tanaka", "/consult 十二件目").await;
    // The limit is reached: these are held.
    say(bot, "tanaka", "/consult 例外にする").await;
    say(bot, "tanaka", "/consult 却下する").await;
    say(bot, "tanaka", "/consult 翌月に回す").await;
    say(bot, "coord", "/consult approve 2406-013").await;
    say(bot, "coord", "/consult decline 2406-014").await;
    say(bot, "coord", "契約の対象外の内容のため").await;
    say(bot, "coord", "/consult carry-over 2406-015").await;
}

fn text(cell: Option<&Data>) -> String {
    match cell {
        Some(Data::String(text)) => text.clone(),
        Some(Data::Float(number)) => number.to_string(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => format!("{other:?}"),
    }
}

#[tokio::test]
async fn a_month_of_consultations_reads_back_as_people_expect() {
    for test in support::all_stores().await {
        let store = &test.store;
        let (bot, clock) = bot_on(store, "2024-06-10T10:00:00+09:00");
        june(&bot, &clock).await;
        let made = exports::consultations(&bot, "2024-06".parse().unwrap())
            .await
            .unwrap();
        assert_eq!(made.rows, 15, "{}", test.label);
        let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(made.bytes)).unwrap();
        assert_eq!(
            workbook.sheet_names(),
            vec!["相談一覧", "件数集計", "対応履歴"],
            "{}",
            test.label
        );

        // The list: a header row, a real table, dates as dates.
        workbook.load_tables().unwrap();
        let tables: Vec<String> = workbook.table_names().into_iter().cloned().collect();
        assert_eq!(
            tables,
            vec!["Consultations", "History"],
            "filterable tables"
        );
        let list = workbook.worksheet_range("相談一覧").unwrap();
        let header: Vec<String> = list
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| text(Some(c)))
            .collect();
        assert_eq!(
            header,
            [
                "受付番号",
                "受付日時",
                "依頼者",
                "所属",
                "件名",
                "区分",
                "相談内容",
                "希望回答日",
                "状態",
                "担当者",
                "計上期間",
                "計上順",
                "備考",
                "回答内容（最新）",
                "初回応答までの開庁日数",
                "回答までの開庁日数"
            ]
        );
        let rows: Vec<_> = list.rows().skip(1).collect();
        assert_eq!(rows.len(), 15, "{}", test.label);
        let row = |short_id: &str| {
            rows.iter()
                .find(|row| text(row.first()) == short_id)
                .unwrap_or_else(|| panic!("{short_id} listed"))
        };
        let first = row("2406-001");
        assert!(
            matches!(first[1], Data::DateTime(_)),
            "received is a date: {:?}",
            first[1]
        );
        if let Data::DateTime(at) = &first[1] {
            let at = at.as_datetime().unwrap();
            assert_eq!(at.to_string(), "2024-06-10 10:00:00", "city time");
        }
        assert_eq!(text(first.get(3)), "総務局 総務課");
        assert_eq!(text(first.get(4)), "六月の相談 1");
        assert_eq!(text(first.get(8)), "受付");
        assert_eq!(text(first.get(10)), "2024-06");
        assert_eq!(text(first.get(11)), "1");
        let states: Vec<(String, String)> =
            ["2406-002", "2406-003", "2406-004", "2406-005", "2406-006"]
                .iter()
                .map(|id| (id.to_string(), text(row(id).get(8))))
                .collect();
        assert_eq!(
            states,
            [
                ("2406-002".into(), "対応中".into()),
                ("2406-003".into(), "回答済".into()),
                ("2406-004".into(), "完了".into()),
                ("2406-005".into(), "取下げ".into()),
                ("2406-006".into(), "対象外".into()),
            ]
        );
        assert_eq!(text(row("2406-002").get(9)), "consultant", "assignee");
        // The answer and the open days to it.
        let answered = row("2406-003");
        assert_eq!(text(answered.get(13)), "パスワードを変更してください");
        assert_eq!(
            (text(answered.get(14)), text(answered.get(15))),
            ("0".into(), "0".into())
        );
        let later = row("2406-004");
        assert_eq!(
            (text(later.get(14)), text(later.get(15))),
            ("0".into(), "2".into())
        );
        assert_eq!(text(row("2406-001").get(14)), "", "no response yet");
        let exception = row("2406-013");
        assert_eq!(text(exception.get(8)), "受付");
        assert_eq!(text(exception.get(12)), "例外承認（上限超過）");
        let declined = row("2406-014");
        assert_eq!(text(declined.get(8)), "却下");
        assert_eq!(text(declined.get(12)), "契約の対象外の内容のため");
        let carried = row("2406-015");
        assert_eq!(text(carried.get(10)), "2024-07", "counts in July");

        // The figures, as /quota shows them.
        let summary = workbook.worksheet_range("件数集計").unwrap();
        let figures: Vec<(String, String)> = summary
            .rows()
            .map(|row| (text(row.first()), text(row.get(1))))
            .collect();
        let figure = |label: &str| {
            figures
                .iter()
                .find(|(name, _)| name == label)
                .map(|(_, value)| value.clone())
                .unwrap_or_else(|| panic!("{label} in {figures:?}"))
        };
        assert_eq!(figure("対象月"), "令和6年6月");
        assert_eq!(figure("上限（件）"), "10");
        assert_eq!(figure("計上件数"), "11", "{figures:?}");
        assert_eq!(figure("うち例外承認"), "1");
        assert_eq!(figure("翌月へ繰越"), "1");
        assert_eq!(figure("受付総数"), "15");

        // The history: creation and every change, with the decline's reason.
        let history = workbook.worksheet_range("対応履歴").unwrap();
        let entries: Vec<Vec<String>> = history
            .rows()
            .skip(1)
            .map(|row| row.iter().map(|c| text(Some(c))).collect())
            .collect();
        let of = |id: &str| -> Vec<&Vec<String>> {
            entries.iter().filter(|entry| entry[0] == id).collect()
        };
        assert_eq!(
            of("2406-004").len(),
            4,
            "created, assigned, answered, closed"
        );
        assert_eq!(of("2406-004")[0][3], "受付");
        assert_eq!(of("2406-004")[3][5], "完了");
        assert!(
            of("2406-014")
                .iter()
                .any(|entry| entry[6] == "契約の対象外の内容のため"),
            "{:?}",
            of("2406-014")
        );
        test.cleanup().await;
    }
}

#[tokio::test]
async fn an_empty_month_is_still_a_valid_workbook() {
    let test = support::sqlite_store().await;
    let (bot, _clock) = bot_on(&test.store, "2024-06-10T10:00:00+09:00");
    let made = exports::consultations(&bot, "2024-05".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(made.rows, 0);
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(made.bytes)).unwrap();
    let list = workbook.worksheet_range("相談一覧").unwrap();
    assert_eq!(text(list.get((0, 0))), "受付番号");
    test.cleanup().await;
}

/// Runs `banso` in `dir` with its own database and no configuration.
fn banso(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    banso_typing(dir, args, "")
}

/// The same, with `input` typed on its standard input (for the console).
fn banso_typing(dir: &std::path::Path, args: &[&str], input: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_banso"))
        .args(args)
        .current_dir(dir)
        .env_remove("BANSO_CONFIG")
        .env_remove("BANSO_LANGUAGE")
        .env(
            "BANSO_DATABASE_URL",
            format!("sqlite://{}", dir.join("banso.db").display()),
        )
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run banso");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().expect("run banso")
}

/// The console on 10 June 2024 at 10:00, as `user`, typing `lines`.
fn console_on_june_10(dir: &std::path::Path, user: &str, lines: &str) -> std::process::Output {
    banso_typing(
        dir,
        &[
            "console",
            "--now",
            "2024-06-10T10:00:00+09:00",
            "--as",
            user,
        ],
        lines,
    )
}

#[test]
fn the_export_command_writes_once_and_refuses_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let first = banso(
        dir.path(),
        &["export", "consultations", "--month", "2024-06"],
    );
    assert!(first.status.success(), "{first:?}");
    let path = dir.path().join("相談対応記録_2024-06.xlsx");
    assert!(path.exists(), "the usual name, here");
    let said = String::from_utf8(first.stdout).unwrap();
    assert!(said.contains("書き出しました"), "{said}");

    let again = banso(
        dir.path(),
        &["export", "consultations", "--month", "2024-06"],
    );
    assert_eq!(again.status.code(), Some(2));
    let said = String::from_utf8(again.stderr).unwrap();
    assert!(
        said.contains("すでにあります") && said.contains("--force"),
        "{said}"
    );
    let forced = banso(
        dir.path(),
        &["export", "consultations", "--month", "2024-06", "--force"],
    );
    assert!(forced.status.success());

    let nowhere = dir.path().join("no-such-dir").join("a.xlsx");
    let unwritable = banso(
        dir.path(),
        &[
            "export",
            "consultations",
            "--month",
            "2024-06",
            "--out",
            nowhere.to_str().unwrap(),
        ],
    );
    assert_eq!(unwritable.status.code(), Some(2));
    assert!(
        String::from_utf8(unwritable.stderr)
            .unwrap()
            .contains("書き込めません")
    );

    let bad_month = banso(
        dir.path(),
        &["export", "consultations", "--month", "2024-13"],
    );
    assert_eq!(bad_month.status.code(), Some(2));

    // No partial or temporary file is left behind.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with("banso.db"))
        .collect();
    names.sort();
    assert_eq!(names, vec!["相談対応記録_2024-06.xlsx"]);
}

#[test]
fn a_month_outside_the_contract_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("banso.toml"),
        "[contract]\nstart = \"2024-04-01\"\nend = \"2025-03-31\"\n",
    )
    .unwrap();
    let outside = banso(
        dir.path(),
        &["export", "consultations", "--month", "2025-06"],
    );
    assert_eq!(outside.status.code(), Some(2));
    let said = String::from_utf8(outside.stderr).unwrap();
    assert!(said.contains("契約期間"), "{said}");
    assert!(!dir.path().join("相談対応記録_2025-06.xlsx").exists());
}

/// The paragraphs and table cells of a .docx, in order, as a reader sees
/// them.
fn document_text(bytes: &[u8]) -> Vec<String> {
    use docx_rs::{DocumentChild, TableCellContent, TableChild, TableRowChild};
    let document = docx_rs::read_docx(bytes).expect("a readable .docx");
    let mut lines = Vec::new();
    for child in &document.document.children {
        match child {
            DocumentChild::Paragraph(paragraph) => lines.push(paragraph.raw_text()),
            DocumentChild::Table(table) => {
                for row in &table.rows {
                    let TableChild::TableRow(row) = row;
                    let cells: Vec<String> = row
                        .cells
                        .iter()
                        .map(|cell| {
                            let TableRowChild::TableCell(cell) = cell;
                            cell.children
                                .iter()
                                .filter_map(|content| match content {
                                    TableCellContent::Paragraph(paragraph) => {
                                        Some(paragraph.raw_text())
                                    }
                                    _ => None,
                                })
                                .collect::<String>()
                        })
                        .collect();
                    lines.push(cells.join(" | "));
                }
            }
            _ => {}
        }
    }
    lines
}

#[tokio::test]
async fn the_progress_report_in_excel_and_word_says_the_same() {
    for test in support::all_stores().await {
        let store = &test.store;
        let (bot, clock) = bot_on(store, "2024-06-10T10:00:00+09:00");
        june(&bot, &clock).await;
        say(
            &bot,
            "consultant",
            "/kadai add 研修資料の確認 担当=佐藤 期限=2024-06-17 優先度=高",
        )
        .await;
        say(&bot, "consultant", "/work add site_audit 保守拠点A").await;
        say(
            &bot,
            "consultant",
            "/work add procurement_review 基幹系システム更改 区分=c 金額=35000 観点=a,g",
        )
        .await;
        say(
            &bot,
            "consultant",
            "/work add procurement_review 庁内LAN更新 区分=b",
        )
        .await;
        clock.set(
            chrono::DateTime::parse_from_rfc3339("2024-07-01T09:00:00+09:00")
                .unwrap()
                .to_utc(),
        );
        let month = "2024-06".parse().unwrap();

        let workbook = exports::progress(&bot, month, exports::DocumentFormat::Xlsx)
            .await
            .unwrap();
        let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(workbook.bytes)).unwrap();
        assert_eq!(
            workbook.sheet_names(),
            vec!["概要", "相談", "月別件数", "業務", "課題", "翌月予定"],
            "{}",
            test.label
        );
        let overview: Vec<String> = workbook
            .worksheet_range("概要")
            .unwrap()
            .rows()
            .map(|row| text(row.first()))
            .collect();
        assert_eq!(overview[0], "進捗状況報告書（令和6年6月分）");
        assert!(
            overview
                .iter()
                .any(|line| line.contains("受付 15件") && line.contains("計上 11件 / 10件")),
            "{overview:?}"
        );
        assert!(
            overview
                .iter()
                .any(|line| line.contains("うち期限超過 1件")),
            "{overview:?}"
        );
        // The response figures (issue 13): open days to the first
        // response and to the answer, and what is past its target.
        let response = "回答まで 中央値 1日・最長 2日（2件）";
        assert!(
            overview.iter().any(|line| line.contains(response)),
            "{overview:?}"
        );
        let past = "目標を過ぎた相談: 2406-001 六月の相談 1（初回応答、目標 令和6年6月11日（火）、未対応）";
        assert!(
            overview.iter().any(|line| line.contains(past)),
            "{overview:?}"
        );
        let work = workbook.worksheet_range("業務").unwrap();
        let audits = work
            .rows()
            .find(|row| text(row.first()) == "リモート保守拠点監査")
            .expect("site audits listed");
        assert_eq!(
            (
                text(audits.get(1)),
                text(audits.get(2)),
                text(audits.get(3))
            ),
            ("1".into(), "4".into(), "契約期間".into())
        );
        let reviews = work
            .rows()
            .find(|row| text(row.first()) == "調達審査")
            .expect("procurement reviews listed");
        assert_eq!(
            (
                text(reviews.get(1)),
                text(reviews.get(2)),
                text(reviews.get(3))
            ),
            ("2".into(), "30".into(), "契約期間".into())
        );
        let plan = workbook.worksheet_range("翌月予定").unwrap();
        let regular = plan
            .rows()
            .find(|row| text(row.get(2)) == "定例報告会")
            .expect("July's regular meeting");
        assert!(matches!(regular[0], Data::DateTime(_)), "a date");

        let document = exports::progress(&bot, month, exports::DocumentFormat::Docx)
            .await
            .unwrap();
        let lines = document_text(&document.bytes);
        assert_eq!(lines[0], "進捗状況報告書（令和6年6月分）");
        assert!(
            lines.iter().any(|line| line.contains(response)),
            "{lines:?}"
        );
        assert!(lines.iter().any(|line| line.contains(past)), "{lines:?}");
        for heading in [
            "1. 相談対応",
            "2. 件数に上限のある業務",
            "3. 課題管理",
            "4. 翌月の予定",
        ] {
            assert!(
                lines.iter().any(|line| line.starts_with(heading)),
                "{heading} in {lines:?}"
            );
        }
        assert!(
            lines
                .iter()
                .any(|line| line.starts_with("2406-014 | 2024/06/28") && line.ends_with("却下")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|line| line.contains("K-001 | 研修資料の確認 | 佐藤 | 2024/06/17")),
            "{lines:?}"
        );
        test.cleanup().await;
    }
}

#[test]
fn the_progress_report_command_picks_word_by_the_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let word = banso(
        dir.path(),
        &[
            "export",
            "progress",
            "--month",
            "2024-06",
            "--out",
            "報告.docx",
        ],
    );
    assert!(word.status.success(), "{word:?}");
    let bytes = std::fs::read(dir.path().join("報告.docx")).unwrap();
    assert_eq!(document_text(&bytes)[0], "進捗状況報告書（令和6年6月分）");
    let excel = banso(dir.path(), &["export", "progress", "--month", "2024-06"]);
    assert!(excel.status.success(), "{excel:?}");
    assert!(dir.path().join("進捗状況報告書_2024-06.xlsx").exists());
}

#[test]
fn the_capped_work_is_exported_from_the_command_line_as_in_chat() {
    let dir = tempfile::tempdir().unwrap();
    let console = console_on_june_10(
        dir.path(),
        "consultant",
        "/work add site_audit 保守拠点A\n:quit\n",
    );
    assert!(console.status.success(), "{console:?}");
    let made = banso(dir.path(), &["export", "work"]);
    assert!(made.status.success(), "{made:?}");
    let said = String::from_utf8(made.stdout).unwrap();
    assert!(said.contains("件数管理業務.xlsx"), "{said}");
    let bytes = std::fs::read(dir.path().join("件数管理業務.xlsx")).unwrap();
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let titles: Vec<String> = workbook
        .worksheets()
        .iter()
        .flat_map(|(_, range)| {
            range
                .rows()
                .skip(1)
                .map(|row| text(row.get(1)))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(titles, ["保守拠点A"]);
    let again = banso(dir.path(), &["export", "work"]);
    assert_eq!(again.status.code(), Some(2), "{again:?}");
}

#[test]
fn at_the_contracts_end_everything_is_exported_then_destroyed() {
    let dir = tempfile::tempdir().unwrap();
    let console = console_on_june_10(
        dir.path(),
        "tanaka",
        "/consult 六月の相談\n:as consultant\n/kadai add 研修資料 期限=2024-06-17\n/work add site_audit 拠点A\n:quit\n",
    );
    assert!(console.status.success());

    // Not before everything is exported.
    let refused = banso(dir.path(), &["purge", "--confirm"]);
    assert_eq!(refused.status.code(), Some(2));
    let said = String::from_utf8(refused.stderr).unwrap();
    assert!(said.contains("banso export all"), "{said}");

    let out = dir.path().join("返還");
    let all = banso(
        dir.path(),
        &["export", "all", "--out", out.to_str().unwrap()],
    );
    assert!(all.status.success(), "{all:?}");
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "件数管理業務.xlsx",
            "相談対応記録_2024-06.xlsx",
            "課題管理表.xlsx",
            "進捗状況報告書_2024-06.xlsx"
        ]
    );
    let mut work: Xlsx<_> = calamine::open_workbook(out.join("件数管理業務.xlsx")).unwrap();
    let audits = work.worksheet_range("リモート保守拠点監査").unwrap();
    assert_eq!(text(audits.get((1, 1))), "拠点A");

    // Without --confirm it only says what would go.
    let dry = banso(dir.path(), &["purge"]);
    assert_eq!(dry.status.code(), Some(2));
    let said = String::from_utf8(dry.stderr).unwrap();
    assert!(
        said.contains("--confirm") && said.contains("consultations: 1行"),
        "{said}"
    );

    let purged = banso(dir.path(), &["purge", "--confirm"]);
    assert!(purged.status.success(), "{purged:?}");
    let said = String::from_utf8(purged.stdout).unwrap();
    assert!(
        said.contains("consultations: 1行") && said.contains("kadai_items: 1行"),
        "{said}"
    );
    let again = banso(dir.path(), &["purge", "--confirm"]);
    assert!(again.status.success());
    assert!(
        String::from_utf8(again.stdout)
            .unwrap()
            .contains("ありません")
    );
}

#[test]
fn the_console_saves_an_export_in_the_working_folder() {
    let dir = tempfile::tempdir().unwrap();
    let run = |lines: &str| {
        let output = console_on_june_10(dir.path(), "leader", lines);
        String::from_utf8(output.stdout).unwrap()
    };
    let said = run("/banso export progress 2024-06 docx\n:quit\n");
    assert!(
        said.contains("進捗状況報告書_2024-06.docx に保存しました"),
        "{said}"
    );
    let bytes = std::fs::read(dir.path().join("進捗状況報告書_2024-06.docx")).unwrap();
    assert_eq!(document_text(&bytes)[0], "進捗状況報告書（令和6年6月分）");
    let again = run("/banso export progress 2024-06 docx\n:quit\n");
    assert!(
        again.contains("すでにあるため保存しませんでした"),
        "{again}"
    );
    let staff = run(":as tanaka\n/banso export kadai\n:quit\n");
    assert!(staff.contains("情報化推進室のみ"), "{staff}");
}

/// A bot with `settings` of its own, on a clock that moves only when told.
fn bot_with(store: &Store, settings: Settings, now: &str) -> (Bot, ManualClock) {
    let clock = ManualClock::starting_at(at(now));
    let bot = Bot::new(BotParts {
        settings: Arc::new(settings),
        store: store.clone(),
        clock: Arc::new(clock.clone()),
        texts: Arc::new(Texts::built_in(Language::Ja)),
    });
    (bot, clock)
}

fn at(instant: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(instant)
        .unwrap()
        .to_utc()
}

/// The 業務 sheet's row of a kind: counted, limit, period, held.
fn work_row(workbook_bytes: Vec<u8>, kind: &str) -> (String, String, String, String) {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(workbook_bytes)).unwrap();
    let work = workbook.worksheet_range("業務").unwrap();
    let row = work
        .rows()
        .find(|row| text(row.first()) == kind)
        .unwrap_or_else(|| panic!("{kind} listed"));
    (
        text(row.get(1)),
        text(row.get(2)),
        text(row.get(3)),
        text(row.get(4)),
    )
}

#[tokio::test]
async fn a_past_months_progress_report_counts_the_work_of_that_months_period() {
    for test in support::all_stores().await {
        let mut settings = Settings::default();
        settings.quotas.insert(
            "training".to_owned(),
            QuotaRule {
                limit: 5,
                period: QuotaPeriod::Month,
                alert_at: vec![5],
            },
        );
        // March 2024 is the last month of 令和5年度's contract.
        let (bot, clock) = bot_with(&test.store, settings, "2024-03-12T10:00:00+09:00");
        say(&bot, "consultant", "/work add site_audit 三月の拠点").await;
        say(&bot, "consultant", "/work add training 三月の研修A").await;
        say(&bot, "consultant", "/work add training 三月の研修B").await;
        clock.set(at("2024-06-10T10:00:00+09:00"));
        say(&bot, "consultant", "/work add site_audit 六月の拠点A").await;
        say(&bot, "consultant", "/work add site_audit 六月の拠点B").await;
        say(&bot, "consultant", "/work add training 六月の研修").await;

        let report = |month: &str| {
            let month = month.parse().unwrap();
            let bot = bot.clone();
            async move {
                exports::progress(&bot, month, DocumentFormat::Xlsx)
                    .await
                    .unwrap()
                    .bytes
            }
        };
        let row = |counted: &str, limit: &str, period: &str| {
            (counted.into(), limit.into(), period.into(), "0".into())
        };
        let march = report("2024-03").await;
        assert_eq!(
            work_row(march.clone(), "リモート保守拠点監査"),
            row("1", "4", "契約期間"),
            "the contract holding March: {}",
            test.label
        );
        assert_eq!(
            work_row(march, "研修"),
            row("2", "5", "2024-03"),
            "{}",
            test.label
        );
        let june = report("2024-06").await;
        assert_eq!(
            work_row(june.clone(), "リモート保守拠点監査"),
            row("2", "4", "契約期間")
        );
        assert_eq!(work_row(june, "研修"), row("1", "5", "2024-06"));
        test.cleanup().await;
    }
}

#[tokio::test]
async fn one_dispatch_checks_the_month_picks_the_format_and_names_the_file() {
    let test = support::sqlite_store().await;
    let mut settings = Settings::default();
    let contract = ContractPeriod {
        start: "2024-04-01".parse().unwrap(),
        end: "2025-03-31".parse().unwrap(),
    };
    settings.contract = Some(contract);
    let (bot, _clock) = bot_with(&test.store, settings, "2024-06-10T10:00:00+09:00");
    say(&bot, "tanaka", "/dept 総務局 総務課").await;
    say(&bot, "tanaka", "/consult 六月の相談").await;
    let make = |kind, month: Option<&str>, format| {
        let bot = bot.clone();
        let request = ExportRequest {
            kind,
            month: month.map(|month| month.parse().unwrap()),
            format,
        };
        async move { exports::make(&bot, &request).await }
    };

    // No month: the current one. Word is for the progress report only.
    let list = make(ExportKind::Consultations, None, DocumentFormat::Docx)
        .await
        .unwrap();
    assert_eq!(list.file_name, "相談対応記録_2024-06.xlsx");
    assert_eq!(
        (list.kind, list.scope, list.rows),
        ("consultations", Some("2024-06".parse().unwrap()), 1)
    );
    Xlsx::new(Cursor::new(list.bytes)).expect("a workbook");

    let report = make(ExportKind::Progress, Some("2024-05"), DocumentFormat::Docx)
        .await
        .unwrap();
    assert_eq!(report.file_name, "進捗状況報告書_2024-05.docx");
    assert_eq!(
        document_text(&report.bytes)[0],
        "進捗状況報告書（令和6年5月分）"
    );

    // The kinds that hold everything stored ignore the month.
    let kadai = make(ExportKind::Kadai, Some("2030-01"), DocumentFormat::Docx)
        .await
        .unwrap();
    assert_eq!(
        (kadai.file_name.as_str(), kadai.scope),
        ("課題管理表.xlsx", None)
    );
    let work = make(ExportKind::Work, None, DocumentFormat::Xlsx)
        .await
        .unwrap();
    assert_eq!(
        (work.file_name.as_str(), work.kind),
        ("件数管理業務.xlsx", "work")
    );

    let outside = make(ExportKind::Progress, Some("2025-06"), DocumentFormat::Xlsx).await;
    assert!(
        matches!(
            outside,
            Err(ExportError::OutsideContract { month, start, end })
                if month.to_string() == "2025-06" && start == contract.start && end == contract.end
        ),
        "{outside:?}"
    );

    // Recorded under the name it was written as.
    report.record(&bot, "報告.docx", "cli").await.unwrap();
    let history = test.store.exports(10).await.unwrap();
    assert_eq!(
        history,
        vec![ExportRecord {
            kind: "progress".into(),
            scope: Some("2024-05".into()),
            file_name: "報告.docx".into(),
            rows: 0,
            exported_by: "cli".into(),
            exported_at: at("2024-06-10T10:00:00+09:00").timestamp(),
        }]
    );
    test.cleanup().await;
}
