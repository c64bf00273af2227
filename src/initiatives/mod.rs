//! The business strategy's tracks and initiatives, key figures (typed in,
//! or computed from the records), the council's dashboard, the public
//! status page and the quarterly report. Consultants and admins edit; the
//! council reads.
pub mod chart;
pub mod commands;
mod dashboard;
pub(crate) mod figure_pages;
pub mod figures;
pub(crate) mod handlers;
mod public;
pub mod queries;
pub mod report;

pub use public::front_page;

pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    dashboard::routes(cfg);
    public::routes(cfg);
    figure_pages::routes(cfg);
    handlers::routes(cfg);
}
