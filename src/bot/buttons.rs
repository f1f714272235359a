//! Every button the core puts on a message, as one typed action. A button
//! carries its action as a code (`consultation:assign`) through the outbox
//! and the chat platform; the code is made here and parsed back here, once,
//! where a press enters the core.

use crate::domain::consultation::Action;
use crate::message::Button;

/// What pressing a button asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ButtonAction {
    /// A consultation's lifecycle action; the value is its short id.
    Consultation(Action),
    /// A regular meeting's material marked 提出済; the value is
    /// `meeting key|item`.
    DeliverableSubmit,
    /// The same mark taken back.
    DeliverableUndo,
    /// Fresh drafts of the 課題管理表 and 進捗状況報告書 for whoever presses;
    /// the value is the meeting key.
    Drafts,
    /// The consultation form's category; the value is the category code.
    FormCategory,
    /// A `/consult` line taken for a mistyped subcommand, recorded as a
    /// consultation after all; the value is `epoch ms of the question|text`.
    RecordAnyway,
    /// A code banso does not make (an old or forged message): answered,
    /// not ignored.
    Unknown(String),
}

const CONSULTATION_PREFIX: &str = "consultation:";
const DELIVERABLE_SUBMIT: &str = "deliverable:submit";
const DELIVERABLE_UNDO: &str = "deliverable:undo";
const DRAFTS: &str = "deliverables:drafts";
const FORM_CATEGORY: &str = "form:category";
const RECORD_ANYWAY: &str = "consult:record-anyway";

impl ButtonAction {
    /// The action a button's code stands for.
    pub fn parse(code: &str) -> Self {
        if let Some(action) = code
            .strip_prefix(CONSULTATION_PREFIX)
            .and_then(Action::from_code)
        {
            return Self::Consultation(action);
        }
        match code {
            DELIVERABLE_SUBMIT => Self::DeliverableSubmit,
            DELIVERABLE_UNDO => Self::DeliverableUndo,
            DRAFTS => Self::Drafts,
            FORM_CATEGORY => Self::FormCategory,
            RECORD_ANYWAY => Self::RecordAnyway,
            other => Self::Unknown(other.to_owned()),
        }
    }

    /// The code a button carries.
    pub fn code(&self) -> String {
        match self {
            Self::Consultation(action) => format!("{CONSULTATION_PREFIX}{}", action.code()),
            Self::DeliverableSubmit => DELIVERABLE_SUBMIT.to_owned(),
            Self::DeliverableUndo => DELIVERABLE_UNDO.to_owned(),
            Self::Drafts => DRAFTS.to_owned(),
            Self::FormCategory => FORM_CATEGORY.to_owned(),
            Self::RecordAnyway => RECORD_ANYWAY.to_owned(),
            Self::Unknown(code) => code.clone(),
        }
    }

    /// A button that asks for this action.
    pub fn button(&self, label: String, value: String) -> Button {
        Button {
            label,
            action: self.code(),
            value,
        }
    }

    /// Pressing it asks for files, which only an adapter can deliver.
    pub fn wants_files(&self) -> bool {
        *self == Self::Drafts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_the_core_makes_parses_back_to_itself() {
        let mut actions: Vec<ButtonAction> = Action::ALL
            .into_iter()
            .map(ButtonAction::Consultation)
            .collect();
        actions.extend([
            ButtonAction::DeliverableSubmit,
            ButtonAction::DeliverableUndo,
            ButtonAction::Drafts,
            ButtonAction::FormCategory,
        ]);
        for action in actions {
            assert_eq!(ButtonAction::parse(&action.code()), action);
        }
    }

    #[test]
    fn codes_the_core_never_made_are_unknown() {
        for code in [
            "consultation:nonsense",
            "deliverable:",
            "",
            "form:category ",
        ] {
            assert_eq!(
                ButtonAction::parse(code),
                ButtonAction::Unknown(code.to_owned())
            );
        }
        assert_eq!(
            ButtonAction::parse("consultation:assign"),
            ButtonAction::Consultation(Action::Assign)
        );
    }
}
