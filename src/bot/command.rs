//! Chat commands, parsed by pure code before anything is done with them
//! (mini-redis `cmd/`): `parse("/calendar 2025-01")` is a value a test can
//! compare, and applying it is the bot's separate job.

use chrono::{NaiveDate, NaiveTime};

use crate::domain::consultation::{Action, MAX_TEXT_CHARS};
use crate::domain::kadai::{self, Priority};
use crate::domain::month::YearMonth;

mod meeting_add;

pub use meeting_add::MeetingToAdd;
use meeting_add::parse_meeting_add;

/// A command a user typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `/calendar [YYYY-MM]`: the month's open and closed days.
    Calendar { month: Option<YearMonth> },
    /// `/help`, `/banso` or `/banso help`.
    Help,
    /// `/consult <text>`: record a consultation at once.
    Consult { text: String },
    /// `/consult` alone: start the form.
    ConsultForm,
    /// `/consult lsit`, `/consult list mien`, `/consult ２４０６－００３`: a
    /// near-miss of a subcommand, or a receipt number alone — not
    /// recorded (a typo would count against the city's quota); banso asks
    /// whether `suggestion` was meant, and offers to record `text` after
    /// all.
    ConsultDidYouMean { text: String, suggestion: String },
    /// `/consult list [mine|open|all]`.
    ConsultList { scope: Option<ListScope> },
    /// `/consult show ID`.
    ConsultShow { short_id: String },
    /// `/consult search 語句`: past consultations by the words of their
    /// title, details and answers (`query` as typed; empty when none was).
    ConsultSearch { query: String },
    /// `/consult assign|answer|close|reopen|withdraw|out-of-scope|approve|carry-over ID`
    /// and `/consult decline ID REASON`.
    ConsultAction {
        action: Action,
        short_id: String,
        reason: Option<String>,
    },
    /// `/quota [YYYY-MM]`.
    Quota { month: Option<YearMonth> },
    /// `/dept` shows, `/dept NAME` sets one's department (所属).
    Department { name: Option<String> },
    /// `/cancel`: abandon the form or question in progress.
    Cancel,
    /// `/meeting`: the next meetings.
    MeetingNext,
    /// `/meeting list [YYYY-MM]`.
    MeetingList { month: Option<YearMonth> },
    /// `/meeting move DATE NEWDATE [HH:MM]`.
    MeetingMove {
        date: NaiveDate,
        to: NaiveDate,
        time: Option<NaiveTime>,
    },
    /// `/meeting cancel DATE`.
    MeetingCancel { date: NaiveDate },
    /// `/meeting set-regular YYYY-MM-DD HH:MM`: this month's regular
    /// meeting on an explicit day.
    MeetingSetRegular { date: NaiveDate, time: NaiveTime },
    /// `/meeting add KIND DATE TIME [場所=…] [URL=…] [議題=…] [時間=分]`: a
    /// 作業会議, 事前説明会, 監査報告会 or 臨時 meeting.
    MeetingAdd(MeetingToAdd),
    /// `/deliverables`: the checklist of the next regular meeting.
    Deliverables,
    /// `/banso export consultations|progress [YYYY-MM] [docx]`, `/banso export kadai|work`:
    /// a file for the requester (handled by `file_exports`).
    Export {
        kind: ExportKind,
        month: Option<YearMonth>,
        docx: bool,
    },
    /// `/work`: every kind of capped work and its count; `/work list KIND`.
    WorkList { kind: Option<String> },
    /// `/work add KIND TITLE [key=value …]`.
    WorkAdd {
        kind: String,
        title: String,
        attributes: Vec<(String, String)>,
    },
    /// `/kadai [list] [open|all]`: the 課題管理表.
    KadaiList { all: bool },
    /// `/kadai add TITLE [owner=…] [due=YYYY-MM-DD] [priority=高|中|低] [meeting=YYYY-MM-DD]`.
    KadaiAdd { fields: KadaiFields },
    /// `/kadai done K-001`.
    KadaiDone { number: i64 },
    /// `/kadai update K-001 [title=…] [owner=…] [due=…] [priority=…] [meeting=…]`.
    KadaiUpdate { number: i64, fields: KadaiFields },
}

/// Which file `/banso export` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Consultations,
    Progress,
    Kadai,
    Work,
}

/// The fields `/kadai add` and `/kadai update` set (`None`: not given).
/// Keys in English or Japanese: `owner=`/`担当=`, `due=`/`期限=`,
/// `priority=`/`優先度=`, `meeting=`/`会議=`, `title=`/`件名=`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KadaiFields {
    pub title: Option<String>,
    pub owner: Option<String>,
    pub due: Option<NaiveDate>,
    pub priority: Option<Priority>,
    pub meeting: Option<NaiveDate>,
}

/// Which consultations `/consult list` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListScope {
    Mine,
    Open,
    All,
}

/// Why a line is not a command; each becomes a message saying what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("empty line")]
    Empty,
    #[error("not a slash command")]
    NotACommand,
    #[error("unknown command /{0}")]
    UnknownCommand(String),
    #[error("not a month: {0}")]
    BadMonth(String),
    #[error("unexpected argument to /{command}: {argument}")]
    UnexpectedArgument { command: String, argument: String },
    #[error("not a consultation id: {0}")]
    BadShortId(String),
    #[error("text of {length} characters is over the limit")]
    TooLong { length: usize },
    #[error("not a date: {0}")]
    BadDate(String),
    #[error("not a time: {0}")]
    BadTime(String),
    #[error("/meeting needs other arguments")]
    MeetingUsage,
    #[error("unknown /consult subcommand {0}")]
    UnknownConsultSubcommand(String),
    #[error("/kadai needs other arguments")]
    KadaiUsage,
    #[error("/work needs other arguments")]
    WorkUsage,
    #[error("/banso export needs other arguments")]
    ExportUsage,
    #[error("not a priority: {0}")]
    BadPriority(String),
    #[error("an issue title of {length} characters is over the limit")]
    KadaiTitleTooLong { length: usize },
}

/// Parses one line as typed in chat.
pub fn parse(line: &str) -> Result<Command, ParseError> {
    let line = line.trim();
    if line.is_empty() {
        return Err(ParseError::Empty);
    }
    let Some(rest) = line.strip_prefix('/') else {
        return Err(ParseError::NotACommand);
    };
    let (name, argument_text) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let argument_text = argument_text.trim();
    let arguments: Vec<&str> = argument_text.split_whitespace().collect();
    match name {
        "calendar" => parse_month_command(name, &arguments, |month| Command::Calendar { month }),
        "quota" => parse_month_command(name, &arguments, |month| Command::Quota { month }),
        "consult" => parse_consult(argument_text, &arguments),
        "dept" => Ok(Command::Department {
            name: (!argument_text.is_empty()).then(|| argument_text.to_owned()),
        }),
        "cancel" => no_arguments(name, &arguments, Command::Cancel),
        "meeting" => parse_meeting(&arguments),
        "deliverables" => no_arguments(name, &arguments, Command::Deliverables),
        "kadai" => parse_kadai(&arguments),
        "work" => parse_work(&arguments),
        "help" => no_arguments(name, &arguments, Command::Help),
        "banso" => match arguments.as_slice() {
            [] | ["help"] => Ok(Command::Help),
            ["export", rest @ ..] => parse_export(rest),
            // In Slack, `/dept` is not one of the app's slash commands.
            ["dept", ..] => {
                let name = argument_text["dept".len()..].trim();
                Ok(Command::Department {
                    name: (!name.is_empty()).then(|| name.to_owned()),
                })
            }
            [other, ..] => Err(unexpected(name, other)),
        },
        other => Err(ParseError::UnknownCommand(other.to_owned())),
    }
}

fn parse_month_command(
    name: &str,
    arguments: &[&str],
    build: fn(Option<YearMonth>) -> Command,
) -> Result<Command, ParseError> {
    match arguments {
        [] => Ok(build(None)),
        [month] => month
            .parse()
            .map(|month| build(Some(month)))
            .map_err(|_| ParseError::BadMonth((*month).to_owned())),
        [_, extra, ..] => Err(unexpected(name, extra)),
    }
}

/// `/consult` subcommands are recognised only in their exact shapes, so a
/// consultation that happens to start with "list" or "show" is still
/// recorded as text.
fn parse_consult(text: &str, arguments: &[&str]) -> Result<Command, ParseError> {
    let length = text.chars().count();
    if length > MAX_TEXT_CHARS {
        return Err(ParseError::TooLong { length });
    }
    match arguments {
        [] => Ok(Command::ConsultForm),
        ["list"] => Ok(Command::ConsultList { scope: None }),
        ["list", scope] if list_scope(scope).is_some() => Ok(Command::ConsultList {
            scope: list_scope(scope),
        }),
        ["show", id] => Ok(Command::ConsultShow {
            short_id: short_id(id)?,
        }),
        ["search", ..] => Ok(Command::ConsultSearch {
            query: rest_after(text, 1).to_owned(),
        }),
        ["decline", id, ..] if looks_like_short_id(id) => {
            // Without a reason the bot asks for one, as it does for the button.
            let reason = arguments[2..].join(" ");
            let reason = (!reason.is_empty()).then_some(reason);
            Ok(Command::ConsultAction {
                action: Action::Decline,
                short_id: short_id(id)?,
                reason,
            })
        }
        [word, id] if action_word(word).is_some() && looks_like_short_id(id) => {
            Ok(Command::ConsultAction {
                action: action_word(word).expect("checked above"),
                short_id: short_id(id)?,
                reason: None,
            })
        }
        // `assing 2406-003`: a mistyped subcommand, not a question — recording
        // it would count a typo against the city's quota.
        [word, id] if is_subcommand_shaped(word) && looks_like_short_id(id) => {
            match did_you_mean(arguments) {
                Some(suggestion) => Ok(Command::ConsultDidYouMean {
                    text: text.to_owned(),
                    suggestion,
                }),
                None => Err(ParseError::UnknownConsultSubcommand((*word).to_owned())),
            }
        }
        // `answer ID 本文`: the advice itself, kept in the history and
        // sent to the requester (仕様書 4(1)ア(ｱ)).
        // `reopen ID 本文`: the requester's follow-up question.
        [word @ ("answer" | "reopen"), id, _, ..] if looks_like_short_id(id) => {
            Ok(Command::ConsultAction {
                action: action_word(word).expect("an action word"),
                short_id: short_id(id)?,
                reason: Some(rest_after(text, 2).to_owned()),
            })
        }
        // Any other action takes the id alone: more words are refused, not
        // recorded as a consultation about them.
        [word, id, extra, ..] if action_word(word).is_some() && looks_like_short_id(id) => {
            Err(ParseError::UnexpectedArgument {
                command: format!("consult {word}"),
                argument: (*extra).to_owned(),
            })
        }
        _ => Ok(match did_you_mean(arguments) {
            Some(suggestion) => Command::ConsultDidYouMean {
                text: text.to_owned(),
                suggestion,
            },
            None => Command::Consult {
                text: text.to_owned(),
            },
        }),
    }
}

/// `text` after its first `words` words, as typed (its line breaks
/// kept).
fn rest_after(text: &str, words: usize) -> &str {
    let mut rest = text.trim_start();
    for _ in 0..words {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        rest = rest[end..].trim_start();
    }
    rest.trim_end()
}

/// Every `/consult` subcommand, as typed.
const CONSULT_SUBCOMMANDS: &[&str] = &[
    "list",
    "show",
    "search",
    "assign",
    "answer",
    "close",
    "reopen",
    "withdraw",
    "out-of-scope",
    "approve",
    "carry-over",
    "decline",
];

/// The command a `/consult` line seems to have meant, when it is not one:
/// its first word one or two typing slips from a subcommand, `list`'s
/// scope likewise, or a receipt number alone.
fn did_you_mean(arguments: &[&str]) -> Option<String> {
    match arguments {
        [id] if looks_like_short_id(id) => Some(format!("/consult show {}", short_id(id).ok()?)),
        ["list", scope] => {
            near_miss(scope, &["mine", "open", "all"]).map(|scope| format!("/consult list {scope}"))
        }
        [word, rest @ ..] => {
            let meant = near_miss(word, CONSULT_SUBCOMMANDS)?;
            let rest: Vec<String> = rest
                .iter()
                .map(|argument| {
                    if looks_like_short_id(argument) {
                        short_id(argument).unwrap_or_else(|_| (*argument).to_owned())
                    } else {
                        (*argument).to_owned()
                    }
                })
                .collect();
            Some(
                std::iter::once(format!("/consult {meant}"))
                    .chain(rest)
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        }
        [] => None,
    }
}

/// The word of `candidates` that `typed` is a slip of: Latin letters
/// (and `-`) within one edit of it for words of up to five letters, two
/// for longer ones, a swap of two neighbours counting as one (`lsit`,
/// `mien`, `shwo`, `answr`). A candidate typed exactly is no slip; a
/// short acronym (`SSO`, `AWS`) is too far from every subcommand to be
/// taken for one.
fn near_miss(typed: &str, candidates: &[&'static str]) -> Option<&'static str> {
    let typed = typed.to_ascii_lowercase();
    if typed.chars().count() < 3 || !typed.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
        return None;
    }
    let limit = if typed.chars().count() <= 5 { 1 } else { 2 };
    candidates
        .iter()
        .filter(|candidate| **candidate != typed)
        .map(|candidate| (edit_distance(&typed, candidate), *candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// The optimal string alignment distance: insertions, deletions,
/// substitutions and swaps of two neighbouring letters, one each.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

fn is_subcommand_shaped(word: &str) -> bool {
    !word.is_empty() && word.chars().all(|c| c.is_ascii_lowercase() || c == '-')
}

fn parse_meeting(arguments: &[&str]) -> Result<Command, ParseError> {
    match arguments {
        ["add", rest @ ..] => parse_meeting_add(rest),
        [] => Ok(Command::MeetingNext),
        ["list"] => Ok(Command::MeetingList { month: None }),
        ["list", month] => month
            .parse()
            .map(|month| Command::MeetingList { month: Some(month) })
            .map_err(|_| ParseError::BadMonth((*month).to_owned())),
        ["move", date, to] => Ok(Command::MeetingMove {
            date: date_argument(date)?,
            to: date_argument(to)?,
            time: None,
        }),
        ["move", date, to, time] => Ok(Command::MeetingMove {
            date: date_argument(date)?,
            to: date_argument(to)?,
            time: Some(time_argument(time)?),
        }),
        ["cancel", date] => Ok(Command::MeetingCancel {
            date: date_argument(date)?,
        }),
        ["set-regular", date, time] => Ok(Command::MeetingSetRegular {
            date: date_argument(date)?,
            time: time_argument(time)?,
        }),
        _ => Err(ParseError::MeetingUsage),
    }
}

/// `2024-06-11`, also with `/` or full-width digits as an input method
/// may type them.
fn date_argument(raw: &str) -> Result<NaiveDate, ParseError> {
    let normalised: String = normalise_short_id(raw)
        .chars()
        .map(|c| if c == '/' || c == '／' { '-' } else { c })
        .collect();
    NaiveDate::parse_from_str(&normalised, "%Y-%m-%d")
        .map_err(|_| ParseError::BadDate(raw.to_owned()))
}

fn time_argument(raw: &str) -> Result<NaiveTime, ParseError> {
    let normalised: String = normalise_short_id(raw)
        .chars()
        .map(|c| if c == '：' { ':' } else { c })
        .collect();
    NaiveTime::parse_from_str(&normalised, "%H:%M").map_err(|_| ParseError::BadTime(raw.to_owned()))
}

fn list_scope(word: &str) -> Option<ListScope> {
    match word {
        "mine" => Some(ListScope::Mine),
        "open" => Some(ListScope::Open),
        "all" => Some(ListScope::All),
        _ => None,
    }
}

fn action_word(word: &str) -> Option<Action> {
    Some(match word {
        "assign" => Action::Assign,
        "answer" => Action::Answer,
        "close" => Action::Close,
        "reopen" => Action::Reopen,
        "withdraw" => Action::Withdraw,
        "out-of-scope" => Action::MarkOutOfScope,
        "approve" => Action::ApproveException,
        "carry-over" => Action::CarryOver,
        _ => return None,
    })
}

/// Staff type ids as they hear them, often with full-width digits from a
/// Japanese input method: `２４０６－００３` is `2406-003`.
pub fn normalise_short_id(raw: &str) -> String {
    raw.trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '－' | '‐' | 'ー' | '−' => '-',
            other => other,
        })
        .collect()
}

fn looks_like_short_id(raw: &str) -> bool {
    let id = normalise_short_id(raw);
    let Some((month, number)) = id.split_once('-') else {
        return false;
    };
    month.len() == 4
        && !number.is_empty()
        && number.len() <= 6
        && (month.chars().chain(number.chars())).all(|c| c.is_ascii_digit())
}

/// A short id as banso writes it: the number with at least three digits,
/// so `2612-1` (as it may be read out on the phone) and `2612-0001` are
/// both `2612-001`.
fn short_id(raw: &str) -> Result<String, ParseError> {
    let canonical = looks_like_short_id(raw)
        .then(|| normalise_short_id(raw))
        .and_then(|id| {
            let (month, number) = id.split_once('-')?;
            let number: u32 = number.parse().ok()?;
            Some(format!("{month}-{number:03}"))
        });
    canonical.ok_or_else(|| ParseError::BadShortId(raw.to_owned()))
}

fn parse_export(arguments: &[&str]) -> Result<Command, ParseError> {
    let (kind, rest) = match arguments {
        ["consultations" | "相談", rest @ ..] => (ExportKind::Consultations, rest),
        ["progress" | "進捗", rest @ ..] => (ExportKind::Progress, rest),
        ["kadai" | "課題"] => (ExportKind::Kadai, &[][..]),
        ["work" | "業務"] => (ExportKind::Work, &[][..]),
        _ => return Err(ParseError::ExportUsage),
    };
    let mut month = None;
    let mut docx = false;
    for word in rest {
        match *word {
            "docx" | "word" if kind == ExportKind::Progress => docx = true,
            "xlsx" | "excel" => {}
            other => {
                month = Some(
                    other
                        .parse()
                        .map_err(|_| ParseError::BadMonth(other.to_owned()))?,
                );
            }
        }
    }
    Ok(Command::Export { kind, month, docx })
}

fn parse_work(arguments: &[&str]) -> Result<Command, ParseError> {
    match arguments {
        [] | ["list"] => Ok(Command::WorkList { kind: None }),
        ["list", kind] => Ok(Command::WorkList {
            kind: Some((*kind).to_owned()),
        }),
        ["add", kind, rest @ ..] => {
            let mut title_words = Vec::new();
            let mut attributes = Vec::new();
            for word in rest {
                match word.split_once('=').or_else(|| word.split_once('＝')) {
                    Some((key, value)) => attributes.push((key.to_owned(), value.to_owned())),
                    None => title_words.push(*word),
                }
            }
            if title_words.is_empty() {
                return Err(ParseError::WorkUsage);
            }
            let title = title_words.join(" ");
            if title.chars().count() > kadai::MAX_TITLE_CHARS {
                return Err(ParseError::KadaiTitleTooLong {
                    length: title.chars().count(),
                });
            }
            Ok(Command::WorkAdd {
                kind: (*kind).to_owned(),
                title,
                attributes,
            })
        }
        _ => Err(ParseError::WorkUsage),
    }
}

fn parse_kadai(arguments: &[&str]) -> Result<Command, ParseError> {
    match arguments {
        [] | ["list"] | ["list", "open"] | ["open"] => Ok(Command::KadaiList { all: false }),
        ["list", "all"] | ["all"] => Ok(Command::KadaiList { all: true }),
        ["add", rest @ ..] => {
            let fields = kadai_fields(rest, true)?;
            if fields.title.is_none() {
                return Err(ParseError::KadaiUsage);
            }
            Ok(Command::KadaiAdd { fields })
        }
        ["done", id] => Ok(Command::KadaiDone {
            number: kadai::parse_label(id).ok_or(ParseError::KadaiUsage)?,
        }),
        ["update", id, rest @ ..] if !rest.is_empty() => Ok(Command::KadaiUpdate {
            number: kadai::parse_label(id).ok_or(ParseError::KadaiUsage)?,
            fields: kadai_fields(rest, false)?,
        }),
        _ => Err(ParseError::KadaiUsage),
    }
}

/// `key=value` words set a field; with `bare_title`, the other words are
/// the title (for `add`); otherwise a word without a key is an error.
fn kadai_fields(words: &[&str], bare_title: bool) -> Result<KadaiFields, ParseError> {
    let mut fields = KadaiFields::default();
    let mut title_words = Vec::new();
    for word in words {
        let Some((key, value)) = word.split_once('=').or_else(|| word.split_once('＝')) else {
            if bare_title {
                title_words.push(*word);
                continue;
            }
            return Err(ParseError::KadaiUsage);
        };
        // `2024-06-20`, `2024/06/20` or full-width, as for every date.
        let date = date_argument;
        match key {
            "owner" | "担当" if !value.is_empty() => fields.owner = Some(value.to_owned()),
            "due" | "期限" => fields.due = Some(date(value)?),
            "meeting" | "会議" => fields.meeting = Some(date(value)?),
            "priority" | "優先度" => {
                fields.priority = Some(
                    Priority::parse(value)
                        .ok_or_else(|| ParseError::BadPriority(value.to_owned()))?,
                );
            }
            "title" | "件名" if !value.is_empty() => fields.title = Some(value.to_owned()),
            _ => return Err(ParseError::KadaiUsage),
        }
    }
    if !title_words.is_empty() {
        let title = title_words.join(" ");
        if title.chars().count() > kadai::MAX_TITLE_CHARS {
            return Err(ParseError::KadaiTitleTooLong {
                length: title.chars().count(),
            });
        }
        fields.title = Some(title);
    }
    Ok(fields)
}

fn no_arguments(name: &str, arguments: &[&str], command: Command) -> Result<Command, ParseError> {
    match arguments.first() {
        None => Ok(command),
        Some(extra) => Err(unexpected(name, extra)),
    }
}

fn unexpected(command: &str, argument: &str) -> ParseError {
    ParseError::UnexpectedArgument {
        command: command.to_owned(),
        argument: argument.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kadai_dates_are_read_as_people_type_them() {
        for typed in [
            "期限=２０２４－０６－２０",
            "期限=2024/06/20",
            "due=２０２４／０６／２０",
        ] {
            let Ok(Command::KadaiAdd { fields }) = parse(&format!("/kadai add 研修資料 {typed}"))
            else {
                panic!("{typed}");
            };
            assert_eq!(fields.due, NaiveDate::from_ymd_opt(2024, 6, 20), "{typed}");
        }
    }

    #[test]
    fn slips_of_a_subcommand_are_told_from_words_that_are_consultations() {
        for (typed, meant) in [
            ("lsit", "list"),
            ("shwo", "show"),
            ("answr", "answer"),
            ("Lsit", "list"),
            ("asign", "assign"),
            ("withdrwa", "withdraw"),
            ("carryover", "carry-over"),
            ("slow", "show"),
        ] {
            assert_eq!(
                near_miss(typed, CONSULT_SUBCOMMANDS),
                Some(meant),
                "{typed}"
            );
        }
        for typed in [
            "SSO",
            "AWS",
            "VPN",
            "list",
            "answer",
            "ok",
            "メール",
            "hello",
            "lists2",
        ] {
            assert_eq!(near_miss(typed, CONSULT_SUBCOMMANDS), None, "{typed}");
        }
        assert_eq!(near_miss("mien", &["mine", "open", "all"]), Some("mine"));
        assert_eq!(edit_distance("mien", "mine"), 1, "a swap is one edit");
        assert_eq!(edit_distance("sso", "show"), 2);
    }

    #[test]
    fn a_consult_line_that_seems_a_mistyped_command_is_a_question_back() {
        let asked = |line: &str| match parse(line) {
            Ok(Command::ConsultDidYouMean { suggestion, .. }) => Some(suggestion),
            _ => None,
        };
        assert_eq!(asked("/consult lsit").as_deref(), Some("/consult list"));
        assert_eq!(
            asked("/consult list mien").as_deref(),
            Some("/consult list mine")
        );
        assert_eq!(
            asked("/consult ２４０６－００３").as_deref(),
            Some("/consult show 2406-003")
        );
        assert_eq!(
            asked("/consult assing 2406-3").as_deref(),
            Some("/consult assign 2406-003")
        );
        assert_eq!(asked("/consult SSO の導入"), None);
        assert_eq!(asked("/consult list の出し方を教えて"), None);
        assert_eq!(
            parse("/consult answer 2406-001 電話で回答しました\n補足です"),
            Ok(Command::ConsultAction {
                action: Action::Answer,
                short_id: "2406-001".into(),
                reason: Some("電話で回答しました\n補足です".into()),
            })
        );
        assert!(matches!(
            parse("/consult close 2406-001 ありがとう"),
            Err(ParseError::UnexpectedArgument { .. })
        ));
    }

    fn month(text: &str) -> Option<YearMonth> {
        Some(text.parse().unwrap())
    }

    fn act(action: Action, id: &str) -> Result<Command, ParseError> {
        Ok(Command::ConsultAction {
            action,
            short_id: id.into(),
            reason: None,
        })
    }

    #[test]
    fn parses_commands_table() {
        let cases: Vec<(&str, Result<Command, ParseError>)> = vec![
            ("/calendar", Ok(Command::Calendar { month: None })),
            (
                "/calendar 2025-01",
                Ok(Command::Calendar {
                    month: month("2025-01"),
                }),
            ),
            (
                "  /calendar   2024-6  ",
                Ok(Command::Calendar {
                    month: month("2024-06"),
                }),
            ),
            (
                "/calendar 2025-13",
                Err(ParseError::BadMonth("2025-13".into())),
            ),
            (
                "/calendar 2025-01 extra",
                Err(ParseError::UnexpectedArgument {
                    command: "calendar".into(),
                    argument: "extra".into(),
                }),
            ),
            ("/quota", Ok(Command::Quota { month: None })),
            (
                "/quota 2024-06",
                Ok(Command::Quota {
                    month: month("2024-06"),
                }),
            ),
            ("/quota June", Err(ParseError::BadMonth("June".into()))),
            ("/help", Ok(Command::Help)),
            ("/banso", Ok(Command::Help)),
            ("/banso help", Ok(Command::Help)),
            ("/cancel", Ok(Command::Cancel)),
            ("/dept", Ok(Command::Department { name: None })),
            ("/kadai", Ok(Command::KadaiList { all: false })),
            ("/work", Ok(Command::WorkList { kind: None })),
            (
                "/banso export progress 2024-06 docx",
                Ok(Command::Export {
                    kind: ExportKind::Progress,
                    month: Some("2024-06".parse().unwrap()),
                    docx: true,
                }),
            ),
            (
                "/banso export kadai",
                Ok(Command::Export {
                    kind: ExportKind::Kadai,
                    month: None,
                    docx: false,
                }),
            ),
            ("/banso export everything", Err(ParseError::ExportUsage)),
            (
                "/banso export consultations 2024-13",
                Err(ParseError::BadMonth("2024-13".into())),
            ),
            (
                "/work list site_audit",
                Ok(Command::WorkList {
                    kind: Some("site_audit".into()),
                }),
            ),
            (
                "/work add procurement_review 基幹系更改 区分=c 金額=35000",
                Ok(Command::WorkAdd {
                    kind: "procurement_review".into(),
                    title: "基幹系更改".into(),
                    attributes: vec![("区分".into(), "c".into()), ("金額".into(), "35000".into())],
                }),
            ),
            ("/work add site_audit", Err(ParseError::WorkUsage)),
            ("/kadai list all", Ok(Command::KadaiList { all: true })),
            (
                "/kadai add 研修資料の確認 担当=U0SATO 期限=2024-06-21 優先度=高",
                Ok(Command::KadaiAdd {
                    fields: KadaiFields {
                        title: Some("研修資料の確認".into()),
                        owner: Some("U0SATO".into()),
                        due: Some(NaiveDate::from_ymd_opt(2024, 6, 21).unwrap()),
                        priority: Some(Priority::High),
                        meeting: None,
                    },
                }),
            ),
            ("/kadai add 担当=U0SATO", Err(ParseError::KadaiUsage)),
            (
                "/kadai add x due=2024-13-01",
                Err(ParseError::BadDate("2024-13-01".into())),
            ),
            (
                "/kadai add x priority=urgent",
                Err(ParseError::BadPriority("urgent".into())),
            ),
            ("/kadai done K-003", Ok(Command::KadaiDone { number: 3 })),
            ("/kadai done three", Err(ParseError::KadaiUsage)),
            (
                "/kadai update 3 due=2024-07-01",
                Ok(Command::KadaiUpdate {
                    number: 3,
                    fields: KadaiFields {
                        due: Some(NaiveDate::from_ymd_opt(2024, 7, 1).unwrap()),
                        ..KadaiFields::default()
                    },
                }),
            ),
            ("/kadai update 3 新しい件名", Err(ParseError::KadaiUsage)),
            ("/banso dept", Ok(Command::Department { name: None })),
            (
                "/banso dept 市民局 区政課",
                Ok(Command::Department {
                    name: Some("市民局 区政課".into()),
                }),
            ),
            (
                "/dept 総務局 総務課",
                Ok(Command::Department {
                    name: Some("総務局 総務課".into()),
                }),
            ),
            (
                "/frobnicate now",
                Err(ParseError::UnknownCommand("frobnicate".into())),
            ),
            ("hello", Err(ParseError::NotACommand)),
            ("   ", Err(ParseError::Empty)),
        ];
        for (line, expected) in cases {
            assert_eq!(parse(line), expected, "{line:?}");
        }
    }

    #[test]
    fn parses_consult_table() {
        let text = |t: &str| Ok(Command::Consult { text: t.into() });
        let cases: Vec<(&str, Result<Command, ParseError>)> = vec![
            ("/consult", Ok(Command::ConsultForm)),
            (
                "/consult VPN装置の脆弱性対応について",
                text("VPN装置の脆弱性対応について"),
            ),
            ("/consult  VPN\n二行目 ", text("VPN\n二行目")),
            ("/consult list", Ok(Command::ConsultList { scope: None })),
            (
                "/consult list open",
                Ok(Command::ConsultList {
                    scope: Some(ListScope::Open),
                }),
            ),
            ("/consult list of questions", text("list of questions")),
            (
                "/consult show 2406-003",
                Ok(Command::ConsultShow {
                    short_id: "2406-003".into(),
                }),
            ),
            (
                "/consult show ２４０６－００３",
                Ok(Command::ConsultShow {
                    short_id: "2406-003".into(),
                }),
            ),
            (
                "/consult show 2406-3",
                Ok(Command::ConsultShow {
                    short_id: "2406-003".into(),
                }),
            ),
            (
                "/consult show 2406-0012",
                Ok(Command::ConsultShow {
                    short_id: "2406-012".into(),
                }),
            ),
            ("/consult close 2406-1234", act(Action::Close, "2406-1234")),
            ("/consult show me", Err(ParseError::BadShortId("me".into()))),
            ("/consult show me the way", text("show me the way")),
            ("/consult assign 2406-003", act(Action::Assign, "2406-003")),
            (
                "/consult out-of-scope 2406-003",
                act(Action::MarkOutOfScope, "2406-003"),
            ),
            (
                "/consult carry-over 2406-011",
                act(Action::CarryOver, "2406-011"),
            ),
            (
                "/consult withdraw 2406-001",
                act(Action::Withdraw, "2406-001"),
            ),
            (
                "/consult close the firewall port?",
                text("close the firewall port?"),
            ),
            (
                "/consult decline 2406-012 今月は対象外の内容のため",
                Ok(Command::ConsultAction {
                    action: Action::Decline,
                    short_id: "2406-012".into(),
                    reason: Some("今月は対象外の内容のため".into()),
                }),
            ),
            (
                "/consult decline 2406-012",
                Ok(Command::ConsultAction {
                    action: Action::Decline,
                    short_id: "2406-012".into(),
                    reason: None,
                }),
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(parse(line), expected, "{line:?}");
        }
    }

    #[test]
    fn parses_meeting_table() {
        let date = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        let time = |text: &str| NaiveTime::parse_from_str(text, "%H:%M").unwrap();
        let cases: Vec<(&str, Result<Command, ParseError>)> = vec![
            ("/meeting", Ok(Command::MeetingNext)),
            ("/meeting list", Ok(Command::MeetingList { month: None })),
            (
                "/meeting list 2024-06",
                Ok(Command::MeetingList {
                    month: month("2024-06"),
                }),
            ),
            (
                "/meeting move 2024-06-11 2024-06-12",
                Ok(Command::MeetingMove {
                    date: date("2024-06-11"),
                    to: date("2024-06-12"),
                    time: None,
                }),
            ),
            (
                "/meeting move 2024/06/11 ２０２４－０６－１３ 14:30",
                Ok(Command::MeetingMove {
                    date: date("2024-06-11"),
                    to: date("2024-06-13"),
                    time: Some(time("14:30")),
                }),
            ),
            (
                "/meeting cancel 2024-06-11",
                Ok(Command::MeetingCancel {
                    date: date("2024-06-11"),
                }),
            ),
            (
                "/meeting set-regular 2024-07-10 10:00",
                Ok(Command::MeetingSetRegular {
                    date: date("2024-07-10"),
                    time: time("10:00"),
                }),
            ),
            (
                "/meeting move 2024-06-31 2024-07-01",
                Err(ParseError::BadDate("2024-06-31".into())),
            ),
            (
                "/meeting set-regular 2024-07-10 25:00",
                Err(ParseError::BadTime("25:00".into())),
            ),
            ("/meeting postpone", Err(ParseError::MeetingUsage)),
            ("/deliverables", Ok(Command::Deliverables)),
        ];
        for (line, expected) in cases {
            assert_eq!(parse(line), expected, "{line:?}");
        }
    }

    #[test]
    fn an_added_meeting_is_read_with_its_fields_as_typed() {
        use crate::domain::meeting::MeetingKind;
        let added = |kind, minutes, place: Option<&str>, agenda: Option<&str>| {
            Ok(Command::MeetingAdd(MeetingToAdd {
                kind,
                date: NaiveDate::from_ymd_opt(2024, 6, 20).unwrap(),
                time: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
                place: place.map(str::to_owned),
                url: None,
                agenda: agenda.map(str::to_owned),
                minutes,
            }))
        };
        let cases = [
            (
                "/meeting add 作業会議 2024-06-20 10:00",
                added(MeetingKind::Work, None, None, None),
            ),
            (
                "/meeting add briefing 2024/06/20 10:00 場所=本庁舎 5階 議題=説明 と質疑 時間=９０分",
                added(
                    MeetingKind::Briefing,
                    Some(90),
                    Some("本庁舎 5階"),
                    Some("説明 と質疑"),
                ),
            ),
            (
                "/meeting add 臨時 2024-06-20 10:00 議題＝障害の振り返り",
                added(MeetingKind::Extra, None, None, Some("障害の振り返り")),
            ),
            (
                "/meeting add 定例 2024-06-20 10:00",
                Err(ParseError::MeetingUsage),
            ),
            (
                "/meeting add 作業会議 2024-06-20",
                Err(ParseError::MeetingUsage),
            ),
            (
                "/meeting add 作業会議 2024-06-20 10:00 余計な語",
                Err(ParseError::MeetingUsage),
            ),
            (
                "/meeting add 作業会議 2024-06-20 10:00 時間=5",
                Err(ParseError::MeetingUsage),
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(parse(line), expected, "{line:?}");
        }
    }

    #[test]
    fn text_over_the_limit_is_refused_whole() {
        let at_limit = format!("/consult {}", "あ".repeat(MAX_TEXT_CHARS));
        assert!(matches!(parse(&at_limit), Ok(Command::Consult { .. })));
        let over = format!("/consult {}", "あ".repeat(MAX_TEXT_CHARS + 1));
        assert_eq!(
            parse(&over),
            Err(ParseError::TooLong {
                length: MAX_TEXT_CHARS + 1
            })
        );
    }
}
