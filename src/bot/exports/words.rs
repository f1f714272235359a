//! The words of the exports, from the templates under `prompts/*/export/`:
//! sheet names, column headers, a report's lines and the labels of codes.
//! An overriding template that does not give what a file needs is an
//! error, not a file with a hole in it.

use std::collections::HashMap;

use serde_json::json;

use super::ExportError;
use crate::bot::Bot;
use crate::export::consultations::ConsultationWords;

/// `key=text` lines of a report template.
pub(super) struct ReportWords {
    template: &'static str,
    lines: Vec<(String, String)>,
}

impl ReportWords {
    /// Renders `template` with `context` and keeps its `key=text` lines.
    pub(super) fn render(bot: &Bot, template: &'static str, context: serde_json::Value) -> Self {
        let text = bot.texts().render(template, context);
        let lines = text
            .lines()
            .filter_map(|line| line.split_once('='))
            .map(|(key, value)| (key.trim().to_owned(), value.trim().to_owned()))
            .collect();
        Self { template, lines }
    }

    fn problem(&self, problem: String) -> ExportError {
        ExportError::Words {
            template: self.template,
            problem,
        }
    }

    /// The one line `key=`; a template without it is refused.
    pub(super) fn one(&self, key: &str) -> Result<String, ExportError> {
        self.lines
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, text)| text.clone())
            .ok_or_else(|| self.problem(format!("no line {key}=")))
    }

    /// Every line `key=`, in order (none is fine).
    pub(super) fn all(&self, key: &str) -> Vec<String> {
        self.lines
            .iter()
            .filter(|(name, _)| name == key)
            .map(|(_, text)| text.clone())
            .collect()
    }

    /// Column headers separated by `|`; as many as the rows have cells.
    pub(super) fn columns(
        &self,
        key: &str,
        cells: Option<usize>,
    ) -> Result<Vec<String>, ExportError> {
        let headers: Vec<String> = self
            .one(key)?
            .split('|')
            .map(|header| header.trim().to_owned())
            .collect();
        match cells {
            Some(cells) if cells != headers.len() => Err(self.problem(format!(
                "{key} has {} columns, the table {cells}",
                headers.len()
            ))),
            _ => Ok(headers),
        }
    }
}

/// A one-sheet template: the sheet name, then `columns` headers.
pub(super) fn sheet_words(
    bot: &Bot,
    template: &'static str,
    columns: usize,
) -> Result<(String, Vec<String>), ExportError> {
    let text = bot.texts().render(template, json!({}));
    let mut lines: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect();
    if lines.len() != columns + 1 {
        return Err(ExportError::Words {
            template,
            problem: format!("expected a sheet name and {columns} headers"),
        });
    }
    let sheet = lines.remove(0);
    Ok((sheet, lines))
}

/// The sheet names and headers from `export/consultations`: three blocks
/// separated by a blank line, each a sheet name and then its headers.
pub(super) fn consultation_words(bot: &Bot) -> Result<ConsultationWords, ExportError> {
    const TEMPLATE: &str = "export/consultations";
    let text = bot.texts().render(TEMPLATE, json!({}));
    let blocks = non_empty_blocks(&text);
    let expected = [
        ConsultationWords::LIST_COLUMNS,
        ConsultationWords::SUMMARY_ROWS,
        ConsultationWords::HISTORY_COLUMNS,
    ];
    let fits = blocks.len() == 3
        && blocks
            .iter()
            .zip(expected)
            .all(|(block, wanted)| block.len() == wanted + 1);
    if !fits {
        return Err(ExportError::Words {
            template: TEMPLATE,
            problem: format!(
                "expected three blocks of a sheet name and {}, {} and {} lines",
                expected[0], expected[1], expected[2]
            ),
        });
    }
    let mut blocks = blocks.into_iter();
    let mut take = || {
        let mut block = blocks.next().expect("checked: three blocks");
        let name = block.remove(0);
        (name, block)
    };
    let (list_sheet, list_headers) = take();
    let (summary_sheet, summary_labels) = take();
    let (history_sheet, history_headers) = take();
    Ok(ConsultationWords {
        list_sheet,
        list_headers,
        summary_sheet,
        summary_labels,
        history_sheet,
        history_headers,
    })
}

/// The blocks of `text` separated by blank lines, each as its trimmed,
/// non-empty lines.
fn non_empty_blocks(text: &str) -> Vec<Vec<String>> {
    text.split("\n\n")
        .map(|block| {
            block
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|block| !block.is_empty())
        .collect()
}

/// Instants in the files are the city's wall clock (they carry no time
/// zone, and the city reads them in Tokyo time).
pub(super) use crate::bot::clock::city_time;

/// Labels of codes (statuses, categories, events), each rendered once.
pub(super) struct Labels<'b> {
    bot: &'b Bot,
    known: HashMap<(&'static str, String), String>,
}

impl<'b> Labels<'b> {
    pub(super) fn new(bot: &'b Bot) -> Self {
        Self {
            bot,
            known: HashMap::new(),
        }
    }

    pub(super) fn get(&mut self, what: &'static str, code: &str) -> String {
        let bot = self.bot;
        self.known
            .entry((what, code.to_owned()))
            .or_insert_with(|| {
                bot.texts()
                    .render("export/label", json!({ "what": what, "code": code }))
                    .trim()
                    .to_owned()
            })
            .clone()
    }

    /// A label rendered from a value rather than a code (not cached).
    pub(super) fn get_with(&mut self, what: &'static str, value: &impl serde::Serialize) -> String {
        self.bot
            .texts()
            .render("export/label", json!({ "what": what, "code": value }))
            .trim()
            .to_owned()
    }

    /// A transition's detail is an action code or a person's words (a
    /// decline's reason); codes are shown as their labels.
    pub(super) fn detail(&mut self, detail: &str) -> String {
        let label = self.get("action", detail);
        if label.is_empty() {
            detail.to_owned()
        } else {
            label
        }
    }
}
