use sea_orm::entity::prelude::*;

/// An initiative of a strategy track, with an owner who posts status
/// updates at least every `update_every_days`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "initiative")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub track_id: i32,
    pub title: String,
    pub description: Option<String>,
    pub owner_id: i32,
    pub start_date: Date,
    pub end_date: Option<Date>,
    /// not_started, on_track, at_risk, delayed, completed, stopped: the
    /// latest status update's.
    pub status: String,
    pub update_every_days: i32,
    /// Shown on the public status page.
    pub is_public: bool,
    /// The latest status update (None: none yet).
    pub last_update_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
