use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SearchSync {
    Table,
    Id,
    DocId,
    Op,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SearchSync::Table)
                    .col(big_pk_auto(SearchSync::Id))
                    .col(string(SearchSync::DocId))
                    .col(string(SearchSync::Op))
                    .col(timestamp_with_time_zone(SearchSync::CreatedAt))
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SearchSync::Table).if_exists().take())
            .await
    }
}
