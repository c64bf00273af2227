use sea_orm::entity::prelude::*;

/// Who changed what, written in the same transaction as the change.
/// `detail` never holds personal data.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub at: DateTimeUtc,
    pub user_id: Option<i32>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i32>,
    pub detail: Option<String>,
    /// The API token the change was made with (its name is in `api_token`).
    pub api_token_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
