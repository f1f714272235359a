//! Tests of the iCalendar export, read back at the level of RFC 5545's grammar: lines,
//! folding, components, UIDs and escaping; plus one small file compared byte for byte.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Asia::Tokyo;

use super::*;
use crate::domain::calendar::OpenDayCalendar;
use crate::domain::meeting::{KickoffRule, plan_meetings};

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

fn clock(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).unwrap()
}

fn names() -> IcsNames {
    IcsNames {
        calendar: "banso 会議予定".to_owned(),
        regular: "定例報告会".to_owned(),
        biweekly: "隔週打合せ".to_owned(),
        kickoff: "キックオフ会議".to_owned(),
        added: [(MeetingKind::Work, "作業会議".to_owned())]
            .into_iter()
            .collect(),
        deadline: "資料提出期限（{meeting} {date}）".to_owned(),
        deliverables: "提出物:".to_owned(),
        url: "URL:".to_owned(),
    }
}

fn stamp() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 29, 0, 0, 0).unwrap()
}

/// FY2024 with the documented defaults, a kickoff and a web-meeting link.
fn fy2024_meetings() -> Vec<Meeting> {
    let settings = crate::config::Settings::default();
    let mut rules = settings.meetings.to_rules(&settings.reminders);
    rules.biweekly.url = Some("https://meet.example.jp/banso?room=1,2;3".to_owned());
    rules.kickoff = Some(KickoffRule {
        date: Some(date(2024, 4, 10)),
        time: clock(10, 0),
        duration_minutes: 90,
        deliverables: vec!["実施計画書".to_owned()],
    });
    let period = (date(2024, 4, 1), date(2025, 3, 31));
    plan_meetings(&rules, period, &[], &OpenDayCalendar::japanese_default())
}

/// The physical lines, checked: CRLF everywhere and nowhere else, at most 75 octets each.
fn physical_lines(ics: &str) -> Vec<&str> {
    let body = ics.strip_suffix("\r\n").expect("the file ends in CRLF");
    let lines: Vec<&str> = body.split("\r\n").collect();
    for line in &lines {
        assert!(!line.contains(['\r', '\n']), "bare line break in {line:?}");
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        assert!(!line.is_empty(), "empty line");
    }
    lines
}

/// The content lines, unfolded (RFC 5545 3.1).
fn content_lines(ics: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for line in physical_lines(ics) {
        match line.strip_prefix(' ') {
            Some(continuation) => lines
                .last_mut()
                .expect("a line to continue")
                .push_str(continuation),
            None => lines.push(line.to_owned()),
        }
    }
    lines
}

/// The values of a property, by name (ignoring parameters), in file order.
fn values<'a>(lines: &'a [String], name: &str) -> Vec<&'a str> {
    lines
        .iter()
        .filter_map(|line| {
            let (head, value) = line.split_once(':')?;
            (head.split(';').next() == Some(name)).then_some(value)
        })
        .collect()
}

/// Reverses the TEXT escaping.
fn unescape(value: &str) -> String {
    let mut text = String::new();
    let mut chars = value.chars();
    while let Some(character) = chars.next() {
        if character != '\\' {
            text.push(character);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => text.push('\n'),
            Some(escaped @ ('\\' | ';' | ',')) => text.push(escaped),
            other => panic!("bad escape \\{other:?} in {value:?}"),
        }
    }
    text
}

#[test]
fn the_file_is_well_formed() {
    let ics = calendar_ics(&fy2024_meetings(), &names(), stamp());
    let lines = content_lines(&ics);
    let mut open = Vec::new();
    for line in &lines {
        if let Some(name) = line.strip_prefix("BEGIN:") {
            open.push(name.to_owned());
        } else if let Some(name) = line.strip_prefix("END:") {
            assert_eq!(open.pop().as_deref(), Some(name), "unbalanced END:{name}");
        } else {
            assert!(!open.is_empty(), "{line} outside the calendar");
            assert!(line.contains(':'), "not a content line: {line}");
        }
    }
    assert!(open.is_empty(), "unclosed {open:?}");
    assert_eq!(lines.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
    for required in [
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "TZID:Asia/Tokyo",
        "TZNAME:JST",
    ] {
        assert!(lines.iter().any(|line| line == required), "{required}");
    }
    assert_eq!(values(&lines, "PRODID"), [PRODID]);
    assert_eq!(values(&lines, "TZOFFSETFROM"), ["+0900"]);
    assert_eq!(values(&lines, "TZOFFSETTO"), ["+0900"]);
    // 1 kickoff + 12 regular + 26 biweekly, and 13 deadlines.
    assert_eq!(
        lines.iter().filter(|line| *line == "BEGIN:VEVENT").count(),
        39 + 13
    );
    assert!(
        values(&lines, "DTSTAMP")
            .iter()
            .all(|value| *value == "20240329T000000Z")
    );
}

#[test]
fn uids_are_unique_and_stable() {
    let meetings = fy2024_meetings();
    let ics = calendar_ics(&meetings, &names(), stamp());
    assert_eq!(ics, calendar_ics(&meetings, &names(), stamp()));
    let lines = content_lines(&ics);
    let uids = values(&lines, "UID");
    assert_eq!(uids.iter().collect::<BTreeSet<_>>().len(), uids.len());
    for uid in [
        "kickoff@banso",
        "kickoff-deadline@banso",
        "regular:2024-06@banso",
        "regular:2024-06-deadline@banso",
        "biweekly:2025-03-20@banso",
    ] {
        assert!(uids.contains(&uid), "{uid}");
    }
    // Moving a meeting keeps its UID, so a calendar updates the event in place.
    let mut moved = meetings.clone();
    let june = moved
        .iter_mut()
        .find(|m| m.key == "regular:2024-06")
        .unwrap();
    june.starts_at = Tokyo.with_ymd_and_hms(2024, 6, 20, 15, 0, 0).unwrap();
    let moved_ics = calendar_ics(&moved, &names(), stamp());
    assert_eq!(values(&content_lines(&moved_ics), "UID"), uids);
}

#[test]
fn events_carry_tokyo_times_titles_and_deliverables() {
    let ics = calendar_ics(&fy2024_meetings(), &names(), stamp());
    let lines = content_lines(&ics);
    let start = lines
        .iter()
        .position(|line| line == "UID:regular:2024-06@banso")
        .unwrap();
    assert_eq!(
        lines[start..start + 5],
        [
            "UID:regular:2024-06@banso",
            "DTSTAMP:20240329T000000Z",
            "DTSTART;TZID=Asia/Tokyo:20240611T100000",
            "DTEND;TZID=Asia/Tokyo:20240611T110000",
            "SUMMARY:定例報告会",
        ]
    );
    assert_eq!(
        unescape(values(&lines[start..], "DESCRIPTION")[0]),
        "提出物:\n- 会議次第\n- 進捗状況報告書\n- 課題管理表\n- 概要スケジュール"
    );
    let deadline = lines
        .iter()
        .position(|line| line == "UID:regular:2024-06-deadline@banso")
        .unwrap();
    assert_eq!(
        lines[deadline + 2..deadline + 5],
        [
            "DTSTART;VALUE=DATE:20240607",
            "DTEND;VALUE=DATE:20240608",
            "SUMMARY:資料提出期限（定例報告会 2024-06-11）",
        ]
    );
    let biweekly = lines
        .iter()
        .position(|line| line == "UID:biweekly:2025-03-20@banso")
        .unwrap();
    assert_eq!(
        lines[biweekly + 2],
        "DTSTART;TZID=Asia/Tokyo:20250321T140000"
    );
    assert_eq!(lines[biweekly + 4], "SUMMARY:隔週打合せ");
    assert_eq!(
        unescape(values(&lines[biweekly..], "DESCRIPTION")[0]),
        "URL: https://meet.example.jp/banso?room=1,2;3"
    );
}

#[test]
fn text_values_are_escaped() {
    assert_eq!(escape_text(r"a,b;c\d"), r"a\,b\;c\\d");
    assert_eq!(
        escape_text("一行目\n二行目\r\n三行目\r四行目"),
        r"一行目\n二行目\n三行目\n四行目"
    );
    assert_eq!(escape_text("bell\u{7}\tend"), "bell\tend");
    let mut meetings = fy2024_meetings();
    meetings.truncate(1);
    meetings[0].deliverables = vec!["計画書, 第1版; 案\\草稿\n別紙".to_owned()];
    meetings[0].url = None;
    let ics = calendar_ics(&meetings, &names(), stamp());
    let lines = content_lines(&ics);
    let description = values(&lines, "DESCRIPTION")[0];
    assert_eq!(description, r"提出物:\n- 計画書\, 第1版\; 案\\草稿\n別紙");
    assert_eq!(
        unescape(description),
        "提出物:\n- 計画書, 第1版; 案\\草稿\n別紙"
    );
}

#[test]
fn long_japanese_text_folds_on_character_boundaries() {
    // "DESCRIPTION:" is 12 octets, so exactly 21 three-octet characters fill the first line;
    // each continuation holds a space and 24 of them (73 octets; a 25th would make 76).
    let text = "情報セキュリティ".repeat(10);
    let folded = fold(&format!("DESCRIPTION:{text}"));
    let physical: Vec<&str> = folded.trim_end_matches("\r\n").split("\r\n").collect();
    assert_eq!(physical[0].len(), 75);
    assert_eq!(physical[0].chars().count(), 12 + 21);
    assert!(
        physical[1..]
            .iter()
            .all(|line| line.starts_with(' ') && line.len() <= 75)
    );
    assert_eq!(physical[1].len(), 73);
    let unfolded: String = physical
        .iter()
        .enumerate()
        .map(|(index, line)| if index == 0 { *line } else { &line[1..] })
        .collect();
    assert_eq!(unfolded, format!("DESCRIPTION:{text}"));
    // Mixed widths: ASCII, two-, three- and four-octet characters.
    let mixed = "aé情😀".repeat(40);
    let folded = fold(&format!("SUMMARY:{mixed}"));
    let lines = content_lines(&folded);
    assert_eq!(lines, [format!("SUMMARY:{mixed}")]);
    assert_eq!(fold("VERSION:2.0"), "VERSION:2.0\r\n");
}

#[test]
fn a_small_calendar_reads_exactly_so() {
    let meetings: Vec<Meeting> = fy2024_meetings()
        .into_iter()
        .filter(|meeting| meeting.key == "biweekly:2024-04-04")
        .collect();
    let expected = [
        "BEGIN:VCALENDAR",
        "PRODID:-//banso//meeting calendar//JA",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:banso 会議予定",
        "X-WR-TIMEZONE:Asia/Tokyo",
        "BEGIN:VTIMEZONE",
        "TZID:Asia/Tokyo",
        "BEGIN:STANDARD",
        "DTSTART:19700101T000000",
        "TZOFFSETFROM:+0900",
        "TZOFFSETTO:+0900",
        "TZNAME:JST",
        "END:STANDARD",
        "END:VTIMEZONE",
        "BEGIN:VEVENT",
        "UID:biweekly:2024-04-04@banso",
        "DTSTAMP:20240329T000000Z",
        "DTSTART;TZID=Asia/Tokyo:20240404T140000",
        "DTEND;TZID=Asia/Tokyo:20240404T150000",
        "SUMMARY:隔週打合せ",
        "DESCRIPTION:URL: https://meet.example.jp/banso?room=1\\,2\\;3",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ];
    assert_eq!(
        calendar_ics(&meetings, &names(), stamp()),
        expected.join("\r\n")
    );
    let empty = calendar_ics(&[], &names(), stamp());
    assert!(empty.ends_with("END:VTIMEZONE\r\nEND:VCALENDAR\r\n"));
}
