use sea_orm::entity::prelude::*;

/// A named measure with a unit, a direction and a target. Its values are
/// typed in (`source` = `manual`) or computed from the records (`source`
/// names the live figure).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "key_figure")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub code: String,
    pub name_da: String,
    pub name_en: String,
    pub unit_da: String,
    pub unit_en: String,
    /// higher or lower (is better).
    pub direction: String,
    pub target: Option<f64>,
    pub target_date: Option<Date>,
    pub track_id: Option<i32>,
    pub initiative_id: Option<i32>,
    pub source: String,
    pub is_public: bool,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
