//! The files print as a city office hands them out (issue 14): A4,
//! landscape for the wide tables, fit to the page's width, the header row
//! on every page, the sheet's name and the page numbers in the header and
//! footer; the Word report's tables sized by their contents. calamine
//! reads none of that, so the tests read the packages' XML.

mod support;

use std::io::{Cursor, Read};

use banso::bot::exports::{self, DocumentFormat};
use support::{bot_on, say};

/// The XML of `part` in an xlsx or docx package.
fn part(bytes: &[u8], name: &str) -> String {
    let mut package = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip package");
    let mut xml = String::new();
    package
        .by_name(name)
        .unwrap_or_else(|_| panic!("{name} in the package"))
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

/// The sheet named `sheet`'s XML, found through the workbook's parts.
fn sheet_xml(bytes: &[u8], sheet: &str) -> String {
    let workbook = part(bytes, "xl/workbook.xml");
    let sheets: Vec<&str> = workbook
        .split("<sheet ")
        .skip(1)
        .map(|tag| {
            tag.split("name=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
        })
        .collect();
    let index = sheets
        .iter()
        .position(|name| *name == sheet)
        .unwrap_or_else(|| panic!("{sheet} in {sheets:?}"));
    part(bytes, &format!("xl/worksheets/sheet{}.xml", index + 1))
}

#[tokio::test]
async fn the_workbooks_and_the_report_are_set_up_for_a4() {
    let test = support::sqlite_store().await;
    let (bot, clock) = bot_on(&test.store, "2024-06-10T10:00:00+09:00");
    say(
        &bot,
        "tanaka",
        "/consult 標的型メール訓練の実施方法と結果の報告様式について",
    )
    .await;
    say(&bot, "tanaka", "総務局 総務課").await;
    say(&bot, "tanaka", "/consult USBメモリの紛失").await;
    say(
        &bot,
        "consultant",
        "/consult answer 2406-002 届出の様式をお送りします。",
    )
    .await;
    clock.set(
        chrono::DateTime::parse_from_rfc3339("2024-07-01T09:00:00+09:00")
            .unwrap()
            .to_utc(),
    );
    let month = "2024-06".parse().unwrap();

    let list = exports::consultations(&bot, month).await.unwrap().bytes;
    let sheet = sheet_xml(&list, "相談一覧");
    assert!(sheet.contains("paperSize=\"9\""), "A4: {sheet}");
    assert!(
        sheet.contains("orientation=\"landscape\""),
        "the wide list is landscape"
    );
    assert!(
        sheet.contains("<fitToPage/>") || sheet.contains("fitToPage=\"1\""),
        "fit to the page"
    );
    assert!(
        sheet.contains("fitToHeight=\"0\""),
        "as many pages down as it takes"
    );
    assert!(
        sheet.contains("<oddHeader>&amp;C&amp;A</oddHeader>"),
        "{sheet}"
    );
    assert!(
        sheet.contains("<oddFooter>&amp;C&amp;P / &amp;N</oddFooter>"),
        "{sheet}"
    );
    let workbook = part(&list, "xl/workbook.xml");
    assert!(
        workbook.contains("_xlnm.Print_Titles") && workbook.contains("相談一覧!$1:$1"),
        "the header row on every page: {workbook}"
    );
    let summary = sheet_xml(&list, "件数集計");
    assert!(summary.contains("paperSize=\"9\"") && !summary.contains("landscape"));

    let report = exports::progress(&bot, month, DocumentFormat::Xlsx)
        .await
        .unwrap()
        .bytes;
    let overview = sheet_xml(&report, "概要");
    assert!(overview.contains("paperSize=\"9\"") && !overview.contains("landscape"));
    assert!(overview.contains("wrapText") || part(&report, "xl/styles.xml").contains("wrapText"));

    // The consultations per month against the limit, as a native chart
    // (columns and a line) beside its table.
    let monthly = sheet_xml(&report, "月別件数");
    assert!(monthly.contains("<drawing "), "the chart is on the sheet");
    let chart = part(&report, "xl/charts/chart1.xml");
    assert!(
        chart.contains("<c:barChart>") && chart.contains("<c:lineChart>"),
        "{chart}"
    );
    assert!(chart.contains("相談件数の推移"), "its title");
    assert!(
        chart.contains("月別件数"),
        "its figures from the sheet: {chart}"
    );
    assert!(
        chart.contains("<c:strRef>") && chart.contains("令和6年6月"),
        "the months as text categories, cached for viewers: {chart}"
    );

    let document = exports::progress(&bot, month, DocumentFormat::Docx)
        .await
        .unwrap()
        .bytes;
    let xml = part(&document, "word/document.xml");
    assert!(
        xml.contains("w:w=\"11906\"") && xml.contains("w:h=\"16838\""),
        "A4"
    );
    assert!(xml.contains("w:type=\"fixed\""), "fixed column widths");
    // The consultations' table: 受付番号, 受付日, 件名, 区分, 状態 — the
    // title's column the widest, the receipt number's narrower.
    let grid = xml
        .split("<w:tblGrid>")
        .nth(1)
        .expect("a table grid")
        .split("</w:tblGrid>")
        .next()
        .unwrap();
    let widths: Vec<usize> = grid
        .split("w:w=\"")
        .skip(1)
        .map(|width| width.split('"').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(widths.len(), 5, "{grid}");
    assert!(
        xml.contains("相談件数の推移"),
        "the Word report gives the monthly figures as a table"
    );
    let widest = widths.iter().max().unwrap();
    assert_eq!(widths[2], *widest, "件名 is the widest: {widths:?}");
    assert!(widths[0] < widths[2] / 2, "{widths:?}");
    assert!(widths.iter().sum::<usize>() <= 11906 - 2 * 1134);
    let footer = (1..4)
        .map(|n| format!("word/footer{n}.xml"))
        .find_map(|name| {
            zip::ZipArchive::new(Cursor::new(&document))
                .unwrap()
                .by_name(&name)
                .ok()
                .map(|_| part(&document, &name))
        })
        .expect("a footer");
    assert!(
        footer.contains("PAGE") && footer.contains("NUMPAGES"),
        "{footer}"
    );
    test.cleanup().await;
}
