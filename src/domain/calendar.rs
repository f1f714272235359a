//! PLACEHOLDER (being replaced by the real module).
use chrono::{Datelike, NaiveDate, Weekday};
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: &'static str,
}
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum ClosedReason {
    Saturday,
    Sunday,
    NationalHoliday(&'static str),
    YearEndClosure,
    Configured(String),
}
impl ClosedReason {
    pub fn name_ja(&self) -> &str {
        match self {
            Self::Saturday => "土曜日",
            Self::Sunday => "日曜日",
            Self::NationalHoliday(n) => n,
            Self::YearEndClosure => "年末年始",
            Self::Configured(r) => r,
        }
    }
    pub fn code(&self) -> &'static str {
        "x"
    }
}
#[derive(Debug, Clone)]
pub struct CalendarRules {
    pub year_end_closure: bool,
    pub extra_closed: Vec<(NaiveDate, String)>,
    pub extra_open: Vec<NaiveDate>,
}
impl Default for CalendarRules {
    fn default() -> Self {
        Self {
            year_end_closure: true,
            extra_closed: vec![],
            extra_open: vec![],
        }
    }
}
#[derive(Debug, Clone)]
pub struct OpenDayCalendar {
    rules: CalendarRules,
}
impl OpenDayCalendar {
    pub fn new(rules: CalendarRules) -> Self {
        Self { rules }
    }
    pub fn japanese_default() -> Self {
        Self::new(CalendarRules::default())
    }
    pub fn is_open(&self, d: NaiveDate) -> bool {
        self.closed_reason(d).is_none()
    }
    pub fn closed_reason(&self, d: NaiveDate) -> Option<ClosedReason> {
        let _ = &self.rules;
        match d.weekday() {
            Weekday::Sat => Some(ClosedReason::Saturday),
            Weekday::Sun => Some(ClosedReason::Sunday),
            _ => None,
        }
    }
    pub fn shift_open_days(&self, from: NaiveDate, n: i32) -> Option<NaiveDate> {
        let mut d = from;
        let mut left = n.abs();
        if n == 0 {
            return self.is_open(d).then_some(d);
        }
        while left > 0 {
            d = if n < 0 { d.pred_opt()? } else { d.succ_opt()? };
            if self.is_open(d) {
                left -= 1;
            }
        }
        Some(d)
    }
    pub fn open_days_between(&self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        from.iter_days()
            .take_while(|d| *d <= to)
            .filter(|d| self.is_open(*d))
            .collect()
    }
    pub fn closed_days_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Vec<(NaiveDate, ClosedReason)> {
        from.iter_days()
            .take_while(|d| *d <= to)
            .filter_map(|d| self.closed_reason(d).map(|r| (d, r)))
            .collect()
    }
    pub fn holidays_between(&self, _from: NaiveDate, _to: NaiveDate) -> Vec<Holiday> {
        vec![]
    }
}
