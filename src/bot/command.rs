//! Chat commands, parsed by pure code before anything is done with them
//! (mini-redis `cmd/`): `parse("/calendar 2025-01")` is a value a test can
//! compare, and applying it is the bot's separate job.

use crate::domain::month::YearMonth;

/// A command a user typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `/calendar [YYYY-MM]`: the month's open and closed days.
    Calendar { month: Option<YearMonth> },
    /// `/help`, `/banso` or `/banso help`.
    Help,
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
    let (name, arguments) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let arguments: Vec<&str> = arguments.split_whitespace().collect();
    match name {
        "calendar" => parse_calendar(&arguments),
        "help" => no_arguments(name, &arguments, Command::Help),
        "banso" => match arguments.as_slice() {
            [] | ["help"] => Ok(Command::Help),
            [other, ..] => Err(unexpected(name, other)),
        },
        other => Err(ParseError::UnknownCommand(other.to_owned())),
    }
}

fn parse_calendar(arguments: &[&str]) -> Result<Command, ParseError> {
    match arguments {
        [] => Ok(Command::Calendar { month: None }),
        [month] => month
            .parse()
            .map(|month| Command::Calendar { month: Some(month) })
            .map_err(|_| ParseError::BadMonth((*month).to_owned())),
        [_, extra, ..] => Err(unexpected("calendar", extra)),
    }
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

    fn month(text: &str) -> Option<YearMonth> {
        Some(text.parse().unwrap())
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
            ("/help", Ok(Command::Help)),
            ("/banso", Ok(Command::Help)),
            ("/banso help", Ok(Command::Help)),
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
}
