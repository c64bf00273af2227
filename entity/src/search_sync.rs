use sea_orm::entity::prelude::*;

/// A pending change to the search index, written in the same transaction as
/// the change itself; the search worker applies and then deletes it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "search_sync")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `SearchDoc::id`, e.g. `business:42`.
    pub doc_id: String,
    /// `upsert` or `delete`.
    pub op: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
