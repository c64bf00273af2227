//! Migrations, portable across SQLite and PostgreSQL. One migration per file
//! (`DeriveMigrationName` names a migration after its file).
pub use sea_orm_migration::prelude::*;

mod m20261127_000001_initial;
mod m20261127_000002_search_sync;
mod m20261127_000003_outbox;
mod m20261127_000004_recruitment_need;
mod m20261127_000005_need_event;
mod m20261201_000006_placement;
mod m20261201_000007_initiative;
mod m20261201_000008_session_idle;
mod m20261201_000009_api_token;
mod m20261201_000010_business_merge;
mod m20261201_000011_form_ticket;
mod m20261201_000012_oidc_subject;
mod m20261202_000013_deferred_index;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_initial::Migration),
            Box::new(m20261127_000002_search_sync::Migration),
            Box::new(m20261127_000003_outbox::Migration),
            Box::new(m20261127_000004_recruitment_need::Migration),
            Box::new(m20261127_000005_need_event::Migration),
            Box::new(m20261201_000006_placement::Migration),
            Box::new(m20261201_000007_initiative::Migration),
            Box::new(m20261201_000008_session_idle::Migration),
            Box::new(m20261201_000009_api_token::Migration),
            Box::new(m20261201_000010_business_merge::Migration),
            Box::new(m20261201_000011_form_ticket::Migration),
            Box::new(m20261201_000012_oidc_subject::Migration),
            Box::new(m20261202_000013_deferred_index::Migration),
        ]
    }
}
