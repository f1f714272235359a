//! `/meeting add KIND DATE TIME [場所=…] [URL=…] [議題=…] [時間=分]` as typed
//! (issue 14): the kind as people name it, the date and time with
//! full-width digits too, and fields whose values may hold spaces.

use chrono::{NaiveDate, NaiveTime};

use super::{Command, ParseError, date_argument, normalise_short_id, time_argument};
use crate::domain::meeting::MeetingKind;

/// A meeting `/meeting add` holds, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingToAdd {
    pub kind: MeetingKind,
    pub date: NaiveDate,
    pub time: NaiveTime,
    pub place: Option<String>,
    pub url: Option<String>,
    pub agenda: Option<String>,
    pub minutes: Option<u32>,
}

/// `KIND DATE TIME [key=value …]`; a value runs on over the words after it
/// up to the next key (`議題=監査項目 の確認`).
pub(super) fn parse_meeting_add(arguments: &[&str]) -> Result<Command, ParseError> {
    let [kind, date, time, fields @ ..] = arguments else {
        return Err(ParseError::MeetingUsage);
    };
    let kind = MeetingKind::typed(kind).ok_or(ParseError::MeetingUsage)?;
    // 場所, URL, 議題, 時間: each value, and which one the words go on.
    let mut values: [Option<String>; 4] = Default::default();
    let mut current: Option<usize> = None;
    for word in fields {
        let split = word.split_once('=').or_else(|| word.split_once('＝'));
        let field = split.and_then(|(key, _)| match key.to_lowercase().as_str() {
            "場所" | "place" => Some(0),
            "url" | "ｕｒｌ" => Some(1),
            "議題" | "agenda" => Some(2),
            "時間" | "minutes" => Some(3),
            _ => None,
        });
        match (field, split, current) {
            (Some(field), Some((_, value)), _) => {
                values[field] = Some(value.to_owned());
                current = Some(field);
            }
            (None, _, Some(field)) => {
                if let Some(value) = values[field].as_mut() {
                    value.push(' ');
                    value.push_str(word);
                }
            }
            _ => return Err(ParseError::MeetingUsage),
        }
    }
    let [place, url, agenda, minutes] = values;
    let minutes = match minutes {
        Some(typed) => Some(
            normalise_short_id(&typed)
                .trim_end_matches('分')
                .parse()
                .ok()
                .filter(|minutes| (15..=480).contains(minutes))
                .ok_or(ParseError::MeetingUsage)?,
        ),
        None => None,
    };
    let meeting = MeetingToAdd {
        kind,
        date: date_argument(date)?,
        time: time_argument(time)?,
        place,
        url,
        agenda,
        minutes,
    };
    Ok(Command::MeetingAdd(meeting))
}
