//! The bot core's side of what people type: a capped list says it is
//! capped, and a title taken from the first line never holds half a link.

mod support;

use banso::message::{Piece, link, pieces, plain_text};
use support::{bot_on, say, user};

#[tokio::test]
async fn a_list_capped_at_fifty_says_how_many_there_are() {
    for test in support::all_stores().await {
        let (bot, _clock) = bot_on(&test.store, "2024-06-10T10:00:00+09:00");
        bot.handle_text(&user("tanaka"), "/dept 総務課").await;
        for n in 0..79 {
            bot.handle_text(&user("tanaka"), &format!("/consult 相談{n}"))
                .await;
        }
        let all = say(&bot, "leader", "/consult list all").await;
        assert!(
            all.starts_with("すべての相談（最新50件／全79件）"),
            "{}: {all}",
            test.label
        );
        assert_eq!(all.matches("・*").count(), 50);
        // The heading is a line of its own; each consultation one more.
        assert_eq!(
            all.lines().next(),
            Some("すべての相談（最新50件／全79件）"),
            "{all}"
        );
        assert!(
            all.lines()
                .skip(1)
                .take(50)
                .all(|line| line.starts_with("・*")),
            "{all}"
        );
        let mine = say(&bot, "tanaka", "/consult list mine").await;
        assert!(
            mine.starts_with("あなたの相談（最新50件／全79件）"),
            "{mine}"
        );
        let nobody = say(&bot, "suzuki", "/consult list mine").await;
        assert!(nobody.starts_with("あなたの相談（0件）"), "{nobody}");
        test.cleanup().await;
    }
}

#[tokio::test]
async fn a_title_from_the_first_line_keeps_links_whole() {
    let test = support::sqlite_store().await;
    let (bot, _clock) = bot_on(&test.store, "2024-06-10T10:00:00+09:00");
    bot.handle_text(&user("tanaka"), "/dept 総務課").await;
    let text = format!(
        "VPN装置の設定 {} について",
        link(
            "https://example.jp/very/long/path/to/the/manual",
            Some("手順書")
        )
    );
    bot.handle_text(&user("tanaka"), &format!("/consult {text}"))
        .await;
    let consultation = test
        .store
        .consultation_by_short_id("2406-001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(consultation.title, "VPN装置の設定 …");
    assert!(pieces(&consultation.title).all(|piece| matches!(piece, Piece::Text(_))));
    assert_eq!(
        plain_text(&consultation.details),
        "VPN装置の設定 手順書 (https://example.jp/very/long/path/to/the/manual) について"
    );
    test.cleanup().await;
}
