use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum NeedEvent {
    Table,
    Id,
    NeedId,
    UserId,
    Status,
    Note,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(NeedEvent::Table)
                    .col(pk_auto(NeedEvent::Id))
                    .col(integer(NeedEvent::NeedId))
                    .col(integer_null(NeedEvent::UserId))
                    .col(string(NeedEvent::Status))
                    .col(text_null(NeedEvent::Note))
                    .col(timestamp_with_time_zone(NeedEvent::At))
                    .foreign_key(
                        ForeignKey::create()
                            .from(NeedEvent::Table, NeedEvent::NeedId)
                            .to(Alias::new("recruitment_need"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_need_event_need")
                    .table(NeedEvent::Table)
                    .col(NeedEvent::NeedId)
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(NeedEvent::Table).if_exists().take())
            .await
    }
}
