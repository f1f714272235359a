//! The core's small, platform-neutral message model: who a message goes to,
//! its text and its buttons. Adapters render it (Block Kit for Slack, plain
//! lines for the console); nothing here knows either.

use std::fmt;

use serde::Serialize;

/// A chat user as the platform names them: a Slack id (`U…`) or, in the
/// console, a plain name such as `leader`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct UserId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserIdError {
    #[error("a user id cannot be empty")]
    Empty,
    #[error("a user id has no spaces and is at most 64 characters")]
    Malformed,
}

impl UserId {
    pub fn parse(raw: &str) -> Result<Self, UserIdError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(UserIdError::Empty);
        }
        if raw.chars().count() > 64
            || raw.chars().any(char::is_whitespace)
            || raw.starts_with(['#', ':', '/'])
        {
            return Err(UserIdError::Malformed);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Marks a user inside message text, so each adapter can show them its
/// own way: the console as the plain id or name, Slack as a `<@U…>`
/// mention (which Slack displays with the person's current name). The
/// delimiters are private-use characters no one types: the Slack adapter
/// removes every private-use character from what people send, so only
/// banso makes markers.
pub const MENTION_START: char = '\u{E000}';
pub const MENTION_END: char = '\u{E001}';
/// Marks a channel (`<#C…>` in Slack, `#name` elsewhere).
pub const CHANNEL_START: char = '\u{E002}';
pub const CHANNEL_END: char = '\u{E003}';
/// Marks a link with its URL and, if it has one, its label (`<url|label>`
/// in Slack, `label (url)` elsewhere).
pub const LINK_START: char = '\u{E004}';
pub const LINK_END: char = '\u{E005}';
/// Separates a channel's id from its name, a link's URL from its label.
pub const MARKER_FIELD: char = '\u{E006}';

/// Whether `c` is in the private-use area (U+E000–U+F8FF), where the
/// markers live.
pub fn is_private_use(c: char) -> bool {
    ('\u{E000}'..='\u{F8FF}').contains(&c)
}

/// `user` as a mention inside message text.
pub fn mention(user: &str) -> String {
    format!("{MENTION_START}{user}{MENTION_END}")
}

/// Channel `id` (with the name it had when written, if known) as a channel
/// mention inside message text.
pub fn channel_mention(id: &str, name: Option<&str>) -> String {
    match name.filter(|name| !name.is_empty()) {
        Some(name) => format!("{CHANNEL_START}{id}{MARKER_FIELD}{name}{CHANNEL_END}"),
        None => format!("{CHANNEL_START}{id}{CHANNEL_END}"),
    }
}

/// A link to `url`, shown as `label` where the adapter can.
pub fn link(url: &str, label: Option<&str>) -> String {
    match label.filter(|label| !label.is_empty()) {
        Some(label) => format!("{LINK_START}{url}{MARKER_FIELD}{label}{LINK_END}"),
        None => format!("{LINK_START}{url}{LINK_END}"),
    }
}

/// A piece of message text: plain text or one marked thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Mention(&'a str),
    Channel {
        id: &'a str,
        name: Option<&'a str>,
    },
    Link {
        url: &'a str,
        label: Option<&'a str>,
    },
}

/// The pieces of `text`, in order. A marker left incomplete (a text cut in
/// the middle of one) and any other private-use character are skipped, so
/// no renderer ever shows or sends them.
pub fn pieces(text: &str) -> Pieces<'_> {
    Pieces { rest: text }
}

/// The iterator [`pieces`] returns.
#[derive(Debug, Clone)]
pub struct Pieces<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = Piece<'a>;

    fn next(&mut self) -> Option<Piece<'a>> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let Some(at) = self.rest.find(is_private_use) else {
                let text = self.rest;
                self.rest = "";
                return Some(Piece::Text(text));
            };
            if at > 0 {
                let text = &self.rest[..at];
                self.rest = &self.rest[at..];
                return Some(Piece::Text(text));
            }
            let start = self.rest.chars().next().expect("not empty");
            let after = &self.rest[start.len_utf8()..];
            self.rest = after;
            if let Some((piece, used)) = marked(start, after) {
                self.rest = &after[used..];
                return Some(piece);
            }
        }
    }
}

/// The marked thing opened by `start` at the beginning of `after`, and the
/// bytes it takes up to and including its end; `None` if `start` opens
/// nothing or its end is missing.
fn marked(start: char, after: &str) -> Option<(Piece<'_>, usize)> {
    let end = match start {
        MENTION_START => MENTION_END,
        CHANNEL_START => CHANNEL_END,
        LINK_START => LINK_END,
        _ => return None,
    };
    let inner_end = after.find(|c: char| is_private_use(c) && c != MARKER_FIELD)?;
    if !after[inner_end..].starts_with(end) {
        return None;
    }
    let inner = &after[..inner_end];
    let used = inner_end + end.len_utf8();
    let (first, second) = match inner.split_once(MARKER_FIELD) {
        Some((first, second)) if !second.contains(MARKER_FIELD) => (first, Some(second)),
        Some(_) => return None,
        None => (inner, None),
    };
    let piece = match start {
        MENTION_START if second.is_none() => Piece::Mention(first),
        CHANNEL_START => Piece::Channel {
            id: first,
            name: second,
        },
        LINK_START => Piece::Link {
            url: first,
            label: second,
        },
        _ => return None,
    };
    Some((piece, used))
}
/// `text` with every mention rewritten by `render` and every other marker
/// in plain words: a channel as `#name` (or `#id`), a link as
/// [`plain_link`] says. What the console and the exported files show.
pub fn render_mentions(text: &str, render: impl Fn(&str) -> String) -> String {
    let mut rendered = String::with_capacity(text.len());
    for piece in pieces(text) {
        match piece {
            Piece::Text(text) => rendered.push_str(text),
            Piece::Mention(user) => rendered.push_str(&render(user)),
            Piece::Channel { id, name } => {
                rendered.push('#');
                rendered.push_str(name.unwrap_or(id));
            }
            Piece::Link { url, label } => rendered.push_str(&plain_link(url, label)),
        }
    }
    rendered
}

/// `text` in plain words: people as their ids or names, channels as
/// `#name`, links as `label (url)`.
pub fn plain_text(text: &str) -> String {
    render_mentions(text, str::to_owned)
}

/// A link in plain words: `label (url)`, or the URL alone when there is no
/// label or the label is the URL itself (with or without its scheme, as
/// Slack labels a pasted `example.jp` or a mail address).
pub fn plain_link(url: &str, label: Option<&str>) -> String {
    let without_scheme = ["https://", "http://", "mailto:"]
        .iter()
        .find_map(|scheme| url.strip_prefix(scheme))
        .unwrap_or(url);
    match label.map(str::trim).filter(|label| !label.is_empty()) {
        Some(label) if label != url && label != without_scheme => format!("{label} ({url})"),
        _ => url.to_owned(),
    }
}

/// The longest start of `text` of at most `limit` characters that does not
/// end inside a marker, so a shortened text never carries half a mention or
/// half a link.
pub fn prefix_keeping_markers(text: &str, limit: usize) -> &str {
    let mut inside = false;
    let mut cut_allowed_at = 0;
    for (count, (at, c)) in text.char_indices().enumerate() {
        if !inside {
            cut_allowed_at = at;
        }
        if count == limit {
            return &text[..cut_allowed_at];
        }
        match c {
            MENTION_START | CHANNEL_START | LINK_START => inside = true,
            MENTION_END | CHANNEL_END | LINK_END => inside = false,
            _ => {}
        }
    }
    text
}

/// Where a message goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Recipient {
    /// A direct message (or, in the console, the line shown to that user).
    User(UserId),
    /// A channel by its configured name or id (`#banso-team`, `C0123`).
    Channel(String),
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Recipient::User(user) => user.fmt(f),
            Recipient::Channel(channel) => f.write_str(channel),
        }
    }
}

impl Serialize for Recipient {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A button on a message; `action` and `value` come back when it is pressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Button {
    pub label: String,
    pub action: String,
    pub value: String,
}

/// One message the core wants delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outgoing {
    pub to: Recipient,
    pub text: String,
    pub buttons: Vec<Button>,
}

impl Outgoing {
    pub fn to_user(user: &UserId, text: String) -> Self {
        Self {
            to: Recipient::User(user.clone()),
            text,
            buttons: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_are_validated_where_they_enter() {
        assert_eq!(UserId::parse(" leader ").unwrap().as_str(), "leader");
        assert_eq!(UserId::parse("U012ABCDEF").unwrap().as_str(), "U012ABCDEF");
        assert_eq!(UserId::parse(""), Err(UserIdError::Empty));
        assert_eq!(UserId::parse("two words"), Err(UserIdError::Malformed));
        assert_eq!(UserId::parse("#banso"), Err(UserIdError::Malformed));
        assert_eq!(UserId::parse(&"x".repeat(65)), Err(UserIdError::Malformed));
    }

    #[test]
    fn mentions_render_per_adapter() {
        let text = format!(
            "担当: {}、依頼者: {}",
            mention("U0CONSULT"),
            mention("tanaka")
        );
        assert_eq!(
            render_mentions(&text, str::to_owned),
            "担当: U0CONSULT、依頼者: tanaka"
        );
        assert_eq!(
            render_mentions(&text, |id| format!("<@{id}>")),
            "担当: <@U0CONSULT>、依頼者: <@tanaka>"
        );
        assert_eq!(render_mentions("no mentions", str::to_owned), "no mentions");
        assert_eq!(
            render_mentions("broken \u{E000}U1", str::to_owned),
            "broken U1"
        );
    }

    #[test]
    fn channels_and_links_read_as_plain_words() {
        let text = format!(
            "{} と {} と {} と {}",
            channel_mention("C0TEAM", Some("banso-team")),
            channel_mention("C0OTHER", None),
            link("https://example.jp/a?b=1&c=2", Some("手順書")),
            link("https://example.jp/", None),
        );
        assert_eq!(
            plain_text(&text),
            "#banso-team と #C0OTHER と 手順書 (https://example.jp/a?b=1&c=2) と https://example.jp/"
        );
        for (url, label, plain) in [
            (
                "mailto:a@example.jp",
                Some("a@example.jp"),
                "mailto:a@example.jp",
            ),
            ("http://example.jp", Some("example.jp"), "http://example.jp"),
            (
                "https://example.jp",
                Some("https://example.jp"),
                "https://example.jp",
            ),
            ("https://example.jp", Some(" "), "https://example.jp"),
            (
                "https://example.jp",
                Some("ここ"),
                "ここ (https://example.jp)",
            ),
        ] {
            assert_eq!(plain_link(url, label), plain, "{url} {label:?}");
        }
    }

    #[test]
    fn the_pieces_of_a_text_skip_broken_markers_and_stray_private_use_characters() {
        let text = format!(
            "a{}b\u{E001}c\u{F8FF}d{}",
            mention("U1"),
            link("https://x.jp", Some("x"))
        );
        assert_eq!(
            pieces(&text).collect::<Vec<_>>(),
            vec![
                Piece::Text("a"),
                Piece::Mention("U1"),
                Piece::Text("b"),
                Piece::Text("c"),
                Piece::Text("d"),
                Piece::Link {
                    url: "https://x.jp",
                    label: Some("x")
                },
            ]
        );
        // A marker whose end is another marker's is no marker.
        let crossed = "\u{E000}U1\u{E005}rest";
        assert_eq!(plain_text(crossed), "U1rest");
        let two_labels = "\u{E004}https://x.jp\u{E006}a\u{E006}b\u{E005}";
        assert_eq!(plain_text(two_labels), "https://x.jpab");
    }

    #[test]
    fn a_shortened_text_never_ends_inside_a_marker() {
        let text = format!("件名{}の件", mention("U0TANAKA"));
        assert_eq!(prefix_keeping_markers(&text, 2), "件名");
        assert_eq!(prefix_keeping_markers(&text, 5), "件名");
        let with_mention = format!("件名{}", mention("U0TANAKA"));
        assert_eq!(prefix_keeping_markers(&text, 12), with_mention);
        assert_eq!(
            prefix_keeping_markers(&text, 13),
            format!("{with_mention}の")
        );
        assert_eq!(prefix_keeping_markers(&text, 100), text);
        assert_eq!(prefix_keeping_markers("あいう", 0), "");
    }

    #[test]
    fn recipients_serialise_as_the_names_people_read() {
        let user = Recipient::User(UserId::parse("leader").unwrap());
        let channel = Recipient::Channel("#banso-team".into());
        assert_eq!(serde_json::to_string(&user).unwrap(), "\"leader\"");
        assert_eq!(serde_json::to_string(&channel).unwrap(), "\"#banso-team\"");
    }
}
