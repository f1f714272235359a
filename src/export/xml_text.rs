//! Text as XML can carry it. The xlsx and docx formats are XML, and XML 1.0
//! has no way to write most control characters (U+0000–U+001F other than
//! tab, line feed and carriage return), nor U+FFFE and U+FFFF: one of them
//! in a consultation's title (pasted from a terminal, say) would make the
//! whole file unreadable. Each is replaced with U+FFFD, the replacement
//! character, so the reader sees that something was there.

use std::borrow::Cow;

/// What replaces a character XML cannot carry.
pub const REPLACEMENT: char = '\u{FFFD}';

/// `text` with every character XML 1.0 cannot carry replaced; borrowed
/// when there is none (almost always).
pub fn xml_text(text: &str) -> Cow<'_, str> {
    if text.chars().all(is_xml_char) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if is_xml_char(c) { c } else { REPLACEMENT })
            .collect(),
    )
}

/// XML 1.0's `Char`: tab, LF, CR, and U+0020 up, less the surrogates
/// (which a Rust `char` cannot be) and U+FFFE, U+FFFF.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_xml_cannot_carry_is_replaced() {
        assert!(matches!(xml_text("VPN の相談\t1\n2\r\n"), Cow::Borrowed(_)));
        assert_eq!(xml_text("A\u{1b}[31mB"), "A\u{FFFD}[31mB");
        assert_eq!(xml_text("\u{0}\u{7}\u{1f}"), "\u{FFFD}\u{FFFD}\u{FFFD}");
        assert_eq!(xml_text("x\u{FFFF}y\u{FFFE}"), "x\u{FFFD}y\u{FFFD}");
        // Allowed beyond the BMP and around the excluded pair.
        assert_eq!(
            xml_text("\u{FFFD}\u{1F600}\u{10FFFF}"),
            "\u{FFFD}\u{1F600}\u{10FFFF}"
        );
        // DEL and the C1 controls are legal XML 1.0 characters.
        assert_eq!(xml_text("\u{7f}\u{85}"), "\u{7f}\u{85}");
    }
}
