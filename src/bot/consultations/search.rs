//! `/consult search 語句` and the similar past consultations a new one is
//! shown with (issue 13): the consultants reuse advice already given.

use serde_json::json;

use super::notices::{ConsultationView, similar_notice};
use crate::bot::Bot;
use crate::domain::search::{LONGEST_QUERY, Query, QueryProblem, SHORTEST_QUERY, likeness};
use crate::message::{Outgoing, UserId};

/// The most matches one search shows.
const PAGE: usize = 20;

/// The most similar past consultations shown with a new one.
const MOST_SIMILAR: usize = 3;

/// How many candidates, sharing the most title bigrams, are judged.
const SIMILAR_CANDIDATES: i64 = 30;

/// How alike two titles must be (the Dice coefficient of their bigrams)
/// for one to be shown with the other.
const SIMILAR_ENOUGH: f64 = 0.3;

/// A consultation indexed later than this after its receipt (one indexed
/// when search came to a database of old ones) is shown with nothing.
const FRESH_SECONDS: i64 = 15 * 60;

/// A consultation indexed later than this after its receipt gets no
/// response-target jobs (one of a database search came to).
const TARGETS_WITHIN_SECONDS: i64 = 14 * 24 * 3600;

/// How many new consultations one round of the indexer takes.
const INDEX_BATCH: i64 = 200;

/// `/consult search 語句`: the team finds every consultation, anyone else
/// their own.
pub async fn search(bot: &Bot, user: &UserId, typed: &str) -> anyhow::Result<Vec<Outgoing>> {
    let query = match Query::parse(typed) {
        Ok(query) => query,
        Err(problem) => {
            let (reason, length) = match problem {
                QueryProblem::TooShort => ("too_short", 0),
                QueryProblem::TooLong { length } => ("too_long", length),
            };
            return Ok(bot.reply(
                user,
                "consult/search_refused",
                json!({ "reason": reason, "length": length, "shortest": SHORTEST_QUERY,
                        "longest": LONGEST_QUERY, "typed": typed }),
            ));
        }
    };
    // What was recorded a moment ago is found too, even before the
    // indexer's round.
    if let Err(error) = index_round(bot).await {
        tracing::warn!(
            error = format!("{error:#}"),
            "indexing before a search failed"
        );
    }
    let team = bot.directory().role_of(user).is_team();
    let requester = (!team).then(|| user.to_string());
    let hits = bot
        .store()
        .search_consultations(&query, requester.as_deref(), PAGE)
        .await?;
    let items: Vec<ConsultationView> = hits
        .consultations
        .iter()
        .map(ConsultationView::of)
        .collect();
    Ok(bot.reply(
        user,
        "consult/search",
        json!({ "query": typed.trim(), "items": items, "more": hits.more, "team": team }),
    ))
}

/// One round of the indexer: indexes the consultations recorded since the
/// last and, in the same transaction, for each one just received, queues
/// the similar past consultations in the thread of its team notice and
/// plans its response targets' jobs (`targets`).
/// Run after intakes have been acknowledged, in the background; returns
/// how many it indexed.
pub async fn index_round(bot: &Bot) -> anyhow::Result<usize> {
    let now = bot.clock().now().timestamp();
    let pending = bot.store().consultations_to_index(INDEX_BATCH).await?;
    let mut messages = Vec::new();
    let mut jobs = Vec::new();
    for new in &pending {
        // Targets for anything of the last days (a round late after a
        // restart still plans them; past ones are skipped when due, as
        // met or ended); none for a database of old consultations.
        if now - new.received_at > TARGETS_WITHIN_SECONDS {
            continue;
        }
        let consultation = bot.store().consultation(new.consultation_id).await?;
        jobs.extend(super::targets::jobs_of(bot, &consultation));
        if now - new.received_at > FRESH_SECONDS {
            continue;
        }
        let candidates = bot
            .store()
            .consultations_sharing_title_words(
                &consultation.title,
                consultation.id,
                SIMILAR_CANDIDATES,
            )
            .await?;
        let mut similar: Vec<(f64, _)> = candidates
            .into_iter()
            .filter(|past| past.id < consultation.id)
            .map(|past| (likeness(&consultation.title, &past.title), past))
            .filter(|(score, _)| *score >= SIMILAR_ENOUGH)
            .collect();
        similar.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.id.cmp(&a.1.id)));
        similar.truncate(MOST_SIMILAR);
        if !similar.is_empty() {
            let past: Vec<_> = similar.into_iter().map(|(_, past)| past).collect();
            messages.push(similar_notice(bot, &consultation, &past));
        }
    }
    let ids: Vec<i64> = pending.iter().map(|new| new.consultation_id).collect();
    bot.store()
        .index_consultations(&ids, &messages, &jobs, now)
        .await?;
    if !jobs.is_empty() {
        // The scheduler sleeps until the next job it knows of.
        bot.jobs_changed().notify_one();
    }
    Ok(ids.len())
}
