//! The 課題管理表 through chat: the team adds, updates and closes items; a
//! due date on a closed day is refused with the next open day; overdue
//! items are named; staff cannot change the table. On every backend.

mod support;

use support::{bot_on, say};

#[tokio::test]
async fn the_team_keeps_the_issue_table() {
    for test in support::all_stores().await {
        let store = &test.store;
        let (bot, clock) = bot_on(store, "2024-06-10T10:00:00+09:00");

        // Saturday the 15th is closed: refused, Monday the 17th suggested.
        let refused = say(
            &bot,
            "consultant",
            "/kadai add 研修資料の確認 期限=2024-06-15",
        )
        .await;
        assert!(
            refused.contains("休庁日") && refused.contains("2024-06-17"),
            "{}: {refused}",
            test.label
        );
        assert!(store.kadai_items(true).await.unwrap().is_empty());

        let added = say(
            &bot,
            "consultant",
            "/kadai add 研修資料の確認 担当=佐藤 期限=2024-06-17 優先度=高 会議=2024-06-11",
        )
        .await;
        assert!(
            added.contains("K-001") && added.contains("研修資料の確認"),
            "{added}"
        );
        say(
            &bot,
            "coord",
            "/kadai add 調達仕様書の見直し 期限=2024-06-28",
        )
        .await;
        let items = store.kadai_items(false).await.unwrap();
        assert_eq!(items.len(), 2, "{}", test.label);
        assert_eq!(items[0].owner, "佐藤");
        assert_eq!(items[1].owner, "coord", "the creator by default");

        // Staff may not change it.
        let staff = say(&bot, "tanaka", "/kadai add 勝手な課題").await;
        assert!(staff.contains("プロジェクトチーム"), "{staff}");
        assert_eq!(store.kadai_items(true).await.unwrap().len(), 2);

        // A week later K-001 is overdue, in the list and for the reminder.
        clock.advance(chrono::Duration::days(8));
        let listed = say(&bot, "leader", "/kadai").await;
        assert!(listed.contains("期限超過"), "{listed}");
        let overdue = banso::bot::kadai::overdue(&bot).await.unwrap();
        assert_eq!(overdue.len(), 1, "{}", test.label);
        assert_eq!(overdue[0]["id"], "K-001");

        // Moved and then done.
        let moved = say(&bot, "consultant", "/kadai update K-001 期限=2024-06-24").await;
        assert!(moved.contains("更新"), "{moved}");
        assert!(banso::bot::kadai::overdue(&bot).await.unwrap().is_empty());
        let done = say(&bot, "consultant", "/kadai done K-001").await;
        assert!(done.contains("完了"), "{done}");
        let open = say(&bot, "leader", "/kadai list").await;
        assert!(!open.contains("K-001") && open.contains("K-002"), "{open}");
        let all = say(&bot, "leader", "/kadai list all").await;
        assert!(all.contains("K-001") && all.contains("☑"), "{all}");

        let missing = say(&bot, "consultant", "/kadai done K-099").await;
        assert!(missing.contains("見つかりません"), "{missing}");
        let usage = say(&bot, "consultant", "/kadai add").await;
        assert!(usage.contains("/kadai add 件名"), "{usage}");
        let priority = say(&bot, "consultant", "/kadai add x 優先度=至急").await;
        assert!(priority.contains("高・中・低"), "{priority}");
        test.cleanup().await;
    }
}

#[tokio::test]
async fn the_issue_table_exports_as_a_workbook() {
    use calamine::{Data, Reader, Xlsx};
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, clock) = bot_on(store, "2024-06-10T10:00:00+09:00");
    say(
        &bot,
        "consultant",
        "/kadai add 研修資料の確認 担当=佐藤 期限=2024-06-17 優先度=高",
    )
    .await;
    say(
        &bot,
        "consultant",
        "/kadai add 規程改定案の作成 期限=2024-07-01",
    )
    .await;
    say(&bot, "consultant", "/kadai done K-002").await;
    clock.advance(chrono::Duration::days(10));
    let made = banso::bot::exports::kadai(&bot).await.unwrap();
    assert_eq!(made.rows, 2);
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(made.bytes)).unwrap();
    let sheet = workbook.worksheet_range("課題一覧").unwrap();
    let cell = |row: usize, col: usize| match sheet.get((row, col)) {
        Some(Data::String(text)) => text.clone(),
        Some(Data::DateTime(at)) => at.as_datetime().unwrap().date().to_string(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => format!("{other:?}"),
    };
    assert_eq!(cell(0, 0), "課題番号");
    assert_eq!(cell(0, 9), "完了日時");
    assert_eq!(
        (
            cell(1, 0),
            cell(1, 1),
            cell(1, 2),
            cell(1, 3),
            cell(1, 4),
            cell(1, 5),
            cell(1, 6)
        ),
        (
            "K-001".into(),
            "研修資料の確認".into(),
            "佐藤".into(),
            "2024-06-17".into(),
            "高".into(),
            "未完了".into(),
            "期限超過".into()
        )
    );
    assert_eq!(
        (cell(2, 5), cell(2, 6), cell(2, 9)),
        ("完了".into(), String::new(), "2024-06-10".into())
    );
    test.cleanup().await;
}
