//! Counting open days: worked examples, the ends of chrono's range, the edges of the
//! precomputed range, and the bit selection and table index underneath.

use chrono::{Datelike, NaiveDate};

use super::{DEFAULT_CALENDAR, date, walk_by_rule};
use crate::domain::calendar::bitmap::{
    date_at_table_index, nth_set_bit_from_highest, nth_set_bit_from_lowest, table_index,
};
use crate::domain::calendar::{
    TABLE_DAY_COUNT, TABLE_FIRST_DAY, TABLE_FIRST_DAY_NUMBER, TABLE_LAST_DAY,
};

#[test]
fn selecting_set_bits_within_a_word() {
    let word = 0b1011_0100u64 | (1 << 63);
    assert_eq!(nth_set_bit_from_lowest(word, 1), 2);
    assert_eq!(nth_set_bit_from_lowest(word, 3), 5);
    assert_eq!(nth_set_bit_from_lowest(word, 5), 63);
    assert_eq!(nth_set_bit_from_highest(word, 1), 63);
    assert_eq!(nth_set_bit_from_highest(word, 2), 7);
    assert_eq!(nth_set_bit_from_highest(word, 5), 2);
}

#[test]
fn table_constants_are_right() {
    assert_eq!(TABLE_FIRST_DAY_NUMBER, TABLE_FIRST_DAY.num_days_from_ce());
    let day_count = TABLE_LAST_DAY.num_days_from_ce() - TABLE_FIRST_DAY.num_days_from_ce() + 1;
    assert_eq!(TABLE_DAY_COUNT, day_count as usize);
    assert_eq!(table_index(TABLE_FIRST_DAY), Some(0));
    assert_eq!(table_index(TABLE_LAST_DAY), Some(TABLE_DAY_COUNT - 1));
    assert_eq!(table_index(TABLE_FIRST_DAY.pred_opt().unwrap()), None);
    assert_eq!(table_index(TABLE_LAST_DAY.succ_opt().unwrap()), None);
    assert_eq!(date_at_table_index(TABLE_DAY_COUNT - 1), TABLE_LAST_DAY);
}

#[test]
fn shift_examples() {
    let calendar = &*DEFAULT_CALENDAR;
    let shift = |from: NaiveDate, n: i32| calendar.shift_open_days(from, n);
    assert_eq!(shift(date(2024, 6, 11), -2), Some(date(2024, 6, 7)));
    assert_eq!(shift(date(2025, 1, 14), -2), Some(date(2025, 1, 9)));
    assert_eq!(shift(date(2024, 8, 13), -2), Some(date(2024, 8, 8)));
    assert_eq!(shift(date(2025, 1, 6), -1), Some(date(2024, 12, 27)));
    assert_eq!(shift(date(2024, 12, 27), 1), Some(date(2025, 1, 6)));
    assert_eq!(shift(date(2025, 4, 28), 1), Some(date(2025, 4, 30)));
    assert_eq!(shift(date(2019, 4, 26), 1), Some(date(2019, 5, 7)));
    assert_eq!(shift(date(2024, 6, 11), 0), Some(date(2024, 6, 11)));
    assert_eq!(shift(date(2024, 6, 8), 0), None);
}

#[test]
fn next_and_previous_open_day() {
    let calendar = &*DEFAULT_CALENDAR;
    assert_eq!(
        calendar.next_open_day_on_or_after(date(2024, 12, 28)),
        Some(date(2025, 1, 6))
    );
    assert_eq!(
        calendar.next_open_day_on_or_after(date(2025, 1, 6)),
        Some(date(2025, 1, 6))
    );
    let previous = calendar.previous_open_day_on_or_before(date(2025, 1, 3));
    assert_eq!(previous, Some(date(2024, 12, 27)));
    let previous = calendar.previous_open_day_on_or_before(date(2024, 12, 27));
    assert_eq!(previous, Some(date(2024, 12, 27)));
}

#[test]
fn shift_at_the_ends_of_chronos_range() {
    let calendar = &*DEFAULT_CALENDAR;
    assert_eq!(calendar.shift_open_days(NaiveDate::MAX, 1), None);
    assert_eq!(calendar.shift_open_days(NaiveDate::MIN, -1), None);
    assert_eq!(calendar.shift_open_days(NaiveDate::MAX, i32::MAX), None);
    assert_eq!(calendar.shift_open_days(date(2024, 6, 11), i32::MAX), None);
    assert_eq!(calendar.shift_open_days(date(2024, 6, 11), i32::MIN), None);
    let near_end = NaiveDate::MAX - chrono::Days::new(3);
    assert_eq!(calendar.shift_open_days(near_end, 10), None);
    let near_start = NaiveDate::MIN + chrono::Days::new(3);
    assert_eq!(calendar.shift_open_days(near_start, -10), None);
    let last_open = calendar
        .previous_open_day_on_or_before(NaiveDate::MAX)
        .unwrap();
    assert!(NaiveDate::MAX - last_open < chrono::TimeDelta::days(7));
    assert_eq!(calendar.shift_open_days(last_open, 1), None);
    assert_eq!(
        calendar.next_open_day_on_or_after(last_open),
        Some(last_open)
    );
}

#[test]
fn shift_crosses_the_edges_of_the_precomputed_range() {
    let calendar = &*DEFAULT_CALENDAR;
    for (from, n) in [
        (date(2200, 12, 20), 10),
        (date(2201, 1, 10), -10),
        (date(1948, 1, 10), -10),
        (date(1947, 12, 20), 10),
        (date(1947, 12, 20), 100_000),
        (date(2201, 1, 1), -100_000),
    ] {
        let expected = walk_by_rule(calendar, from, n);
        assert_eq!(calendar.shift_open_days(from, n), expected, "{from} {n}");
    }
}
