//! API tokens for the municipality's other systems, and the token an audit
//! entry was written under. A token is stored as its SHA-256 only: the
//! value is shown once, when it is made.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ApiToken {
    Table,
    Id,
    Name,
    TokenHash,
    Scopes,
    CreatedBy,
    CreatedAt,
    RevokedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    ApiTokenId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiToken::Table)
                    .col(pk_auto(ApiToken::Id))
                    .col(string_len(ApiToken::Name, 100).unique_key())
                    .col(string_len(ApiToken::TokenHash, 64).unique_key())
                    // Space-separated scopes: `businesses:read placements:write` …
                    .col(string_len(ApiToken::Scopes, 500))
                    .col(integer_null(ApiToken::CreatedBy))
                    .col(timestamp_with_time_zone(ApiToken::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiToken::RevokedAt))
                    .col(timestamp_with_time_zone_null(ApiToken::LastUsedAt))
                    .take(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AuditEvent::Table)
                    .add_column(integer_null(AuditEvent::ApiTokenId))
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AuditEvent::Table)
                    .drop_column(AuditEvent::ApiTokenId)
                    .take(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(ApiToken::Table).take())
            .await
    }
}
