//! Sessions: ids stored as their SHA-256 (a leaked table signs no one in)
//! and the moment a session was last used (the inactivity timeout). Rows
//! stored before held the raw id: they are dropped, so everyone signs in
//! once more.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UserSession {
    Table,
    LastSeenAt,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM user_session")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(UserSession::Table)
                    .add_column(
                        timestamp_with_time_zone(UserSession::LastSeenAt)
                            .default("2000-01-01 00:00:00+00:00"),
                    )
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_user_session_expires")
                    .table(UserSession::Table)
                    .col(UserSession::ExpiresAt)
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(UserSession::Table)
                    .drop_column(UserSession::LastSeenAt)
                    .take(),
            )
            .await
    }
}
