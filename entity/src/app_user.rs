use sea_orm::entity::prelude::*;

/// A staff account. `role` is a `domain::Role` code.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "app_user")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: String,
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: DateTimeUtc,
    /// The identity provider (its issuer URL) this account signs in with.
    pub oidc_issuer: Option<String>,
    /// The provider's stable subject id of the person (`sub`).
    pub oidc_subject: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
