use sea_orm::entity::prelude::*;

/// One version of the placement rules, in force from `valid_from` until the
/// next version; a placement is checked against the version in force on its
/// start date. Versions are added, never changed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "placement_rule")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub valid_from: Date,
    /// Where the rule comes from (law and section), shown with a warning.
    pub source: String,
    pub wage_subsidy_private_months: i32,
    pub wage_subsidy_public_months: i32,
    /// Work trials for dagpengemodtagere and jobparate.
    pub trial_weeks_short: i32,
    /// Work trials for the other target groups.
    pub trial_weeks_long: i32,
    /// One placed person per this many ordinary employees, up to `threshold`.
    pub per_ordinary_up_to: i32,
    pub threshold: i32,
    /// Beyond `threshold`, one more per this many.
    pub per_ordinary_beyond: i32,
    pub created_by: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
