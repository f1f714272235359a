//! Consultations and the monthly quota, end to end through the bot core,
//! on SQLite and (when configured) PostgreSQL: the contract's 上限10件／月,
//! exactly-once alerts to the project leader, held requests and the
//! coordinators' decisions, the lifecycle, and confidentiality.

mod support;

use banso::bot::Bot;
use banso::bot::buttons::ButtonAction;
use banso::domain::consultation::Status;
use banso::store::{ListFilter, Store};
use support::{bot_on, deliver, to_channel, to_user, user};

const JUNE: &str = "2024-06-10T10:00:00+09:00";

async fn consult(bot: &Bot, who: &str, text: &str) {
    bot.handle_text(&user(who), &format!("/consult {text}"))
        .await;
}

async fn statuses(store: &Store) -> Vec<Status> {
    let filter = ListFilter {
        limit: 1_000,
        ..ListFilter::default()
    };
    let mut all = store.list_consultations(&filter).await.unwrap();
    all.reverse();
    all.into_iter()
        .map(|consultation| consultation.status)
        .collect()
}

#[tokio::test]
async fn twelve_requests_make_ten_counted_two_held_and_four_leader_messages() {
    for test in support::all_stores().await {
        let store = &test.store;
        let (bot, _clock) = bot_on(store, JUNE);
        for n in 1..=12 {
            consult(&bot, &format!("staff{}", n % 4), &format!("相談 {n}")).await;
        }
        let messages = deliver(store).await;
        let counted = statuses(store)
            .await
            .iter()
            .filter(|status| **status == Status::Received)
            .count();
        let held = statuses(store)
            .await
            .iter()
            .filter(|status| **status == Status::Held)
            .count();
        assert_eq!((counted, held), (10, 2), "{}", test.label);
        let to_leader = to_user(&messages, "leader");
        assert_eq!(to_leader.len(), 4, "{}: {to_leader:#?}", test.label);
        assert!(
            to_leader[0].text.contains("8件に達しました"),
            "{}",
            to_leader[0].text
        );
        assert!(
            to_leader[1].text.contains("10件に達しました"),
            "{}",
            to_leader[1].text
        );
        assert!(to_leader[2].text.contains("上限超過"));
        // Each coordinator gets a decision per held request, with its buttons.
        let decisions = to_user(&messages, "coord");
        assert_eq!(decisions.len(), 2);
        let labels: Vec<_> = decisions[0]
            .buttons
            .iter()
            .map(|button| button.label.as_str())
            .collect();
        assert_eq!(labels, ["承認", "翌月に繰越", "却下"]);

        // A withdrawal frees a slot; the next request takes it as the 10th
        // again, and no threshold alert is sent a second time.
        bot.handle_text(&user("staff1"), "/consult withdraw 2406-001")
            .await;
        consult(&bot, "staff2", "相談 13").await;
        let later = deliver(store).await;
        assert_eq!(
            to_user(&later, "leader").len(),
            0,
            "{}: {later:#?}",
            test.label
        );
        assert_eq!(
            store.quota_count("consultation", "2024-06").await.unwrap(),
            10
        );
        test.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn exactly_one_of_two_simultaneous_requests_is_the_tenth() {
    for test in support::all_stores().await {
        let store = &test.store;
        // Five rounds, each in a month of its own with 9 already counted.
        for (round, month) in ["2024-06", "2024-07", "2024-08", "2024-09", "2024-10"]
            .iter()
            .enumerate()
        {
            let (bot, _clock) = bot_on(store, &format!("{month}-11T10:00:00+09:00"));
            for n in 0..9 {
                consult(&bot, &format!("early{n}"), "準備").await;
            }
            let (first, second) = (bot.clone(), bot.clone());
            let a = tokio::spawn(async move { consult(&first, "racer_a", "同時 A").await });
            let b = tokio::spawn(async move { consult(&second, "racer_b", "同時 B").await });
            a.await.unwrap();
            b.await.unwrap();
            let requests = store
                .counted_requests(
                    "consultation",
                    month.parse().unwrap(),
                    month.parse().unwrap(),
                )
                .await
                .unwrap();
            let in_month: Vec<_> = requests
                .iter()
                .filter(|request| request.received_in.to_string() == *month)
                .collect();
            let counted = in_month
                .iter()
                .filter(|request| request.status == Status::Received)
                .count();
            let held = in_month
                .iter()
                .filter(|request| request.status == Status::Held)
                .count();
            assert_eq!((counted, held), (10, 1), "{} round {round}", test.label);
            assert_eq!(store.quota_count("consultation", month).await.unwrap(), 10);
        }
        let messages = deliver(store).await;
        // Threshold 10 alerted exactly once per month, whoever won.
        let tens = to_user(&messages, "leader")
            .iter()
            .filter(|message| message.text.contains("10件に達しました"))
            .count();
        assert_eq!(tens, 5, "{}", test.label);
        test.cleanup().await;
    }
}

#[tokio::test]
async fn the_lifecycle_by_buttons_with_refusals_recorded() {
    for test in support::all_stores().await {
        let store = &test.store;
        let (bot, _clock) = bot_on(store, JUNE);
        bot.handle_text(&user("tanaka"), "/dept 総務課").await;
        consult(&bot, "tanaka", "メール誤送信時の対応手順").await;
        let created = deliver(store).await;
        let team = to_channel(&created, "#banso-team");
        assert_eq!(team.len(), 1);
        let labels: Vec<_> = team[0]
            .buttons
            .iter()
            .map(|button| button.label.as_str())
            .collect();
        assert_eq!(labels, ["担当する", "回答する", "完了", "対象外"]);
        let assign = &team[0].buttons[0];

        // Another staff member pressing a team button is refused and recorded.
        let refusal = bot
            .handle_button(
                &user("suzuki"),
                &ButtonAction::parse(&assign.action),
                &assign.value,
            )
            .await;
        assert!(
            refusal[0].text.contains("見つからない"),
            "other departments cannot even see it: {}",
            refusal[0].text
        );
        let refusal = bot
            .handle_button(
                &user("tanaka"),
                &ButtonAction::parse(&assign.action),
                &assign.value,
            )
            .await;
        assert!(
            refusal[0].text.contains("あなたの役割では操作できません"),
            "{}",
            refusal[0].text
        );

        bot.handle_button(
            &user("consultant"),
            &ButtonAction::parse(&assign.action),
            &assign.value,
        )
        .await;
        bot.handle_text(&user("consultant"), "/consult answer 2406-001")
            .await;
        bot.handle_text(
            &user("tanaka"),
            "/consult reopen 2406-001 まだつながりません",
        )
        .await;
        bot.handle_text(&user("consultant"), "/consult answer 2406-001")
            .await;
        bot.handle_text(&user("tanaka"), "/consult close 2406-001")
            .await;
        let again = bot
            .handle_text(&user("tanaka"), "/consult close 2406-001")
            .await;
        assert!(
            again[0].text.contains("「完了」のため「完了」はできません"),
            "{}",
            again[0].text
        );

        let consultation = store
            .consultation_by_short_id("2406-001")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(consultation.status, Status::Closed);
        assert_eq!(consultation.assignee.as_deref(), Some("consultant"));
        let events = store.consultation_events(consultation.id).await.unwrap();
        let kinds: Vec<_> = events
            .iter()
            .map(|event| {
                (
                    event.actor.as_str(),
                    event.kind.as_str(),
                    event.to_status.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            kinds,
            [
                ("tanaka", "created", Some("received")),
                ("tanaka", "refused_permission", None),
                ("consultant", "transition", Some("in_progress")),
                ("consultant", "transition", Some("answered")),
                ("tanaka", "followup", Some("in_progress")),
                ("consultant", "transition", Some("answered")),
                ("tanaka", "transition", Some("closed")),
                ("tanaka", "refused_transition", None),
            ]
        );
        // The requester was told of every change.
        let to_requester = to_user(&deliver(store).await, "tanaka").len();
        assert_eq!(to_requester, 5, "{}", test.label);
        test.cleanup().await;
    }
}

#[tokio::test]
async fn details_go_only_to_the_requester_and_the_team_channel() {
    for test in support::all_stores().await {
        let store = &test.store;
        let (bot, _clock) = bot_on(store, JUNE);
        let secret = "基幹系サーバのIPアドレス 10.0.0.5";
        for n in 0..11 {
            consult(&bot, "tanaka", &format!("{secret} #{n}")).await;
        }
        bot.handle_text(&user("coord"), "/consult carry-over 2406-011")
            .await;
        for message in deliver(store).await {
            if message.text.contains(secret) {
                let allowed = message.to == banso::message::Recipient::User(user("tanaka"))
                    || message.to == banso::message::Recipient::Channel("#banso-team".into());
                assert!(allowed, "details sent to {}: {}", message.to, message.text);
            }
        }
        // A read by someone other than the requester is in the history.
        bot.handle_text(&user("coord"), "/consult show 2406-003")
            .await;
        bot.handle_text(&user("tanaka"), "/consult show 2406-003")
            .await;
        let consultation = store
            .consultation_by_short_id("2406-003")
            .await
            .unwrap()
            .unwrap();
        let reads: Vec<_> = store
            .consultation_events(consultation.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|event| event.kind == "read")
            .map(|event| event.actor)
            .collect();
        assert_eq!(reads, ["coord"], "{}", test.label);
        test.cleanup().await;
    }
}

#[tokio::test]
async fn months_are_tokyo_months_and_held_requests_are_decided() {
    for test in support::all_stores().await {
        let store = &test.store;
        let (bot, clock) = bot_on(store, "2024-06-30T23:59:00+09:00");
        for n in 0..11 {
            consult(&bot, "tanaka", &format!("六月 {n}")).await;
        }
        clock.set(
            chrono::DateTime::parse_from_rfc3339("2024-07-01T00:00:00+09:00")
                .unwrap()
                .to_utc(),
        );
        consult(&bot, "tanaka", "七月の最初").await;
        assert_eq!(
            store.quota_count("consultation", "2024-06").await.unwrap(),
            10
        );
        assert_eq!(
            store.quota_count("consultation", "2024-07").await.unwrap(),
            1
        );
        let july_first = store
            .consultation_by_short_id("2407-001")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(july_first.quota_position, Some(1));

        // 2406-011 was held; carrying it over counts it in July.
        let refused = bot
            .handle_text(&user("consultant"), "/consult carry-over 2406-011")
            .await;
        assert!(
            refused[0].text.contains("あなたの役割では操作できません"),
            "{}",
            refused[0].text
        );
        bot.handle_text(&user("coord"), "/consult carry-over 2406-011")
            .await;
        let carried = store
            .consultation_by_short_id("2406-011")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                carried.status,
                carried.quota_bucket.as_deref(),
                carried.quota_position
            ),
            (Status::Received, Some("2024-07"), Some(2))
        );

        // A second held one, approved as June's exception; a third declined
        // with a reason the requester reads.
        clock.set(
            chrono::DateTime::parse_from_rfc3339("2024-06-30T23:59:30+09:00")
                .unwrap()
                .to_utc(),
        );
        consult(&bot, "tanaka", "六月 例外").await;
        consult(&bot, "tanaka", "六月 却下").await;
        bot.handle_text(&user("coord"), "/consult approve 2406-012")
            .await;
        let prompt = bot
            .handle_text(&user("coord"), "/consult decline 2406-013")
            .await;
        assert!(prompt[0].text.contains("理由を入力"), "{}", prompt[0].text);
        deliver(store).await;
        bot.handle_text(&user("coord"), "契約の対象外の内容のため")
            .await;
        let declined = store
            .consultation_by_short_id("2406-013")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(declined.status, Status::Declined);
        let told = deliver(store).await;
        assert!(
            to_user(&told, "tanaka")
                .iter()
                .any(|message| message.text.contains("理由: 契約の対象外の内容のため")),
            "{told:#?}"
        );

        let quota = bot.handle_text(&user("leader"), "/quota 2024-06").await;
        assert!(
            quota[0].text.contains("11件 / 上限10件"),
            "{}",
            quota[0].text
        );
        assert!(quota[0].text.contains("例外承認: 1件"), "{}", quota[0].text);
        assert!(
            quota[0].text.contains("翌月への繰越: 1件"),
            "{}",
            quota[0].text
        );
        test.cleanup().await;
    }
}

#[tokio::test]
async fn bad_input_is_explained_and_nothing_is_stored_half_way() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, _clock) = bot_on(store, JUNE);
    let too_long = format!("/consult {}", "長".repeat(3_001));
    let reply = bot.handle_text(&user("tanaka"), &too_long).await;
    assert!(
        reply[0].text.contains("3001文字、上限3000文字"),
        "{}",
        reply[0].text
    );
    assert!(statuses(store).await.is_empty());
    let reply = bot
        .handle_text(&user("tanaka"), "/consult show 2406-999")
        .await;
    assert!(reply[0].text.contains("/consult list"), "{}", reply[0].text);
    let reply = bot.handle_text(&user("tanaka"), "/consult show 99").await;
    assert!(
        reply[0].text.contains("2406-003 のような形"),
        "{}",
        reply[0].text
    );
    let reply = bot
        .handle_button(
            &user("tanaka"),
            &ButtonAction::parse("consultation:nonsense"),
            "x",
        )
        .await;
    assert!(
        reply[0].text.contains("もう使えません"),
        "{}",
        reply[0].text
    );
    test.cleanup().await;
}

#[tokio::test]
async fn the_form_asks_each_field_and_refuses_a_past_date() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, _clock) = bot_on(store, JUNE);
    let who = user("yamada");
    let steps = [
        ("/consult", "件名"),
        ("クラウドサービス利用の可否", "所属"),
        ("保健福祉局 保健医療課", "区分"),
        ("9", "区分が読み取れませんでした"),
        ("3", "相談内容"),
        ("ISMAP未登録のSaaSを使いたい", "希望回答日"),
        ("2024-06-01", "過去の日付"),
        ("来週", "日付として読めません"),
        (
            "2024-06-15",
            "休庁日（土曜日）のため、希望回答日にできません。次の開庁日は",
        ),
        ("２０２４／０７／１５", "休庁日（海の日）"),
    ];
    for (line, expected) in steps {
        let reply = bot.handle_text(&who, line).await;
        assert!(
            reply[0].text.contains(expected),
            "{line}: {}",
            reply[0].text
        );
    }
    // The form survives a restart of the bot: its state is in the store.
    let (restarted, _clock) = bot_on(store, JUNE);
    restarted.handle_text(&who, "2024-06-20").await;
    let consultation = store
        .consultation_by_short_id("2406-001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(consultation.title, "クラウドサービス利用の可否");
    assert_eq!(
        consultation.department.as_deref(),
        Some("保健福祉局 保健医療課")
    );
    assert_eq!(
        consultation.category,
        banso::domain::consultation::Category::CloudIsmap
    );
    assert_eq!(
        consultation.desired_date,
        Some("2024-06-20".parse().unwrap())
    );
    let cancelled = bot.handle_text(&who, "/cancel").await;
    assert!(cancelled[0].text.contains("中止する入力はありません"));
    test.cleanup().await;
}

#[tokio::test]
async fn a_claimed_department_grants_no_access_and_an_old_question_lapses() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, clock) = bot_on(store, JUNE);
    bot.handle_text(&user("tanaka"), "/dept 総務課").await;
    for n in 0..11 {
        consult(&bot, "tanaka", &format!("人事情報の取扱い {n}")).await;
    }
    // Someone who types the same department still sees nothing of it.
    bot.handle_text(&user("intruder"), "/dept 総務課").await;
    let shown = bot
        .handle_text(&user("intruder"), "/consult show 2406-001")
        .await;
    assert!(
        shown[0].text.contains("見つからないか"),
        "{}",
        shown[0].text
    );
    let listed = bot
        .handle_text(&user("intruder"), "/consult list all")
        .await;
    assert!(listed[0].text.contains("（0件）"), "{}", listed[0].text);
    // Staff asking to decline their own request are refused, not asked why.
    let refused = bot
        .handle_text(&user("tanaka"), "/consult decline 2406-011")
        .await;
    assert!(
        refused[0].text.contains("あなたの役割では操作できません"),
        "{}",
        refused[0].text
    );
    // A coordinator's unanswered 却下 question lapses after 30 minutes: a
    // line typed later is not taken as the reason.
    let asked = bot
        .handle_text(&user("coord"), "/consult decline 2406-011")
        .await;
    assert!(asked[0].text.contains("理由を入力"), "{}", asked[0].text);
    clock.advance(chrono::Duration::minutes(31));
    bot.handle_text(&user("coord"), "ありがとうございます")
        .await;
    let held = store
        .consultation_by_short_id("2406-011")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(held.status, Status::Held);
    test.cleanup().await;
}

/// Someone in two roles has the powers of both: the project manager who
/// is also listed among the coordinators decides a held consultation; the
/// manager alone may not.
#[tokio::test]
async fn a_manager_who_is_also_a_coordinator_decides_held_consultations() {
    use banso::bot::BotParts;
    use banso::bot::texts::Texts;
    use banso::config::{Language, Settings};
    use std::sync::Arc;
    for test in support::all_stores().await {
        let store = &test.store;
        let (_, clock) = bot_on(store, JUNE);
        let mut settings = Settings::default();
        settings.roles.project_manager = vec!["boss".into(), "pm".into()];
        settings.roles.coordinators = vec!["boss".into(), "coord".into()];
        let bot = Bot::new(BotParts {
            settings: Arc::new(settings),
            store: store.clone(),
            clock: Arc::new(clock.clone()),
            texts: Arc::new(Texts::built_in(Language::Ja)),
        });
        for n in 0..12 {
            consult(&bot, "tanaka", &format!("相談 {n}")).await;
        }
        let refused = bot
            .handle_text(&user("pm"), "/consult approve 2406-011")
            .await;
        assert!(
            refused[0].text.contains("あなたの役割では操作できません"),
            "{}: {}",
            test.label,
            refused[0].text
        );
        bot.handle_text(&user("boss"), "/consult approve 2406-011")
            .await;
        let approved = store
            .consultation_by_short_id("2406-011")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(approved.status, Status::Received, "{}", test.label);
        assert!(approved.exception, "{}", test.label);
        test.cleanup().await;
    }
}

/// A mistyped subcommand or a receipt number alone is not recorded (it
/// would count against the quota): banso asks what was meant and offers
/// to record it after all — once however often that is pressed, and not
/// after five minutes. An acronym (`SSO`, `AWS`) is a consultation.
#[tokio::test]
async fn a_mistyped_subcommand_is_asked_about_not_counted() {
    for test in support::all_stores().await {
        let label = test.label;
        let store = &test.store;
        let (bot, clock) = bot_on(store, JUNE);
        bot.handle_text(&user("tanaka"), "/dept 総務課").await;
        for (line, suggestion) in [
            ("/consult lsit", "/consult list"),
            ("/consult list mien", "/consult list mine"),
            ("/consult shwo 2406-1", "/consult show 2406-001"),
            ("/consult ２４０６－００３", "/consult show 2406-003"),
            (
                "/consult answr 2406-001 電話で回答",
                "/consult answer 2406-001 電話で回答",
            ),
        ] {
            let replies = bot.handle_text(&user("tanaka"), line).await;
            assert_eq!(replies.len(), 1, "{label}: {line}");
            assert!(
                replies[0].text.contains(suggestion)
                    && replies[0].text.contains("記録していません"),
                "{label}: {line}: {}",
                replies[0].text
            );
            assert_eq!(replies[0].buttons.len(), 1, "{label}: {line}");
        }
        assert!(
            statuses(store).await.is_empty(),
            "{label}: nothing recorded"
        );
        for acronym in ["SSO の導入について", "AWS の設定確認"] {
            consult(&bot, "tanaka", acronym).await;
        }
        assert_eq!(
            statuses(store).await.len(),
            2,
            "{label}: acronyms are consultations"
        );

        let asked = bot
            .handle_text(&user("tanaka"), "/consult slow なPCの相談")
            .await;
        let record = &asked[0].buttons[0];
        assert_eq!(record.label, "相談として記録する");
        let action = ButtonAction::parse(&record.action);
        bot.handle_button(&user("tanaka"), &action, &record.value)
            .await;
        assert_eq!(statuses(store).await.len(), 3, "{label}: recorded");
        let confirmation = to_user(&deliver(store).await, "tanaka")
            .iter()
            .map(|message| message.text.clone())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(confirmation.contains("2406-003"), "{label}: {confirmation}");
        let again = bot
            .handle_button(&user("tanaka"), &action, &record.value)
            .await;
        assert!(
            again.is_empty(),
            "{label}: a second press records nothing: {again:?}"
        );
        assert_eq!(statuses(store).await.len(), 3, "{label}");

        let late = bot.handle_text(&user("tanaka"), "/consult closs").await;
        clock.advance(chrono::Duration::minutes(6));
        let expired = bot
            .handle_button(&user("tanaka"), &action, &late[0].buttons[0].value)
            .await;
        assert!(
            expired[0].text.contains("5分を過ぎた"),
            "{label}: {}",
            expired[0].text
        );
        assert_eq!(statuses(store).await.len(), 3, "{label}");
        test.cleanup().await;
    }
}

/// `/consult answer ID 本文`: the advice is kept in the history (shown by
/// `/consult show`), sent to the requester and noted in the team channel;
/// the consultation is 回答済, and nothing new is recorded or counted.
#[tokio::test]
async fn an_answer_with_its_text_is_kept_and_sent_to_the_requester() {
    for test in support::all_stores().await {
        let label = test.label;
        let store = &test.store;
        let (bot, _clock) = bot_on(store, JUNE);
        bot.handle_text(&user("tanaka"), "/dept 総務課").await;
        consult(&bot, "tanaka", "不審なメールを開いてしまった").await;
        deliver(store).await;
        let replies = bot
            .handle_text(
                &user("consultant"),
                "/consult answer 2406-001 LANケーブルを抜いてください。\n次に情報システム課へ連絡してください。",
            )
            .await;
        assert!(replies.is_empty(), "{label}: {replies:?}");
        assert_eq!(
            statuses(store).await,
            [Status::Answered],
            "{label}: no new consultation"
        );
        assert_eq!(
            store.quota_count("consultation", "2024-06").await.unwrap(),
            1
        );
        let sent = deliver(store).await;
        let to_requester = to_user(&sent, "tanaka");
        assert_eq!(to_requester.len(), 1, "{label}");
        assert!(
            to_requester[0]
                .text
                .contains("LANケーブルを抜いてください。\n次に情報システム課へ連絡してください。"),
            "{label}: {}",
            to_requester[0].text
        );
        let team = to_channel(&sent, "#banso-team");
        assert!(
            team[0].text.contains("LANケーブル"),
            "{label}: {}",
            team[0].text
        );
        let shown = bot
            .handle_text(&user("tanaka"), "/consult show 2406-001")
            .await;
        assert!(
            shown[0].text.contains("回答")
                && shown[0]
                    .text
                    .contains("次に情報システム課へ連絡してください。"),
            "{label}: {}",
            shown[0].text
        );
        // Other actions take the id alone.
        let refused = bot
            .handle_text(&user("tanaka"), "/consult close 2406-001 ありがとう")
            .await;
        assert!(
            refused[0].text.contains("ありがとう"),
            "{label}: {}",
            refused[0].text
        );
        assert!(
            refused[0].text.starts_with("/consult close に"),
            "{label}: the command as typed: {}",
            refused[0].text
        );
        assert_eq!(statuses(store).await, [Status::Answered], "{label}");
        test.cleanup().await;
    }
}

/// A whole conversation: intake, assignment, an answer, the requester's
/// follow-up (the button 追加で質問する, then the question typed), a
/// second answer, and 解決した. Each answer and the question go to the
/// other side and stay in the history with who and when.
#[tokio::test]
async fn answers_and_follow_ups_alternate_and_are_kept() {
    for test in support::all_stores().await {
        let label = test.label;
        let store = &test.store;
        let (bot, clock) = bot_on(store, JUNE);
        let tanaka = user("tanaka");
        bot.handle_text(&tanaka, "/dept 総務課").await;
        consult(&bot, "tanaka", "VPNがつながらない").await;
        bot.handle_text(&user("consultant"), "/consult assign 2406-001")
            .await;
        deliver(store).await;
        clock.advance(chrono::Duration::minutes(30));
        bot.handle_text(
            &user("consultant"),
            "/consult answer 2406-001 証明書を更新してください。",
        )
        .await;
        let sent = deliver(store).await;
        let answer = to_user(&sent, "tanaka")[0].clone();
        assert!(
            answer.text.contains("証明書を更新してください。"),
            "{label}: {}",
            answer.text
        );
        let labels: Vec<&str> = answer.buttons.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(
            labels,
            ["解決した", "追加で質問する", "取り下げる"],
            "{label}"
        );

        let follow_up = &answer.buttons[1];
        let asked = bot
            .handle_button(
                &tanaka,
                &ButtonAction::parse(&follow_up.action),
                &follow_up.value,
            )
            .await;
        assert!(
            asked[0].text.contains("追加で質問したいこと"),
            "{label}: {}",
            asked[0].text
        );
        assert_eq!(
            statuses(store).await,
            [Status::Answered],
            "{label}: not before the question"
        );
        clock.advance(chrono::Duration::minutes(5));
        bot.handle_text(&tanaka, "更新後もエラー809が出ます").await;
        let sent = deliver(store).await;
        let team = to_channel(&sent, "#banso-team");
        assert!(
            team[0].text.contains("追加の質問") && team[0].text.contains("エラー809"),
            "{label}: {}",
            team[0].text
        );
        let reopened = statuses(store).await[0];
        assert!(
            matches!(reopened, Status::InProgress | Status::Received),
            "{label}: {reopened:?}"
        );

        clock.advance(chrono::Duration::minutes(20));
        bot.handle_text(
            &user("consultant"),
            "/consult answer 2406-001 ルータを再起動してください。",
        )
        .await;
        let second = to_user(&deliver(store).await, "tanaka")[0].clone();
        assert!(second.text.contains("ルータを再起動"), "{label}");
        let resolved = &second.buttons[0];
        bot.handle_button(
            &tanaka,
            &ButtonAction::parse(&resolved.action),
            &resolved.value,
        )
        .await;
        assert_eq!(statuses(store).await, [Status::Closed], "{label}");

        let shown = bot
            .handle_text(&user("consultant"), "/consult show 2406-001")
            .await;
        let text = &shown[0].text;
        let at = |needle: &str| {
            text.find(needle)
                .unwrap_or_else(|| panic!("{label}: no {needle} in {text}"))
        };
        assert!(
            at("証明書を更新") < at("エラー809") && at("エラー809") < at("ルータを再起動"),
            "{label}: {text}"
        );
        assert!(
            text.contains("追加の質問") && text.matches("回答").count() >= 2,
            "{label}: {text}"
        );
        test.cleanup().await;
    }
}

/// `/help` shows each person what they may use: staff neither `/work`,
/// `/kadai`, the exports nor changing meetings; the leader all of them.
#[tokio::test]
async fn help_shows_each_person_what_they_may_use() {
    let test = support::sqlite_store().await;
    let (bot, _clock) = bot_on(&test.store, JUNE);
    let staff = bot.handle_text(&user("tanaka"), "/help").await[0]
        .text
        .clone();
    for hidden in [
        "/work",
        "/kadai",
        "/banso export",
        "move、cancel",
        "/consult answer",
    ] {
        assert!(!staff.contains(hidden), "staff see {hidden}: {staff}");
    }
    assert!(staff.contains("/consult reopen"), "{staff}");
    let leader = bot.handle_text(&user("leader"), "/help").await[0]
        .text
        .clone();
    for shown in [
        "/work",
        "/kadai",
        "/banso export",
        "move、cancel",
        "/consult answer",
    ] {
        assert!(
            leader.contains(shown),
            "the leader misses {shown}: {leader}"
        );
    }
    let consultant = bot.handle_text(&user("consultant"), "/help").await[0]
        .text
        .clone();
    assert!(
        consultant.contains("/kadai") && !consultant.contains("/banso export"),
        "{consultant}"
    );
    test.cleanup().await;
}

/// A carry-over into a month already at its limit is held there —
/// 保留（上限超過） in that month, the project leader told, the team told
/// in its thread — rather than counted over the limit unseen; carried on
/// from there it counts in the month after, and an approval counts it
/// in the month it waits in. One past the contract's end is refused
/// with what to do instead; `/quota` shows only months of the contract.
#[tokio::test]
async fn a_carry_over_into_a_full_month_is_held_there_and_one_past_the_contract_refused() {
    for test in support::all_stores().await {
        let label = test.label;
        let store = &test.store;
        let (bot, clock) = bot_on(store, "2024-06-28T10:00:00+09:00");
        for n in 0..12 {
            consult(&bot, "tanaka", &format!("六月 {n}")).await;
        }
        clock.set(
            chrono::DateTime::parse_from_rfc3339("2024-07-01T10:00:00+09:00")
                .unwrap()
                .to_utc(),
        );
        for n in 0..10 {
            consult(&bot, "tanaka", &format!("七月 {n}")).await;
        }
        deliver(store).await;
        let held_reply = bot
            .handle_text(&user("coord"), "/consult carry-over 2406-011")
            .await;
        assert!(
            held_reply[0]
                .text
                .contains("令和6年7月分の保留（上限超過）")
                && held_reply[0].text.contains("上限（10件）"),
            "{label}: {}",
            held_reply[0].text
        );
        let labels: Vec<_> = held_reply[0]
            .buttons
            .iter()
            .map(|b| b.label.as_str())
            .collect();
        assert_eq!(
            labels,
            ["承認", "翌月に繰越", "却下"],
            "{label}: decide again"
        );
        let held = store
            .consultation_by_short_id("2406-011")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(held.status, Status::Held, "{label}");
        assert_eq!(
            held.held_month.map(|m| m.to_string()).as_deref(),
            Some("2024-07")
        );
        assert_eq!(held.quota_bucket, None, "{label}: not counted");
        let events = store.consultation_events(held.id).await.unwrap();
        assert!(
            events.iter().any(|event| event.kind == "held_over"
                && event.actor == "coord"
                && event.detail.as_deref() == Some("2024-07")),
            "{label}: in the history: {events:?}"
        );
        assert_eq!(
            store.quota_count("consultation", "2024-07").await.unwrap(),
            10
        );
        // A decision made from a reading before the hold (a second
        // coordinator's press of 承認, as June's exception) does not apply.
        let policy = banso::domain::quota::QuotaPolicy::new(10, vec![8, 10]).unwrap();
        let stale = banso::store::Change {
            consultation_id: held.id,
            from: Status::Held,
            to: Status::Received,
            action: banso::domain::consultation::Action::ApproveException,
            actor: "coord",
            at: banso::bot::clock::Clock::now(&clock).timestamp(),
            assignee: None,
            decline_reason: None,
            words: None,
            quota: banso::store::QuotaChange::Take {
                bucket: "2024-06".into(),
                policy: &policy,
                exception: true,
            },
            held_month: None,
            jobs: Vec::new(),
        };
        let applied = store
            .apply_change(&stale, |_, _, _| Vec::new())
            .await
            .unwrap();
        assert!(
            matches!(applied, banso::store::Applied::Conflict { .. }),
            "{label}: {applied:?}"
        );
        assert_eq!(
            store.quota_count("consultation", "2024-06").await.unwrap(),
            10
        );
        let delivered = deliver(store).await;
        let to_leader: Vec<_> = to_user(&delivered, "leader")
            .iter()
            .map(|message| message.text.clone())
            .collect();
        assert!(
            to_leader
                .iter()
                .any(|text| text.contains("2406-011")
                    && text.contains("令和6年7月分の保留（上限超過）")),
            "{label}: {to_leader:?}"
        );
        assert!(
            to_channel(&delivered, "#banso-team")
                .iter()
                .any(|message| message.text.contains("令和6年7月分の保留")),
            "{label}: the team sees it"
        );
        let july = bot.handle_text(&user("leader"), "/quota 2024-07").await[0]
            .text
            .clone();
        assert!(
            july.contains("10件") && july.contains("保留"),
            "{label}: {july}"
        );
        assert!(
            !july.contains("11件"),
            "{label}: never over the limit: {july}"
        );

        // Carried on, it counts in August; the other, approved, counts in
        // June as an exception.
        bot.handle_text(&user("coord"), "/consult carry-over 2406-011")
            .await;
        let carried = store
            .consultation_by_short_id("2406-011")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(carried.status, Status::Received, "{label}");
        assert_eq!(carried.quota_bucket.as_deref(), Some("2024-08"), "{label}");
        assert_eq!(
            store.quota_count("consultation", "2024-07").await.unwrap(),
            10
        );
        bot.handle_text(&user("coord"), "/consult approve 2406-012")
            .await;
        let approved = store
            .consultation_by_short_id("2406-012")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(approved.quota_bucket.as_deref(), Some("2024-06"), "{label}");
        assert!(approved.exception, "{label}");

        // March 2025 is the contract's last month (the fiscal year).
        clock.set(
            chrono::DateTime::parse_from_rfc3339("2025-03-10T10:00:00+09:00")
                .unwrap()
                .to_utc(),
        );
        for n in 0..11 {
            consult(&bot, "tanaka", &format!("三月 {n}")).await;
        }
        let refused = bot
            .handle_text(&user("coord"), "/consult carry-over 2503-011")
            .await;
        assert!(
            refused[0].text.contains("契約期間は") && refused[0].text.contains("却下"),
            "{label}: {}",
            refused[0].text
        );
        assert_eq!(
            store.quota_count("consultation", "2025-04").await.unwrap(),
            0,
            "{label}"
        );

        // April 2024 is the contract's first month: /quota in May shows
        // April and May only.
        clock.set(
            chrono::DateTime::parse_from_rfc3339("2024-05-10T10:00:00+09:00")
                .unwrap()
                .to_utc(),
        );
        let quota = bot.handle_text(&user("leader"), "/quota").await[0]
            .text
            .clone();
        assert!(
            quota.contains("2024-04 ") && quota.contains("2024-05 "),
            "{label}: {quota}"
        );
        assert!(
            !quota.contains("2024-03 ") && !quota.contains("2023-12 "),
            "{label}: {quota}"
        );
        test.cleanup().await;
    }
}

/// A staff member's first consultation goes out to the team as
/// 「所属未登録」; once they tell banso their department, the team notice is
/// edited in place to name it (an edit of that notice in the outbox,
/// queued with the department).
#[tokio::test]
async fn the_team_notice_names_the_department_once_it_is_known() {
    for test in support::all_stores().await {
        let label = test.label;
        let store = &test.store;
        let (bot, _clock) = bot_on(store, JUNE);
        consult(&bot, "sato", "USBメモリを紛失した").await;
        let first = deliver(store).await;
        assert!(
            to_channel(&first, "#banso-team")[0]
                .text
                .contains("所属未登録"),
            "{label}"
        );
        // Two more before the department is known: one being worked, one
        // withdrawn (ended: its notice is left as it is).
        consult(&bot, "sato", "メールの誤送信").await;
        consult(&bot, "sato", "取り下げる相談").await;
        bot.handle_text(&user("consultant"), "/consult assign 2406-002")
            .await;
        bot.handle_text(&user("sato"), "/consult withdraw 2406-003")
            .await;
        deliver(store).await;
        bot.handle_text(&user("sato"), "市民局 市民課").await;
        let pending = store.pending_messages(10).await.unwrap();
        let edits: Vec<&str> = pending
            .iter()
            .filter_map(|queued| queued.edits.as_deref())
            .collect();
        assert_eq!(
            edits,
            ["c1:created:team", "c2:created:team"],
            "{label}: {pending:?}"
        );
        let sent = deliver(store).await;
        let team = to_channel(&sent, "#banso-team");
        assert_eq!(team.len(), 2, "{label}");
        assert!(
            team[1].text.contains("市民局 市民課") && team[1].text.contains("対応中"),
            "{label}: the card of one being worked: {}",
            team[1].text
        );
        assert!(
            team[0].text.contains("市民局 市民課") && !team[0].text.contains("所属未登録"),
            "{label}: {}",
            team[0].text
        );
        assert_eq!(
            team[0].buttons.len(),
            4,
            "{label}: the notice's buttons kept"
        );
        test.cleanup().await;
    }
}
