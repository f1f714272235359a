//! The console's own commands, starting with `:` (README.md, "Two commands").

use chrono::Duration;

use crate::message::UserId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetaCommand {
    /// `:as USER`: act as another user.
    As(UserId),
    /// `:now`: show the clock.
    Now,
    /// `:advance 3d` / `2h` / `30m` / `1d12h`: move the clock forward.
    Advance(Duration),
    /// `:click N`: press button N of the last message shown to this user.
    Click(usize),
    /// `:help`.
    Help,
    /// `:quit` (or `:q`, `:exit`).
    Quit,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetaError {
    #[error("unknown console command {0}")]
    Unknown(String),
    #[error("{0} needs an argument")]
    MissingArgument(String),
    #[error("{command} cannot use {argument}")]
    BadArgument { command: String, argument: String },
}

/// The longest single `:advance`; beyond a contract year it is a typo.
const LONGEST_ADVANCE_DAYS: i64 = 3_660;

pub fn parse_meta(line: &str) -> Result<MetaCommand, MetaError> {
    let mut words = line.split_whitespace();
    let command = words.next().unwrap_or_default();
    let argument = words.next();
    if let Some(extra) = words.next() {
        return Err(bad(command, extra));
    }
    match (command, argument) {
        (":quit" | ":q" | ":exit", None) => Ok(MetaCommand::Quit),
        (":now", None) => Ok(MetaCommand::Now),
        (":help", None) => Ok(MetaCommand::Help),
        (":as", Some(user)) => UserId::parse(user)
            .map(MetaCommand::As)
            .map_err(|_| bad(command, user)),
        (":advance", Some(amount)) => parse_advance(amount)
            .map(MetaCommand::Advance)
            .ok_or_else(|| bad(command, amount)),
        (":click", Some(n)) => match n.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(MetaCommand::Click(n)),
            _ => Err(bad(command, n)),
        },
        (":as" | ":advance" | ":click", None) => {
            Err(MetaError::MissingArgument(command.to_owned()))
        }
        (":quit" | ":q" | ":exit" | ":now" | ":help", Some(extra)) => Err(bad(command, extra)),
        _ => Err(MetaError::Unknown(command.to_owned())),
    }
}

fn bad(command: &str, argument: &str) -> MetaError {
    MetaError::BadArgument {
        command: command.to_owned(),
        argument: argument.to_owned(),
    }
}

/// `3d`, `2h`, `30m`, `90s` and sums such as `1d12h`; positive, at most
/// ten years.
pub fn parse_advance(text: &str) -> Option<Duration> {
    let mut total = Duration::zero();
    let mut digits = String::new();
    for character in text.chars() {
        if character.is_ascii_digit() {
            digits.push(character);
            continue;
        }
        let amount: i64 = digits.parse().ok()?;
        digits.clear();
        let part = match character {
            'd' => Duration::try_days(amount)?,
            'h' => Duration::try_hours(amount)?,
            'm' => Duration::try_minutes(amount)?,
            's' => Duration::try_seconds(amount)?,
            _ => return None,
        };
        total = total.checked_add(&part)?;
    }
    let well_formed = digits.is_empty() && total > Duration::zero();
    (well_formed && total <= Duration::days(LONGEST_ADVANCE_DAYS)).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_meta_commands_table() {
        let user = |name: &str| UserId::parse(name).unwrap();
        let cases: Vec<(&str, Result<MetaCommand, MetaError>)> = vec![
            (":quit", Ok(MetaCommand::Quit)),
            (":q", Ok(MetaCommand::Quit)),
            (":now", Ok(MetaCommand::Now)),
            (":help", Ok(MetaCommand::Help)),
            (":as leader", Ok(MetaCommand::As(user("leader")))),
            (":as", Err(MetaError::MissingArgument(":as".into()))),
            (":advance 3d", Ok(MetaCommand::Advance(Duration::days(3)))),
            (":advance 2h", Ok(MetaCommand::Advance(Duration::hours(2)))),
            (
                ":advance 30m",
                Ok(MetaCommand::Advance(Duration::minutes(30))),
            ),
            (
                ":advance 1d12h",
                Ok(MetaCommand::Advance(Duration::hours(36))),
            ),
            (":advance soon", Err(bad(":advance", "soon"))),
            (":click 2", Ok(MetaCommand::Click(2))),
            (":click 0", Err(bad(":click", "0"))),
            (":now please", Err(bad(":now", "please"))),
            (":as a b", Err(bad(":as", "b"))),
            (":teleport", Err(MetaError::Unknown(":teleport".into()))),
        ];
        for (line, expected) in cases {
            assert_eq!(parse_meta(line), expected, "{line:?}");
        }
    }

    #[test]
    fn advance_amounts_are_positive_and_bounded() {
        for bad_amount in [
            "",
            "0m",
            "3",
            "d",
            "3x",
            "-3d",
            "3 d",
            "4000d",
            "99999999999999999999d",
        ] {
            assert_eq!(parse_advance(bad_amount), None, "{bad_amount:?}");
        }
        assert_eq!(parse_advance("90s"), Some(Duration::seconds(90)));
    }
}
