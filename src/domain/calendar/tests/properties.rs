//! Properties over random days and random configurations: shifting lands on open days,
//! composes and round-trips, and the bitmap always agrees with the rules it was built from.

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;

use super::{DEFAULT_CALENDAR, date, walk_by_rule};
use crate::domain::calendar::{
    CalendarRules, OpenDayCalendar, days_between, holidays::compute_national_holiday,
    national_holiday,
};

fn day_in(first_year: i32, last_year: i32) -> impl Strategy<Value = NaiveDate> {
    let first = date(first_year, 1, 1).num_days_from_ce();
    let last = date(last_year, 12, 31).num_days_from_ce();
    (first..=last).prop_map(|number| NaiveDate::from_num_days_from_ce_opt(number).unwrap())
}

fn calendar_rules() -> impl Strategy<Value = CalendarRules> {
    let closed = prop::collection::vec((day_in(1946, 2203), "[a-z]{1,8}"), 0..40);
    let open = prop::collection::vec(day_in(1946, 2203), 0..40);
    (any::<bool>(), closed, open).prop_map(|(year_end_closure, extra_closed, extra_open)| {
        CalendarRules {
            year_end_closure,
            extra_closed,
            extra_open,
        }
    })
}

proptest! {
    #[test]
    fn shifted_day_is_open(d in day_in(1973, 2150), n in -40..=40i32) {
        let calendar = &*DEFAULT_CALENDAR;
        match calendar.shift_open_days(d, n) {
            Some(shifted) => prop_assert!(calendar.is_open(shifted)),
            None => prop_assert!(n == 0 && !calendar.is_open(d)),
        }
    }

    #[test]
    fn shift_agrees_with_walking_by_rule(d in day_in(1940, 2210), n in -40..=40i32) {
        let calendar = &*DEFAULT_CALENDAR;
        prop_assert_eq!(calendar.shift_open_days(d, n), walk_by_rule(calendar, d, n));
    }

    /// Going back n open days and forward n again lands on `d` itself when `d` is open
    /// and on the first open day after it when it is closed; the mirror image holds
    /// for forward-then-back.
    #[test]
    fn shift_there_and_back(d in day_in(1973, 2150), n in 1..=40i32) {
        let calendar = &*DEFAULT_CALENDAR;
        let back_then_forth = calendar
            .shift_open_days(d, -n)
            .and_then(|earlier| calendar.shift_open_days(earlier, n));
        prop_assert_eq!(back_then_forth, calendar.next_open_day_on_or_after(d));
        let forth_then_back = calendar
            .shift_open_days(d, n)
            .and_then(|later| calendar.shift_open_days(later, -n));
        prop_assert_eq!(forth_then_back, calendar.previous_open_day_on_or_before(d));
        if calendar.is_open(d) {
            prop_assert_eq!(back_then_forth, Some(d));
        }
    }

    /// From an open day, shifts compose: shifting by a then b is shifting by a + b.
    #[test]
    fn shifts_compose_from_an_open_day(
        d in day_in(1973, 2150), a in -40..=40i32, b in -40..=40i32,
    ) {
        let calendar = &*DEFAULT_CALENDAR;
        let start = calendar.next_open_day_on_or_after(d).unwrap();
        let in_two_steps = calendar
            .shift_open_days(start, a)
            .and_then(|middle| calendar.shift_open_days(middle, b));
        prop_assert_eq!(in_two_steps, calendar.shift_open_days(start, a + b));
    }

    /// Exactly |n| open days lie between `d` (excluded) and its shift (included).
    #[test]
    fn shift_skips_exactly_n_open_days(d in day_in(1973, 2150), n in 1..=40i32) {
        let calendar = &*DEFAULT_CALENDAR;
        let later = calendar.shift_open_days(d, n).unwrap();
        let after_d = d.succ_opt().unwrap();
        prop_assert_eq!(calendar.open_days_between(after_d, later).len(), n as usize);
        let earlier = calendar.shift_open_days(d, -n).unwrap();
        let before_d = d.pred_opt().unwrap();
        prop_assert_eq!(calendar.open_days_between(earlier, before_d).len(), n as usize);
    }

    #[test]
    fn open_days_between_lists_exactly_the_open_days(
        a in day_in(1973, 2150), length in 0..120u64,
    ) {
        let calendar = &*DEFAULT_CALENDAR;
        let b = a + chrono::Days::new(length);
        let open = calendar.open_days_between(a, b);
        let expected = days_between(a, b).filter(|day| calendar.is_open(*day)).count();
        prop_assert_eq!(open.len(), expected);
        prop_assert!(open.iter().all(|day| calendar.is_open(*day)));
        prop_assert!(open.windows(2).all(|pair| pair[0] < pair[1]));
        let closed = calendar.closed_days_between(a, b);
        prop_assert_eq!(open.len() + closed.len(), length as usize + 1);
        prop_assert!(calendar.open_days_between(b + chrono::Days::new(1), a).is_empty());
    }

    #[test]
    fn bitmap_agrees_with_the_rules_by_default(d in day_in(1940, 2210)) {
        let calendar = &*DEFAULT_CALENDAR;
        let by_rule = calendar.closed_reason_by_rule(d);
        prop_assert_eq!(calendar.is_open(d), by_rule.is_none());
        prop_assert_eq!(calendar.closed_reason(d), by_rule);
        prop_assert_eq!(national_holiday(d), compute_national_holiday(d));
    }

    #[test]
    fn bitmap_agrees_with_the_rules_for_any_configuration(
        rules in calendar_rules(), days in prop::collection::vec(day_in(1946, 2203), 50),
    ) {
        let picked: Vec<NaiveDate> = rules
            .extra_closed
            .iter()
            .map(|(day, _)| *day)
            .chain(rules.extra_open.iter().copied())
            .chain(days)
            .collect();
        let calendar = OpenDayCalendar::new(rules);
        for day in picked {
            let by_rule = calendar.closed_reason_by_rule(day);
            prop_assert_eq!(calendar.is_open(day), by_rule.is_none(), "{}", day);
            prop_assert_eq!(calendar.closed_reason(day), by_rule, "{}", day);
        }
    }
}
