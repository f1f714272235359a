//! The meetings as an iCalendar file (RFC 5545): one event per meeting and one all-day
//! event per materials deadline, in Asia/Tokyo time.
//!
//! The text is deterministic: the same meetings, names and stamp give the same bytes, and
//! every event's UID comes from the occurrence key, so a calendar that re-imports the file
//! updates the events instead of adding copies. Lines end in CRLF and are folded at 75
//! octets without splitting a UTF-8 character (RFC 5545 3.1); TEXT values are escaped
//! (3.3.11).

#[cfg(test)]
mod tests;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::domain::meeting::{Meeting, MeetingKind};

/// Identifies the program that wrote the file (RFC 5545 3.7.3).
pub const PRODID: &str = "-//banso//meeting calendar//JA";

/// The time zone every meeting is in, by its IANA name.
const TZID: &str = "Asia/Tokyo";

/// Suffix of every UID, so the events are banso's own.
const UID_DOMAIN: &str = "banso";

/// The longest line, in octets, before it is folded (RFC 5545 3.1).
const MAX_LINE_OCTETS: usize = 75;

/// The words the file shows, rendered by the caller from its templates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsNames {
    /// The calendar's name, as calendar programs show it (`X-WR-CALNAME`).
    pub calendar: String,
    /// Title of a regular meeting, e.g. 定例報告会.
    pub regular: String,
    /// Title of a biweekly meeting, e.g. 隔週打合せ.
    pub biweekly: String,
    /// Title of the kickoff, e.g. キックオフ会議.
    pub kickoff: String,
    /// Titles of the kinds added one at a time (作業会議, 事前説明会, 監査報告会,
    /// 臨時); a kind missing here is titled by its code.
    pub added: std::collections::BTreeMap<MeetingKind, String>,
    /// Title of a deadline event; `{meeting}` becomes the meeting's title and `{date}` its
    /// date (`2024-06-11`), e.g. `資料提出期限（{meeting} {date}）`.
    pub deadline: String,
    /// Heading of the deliverables listed in a description, e.g. `提出物:`.
    pub deliverables: String,
    /// Label before the meeting link in a description, e.g. `URL:`.
    pub url: String,
}

impl IcsNames {
    fn title(&self, kind: MeetingKind) -> &str {
        match kind {
            MeetingKind::Regular => &self.regular,
            MeetingKind::Biweekly => &self.biweekly,
            MeetingKind::Kickoff => &self.kickoff,
            other => self.added.get(&other).map_or(other.code(), String::as_str),
        }
    }
}

/// The calendar of `meetings`: a VTIMEZONE for Asia/Tokyo, a VEVENT per meeting and an
/// all-day VEVENT per deadline. `stamp` is the DTSTAMP of every event (the instant the
/// plan was made), passed in so that nothing here reads a clock.
pub fn calendar_ics(meetings: &[Meeting], names: &IcsNames, stamp: DateTime<Utc>) -> String {
    let mut ics = Ics::default();
    ics.line("BEGIN:VCALENDAR");
    ics.line(&format!("PRODID:{PRODID}"));
    ics.line("VERSION:2.0");
    ics.line("CALSCALE:GREGORIAN");
    ics.line("METHOD:PUBLISH");
    ics.text("X-WR-CALNAME", &names.calendar);
    ics.line(&format!("X-WR-TIMEZONE:{TZID}"));
    ics.time_zone();
    let stamp = stamp.format("%Y%m%dT%H%M%SZ").to_string();
    for meeting in meetings {
        ics.meeting_event(meeting, names, &stamp);
        if let Some(deadline) = meeting.deadline {
            ics.deadline_event(meeting, deadline, names, &stamp);
        }
    }
    ics.line("END:VCALENDAR");
    ics.text
}

/// The file being written, one folded line at a time.
#[derive(Default)]
struct Ics {
    text: String,
}

impl Ics {
    /// Appends a content line, folded, with its CRLF.
    fn line(&mut self, line: &str) {
        self.text.push_str(&fold(line));
    }

    /// Appends a property with a TEXT value, escaped.
    fn text(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{}", escape_text(value)));
    }

    /// Japan has kept +09:00 without summer time since 1952, so one STANDARD rule is the
    /// whole zone.
    fn time_zone(&mut self) {
        for line in [
            "BEGIN:VTIMEZONE",
            &format!("TZID:{TZID}"),
            "BEGIN:STANDARD",
            "DTSTART:19700101T000000",
            "TZOFFSETFROM:+0900",
            "TZOFFSETTO:+0900",
            "TZNAME:JST",
            "END:STANDARD",
            "END:VTIMEZONE",
        ] {
            self.line(line);
        }
    }

    fn meeting_event(&mut self, meeting: &Meeting, names: &IcsNames, stamp: &str) {
        let local = |at: &DateTime<chrono_tz::Tz>| at.naive_local().format("%Y%m%dT%H%M%S");
        self.line("BEGIN:VEVENT");
        self.text("UID", &format!("{}@{UID_DOMAIN}", meeting.key));
        self.line(&format!("DTSTAMP:{stamp}"));
        self.line(&format!(
            "DTSTART;TZID={TZID}:{}",
            local(&meeting.starts_at)
        ));
        self.line(&format!("DTEND;TZID={TZID}:{}", local(&meeting.ends_at)));
        self.text("SUMMARY", names.title(meeting.kind));
        if let Some(description) = description(meeting, names, true) {
            self.text("DESCRIPTION", &description);
        }
        self.line("END:VEVENT");
    }

    /// An all-day event on the deadline, which does not block the day as busy.
    fn deadline_event(
        &mut self,
        meeting: &Meeting,
        deadline: NaiveDate,
        names: &IcsNames,
        stamp: &str,
    ) {
        let day = |date: NaiveDate| date.format("%Y%m%d");
        let summary = names
            .deadline
            .replace("{meeting}", names.title(meeting.kind))
            .replace("{date}", &meeting.date().to_string());
        self.line("BEGIN:VEVENT");
        self.text("UID", &format!("{}-deadline@{UID_DOMAIN}", meeting.key));
        self.line(&format!("DTSTAMP:{stamp}"));
        self.line(&format!("DTSTART;VALUE=DATE:{}", day(deadline)));
        self.line(&format!(
            "DTEND;VALUE=DATE:{}",
            day(deadline + Duration::days(1))
        ));
        self.text("SUMMARY", &summary);
        if let Some(description) = description(meeting, names, false) {
            self.text("DESCRIPTION", &description);
        }
        self.line("TRANSP:TRANSPARENT");
        self.line("END:VEVENT");
    }
}

/// The deliverables, one per line under their heading, then the link if asked for; `None`
/// when there is nothing to say.
fn description(meeting: &Meeting, names: &IcsNames, with_url: bool) -> Option<String> {
    let mut lines = Vec::new();
    if !meeting.deliverables.is_empty() {
        lines.push(names.deliverables.clone());
        lines.extend(meeting.deliverables.iter().map(|item| format!("- {item}")));
    }
    if let Some(url) = meeting.url.as_ref().filter(|_| with_url) {
        lines.push(format!("{} {url}", names.url));
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, every line break
/// (CRLF, CR or LF) written `\n`, other control characters dropped.
fn escape_text(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(character) = chars.next() {
        match character {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\n' => escaped.push_str("\\n"),
            '\r' => {
                chars.next_if_eq(&'\n');
                escaped.push_str("\\n");
            }
            '\t' => escaped.push('\t'),
            control if control.is_control() => {}
            other => escaped.push(other),
        }
    }
    escaped
}

/// One content line folded into lines of at most 75 octets (the CRLF not counted), each
/// continuation starting with a space, never splitting a character; ends in CRLF.
fn fold(line: &str) -> String {
    let mut folded = String::with_capacity(line.len() + line.len() / 64 * 3 + 2);
    let mut octets = 0;
    for character in line.chars() {
        let width = character.len_utf8();
        if octets + width > MAX_LINE_OCTETS {
            folded.push_str("\r\n ");
            octets = 1;
        }
        folded.push(character);
        octets += width;
    }
    folded.push_str("\r\n");
    folded
}
