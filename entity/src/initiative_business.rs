use sea_orm::entity::prelude::*;

/// A business taking part in an initiative.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "initiative_business")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub initiative_id: i32,
    pub business_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
