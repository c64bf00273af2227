//! The contact log: calls, meetings, visits, emails and events with a
//! business, with optional follow-up dates.
pub mod commands;
pub(crate) mod handlers;
pub mod queries;

pub use handlers::{parse_date, routes, today};
