use sea_orm::entity::prelude::*;

/// Two businesses merged: `merged_id` went into `kept_id`. `moved` is JSON
/// with what moved, to undo it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "business_merge")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub kept_id: i32,
    pub merged_id: i32,
    #[sea_orm(column_type = "Text")]
    pub moved: String,
    pub at: DateTimeUtc,
    pub user_id: Option<i32>,
    pub undone_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
