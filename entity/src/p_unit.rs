use sea_orm::entity::prelude::*;

/// A production unit (P-enhed) of a business: one per workplace address.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "p_unit")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub business_id: i32,
    #[sea_orm(unique)]
    pub p_number: i64,
    pub street: Option<String>,
    pub postal_code: Option<i32>,
    pub city: Option<String>,
    /// Ordinary employees at this workplace (the proportionality rule).
    pub employees: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
