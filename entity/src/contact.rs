use sea_orm::entity::prelude::*;

/// A logged contact (kontakt) between a consultant and a business.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contact")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub business_id: i32,
    pub user_id: i32,
    pub channel: String,
    pub occurred_at: DateTimeUtc,
    pub subject: String,
    pub notes: Option<String>,
    pub outcome: String,
    pub follow_up_on: Option<Date>,
    pub follow_up_done: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::business::Entity",
        from = "Column::BusinessId",
        to = "super::business::Column::Id"
    )]
    Business,
}

impl Related<super::business::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Business.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
