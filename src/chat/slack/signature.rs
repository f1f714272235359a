//! Slack request signatures (v0): `X-Slack-Signature` is
//! `v0=` + hex(HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + body)),
//! and `X-Slack-Request-Timestamp` must be within five minutes of now, so a
//! captured request cannot be replayed later; within those five minutes the
//! store's claim on its signature (`Store::claim_signed_request`) makes a
//! replay do nothing.
//!
//! The HMAC is slack-morphism's verifier's. That verifier also checks the
//! timestamp, on the system clock (`SystemTime`, inside slack-morphism),
//! and only once the HMAC has matched; banso checks the window itself, on
//! its `Clock`, before, and discards slack-morphism's verdict on the time
//! (a test pins that order: a wrong signature with a stale timestamp is
//! still a wrong signature).

use slack_morphism::prelude::*;
use slack_morphism::signature_verifier::{
    SlackEventSignatureVerifier, SlackEventSignatureVerifierError,
};

/// Requests older or newer than this are refused (Slack's own rule).
pub const MAX_SKEW_SECONDS: i64 = 5 * 60;

/// Why a request is refused. Logged without its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("missing or unreadable X-Slack-Request-Timestamp")]
    BadTimestamp,
    #[error("request timestamp outside the five-minute window")]
    Stale,
    #[error("missing or malformed X-Slack-Signature")]
    BadSignatureHeader,
    #[error("signature does not match")]
    Mismatch,
}

/// A request whose signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// When Slack says it sent the request (epoch seconds).
    pub sent_at: i64,
    /// The signature in one spelling (lowercase hex, no `v0=`): hex digits
    /// may be sent in either case, so the header as sent would let a
    /// replay through a guard that compares text.
    pub signature: String,
}

/// The signing secret's verifier, made once.
#[derive(Clone)]
pub struct Verifier(SlackEventSignatureVerifier);

impl Verifier {
    pub fn new(signing_secret: &str) -> Self {
        let secret = SlackSigningSecret(signing_secret.to_owned());
        Self(SlackEventSignatureVerifier::new(&secret))
    }

    /// Checks a request's signature over its raw body, in constant time
    /// (slack-morphism compares the whole `v0=…` text so).
    pub fn verify(
        &self,
        timestamp: Option<&str>,
        signature: Option<&str>,
        body: &[u8],
        now: i64,
    ) -> Result<Verified, SignatureError> {
        let timestamp_text = timestamp
            .map(str::trim)
            .ok_or(SignatureError::BadTimestamp)?;
        let sent_at: i64 = timestamp_text
            .parse()
            .map_err(|_| SignatureError::BadTimestamp)?;
        if (now - sent_at).abs() > MAX_SKEW_SECONDS {
            return Err(SignatureError::Stale);
        }
        let hex_digits = signature
            .and_then(|header| header.trim().strip_prefix("v0="))
            .filter(|digits| digits.len() == 64 && hex::decode(digits).is_ok())
            .ok_or(SignatureError::BadSignatureHeader)?
            .to_ascii_lowercase();
        // Slack signs the body as it sent it; one that is not UTF-8 was not
        // signed by Slack.
        let body = std::str::from_utf8(body).map_err(|_| SignatureError::Mismatch)?;
        match self
            .0
            .verify(&format!("v0={hex_digits}"), body, timestamp_text)
        {
            Ok(()) => {}
            // The HMAC matched; only slack-morphism's reading of the system
            // clock disagreed, and the window was checked above on banso's.
            Err(SlackEventSignatureVerifierError::IncorrectOrExpiredTimestampError(_)) => {}
            Err(_) => return Err(SignatureError::Mismatch),
        }
        Ok(Verified {
            sent_at,
            signature: hex_digits,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verify(
        secret: &str,
        timestamp: Option<&str>,
        signature: Option<&str>,
        body: &[u8],
        now: i64,
    ) -> Result<Verified, SignatureError> {
        Verifier::new(secret).verify(timestamp, signature, body, now)
    }

    // The example of Slack's "Verifying requests from Slack" documentation.
    const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
    const TIMESTAMP: &str = "1531420618";
    const BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const SIGNATURE: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    const NOW: i64 = 1_531_420_618 + 60;

    #[test]
    fn the_documented_example_verifies() {
        assert_eq!(
            verify(
                SECRET,
                Some(TIMESTAMP),
                Some(SIGNATURE),
                BODY.as_bytes(),
                NOW
            ),
            Ok(Verified {
                sent_at: 1_531_420_618,
                signature: SIGNATURE["v0=".len()..].to_owned(),
            })
        );
    }

    #[test]
    fn a_signature_in_capitals_is_the_same_request() {
        let shouted = format!("v0={}", SIGNATURE["v0=".len()..].to_uppercase());
        let plain = verify(
            SECRET,
            Some(TIMESTAMP),
            Some(SIGNATURE),
            BODY.as_bytes(),
            NOW,
        );
        let capitals = verify(
            SECRET,
            Some(TIMESTAMP),
            Some(&shouted),
            BODY.as_bytes(),
            NOW,
        );
        assert!(plain.is_ok());
        assert_eq!(plain, capitals, "one key for the replay guard");
    }

    /// banso takes slack-morphism's "expired" as a match because its
    /// verifier checks the HMAC first: if it ever checked the time first, a
    /// forged request stale by the system clock would pass. 2018's
    /// documented example is stale by any system clock today.
    #[test]
    fn slack_morphism_checks_the_signature_before_the_time() {
        let secret = SlackSigningSecret(SECRET.to_owned());
        let verifier = SlackEventSignatureVerifier::new(&secret);
        let wrong = SIGNATURE.replace("a2114", "a2115");
        assert!(matches!(
            verifier.verify(&wrong, BODY, TIMESTAMP),
            Err(SlackEventSignatureVerifierError::WrongSignatureError(_))
        ));
        assert!(matches!(
            verifier.verify(SIGNATURE, BODY, TIMESTAMP),
            Err(SlackEventSignatureVerifierError::IncorrectOrExpiredTimestampError(_))
        ));
    }

    #[test]
    fn refusals_table() {
        let tampered = BODY.replace("roadrunner", "wile_e");
        let wrong = SIGNATURE.replace("a2114", "a2115");
        type Case<'a> = (
            &'a str,
            Option<&'a str>,
            Option<&'a str>,
            &'a str,
            i64,
            SignatureError,
        );
        let cases: Vec<Case> = vec![
            (
                "tampered body",
                Some(TIMESTAMP),
                Some(SIGNATURE),
                &tampered,
                NOW,
                SignatureError::Mismatch,
            ),
            (
                "wrong signature",
                Some(TIMESTAMP),
                Some(&wrong),
                BODY,
                NOW,
                SignatureError::Mismatch,
            ),
            (
                "other secret",
                Some(TIMESTAMP),
                Some(SIGNATURE),
                BODY,
                NOW,
                SignatureError::Mismatch,
            ),
            (
                "six minutes late",
                Some(TIMESTAMP),
                Some(SIGNATURE),
                BODY,
                1_531_420_618 + 361,
                SignatureError::Stale,
            ),
            (
                "from the future",
                Some(TIMESTAMP),
                Some(SIGNATURE),
                BODY,
                1_531_420_618 - 301,
                SignatureError::Stale,
            ),
            (
                "no timestamp",
                None,
                Some(SIGNATURE),
                BODY,
                NOW,
                SignatureError::BadTimestamp,
            ),
            (
                "garbage timestamp",
                Some("yesterday"),
                Some(SIGNATURE),
                BODY,
                NOW,
                SignatureError::BadTimestamp,
            ),
            (
                "no signature",
                Some(TIMESTAMP),
                None,
                BODY,
                NOW,
                SignatureError::BadSignatureHeader,
            ),
            (
                "v1 signature",
                Some(TIMESTAMP),
                Some("v1=abcd"),
                BODY,
                NOW,
                SignatureError::BadSignatureHeader,
            ),
            (
                "not hex",
                Some(TIMESTAMP),
                Some("v0=zz"),
                BODY,
                NOW,
                SignatureError::BadSignatureHeader,
            ),
        ];
        for (name, timestamp, signature, body, now, expected) in cases {
            let secret = if name == "other secret" {
                "another-secret"
            } else {
                SECRET
            };
            assert_eq!(
                verify(secret, timestamp, signature, body.as_bytes(), now),
                Err(expected),
                "{name}"
            );
        }
    }
}
