//! The public form's ticket: issued with the form page, kept in the
//! visitor's session, and stored with the need it became; unique, so one
//! form page yields at most one need however often its post is replayed.
//! And the receipts sent to an address, counted for its daily limit.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RecruitmentNeed {
    Table,
    FormTicket,
}

#[derive(DeriveIden)]
enum OutboxEmail {
    Table,
    Recipient,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(RecruitmentNeed::Table)
                    .add_column(string_len_null(RecruitmentNeed::FormTicket, 64))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_recruitment_need_form_ticket")
                    .table(RecruitmentNeed::Table)
                    .col(RecruitmentNeed::FormTicket)
                    .unique()
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_outbox_recipient")
                    .table(OutboxEmail::Table)
                    .col(OutboxEmail::Recipient)
                    .col(OutboxEmail::CreatedAt)
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_outbox_recipient")
                    .table(OutboxEmail::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ux_recruitment_need_form_ticket")
                    .table(RecruitmentNeed::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(RecruitmentNeed::Table)
                    .drop_column(RecruitmentNeed::FormTicket)
                    .take(),
            )
            .await
    }
}
