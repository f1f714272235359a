//! Open days to a response (issue 13): how many open days (開庁日) the
//! team took from a consultation's receipt to a reply. A consultation
//! received on a closed day, or after the office's closing time, counts
//! from the next open day; a reply on the day counting starts is 0 days,
//! on the next open day 1, and so on.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

use super::OpenDayCalendar;

/// When the office closes: what is received later counts from the next
/// open day.
pub fn office_closing_time() -> NaiveTime {
    NaiveTime::from_hms_opt(17, 15, 0).expect("a valid time")
}

/// The response targets, in open days (issue 13; configured under
/// `[response]`): the first response by the end of the
/// `first_response_open_days`-th open day after counting starts, the
/// answer by the 希望回答日 or else by the end of the
/// `answer_open_days`-th. "By the end of the day" is as
/// `open_days_to_reply` counts: a reply any time that day meets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseTargets {
    pub first_response_open_days: u32,
    pub answer_open_days: u32,
    /// What is received later counts from the next open day.
    pub office_closes: NaiveTime,
    /// When the reminder goes out, on the open day before a target's day.
    pub reminder_at: NaiveTime,
    /// When the leader hears of a missed target, on the open day after
    /// its day.
    pub missed_notice_at: NaiveTime,
}

impl Default for ResponseTargets {
    fn default() -> Self {
        let at = |hour, minute| NaiveTime::from_hms_opt(hour, minute, 0).expect("a valid time");
        Self {
            first_response_open_days: 1,
            answer_open_days: 5,
            office_closes: office_closing_time(),
            reminder_at: at(15, 0),
            missed_notice_at: at(9, 0),
        }
    }
}

/// Which of the two targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    FirstResponse,
    Answer,
}

impl Target {
    pub fn code(self) -> &'static str {
        match self {
            Target::FirstResponse => "first_response",
            Target::Answer => "answer",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "first_response" => Some(Target::FirstResponse),
            "answer" => Some(Target::Answer),
            _ => None,
        }
    }
}

/// A target's day and when its reminder and its missed notice are due
/// (all in the city's time; both on open days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetPlan {
    pub target: Target,
    pub due_day: NaiveDate,
    /// `None` when the open day before the target's day is already over
    /// at receipt (the notice of the new consultation is the reminder).
    pub remind_at: Option<NaiveDateTime>,
    pub missed_at: NaiveDateTime,
}

impl ResponseTargets {
    /// The plan of both targets of a consultation received at `received`
    /// with the 希望回答日 `desired` (if any). `None` only past the end of
    /// the calendar.
    pub fn plan(
        &self,
        calendar: &OpenDayCalendar,
        received: NaiveDateTime,
        desired: Option<NaiveDate>,
    ) -> Option<[TargetPlan; 2]> {
        let start = calendar.counting_starts(received, self.office_closes)?;
        let first = calendar.shift_open_days(start, to_shift(self.first_response_open_days))?;
        let answer = match desired {
            Some(day) if day >= start => day,
            _ => calendar.shift_open_days(start, to_shift(self.answer_open_days))?,
        };
        let plan_of = |target, due_day: NaiveDate| -> Option<TargetPlan> {
            let remind_at = calendar
                .shift_open_days(due_day, -1)
                .map(|day| day.and_time(self.reminder_at))
                .filter(|at| *at > received);
            let missed_day = calendar.shift_open_days(due_day, 1)?;
            Some(TargetPlan {
                target,
                due_day,
                remind_at,
                missed_at: missed_day.and_time(self.missed_notice_at),
            })
        };
        Some([
            plan_of(Target::FirstResponse, first)?,
            plan_of(Target::Answer, answer)?,
        ])
    }

    /// Whether a reply at `replied` meets a target of day `due_day`.
    pub fn met(due_day: NaiveDate, replied: NaiveDateTime) -> bool {
        replied.date() <= due_day
    }
}

fn to_shift(days: u32) -> i32 {
    i32::try_from(days).unwrap_or(i32::MAX)
}

impl OpenDayCalendar {
    /// The day counting starts for a consultation received at `received`:
    /// that day if it is open and `received` is before `closes`, else the
    /// next open day.
    pub fn counting_starts(&self, received: NaiveDateTime, closes: NaiveTime) -> Option<NaiveDate> {
        let day = received.date();
        if self.is_open(day) && received.time() < closes {
            Some(day)
        } else {
            self.next_open_day_on_or_after(day + Duration::days(1))
        }
    }

    /// Open days from `received` to `replied` (both in the city's time),
    /// counting from the day of receipt if it is open and before
    /// `closes`, else from the next open day.
    pub fn open_days_to_reply(
        &self,
        received: NaiveDateTime,
        replied: NaiveDateTime,
        closes: NaiveTime,
    ) -> i64 {
        let Some(start) = self.counting_starts(received, closes) else {
            return 0;
        };
        let count = self
            .open_days_between(start + Duration::days(1), replied.date())
            .len();
        i64::try_from(count).unwrap_or(i64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn open_days_count_from_the_first_open_day_the_office_could_act() {
        let calendar = OpenDayCalendar::japanese_default();
        let closes = office_closing_time();
        let days = |received: &str, replied: &str| {
            calendar.open_days_to_reply(at(received), at(replied), closes)
        };
        // Monday morning, answered the same day and the next.
        assert_eq!(days("2024-06-10 10:00", "2024-06-10 15:00"), 0);
        assert_eq!(days("2024-06-10 10:00", "2024-06-11 09:00"), 1);
        // After closing on Friday: counting starts on Monday.
        assert_eq!(days("2024-06-14 17:30", "2024-06-17 10:00"), 0);
        assert_eq!(days("2024-06-14 17:30", "2024-06-18 10:00"), 1);
        // Received on Saturday, answered on Monday: no open day lost.
        assert_eq!(days("2024-06-15 11:00", "2024-06-17 10:00"), 0);
        // A weekend and a holiday (海の日, 2024-07-15) in between do not count.
        assert_eq!(days("2024-07-12 10:00", "2024-07-16 10:00"), 1);
        // The year-end closure (12/29–1/3).
        assert_eq!(days("2024-12-27 10:00", "2025-01-06 10:00"), 1);
    }

    #[test]
    fn targets_fall_on_open_days_with_reminders_before_and_notices_after() {
        let calendar = OpenDayCalendar::japanese_default();
        let targets = ResponseTargets::default();
        let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        // Friday 12 July 2024, morning: first response by Tuesday 16 (the
        // 15th is 海の日), reminded on Friday at 15:00, the leader told on
        // Wednesday; the answer by the fifth open day, Monday 22 July.
        let [first, answer] = targets
            .plan(&calendar, at("2024-07-12 10:00"), None)
            .unwrap();
        assert_eq!(first.due_day, day("2024-07-16"));
        assert_eq!(first.remind_at, Some(at("2024-07-12 15:00")));
        assert_eq!(first.missed_at, at("2024-07-17 09:00"));
        assert_eq!(answer.due_day, day("2024-07-22"));
        assert_eq!(answer.remind_at, Some(at("2024-07-19 15:00")));
        assert_eq!(answer.missed_at, at("2024-07-23 09:00"));
        // Received after closing on Friday 27 December: counting starts on
        // 6 January (the year-end closure), the first response is due on
        // the 7th and its reminder is on the 6th.
        let [first, _] = targets
            .plan(&calendar, at("2024-12-27 17:30"), None)
            .unwrap();
        assert_eq!(first.due_day, day("2025-01-07"));
        assert_eq!(first.remind_at, Some(at("2025-01-06 15:00")));
        // Received at 16:00: the day before the target is already over,
        // so the notice itself stands for the reminder.
        let [first, _] = targets
            .plan(&calendar, at("2024-06-10 16:00"), None)
            .unwrap();
        assert_eq!(first.due_day, day("2024-06-11"));
        assert_eq!(first.remind_at, None);
        // A 希望回答日 is the answer's target.
        let [_, answer] = targets
            .plan(&calendar, at("2024-06-10 10:00"), Some(day("2024-06-12")))
            .unwrap();
        assert_eq!(answer.due_day, day("2024-06-12"));
        assert_eq!(answer.remind_at, Some(at("2024-06-11 15:00")));
        assert!(ResponseTargets::met(
            day("2024-06-12"),
            at("2024-06-12 18:00")
        ));
        assert!(!ResponseTargets::met(
            day("2024-06-12"),
            at("2024-06-13 08:00")
        ));
    }
}
