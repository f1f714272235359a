//! Block Kit rendering checked against Slack's limits.

use std::collections::HashSet;

use serde_json::Value;

use super::{
    ACTION_ID_CHARS, BUTTON_VALUE_CHARS, BUTTONS_PER_BLOCK, FALLBACK_CHARS, LABEL_CHARS,
    MESSAGE_BLOCKS, SECTION_CHARS, action_of, fallback_text, mrkdwn, sections, units,
};
use crate::message::{Button, Outgoing, Recipient, link, mention};

/// What Slack receives, as JSON: the assertions read it as Slack would.
#[derive(Debug)]
struct Post {
    text: String,
    blocks: Value,
}

fn json(value: impl serde::Serialize) -> Value {
    serde_json::to_value(value).expect("Block Kit serialises")
}

fn posts(message: &Outgoing) -> Vec<Post> {
    super::posts(message)
        .into_iter()
        .map(|post| Post {
            text: post.text,
            blocks: json(post.blocks),
        })
        .collect()
}

fn blocks(message: &Outgoing) -> Value {
    json(super::blocks(message))
}

fn ephemeral(replies: &[Outgoing]) -> Value {
    json(super::ephemeral(replies))
}

fn message(text: &str, buttons: usize) -> Outgoing {
    Outgoing {
        to: Recipient::Channel("#banso".into()),
        text: text.to_owned(),
        buttons: (0..buttons)
            .map(|n| Button {
                label: format!("提出済: 資料{n}"),
                action: "deliverable:submit".into(),
                value: format!("regular:2024-06|資料{n}"),
            })
            .collect(),
    }
}

/// Every limit Slack sets on a message, checked on what banso renders.
fn assert_within_slack_limits(post: &Post) {
    let blocks = post.blocks.as_array().expect("blocks are an array");
    assert!(blocks.len() <= MESSAGE_BLOCKS, "{} blocks", blocks.len());
    assert!(units(&post.text) <= FALLBACK_CHARS);
    assert!(!post.text.contains(crate::message::is_private_use));
    let mut action_ids = HashSet::new();
    for block in blocks {
        match block["type"].as_str() {
            Some("section") => {
                let text = block["text"]["text"].as_str().unwrap();
                assert!(!text.is_empty());
                assert!(units(text) <= SECTION_CHARS, "{} units", units(text));
                assert!(!text.contains(crate::message::is_private_use));
            }
            Some("actions") => {
                let elements = block["elements"].as_array().unwrap();
                assert!(elements.len() <= BUTTONS_PER_BLOCK);
                for element in elements {
                    let id = element["action_id"].as_str().unwrap();
                    assert!(id.len() <= ACTION_ID_CHARS);
                    assert!(action_ids.insert(id.to_owned()), "{id} twice");
                    assert!(units(element["value"].as_str().unwrap()) <= BUTTON_VALUE_CHARS);
                    assert!(units(element["text"]["text"].as_str().unwrap()) <= LABEL_CHARS);
                }
            }
            other => panic!("unexpected block {other:?}"),
        }
    }
}

fn section_texts(post: &Post) -> Vec<String> {
    post.blocks
        .as_array()
        .unwrap()
        .iter()
        .filter(|block| block["type"] == "section")
        .map(|block| block["text"]["text"].as_str().unwrap().to_owned())
        .collect()
}

fn without_line_breaks(text: &str) -> String {
    text.chars().filter(|c| *c != '\n').collect()
}

#[test]
fn text_and_buttons_become_a_section_and_an_actions_block() {
    let rendered = blocks(&message("【本日提出期限】定例報告会\n☐ 会議次第", 2));
    assert_eq!(rendered[0]["type"], "section");
    assert_eq!(
        rendered[0]["text"]["text"],
        "【本日提出期限】定例報告会\n☐ 会議次第"
    );
    assert_eq!(rendered[0]["text"]["verbatim"], true);
    assert_eq!(rendered[1]["type"], "actions");
    assert_eq!(
        rendered[1]["elements"][1]["action_id"],
        "deliverable:submit#1"
    );
    assert_eq!(rendered[1]["elements"][1]["value"], "regular:2024-06|資料1");
    assert_eq!(action_of("deliverable:submit#1"), "deliverable:submit");
    assert_eq!(action_of("consultation:assign"), "consultation:assign");
}

#[test]
fn people_become_slack_mentions_in_the_blocks_and_the_fallback() {
    let text = format!(
        "依頼者: {}\n件名: A&B <重要> {}",
        mention("U0TANAKA"),
        link("https://example.jp/?a=1&b=2", Some("手順書"))
    );
    let rendered = blocks(&message(&text, 0));
    let slack =
        "依頼者: <@U0TANAKA>\n件名: A&amp;B &lt;重要&gt; <https://example.jp/?a=1&amp;b=2|手順書>";
    assert_eq!(rendered[0]["text"]["text"], slack);
    assert_eq!(fallback_text(&message(&text, 0)), slack);
    assert_eq!(posts(&message(&text, 0))[0].text, slack);
}

#[test]
fn a_long_escaped_consultation_is_split_whole_into_sections() {
    // 2,990 characters, 897 of them `&`, `<`, `>`: escaped, 5,980.
    let text: String = "A&B<C>あいうえ".repeat(299);
    assert_eq!(text.chars().count(), 2_990);
    let posts = posts(&message(&text, 3));
    assert_eq!(posts.len(), 1);
    assert_within_slack_limits(&posts[0]);
    let sections = section_texts(&posts[0]);
    assert_eq!(units(&mrkdwn::escape(&text)), 5_980);
    assert_eq!(sections.len(), 2);
    assert_eq!(sections.concat(), mrkdwn::escape(&text), "nothing is cut");
    for section in &sections {
        // Never inside an entity: each section decodes on its own.
        assert_eq!(mrkdwn::escape(&mrkdwn::decode(section)), *section);
    }
}

#[test]
fn markup_is_never_split_between_sections() {
    let piece = format!("{} ", link("https://example.jp/a?b=1&c=2", Some("手順書")));
    let text = piece.repeat(200);
    let posts = posts(&message(&text, 0));
    for section in section_texts(&posts[0]) {
        assert_eq!(section.matches('<').count(), section.matches('>').count());
        assert!(section.trim_end().ends_with('>'), "{section}");
    }
}

#[test]
fn a_text_past_fifty_blocks_continues_in_further_posts() {
    let line = "長".repeat(2_000);
    let text = vec![line.as_str(); 120].join("\n");
    let posts = posts(&message(&text, 30));
    assert_eq!(posts.len(), 3, "48 sections and the buttons, 50, then 22");
    for post in &posts {
        assert_within_slack_limits(post);
    }
    let first = posts[0].blocks.as_array().unwrap();
    assert_eq!(first.len(), MESSAGE_BLOCKS);
    assert_eq!(first[48]["type"], "actions");
    assert_eq!(
        first[49]["elements"][0]["action_id"],
        "deliverable:submit#25"
    );
    assert!(posts[1..].iter().all(|post| {
        post.blocks
            .as_array()
            .unwrap()
            .iter()
            .all(|block| block["type"] == "section")
    }));
    let delivered: String = posts
        .iter()
        .flat_map(section_texts)
        .collect::<Vec<_>>()
        .concat();
    assert_eq!(
        delivered,
        without_line_breaks(&text),
        "every character reaches Slack"
    );
    assert!(units(&posts[0].text) <= FALLBACK_CHARS);
    assert!(posts[0].text.ends_with('…'));
}

#[test]
fn a_single_surface_too_long_says_it_goes_on() {
    let line = "長".repeat(2_000);
    let text = vec![line.as_str(); 60].join("\n");
    let rendered = blocks(&message(&text, 0));
    let rendered = rendered.as_array().unwrap();
    assert_eq!(rendered.len(), MESSAGE_BLOCKS);
    let last = rendered[49]["text"]["text"].as_str().unwrap();
    assert!(last.ends_with('…'));
    assert!(units(last) <= SECTION_CHARS);
}

#[test]
fn buttons_keep_to_their_limits() {
    let mut too_long = message("x", 0);
    too_long.buttons = vec![Button {
        label: format!("{}{}", "長".repeat(100), mention("U1")),
        action: "a".repeat(300),
        value: "v".repeat(2_500),
    }];
    let posts = posts(&too_long);
    assert_within_slack_limits(&posts[0]);
    let button = &posts[0].blocks[1]["elements"][0];
    assert_eq!(
        button["text"]["text"].as_str().unwrap().chars().count(),
        LABEL_CHARS
    );
    assert!(button["action_id"].as_str().unwrap().ends_with("#0"));
    let labelled = Button {
        label: format!("担当: {}", mention("U1")),
        ..too_long.buttons[0].clone()
    };
    let rendered = blocks(&Outgoing {
        buttons: vec![labelled],
        ..message("x", 0)
    });
    assert_eq!(rendered[1]["elements"][0]["text"]["text"], "担当: U1");
    let many = self::posts(&message("x", 30));
    assert_within_slack_limits(&many[0]);
}

#[test]
fn an_ephemeral_answer_holds_every_reply_within_one_message() {
    let replies = vec![
        message(&format!("{} さんへ: <!here>", mention("U0TANAKA")), 0),
        message("二つ目", 1),
    ];
    let answer = ephemeral(&replies);
    assert_eq!(answer["response_type"], "ephemeral");
    assert_eq!(
        answer["text"],
        "<@U0TANAKA> さんへ: &lt;!here&gt;\n\n二つ目"
    );
    let blocks = answer["blocks"].as_array().unwrap();
    assert_eq!(blocks.len(), 3);
    assert_eq!(
        blocks[0]["text"]["text"],
        "<@U0TANAKA> さんへ: &lt;!here&gt;"
    );
    let line = "長".repeat(2_900);
    let long: Vec<Outgoing> = (0..60).map(|_| message(&line, 0)).collect();
    let answer = ephemeral(&long);
    let post = Post {
        text: answer["text"].as_str().unwrap().to_owned(),
        blocks: answer["blocks"].clone(),
    };
    assert_within_slack_limits(&post);
    assert!(post.text.ends_with('…'));
}

#[test]
fn sections_are_cut_at_line_ends_then_spaces() {
    let text = format!("{}\n{}", "あ".repeat(2_000), "い".repeat(2_000));
    assert_eq!(
        sections(&text),
        vec!["あ".repeat(2_000), "い".repeat(2_000)]
    );
    let words = "word ".repeat(1_000);
    let split = sections(&words);
    assert_eq!(split.len(), 2);
    assert!(split[0].ends_with(' '));
    assert_eq!(split.concat(), words);
    // Emoji count two units each, as Slack counts them.
    let emoji = "😀".repeat(2_000);
    let split = sections(&emoji);
    assert_eq!(split.len(), 2);
    assert_eq!(split[0].chars().count(), 1_500);
    assert!(sections("\n\n").is_empty());
}
