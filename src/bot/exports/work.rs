//! 件数管理業務: the contract's capped work, a sheet per kind (configured or
//! recorded), every item with what it records.

use rust_xlsxwriter::Workbook;

use super::words::{Labels, city_time, sheet_words};
use super::{ExportError, Exported};
use crate::bot::Bot;
use crate::bot::quotas::work_kinds;
use crate::export::xlsx::{Cell, TableWriter};
use crate::message::plain_text;
use crate::store::WorkItem;

/// The columns of `export/work`, and of `item_cells`.
const WORK_COLUMNS: usize = 8;

/// Every kind's items, a sheet each: the configured kinds first, then any
/// kind recorded under an earlier configuration.
pub async fn work(bot: &Bot) -> Result<Exported, ExportError> {
    const TEMPLATE: &str = "export/work";
    let (_, headers) = sheet_words(bot, TEMPLATE, WORK_COLUMNS)?;
    let mut kinds = work_kinds(bot);
    for kind in bot.store().work_kinds_recorded().await? {
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    let mut labels = Labels::new(bot);
    let mut workbook = Workbook::new();
    let mut rows = 0;
    for (index, kind) in kinds.iter().enumerate() {
        let items = bot.store().work_items(kind).await?;
        let mut table = TableWriter::start(
            &mut workbook,
            &labels.get("work_kind", kind),
            &format!("Work{}", index + 1),
            &headers,
            items.len(),
        )?;
        for item in &items {
            table.write_row(&item_cells(item, &mut labels))?;
        }
        table.finish()?;
        rows += items.len();
    }
    Ok(Exported {
        bytes: workbook.save_to_buffer()?,
        rows,
    })
}

/// An item in the order of `export/work`.
fn item_cells(item: &WorkItem, labels: &mut Labels<'_>) -> Vec<Cell> {
    // What people typed, in plain words (links as URLs).
    let details = plain_text(&labels.get_with("work_details", &item.attributes));
    vec![
        Cell::Number(item.number as f64),
        Cell::Text(plain_text(&item.title)),
        Cell::from(details),
        item.quota_position
            .map_or(Cell::Empty, |n| Cell::Number(n as f64)),
        Cell::from(
            item.quota_bucket
                .as_deref()
                .map(|bucket| labels.get("period", bucket)),
        ),
        Cell::Text(labels.get("work_status", if item.counted { "counted" } else { "held" })),
        Cell::Text(item.recorded_by.clone()),
        Cell::DateTime(city_time(item.recorded_at)),
    ]
}
