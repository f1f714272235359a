//! The core's messages as Block Kit: the text escaped once as mrkdwn
//! (`mrkdwn::escape`) in section blocks, the buttons as actions blocks,
//! within Slack's limits — 3,000 characters a section, 50 blocks a message,
//! 40,000 characters of `text` fallback, 25 elements an actions block, 75
//! characters a button label, 2,000 a button value, 255 an action id, each
//! action id unique within its message. A text too long for one message
//! continues in further posts ([`posts`]); nothing is cut silently.
//! The blocks are slack-morphism's types; it checks none of these limits,
//! so they are kept here.

use slack_morphism::prelude::*;

use super::mrkdwn;
use crate::message::{Button, Outgoing, plain_text};

/// Slack's limits (Block Kit reference). Lengths are counted in UTF-16
/// units, as Slack's JavaScript counts them: never fewer than characters.
pub const SECTION_CHARS: usize = 3_000;
pub const MESSAGE_BLOCKS: usize = 50;
pub const FALLBACK_CHARS: usize = 40_000;
pub const BUTTON_VALUE_CHARS: usize = 2_000;
pub const ACTION_ID_CHARS: usize = 255;
const BUTTONS_PER_BLOCK: usize = 25;
const LABEL_CHARS: usize = 75;

/// One Slack message as banso posts it: its blocks and its `text`
/// fallback (what notifications and screen readers show).
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    pub text: String,
    pub blocks: Vec<SlackBlock>,
}

/// A message as one post or, when its text needs more than one message's
/// 50 blocks, the first post (with the buttons) and its continuation, in
/// order; the sender posts the continuation under the first post.
pub fn posts(message: &Outgoing) -> Vec<Post> {
    let sections = sections(&mrkdwn::escape(&message.text));
    let actions = action_blocks(&message.buttons);
    let first_sections = MESSAGE_BLOCKS.saturating_sub(actions.len()).max(1);
    let (first, rest) = sections.split_at(sections.len().min(first_sections));
    let mut posts = vec![post(first, actions)];
    posts.extend(
        rest.chunks(MESSAGE_BLOCKS)
            .map(|chunk| post(chunk, Vec::new())),
    );
    posts
}

/// The `blocks` of a message that must be one surface (a card updated in
/// place, the App Home tab): the first post's. In the rare case of a text
/// longer than 50 blocks, it ends with `…`, and the cut is logged.
pub fn blocks(message: &Outgoing) -> Vec<SlackBlock> {
    let posts = posts(message);
    let cut = posts.len() > 1;
    let first = posts.into_iter().next().expect("at least one post");
    if cut {
        tracing::warn!(to = %message.to, "a message too long for one surface was shortened");
        return with_ellipsis(first.blocks);
    }
    first.blocks
}

/// The `text` fallback of a message: its text escaped, with people as
/// `<@U…>`, within 40,000 characters.
pub fn fallback_text(message: &Outgoing) -> String {
    within(&mrkdwn::escape(&message.text), FALLBACK_CHARS)
}

/// A message's content as Slack takes it (chat.postMessage, chat.update,
/// a `response_url`): the `text` fallback and the blocks.
pub fn content(text: String, blocks: Vec<SlackBlock>) -> SlackMessageContent {
    SlackMessageContent::new()
        .with_text(text)
        .with_blocks(blocks)
}

/// The direct replies to a slash command as one ephemeral answer: every
/// reply's blocks in order within one message's 50 blocks, and their texts
/// as the fallback.
pub fn ephemeral(replies: &[Outgoing]) -> SlackCommandEventResponse {
    let text = replies
        .iter()
        .map(|reply| mrkdwn::escape(&reply.text))
        .collect::<Vec<_>>()
        .join("\n\n");
    let mut all_blocks: Vec<SlackBlock> = replies.iter().flat_map(blocks).collect();
    if all_blocks.len() > MESSAGE_BLOCKS {
        tracing::warn!("an answer too long for one message was shortened");
        all_blocks.truncate(MESSAGE_BLOCKS);
        all_blocks = with_ellipsis(all_blocks);
    }
    ephemeral_answer(within(&text, FALLBACK_CHARS), all_blocks)
}

/// A sentence of banso's own as an ephemeral answer, with no one to
/// address it to (the request it answers could not be read).
pub fn notice(text: &str) -> SlackCommandEventResponse {
    let text = mrkdwn::escape(text);
    let blocks = sections(&text)
        .iter()
        .map(|text| section_block(text))
        .collect();
    ephemeral_answer(within(&text, FALLBACK_CHARS), blocks)
}

fn ephemeral_answer(text: String, blocks: Vec<SlackBlock>) -> SlackCommandEventResponse {
    SlackCommandEventResponse::new(content(text, blocks))
        .with_response_type(SlackMessageResponseType::Ephemeral)
}

/// Action ids must be unique within a message, and several buttons share
/// one action (one 提出済 per deliverable), so each gets `#n`; this undoes
/// it when the press comes back.
pub fn action_of(action_id: &str) -> &str {
    action_id
        .rsplit_once('#')
        .map_or(action_id, |(action, _)| action)
}

fn post(sections: &[String], actions: Vec<SlackBlock>) -> Post {
    let text = within(&sections.join("\n"), FALLBACK_CHARS);
    let mut blocks: Vec<SlackBlock> = sections.iter().map(|text| section_block(text)).collect();
    blocks.extend(actions);
    Post { text, blocks }
}

/// `verbatim`: Slack shows the text as banso wrote it, without turning
/// words such as `@here` (what banso makes of a `<!here>` someone typed)
/// back into mentions; links and mentions are written out as markup.
fn section_block(text: &str) -> SlackBlock {
    let text = SlackBlockMarkDownText::new(text.to_owned()).with_verbatim(true);
    SlackSectionBlock::new()
        .with_text(SlackBlockText::MarkDown(text))
        .into()
}

/// The last section (or, if there is none, a new one before the buttons)
/// ends with `…`, to show that the text goes on.
fn with_ellipsis(mut blocks: Vec<SlackBlock>) -> Vec<SlackBlock> {
    let last_text = blocks.iter_mut().rev().find_map(|block| match block {
        SlackBlock::Section(SlackSectionBlock {
            text: Some(SlackBlockText::MarkDown(text)),
            ..
        }) => Some(text),
        _ => None,
    });
    match last_text {
        Some(text) => {
            text.text = format!("{}…", cut_within(&text.text, SECTION_CHARS - 1));
        }
        None => blocks.insert(0, section_block("…")),
    }
    blocks
}

fn action_blocks(buttons: &[Button]) -> Vec<SlackBlock> {
    let mut blocks: Vec<SlackBlock> = buttons
        .chunks(BUTTONS_PER_BLOCK)
        .enumerate()
        .map(|(chunk_index, chunk)| {
            let elements: Vec<SlackActionBlockElement> = chunk
                .iter()
                .enumerate()
                .map(|(index, button)| {
                    button_element(button, chunk_index * BUTTONS_PER_BLOCK + index).into()
                })
                .collect();
            SlackActionsBlock::new(elements).into()
        })
        .collect();
    // Leaves room for at least one section of text.
    blocks.truncate(MESSAGE_BLOCKS - 1);
    blocks
}

/// A button: its label in plain words (a `plain_text` object is shown as
/// given, so it is not escaped); its action id made unique by `#index`.
fn button_element(button: &Button, index: usize) -> SlackBlockButtonElement {
    let suffix = format!("#{index}");
    let action = truncate_chars(&button.action, ACTION_ID_CHARS - suffix.len());
    if units(&button.value) > BUTTON_VALUE_CHARS {
        // The core's values are short codes; one this long is a bug, and
        // Slack would refuse the whole message for it.
        tracing::error!(action = %button.action, "a button value over Slack's limit was cut");
    }
    let label =
        SlackBlockPlainText::new(truncate_label(&plain_text(&button.label))).with_emoji(true);
    SlackBlockButtonElement::new(label.into())
        .with_action_id(SlackActionId(format!("{action}{suffix}")))
        .with_value(truncate_chars(&button.value, BUTTON_VALUE_CHARS))
}

/// Splits escaped mrkdwn into sections of at most 3,000 units: at line
/// ends where it can, else at a space or a Japanese comma or full stop,
/// else anywhere — but never inside an entity (`&amp;`) or a piece of
/// markup (`<@U…>`, `<url|label>`), unless one alone is longer than a
/// section.
fn sections(text: &str) -> Vec<String> {
    let mut sections = Vec::new();
    let mut current = String::new();
    let mut current_units = 0;
    for line in text.split('\n') {
        let line_units = units(line);
        let needed = if current.is_empty() {
            line_units
        } else {
            current_units + 1 + line_units
        };
        if needed <= SECTION_CHARS {
            if !current.is_empty() {
                current.push('\n');
            }
            current.push_str(line);
            current_units = needed;
            continue;
        }
        if !current.is_empty() {
            sections.push(std::mem::take(&mut current));
        }
        let mut rest = line;
        while units(rest) > SECTION_CHARS {
            let cut = cut_point(rest, SECTION_CHARS);
            sections.push(rest[..cut].to_owned());
            rest = &rest[cut..];
        }
        current = rest.to_owned();
        current_units = units(rest);
    }
    sections.push(current);
    sections
        .into_iter()
        .map(|section| section.trim_end_matches('\n').to_owned())
        .filter(|section| !section.trim().is_empty())
        .collect()
}

/// Where to cut `text` so that the part before has at most `limit` units:
/// after the last space (or 、 or 。) in the second half of that part, else
/// as late as possible; never inside an entity or markup if avoidable;
/// always after at least one character.
fn cut_point(text: &str, limit: usize) -> usize {
    let mut used = 0;
    let mut in_entity = false;
    let mut in_markup = false;
    let mut latest = 0;
    let mut latest_break = None;
    let mut latest_any = 0;
    for (at, c) in text.char_indices() {
        used += c.len_utf16();
        if used > limit {
            break;
        }
        match c {
            '&' => in_entity = true,
            ';' => in_entity = false,
            '<' => in_markup = true,
            '>' => in_markup = false,
            _ => {}
        }
        let end = at + c.len_utf8();
        latest_any = end;
        if !in_entity && !in_markup {
            latest = end;
            if matches!(c, ' ' | '　' | '、' | '。') && used * 2 >= limit {
                latest_break = Some(end);
            }
        }
    }
    match (latest_break, latest) {
        (Some(at), _) => at,
        (None, 0) => latest_any.max(text.chars().next().map_or(0, char::len_utf8)),
        (None, at) => at,
    }
}

/// `text` if it is at most `limit` units long; else its start, cut where
/// [`cut_point`] says, and `…`.
fn within(text: &str, limit: usize) -> String {
    if units(text) <= limit {
        return text.to_owned();
    }
    format!("{}…", cut_within(text, limit - 1))
}

fn cut_within(text: &str, limit: usize) -> &str {
    if units(text) <= limit {
        return text;
    }
    &text[..cut_point(text, limit)]
}

fn units(text: &str) -> usize {
    text.encode_utf16().count()
}

fn truncate_chars(text: &str, limit: usize) -> String {
    let mut used = 0;
    text.chars()
        .take_while(|c| {
            used += c.len_utf16();
            used <= limit
        })
        .collect()
}

fn truncate_label(label: &str) -> String {
    if units(label) <= LABEL_CHARS {
        return label.to_owned();
    }
    format!("{}…", truncate_chars(label, LABEL_CHARS - 1))
}

#[cfg(test)]
mod tests;
