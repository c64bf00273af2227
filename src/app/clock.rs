//! One source of "now" and of "today in Copenhagen". Everything that asks
//! what time it is — deadlines, digests, the moment a row is written — asks
//! a [`Clock`], so tests can run at a fixed moment (a Friday afternoon, the
//! night the clocks change) instead of whenever they happen to run.
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Copenhagen;

/// The administration's time zone.
pub const TZ: chrono_tz::Tz = Copenhagen;

#[derive(Clone, Default)]
pub struct Clock {
    fixed: Option<Arc<std::sync::RwLock<DateTime<Utc>>>>,
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.fixed {
            None => f.write_str("Clock::system"),
            Some(_) => write!(f, "Clock::fixed({})", self.now()),
        }
    }
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock { fixed: None }
    }

    /// A clock that stands still at `at` until [`Clock::set`] moves it.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Clock {
            fixed: Some(Arc::new(std::sync::RwLock::new(at))),
        }
    }

    /// Moves a fixed clock (every copy of it); a system clock ignores this.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(f) = &self.fixed
            && let Ok(mut g) = f.write()
        {
            *g = at;
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.fixed {
            None => Utc::now(),
            Some(f) => f.read().map(|g| *g).unwrap_or_else(|e| *e.into_inner()),
        }
    }

    /// Now, on the wall clocks of Copenhagen.
    pub fn local_now(&self) -> DateTime<chrono_tz::Tz> {
        self.now().with_timezone(&TZ)
    }

    /// The date a consultant means by "today".
    pub fn today(&self) -> NaiveDate {
        local_date(self.now())
    }
}

/// The Copenhagen date of a moment.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&TZ).date_naive()
}

/// A date as the administration writes it: 01-12-2026.
pub fn format_date(d: NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

/// A moment in Copenhagen time: 01-12-2026 09:30.
pub fn format_local(at: DateTime<Utc>) -> String {
    at.with_timezone(&TZ).format("%d-%m-%Y %H:%M").to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn today_is_the_copenhagen_date_across_both_dst_changes() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        // Winter time (UTC+1): 23:30 UTC is already tomorrow.
        let c = Clock::fixed(utc("2026-03-28T23:30:00Z"));
        assert_eq!(c.today(), d(2026, 3, 29));
        assert_eq!(format_local(c.now()), "29-03-2026 00:30");
        // Spring forward at 01:00 UTC: 02:00 local becomes 03:00.
        c.set(utc("2026-03-29T01:00:00Z"));
        assert_eq!(format_local(c.now()), "29-03-2026 03:00");
        // Summer time (UTC+2): 22:30 UTC is tomorrow.
        c.set(utc("2026-10-24T22:30:00Z"));
        assert_eq!(c.today(), d(2026, 10, 25));
        assert_eq!(format_local(c.now()), "25-10-2026 00:30");
        // Fall back at 01:00 UTC: 03:00 local becomes 02:00 again.
        c.set(utc("2026-10-25T01:30:00Z"));
        assert_eq!(format_local(c.now()), "25-10-2026 02:30");
        assert_eq!(format_date(c.today()), "25-10-2026");
    }

    #[test]
    fn a_fixed_clock_moves_only_when_told_and_every_copy_moves() {
        let c = Clock::fixed(utc("2026-12-01T08:00:00Z"));
        let copy = c.clone();
        assert_eq!(c.now(), copy.now());
        c.set(utc("2026-12-02T08:00:00Z"));
        assert_eq!(copy.now(), utc("2026-12-02T08:00:00Z"));
    }
}
