//! Merging duplicate businesses, undoably: the merged business is kept,
//! marked with the business it went into, and `business_merge` records
//! which rows moved and which empty fields were filled, so the merge can be
//! undone from its audit entry.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Business {
    Table,
    MergedInto,
}

#[derive(DeriveIden)]
enum BusinessMerge {
    Table,
    Id,
    KeptId,
    MergedId,
    Moved,
    At,
    UserId,
    UndoneAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Business::Table)
                    .add_column(integer_null(Business::MergedInto))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BusinessMerge::Table)
                    .col(pk_auto(BusinessMerge::Id))
                    .col(integer(BusinessMerge::KeptId))
                    .col(integer(BusinessMerge::MergedId))
                    // What moved, as JSON: ids per table, fields filled,
                    // segments and links, to put back on undo.
                    .col(text(BusinessMerge::Moved))
                    .col(timestamp_with_time_zone(BusinessMerge::At))
                    .col(integer_null(BusinessMerge::UserId))
                    .col(timestamp_with_time_zone_null(BusinessMerge::UndoneAt))
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(BusinessMerge::Table).take())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Business::Table)
                    .drop_column(Business::MergedInto)
                    .take(),
            )
            .await
    }
}
