//! Response targets in open days (issue 13), end to end through the bot
//! core and the scheduler on SQLite and (when configured) PostgreSQL: the
//! team reminded on the open day before a target, the leader told once
//! of a missed one, nothing for a target met, nothing on a closed day.

mod support;

use banso::bot::Bot;
use banso::bot::clock::ManualClock;
use banso::bot::consultations::search::index_round;
use banso::scheduler::Scheduler;
use banso::store::Store;
use chrono::{DateTime, Utc};
use support::{all_stores, bot_on, deliver, say, to_channel, to_user};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

/// Moves the clock to `when` and runs what is due, as the scheduler's loop
/// would on waking then; returns what was delivered.
async fn wake_at(
    bot: &Bot,
    clock: &ManualClock,
    store: &Store,
    when: &str,
) -> Vec<banso::message::Outgoing> {
    clock.set(at(when));
    Scheduler::new(bot.clone(), "test")
        .run_due(at(when))
        .await
        .unwrap();
    deliver(store).await
}

fn saying<'a>(messages: &'a [banso::message::Outgoing], words: &str) -> Vec<&'a str> {
    messages
        .iter()
        .filter(|message| message.text.contains(words))
        .map(|message| message.text.as_str())
        .collect()
}

#[tokio::test]
async fn the_team_is_reminded_before_and_the_leader_told_after_a_missed_target_once() {
    for test in all_stores().await {
        let store = &test.store;
        // Monday 10 June 2024, 10:00: the first response is due on Tuesday
        // the 11th, the answer on Monday the 17th (five open days).
        let (bot, clock) = bot_on(store, "2024-06-10T10:00:00+09:00");
        say(&bot, "tanaka", "/consult 不審なメールを開いてしまった").await;
        say(&bot, "tanaka", "情報政策課").await;
        index_round(&bot).await.unwrap();
        deliver(store).await;

        // 15:00 on the open day before the first response's day: the team
        // (nobody has taken it yet) is reminded.
        let delivered = wake_at(&bot, &clock, store, "2024-06-10T15:00:00+09:00").await;
        let reminders = to_channel(&delivered, "#banso-team");
        assert_eq!(reminders.len(), 1, "{}: {delivered:#?}", test.label);
        assert!(
            reminders[0].text.contains("*2406-001*")
                && reminders[0]
                    .text
                    .contains("初回応答の目標日は令和6年6月11日（火）"),
            "{}",
            reminders[0].text
        );

        // Taken on Tuesday: the first response is met, so Wednesday's check
        // says nothing.
        clock.set(at("2024-06-11T11:00:00+09:00"));
        say(&bot, "consultant", "/consult assign 2406-001").await;
        deliver(store).await;
        let delivered = wake_at(&bot, &clock, store, "2024-06-12T09:00:00+09:00").await;
        assert!(
            saying(&delivered, "過ぎました").is_empty(),
            "{}: {delivered:#?}",
            test.label
        );

        // The answer's reminder goes to the assignee on Friday the 14th.
        let delivered = wake_at(&bot, &clock, store, "2024-06-14T15:00:00+09:00").await;
        let to_assignee = to_user(&delivered, "consultant");
        assert_eq!(to_assignee.len(), 1, "{}: {delivered:#?}", test.label);
        assert!(
            to_assignee[0]
                .text
                .contains("回答の目標日は令和6年6月17日（月）"),
            "{}",
            to_assignee[0].text
        );

        // No answer by Monday the 17th: the leader hears on Tuesday, once.
        let delivered = wake_at(&bot, &clock, store, "2024-06-18T09:00:00+09:00").await;
        let missed = to_user(&delivered, "leader");
        assert_eq!(missed.len(), 1, "{}: {delivered:#?}", test.label);
        assert!(
            missed[0]
                .text
                .contains("回答の目標日（令和6年6月17日（月））を過ぎました"),
            "{}",
            missed[0].text
        );
        let again = wake_at(&bot, &clock, store, "2024-06-18T12:00:00+09:00").await;
        assert!(again.is_empty(), "{}: {again:#?}", test.label);
        test.cleanup().await;
    }
}

#[tokio::test]
async fn a_notice_due_while_banso_was_down_waits_for_the_next_open_day() {
    for test in all_stores().await {
        let store = &test.store;
        // Wednesday 12 June, 10:00: the first response is due Thursday,
        // its missed notice on Friday at 09:00.
        let (bot, clock) = bot_on(store, "2024-06-12T10:00:00+09:00");
        say(&bot, "tanaka", "/consult 端末の紛失").await;
        say(&bot, "tanaka", "情報政策課").await;
        index_round(&bot).await.unwrap();
        deliver(store).await;
        // banso was down from Wednesday evening to Saturday: nothing is
        // said on the Saturday, the reminder is past its day.
        let delivered = wake_at(&bot, &clock, store, "2024-06-15T10:00:00+09:00").await;
        assert!(delivered.is_empty(), "{}: {delivered:#?}", test.label);
        // Monday 09:00, the next open day: the leader hears of it.
        let delivered = wake_at(&bot, &clock, store, "2024-06-17T09:00:00+09:00").await;
        let missed = saying(
            &delivered,
            "初回応答の目標日（令和6年6月13日（木））を過ぎました",
        );
        assert_eq!(missed.len(), 1, "{}: {delivered:#?}", test.label);
        assert!(
            missed[0].contains("まだ依頼者に返答していません"),
            "{}",
            missed[0]
        );
        test.cleanup().await;
    }
}

#[tokio::test]
async fn quota_shows_the_months_open_days_to_reply_and_what_is_past_its_target() {
    for test in all_stores().await {
        let store = &test.store;
        let (bot, clock) = bot_on(store, "2024-06-10T10:00:00+09:00");
        say(&bot, "tanaka", "/consult 一件目").await;
        say(&bot, "tanaka", "情報政策課").await;
        say(&bot, "suzuki", "/consult 二件目").await;
        say(&bot, "suzuki", "情報政策課").await;
        // 2406-001 taken the same day and answered two open days later;
        // 2406-002 taken three open days later (its target was the 11th).
        clock.set(at("2024-06-10T11:00:00+09:00"));
        say(&bot, "consultant", "/consult assign 2406-001").await;
        clock.set(at("2024-06-12T11:00:00+09:00"));
        say(
            &bot,
            "consultant",
            "/consult answer 2406-001 手順をお送りします。",
        )
        .await;
        clock.set(at("2024-06-13T11:00:00+09:00"));
        say(&bot, "consultant", "/consult assign 2406-002").await;
        clock.set(at("2024-06-20T10:00:00+09:00"));
        let report = say(&bot, "leader", "/quota 2024-06").await;
        assert!(
            report.contains("初回応答 中央値 1.5日・最長 3日（2件）"),
            "{}: {report}",
            test.label
        );
        assert!(
            report.contains("回答 中央値 2日・最長 2日（1件）"),
            "{report}"
        );
        // 2406-002: late first response, and no answer past the 17th.
        assert!(report.contains("*2406-002* 二件目 — 初回応答（目標 令和6年6月11日（火）、令和6年6月13日（木）に対応）"), "{report}");
        assert!(
            report.contains("*2406-002* 二件目 — 回答（目標 令和6年6月17日（月）、未対応）"),
            "{report}"
        );
        assert!(!report.contains("*2406-001* 一件目 —"), "{report}");
        // Staff see the count, not the team's figures.
        let staff = say(&bot, "tanaka", "/quota 2024-06").await;
        assert!(!staff.contains("初回応答"), "{staff}");
        test.cleanup().await;
    }
}

/// A held consultation (the 11th of a month) waits for a coordinator, not
/// the team: no target of it runs while it is held, and once let in its
/// targets count from the decision — reminded before them, not reported
/// as missed by a count from its receipt.
#[tokio::test]
async fn a_held_consultation_counts_its_targets_from_the_decision_that_lets_it_in() {
    for test in all_stores().await {
        let label = test.label;
        let store = &test.store;
        let (bot, clock) = bot_on(store, "2024-06-10T10:00:00+09:00");
        say(&bot, "tanaka", "/consult 相談 0").await;
        say(&bot, "tanaka", "情報政策課").await;
        for n in 1..11 {
            say(&bot, "tanaka", &format!("/consult 相談 {n}")).await;
        }
        index_round(&bot).await.unwrap();
        deliver(store).await;
        let delivered = wake_at(&bot, &clock, store, "2024-06-10T15:00:00+09:00").await;
        assert!(
            !saying(&delivered, "2406-010").is_empty(),
            "{label}: {delivered:#?}"
        );
        assert!(saying(&delivered, "2406-011").is_empty(), "{label}: held");
        let delivered = wake_at(&bot, &clock, store, "2024-06-12T09:00:00+09:00").await;
        assert!(saying(&delivered, "2406-011").is_empty(), "{label}: held");

        // Let in on Wednesday the 12th at 10:00: the first response is due
        // by the end of Thursday the 13th, reminded on the 12th at 15:00.
        clock.set(at("2024-06-12T10:00:00+09:00"));
        say(&bot, "coord", "/consult approve 2406-011").await;
        deliver(store).await;
        let delivered = wake_at(&bot, &clock, store, "2024-06-12T15:00:00+09:00").await;
        assert_eq!(
            saying(&delivered, "2406-011").len(),
            1,
            "{label}: {delivered:#?}"
        );

        // Taken on the 13th: on time, counted from the decision.
        clock.set(at("2024-06-13T10:00:00+09:00"));
        say(&bot, "consultant", "/consult assign 2406-011").await;
        let quota = say(&bot, "leader", "/quota").await;
        assert!(quota.contains("2406-010"), "{label}: {quota}");
        assert!(
            !quota.contains("2406-011"),
            "{label}: not past its target: {quota}"
        );
        test.cleanup().await;
    }
}
