//! The use cases: a command or button press comes in, the domain decides,
//! the store remembers, and outgoing messages go back. Platform-neutral: the
//! Slack and console adapters both drive this same core.
//!
//! Replies to the person who acted come back from `handle_*` directly (in
//! Slack: ephemeral). Everything a state change causes — confirmations,
//! team notices, alerts — is queued in the store's outbox in the same
//! transaction, and adapters deliver it from there.

pub mod buttons;
pub mod calendar_queries;
pub mod clock;
pub mod command;
pub mod consultations;
pub mod exports;
pub mod file_exports;
pub mod home;
pub mod kadai;
pub mod meetings;
pub mod purge;
pub mod roles;
pub mod texts;
pub mod work;

mod month_calendar;
mod quota_report;
pub mod quotas;

use std::sync::Arc;

use serde::Serialize;
use serde_json::json;

use crate::config::Settings;
use crate::domain::calendar::OpenDayCalendar;
use crate::message::{Outgoing, UserId};
use crate::store::{ReplayClaim, Store, StoreError};
use buttons::ButtonAction;
use clock::Clock;
use command::{Command, ParseError};
use consultations::form::{self, Conversation};
use roles::Directory;
use texts::Texts;

/// Everything the core needs, built once at start.
pub struct BotParts {
    pub settings: Arc<Settings>,
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub texts: Arc<Texts>,
}

/// Where a message whose button was pressed is shown, as the adapter saw
/// it: what the message should look like after the press depends on who
/// else sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PressedOn {
    /// A message in a channel, seen by everyone there (a reminder in the
    /// meetings channel, a card in the team channel).
    ChannelMessage,
    /// A message only the presser sees (a direct message, an answer shown
    /// to them alone).
    PersonalMessage,
}

/// The bot core. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Bot {
    settings: Arc<Settings>,
    calendar: Arc<OpenDayCalendar>,
    directory: Arc<Directory>,
    store: Store,
    clock: Arc<dyn Clock>,
    texts: Arc<Texts>,
    jobs_changed: Arc<tokio::sync::Notify>,
}

impl Bot {
    pub fn new(parts: BotParts) -> Self {
        let calendar = Arc::new(open_day_calendar(&parts.settings));
        let directory = Arc::new(Directory::new(
            parts.settings.roles.clone(),
            parts.settings.channels.clone(),
        ));
        Self {
            settings: parts.settings,
            calendar,
            directory,
            store: parts.store,
            clock: parts.clock,
            texts: parts.texts,
            jobs_changed: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Notified whenever the reminder plan changes, so a sleeping
    /// scheduler looks again.
    pub fn jobs_changed(&self) -> Arc<tokio::sync::Notify> {
        self.jobs_changed.clone()
    }

    /// Handles one line a user typed and returns the direct replies. A
    /// failure of the store is logged and answered, never shown raw.
    pub async fn handle_text(&self, user: &UserId, line: &str) -> Vec<Outgoing> {
        match self.dispatch_text(user, line).await {
            Ok(replies) => replies,
            Err(error) => self.internal_error(user, &error),
        }
    }

    /// A line that came in a signed request, which must take effect at
    /// most once (Slack's signature may be replayed within its five
    /// minutes): a quick consultation (`/consult <text>`) takes the
    /// request's claim in its own transaction, one commit for both;
    /// anything else claims it first. `None` for a replay, which does
    /// nothing; an error if the claim could not be taken.
    pub async fn handle_text_once(
        &self,
        user: &UserId,
        line: &str,
        claim: &ReplayClaim,
    ) -> Result<Option<Vec<Outgoing>>, StoreError> {
        let line = line.trim();
        // A slash command's line: no dialogue answer (`dispatch_text`).
        if line.starts_with('/')
            && let Ok(Command::Consult { text }) = command::parse(line)
        {
            return Ok(
                match consultations::record_quick(self, user, &text, Some(claim)).await {
                    Ok(replies) => Some(replies),
                    Err(error) if matches!(error.downcast_ref(), Some(StoreError::Replayed)) => {
                        None
                    }
                    Err(error) => Some(self.internal_error(user, &error)),
                },
            );
        }
        if !self
            .store
            .claim_signed_request(&claim.signature, claim.sent_at)
            .await?
        {
            return Ok(None);
        }
        Ok(Some(self.handle_text(user, line).await))
    }

    /// Records a chat message as a consultation from `user` (Slack's
    /// 「セキュリティ相談として登録」 shortcut), with a link back to it.
    pub async fn consult_from_message(
        &self,
        user: &UserId,
        text: &str,
        link: Option<&str>,
    ) -> Vec<Outgoing> {
        let text = text.trim();
        if text.is_empty() {
            return self.reply(user, "form/empty", json!({}));
        }
        let details = self.texts.render(
            "consult/from_message",
            json!({ "text": text, "link": link }),
        );
        let length = details.chars().count();
        if length > crate::domain::consultation::MAX_TEXT_CHARS {
            let limit = crate::domain::consultation::MAX_TEXT_CHARS;
            return self.reply(
                user,
                "consult/too_long",
                json!({ "length": length, "limit": limit }),
            );
        }
        match consultations::record_quick(self, user, &details, None).await {
            Ok(replies) => replies,
            Err(error) => self.internal_error(user, &error),
        }
    }

    /// How the message whose button `user` pressed should look now, for
    /// whoever sees it: a consultation's card with its new state, a
    /// deliverables reminder in a channel with its checklist as it stands.
    /// `None` when it stays as it is (other buttons, a reminder's checklist
    /// shown to the presser alone, which the reply to the press repeats,
    /// or a card the user may not see). The adapter replaces the pressed
    /// message with it.
    pub async fn message_after_press(
        &self,
        user: &UserId,
        action: &ButtonAction,
        value: &str,
        pressed_on: PressedOn,
    ) -> Option<Outgoing> {
        match action {
            ButtonAction::Consultation(_) => self.card_after_press(user, value).await,
            ButtonAction::DeliverableSubmit
            | ButtonAction::DeliverableUndo
            | ButtonAction::Drafts
                if pressed_on == PressedOn::ChannelMessage =>
            {
                let meeting_key = value.split_once('|').map_or(value, |(key, _)| key);
                meetings::deliverables::channel_message_now(self, meeting_key)
                    .await
                    .unwrap_or_else(|error| {
                        tracing::error!(
                            error = format!("{error:#}"),
                            "could not redraw a reminder"
                        );
                        None
                    })
            }
            _ => None,
        }
    }

    /// A consultation's card after a press on it, as `user` may see it.
    async fn card_after_press(&self, user: &UserId, value: &str) -> Option<Outgoing> {
        let consultation = self.store.consultation_by_short_id(value).await.ok()??;
        let role = self.directory.role_of(user);
        let is_requester = consultation.requester == user.as_str();
        if !role.is_team() && !is_requester {
            return None;
        }
        Some(consultations::notices::card(
            self,
            &consultation,
            is_requester && !role.is_team(),
        ))
    }

    /// Handles a press of a button the core sent earlier.
    pub async fn handle_button(
        &self,
        user: &UserId,
        action: &ButtonAction,
        value: &str,
    ) -> Vec<Outgoing> {
        match self.dispatch_button(user, action, value).await {
            Ok(replies) => replies,
            Err(error) => self.internal_error(user, &error),
        }
    }

    async fn dispatch_text(&self, user: &UserId, line: &str) -> anyhow::Result<Vec<Outgoing>> {
        let line = line.trim();
        if !line.is_empty()
            && !line.starts_with('/')
            && let Some(conversation) = self.conversation(user).await?
        {
            return form::answer(self, user, conversation, line).await;
        }
        match command::parse(line) {
            Ok(command) => self.apply(user, command).await,
            Err(error) => Ok(self.explain_parse_error(user, &error)),
        }
    }

    /// The quota, meeting, issue-table and capped-work commands run in
    /// futures of their own on the heap, so that the future every
    /// `/consult` takes does not grow with them.
    async fn apply(&self, user: &UserId, command: Command) -> anyhow::Result<Vec<Outgoing>> {
        match command {
            Command::Calendar { month } => {
                Ok(self.reply_text(user, month_calendar::render(self, month)))
            }
            Command::Help => Ok(self.help(user)),
            Command::Consult { text } => consultations::record_quick(self, user, &text, None).await,
            Command::ConsultForm => form::start(self, user).await,
            Command::ConsultDidYouMean { text, suggestion } => {
                Ok(consultations::did_you_mean(self, user, &text, &suggestion))
            }
            Command::ConsultList { scope } => consultations::list(self, user, scope).await,
            Command::ConsultShow { short_id } => consultations::show(self, user, &short_id).await,
            Command::ConsultSearch { query } => {
                consultations::search::search(self, user, &query).await
            }
            Command::ConsultAction {
                action,
                short_id,
                reason,
            } => consultations::act(self, user, action, &short_id, reason.as_deref()).await,
            Command::Quota { month } => Box::pin(quota_report::render(self, user, month)).await,
            Command::Department { name: Some(name) } => self.set_department(user, &name).await,
            Command::Department { name: None } => {
                let department = self.department_of(user).await?;
                Ok(self.reply(
                    user,
                    "consult/department_current",
                    json!({ "department": department }),
                ))
            }
            Command::MeetingNext => Box::pin(meetings::commands::next(self, user)).await,
            Command::MeetingList { month } => {
                Box::pin(meetings::commands::list(self, user, month)).await
            }
            Command::MeetingMove { date, to, time } => {
                Box::pin(meetings::commands::move_meeting(self, user, date, to, time)).await
            }
            Command::MeetingCancel { date } => {
                Box::pin(meetings::commands::cancel(self, user, date)).await
            }
            Command::MeetingSetRegular { date, time } => {
                Box::pin(meetings::commands::set_regular(self, user, date, time)).await
            }
            Command::MeetingAdd(meeting) => {
                Box::pin(meetings::commands::add(self, user, meeting)).await
            }
            Command::Deliverables => Box::pin(meetings::deliverables::show_next(self, user)).await,
            // Adapters that can deliver a file answer this before it gets
            // here (`file_exports::export_request`).
            Command::Export { .. } => Ok(self.reply(user, "export/no_files_here", json!({}))),
            Command::WorkList { kind } => Box::pin(work::list(self, user, kind.as_deref())).await,
            Command::WorkAdd {
                kind,
                title,
                attributes,
            } => Box::pin(work::add(self, user, &kind, &title, &attributes)).await,
            Command::KadaiList { all } => Box::pin(kadai::list(self, user, all)).await,
            Command::KadaiAdd { fields } => Box::pin(kadai::add(self, user, fields)).await,
            Command::KadaiDone { number } => Box::pin(kadai::done(self, user, number)).await,
            Command::KadaiUpdate { number, fields } => {
                Box::pin(kadai::update(self, user, number, fields)).await
            }
            Command::Cancel => {
                let had = self.conversation(user).await?.is_some();
                self.clear_conversation(user).await?;
                Ok(self.reply(
                    user,
                    if had {
                        "form/cancelled"
                    } else {
                        "form/nothing_to_cancel"
                    },
                    json!({}),
                ))
            }
        }
    }

    async fn dispatch_button(
        &self,
        user: &UserId,
        action: &ButtonAction,
        value: &str,
    ) -> anyhow::Result<Vec<Outgoing>> {
        match action {
            // The answer's words are asked for first (a modal, in Slack).
            ButtonAction::Consultation(crate::domain::consultation::Action::Answer) => {
                return consultations::answer::ask(self, user, value).await;
            }
            ButtonAction::Consultation(action) => {
                return consultations::act(self, user, *action, value, None).await;
            }
            _ => {}
        }
        if *action == ButtonAction::RecordAnyway {
            return consultations::record_anyway(self, user, value).await;
        }
        if action.wants_files() {
            // Adapters that can deliver files answer this before it gets here.
            return Ok(self.reply(user, "export/no_files_here", json!({})));
        }
        if let Some(replies) = meetings::deliverables::press(self, user, action, value).await? {
            return Ok(replies);
        }
        // Only while the form waits for the category: a stale or doubled
        // press must not land in another field.
        if *action == ButtonAction::FormCategory
            && let Some(
                conversation @ Conversation::Form(form::FormState {
                    step: form::FormStep::Category,
                    ..
                }),
            ) = self.conversation(user).await?
        {
            return form::answer(self, user, conversation, value).await;
        }
        // A button of an old or forged message is answered, not ignored.
        Ok(self.reply(
            user,
            "chat/unknown_button",
            json!({ "action": action.code() }),
        ))
    }

    fn explain_parse_error(&self, user: &UserId, error: &ParseError) -> Vec<Outgoing> {
        let (template, context) = match error {
            ParseError::Empty | ParseError::NotACommand => ("chat/help", self.help_context(user)),
            ParseError::UnknownCommand(name) => {
                ("chat/unknown_command", json!({ "command": name }))
            }
            ParseError::BadMonth(value) => ("chat/bad_month", json!({ "value": value })),
            ParseError::UnexpectedArgument { command, argument } => (
                "chat/unexpected_argument",
                json!({ "command": command, "argument": argument }),
            ),
            ParseError::BadShortId(value) => ("consult/bad_short_id", json!({ "value": value })),
            ParseError::BadDate(value) => ("chat/bad_date", json!({ "value": value })),
            ParseError::BadTime(value) => ("chat/bad_time", json!({ "value": value })),
            ParseError::MeetingUsage => ("meeting/usage", json!({})),
            ParseError::UnknownConsultSubcommand(word) => {
                ("consult/unknown_subcommand", json!({ "word": word }))
            }
            ParseError::KadaiUsage => ("kadai/usage", json!({})),
            ParseError::ExportUsage => ("export/usage", json!({})),
            ParseError::WorkUsage => ("work/usage", json!({ "kinds": quotas::work_kinds(self) })),
            ParseError::BadPriority(value) => ("kadai/bad_priority", json!({ "value": value })),
            ParseError::KadaiTitleTooLong { length } => (
                "kadai/title_too_long",
                json!({ "length": length, "limit": crate::domain::kadai::MAX_TITLE_CHARS }),
            ),
            ParseError::TooLong { length } => (
                "consult/too_long",
                json!({ "length": length, "limit": crate::domain::consultation::MAX_TEXT_CHARS }),
            ),
        };
        self.reply(user, template, context)
    }

    /// `/help`: what this person may use.
    fn help(&self, user: &UserId) -> Vec<Outgoing> {
        self.reply(user, "chat/help", self.help_context(user))
    }

    fn help_context(&self, user: &UserId) -> serde_json::Value {
        json!({
            "team": self.directory().role_of(user).is_team(),
            "may_change_meetings": meetings::may_change_meetings(self, user),
            "may_export": file_exports::may_export(self, user),
        })
    }

    fn internal_error(&self, user: &UserId, error: &anyhow::Error) -> Vec<Outgoing> {
        tracing::error!(user = %user, error = format!("{error:#}"), "command failed");
        self.reply(user, "chat/internal_error", json!({}))
    }

    /// A direct reply rendered from a template.
    pub fn reply(&self, user: &UserId, template: &str, context: impl Serialize) -> Vec<Outgoing> {
        self.reply_text(user, self.texts.render(template, context))
    }

    fn reply_text(&self, user: &UserId, text: String) -> Vec<Outgoing> {
        vec![Outgoing::to_user(user, text)]
    }

    /// The department a user told banso, if any.
    pub async fn department_of(&self, user: &UserId) -> anyhow::Result<Option<String>> {
        Ok(self
            .store
            .person(user.as_str())
            .await?
            .and_then(|person| person.department))
    }

    /// Remembers a user's department (and fills it in on their earlier
    /// consultations that lacked it).
    pub async fn set_department(
        &self,
        user: &UserId,
        department: &str,
    ) -> anyhow::Result<Vec<Outgoing>> {
        let department = department.trim();
        if department.is_empty()
            || department.chars().count() > crate::domain::consultation::MAX_TITLE_CHARS
        {
            return Ok(self.reply(user, "consult/bad_department", json!({})));
        }
        // A department from the Slack profile (SLACK_DEPARTMENT_FIELD) is
        // the directory's word, not the person's to change here.
        if let Some(from_slack) = self.store.department_from_slack(user.as_str()).await? {
            return Ok(self.reply(
                user,
                "consult/department_from_slack",
                json!({ "department": from_slack }),
            ));
        }
        let filled = self.store_department(user, department).await?;
        Ok(self.reply(
            user,
            "consult/department_saved",
            json!({ "department": department, "filled": filled }),
        ))
    }

    /// Keeps `user`'s department, and names it in the team notices of
    /// their consultations that went out without it (edited in place).
    pub(crate) async fn store_department(
        &self,
        user: &UserId,
        department: &str,
    ) -> anyhow::Result<u64> {
        let limit = consultations::consultation_limit(self);
        Ok(self
            .store
            .set_department_telling(
                user.as_str(),
                department,
                self.clock.now().timestamp(),
                |filled| consultations::notices::department_known(self, filled, limit),
            )
            .await?)
    }

    async fn ask_decline_reason(
        &self,
        user: &UserId,
        short_id: &str,
    ) -> anyhow::Result<Vec<Outgoing>> {
        self.save_conversation(
            user,
            &Conversation::DeclineReason {
                short_id: short_id.to_owned(),
            },
        )
        .await?;
        Ok(self.reply(
            user,
            "consult/decline_reason_prompt",
            json!({ "short_id": short_id }),
        ))
    }

    /// Asks the requester of `short_id` for the question they want to add.
    async fn ask_follow_up(&self, user: &UserId, short_id: &str) -> anyhow::Result<Vec<Outgoing>> {
        self.save_conversation(
            user,
            &Conversation::FollowUp {
                short_id: short_id.to_owned(),
            },
        )
        .await?;
        Ok(self.reply(
            user,
            "consult/followup_prompt",
            json!({ "short_id": short_id }),
        ))
    }

    /// The dialogue in progress with `user`, unless it has lapsed: a
    /// question left unanswered must not swallow a line typed much later
    /// (a decline's reason after 30 minutes, a form after a day).
    async fn conversation(&self, user: &UserId) -> anyhow::Result<Option<Conversation>> {
        let Some((state, saved_at)) = self.store.conversation(user.as_str()).await? else {
            return Ok(None);
        };
        // A state this version cannot read is dropped, not fatal.
        let Ok(conversation) = serde_json::from_str::<Conversation>(&state) else {
            return Ok(None);
        };
        let age = self.clock.now().timestamp() - saved_at;
        if age > conversation.lifetime_seconds() {
            self.clear_conversation(user).await?;
            return Ok(None);
        }
        Ok(Some(conversation))
    }

    /// A dialogue state as it is stored.
    fn conversation_state(&self, conversation: &Conversation) -> anyhow::Result<String> {
        Ok(serde_json::to_string(conversation)?)
    }

    async fn save_conversation(
        &self,
        user: &UserId,
        conversation: &Conversation,
    ) -> anyhow::Result<()> {
        let state = self.conversation_state(conversation)?;
        self.store
            .save_conversation(user.as_str(), &state, self.clock.now().timestamp())
            .await?;
        Ok(())
    }

    async fn clear_conversation(&self, user: &UserId) -> anyhow::Result<()> {
        self.store.clear_conversation(user.as_str()).await?;
        Ok(())
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Refuses a closed day (休庁日) with its reason and the next open day,
    /// in `template`'s words; `None` for an open day.
    pub(crate) fn refuse_closed_day(
        &self,
        user: &UserId,
        date: chrono::NaiveDate,
        template: &str,
    ) -> Option<Vec<Outgoing>> {
        let reason = self.calendar().closed_reason(date)?;
        let suggestion = self
            .calendar()
            .next_open_day_on_or_after(date)
            .map(|day| day.to_string());
        Some(self.reply(
            user,
            template,
            json!({ "date": date.to_string(), "reason": reason.name_ja(), "reason_code": reason.code(), "suggestion": suggestion }),
        ))
    }

    /// Today in the city's time zone.
    pub fn today(&self) -> chrono::NaiveDate {
        self.clock
            .now()
            .with_timezone(&clock::CITY_TIME_ZONE)
            .date_naive()
    }

    pub fn calendar(&self) -> &OpenDayCalendar {
        &self.calendar
    }

    pub fn directory(&self) -> &Directory {
        &self.directory
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
    OpenDayCalendar::new(settings.calendar.clone())
}
