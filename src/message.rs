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
/// delimiters are private-use characters no one types.
pub const MENTION_START: char = '\u{E000}';
pub const MENTION_END: char = '\u{E001}';

/// `user` as a mention inside message text.
pub fn mention(user: &str) -> String {
    format!("{MENTION_START}{user}{MENTION_END}")
}

/// Rewrites every mention in `text` with `render`.
pub fn render_mentions(text: &str, render: impl Fn(&str) -> String) -> String {
    let mut rendered = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(MENTION_START) {
        rendered.push_str(&rest[..start]);
        let after = &rest[start + MENTION_START.len_utf8()..];
        match after.find(MENTION_END) {
            Some(end) => {
                rendered.push_str(&render(&after[..end]));
                rest = &after[end + MENTION_END.len_utf8()..];
            }
            None => {
                rest = after;
            }
        }
    }
    rendered.push_str(rest);
    rendered
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
    fn recipients_serialise_as_the_names_people_read() {
        let user = Recipient::User(UserId::parse("leader").unwrap());
        let channel = Recipient::Channel("#banso-team".into());
        assert_eq!(serde_json::to_string(&user).unwrap(), "\"leader\"");
        assert_eq!(serde_json::to_string(&channel).unwrap(), "\"#banso-team\"");
    }
}
