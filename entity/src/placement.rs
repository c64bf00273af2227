use sea_orm::entity::prelude::*;

/// A citizen placed at a business: a flex job, a wage-subsidy job or a
/// work trial. The citizen is only a pseudonymous case reference from the
/// case system (null once anonymised); being placed can be health data, so
/// rows are read by consultants only and every read is audited.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "placement")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub business_id: i32,
    pub p_unit_id: Option<i32>,
    pub kind: String,
    pub case_ref: Option<String>,
    pub target_group: String,
    pub start_date: Date,
    pub planned_end: Option<Date>,
    pub ended_on: Option<Date>,
    /// Hours per week in hundredths (37,5 → 3750).
    pub hours_centi: Option<i32>,
    pub status: String,
    pub end_reason: Option<String>,
    pub consultant_id: i32,
    pub need_id: Option<i32>,
    pub notes: Option<String>,
    /// Why it was saved although a rule was broken.
    pub override_reason: Option<String>,
    pub check_in_queued: bool,
    pub anonymised_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
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
