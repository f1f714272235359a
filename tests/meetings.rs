//! Meetings and reminders through the scheduler, with a manual clock, on
//! SQLite and (when configured) PostgreSQL: the 09:00 deliverables reminder,
//! escalation only for what is missing, a restart between claim and finish,
//! catch-up after downtime, moved and cancelled meetings, and two
//! schedulers sharing one database.

mod support;

use banso::bot::Bot;
use banso::bot::buttons::ButtonAction;
use banso::bot::clock::{Clock, ManualClock};
use banso::message::Outgoing;
use banso::scheduler::Scheduler;
use chrono::{DateTime, Utc};
use support::{bot_on, deliver, to_channel, to_user, user};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

fn texts(messages: &[&Outgoing]) -> Vec<String> {
    messages
        .iter()
        .map(|message| message.text.clone())
        .collect()
}

#[tokio::test]
async fn the_deliverables_reminder_comes_at_nine_and_escalation_only_for_what_is_missing() {
    for test in support::all_stores().await {
        let store = &test.store;
        let (bot, clock) = bot_on(store, "2024-06-07T08:59:00+09:00");
        let scheduler = Scheduler::new(bot.clone(), "test");
        scheduler.replan().await.unwrap();
        assert_eq!(
            scheduler.run_due(clock.now()).await.unwrap().sent,
            0,
            "{}",
            test.label
        );
        clock.set(at("2024-06-07T09:00:00+09:00"));
        let report = scheduler.run_due(clock.now()).await.unwrap();
        assert_eq!(report.sent, 1, "{}", test.label);
        let messages = deliver(store).await;
        let channel = to_channel(&messages, "#banso");
        assert_eq!(channel.len(), 1);
        assert!(
            channel[0].text.contains("本日提出期限"),
            "{}",
            channel[0].text
        );
        assert!(
            channel[0].text.contains("令和6年6月11日（火）10:00"),
            "{}",
            channel[0].text
        );
        // One button an item, then the drafts button.
        assert_eq!(channel[0].buttons.len(), 5);
        assert_eq!(channel[0].buttons[4].action, "deliverables:drafts");
        assert_eq!(channel[0].buttons[4].value, "regular:2024-06");
        // Three items submitted: the 15:00 escalation names the fourth only.
        for button in &channel[0].buttons[..3] {
            bot.handle_button(
                &user("consultant"),
                &ButtonAction::parse(&button.action),
                &button.value,
            )
            .await;
        }
        let refused = bot
            .handle_button(
                &user("tanaka"),
                &ButtonAction::parse(&channel[0].buttons[3].action),
                &channel[0].buttons[3].value,
            )
            .await;
        assert!(
            refused[0].text.contains("のみが行えます"),
            "{}",
            refused[0].text
        );
        clock.set(at("2024-06-07T15:00:00+09:00"));
        scheduler.run_due(clock.now()).await.unwrap();
        let escalation = deliver(store).await;
        let to_leader = to_user(&escalation, "leader");
        assert_eq!(to_leader.len(), 1, "{}: {escalation:#?}", test.label);
        assert!(
            to_leader[0].text.contains("・概要スケジュール"),
            "{}",
            to_leader[0].text
        );
        assert!(
            !to_leader[0].text.contains("・会議次第"),
            "{}",
            to_leader[0].text
        );
        assert_eq!(to_user(&escalation, "pm").len(), 1);
        test.cleanup().await;
    }
}

/// The deliverables reminder of the regular meeting of 2024-06-11, as it
/// goes out at 09:00 on 06-07, with the bot, clock and scheduler that sent
/// it.
async fn deliverables_reminder_of_june_7(
    store: &banso::store::Store,
) -> (Bot, ManualClock, Scheduler, Vec<Outgoing>) {
    let (bot, clock) = bot_on(store, "2024-06-07T09:00:00+09:00");
    let scheduler = Scheduler::new(bot.clone(), "test");
    scheduler.replan().await.unwrap();
    clock.set(at("2024-06-07T09:00:00+09:00"));
    scheduler.run_due(clock.now()).await.unwrap();
    (bot, clock, scheduler, deliver(store).await)
}

#[tokio::test]
async fn a_complete_set_is_announced_and_not_escalated() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, clock, scheduler, reminder) = deliverables_reminder_of_june_7(store).await;
    for button in &reminder[0].buttons {
        bot.handle_button(
            &user("leader"),
            &ButtonAction::parse(&button.action),
            &button.value,
        )
        .await;
    }
    let complete = deliver(store).await;
    assert!(
        texts(&to_channel(&complete, "#banso"))
            .iter()
            .any(|text| text.contains("すべて提出されました"))
    );
    clock.set(at("2024-06-07T15:00:00+09:00"));
    let report = scheduler.run_due(clock.now()).await.unwrap();
    assert_eq!((report.sent, report.skipped), (0, 1));
    assert!(deliver(store).await.is_empty());
    test.cleanup().await;
}

#[tokio::test]
async fn a_restart_between_claim_and_finish_sends_once() {
    for test in support::all_stores().await {
        let store = &test.store;
        let (bot, clock) = bot_on(store, "2024-06-07T08:00:00+09:00");
        Scheduler::new(bot.clone(), "first").replan().await.unwrap();
        clock.set(at("2024-06-07T09:00:00+09:00"));
        // The first scheduler claims the 09:00 job and dies before finishing.
        let now = clock.now().timestamp();
        let orphan = store
            .claim_due_job("first", now, 120)
            .await
            .unwrap()
            .expect("a job is due");
        let second = Scheduler::new(bot.clone(), "second");
        assert_eq!(
            second.run_due(clock.now()).await.unwrap().sent,
            0,
            "lease still held"
        );
        clock.set(at("2024-06-07T09:02:01+09:00"));
        assert_eq!(
            second.run_due(clock.now()).await.unwrap().sent,
            1,
            "{}",
            test.label
        );
        // The first one comes back to life: its finish is refused.
        let late = store
            .finish_job(
                &orphan,
                "first",
                banso::store::JobOutcome::Sent,
                &[],
                now + 200,
            )
            .await
            .unwrap();
        assert!(!late);
        let sent = deliver(store).await;
        assert_eq!(
            to_channel(&sent, "#banso").len(),
            1,
            "{}: {sent:#?}",
            test.label
        );
        test.cleanup().await;
    }
}

#[tokio::test]
async fn after_downtime_reminders_for_meetings_ahead_come_late_and_others_are_skipped() {
    for test in support::all_stores().await {
        let store = &test.store;
        let (bot, clock) = bot_on(store, "2024-05-29T08:00:00+09:00");
        let scheduler = Scheduler::new(bot.clone(), "test");
        scheduler.replan().await.unwrap();
        // Down three days, 05-29 08:00 to 06-01 08:00: the biweekly meeting
        // of 05-30 has passed, so its two notices are skipped, not sent.
        clock.set(at("2024-06-01T08:00:00+09:00"));
        let report = scheduler.run_due(clock.now()).await.unwrap();
        assert_eq!((report.sent, report.skipped), (0, 2), "{}", test.label);
        // Down again, 06-04 08:00 to 06-07 12:00: the regular meeting of
        // 06-11 is still ahead, so its heads-up and due notice come late.
        clock.set(at("2024-06-04T08:00:00+09:00"));
        scheduler.run_due(clock.now()).await.unwrap();
        clock.set(at("2024-06-07T12:00:00+09:00"));
        let report = scheduler.run_due(clock.now()).await.unwrap();
        let messages = deliver(store).await;
        let channel = texts(&to_channel(&messages, "#banso"));
        assert_eq!(report.sent, 2, "{}: {channel:#?}", test.label);
        assert!(
            channel.iter().all(|text| text.starts_with("【遅延】")),
            "{channel:#?}"
        );
        assert!(channel[0].contains("【予告】") && channel[1].contains("【本日提出期限】"));
        let skipped: Vec<_> = store
            .jobs()
            .await
            .unwrap()
            .into_iter()
            .filter(|job| job.status == "skipped" && job.meeting_key == "biweekly:2024-05-30")
            .map(|job| job.kind)
            .collect();
        assert_eq!(skipped, ["previous_day", "hour_before"], "{}", test.label);
        test.cleanup().await;
    }
}

#[tokio::test]
async fn moving_a_meeting_moves_its_reminders_and_cancelling_removes_them() {
    for test in support::all_stores().await {
        let store = &test.store;
        let (bot, clock) = bot_on(store, "2024-06-04T10:00:00+09:00");
        let scheduler = Scheduler::new(bot.clone(), "test");
        scheduler.replan().await.unwrap();
        let refused = bot
            .handle_text(&user("tanaka"), "/meeting move 2024-06-11 2024-06-12")
            .await;
        assert!(
            refused[0].text.contains("のみが行えます"),
            "{}",
            refused[0].text
        );
        let closed = bot
            .handle_text(&user("leader"), "/meeting move 2024-06-11 2024-06-15")
            .await;
        assert!(
            closed[0].text.contains("休庁日（土曜日）")
                && closed[0].text.contains("令和6年6月17日（月）"),
            "{}",
            closed[0].text
        );
        bot.handle_text(&user("leader"), "/meeting move 2024-06-11 2024-06-12")
            .await;
        let announced = deliver(store).await;
        assert!(
            announced[0].text.contains("令和6年6月12日（水）10:00"),
            "{}",
            announced[0].text
        );
        // A change that changes nothing is said so, and not announced.
        for same in [
            "/meeting move 2024-06-12 2024-06-12",
            "/meeting set-regular 2024-06-12 10:00",
        ] {
            let unchanged = bot.handle_text(&user("leader"), same).await;
            assert!(
                unchanged[0].text.contains("変更はありません"),
                "{same}: {}",
                unchanged[0].text
            );
        }
        assert!(deliver(store).await.is_empty(), "{}", test.label);
        // The deadline is now 06-10 (two open days before 06-12): nothing on 06-07.
        clock.set(at("2024-06-07T09:01:00+09:00"));
        scheduler.run_due(clock.now()).await.unwrap();
        assert!(
            to_channel(&deliver(store).await, "#banso")
                .iter()
                .all(|message| !message.text.contains("本日提出期限"))
        );
        clock.set(at("2024-06-10T09:01:00+09:00"));
        scheduler.run_due(clock.now()).await.unwrap();
        let due = deliver(store).await;
        assert!(
            due.iter()
                .any(|message| message.text.contains("本日提出期限")
                    && message.text.contains("6月12日")),
            "{due:#?}"
        );
        // Cancelled: no meeting-day notice.
        bot.handle_text(&user("coord"), "/meeting cancel 2024-06-12")
            .await;
        deliver(store).await;
        clock.set(at("2024-06-12T09:30:00+09:00"));
        scheduler.run_due(clock.now()).await.unwrap();
        assert!(
            deliver(store)
                .await
                .iter()
                .all(|message| !message.text.contains("本日は定例報告会")),
            "{}",
            test.label
        );
        test.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_schedulers_on_one_database_send_each_reminder_once() {
    for test in support::all_stores().await {
        let store = &test.store;
        let (bot, _clock) = bot_on(store, "2024-04-01T00:00:00+09:00");
        Scheduler::new(bot.clone(), "a").replan().await.unwrap();
        // Both wake at every due time of the first half year, at once.
        let mut due_times: Vec<i64> = store
            .jobs()
            .await
            .unwrap()
            .iter()
            .map(|job| job.due_at)
            .collect();
        due_times.dedup();
        due_times.retain(|due| *due < at("2024-10-01T00:00:00+09:00").timestamp());
        let (mut first, mut second) = (
            banso::scheduler::RunReport::default(),
            banso::scheduler::RunReport::default(),
        );
        for due in due_times {
            let now = DateTime::from_timestamp(due, 0).unwrap();
            let (a, b) = (
                Scheduler::new(bot.clone(), "a"),
                Scheduler::new(bot.clone(), "b"),
            );
            let left = tokio::spawn(async move { a.run_due(now).await.unwrap() });
            let right = tokio::spawn(async move { b.run_due(now).await.unwrap() });
            let (left, right) = (left.await.unwrap(), right.await.unwrap());
            first.sent += left.sent;
            second.sent += right.sent;
            first.lost += left.lost + right.lost;
        }
        let done = store
            .jobs()
            .await
            .unwrap()
            .into_iter()
            .filter(|job| job.status == "done")
            .count();
        assert_eq!(first.sent + second.sent, done, "{}", test.label);
        assert_eq!(first.lost, 0);
        let messages = deliver(store).await;
        let mut keys: Vec<_> = messages
            .iter()
            .map(|message| (message.to.to_string(), message.text.clone()))
            .collect();
        let total = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(
            keys.len(),
            total,
            "{}: a reminder was sent twice",
            test.label
        );
        // April–September: 6 regular meetings (heads-up, due, escalation to the
        // leader and the manager, meeting day) and 13 biweekly ones (two notices).
        assert_eq!(total, 6 * 5 + 13 * 2, "{}", test.label);
        test.cleanup().await;
    }
}

/// Polls the outbox until something arrives (the loop runs in another
/// task); bounded, so a broken loop fails instead of hanging.
async fn wait_for_messages(store: &banso::store::Store) -> Vec<Outgoing> {
    for _ in 0..200 {
        let messages = deliver(store).await;
        if !messages.is_empty() {
            return messages;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    Vec::new()
}

#[tokio::test]
async fn the_loop_runs_what_is_due_wakes_when_the_plan_changes_and_stops_on_shutdown() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, clock) = bot_on(store, "2024-06-07T09:00:00+09:00");
    let scheduler = Scheduler::new(bot.clone(), "loop");
    // Planned at 08:00, so the 09:00 reminder is pending, not skipped.
    clock.set(at("2024-06-07T08:00:00+09:00"));
    scheduler.replan().await.unwrap();
    clock.set(at("2024-06-07T09:00:00+09:00"));
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let running = tokio::spawn({
        let scheduler = scheduler.clone();
        async move { scheduler.run(shutdown).await }
    });
    let first = wait_for_messages(store).await;
    assert!(
        first
            .iter()
            .any(|message| message.text.contains("本日提出期限")),
        "{first:#?}"
    );
    // The loop now sleeps until 15:00 by the bot's clock; moving the clock
    // and saying the plan changed wakes it at once.
    clock.set(at("2024-06-07T15:00:00+09:00"));
    bot.jobs_changed().notify_one();
    let escalation = wait_for_messages(store).await;
    assert!(
        escalation
            .iter()
            .any(|message| message.text.contains("【未提出あり】")),
        "{escalation:#?}"
    );
    stop.send(true).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(5), running)
        .await
        .expect("stops on shutdown")
        .unwrap();
    test.cleanup().await;
}

#[tokio::test]
async fn without_a_configured_contract_the_next_fiscal_year_is_planned_too() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, _clock) = bot_on(store, "2025-03-25T10:00:00+09:00");
    Scheduler::new(bot.clone(), "test").replan().await.unwrap();
    let april: Vec<_> = store
        .jobs()
        .await
        .unwrap()
        .into_iter()
        .filter(|job| job.meeting_key == "regular:2025-04")
        .map(|job| (job.kind, job.status))
        .collect();
    // 2025-04-08's materials are due 04-04; the heads-up comes 04-02.
    assert_eq!(april.len(), 4, "{april:?}");
    assert!(
        april.iter().all(|(_, status)| status == "pending"),
        "{april:?}"
    );
    test.cleanup().await;
}

/// The last items pressed at the same moment (two people, two replicas
/// on PostgreSQL): the set is still announced complete, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_set_completed_by_simultaneous_presses_is_announced_once() {
    for test in support::all_stores().await {
        let store = &test.store;
        let (bot, _, _, reminder) = deliverables_reminder_of_june_7(store).await;
        assert!(reminder[0].buttons.len() >= 2, "{}", test.label);
        let presses: Vec<_> = reminder[0]
            .buttons
            .iter()
            .map(|button| {
                let bot = bot.clone();
                let (action, value) = (button.action.clone(), button.value.clone());
                tokio::spawn(async move {
                    bot.handle_button(&user("leader"), &ButtonAction::parse(&action), &value)
                        .await
                })
            })
            .collect();
        for press in presses {
            press.await.unwrap();
        }
        let complete = deliver(store).await;
        let announced = texts(&to_channel(&complete, "#banso"))
            .into_iter()
            .filter(|text| text.contains("すべて提出されました"))
            .count();
        assert_eq!(announced, 1, "{}", test.label);
        test.cleanup().await;
    }
}

/// `/meeting add`: a 作業会議 with its room, Web meeting and agenda (the
/// agenda's words running on), announced, in `/meeting list`, reminded at
/// 17:00 on the open day before and an hour before through the
/// scheduler, once each; a closed day, a kind nobody holds, staff and a
/// second add at the same time are refused. On both backends.
#[tokio::test]
async fn an_added_meeting_is_announced_listed_and_reminded_like_the_others() {
    for test in support::all_stores().await {
        let label = test.label;
        let store = &test.store;
        let (bot, clock) = bot_on(store, "2024-06-17T10:00:00+09:00");
        let scheduler = Scheduler::new(bot.clone(), "test");
        scheduler.replan().await.unwrap();
        let add = "/meeting add 作業会議 ２０２４－０６－２０ 10:00 場所=本庁舎5階 URL=https://meet.example.jp/w 議題=監査項目 の確認";
        let refused = bot.handle_text(&user("tanaka"), add).await;
        assert!(
            refused[0].text.contains("のみが行えます"),
            "{label}: {}",
            refused[0].text
        );
        let closed = bot
            .handle_text(&user("leader"), "/meeting add 作業会議 2024-06-22 10:00")
            .await;
        assert!(
            closed[0].text.contains("休庁日（土曜日）"),
            "{label}: {}",
            closed[0].text
        );
        let unknown = bot
            .handle_text(&user("leader"), "/meeting add 懇親会 2024-06-20 10:00")
            .await;
        assert!(
            unknown[0].text.contains("/meeting add 種類"),
            "{label}: {}",
            unknown[0].text
        );
        assert!(
            bot.handle_text(&user("leader"), add).await.is_empty(),
            "{label}"
        );
        let again = bot.handle_text(&user("coord"), add).await;
        assert!(
            again[0].text.contains("すでにあります"),
            "{label}: {}",
            again[0].text
        );
        let announced = texts(&to_channel(&deliver(store).await, "#banso"));
        assert_eq!(announced.len(), 1, "{label}: {announced:?}");
        assert!(
            announced[0].contains("【会議の追加】作業会議 令和6年6月20日（木）10:00〜11:00")
                && announced[0].contains("場所: 本庁舎5階")
                && announced[0].contains("議題: 監査項目 の確認"),
            "{label}: {}",
            announced[0]
        );
        let list = bot
            .handle_text(&user("tanaka"), "/meeting list 2024-06")
            .await;
        assert!(
            list[0].text.contains("作業会議"),
            "{label}: {}",
            list[0].text
        );

        // 17:00 on Wednesday the 19th, then 09:00 on the 20th: once each.
        for (when, words) in [
            (
                "2024-06-19T17:00:00+09:00",
                "次の開庁日に作業会議があります",
            ),
            ("2024-06-20T09:00:00+09:00", "まもなく作業会議です"),
        ] {
            clock.set(at(when));
            scheduler.run_due(clock.now()).await.unwrap();
            let sent = texts(&to_channel(&deliver(store).await, "#banso"));
            let notices: Vec<_> = sent.iter().filter(|text| text.contains(words)).collect();
            assert_eq!(notices.len(), 1, "{label} {when}: {sent:?}");
            assert!(
                notices[0].contains("Web会議: https://meet.example.jp/w"),
                "{label}"
            );
            scheduler.run_due(clock.now()).await.unwrap();
            assert!(deliver(store).await.is_empty(), "{label}: once");
        }
        test.cleanup().await;
    }
}
