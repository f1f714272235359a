//! 進捗状況報告書: the month's progress report for the regular meeting
//! (仕様書 5(2)イ), as an Excel workbook and as a Word document from the same
//! content — a title, then sections each with a heading, a few lines and a
//! table: the consultations and their figures, the use of every capped kind
//! of work, the open issues, and next month's meetings. The words and
//! figures are prepared by the caller.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, Docx, Footer, Header, NumPages, PageMargin, PageNum, Paragraph, Run, RunFonts,
    Style, StyleType, Table as WordTable, TableCell, TableLayoutType, TableRow, WidthType,
};
use rust_xlsxwriter::{Chart, ChartLegendPosition, ChartType, Format, Workbook, XlsxError};

use super::xlsx::{Cell, TableWriter, display_width};
use super::xml_text::xml_text;

/// The report, ready to write in either format.
#[derive(Debug, Clone)]
pub struct ProgressReport {
    pub title: String,
    /// Lines under the title (the contract, the period, when it was made).
    pub preface: Vec<String>,
    /// The first sheet's name in the workbook (the title and every
    /// section's lines).
    pub overview_sheet: String,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub heading: String,
    pub lines: Vec<String>,
    pub table: SectionTable,
}

#[derive(Debug, Clone)]
pub struct SectionTable {
    /// Its sheet in the workbook.
    pub sheet: String,
    /// Its Excel table's name (ASCII, unique in the workbook).
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// What the document says when there are no rows.
    pub empty: String,
    /// A native Excel chart of the table, with this title: the first
    /// column the categories, the second as columns, a third (a limit) as
    /// a line. The Word document gives the table alone.
    pub chart: Option<String>,
}

/// The workbook: an overview sheet, then a sheet per section's table.
/// The overview sheet's one column, in Excel's units: a portrait A4
/// page's width.
const OVERVIEW_WIDTH: f64 = 88.0;

pub fn progress_workbook(report: &ProgressReport) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let heading = Format::new().set_bold();
    // A long line (the consultations past their targets) wraps within the
    // page's width rather than running off it.
    let line_format = Format::new()
        .set_text_wrap()
        .set_align(rust_xlsxwriter::FormatAlign::Top);
    let overview = workbook.add_worksheet();
    overview.set_name(&report.overview_sheet)?;
    let mut row = 0u32;
    let mut widest: f64 = 20.0;
    overview.write_string_with_format(row, 0, xml_text(&report.title), &title)?;
    row += 1;
    for line in &report.preface {
        overview.write_string(row, 0, xml_text(line))?;
        widest = widest.max(display_width(line));
        row += 1;
    }
    for section in &report.sections {
        row += 1;
        overview.write_string_with_format(row, 0, xml_text(&section.heading), &heading)?;
        row += 1;
        for line in &section.lines {
            overview.write_string_with_format(row, 0, xml_text(line), &line_format)?;
            widest = widest.max(display_width(line));
            row += 1;
        }
    }
    let width = (widest + 2.0).min(OVERVIEW_WIDTH);
    overview.set_column_width(0, width)?;
    super::xlsx::print_ready(overview, width, None)?;
    for section in &report.sections {
        let table = &section.table;
        let start = if table.chart.is_some() {
            TableWriter::start_in_memory
        } else {
            TableWriter::start
        };
        let mut writer = start(
            &mut workbook,
            &table.sheet,
            &table.name,
            &table.headers,
            table.rows.len(),
        )?;
        for row in &table.rows {
            writer.write_row(row)?;
        }
        writer.finish()?;
        if let Some(title) = &table.chart {
            chart_beside(&mut workbook, table, title)?;
        }
    }
    workbook.save_to_buffer()
}

/// The chart of a section's table, to the right of it: people read a
/// chart faster than a table (the consultations per month against the
/// limit).
fn chart_beside(
    workbook: &mut Workbook,
    table: &SectionTable,
    title: &str,
) -> Result<(), XlsxError> {
    let Ok(last) = u32::try_from(table.rows.len()) else {
        return Err(XlsxError::RowColumnLimitError);
    };
    if last == 0 || table.headers.len() < 2 {
        return Ok(());
    }
    let sheet = table.sheet.as_str();
    let mut chart = Chart::new(ChartType::Column);
    chart
        .add_series()
        .set_name((sheet, 0, 1))
        .set_categories((sheet, 1, 0, last, 0))
        .set_values((sheet, 1, 1, last, 1));
    chart.title().set_name(xml_text(title).as_ref());
    chart.legend().set_position(ChartLegendPosition::Bottom);
    if table.headers.len() > 2 {
        let mut line = Chart::new(ChartType::Line);
        line.add_series()
            .set_name((sheet, 0, 2))
            .set_categories((sheet, 1, 0, last, 0))
            .set_values((sheet, 1, 2, last, 2));
        chart.combine(&line);
    }
    let columns = u16::try_from(table.headers.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
    workbook
        .worksheet_from_name(sheet)?
        .insert_chart(1, columns + 1, &chart)?;
    Ok(())
}

/// The Word document: the title, then each section's heading, lines and
/// table (or a line saying it is empty).
pub fn progress_document(report: &ProgressReport) -> std::io::Result<Vec<u8>> {
    let japanese = RunFonts::new()
        .east_asia("游明朝")
        .ascii("Century")
        .hi_ansi("Century");
    let run = |text: &str| Run::new().add_text(xml_text(text)).fonts(japanese.clone());
    let mut document = Docx::new()
        .add_style(
            Style::new("Title", StyleType::Paragraph)
                .name("Title")
                .size(32)
                .bold(),
        )
        .add_style(
            Style::new("Heading1", StyleType::Paragraph)
                .name("Heading 1")
                .size(26)
                .bold(),
        )
        .add_paragraph(Paragraph::new().add_run(run(&report.title)).style("Title"))
        // A4 portrait, 20 mm margins; the title in the header and the
        // page of the pages in the footer, as a handout is printed.
        .page_size(A4_WIDTH, A4_HEIGHT)
        .page_margin(
            PageMargin::new()
                .top(MARGIN)
                .bottom(MARGIN)
                .left(MARGIN)
                .right(MARGIN)
                .header(HEADER_MARGIN)
                .footer(HEADER_MARGIN),
        )
        .header(
            Header::new().add_paragraph(
                Paragraph::new()
                    .add_run(run(&report.title).size(18))
                    .align(AlignmentType::Right),
            ),
        )
        .footer(
            Footer::new().add_paragraph(
                Paragraph::new()
                    .add_page_num(PageNum::new())
                    .add_run(run(" / "))
                    .add_num_pages(NumPages::new())
                    .align(AlignmentType::Center),
            ),
        );
    for line in &report.preface {
        document = document.add_paragraph(Paragraph::new().add_run(run(line)));
    }
    for section in &report.sections {
        document = document.add_paragraph(
            Paragraph::new()
                .add_run(run(&section.heading))
                .style("Heading1"),
        );
        for line in &section.lines {
            document = document.add_paragraph(Paragraph::new().add_run(run(line)));
        }
        let table = &section.table;
        if table.rows.is_empty() {
            document = document.add_paragraph(Paragraph::new().add_run(run(&table.empty)));
            continue;
        }
        let widths = column_widths(table);
        let cell = |text: &str, bold: bool, column: usize| {
            let mut content = run(text);
            if bold {
                content = content.bold();
            }
            TableCell::new()
                .width(widths.get(column).copied().unwrap_or(0), WidthType::Dxa)
                .add_paragraph(Paragraph::new().add_run(content))
        };
        let mut rows = vec![TableRow::new(
            table
                .headers
                .iter()
                .enumerate()
                .map(|(column, header)| cell(header, true, column))
                .collect(),
        )];
        for row in &table.rows {
            rows.push(TableRow::new(
                row.iter()
                    .enumerate()
                    .map(|(column, value)| cell(&cell_text(value), false, column))
                    .collect(),
            ));
        }
        document = document.add_table(
            WordTable::new(rows)
                .set_grid(widths.clone())
                .layout(TableLayoutType::Fixed)
                .width(TEXT_WIDTH, WidthType::Dxa),
        );
    }
    let mut bytes = Cursor::new(Vec::new());
    document
        .build()
        .pack(&mut bytes)
        .map_err(std::io::Error::other)?;
    Ok(bytes.into_inner())
}

/// A4 in twentieths of a point (210 × 297 mm).
const A4_WIDTH: u32 = 11_906;
const A4_HEIGHT: u32 = 16_838;
/// 20 mm, and the header's and footer's 10 mm from the edge.
const MARGIN: i32 = 1_134;
const HEADER_MARGIN: i32 = 567;
/// The width between the margins, which the tables fill.
const TEXT_WIDTH: usize = 11_906 - 2 * 1_134;
/// A column's share is its widest text's, in Excel's width units
/// (full-width characters count two), kept within these bounds: an id or
/// a date stays narrow, a title takes the room.
const NARROWEST_SHARE: f64 = 6.0;
const WIDEST_SHARE: f64 = 40.0;

/// The columns' widths (twips) of a table filling the page's width, each
/// by the width of its contents: titles and details wide, ids and dates
/// narrow. (docx-rs 0.4 cannot mark a header row to repeat on each page,
/// `w:tblHeader`; the tables are one or two pages long.)
fn column_widths(table: &SectionTable) -> Vec<usize> {
    let shares: Vec<f64> = table
        .headers
        .iter()
        .enumerate()
        .map(|(column, header)| {
            table
                .rows
                .iter()
                .filter_map(|row| row.get(column))
                .map(|cell| display_width(&cell_text(cell)))
                .fold(display_width(header), f64::max)
                .clamp(NARROWEST_SHARE, WIDEST_SHARE)
        })
        .collect();
    let total: f64 = shares.iter().sum();
    shares
        .iter()
        .map(|share| (TEXT_WIDTH as f64 * share / total.max(1.0)) as usize)
        .collect()
}

/// A cell as the document prints it: dates as 2024/06/17.
fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => text.clone(),
        Cell::Number(number) => number.to_string(),
        Cell::Date(date) => date.format("%Y/%m/%d").to_string(),
        Cell::DateTime(at) => at.format("%Y/%m/%d %H:%M").to_string(),
        Cell::Empty => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Reader, Xlsx};

    /// A title pasted with an escape sequence, a table cell with U+FFFF
    /// and a line with a NUL: both files open, and show U+FFFD in their
    /// place.
    #[test]
    fn characters_xml_cannot_carry_leave_both_files_readable() {
        let report = ProgressReport {
            title: "進捗\u{1b}[0m報告".into(),
            preface: vec!["前文\u{0}".into()],
            overview_sheet: "概要".into(),
            sections: vec![Section {
                heading: "相談".into(),
                lines: Vec::new(),
                table: SectionTable {
                    sheet: "相談".into(),
                    name: "Consultations".into(),
                    headers: vec!["件名".into()],
                    rows: vec![vec![Cell::Text("VPN\u{FFFF}の相談".into())]],
                    empty: "なし".into(),
                    chart: None,
                },
            }],
        };
        let document =
            docx_rs::read_docx(&progress_document(&report).unwrap()).expect("the document opens");
        let texts: Vec<String> = document
            .document
            .children
            .iter()
            .filter_map(|child| match child {
                docx_rs::DocumentChild::Paragraph(paragraph) => Some(paragraph.raw_text()),
                _ => None,
            })
            .collect();
        assert_eq!(texts[0], "進捗\u{FFFD}[0m報告");
        assert_eq!(texts[1], "前文\u{FFFD}");
        let bytes = progress_workbook(&report).unwrap();
        let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("the workbook opens");
        let overview = workbook.worksheet_range("概要").unwrap();
        assert_eq!(
            overview
                .get_value((0, 0))
                .map(ToString::to_string)
                .as_deref(),
            Some("進捗\u{FFFD}[0m報告")
        );
        let table = workbook.worksheet_range("相談").unwrap();
        assert_eq!(
            table.get_value((1, 0)).map(ToString::to_string).as_deref(),
            Some("VPN\u{FFFD}の相談")
        );
    }
}
