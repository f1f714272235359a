//! Excel tables as people in a city office expect them: a header row that
//! stays in view, filters on every column (a real Excel table), dates as
//! dates, and column widths that fit Japanese text — Excel's own autofit
//! undersizes full-width characters, so widths are measured here.

use super::xml_text::xml_text;
use chrono::{NaiveDate, NaiveDateTime};
use rust_xlsxwriter::{
    Format, FormatAlign, Table, TableColumn, TableStyle, Workbook, Worksheet, XlsxError,
};

/// One cell's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
    Empty,
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        if text.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(text)
        }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Cell::from(text.to_owned())
    }
}

impl From<Option<String>> for Cell {
    fn from(text: Option<String>) -> Self {
        text.map_or(Cell::Empty, Cell::from)
    }
}

impl From<Option<NaiveDate>> for Cell {
    fn from(date: Option<NaiveDate>) -> Self {
        date.map_or(Cell::Empty, Cell::Date)
    }
}

/// The widest a column grows, in Excel's units (about one half-width
/// character each); longer text wraps.
const WIDEST_COLUMN: f64 = 60.0;

/// Excel's paper size code for A4.
const A4: u8 = 9;

/// The widest a table prints on A4 portrait at 100%, in Excel's width
/// units (about 17 cm of 21 between the default margins); a wider table
/// prints landscape (仕様書 5(2): materials as the city hands them out).
const PORTRAIT_WIDTH: f64 = 90.0;

/// A sheet set up to print as a city office hands it out: A4, landscape
/// when `width` (its columns' width in Excel's units) does not fit
/// portrait, fit to the page's width (as many pages down as it takes),
/// the first `repeat_rows` rows repeated on every page, the sheet's name
/// in the header and the page number of the pages in the footer.
pub fn print_ready(
    worksheet: &mut Worksheet,
    width: f64,
    repeat_rows: Option<u32>,
) -> Result<(), XlsxError> {
    worksheet.set_paper_size(A4);
    if width > PORTRAIT_WIDTH {
        worksheet.set_landscape();
    }
    worksheet.set_print_fit_to_pages(1, 0);
    worksheet.set_print_center_horizontally(true);
    if let Some(last) = repeat_rows {
        worksheet.set_repeat_rows(0, last)?;
    }
    worksheet.set_header("&C&A");
    worksheet.set_footer("&C&P / &N");
    Ok(())
}

/// Excel's width units for a text: full-width characters take two.
pub fn display_width(text: &str) -> f64 {
    text.lines()
        .map(|line| {
            line.chars()
                .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
                .sum::<f64>()
        })
        .fold(0.0, f64::max)
}

/// An Excel table being written row by row on a constant-memory sheet:
/// each row goes to a temporary file as it is written, so a table of any
/// size takes the memory of one row (plus the column widths). The table,
/// with its header and filters, is declared first, for the number of rows
/// that will follow.
pub struct TableWriter<'w> {
    worksheet: &'w mut Worksheet,
    widths: Vec<f64>,
    next_row: u32,
    formats: Formats,
}

struct Formats {
    date: Format,
    date_time: Format,
    text: Format,
    wrapped: Format,
}

impl<'w> TableWriter<'w> {
    /// A new sheet `sheet` holding a table `name` of `headers` and `rows`
    /// data rows (an empty table shows one blank row).
    pub fn start(
        workbook: &'w mut Workbook,
        sheet: &str,
        name: &str,
        headers: &[String],
        rows: usize,
    ) -> Result<Self, XlsxError> {
        let worksheet = workbook.add_worksheet_with_constant_memory()?;
        Self::start_on(worksheet, sheet, name, headers, rows)
    }

    /// As `start`, on a sheet kept in memory: a small table a chart draws
    /// from (a chart's cached values and its text categories are read from
    /// the sheet's cells, which a constant-memory sheet does not keep).
    pub fn start_in_memory(
        workbook: &'w mut Workbook,
        sheet: &str,
        name: &str,
        headers: &[String],
        rows: usize,
    ) -> Result<Self, XlsxError> {
        let worksheet = workbook.add_worksheet();
        Self::start_on(worksheet, sheet, name, headers, rows)
    }

    fn start_on(
        worksheet: &'w mut Worksheet,
        sheet: &str,
        name: &str,
        headers: &[String],
        rows: usize,
    ) -> Result<Self, XlsxError> {
        worksheet.set_name(sheet)?;
        let columns: Vec<TableColumn> = headers
            .iter()
            .map(|header| TableColumn::new().set_header(xml_text(header)))
            .collect();
        let table = Table::new()
            .set_name(name)
            .set_style(TableStyle::Medium2)
            .set_columns(&columns);
        let last_row = u32::try_from(rows.max(1)).map_err(|_| XlsxError::RowColumnLimitError)?;
        let last_col = u16::try_from(headers.len().saturating_sub(1))
            .map_err(|_| XlsxError::RowColumnLimitError)?;
        // Declared before the rows: it writes the header row, and a
        // constant-memory sheet takes rows only in order.
        worksheet.add_table(0, 0, last_row, last_col, &table)?;
        worksheet.set_freeze_panes(1, 0)?;
        Ok(Self {
            worksheet,
            widths: headers
                .iter()
                .map(|header| display_width(header) + 4.0)
                .collect(),
            next_row: 1,
            formats: Formats {
                date: Format::new().set_num_format("yyyy/mm/dd"),
                date_time: Format::new().set_num_format("yyyy/mm/dd hh:mm"),
                text: Format::new().set_align(FormatAlign::Top),
                wrapped: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            },
        })
    }

    pub fn write_row(&mut self, row: &[Cell]) -> Result<(), XlsxError> {
        let at = self.next_row;
        for (column, cell) in row.iter().enumerate() {
            let col = u16::try_from(column).map_err(|_| XlsxError::RowColumnLimitError)?;
            let width = match cell {
                Cell::Text(value) => {
                    let width = display_width(value);
                    let format = if width > WIDEST_COLUMN || value.contains('\n') {
                        &self.formats.wrapped
                    } else {
                        &self.formats.text
                    };
                    self.worksheet
                        .write_string_with_format(at, col, xml_text(value), format)?;
                    width
                }
                Cell::Number(value) => {
                    self.worksheet.write_number(at, col, *value)?;
                    value.to_string().len() as f64
                }
                Cell::Date(value) => {
                    self.worksheet.write_datetime_with_format(
                        at,
                        col,
                        value,
                        &self.formats.date,
                    )?;
                    10.0
                }
                Cell::DateTime(value) => {
                    self.worksheet.write_datetime_with_format(
                        at,
                        col,
                        value,
                        &self.formats.date_time,
                    )?;
                    16.0
                }
                Cell::Empty => 0.0,
            };
            if let Some(widest) = self.widths.get_mut(column) {
                *widest = widest.max(width + 1.0);
            }
        }
        self.next_row += 1;
        Ok(())
    }

    /// Sets the column widths the rows needed, and the sheet's printing
    /// (`print_ready`, its header row on every page).
    pub fn finish(self) -> Result<(), XlsxError> {
        let mut total = 0.0;
        for (column, width) in self.widths.iter().enumerate() {
            let col = u16::try_from(column).map_err(|_| XlsxError::RowColumnLimitError)?;
            let width = width.min(WIDEST_COLUMN);
            total += width;
            self.worksheet.set_column_width(col, width)?;
        }
        print_ready(self.worksheet, total, Some(0))
    }
}

/// Writes `rows` under `headers` as an Excel table named `name` on a new
/// sheet `sheet`, with the header frozen and every column filterable.
pub fn table_sheet(
    workbook: &mut Workbook,
    sheet: &str,
    name: &str,
    headers: &[String],
    rows: impl ExactSizeIterator<Item = Vec<Cell>>,
) -> Result<(), XlsxError> {
    let mut table = TableWriter::start(workbook, sheet, name, headers, rows.len())?;
    for row in rows {
        table.write_row(&row)?;
    }
    table.finish()
}

/// A workbook of one table sheet, as the bytes of an .xlsx file.
pub fn table_workbook(
    sheet: &str,
    name: &str,
    headers: &[String],
    rows: impl ExactSizeIterator<Item = Vec<Cell>>,
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    table_sheet(&mut workbook, sheet, name, headers, rows)?;
    workbook.save_to_buffer()
}

/// A sheet of label–value pairs (a summary), two columns wide.
pub fn pairs_sheet(
    workbook: &mut Workbook,
    sheet: &str,
    pairs: &[(String, Cell)],
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let worksheet = workbook.add_worksheet();
    worksheet.set_name(sheet)?;
    let mut label_width: f64 = 10.0;
    let mut value_width: f64 = 10.0;
    for (row, (label, value)) in pairs.iter().enumerate() {
        let row = u32::try_from(row).map_err(|_| XlsxError::RowColumnLimitError)?;
        worksheet.write_string_with_format(row, 0, xml_text(label), &bold)?;
        label_width = label_width.max(display_width(label) + 2.0);
        match value {
            Cell::Text(text) => {
                worksheet.write_string(row, 1, xml_text(text))?;
                value_width = value_width.max(display_width(text) + 2.0);
            }
            Cell::Number(number) => {
                worksheet.write_number(row, 1, *number)?;
            }
            Cell::Date(date) => {
                worksheet.write_datetime_with_format(
                    row,
                    1,
                    date,
                    &Format::new().set_num_format("yyyy/mm/dd"),
                )?;
            }
            Cell::DateTime(at) => {
                worksheet.write_datetime_with_format(
                    row,
                    1,
                    at,
                    &Format::new().set_num_format("yyyy/mm/dd hh:mm"),
                )?;
            }
            Cell::Empty => {}
        }
    }
    let (label_width, value_width) = (
        label_width.min(WIDEST_COLUMN),
        value_width.min(WIDEST_COLUMN),
    );
    worksheet.set_column_width(0, label_width)?;
    worksheet.set_column_width(1, value_width)?;
    print_ready(worksheet, label_width + value_width, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_characters_count_twice() {
        assert_eq!(display_width("2406-001"), 8.0);
        assert_eq!(display_width("受付番号"), 8.0);
        assert_eq!(display_width("VPN装置"), 7.0);
        assert_eq!(display_width("一行目\n二行目が長い"), 12.0);
    }
}
