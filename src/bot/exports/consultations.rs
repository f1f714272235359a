//! 相談対応記録 of a month: the list, the figures and the history, written
//! row by row into constant-memory sheets as the store hands the rows over,
//! so that a month of any size never sits in memory.

use std::collections::HashMap;

use rust_xlsxwriter::Workbook;

use super::words::{Labels, city_time, consultation_words};
use super::{ExportError, Exported};
use crate::bot::Bot;
use crate::bot::consultations::notices::month_ja;
use crate::bot::quotas::{QUOTA_KIND, consultation_policy};
use crate::domain::month::YearMonth;
use crate::domain::quota::{MonthSummary, summarise_month};
use crate::export::consultations::{
    ConsultationLine, ConsultationWords, HistoryLine, MonthFigures, history_row, list_row,
    summary_pairs,
};
use crate::export::xlsx::{TableWriter, pairs_sheet};
use crate::message::render_mentions;
use crate::store::{CountedRows, Event, MonthRows, NamedConsultation, Responses};

/// 相談対応記録 of `month`, refused outside the contract.
pub async fn consultations(bot: &Bot, month: YearMonth) -> Result<Exported, ExportError> {
    super::check_month(bot, month)?;
    consultations_of(bot, month).await
}

/// The same, for any month (the contract's end exports every month
/// stored, whatever contract it fell in).
pub(super) async fn consultations_of(bot: &Bot, month: YearMonth) -> Result<Exported, ExportError> {
    let words = consultation_words(bot)?;
    let store = bot.store();
    let requests = store
        .counted_requests(QUOTA_KIND, month, month.next())
        .await?;
    let summary = summarise_month(&consultation_policy(bot), month, &requests);
    let names = store.display_names().await?;
    let responses = store.responses_of_month(month).await?;
    let made_at = city_time(bot.clock().now().timestamp());
    let bot = bot.clone();
    store
        .with_month_rows(month, move |rows| {
            let figures = figures(month, &summary, rows.consultations.count, made_at);
            assemble(&bot, &words, &figures, &names, &responses, rows)
        })
        .await
}

/// The summary sheet's figures: the month's quota as /quota shows it, and
/// every consultation received.
fn figures(
    month: YearMonth,
    summary: &MonthSummary,
    received: usize,
    made_at: chrono::NaiveDateTime,
) -> MonthFigures {
    MonthFigures {
        month: month_ja(month),
        limit: summary.limit,
        counted: summary.counted,
        exceptions: summary.exceptions,
        carried_in: summary.carried_in,
        remaining: summary.remaining,
        held: summary.held,
        carried_out: summary.carried_out,
        received: u32::try_from(received).unwrap_or(u32::MAX),
        made_at,
    }
}

/// Writes the workbook from the rows, in order: each table is declared
/// with its count first; a row beyond that count — received since it was
/// taken — waits for the next export.
fn assemble(
    bot: &Bot,
    words: &ConsultationWords,
    figures: &MonthFigures,
    names: &HashMap<String, String>,
    responses: &HashMap<i64, Responses>,
    MonthRows {
        consultations,
        history,
    }: MonthRows<'_>,
) -> Result<Exported, ExportError> {
    let mut labels = Labels::new(bot);
    let mut workbook = Workbook::new();
    // The fastest deflate: a month of 100,000 consultations saves in about
    // 1.5 s less, for a file of 18.6 MB instead of 11.1 MB (BENCHMARKS.md).
    workbook.set_zip_compression_level(1);
    let rows = write_list(
        &mut workbook,
        bot,
        words,
        names,
        responses,
        &mut labels,
        consultations,
    )?;
    pairs_sheet(
        &mut workbook,
        &words.summary_sheet,
        &summary_pairs(words, figures),
    )?;
    write_history(&mut workbook, words, names, &mut labels, history)?;
    let bytes = workbook.save_to_buffer()?;
    Ok(Exported { bytes, rows })
}

/// The list sheet; returns how many consultations it holds.
#[allow(clippy::too_many_arguments)]
fn write_list(
    workbook: &mut Workbook,
    bot: &Bot,
    words: &ConsultationWords,
    names: &HashMap<String, String>,
    responses: &HashMap<i64, Responses>,
    labels: &mut Labels<'_>,
    list: CountedRows<'_, NamedConsultation>,
) -> Result<usize, ExportError> {
    let mut table = TableWriter::start(
        workbook,
        &words.list_sheet,
        "Consultations",
        &words.list_headers,
        list.count,
    )?;
    let mut rows = 0;
    for consultation in list.rows.take(list.count) {
        let (consultation, name) = consultation?;
        // What people typed, in plain words: people by name, links as URLs.
        let typed = |text: String| render_mentions(&text, |id| name_of(names, id.to_owned()));
        let held_in = consultation
            .held_month
            .filter(|_| consultation.status == crate::domain::consultation::Status::Held)
            .map(|month| labels.get("note_held_in", &month.to_string()));
        let note = consultation
            .decline_reason
            .map(typed)
            .or(held_in)
            .or_else(|| {
                consultation
                    .exception
                    .then(|| labels.get("note", "exception"))
            });
        let response = responses.get(&consultation.id);
        let received = city_time(consultation.received_at);
        let open_days = |at: Option<i64>| {
            at.map(|at| {
                bot.calendar().open_days_to_reply(
                    received,
                    city_time(at),
                    bot.settings().response.office_closes,
                )
            })
        };
        let line = ConsultationLine {
            latest_answer: response
                .and_then(|response| response.latest_answer.clone())
                .map(typed),
            open_days_to_first_response: open_days(response.and_then(|r| r.first_response_at)),
            open_days_to_answer: open_days(response.and_then(|r| r.answered_at)),
            short_id: consultation.short_id,
            received_at: city_time(consultation.received_at),
            requester: name.unwrap_or(consultation.requester),
            department: consultation.department.map(typed),
            title: typed(consultation.title),
            category: labels.get("category", consultation.category.code()),
            details: typed(consultation.details),
            desired_date: consultation.desired_date,
            status: labels.get("status", consultation.status.code()),
            assignee: consultation.assignee.map(|id| name_of(names, id)),
            counted_in: consultation.quota_bucket,
            position: consultation.quota_position,
            note,
        };
        table.write_row(&list_row(line))?;
        rows += 1;
    }
    table.finish()?;
    Ok(rows)
}

/// The history sheet: creation and every change, consultation by
/// consultation.
fn write_history(
    workbook: &mut Workbook,
    words: &ConsultationWords,
    names: &HashMap<String, String>,
    labels: &mut Labels<'_>,
    history: CountedRows<'_, (String, Event)>,
) -> Result<(), ExportError> {
    let mut table = TableWriter::start(
        workbook,
        &words.history_sheet,
        "History",
        &words.history_headers,
        history.count,
    )?;
    for entry in history.rows.take(history.count) {
        let (short_id, event) = entry?;
        let line = HistoryLine {
            short_id,
            at: city_time(event.at),
            actor: name_of(names, event.actor),
            what: labels.get("event", &event.kind),
            from: event.from_status.map(|code| labels.get("status", &code)),
            to: event.to_status.map(|code| labels.get("status", &code)),
            detail: event.detail.map(|detail| {
                render_mentions(&labels.detail(&detail), |id| name_of(names, id.to_owned()))
            }),
        };
        table.write_row(&history_row(line))?;
    }
    table.finish()?;
    Ok(())
}

/// A person's name where banso knows it, else their user id.
fn name_of(names: &HashMap<String, String>, id: String) -> String {
    names.get(&id).cloned().unwrap_or(id)
}
