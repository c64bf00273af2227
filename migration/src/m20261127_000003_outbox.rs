use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OutboxEmail {
    Table,
    Id,
    Recipient,
    Template,
    Lang,
    Subject,
    BodyText,
    BodyHtml,
    Status,
    Attempts,
    NextAttemptAt,
    LastError,
    IdempotencyKey,
    MessageId,
    CaseRelated,
    BusinessId,
    CreatedBy,
    ClaimedUntil,
    CreatedAt,
    SentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OutboxEmail::Table)
                    .col(big_pk_auto(OutboxEmail::Id))
                    .col(string(OutboxEmail::Recipient))
                    .col(string(OutboxEmail::Template))
                    .col(string(OutboxEmail::Lang))
                    .col(string(OutboxEmail::Subject))
                    .col(text(OutboxEmail::BodyText))
                    .col(text(OutboxEmail::BodyHtml))
                    .col(string(OutboxEmail::Status))
                    .col(integer(OutboxEmail::Attempts).default(0))
                    .col(timestamp_with_time_zone(OutboxEmail::NextAttemptAt))
                    .col(text_null(OutboxEmail::LastError))
                    .col(string_uniq(OutboxEmail::IdempotencyKey))
                    .col(string(OutboxEmail::MessageId))
                    .col(boolean(OutboxEmail::CaseRelated).default(true))
                    .col(integer_null(OutboxEmail::BusinessId))
                    .col(integer_null(OutboxEmail::CreatedBy))
                    .col(timestamp_with_time_zone_null(OutboxEmail::ClaimedUntil))
                    .col(timestamp_with_time_zone(OutboxEmail::CreatedAt))
                    .col(timestamp_with_time_zone_null(OutboxEmail::SentAt))
                    .take(),
            )
            .await?;
        // The worker's claim: due rows by status and time.
        manager
            .create_index(
                Index::create()
                    .name("ix_outbox_due")
                    .table(OutboxEmail::Table)
                    .col(OutboxEmail::Status)
                    .col(OutboxEmail::NextAttemptAt)
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_outbox_business")
                    .table(OutboxEmail::Table)
                    .col(OutboxEmail::BusinessId)
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OutboxEmail::Table).if_exists().take())
            .await
    }
}
