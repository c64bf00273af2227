//! The business registry: list with filters, detail page, create and edit,
//! P-units and contact persons.
pub mod commands;
mod export;
mod form;
mod handlers;
pub mod merge;
mod merge_pages;
pub mod patch;
pub mod queries;

pub use form::{BusinessInput, opt, parse_p_unit, parse_person};
pub use handlers::{date, local_time, routes};
