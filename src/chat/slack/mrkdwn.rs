//! Slack's mrkdwn in and out, decoded once where Slack encodes and escaped
//! once where banso sends. Slack delivers `&`, `<` and `>` a person typed
//! as `&amp;`, `&lt;`, `&gt;`, and links and mentions as `<…>` markup
//! (`<https://…|label>`, `<@U…>`, `<#C…|name>`, `<!here>`); banso's own
//! text is plain, with people, channels and links as the markers of
//! `crate::message`, which only banso may make.

use std::borrow::Cow;

use crate::message::{self, Piece, is_private_use};

/// Text as Slack sends what a person typed (slash-command text, message
/// events, a message's text), as banso's own text: entities as the
/// characters they stand for, user and channel mentions and links as
/// markers, `<!here>`, `<!channel>`, `<!everyone>`, `<!subteam…>` as words
/// that notify no one, and every private-use character removed, so a
/// marker cannot be typed.
pub fn decode(slack: &str) -> String {
    let slack: String = slack.chars().filter(|c| !is_private_use(*c)).collect();
    let mut decoded = String::with_capacity(slack.len());
    let mut rest = slack.as_str();
    while let Some(open) = rest.find('<') {
        decoded.push_str(&entities(&rest[..open]));
        let after = &rest[open + 1..];
        match after.find('>') {
            Some(close) => {
                decoded.push_str(&markup(&after[..close]));
                rest = &after[close + 1..];
            }
            // Slack escapes a typed `<`, so an unclosed one is not markup.
            None => {
                decoded.push_str(&entities(&rest[open..]));
                rest = "";
            }
        }
    }
    decoded.push_str(&entities(rest));
    decoded
}

/// Text Slack delivers as it was typed (a modal's `view_submission`
/// values: no entities, no markup), as banso's own text: private-use
/// characters removed, and web addresses kept as links (banso's sections
/// are `verbatim`, so Slack would not link them itself).
pub fn typed(text: &str) -> String {
    let text: String = text.chars().filter(|c| !is_private_use(*c)).collect();
    let mut linked = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(start) = next_web_address(rest) {
        linked.push_str(&rest[..start]);
        let address = web_address_at(&rest[start..]);
        linked.push_str(&message::link(address, None));
        rest = &rest[start + address.len()..];
    }
    linked.push_str(rest);
    linked
}

/// banso's text as Slack mrkdwn: `&`, `<` and `>` escaped, then people as
/// `<@U…>`, channels as `<#C…>` and links as `<url|label>` (the label
/// escaped too).
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + text.len() / 8);
    for piece in message::pieces(text) {
        match piece {
            Piece::Text(text) => escaped.push_str(&escape_characters(text)),
            Piece::Mention(user) => {
                escaped.push_str("<@");
                escaped.push_str(&escape_characters(user));
                escaped.push('>');
            }
            Piece::Channel { id, .. } => {
                escaped.push_str("<#");
                escaped.push_str(&escape_characters(id));
                escaped.push('>');
            }
            Piece::Link { url: "", label } => {
                escaped.push_str(&escape_characters(label.unwrap_or_default()));
            }
            Piece::Link { url, label } => {
                escaped.push('<');
                escaped.push_str(&escape_url(url));
                if let Some(label) = label {
                    escaped.push('|');
                    escaped.push_str(&escape_characters(label));
                }
                escaped.push('>');
            }
        }
    }
    escaped
}

/// `&`, `<` and `>` as the entities Slack reads as those characters.
pub fn escape_characters(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>']) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            other => escaped.push(other),
        }
    }
    Cow::Owned(escaped)
}

/// A URL inside `<…>`: escaped like text, and a `|` or a space (which
/// would end the URL there) percent-encoded.
fn escape_url(url: &str) -> String {
    escape_characters(url)
        .replace('|', "%7C")
        .replace(' ', "%20")
}

/// Slack's three entities as their characters; any other `&` stays.
fn entities(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut decoded = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        decoded.push_str(&rest[..at]);
        let after = &rest[at..];
        let (character, length) = [("&amp;", '&'), ("&lt;", '<'), ("&gt;", '>')]
            .iter()
            .find(|(entity, _)| after.starts_with(entity))
            .map_or(('&', 1), |(entity, character)| (*character, entity.len()));
        decoded.push(character);
        rest = &after[length..];
    }
    decoded.push_str(rest);
    Cow::Owned(decoded)
}

/// One piece of Slack markup (what is between `<` and `>`).
fn markup(inner: &str) -> String {
    let (target, label) = match inner.split_once('|') {
        Some((target, label)) => (target, Some(entities(label)).filter(|l| !l.is_empty())),
        None => (inner, None),
    };
    if let Some(user) = target.strip_prefix('@') {
        if is_slack_id(user, &['U', 'W']) {
            return message::mention(user);
        }
        return label.map_or_else(|| format!("@{}", entities(user)), Cow::into_owned);
    }
    if let Some(channel) = target.strip_prefix('#') {
        if is_slack_id(channel, &['C', 'G']) {
            return message::channel_mention(channel, label.as_deref());
        }
        return label.map_or_else(|| format!("#{}", entities(channel)), Cow::into_owned);
    }
    if let Some(special) = target.strip_prefix('!') {
        return special_words(special, label.as_deref());
    }
    if target.is_empty() {
        return label.map(Cow::into_owned).unwrap_or_default();
    }
    message::link(&entities(target), label.as_deref())
}

/// `<!here>`, `<!channel>`, `<!everyone>`, a user group, a date: the words
/// Slack shows, which banso repeats without notifying anyone.
fn special_words(special: &str, label: Option<&str>) -> String {
    let mut parts = special.split('^');
    let keyword = parts.next().unwrap_or_default();
    match keyword {
        "here" | "channel" | "everyone" => format!("@{keyword}"),
        "subteam" => label.map_or_else(
            || format!("@{}", entities(parts.next().unwrap_or(keyword))),
            str::to_owned,
        ),
        "date" => label.unwrap_or_default().to_owned(),
        _ => label.map_or_else(|| format!("@{}", entities(keyword)), str::to_owned),
    }
}

/// A Slack id: a capital letter of `kinds`, then capitals and digits.
fn is_slack_id(text: &str, kinds: &[char]) -> bool {
    text.len() >= 2
        && text.starts_with(kinds)
        && text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// Where the next `http://` or `https://` address starts.
fn next_web_address(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = text[from..].find("http") {
        let start = from + at;
        let candidate = &text[start..];
        let starts_a_word = text[..start]
            .chars()
            .next_back()
            .is_none_or(|before| !before.is_ascii_alphanumeric());
        if starts_a_word
            && (candidate.starts_with("https://") || candidate.starts_with("http://"))
            && web_address_at(candidate).len() > "https://".len()
        {
            return Some(start);
        }
        from = start + "http".len();
    }
    None
}

/// The address at the start of `text`: up to a space, a character outside
/// ASCII (Japanese text often follows an address without a space) or a
/// quote or bracket; trailing punctuation is the sentence's.
fn web_address_at(text: &str) -> &str {
    let end = text
        .find(|c: char| !c.is_ascii_graphic() || matches!(c, '<' | '>' | '"' | '\'' | '`'))
        .unwrap_or(text.len());
    let mut address = &text[..end];
    loop {
        let trimmed = address.trim_end_matches(['.', ',', ';', ':', '!', '?']);
        let trimmed = match trimmed.strip_suffix(')') {
            Some(inner) if !inner.contains('(') => inner,
            _ => trimmed,
        };
        if trimmed.len() == address.len() {
            return address;
        }
        address = trimmed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{channel_mention, link, mention, plain_text};

    #[test]
    fn slack_text_is_decoded_once() {
        for (slack, internal) in [
            ("A&amp;B社", "A&B社".to_owned()),
            ("&lt;重要&gt; &amp;amp;", "<重要> &amp;".to_owned()),
            ("AT&T &copy;", "AT&T &copy;".to_owned()),
            ("<@U0TANAKA>", mention("U0TANAKA")),
            (
                "<@U0TANAKA|tanaka>さん",
                format!("{}さん", mention("U0TANAKA")),
            ),
            ("<@W0ENTERPRISE>", mention("W0ENTERPRISE")),
            ("<@nobody|誰か>", "誰か".to_owned()),
            (
                "<#C0TEAM|banso-team>",
                channel_mention("C0TEAM", Some("banso-team")),
            ),
            ("<#C0TEAM>", channel_mention("C0TEAM", None)),
            (
                "<https://example.jp/a?b=1&amp;c=2|手順書>",
                link("https://example.jp/a?b=1&c=2", Some("手順書")),
            ),
            ("<https://example.jp/>", link("https://example.jp/", None)),
            (
                "<mailto:a@example.jp|a@example.jp>",
                link("mailto:a@example.jp", Some("a@example.jp")),
            ),
            (
                "<https://x.jp|a &amp; b | c>",
                link("https://x.jp", Some("a & b | c")),
            ),
            ("<!here>", "@here".to_owned()),
            ("<!here|@here>", "@here".to_owned()),
            ("<!channel>", "@channel".to_owned()),
            ("<!everyone>", "@everyone".to_owned()),
            ("<!subteam^S0SEC|@security>", "@security".to_owned()),
            ("<!subteam^S0SEC>", "@S0SEC".to_owned()),
            (
                "<!date^1392734382^{date_short}|Feb 18, 2014>",
                "Feb 18, 2014".to_owned(),
            ),
            ("1 &lt; 2 <", "1 < 2 <".to_owned()),
            ("\u{E000}U0LEADER\u{E001}", "U0LEADER".to_owned()),
            ("a\u{F8FF}b\u{E004}c", "abc".to_owned()),
            ("<https://x.jp|\u{E001}>", link("https://x.jp", None)),
        ] {
            assert_eq!(decode(slack), internal, "{slack}");
        }
    }

    #[test]
    fn banso_text_is_escaped_once_with_markers_as_slack_markup() {
        for (internal, slack) in [
            (
                "A&B社 <重要>".to_owned(),
                "A&amp;B社 &lt;重要&gt;".to_owned(),
            ),
            ("&amp;".to_owned(), "&amp;amp;".to_owned()),
            ("<!here>".to_owned(), "&lt;!here&gt;".to_owned()),
            (mention("U0TANAKA"), "<@U0TANAKA>".to_owned()),
            (
                channel_mention("C0TEAM", Some("banso-team")),
                "<#C0TEAM>".to_owned(),
            ),
            (
                link("https://example.jp/a?b=1&c=2", Some("<手順書>")),
                "<https://example.jp/a?b=1&amp;c=2|&lt;手順書&gt;>".to_owned(),
            ),
            (
                link("https://x.jp/a|b c", None),
                "<https://x.jp/a%7Cb%20c>".to_owned(),
            ),
            (link("", Some("ラベル")), "ラベル".to_owned()),
            ("壊れた\u{E000}U1".to_owned(), "壊れたU1".to_owned()),
        ] {
            assert_eq!(escape(&internal), slack, "{internal:?}");
        }
    }

    #[test]
    fn what_slack_sends_comes_back_as_slack_sent_it() {
        for slack in [
            "A&amp;B社 &lt;重要&gt; <https://example.jp/a?b=1&amp;c=2|手順書> <@U0TANAKA>",
            "<#C0TEAM> と <mailto:a@example.jp|a@example.jp>",
            "&amp;lt;",
        ] {
            assert_eq!(escape(&decode(slack)), slack, "{slack}");
        }
    }

    #[test]
    fn a_forged_marker_is_only_its_letters() {
        let forged = decode("\u{E000}U0LEADER\u{E001} の承認済み");
        assert_eq!(escape(&forged), "U0LEADER の承認済み");
        let forged = typed("\u{E000}U0LEADER\u{E001} の承認済み");
        assert_eq!(escape(&forged), "U0LEADER の承認済み");
    }

    #[test]
    fn typed_text_keeps_its_characters_and_links_its_addresses() {
        for (typed_text, internal) in [
            ("A&amp;B <b>", "A&amp;B <b>".to_owned()),
            (
                "手順は https://example.jp/a?b=1&c=2 を参照",
                format!(
                    "手順は {} を参照",
                    link("https://example.jp/a?b=1&c=2", None)
                ),
            ),
            (
                "https://example.jp/のページ。",
                format!("{}のページ。", link("https://example.jp/", None)),
            ),
            (
                "(see https://example.jp/x).",
                format!("(see {}).", link("https://example.jp/x", None)),
            ),
            (
                "https://ja.wikipedia.org/wiki/A_(B)",
                link("https://ja.wikipedia.org/wiki/A_(B)", None),
            ),
            (
                "xhttps://example.jp http:// https",
                "xhttps://example.jp http:// https".to_owned(),
            ),
            (
                "\u{E004}https://evil.example\u{E005}",
                link("https://evil.example", None),
            ),
        ] {
            assert_eq!(typed(typed_text), internal, "{typed_text}");
        }
        assert_eq!(
            plain_text(&typed("手順は https://example.jp/ を参照")),
            "手順は https://example.jp/ を参照"
        );
    }
}
