use sea_orm::entity::prelude::*;

/// A signed-in session. The cookie carries a random id; `id` is its SHA-256
/// (hex), so the table alone signs no one in. Deleting the row ends the
/// session at once (logout, account disabled).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_session")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_id: i32,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// Last used (at most a minute behind): the inactivity timeout.
    pub last_seen_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
