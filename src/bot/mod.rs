//! The use cases: a command or button press comes in, the domain decides,
//! the store remembers, and outgoing messages go back. Platform-neutral: the
//! Slack and console adapters both drive this same core.

pub mod clock;
pub mod command;
pub mod message;
pub mod texts;

pub mod calendar_queries;
mod month_calendar;

use std::sync::Arc;

use serde_json::json;

use crate::config::Settings;
use crate::domain::calendar::{CalendarRules, OpenDayCalendar};
use crate::store::Store;
use clock::Clock;
use command::{Command, ParseError};
use message::{Outgoing, UserId};
use texts::Texts;

/// Everything the core needs, built once at start.
pub struct BotParts {
    pub settings: Arc<Settings>,
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub texts: Arc<Texts>,
}

/// The bot core. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Bot {
    settings: Arc<Settings>,
    calendar: Arc<OpenDayCalendar>,
    store: Store,
    clock: Arc<dyn Clock>,
    texts: Arc<Texts>,
}

impl Bot {
    pub fn new(parts: BotParts) -> Self {
        let calendar = Arc::new(open_day_calendar(&parts.settings));
        Self {
            settings: parts.settings,
            calendar,
            store: parts.store,
            clock: parts.clock,
            texts: parts.texts,
        }
    }

    /// Handles one line a user typed and returns what to send.
    pub async fn handle_text(&self, user: &UserId, line: &str) -> Vec<Outgoing> {
        let reply = match command::parse(line) {
            Ok(Command::Calendar { month }) => month_calendar::render(self, month),
            Ok(Command::Help) => self.texts.render("chat/help", json!({})),
            Err(error) => self.explain_parse_error(&error),
        };
        vec![Outgoing::to_user(user, reply)]
    }

    /// Handles a press of a button the core sent earlier.
    pub async fn handle_button(&self, user: &UserId, action: &str, _value: &str) -> Vec<Outgoing> {
        // No message carries buttons yet; an action from an old or forged
        // message is answered, not ignored.
        let text = self
            .texts
            .render("chat/unknown_button", json!({ "action": action }));
        vec![Outgoing::to_user(user, text)]
    }

    fn explain_parse_error(&self, error: &ParseError) -> String {
        let (template, context) = match error {
            ParseError::Empty | ParseError::NotACommand => ("chat/help", json!({})),
            ParseError::UnknownCommand(name) => {
                ("chat/unknown_command", json!({ "command": name }))
            }
            ParseError::BadMonth(value) => ("chat/bad_month", json!({ "value": value })),
            ParseError::UnexpectedArgument { command, argument } => (
                "chat/unexpected_argument",
                json!({ "command": command, "argument": argument }),
            ),
        };
        self.texts.render(template, context)
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn calendar(&self) -> &OpenDayCalendar {
        &self.calendar
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    pub fn texts(&self) -> &Texts {
        &self.texts
    }
}

/// The open-day calendar the configuration describes.
pub fn open_day_calendar(settings: &Settings) -> OpenDayCalendar {
    OpenDayCalendar::new(CalendarRules {
        year_end_closure: settings.calendar.year_end_closure,
        extra_closed: settings.calendar.extra_closed.clone(),
        extra_open: settings.calendar.extra_open.clone(),
    })
}
