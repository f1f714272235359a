//! The contract's other capped work through chat: one quota mechanism for
//! every kind — counted against the kind's cap and period, held beyond it,
//! each threshold alerted once — with what each kind records checked. On
//! every backend.

mod support;

use support::{bot_on, deliver, say, to_user};

#[tokio::test]
async fn site_audits_count_to_four_for_the_contract_and_alert_once() {
    for test in support::all_stores().await {
        let store = &test.store;
        let (bot, clock) = bot_on(store, "2024-06-10T10:00:00+09:00");
        for n in 1..=3 {
            let said = say(
                &bot,
                "consultant",
                &format!("/work add site_audit 保守拠点{n}"),
            )
            .await;
            assert!(said.contains(&format!("{n}件目")), "{}: {said}", test.label);
        }
        // A later month: the contract period, not the month, is counted.
        clock.advance(chrono::Duration::days(60));
        say(&bot, "coord", "/work add site_audit 保守拠点4").await;
        let fifth = say(&bot, "coord", "/work add site_audit 保守拠点5").await;
        assert!(fifth.contains("保留"), "{fifth}");
        let items = store.work_items("site_audit").await.unwrap();
        assert_eq!(items.len(), 5);
        assert_eq!(items.iter().filter(|item| item.counted).count(), 4);
        assert_eq!(
            items[3].quota_bucket.as_deref(),
            Some("contract:2024-04-01"),
            "{}",
            test.label
        );
        let alerts: Vec<String> = to_user(&deliver(store).await, "leader")
            .iter()
            .map(|message| message.text.clone())
            .collect();
        assert_eq!(alerts.len(), 2, "at 2 and at 4: {alerts:?}");
        assert!(alerts[1].contains("4件に達しました"), "{alerts:?}");

        // /quota shows every kind to the team; /work lists them.
        assert_eq!(
            items[4].quota_bucket.as_deref(),
            Some("contract:2024-04-01"),
            "held in the contract period"
        );
        let quota = say(&bot, "leader", "/quota").await;
        assert!(
            quota.contains("リモート保守拠点監査: 4件 / 上限4件（契約期間）　保留 1件"),
            "{quota}"
        );
        assert!(quota.contains("調達審査: 0件 / 上限30件"), "{quota}");
        let staff_quota = say(&bot, "tanaka", "/quota").await;
        assert!(!staff_quota.contains("調達審査"), "{staff_quota}");
        let listed = say(&bot, "leader", "/work list site_audit").await;
        assert!(
            listed.contains("保守拠点5") && listed.contains("保留"),
            "{listed}"
        );
        test.cleanup().await;
    }
}

#[tokio::test]
async fn each_kind_records_what_the_contract_asks_of_it() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, _clock) = bot_on(store, "2024-06-10T10:00:00+09:00");
    let added = say(
        &bot,
        "consultant",
        "/work add procurement_review 基幹系システム更改 区分=c 金額=35,000 観点=g,a",
    )
    .await;
    assert!(
        added.contains("企画審査") && added.contains("35000千円"),
        "{added}"
    );
    let item = &store.work_items("procurement_review").await.unwrap()[0];
    assert_eq!(item.attributes["viewpoints"], "a,g");

    let planning = say(
        &bot,
        "consultant",
        "/work add procurement_review 大型案件 区分=b 金額=45000",
    )
    .await;
    assert!(planning.contains("企画審査（区分=c）"), "{planning}");
    let missing = say(&bot, "consultant", "/work add procurement_review 型なし").await;
    assert!(
        missing.contains("区分= の指定が必要") && missing.contains("区分=a|b|c"),
        "{missing}"
    );
    let criterion = say(&bot, "consultant", "/work add audit_item 持出し管理 基準=9").await;
    // Quoted as typed: 基準=9, not criterion=9.
    assert!(criterion.contains("基準=9 は使えません"), "{criterion}");
    assert!(store.work_items("audit_item").await.unwrap().is_empty());
    let cited = say(&bot, "consultant", "/work add audit_item 持出し管理 基準=3").await;
    assert!(cited.contains("監査基準 No.3"), "{cited}");

    let unknown = say(&bot, "consultant", "/work add audits 何か").await;
    assert!(unknown.contains("audit_item（監査項目）"), "{unknown}");
    let staff = say(&bot, "tanaka", "/work add site_audit 勝手に").await;
    assert!(staff.contains("プロジェクトチーム"), "{staff}");
    let summary = say(&bot, "leader", "/work").await;
    assert_eq!(
        summary
            .lines()
            .filter(|line| line.starts_with('・'))
            .count(),
        3,
        "one line a kind: {summary}"
    );
    assert!(
        summary.contains("調達審査（procurement_review）: 1件 / 上限30件"),
        "{summary}"
    );
    test.cleanup().await;
}
