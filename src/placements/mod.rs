//! Placements (fleksjob, løntilskud, virksomhedspraktik): citizens placed at
//! businesses, known only by a pseudonymous case reference. Consultants and
//! admins see rows (every read audited); the council sees counts.
pub mod commands;
pub(crate) mod handlers;
pub mod retention;
mod rule_admin;
pub mod rules;
mod stats;

pub use handlers::capacity;
pub use stats::month_label;

pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    // Before `/placements/{id}`.
    stats::routes(cfg);
    rule_admin::routes(cfg);
    handlers::routes(cfg);
}
