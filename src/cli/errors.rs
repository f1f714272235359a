//! Clap's own errors are English paragraphs; a person gets one line in
//! their language instead, with what to do next.

use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use serde_json::json;

use crate::bot::texts::Texts;

/// Prints the line for a parse error (or clap's help and version as they
/// are) and gives the exit status: 0 for help and version, else 2.
pub(super) fn exit_for_clap_error(error: &clap::Error, texts: &Texts) -> ExitCode {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
            let _ = error.print();
            return ExitCode::from(2);
        }
        _ => {}
    }
    let context = |kind| match error.get(kind) {
        Some(ContextValue::String(value)) => value.clone(),
        Some(ContextValue::Strings(values)) => values.join(", "),
        _ => String::new(),
    };
    let (template, values) = match error.kind() {
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => (
            "cli/bad_value",
            json!({ "argument": context(ContextKind::InvalidArg), "value": context(ContextKind::InvalidValue), "expected": expected_for(&context(ContextKind::InvalidArg)) }),
        ),
        ErrorKind::UnknownArgument => (
            "cli/unknown_argument",
            json!({ "argument": context(ContextKind::InvalidArg), "suggestion": context(ContextKind::SuggestedArg) }),
        ),
        ErrorKind::InvalidSubcommand => (
            "cli/unknown_subcommand",
            json!({ "name": context(ContextKind::InvalidSubcommand), "suggestion": context(ContextKind::SuggestedSubcommand) }),
        ),
        ErrorKind::MissingRequiredArgument => (
            "cli/missing_argument",
            json!({ "argument": context(ContextKind::InvalidArg) }),
        ),
        _ => ("cli/bad_usage", json!({})),
    };
    eprintln!("{}", texts.render(template, values));
    ExitCode::from(2)
}

/// What a value of an argument looks like, for the error line.
fn expected_for(argument: &str) -> &'static str {
    if argument.contains("DATE") {
        "date"
    } else if argument.contains("RFC3339") {
        "instant"
    } else if argument.contains("--format") {
        "format"
    } else if argument.contains("--open-days") {
        "integer"
    } else if argument.contains("USER") {
        "user"
    } else {
        "other"
    }
}
