//! Recruitment needs (rekrutteringsbehov): the public form businesses use
//! without an account, in Danish or English.
//!
//! Durability: the need, a business for an unknown CVR number, the search
//! sync entry and the receipt email are committed in one transaction before
//! the 303 to the receipt page. Abuse resistance: CSRF token, a honeypot
//! field and a minimum fill time (a bot gets a normal-looking page and
//! nothing is stored), a per-address rate limit (429 with `Retry-After`), the
//! form body cap, and an idempotency token (a double submit creates one need).
mod public;

pub use public::routes;

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// The next working day after `d` (weekends skipped; public holidays are
/// not yet counted).
pub fn next_working_day(d: NaiveDate) -> NaiveDate {
    let mut n = d + Duration::days(1);
    while matches!(n.weekday(), Weekday::Sat | Weekday::Sun) {
        n += Duration::days(1);
    }
    n
}

pub fn reference(year: i32, id: i32) -> String {
    format!("RB-{year}-{id:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_contact_is_due_the_next_working_day() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).expect("date");
        assert_eq!(next_working_day(d(11, 26)), d(11, 27), "Thursday → Friday");
        assert_eq!(next_working_day(d(11, 27)), d(11, 30), "Friday → Monday");
        assert_eq!(next_working_day(d(11, 28)), d(11, 30), "Saturday → Monday");
        assert_eq!(reference(2026, 123), "RB-2026-000123");
    }
}
