//! The open days of 1948–2200 as one bit per day, built once from an [`OpenDayCalendar`]'s
//! rules so that `is_open` is one lookup and counting open days skips a word (64 days) at a
//! time. Days outside the range are answered by rule in the calendar itself.

use chrono::{Datelike, NaiveDate};

use super::holidays::PRECOMPUTED_HOLIDAYS;
use super::{
    OpenDayCalendar, TABLE_DAY_COUNT, TABLE_FIRST_DAY, TABLE_FIRST_DAY_NUMBER, TABLE_LAST_DAY,
    days_between, is_year_end_closure_day,
};

/// The position of `date` in the precomputed range, if it lies inside it.
pub(super) fn table_index(date: NaiveDate) -> Option<usize> {
    let offset = date.num_days_from_ce() - TABLE_FIRST_DAY_NUMBER;
    usize::try_from(offset)
        .ok()
        .filter(|index| *index < TABLE_DAY_COUNT)
}

pub(super) fn date_at_table_index(index: usize) -> NaiveDate {
    // Indices come from the table, so they fit in i32 and name a valid date.
    let offset = i32::try_from(index).expect("table index fits in i32");
    NaiveDate::from_num_days_from_ce_opt(TABLE_FIRST_DAY_NUMBER + offset)
        .expect("table index names a valid date")
}

/// One bit per day of the precomputed range, set when the office is open. Bits past the
/// last day stay clear, so scans may run to the end of the last word.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct OpenDayBitmap {
    words: Vec<u64>,
}

impl OpenDayBitmap {
    pub(super) fn all_closed() -> Self {
        OpenDayBitmap {
            words: vec![0; TABLE_DAY_COUNT.div_ceil(64)],
        }
    }

    pub(super) fn is_set(&self, index: usize) -> bool {
        self.words[index / 64] & (1 << (index % 64)) != 0
    }

    fn set(&mut self, index: usize, open: bool) {
        let mask = 1u64 << (index % 64);
        if open {
            self.words[index / 64] |= mask;
        } else {
            self.words[index / 64] &= !mask;
        }
    }

    /// The index of the `count`-th open day at or after `start` (count ≥ 1), or how many
    /// open days there were up to the end of the range.
    pub(super) fn nth_open_at_or_after(&self, start: usize, count: u32) -> Result<usize, u32> {
        let mut remaining = count;
        let mut word_index = start / 64;
        let mut word = self.words[word_index] & (u64::MAX << (start % 64));
        loop {
            let open_in_word = word.count_ones();
            if open_in_word >= remaining {
                return Ok(word_index * 64 + nth_set_bit_from_lowest(word, remaining));
            }
            remaining -= open_in_word;
            word_index += 1;
            match self.words.get(word_index) {
                Some(next_word) => word = *next_word,
                None => return Err(count - remaining),
            }
        }
    }

    /// The index of the `count`-th open day at or before `end` (count ≥ 1), or how many
    /// open days there were back to the start of the range.
    pub(super) fn nth_open_at_or_before(&self, end: usize, count: u32) -> Result<usize, u32> {
        let mut remaining = count;
        let mut word_index = end / 64;
        let mut word = self.words[word_index] & (u64::MAX >> (63 - end % 64));
        loop {
            let open_in_word = word.count_ones();
            if open_in_word >= remaining {
                return Ok(word_index * 64 + nth_set_bit_from_highest(word, remaining));
            }
            remaining -= open_in_word;
            if word_index == 0 {
                return Err(count - remaining);
            }
            word_index -= 1;
            word = self.words[word_index];
        }
    }
}

/// Position of the n-th (1-based) set bit counting from bit 0; `word` has at least n.
pub(super) fn nth_set_bit_from_lowest(mut word: u64, n: u32) -> usize {
    for _ in 1..n {
        word &= word - 1;
    }
    word.trailing_zeros() as usize
}

/// Position of the n-th (1-based) set bit counting from bit 63; `word` has at least n.
pub(super) fn nth_set_bit_from_highest(mut word: u64, n: u32) -> usize {
    for _ in 1..n {
        word &= !(1u64 << (63 - word.leading_zeros()));
    }
    (63 - word.leading_zeros()) as usize
}

impl OpenDayCalendar {
    /// Lays the closures over each other in the same order of precedence as
    /// `closed_reason_with`, so that the bitmap and the rules agree.
    pub(super) fn build_open_day_bitmap(&self) -> OpenDayBitmap {
        let mut bitmap = OpenDayBitmap::all_closed();
        let first_weekday = TABLE_FIRST_DAY.weekday().num_days_from_monday() as usize;
        for index in 0..TABLE_DAY_COUNT {
            let is_weekday = (first_weekday + index) % 7 < 5;
            bitmap.set(index, is_weekday);
        }
        let year_end_days = days_between(TABLE_FIRST_DAY, TABLE_LAST_DAY)
            .filter(|date| self.year_end_closure && is_year_end_closure_day(*date));
        let holidays = PRECOMPUTED_HOLIDAYS.iter().map(|holiday| holiday.date);
        let closed = holidays
            .chain(year_end_days)
            .chain(self.extra_closed.keys().copied());
        for index in closed.filter_map(table_index) {
            bitmap.set(index, false);
        }
        for index in self.extra_open.iter().copied().filter_map(table_index) {
            bitmap.set(index, true);
        }
        bitmap
    }
}
