//! The core's messages as Block Kit: the text as mrkdwn sections, the
//! buttons as actions blocks. Slack's limits are kept here (3,000
//! characters a section, 25 elements an actions block, 75 characters a
//! button label, unique action ids within a message).

use serde_json::{Value, json};

use crate::message::{Button, Outgoing, render_mentions};

const SECTION_CHARS: usize = 3_000;
const BUTTONS_PER_BLOCK: usize = 25;
const LABEL_CHARS: usize = 75;
/// Notification text (the `text` beside `blocks`) is a summary line.
const FALLBACK_CHARS: usize = 150;

/// The `blocks` of a message.
pub fn blocks(message: &Outgoing) -> Value {
    let mut blocks: Vec<Value> = sections(&slack_text(&message.text))
        .into_iter()
        .map(|text| json!({ "type": "section", "text": { "type": "mrkdwn", "text": text } }))
        .collect();
    for (chunk_index, chunk) in message.buttons.chunks(BUTTONS_PER_BLOCK).enumerate() {
        let elements: Vec<Value> = chunk
            .iter()
            .enumerate()
            .map(|(index, button)| button_element(button, chunk_index * BUTTONS_PER_BLOCK + index))
            .collect();
        blocks.push(json!({ "type": "actions", "elements": elements }));
    }
    Value::Array(blocks)
}

/// The plain `text` Slack shows in notifications and to screen readers.
pub fn fallback_text(message: &Outgoing) -> String {
    let text = slack_text(&message.text);
    let first_line = text.lines().next().unwrap_or_default();
    truncate(first_line, FALLBACK_CHARS)
}

/// The core's text with its mentions as Slack mentions (`<@U…>`).
pub fn slack_text(text: &str) -> String {
    render_mentions(text, |user| format!("<@{user}>"))
}

/// Action ids must be unique within a message, and several buttons share
/// one action (one 提出済 per deliverable), so each gets `#n`; this undoes
/// it when the press comes back.
pub fn action_of(action_id: &str) -> &str {
    action_id
        .rsplit_once('#')
        .map_or(action_id, |(action, _)| action)
}

fn button_element(button: &Button, index: usize) -> Value {
    json!({
        "type": "button",
        "text": { "type": "plain_text", "text": truncate(&button.label, LABEL_CHARS), "emoji": true },
        "action_id": format!("{}#{index}", button.action),
        "value": button.value,
    })
}

/// Splits text at line ends into sections of at most 3,000 characters
/// (a single longer line is cut).
fn sections(text: &str) -> Vec<String> {
    let mut sections = vec![String::new()];
    for line in text.lines() {
        let current = sections.last_mut().expect("starts non-empty");
        let needed = current.chars().count() + line.chars().count() + 1;
        if !current.is_empty() && needed > SECTION_CHARS {
            sections.push(String::new());
        }
        let current = sections.last_mut().expect("starts non-empty");
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(&truncate(line, SECTION_CHARS));
    }
    sections.retain(|section| !section.is_empty());
    sections
}

fn truncate(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(limit - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Recipient;

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

    #[test]
    fn text_and_buttons_become_a_section_and_an_actions_block() {
        let rendered = blocks(&message("【本日提出期限】定例報告会\n☐ 会議次第", 2));
        assert_eq!(rendered[0]["type"], "section");
        assert_eq!(
            rendered[0]["text"]["text"],
            "【本日提出期限】定例報告会\n☐ 会議次第"
        );
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
    fn people_become_slack_mentions() {
        let text = format!("依頼者: {}", crate::message::mention("U0TANAKA"));
        let rendered = blocks(&message(&text, 0));
        assert_eq!(rendered[0]["text"]["text"], "依頼者: <@U0TANAKA>");
        assert_eq!(fallback_text(&message(&text, 0)), "依頼者: <@U0TANAKA>");
    }

    #[test]
    fn slack_limits_are_kept() {
        let long_text =
            "あ".repeat(2_000) + "\n" + &"い".repeat(2_000) + "\n" + &"う".repeat(5_000);
        let rendered = blocks(&message(&long_text, 30));
        let sections: Vec<_> = rendered
            .as_array()
            .unwrap()
            .iter()
            .filter(|block| block["type"] == "section")
            .collect();
        assert_eq!(sections.len(), 3);
        assert!(
            sections.iter().all(|section| section["text"]["text"]
                .as_str()
                .unwrap()
                .chars()
                .count()
                <= 3_000)
        );
        let actions: Vec<_> = rendered
            .as_array()
            .unwrap()
            .iter()
            .filter(|block| block["type"] == "actions")
            .collect();
        assert_eq!(actions.len(), 2);
        assert_eq!(actions[0]["elements"].as_array().unwrap().len(), 25);
        assert_eq!(
            actions[1]["elements"][0]["action_id"],
            "deliverable:submit#25"
        );
        let label = "長".repeat(100);
        let rendered = blocks(&Outgoing {
            buttons: vec![Button {
                label,
                action: "a".into(),
                value: "v".into(),
            }],
            ..message("x", 0)
        });
        assert_eq!(
            rendered[1]["elements"][0]["text"]["text"]
                .as_str()
                .unwrap()
                .chars()
                .count(),
            75
        );
        assert_eq!(fallback_text(&message("一行目\n二行目", 0)), "一行目");
    }
}
