use sea_orm::entity::prelude::*;

/// A milestone of an initiative: late when past `due_on` and not done.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "initiative_milestone")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub initiative_id: i32,
    pub title: String,
    pub due_on: Date,
    pub done_on: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
