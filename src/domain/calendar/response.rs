//! Open days to a response (issue 13): how many open days (開庁日) the
//! team took from a consultation's receipt to a reply. A consultation
//! received on a closed day, or after the office's closing time, counts
//! from the next open day; a reply on the day counting starts is 0 days,
//! on the next open day 1, and so on.

use chrono::{Duration, NaiveDateTime, NaiveTime};

use super::OpenDayCalendar;

/// When the office closes: what is received later counts from the next
/// open day.
pub fn office_closing_time() -> NaiveTime {
    NaiveTime::from_hms_opt(17, 15, 0).expect("a valid time")
}

impl OpenDayCalendar {
    /// Open days from `received` to `replied` (both in the city's time),
    /// counting from the day of receipt if it is open and before
    /// `closes`, else from the next open day.
    pub fn open_days_to_reply(
        &self,
        received: NaiveDateTime,
        replied: NaiveDateTime,
        closes: NaiveTime,
    ) -> i64 {
        let day = received.date();
        let start = if self.is_open(day) && received.time() < closes {
            Some(day)
        } else {
            self.next_open_day_on_or_after(day + Duration::days(1))
        };
        let Some(start) = start else {
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
}
