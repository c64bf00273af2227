use sea_orm::entity::prelude::*;

/// A business (virksomhed) identified by its CVR number. Code columns hold
/// the stable codes of the matching `domain` enums.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "business")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub cvr: i32,
    pub name: String,
    /// Lower-cased name: the sort key, so sorting ignores case.
    pub sort_name: String,
    pub company_form: String,
    pub street: Option<String>,
    pub postal_code: Option<i32>,
    pub city: Option<String>,
    pub district: Option<String>,
    pub industry_code: Option<i32>,
    pub industry_section: Option<String>,
    pub employees: Option<i32>,
    pub size_band: Option<String>,
    pub active: bool,
    pub advertising_protected: bool,
    pub consultant_id: Option<i32>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notes: Option<String>,
    /// Where the record came from: manual, import, seed, form.
    pub source: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Set when this business was merged into another (a duplicate); it is
    /// then out of every list and the index until the merge is undone.
    pub merged_into: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
