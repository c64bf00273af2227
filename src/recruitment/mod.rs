//! Recruitment needs (rekrutteringsbehov): the public form businesses use
//! without an account, in Danish or English.
//!
//! Durability: the need, a business for an unknown CVR number, the search
//! sync entry and the receipt email are committed in one transaction before
//! the 303 to the receipt page. Abuse resistance: CSRF token, a honeypot
//! field and a minimum fill time (a bot gets a normal-looking page and
//! nothing is stored), a per-address rate limit (429 with `Retry-After`), the
//! form body cap, and an idempotency token (a double submit creates one need).
pub mod calendar;
pub mod commands;
pub mod pipeline;
pub mod public;

pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    public::routes(cfg);
    pipeline::routes(cfg);
}

use chrono::NaiveDate;

use crate::domain::NeedStatus;

/// The next working day after `d` (weekends and public holidays skipped).
pub fn next_working_day(d: NaiveDate) -> NaiveDate {
    calendar::add_working_days(d, 1)
}

/// The codes of the pipeline's statuses, in order (see [`NeedStatus`]).
pub const STATUSES: [&str; 7] = [
    "new",
    "in_progress",
    "candidates_proposed",
    "filled",
    "partly_filled",
    "closed_without_hire",
    "withdrawn",
];

/// Statuses after which nothing more is promised.
pub fn is_closed(status: &str) -> bool {
    NeedStatus::parse(status).is_ok_and(NeedStatus::is_closed)
}

/// The next promise and its date: first contact within `first` working
/// days while the need is new, candidates or an answer within `answer`
/// working days until it is closed.
pub fn deadline(
    status: &str,
    received: NaiveDate,
    first: u32,
    answer: u32,
) -> Option<(&'static str, NaiveDate)> {
    match NeedStatus::parse(status).ok()? {
        NeedStatus::New => Some(("first_contact", calendar::add_working_days(received, first))),
        NeedStatus::InProgress => Some(("answer", calendar::add_working_days(received, answer))),
        _ => None,
    }
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
        let codes: Vec<&str> = NeedStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(codes, STATUSES);
    }
}
