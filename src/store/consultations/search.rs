//! The search index of past consultations (issue 13): banso's own bigrams
//! (`domain::search`) in an FTS5 table on SQLite and in GIN-indexed
//! tsvectors on PostgreSQL, so both answer the same query the same way.
//!
//! A new consultation is indexed after its intake has been acknowledged
//! and committed (`index_new`), never on the acknowledgement's path: the
//! intake transaction is the one every request waits for. An answer or a
//! follow-up re-indexes its consultation in its own transaction.
//!
//! Best matches first: those with every word in the title, then the rest,
//! newest first within each. Both orders walk an index from its newest
//! end and stop at the page's size, whatever the number of matches.

use sqlx::{Any, Transaction};

use super::{CONSULTATION_COLUMNS, Consultation, ConsultationRow};
use crate::domain::search::{Query, Term, index_tokens};
use crate::store::jobs::{PlannedJob, add_jobs};
use crate::store::outbox::{NewMessage, enqueue};
use crate::store::{Backend, Store, StoreError};

/// Between runs in an FTS5 document: a private-use character, which no
/// query ever holds.
const RUN_BREAK: &str = "\u{E000}";

/// The longest position a PostgreSQL tsvector keeps (later ones are
/// stored as this one).
const LAST_TSVECTOR_POSITION: u32 = 16_383;

/// How far below the newest indexed consultation the indexer still looks
/// for one not indexed: consultations committed out of id order (several
/// replicas) are never older than this by id.
const LOOK_BACK: i64 = 1_000;

/// The order of matching ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    Newest,
    /// The index's own relevance (bm25, ts_rank), then newest.
    Rank,
}

/// How many of the newest ids PostgreSQL looks through first.
const PG_NEWEST_WINDOW: i64 = 2_000;

/// A page of matches, best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHits {
    pub consultations: Vec<Consultation>,
    /// Whether more matched than the page holds.
    pub more: bool,
}

/// A consultation the indexer is to index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Indexed {
    pub consultation_id: i64,
    pub received_at: i64,
}

/// The FTS5 document of a text: its tokens, a break between runs.
fn fts_document(text: &str) -> String {
    let mut document = String::new();
    let mut last = 0;
    for (token, position) in index_tokens(text) {
        if !document.is_empty() {
            document.push(' ');
            if position > last + 1 {
                document.push_str(RUN_BREAK);
                document.push(' ');
            }
        }
        document.push_str(&token);
        last = position;
    }
    document
}

/// A lexeme as it stands between quotes in a tsvector or tsquery
/// literal (banso's tokens are letters and digits; this is for safety).
fn pg_quoted_body(token: &str) -> String {
    token.replace('\\', "\\\\").replace('\'', "''")
}

/// A tsvector literal of a text: `'lexeme':position …`.
fn tsvector_literal(text: &str) -> String {
    index_tokens(text)
        .into_iter()
        .map(|(token, position)| {
            format!(
                "'{}':{}",
                pg_quoted_body(&token),
                position.min(LAST_TSVECTOR_POSITION)
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The ORDER BY of an FTS5 query.
fn sqlite_order(order: Order) -> &'static str {
    match order {
        Order::Newest => "rowid DESC",
        Order::Rank => "rank, rowid DESC",
    }
}

/// An FTS5 query: every term, as a phrase or a prefix.
fn fts_query(query: &Query) -> String {
    let terms: Vec<String> = query
        .terms
        .iter()
        .map(|term| match term {
            Term::Phrase(grams) => format!("\"{}\"", grams.join(" ")),
            Term::Prefix(first) => format!("\"{first}\" *"),
        })
        .collect();
    format!("({})", terms.join(" AND "))
}

/// A tsquery literal: every term, as a phrase (`<->`) or a prefix (`:*`).
fn tsquery(query: &Query) -> String {
    let lexeme = |token: &str| format!("'{}'", pg_quoted_body(token));
    let terms: Vec<String> = query
        .terms
        .iter()
        .map(|term| match term {
            Term::Phrase(grams) => format!(
                "({})",
                grams
                    .iter()
                    .map(|gram| lexeme(gram))
                    .collect::<Vec<_>>()
                    .join(" <-> ")
            ),
            Term::Prefix(first) => format!("{}:*", lexeme(first)),
        })
        .collect();
    terms.join(" & ")
}

/// Any of `grams`, as each backend writes it.
fn any_of(backend: Backend, grams: &[String]) -> String {
    match backend {
        Backend::Sqlite => grams
            .iter()
            .map(|gram| format!("\"{gram}\""))
            .collect::<Vec<_>>()
            .join(" OR "),
        Backend::Postgres => grams
            .iter()
            .map(|gram| format!("'{}'", pg_quoted_body(gram)))
            .collect::<Vec<_>>()
            .join(" | "),
    }
}

/// Re-indexes one consultation inside the caller's transaction if it is
/// indexed already (an answer, a follow-up); one not yet indexed is left
/// to the indexer's round, which also plans what follows its intake.
pub(super) async fn reindex_in(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    consultation_id: i64,
    now: i64,
) -> Result<(), StoreError> {
    let table = match backend {
        Backend::Sqlite => "consultation_search_rows",
        Backend::Postgres => "consultation_search",
    };
    let indexed: Option<(i64,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT consultation_id FROM {table} WHERE consultation_id = $1"
    )))
    .bind(consultation_id)
    .fetch_optional(&mut **tx)
    .await?;
    if indexed.is_some() {
        index_in(tx, backend, consultation_id, now).await?;
    }
    Ok(())
}

/// (Re-)indexes one consultation inside the caller's transaction: its
/// title, and its title, details, answers and follow-up questions.
pub(super) async fn index_in(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    consultation_id: i64,
    now: i64,
) -> Result<(), StoreError> {
    // On PostgreSQL the row is locked against a purge or an answer of
    // another process until this commits: the index then never keeps
    // words a purge deleted, nor older ones over an answer's.
    let lock = match backend {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR SHARE",
    };
    let (title, details): (String, String) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT title, details FROM consultations WHERE id = $1{lock}"
    )))
    .bind(consultation_id)
    .fetch_one(&mut **tx)
    .await?;
    let words: Vec<(Option<String>,)> = sqlx::query_as(
        "SELECT detail FROM consultation_events WHERE consultation_id = $1 \
         AND kind IN ('answer', 'followup') ORDER BY id",
    )
    .bind(consultation_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut content = format!("{title}\n{details}");
    for (detail,) in words.into_iter() {
        content.push('\n');
        content.push_str(detail.as_deref().unwrap_or_default());
    }
    match backend {
        Backend::Sqlite => {
            sqlx::query("DELETE FROM consultation_search WHERE rowid = $1")
                .bind(consultation_id)
                .execute(&mut **tx)
                .await?;
            sqlx::query(
                "INSERT INTO consultation_search (rowid, title, content) VALUES ($1, $2, $3)",
            )
            .bind(consultation_id)
            .bind(fts_document(&title))
            .bind(fts_document(&content))
            .execute(&mut **tx)
            .await?;
            sqlx::query(
                "INSERT INTO consultation_search_rows (consultation_id, indexed_at) VALUES ($1, $2) \
                 ON CONFLICT (consultation_id) DO UPDATE SET indexed_at = excluded.indexed_at",
            )
            .bind(consultation_id)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        }
        Backend::Postgres => {
            sqlx::query(
                "INSERT INTO consultation_search (consultation_id, title_grams, content_grams, indexed_at) \
                 VALUES ($1, CAST($2 AS TEXT)::tsvector, CAST($3 AS TEXT)::tsvector, $4) \
                 ON CONFLICT (consultation_id) DO UPDATE SET title_grams = excluded.title_grams, \
                 content_grams = excluded.content_grams, indexed_at = excluded.indexed_at",
            )
            .bind(consultation_id)
            .bind(tsvector_literal(&title))
            .bind(tsvector_literal(&content))
            .bind(now)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

impl Store {
    /// Up to `limit` consultations not yet indexed, oldest first.
    pub async fn consultations_to_index(&self, limit: i64) -> Result<Vec<Indexed>, StoreError> {
        let (rows_table, key) = match self.backend {
            Backend::Sqlite => ("consultation_search_rows", "consultation_id"),
            Backend::Postgres => ("consultation_search", "consultation_id"),
        };
        let pending: Vec<(i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT c.id, c.received_at FROM consultations c \
             WHERE c.id > (SELECT COALESCE(MAX({key}), 0) - $1 FROM {rows_table}) \
             AND NOT EXISTS (SELECT 1 FROM {rows_table} s WHERE s.{key} = c.id) \
             ORDER BY c.id LIMIT $2"
        )))
        .bind(LOOK_BACK)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(pending
            .into_iter()
            .map(|(consultation_id, received_at)| Indexed {
                consultation_id,
                received_at,
            })
            .collect())
    }

    /// Indexes `ids`, queues `messages` (what their indexing tells) and
    /// plans `jobs` (their response targets) in one transaction: all of it
    /// happens, or none. Safe to run from several
    /// processes at once (the messages' keys keep them single).
    pub async fn index_consultations(
        &self,
        ids: &[i64],
        messages: &[NewMessage],
        jobs: &[PlannedJob],
        now: i64,
    ) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let _turn = self.write_turn().await;
        let mut tx = self.pool().begin().await?;
        for id in ids {
            index_in(&mut tx, self.backend, *id, now).await?;
        }
        enqueue(&mut tx, messages, now).await?;
        add_jobs(&mut tx, jobs).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The ids matching an index query (in each backend's language), at
    /// most `limit`, in `order`.
    async fn matching_ids(
        &self,
        title_only: bool,
        index_query: &str,
        order: Order,
        limit: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let column = if title_only {
            "title_grams"
        } else {
            "content_grams"
        };
        let sql = match (self.backend, order) {
            (Backend::Sqlite, _) => format!(
                "SELECT rowid FROM consultation_search WHERE consultation_search MATCH $1 \
                 ORDER BY {} LIMIT $2",
                sqlite_order(order)
            ),
            (Backend::Postgres, Order::Newest) => {
                return self
                    .newest_matches_in_windows(column, index_query, limit)
                    .await;
            }
            (Backend::Postgres, Order::Rank) => format!(
                "SELECT consultation_id FROM consultation_search WHERE {column} @@ CAST($1 AS TEXT)::tsquery \
                 ORDER BY ts_rank({column}, CAST($1 AS TEXT)::tsquery) DESC, consultation_id DESC LIMIT $2"
            ),
        };
        let ids: Vec<(i64,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(index_query)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        Ok(ids.into_iter().map(|(id,)| id).collect())
    }

    /// PostgreSQL's newest matches: first among the newest
    /// `PG_NEWEST_WINDOW` ids, walking them back (a page of a common word
    /// is there), then, if the page is not full, among all older ones
    /// through the GIN index alone (a rarer word has few matches to sort).
    /// Either way alone is slow for the other kind of word: a GIN index
    /// gives its matches in no order, and sorting half of 100,000 took
    /// 70 ms; walking the ids back and testing each, as the planner likes
    /// to with a LIMIT, took 370 ms for a word found nowhere
    /// (BENCHMARKS.md). `+ 0` keeps the second query off the primary key.
    async fn newest_matches_in_windows(
        &self,
        column: &str,
        index_query: &str,
        limit: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let newest: Option<i64> =
            sqlx::query_scalar("SELECT MAX(consultation_id) FROM consultation_search")
                .fetch_one(self.pool())
                .await?;
        let Some(newest) = newest else {
            return Ok(Vec::new());
        };
        let lower = newest.saturating_sub(PG_NEWEST_WINDOW);
        let recent: Vec<(i64,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT consultation_id FROM consultation_search \
             WHERE {column} @@ CAST($1 AS TEXT)::tsquery AND consultation_id > $2 \
             ORDER BY consultation_id DESC LIMIT $3"
        )))
        .bind(index_query)
        .bind(lower)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut ids: Vec<i64> = recent.into_iter().map(|(id,)| id).collect();
        let missing = limit - i64::try_from(ids.len()).unwrap_or(limit);
        if missing > 0 {
            let older: Vec<(i64,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT consultation_id FROM consultation_search \
                 WHERE {column} @@ CAST($1 AS TEXT)::tsquery AND consultation_id + 0 <= $2 \
                 ORDER BY consultation_id + 0 DESC LIMIT $3"
            )))
            .bind(index_query)
            .bind(lower)
            .bind(missing)
            .fetch_all(self.pool())
            .await?;
            ids.extend(older.into_iter().map(|(id,)| id));
        }
        Ok(ids)
    }

    /// Consultations by id, in the order given.
    async fn consultations_in_order(&self, ids: &[i64]) -> Result<Vec<Consultation>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let rows: Vec<ConsultationRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CONSULTATION_COLUMNS} FROM consultations WHERE id IN ({list})"
        )))
        .fetch_all(self.pool())
        .await?;
        let mut found: Vec<Consultation> = rows
            .into_iter()
            .map(Consultation::try_from)
            .collect::<Result<_, _>>()?;
        found.sort_by_key(|consultation| {
            ids.iter()
                .position(|id| *id == consultation.id)
                .unwrap_or(usize::MAX)
        });
        Ok(found)
    }

    /// Past consultations matching `query`, best first: every word in the
    /// title, then elsewhere (details, answers), newest first within each.
    /// `requester` limits them to one person's own.
    pub async fn search_consultations(
        &self,
        query: &Query,
        requester: Option<&str>,
        limit: usize,
    ) -> Result<SearchHits, StoreError> {
        let (title_query, any_query) = match self.backend {
            Backend::Sqlite => {
                let terms = fts_query(query);
                (format!("title : {terms}"), terms)
            }
            Backend::Postgres => {
                let terms = tsquery(query);
                (terms.clone(), terms)
            }
        };
        if let Some(requester) = requester {
            return self.search_own(query, requester, limit).await;
        }
        let page = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut ids = self
            .matching_ids(true, &title_query, Order::Newest, page + 1)
            .await?;
        let mut more = false;
        if ids.len() <= limit {
            let rest = self
                .matching_ids(
                    false,
                    &any_query,
                    Order::Newest,
                    page.saturating_add(i64::try_from(ids.len()).unwrap_or(0)) + 1,
                )
                .await?;
            for id in rest {
                if ids.contains(&id) {
                    continue;
                }
                if ids.len() == limit {
                    more = true;
                    break;
                }
                ids.push(id);
            }
        } else {
            ids.truncate(limit);
            more = true;
        }
        Ok(SearchHits {
            consultations: self.consultations_in_order(&ids).await?,
            more,
        })
    }

    /// One person's own consultations matching `query`, in the same order
    /// as `search_consultations`. They are few (a city's whole quota is
    /// ten a month), so their words are read and matched here, the way
    /// the index matches: asking SQLite's index about each by rowid cost
    /// 0.4 ms apiece, and walking every match of a common word for theirs
    /// far more (BENCHMARKS.md).
    async fn search_own(
        &self,
        query: &Query,
        requester: &str,
        limit: usize,
    ) -> Result<SearchHits, StoreError> {
        let rows: Vec<ConsultationRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CONSULTATION_COLUMNS} FROM consultations WHERE requester = $1 ORDER BY id DESC"
        )))
        .bind(requester)
        .fetch_all(self.pool())
        .await?;
        let words: Vec<(i64, Option<String>)> = sqlx::query_as(
            "SELECT e.consultation_id, e.detail FROM consultation_events e \
             JOIN consultations c ON c.id = e.consultation_id \
             WHERE c.requester = $1 AND e.kind IN ('answer', 'followup') ORDER BY e.id",
        )
        .bind(requester)
        .fetch_all(self.pool())
        .await?;
        let mut in_title = Vec::new();
        let mut elsewhere = Vec::new();
        for row in rows {
            let consultation = Consultation::try_from(row)?;
            if query.found_in(&consultation.title) {
                in_title.push(consultation);
                continue;
            }
            let mut content = format!("{}\n{}", consultation.title, consultation.details);
            for (_, detail) in words.iter().filter(|(id, _)| *id == consultation.id) {
                content.push('\n');
                content.push_str(detail.as_deref().unwrap_or_default());
            }
            if query.found_in(&content) {
                elsewhere.push(consultation);
            }
        }
        in_title.extend(elsewhere);
        let more = in_title.len() > limit;
        in_title.truncate(limit);
        Ok(SearchHits {
            consultations: in_title,
            more,
        })
    }

    /// Past consultations whose titles share bigrams with `title`, those
    /// sharing the most first, at most `limit`, without `except`: the
    /// candidates of "similar past consultations", which the caller judges.
    pub async fn consultations_sharing_title_words(
        &self,
        title: &str,
        except: i64,
        limit: i64,
    ) -> Result<Vec<Consultation>, StoreError> {
        let Some(grams) = Query::any_bigram_of(title) else {
            return Ok(Vec::new());
        };
        let index_query = match self.backend {
            Backend::Sqlite => format!("title : ({})", any_of(self.backend, &grams)),
            Backend::Postgres => any_of(self.backend, &grams),
        };
        let ids: Vec<i64> = self
            .matching_ids(true, &index_query, Order::Rank, limit + 1)
            .await?
            .into_iter()
            .filter(|id| *id != except)
            .collect();
        self.consultations_in_order(&ids).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_fts_document_marks_breaks_between_runs() {
        assert_eq!(fts_document("監査、手順書"), "監査 \u{E000} 手順 順書");
        assert_eq!(fts_document("VPN"), "vp pn");
    }

    #[test]
    fn a_tsvector_literal_keeps_the_gap_in_its_positions() {
        assert_eq!(tsvector_literal("監査、手順"), "'監査':1 '手順':3");
    }

    #[test]
    fn queries_are_phrases_and_prefixes_in_each_language() {
        let query = Query::parse("監査手順 a").unwrap();
        assert_eq!(fts_query(&query), "(\"監査 査手 手順\" AND \"a\" *)");
        assert_eq!(tsquery(&query), "('監査' <-> '査手' <-> '手順') & 'a':*");
    }
}
