//! The time port: nothing in banso reads the time except through a [`Clock`].
//!
//! Production uses [`SystemClock`]; tests and `banso console --now` use
//! [`ManualClock`], which only moves when told to, so every schedule can be
//! exercised at any instant without sleeping.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Asia::Tokyo;
use chrono_tz::Tz;

/// The city's time zone: every date a person sees is a date in Asia/Tokyo.
pub const CITY_TIME_ZONE: Tz = Tokyo;

/// An instant (epoch seconds) as the city's wall clock shows it.
pub fn city_time(epoch: i64) -> chrono::NaiveDateTime {
    DateTime::from_timestamp(epoch, 0)
        .unwrap_or_default()
        .with_timezone(&CITY_TIME_ZONE)
        .naive_local()
}

/// A time on the city's wall clock as epoch seconds (Tokyo keeps no
/// summer time, so every wall-clock time is one instant).
pub fn epoch_of_city_time(local: chrono::NaiveDateTime) -> i64 {
    use chrono::TimeZone;
    CITY_TIME_ZONE
        .from_local_datetime(&local)
        .earliest()
        .map_or(0, |instant| instant.timestamp())
}

/// A source of the current instant.
pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;

    /// The current instant in the city's time zone.
    fn now_in_city(&self) -> DateTime<Tz> {
        self.now().with_timezone(&CITY_TIME_ZONE)
    }
}

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A monotonic stopwatch, for how long something took (an
/// acknowledgement's latency in `/metrics`): never the time of day, and
/// not moved by a `ManualClock`, since a latency is the machine's, not
/// the calendar's.
#[derive(Debug, Clone, Copy)]
pub struct Stopwatch(std::time::Instant);

impl Stopwatch {
    pub fn start() -> Self {
        Self(std::time::Instant::now())
    }

    /// Seconds since the start.
    pub fn seconds(&self) -> f64 {
        self.0.elapsed().as_secs_f64()
    }
}

/// A clock that stands still until it is set or advanced. Clones share the
/// same instant, so a test can hold one handle and give another to the app.
#[derive(Debug, Clone)]
pub struct ManualClock {
    instant: Arc<Mutex<DateTime<Utc>>>,
}

impl ManualClock {
    pub fn starting_at(instant: DateTime<Utc>) -> Self {
        Self {
            instant: Arc::new(Mutex::new(instant)),
        }
    }

    pub fn set(&self, instant: DateTime<Utc>) {
        // A poisoned lock only means another thread panicked mid-update of a
        // plain value; the value itself is still a valid instant.
        *self.instant.lock().unwrap_or_else(PoisonError::into_inner) = instant;
    }

    pub fn advance(&self, by: Duration) -> DateTime<Utc> {
        let mut guard = self.instant.lock().unwrap_or_else(PoisonError::into_inner);
        *guard += by;
        *guard
    }
}

/// A clock the console can move forward with `:advance`.
pub trait AdjustableClock: Clock {
    /// Moves the clock forward and returns the new instant.
    fn advance(&self, by: Duration) -> DateTime<Utc>;
}

impl AdjustableClock for ManualClock {
    fn advance(&self, by: Duration) -> DateTime<Utc> {
        ManualClock::advance(self, by)
    }
}

/// The system clock plus an offset that only grows: an interactive console
/// without `--now` follows real time, and `:advance` jumps ahead of it.
#[derive(Debug, Clone, Default)]
pub struct ShiftedSystemClock {
    offset: Arc<Mutex<Duration>>,
}

impl Clock for ShiftedSystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.offset.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl AdjustableClock for ShiftedSystemClock {
    fn advance(&self, by: Duration) -> DateTime<Utc> {
        *self.offset.lock().unwrap_or_else(PoisonError::into_inner) += by;
        self.now()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.instant.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn manual_clock_moves_only_when_told_and_clones_share_it() {
        let start = Utc.with_ymd_and_hms(2024, 6, 6, 23, 59, 0).unwrap();
        let clock = ManualClock::starting_at(start);
        let handle = clock.clone();
        assert_eq!(clock.now(), start);
        handle.advance(Duration::minutes(2));
        assert_eq!(clock.now(), start + Duration::minutes(2));
        // 2024-06-06T23:59Z + 2m is 2024-06-07T09:01 in Tokyo.
        assert_eq!(
            clock.now_in_city().format("%Y-%m-%d %H:%M").to_string(),
            "2024-06-07 09:01"
        );
        handle.set(start);
        assert_eq!(clock.now(), start);
    }

    #[test]
    fn shifted_system_clock_runs_ahead_by_what_was_advanced() {
        let clock = ShiftedSystemClock::default();
        AdjustableClock::advance(&clock, Duration::days(3));
        let ahead = clock.now() - Utc::now();
        assert!(
            (ahead - Duration::days(3)).num_seconds().abs() < 5,
            "{ahead}"
        );
    }

    #[test]
    fn system_clock_is_close_to_chrono_now() {
        let difference = SystemClock.now() - Utc::now();
        assert!(difference.num_seconds().abs() < 5);
    }
}
