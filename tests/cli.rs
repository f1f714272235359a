//! The `banso` binary as a newcomer and other tools use it: the calendar as
//! data, the console on a pipe, configuration checks, and bad input that
//! gets one clear line and exit status 2.

use std::io::Write;
use std::process::{Command, Output, Stdio};

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

/// Runs banso in a fresh working directory with its own database and no
/// configuration from the environment.
fn banso_in(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Run {
    banso_in_env(dir, args, stdin, &[])
}

/// `banso_in` with these environment variables set as well.
fn banso_in_env(
    dir: &std::path::Path,
    args: &[&str],
    stdin: Option<&str>,
    vars: &[(&str, &str)],
) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_banso"));
    command
        .envs(vars.iter().copied())
        .args(args)
        .current_dir(dir)
        .env_remove("BANSO_CONFIG")
        .env_remove("BANSO_LANGUAGE")
        .env(
            "BANSO_DATABASE_URL",
            format!("sqlite://{}", dir.join("banso.db").display()),
        )
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("start banso");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().expect("banso finishes");
    Run {
        status: status.code().unwrap_or(-1),
        stdout: String::from_utf8(stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(stderr).expect("UTF-8 stderr"),
    }
}

fn banso(args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    banso_in(dir.path(), args, None)
}

/// Bad input: status 2, one line on stderr, nothing Rust-shaped.
fn assert_clear_refusal(run: &Run, expected_fragment: &str) {
    assert_eq!(run.status, 2, "stderr: {}", run.stderr);
    assert_eq!(
        run.stderr.trim().lines().count(),
        1,
        "one line: {}",
        run.stderr
    );
    assert!(run.stderr.contains(expected_fragment), "{}", run.stderr);
    for rust_shaped in ["panicked", "Error {", "Err(", "Some(", "thread '"] {
        assert!(!run.stderr.contains(rust_shaped), "{}", run.stderr);
    }
}

#[test]
fn holidays_of_fiscal_2024_as_json() {
    let run = banso(&[
        "calendar",
        "holidays",
        "--from",
        "2024-04-01",
        "--to",
        "2025-03-31",
        "--format",
        "json",
    ]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let holidays: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(holidays.len(), 21, "{}", run.stdout);
    assert_eq!(
        holidays[0],
        serde_json::json!({"date": "2024-04-29", "name": "昭和の日"})
    );
    assert!(
        run.stdout
            .starts_with(r#"[{"date":"2024-04-29","name":"昭和の日"}"#)
    );
    assert!(holidays.contains(&serde_json::json!({"date": "2024-08-12", "name": "振替休日"})));
    assert!(holidays.contains(&serde_json::json!({"date": "2025-01-13", "name": "成人の日"})));
}

#[test]
fn open_days_as_json_skip_weekends_holidays_and_the_year_end() {
    let run = banso(&[
        "calendar",
        "open-days",
        "--from",
        "2024-12-26",
        "--to",
        "2025-01-07",
        "--format",
        "json",
    ]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.trim(),
        r#"["2024-12-26","2024-12-27","2025-01-06","2025-01-07"]"#
    );
}

#[test]
fn is_open_and_shift_print_the_documented_json() {
    let closed = banso(&["calendar", "is-open", "2025-01-02", "--format", "json"]);
    assert_eq!(
        closed.stdout.trim(),
        r#"{"date":"2025-01-02","open":false,"reason":"年末年始"}"#
    );
    let open = banso(&["calendar", "is-open", "2024-06-11", "--format", "json"]);
    assert_eq!(
        open.stdout.trim(),
        r#"{"date":"2024-06-11","open":true,"reason":null}"#
    );
    let shifted = banso(&[
        "calendar",
        "shift",
        "2024-06-11",
        "--open-days",
        "-2",
        "--format",
        "json",
    ]);
    assert_eq!(
        shifted.stdout.trim(),
        r#"{"from":"2024-06-11","open_days":-2,"date":"2024-06-07"}"#
    );
    let over_holiday = banso(&[
        "calendar",
        "shift",
        "2025-01-14",
        "--open-days",
        "-2",
        "--format",
        "json",
    ]);
    assert_eq!(
        over_holiday.stdout.trim(),
        r#"{"from":"2025-01-14","open_days":-2,"date":"2025-01-09"}"#
    );
}

#[test]
fn text_output_is_japanese_by_default() {
    let run = banso(&["calendar", "is-open", "2025-01-13"]);
    assert_eq!(
        run.stdout.trim(),
        "2025-01-13（月）は休庁日です（成人の日）。"
    );
    let shift = banso(&["calendar", "shift", "2024-06-11", "--open-days", "-2"]);
    assert_eq!(
        shift.stdout.trim(),
        "2024-06-11 の2開庁日前は 2024-06-07（金）です。"
    );
}

#[test]
fn bad_input_gets_one_clear_line_and_status_2() {
    assert_clear_refusal(&banso(&["calendar", "is-open", "2025-02-30"]), "YYYY-MM-DD");
    assert_clear_refusal(
        &banso(&[
            "calendar",
            "holidays",
            "--from",
            "2025-03-31",
            "--to",
            "2024-04-01",
        ]),
        "期間が逆です",
    );
    assert_clear_refusal(
        &banso(&[
            "calendar",
            "open-days",
            "--from",
            "2024-04-01",
            "--unit",
            "x",
        ]),
        "--unit",
    );
    assert_clear_refusal(
        &banso(&["calendar", "shift", "2024-06-11", "--open-days", "two"]),
        "整数",
    );
    assert_clear_refusal(
        &banso(&["calendar", "shift", "2024-06-11", "--open-days", "0"]),
        "0",
    );
    assert_clear_refusal(
        &banso(&["calendar", "is-open", "2024-06-11", "--format", "xml"]),
        "json",
    );
    assert_clear_refusal(&banso(&["calender"]), "calendar");
}

#[test]
fn the_console_reads_a_pipe_and_stops_at_the_end_of_input() {
    let dir = tempfile::tempdir().unwrap();
    let run = banso_in(dir.path(), &["console"], Some("/calendar 2025-01\n:quit\n"));
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("令和7年1月"), "{}", run.stdout);
    assert!(run.stdout.contains("1月2日(木) 年末年始"), "{}", run.stdout);
    assert!(
        run.stdout.contains("1月13日(月) 成人の日"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("開庁日は 19 日"), "{}", run.stdout);
    // Without :quit, the end of input ends the session too.
    let eof = banso_in(dir.path(), &["console"], Some("/help\n"));
    assert_eq!(eof.status, 0, "{}", eof.stderr);
    assert!(eof.stdout.contains("/calendar"));
}

#[test]
fn the_console_json_mode_prints_one_object_per_message() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("script.txt");
    std::fs::write(
        &script,
        ":as leader\n/calendar 2024-06\n:now\n:advance 2m\n/nonsense\n",
    )
    .unwrap();
    let run = banso_in(
        dir.path(),
        &[
            "console",
            "--json",
            "--script",
            script.to_str().unwrap(),
            "--now",
            "2024-06-07T08:59:00+09:00",
        ],
        None,
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    let lines: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    let messages: Vec<_> = lines
        .iter()
        .filter(|line| line.get("to").is_some())
        .collect();
    // The calendar reply, the 09:00 deliverables reminder that :advance 2m
    // fires, and the help for /nonsense.
    assert_eq!(messages.len(), 3, "{}", run.stdout);
    assert_eq!(messages[1]["to"], "#banso");
    assert!(
        messages[1]["text"]
            .as_str()
            .unwrap()
            .contains("本日提出期限"),
        "{}",
        messages[1]
    );
    assert_eq!(
        messages[1]["buttons"][0],
        serde_json::json!({"n": 1, "label": "提出済: 会議次第"})
    );
    assert_eq!(messages[0]["to"], "leader");
    assert_eq!(messages[0]["buttons"], serde_json::json!([]));
    assert!(messages[0]["text"].as_str().unwrap().contains("令和6年6月"));
    let clock: Vec<_> = lines
        .iter()
        .filter(|line| line.get("console").is_some())
        .collect();
    assert!(
        clock.iter().any(|line| line["text"]
            .as_str()
            .unwrap()
            .contains("2024-06-07T09:01:00+09:00")),
        "{}",
        run.stdout
    );
}

#[test]
fn the_console_refuses_a_bad_start_instant_or_missing_script() {
    assert_clear_refusal(&banso(&["console", "--now", "yesterday"]), "RFC 3339");
    assert_clear_refusal(
        &banso(&["console", "--script", "no-such-script.txt"]),
        "no-such-script.txt",
    );
}

#[test]
fn migrate_creates_the_database_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let first = banso_in(dir.path(), &["migrate"], None);
    assert_eq!(first.status, 0, "{}", first.stderr);
    assert!(dir.path().join("banso.db").exists());
    let second = banso_in(dir.path(), &["migrate"], None);
    assert!(second.stdout.contains("今回適用 0 件"), "{}", second.stdout);
}

#[test]
fn config_check_lists_every_problem_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("banso.toml"),
        "language = \"ja\"\nlanguag = \"en\"\n\n[reminders]\ndue = \"9am\"\n",
    )
    .unwrap();
    let run = banso_in(dir.path(), &["config", "check"], None);
    assert_eq!(run.status, 2, "{}", run.stderr);
    let lines: Vec<&str> = run.stderr.trim().lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    assert!(
        lines[0].starts_with("banso.toml:2: languag:"),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains("language"),
        "suggests the right key: {}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("banso.toml:5: reminders.due:"),
        "{}",
        lines[1]
    );
    let good = tempfile::tempdir().unwrap();
    let ok = banso_in(good.path(), &["config", "check"], None);
    assert_eq!(ok.status, 0, "{}", ok.stderr);
}

#[test]
fn configured_closures_and_language_reach_the_calendar() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("banso.toml"),
        "language = \"en\"\n[calendar]\nextra_closed = [{ date = \"2024-08-14\", reason = \"庁舎設備点検\" }]\nextra_open = [\"2024-12-28\"]\n",
    )
    .unwrap();
    let closed = banso_in(
        dir.path(),
        &["calendar", "is-open", "2024-08-14", "--format", "json"],
        None,
    );
    assert_eq!(
        closed.stdout.trim(),
        r#"{"date":"2024-08-14","open":false,"reason":"庁舎設備点検"}"#
    );
    let open = banso_in(dir.path(), &["calendar", "is-open", "2024-12-28"], None);
    assert_eq!(open.stdout.trim(), "2024-12-28 is an open day.");
}

#[test]
fn the_scripted_quota_scenario_gives_the_leader_exactly_four_messages() {
    let dir = tempfile::tempdir().unwrap();
    let mut script = String::new();
    for n in 1..=12 {
        script.push_str(&format!(":as staff{}\n/consult 相談その{n}\n", n % 3));
    }
    // staff0 withdraws their latest (a counted one) with the button; the
    // next request is the 10th again, and no alert is sent twice.
    script.push_str(
        ":as staff0\n/consult withdraw 2406-009\n:as staff1\n/consult 十三件目\n/quota\n",
    );
    let script_path = dir.path().join("quota.txt");
    std::fs::write(&script_path, script).unwrap();
    let run = banso_in(
        dir.path(),
        &[
            "console",
            "--json",
            "--script",
            script_path.to_str().unwrap(),
            "--now",
            "2024-06-10T10:00:00+09:00",
        ],
        None,
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    let messages: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .filter(|line: &serde_json::Value| line.get("to").is_some())
        .collect();
    let to_leader: Vec<_> = messages
        .iter()
        .filter(|message| message["to"] == "leader")
        .collect();
    assert_eq!(to_leader.len(), 4, "{to_leader:#?}");
    let team: Vec<_> = messages
        .iter()
        .filter(|message| message["to"] == "#banso-team")
        .collect();
    assert_eq!(
        team[0]["buttons"],
        serde_json::json!([{"n": 1, "label": "担当する"}, {"n": 2, "label": "回答する"}, {"n": 3, "label": "完了"}, {"n": 4, "label": "対象外"}])
    );
    let quota = messages
        .iter()
        .rev()
        .find(|message| message["to"] == "staff1")
        .unwrap();
    assert!(
        quota["text"].as_str().unwrap().contains("10件 / 上限10件"),
        "{quota}"
    );
    assert!(
        quota["text"]
            .as_str()
            .unwrap()
            .contains("保留（上限超過）: 2件"),
        "{quota}"
    );
}

#[test]
fn the_console_clicks_buttons_as_the_acting_user() {
    let dir = tempfile::tempdir().unwrap();
    let input = "/dept 総務課\n/consult パスワード管理\n:as coord\n:click 3\n:click 4\n:as tanaka\n/consult show 2406-001\n";
    let run = banso_in(
        dir.path(),
        &[
            "console",
            "--as",
            "tanaka",
            "--now",
            "2024-06-10T10:00:00+09:00",
        ],
        Some(input),
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("「対象外」になりました（coord）"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("状態: 対象外"), "{}", run.stdout);
}

#[test]
fn purge_refuses_before_a_full_export_and_says_when_the_data_changed() {
    let dir = tempfile::tempdir().unwrap();
    let empty = banso_in(dir.path(), &["purge", "--confirm"], None);
    assert_eq!(empty.status, 0, "{}", empty.stderr);
    assert!(
        empty.stdout.contains("消去するデータはありません"),
        "{}",
        empty.stdout
    );

    let console = banso_in(
        dir.path(),
        &[
            "console",
            "--as",
            "tanaka",
            "--now",
            "2024-06-10T10:00:00+09:00",
        ],
        Some("/consult 六月の相談\n"),
    );
    assert_eq!(console.status, 0, "{}", console.stderr);
    let refused = banso_in(dir.path(), &["purge", "--confirm"], None);
    // The change is shown in the city's time, and no export yet.
    assert_clear_refusal(&refused, "最後の変更: 2024-06-10 10:00");
    assert!(
        refused
            .stderr
            .contains("全データの書き出しがまだありません"),
        "{}",
        refused.stderr
    );
}

#[test]
fn serve_refuses_a_plain_http_api_url_off_this_machine() {
    let dir = tempfile::tempdir().unwrap();
    let run = banso_in_env(
        dir.path(),
        &["serve", "--listen", "127.0.0.1:0"],
        None,
        &[
            ("SLACK_BOT_TOKEN", "xoxb-test"),
            ("SLACK_API_URL", "http://example.org/api"),
        ],
    );
    assert_clear_refusal(&run, "http://example.org/api");
    assert!(run.stderr.contains("ループバック"), "{}", run.stderr);
}

/// `banso calendar … | head`: the reader closes the output early; banso
/// stops writing and exits quietly with success, no panic.
#[test]
fn a_closed_output_ends_the_command_quietly() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_banso"))
        .args([
            "calendar",
            "open-days",
            "--from",
            "2000-01-01",
            "--to",
            "2099-12-31",
        ])
        .current_dir(dir.path())
        .env_remove("BANSO_CONFIG")
        .env_remove("BANSO_LANGUAGE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start banso");
    // Far more than a pipe holds (some 490 KB): banso is still writing
    // when the reader goes.
    let mut first = [0u8; 64];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let output = child.wait_with_output().expect("banso finishes");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(String::from_utf8_lossy(&first).starts_with("2000-01-04"));
}
