//! `banso purge [--confirm]`: asks the bot whether the stored data may go
//! (`bot::purge`) and says what it answered.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{Failure, database_unavailable, open_store};
use crate::bot::clock::CITY_TIME_ZONE;
use crate::bot::purge::{PurgeOutcome, purge_stored_data};
use crate::bot::texts::Texts;
use crate::config::Settings;

/// `banso purge`: refuses unless `banso export all` ran after the last
/// change; without `--confirm` only shows what would be removed.
pub(super) async fn run_purge(
    settings: Settings,
    texts: Texts,
    confirm: bool,
) -> Result<(), Failure> {
    let store = open_store(&settings, &texts).await?;
    let outcome = purge_stored_data(&store, confirm).await;
    store.close().await;
    match outcome.map_err(|error| database_unavailable(&texts, error))? {
        PurgeOutcome::Nothing => {
            super::say(texts.render("cli/purge_nothing", json!({})).trim_end());
            Ok(())
        }
        PurgeOutcome::NeedsExport { changed, exported } => Err(Failure::usage(texts.render(
            "cli/purge_needs_export",
            json!({ "changed": changed.map(in_city), "exported": exported.map(in_city) }),
        ))),
        // Nothing was destroyed: status 2, like a refusal.
        PurgeOutcome::DryRun { tables, exported } => Err(Failure::usage(texts.render(
            "cli/purge_dry_run",
            json!({ "tables": table_rows(&tables), "exported": in_city(exported) }),
        ))),
        PurgeOutcome::Purged { removed } => {
            super::say(
                texts
                    .render("cli/purge_done", json!({ "tables": table_rows(&removed) }))
                    .trim_end(),
            );
            Ok(())
        }
    }
}

/// An instant as the city's staff read it.
fn in_city(at: DateTime<Utc>) -> String {
    at.with_timezone(&CITY_TIME_ZONE)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn table_rows<Rows: serde::Serialize>(tables: &[(&'static str, Rows)]) -> Vec<Value> {
    tables
        .iter()
        .map(|(table, rows)| json!({ "table": table, "rows": rows }))
        .collect()
}
