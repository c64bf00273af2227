//! Indexes set aside during a first bulk import into an empty table:
//! their definitions are kept here, in the same transaction that drops them,
//! so that they are built again after the load — or at the next start if
//! the import was killed.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DeferredIndex {
    Table,
    Name,
    Definition,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DeferredIndex::Table)
                    .col(string(DeferredIndex::Name).primary_key())
                    .col(text(DeferredIndex::Definition))
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DeferredIndex::Table).take())
            .await
    }
}
