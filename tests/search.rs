//! `/consult search` and the similar past consultations, end to end through
//! the bot core on SQLite and (when configured) PostgreSQL (issue 13):
//! Japanese without word boundaries, two-character words, answers found
//! with their consultation, staff seeing only their own.

mod support;

use banso::bot::Bot;
use banso::bot::consultations::search::index_round;
use support::{all_stores, bot_on, deliver, say, to_channel};

const JUNE: &str = "2024-06-10T10:00:00+09:00";

/// Records `/consult TEXT` for `who`, answering the department question.
async fn consult(bot: &Bot, who: &str, text: &str) {
    say(bot, who, &format!("/consult {text}")).await;
    say(bot, who, "情報政策課").await;
}

/// The receipt numbers a reply lists, in its order.
fn numbers(reply: &str) -> Vec<&str> {
    reply
        .lines()
        .filter_map(|line| line.strip_prefix("・*"))
        .filter_map(|line| line.split('*').next())
        .collect()
}

#[tokio::test]
async fn japanese_words_of_two_three_and_six_characters_are_found_best_first() {
    for test in all_stores().await {
        let (bot, _clock) = bot_on(&test.store, JUNE);
        consult(
            &bot,
            "tanaka",
            "端末の暗号化について\nノートPCの暗号化の手順を知りたい",
        )
        .await; // 001
        consult(&bot, "suzuki", "監査の準備\n内部監査の資料を確認したい").await; // 002
        consult(
            &bot,
            "tanaka",
            "USBメモリの持ち出し\n暗号化されたものなら良いか",
        )
        .await; // 003
        consult(
            &bot,
            "suzuki",
            "パスワード管理の方法\n監査、手順書を探している",
        )
        .await; // 004
        index_round(&bot).await.unwrap();

        // Two characters: 暗号 is in two titles and one body; the title
        // matches first, newest first, then the body.
        let found = say(&bot, "leader", "/consult search 暗号").await;
        assert_eq!(
            numbers(&found),
            ["2406-001", "2406-003"],
            "{}: {found}",
            test.label
        );
        let found = say(&bot, "leader", "/consult search 監査").await;
        assert_eq!(
            numbers(&found),
            ["2406-002", "2406-004"],
            "{}: {found}",
            test.label
        );
        // Three and six characters, and full-width Latin letters.
        let found = say(&bot, "leader", "/consult search 暗号化").await;
        assert_eq!(
            numbers(&found),
            ["2406-001", "2406-003"],
            "{}: {found}",
            test.label
        );
        let found = say(&bot, "leader", "/consult search 内部監査の資").await;
        assert_eq!(numbers(&found), ["2406-002"], "{}: {found}", test.label);
        let found = say(&bot, "leader", "/consult search ｕｓｂ").await;
        assert_eq!(numbers(&found), ["2406-003"], "{}: {found}", test.label);
        // Several words: each must be found, anywhere.
        let found = say(&bot, "leader", "/consult search 暗号 手順").await;
        assert_eq!(numbers(&found), ["2406-001"], "{}: {found}", test.label);
        // A phrase does not match across punctuation (監査、手順).
        let found = say(&bot, "leader", "/consult search 査手").await;
        assert!(numbers(&found).is_empty(), "{}: {found}", test.label);
        assert!(found.contains("見つかりませんでした"), "{found}");

        // Staff find only their own.
        let found = say(&bot, "tanaka", "/consult search 暗号").await;
        assert_eq!(
            numbers(&found),
            ["2406-001", "2406-003"],
            "{}: {found}",
            test.label
        );
        let found = say(&bot, "tanaka", "/consult search 監査").await;
        assert!(numbers(&found).is_empty(), "{}: {found}", test.label);
        assert!(found.contains("あなたの相談"), "{found}");

        // Too short a query says what to do.
        let refused = say(&bot, "leader", "/consult search 暗").await;
        assert!(refused.contains("2文字以上"), "{refused}");
        test.cleanup().await;
    }
}

#[tokio::test]
async fn an_answer_is_found_with_its_consultation_and_a_new_one_without_waiting() {
    for test in all_stores().await {
        let (bot, _clock) = bot_on(&test.store, JUNE);
        consult(&bot, "tanaka", "メールの誤送信\n宛先を間違えて送った").await;
        // Not yet indexed: the search indexes what is new before it looks.
        let found = say(&bot, "leader", "/consult search 誤送信").await;
        assert_eq!(numbers(&found), ["2406-001"], "{}: {found}", test.label);
        say(&bot, "consultant", "/consult assign 2406-001").await;
        say(
            &bot,
            "consultant",
            "/consult answer 2406-001 送信取消の手順と、相手先への削除依頼の文例をお送りします。",
        )
        .await;
        let found = say(&bot, "leader", "/consult search 削除依頼").await;
        assert_eq!(numbers(&found), ["2406-001"], "{}: {found}", test.label);
        test.cleanup().await;
    }
}

#[tokio::test]
async fn a_new_consultation_is_shown_to_the_team_with_similar_past_ones_once() {
    for test in all_stores().await {
        let (bot, _clock) = bot_on(&test.store, JUNE);
        consult(&bot, "tanaka", "VPN接続の設定について").await;
        consult(&bot, "suzuki", "庁舎の入館証の再発行").await;
        index_round(&bot).await.unwrap();
        deliver(&test.store).await;
        consult(&bot, "sato", "VPN接続の設定方法").await;
        index_round(&bot).await.unwrap();
        index_round(&bot).await.unwrap();
        let delivered = deliver(&test.store).await;
        let similar: Vec<_> = to_channel(&delivered, "#banso-team")
            .into_iter()
            .filter(|message| message.text.contains("似た過去の相談"))
            .collect();
        assert_eq!(similar.len(), 1, "{}: {delivered:#?}", test.label);
        assert!(
            similar[0].text.contains("*2406-003* に似た"),
            "{}",
            similar[0].text
        );
        assert!(similar[0].text.contains("2406-001"), "{}", similar[0].text);
        assert!(!similar[0].text.contains("2406-002"), "{}", similar[0].text);
        test.cleanup().await;
    }
}
