//! Dialogues that take more than one line: the consultation form (件名, 所属,
//! 区分, 内容, 希望回答日), the reason for a decline, and the department
//! question. Their state is kept in the store after every answer, so
//! nothing typed is lost to a restart. (In Slack the form is a modal that
//! submits the same fields at once, through [`validate_desired_date`] and
//! the same [`super::record`].)

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::bot::Bot;
use crate::bot::buttons::ButtonAction;
use crate::domain::calendar::OpenDayCalendar;
use crate::domain::consultation::{Action, Category, MAX_TEXT_CHARS, MAX_TITLE_CHARS};
use crate::message::{Button, Outgoing, UserId};
use crate::store::ConsultationDraft;

/// A dialogue in progress with one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Conversation {
    Form(FormState),
    DeclineReason {
        short_id: String,
    },
    /// The requester's follow-up question on an answered consultation.
    FollowUp {
        short_id: String,
    },
    /// A consultant's answer, asked for by 回答する where no modal opens.
    Answer {
        short_id: String,
    },
    Department,
}

impl Conversation {
    /// How long an unanswered dialogue stays open.
    pub fn lifetime_seconds(&self) -> i64 {
        match self {
            Conversation::DeclineReason { .. } => 30 * 60,
            // As a decline's reason: a line typed much later must not
            // become a question and reopen the consultation.
            Conversation::FollowUp { .. } | Conversation::Answer { .. } => 30 * 60,
            Conversation::Form(_) | Conversation::Department => 24 * 60 * 60,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormStep {
    Title,
    Department,
    Category,
    Details,
    DesiredDate,
}

/// The answers so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormState {
    pub step: FormStep,
    pub title: Option<String>,
    pub department: Option<String>,
    pub category: Option<String>,
    pub details: Option<String>,
}

/// Why a desired answer date is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateProblem {
    NotADate,
    InThePast {
        today: NaiveDate,
    },
    /// The office is closed that day: an answer is due on an open day.
    ClosedDay {
        reason: String,
        next_open: Option<NaiveDate>,
    },
}

/// `YYYY-MM-DD` (or with `/`, or full-width digits), today or later, and
/// an open day (開庁日: the team answers on the days the office is open);
/// an empty answer or なし means no date.
pub fn validate_desired_date(
    answer: &str,
    today: NaiveDate,
    calendar: &OpenDayCalendar,
) -> Result<Option<NaiveDate>, DateProblem> {
    let normalised: String = answer
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '/' | '／' | '－' => '-',
            other => other,
        })
        .collect();
    if matches!(normalised.as_str(), "" | "なし" | "無し" | "-" | "none") {
        return Ok(None);
    }
    let date =
        NaiveDate::parse_from_str(&normalised, "%Y-%m-%d").map_err(|_| DateProblem::NotADate)?;
    if date < today {
        return Err(DateProblem::InThePast { today });
    }
    if let Some(reason) = calendar.closed_reason(date) {
        return Err(DateProblem::ClosedDay {
            reason: reason.name_ja().to_owned(),
            next_open: calendar.next_open_day_on_or_after(date),
        });
    }
    Ok(Some(date))
}

/// Reads a category from a number (1–6), its code or its Japanese name.
pub fn parse_category(answer: &str) -> Option<Category> {
    let answer = answer.trim();
    if let Ok(n) = answer.parse::<usize>() {
        return Category::ALL.get(n.checked_sub(1)?).copied();
    }
    Category::from_code(answer).or_else(|| {
        let by_name = [
            ("ポリシー", Category::PolicyRules),
            ("規程", Category::PolicyRules),
            ("技術", Category::Technical),
            ("クラウド", Category::CloudIsmap),
            ("ISMAP", Category::CloudIsmap),
            ("調達", Category::Procurement),
            ("インシデント", Category::Incident),
            ("その他", Category::Other),
        ];
        by_name
            .iter()
            .find(|(name, _)| answer.contains(name))
            .map(|(_, category)| *category)
    })
}

/// `/consult` alone: the form starts with the title.
pub async fn start(bot: &Bot, user: &UserId) -> anyhow::Result<Vec<Outgoing>> {
    let state = FormState {
        step: FormStep::Title,
        title: None,
        department: None,
        category: None,
        details: None,
    };
    bot.save_conversation(user, &Conversation::Form(state))
        .await?;
    Ok(bot.reply(user, "form/ask_title", json!({ "limit": MAX_TITLE_CHARS })))
}

/// A line typed while a dialogue is open.
pub async fn answer(
    bot: &Bot,
    user: &UserId,
    conversation: Conversation,
    line: &str,
) -> anyhow::Result<Vec<Outgoing>> {
    match conversation {
        Conversation::Form(state) => answer_form(bot, user, state, line).await,
        Conversation::DeclineReason { short_id } => {
            let reason = line.trim();
            if let Some(reply) = refuse_length(bot, user, reason, MAX_TEXT_CHARS) {
                return Ok(reply);
            }
            // Cleared only once the decline is stored: a failure keeps
            // what was typed for another try.
            let replies = super::act(bot, user, Action::Decline, &short_id, Some(reason)).await?;
            bot.clear_conversation(user).await?;
            Ok(replies)
        }
        Conversation::FollowUp { short_id } => {
            let question = line.trim();
            if let Some(reply) = refuse_length(bot, user, question, MAX_TEXT_CHARS) {
                return Ok(reply);
            }
            let replies = super::act(bot, user, Action::Reopen, &short_id, Some(question)).await?;
            bot.clear_conversation(user).await?;
            Ok(replies)
        }
        Conversation::Answer { short_id } => {
            let words = line.trim();
            if let Some(reply) = refuse_length(bot, user, words, MAX_TEXT_CHARS) {
                return Ok(reply);
            }
            let replies = super::act(bot, user, Action::Answer, &short_id, Some(words)).await?;
            bot.clear_conversation(user).await?;
            Ok(replies)
        }
        Conversation::Department => {
            let replies = bot.set_department(user, line.trim()).await?;
            bot.clear_conversation(user).await?;
            Ok(replies)
        }
    }
}

async fn answer_form(
    bot: &Bot,
    user: &UserId,
    mut state: FormState,
    line: &str,
) -> anyhow::Result<Vec<Outgoing>> {
    let answer = line.trim();
    match state.step {
        FormStep::Title => {
            if let Some(reply) = refuse_length(bot, user, answer, MAX_TITLE_CHARS) {
                return Ok(reply);
            }
            state.title = Some(answer.to_owned());
            state.step = if bot.department_of(user).await?.is_some() {
                FormStep::Category
            } else {
                FormStep::Department
            };
        }
        FormStep::Department => {
            if let Some(reply) = refuse_length(bot, user, answer, MAX_TITLE_CHARS) {
                return Ok(reply);
            }
            state.department = Some(answer.to_owned());
            state.step = FormStep::Category;
        }
        FormStep::Category => {
            let Some(category) = parse_category(answer) else {
                return Ok(ask(bot, user, FormStep::Category, Some("bad_category")));
            };
            state.category = Some(category.code().to_owned());
            state.step = FormStep::Details;
        }
        FormStep::Details => {
            if let Some(reply) = refuse_length(bot, user, answer, MAX_TEXT_CHARS) {
                return Ok(reply);
            }
            state.details = Some(answer.to_owned());
            state.step = FormStep::DesiredDate;
        }
        FormStep::DesiredDate => return finish(bot, user, state, answer).await,
    }
    let step = state.step;
    bot.save_conversation(user, &Conversation::Form(state))
        .await?;
    Ok(ask(bot, user, step, None))
}

fn refuse_length(bot: &Bot, user: &UserId, answer: &str, limit: usize) -> Option<Vec<Outgoing>> {
    let length = answer.chars().count();
    if length == 0 {
        return Some(bot.reply(user, "form/empty", json!({})));
    }
    (length > limit).then(|| {
        bot.reply(
            user,
            "consult/too_long",
            json!({ "length": length, "limit": limit }),
        )
    })
}

fn ask(bot: &Bot, user: &UserId, step: FormStep, problem: Option<&str>) -> Vec<Outgoing> {
    let (template, buttons) = match step {
        FormStep::Title => ("form/ask_title", Vec::new()),
        FormStep::Department => ("form/ask_department", Vec::new()),
        FormStep::Category => ("form/ask_category", category_buttons(bot)),
        FormStep::Details => ("form/ask_details", Vec::new()),
        FormStep::DesiredDate => ("form/ask_desired_date", Vec::new()),
    };
    let text = bot.texts().render(
        template,
        json!({ "problem": problem, "limit": MAX_TITLE_CHARS }),
    );
    vec![Outgoing {
        to: crate::message::Recipient::User(user.clone()),
        text,
        buttons,
    }]
}

fn category_buttons(bot: &Bot) -> Vec<Button> {
    Category::ALL
        .iter()
        .map(|category| {
            ButtonAction::FormCategory.button(
                bot.texts().render(
                    "consult/category_label",
                    json!({ "category": category.code() }),
                ),
                category.code().to_owned(),
            )
        })
        .collect()
}

async fn finish(
    bot: &Bot,
    user: &UserId,
    state: FormState,
    answer: &str,
) -> anyhow::Result<Vec<Outgoing>> {
    let today = bot.clock().now_in_city().date_naive();
    let desired_date = match validate_desired_date(answer, today, bot.calendar()) {
        Ok(date) => date,
        Err(DateProblem::NotADate) => {
            return Ok(bot.reply(user, "form/bad_date", json!({ "value": answer })));
        }
        Err(DateProblem::InThePast { today }) => {
            return Ok(bot.reply(
                user,
                "form/past_date",
                json!({ "value": answer, "today": today.to_string() }),
            ));
        }
        Err(DateProblem::ClosedDay { reason, next_open }) => {
            return Ok(bot.reply(
                user,
                "form/closed_date",
                json!({ "value": answer.trim(), "reason": reason, "suggestion": next_open.map(|day| day.to_string()) }),
            ));
        }
    };
    if let Some(department) = &state.department {
        bot.store_department(user, department).await?;
    }
    let draft = ConsultationDraft {
        requester: user.to_string(),
        department: match state.department {
            Some(department) => Some(department),
            None => bot.department_of(user).await?,
        },
        title: state.title.unwrap_or_default(),
        category: state
            .category
            .as_deref()
            .and_then(Category::from_code)
            .unwrap_or(Category::Other),
        details: state.details.unwrap_or_default(),
        desired_date,
    };
    // The form is cleared only after the consultation is stored, so a
    // failure loses nothing typed; the last answer can simply be sent again.
    let replies = super::record(bot, user, draft, None).await?;
    if replies.is_empty() {
        bot.clear_conversation(user).await?;
    }
    Ok(replies)
}

/// The fields of the form, submitted at once (Slack's modal).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormInput {
    pub title: String,
    pub department: String,
    pub category: String,
    pub details: String,
    pub desired_date: String,
}

/// A field the person must correct, with what is wrong (a template code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub problem: &'static str,
    /// For a closed day: why it is closed, and the next open day.
    pub reason: Option<String>,
    pub suggestion: Option<NaiveDate>,
}

impl FieldError {
    fn new(field: &'static str, problem: &'static str) -> Self {
        Self {
            field,
            problem,
            reason: None,
            suggestion: None,
        }
    }
}

/// Checks every field at once, as a modal shows its errors together.
pub fn validate_form(
    input: &FormInput,
    today: NaiveDate,
    calendar: &OpenDayCalendar,
) -> Result<(Category, Option<NaiveDate>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut check_text = |field: &'static str, value: &str, limit: usize| {
        let length = value.trim().chars().count();
        if length == 0 {
            errors.push(FieldError::new(field, "empty"));
        } else if length > limit {
            errors.push(FieldError::new(field, "too_long"));
        }
    };
    check_text("title", &input.title, MAX_TITLE_CHARS);
    check_text("details", &input.details, MAX_TEXT_CHARS);
    if input.department.trim().chars().count() > MAX_TITLE_CHARS {
        errors.push(FieldError::new("department", "too_long"));
    }
    let category = Category::from_code(&input.category);
    if category.is_none() {
        errors.push(FieldError::new("category", "bad_category"));
    }
    let date = match validate_desired_date(&input.desired_date, today, calendar) {
        Ok(date) => date,
        Err(DateProblem::NotADate) => {
            errors.push(FieldError::new("desired_date", "bad_date"));
            None
        }
        Err(DateProblem::InThePast { .. }) => {
            errors.push(FieldError::new("desired_date", "past_date"));
            None
        }
        Err(DateProblem::ClosedDay { reason, next_open }) => {
            errors.push(FieldError {
                reason: Some(reason),
                suggestion: next_open,
                ..FieldError::new("desired_date", "closed_day")
            });
            None
        }
    };
    match (errors.is_empty(), category) {
        (true, Some(category)) => Ok((category, date)),
        _ => Err(errors),
    }
}

/// Records a submitted form: the department is remembered, the
/// consultation stored with its messages. Field errors change nothing.
pub async fn submit(
    bot: &Bot,
    user: &UserId,
    input: &FormInput,
) -> anyhow::Result<Result<Vec<Outgoing>, Vec<FieldError>>> {
    let today = bot.clock().now_in_city().date_naive();
    let (category, desired_date) = match validate_form(input, today, bot.calendar()) {
        Ok(valid) => valid,
        Err(errors) => return Ok(Err(errors)),
    };
    let department = input.department.trim();
    if !department.is_empty() {
        bot.store_department(user, department).await?;
    }
    let draft = ConsultationDraft {
        requester: user.to_string(),
        department: (!department.is_empty()).then(|| department.to_owned()),
        title: input.title.trim().to_owned(),
        category,
        details: input.details.trim().to_owned(),
        desired_date,
    };
    Ok(Ok(super::record(bot, user, draft, None).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn desired_dates_table() {
        let today = date("2024-06-10");
        let cases = [
            ("2024-06-20", Ok(Some(date("2024-06-20")))),
            ("２０２４／０６／２０", Ok(Some(date("2024-06-20")))),
            ("2024-06-10", Ok(Some(today))),
            ("なし", Ok(None)),
            ("", Ok(None)),
            ("2024-06-09", Err(DateProblem::InThePast { today })),
            ("来週", Err(DateProblem::NotADate)),
            ("2024-02-30", Err(DateProblem::NotADate)),
            (
                "2024-06-15",
                Err(DateProblem::ClosedDay {
                    reason: "土曜日".into(),
                    next_open: Some(date("2024-06-17")),
                }),
            ),
            (
                "2024-07-15",
                Err(DateProblem::ClosedDay {
                    reason: "海の日".into(),
                    next_open: Some(date("2024-07-16")),
                }),
            ),
        ];
        let calendar = OpenDayCalendar::japanese_default();
        for (answer, expected) in cases {
            assert_eq!(
                validate_desired_date(answer, today, &calendar),
                expected,
                "{answer:?}"
            );
        }
    }

    #[test]
    fn a_form_with_several_problems_reports_them_all() {
        let today = date("2024-06-10");
        let input = FormInput {
            title: " ".into(),
            department: "総務課".into(),
            category: "nonsense".into(),
            details: "詳細".into(),
            desired_date: "2024-06-01".into(),
        };
        let calendar = OpenDayCalendar::japanese_default();
        let errors = validate_form(&input, today, &calendar).unwrap_err();
        let fields: Vec<_> = errors
            .iter()
            .map(|error| (error.field, error.problem))
            .collect();
        assert_eq!(
            fields,
            [
                ("title", "empty"),
                ("category", "bad_category"),
                ("desired_date", "past_date")
            ]
        );
        let good = FormInput {
            title: "VPN".into(),
            category: "technical".into(),
            desired_date: String::new(),
            ..input
        };
        assert_eq!(
            validate_form(&good, today, &calendar),
            Ok((Category::Technical, None))
        );
    }

    #[test]
    fn categories_by_number_code_or_name() {
        assert_eq!(parse_category("1"), Some(Category::PolicyRules));
        assert_eq!(parse_category("6"), Some(Category::Other));
        assert_eq!(parse_category("7"), None);
        assert_eq!(parse_category("0"), None);
        assert_eq!(parse_category("cloud"), Some(Category::CloudIsmap));
        assert_eq!(parse_category("インシデント対応"), Some(Category::Incident));
        assert_eq!(parse_category("わからない"), None);
    }

    #[test]
    fn conversations_round_trip_as_json() {
        let state = Conversation::Form(FormState {
            step: FormStep::Details,
            title: Some("VPN".into()),
            department: None,
            category: Some("technical".into()),
            details: None,
        });
        let json = serde_json::to_string(&state).unwrap();
        assert_eq!(serde_json::from_str::<Conversation>(&json).unwrap(), state);
    }
}
