use sea_orm::entity::prelude::*;

/// Membership of a business in a segment (tourism, life science, …).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "business_segment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub business_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub segment: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
