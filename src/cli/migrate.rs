//! `banso migrate`: applies the database migrations and says how many were
//! new (every other command applies them too, when it opens the store).

use serde_json::json;

use super::{Failure, database_unavailable, store_failure};
use crate::bot::texts::Texts;
use crate::config::Settings;
use crate::store::Store;

pub(super) async fn run_migrate(settings: Settings, texts: Texts) -> Result<(), Failure> {
    let store = Store::connect(&settings.database_url)
        .await
        .map_err(|error| store_failure(&texts, error))?;
    let report = store
        .migrate()
        .await
        .map_err(|error| database_unavailable(&texts, error))?;
    super::say(texts.render(
        "cli/migrated",
        json!({ "applied_now": report.applied_now, "applied_before": report.applied_before }),
    ));
    store.close().await;
    Ok(())
}
