//! The business registry: list with filters, detail page, create and edit,
//! P-units and contact persons.
pub mod commands;
mod form;
mod handlers;
pub mod patch;
pub mod queries;

pub use form::{BusinessInput, opt};
pub use handlers::{date, local_time, routes};
