use sea_orm::entity::prelude::*;

/// A typed-in value of a key figure on a date (one per date).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "key_figure_value")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub key_figure_id: i32,
    pub on_date: Date,
    pub value: f64,
    pub created_by: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
