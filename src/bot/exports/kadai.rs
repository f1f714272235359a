//! 課題管理表: every issue and action item, open and done, by due date; and
//! an item's cells, which the 進捗状況報告書 shows too.

use chrono::NaiveDate;

use super::words::{Labels, city_time, sheet_words};
use super::{ExportError, Exported};
use crate::bot::Bot;
use crate::domain::kadai::{is_overdue, label};
use crate::export::xlsx::{Cell, table_workbook};
use crate::message::plain_text;
use crate::store::KadaiItem;

/// The columns of `export/kadai`, and of `item_cells`.
const KADAI_COLUMNS: usize = 10;

/// 課題管理表: every item, open and done, by due date.
pub async fn kadai(bot: &Bot) -> Result<Exported, ExportError> {
    const TEMPLATE: &str = "export/kadai";
    let (sheet, headers) = sheet_words(bot, TEMPLATE, KADAI_COLUMNS)?;
    let items = bot.store().kadai_items(true).await?;
    let today = bot.today();
    let mut labels = Labels::new(bot);
    let rows: Vec<Vec<Cell>> = items
        .iter()
        .map(|item| item_cells(item, today, &mut labels))
        .collect();
    let bytes = table_workbook(&sheet, "Issues", &headers, rows.into_iter())?;
    Ok(Exported {
        bytes,
        rows: items.len(),
    })
}

/// An item as the 課題管理表 shows it, in the order of `export/kadai`.
pub(super) fn item_cells(item: &KadaiItem, today: NaiveDate, labels: &mut Labels<'_>) -> Vec<Cell> {
    let overdue = is_overdue(item.status, item.due, today);
    vec![
        Cell::Text(label(item.number)),
        Cell::Text(plain_text(&item.title)),
        Cell::Text(plain_text(&item.owner)),
        item.due.into(),
        Cell::Text(labels.get("priority", item.priority.code())),
        Cell::Text(labels.get("kadai_status", item.status.code())),
        Cell::from(overdue.then(|| labels.get("note", "overdue"))),
        item.meeting.into(),
        Cell::DateTime(city_time(item.created_at)),
        item.done_at
            .map_or(Cell::Empty, |at| Cell::DateTime(city_time(at))),
    ]
}
