use sea_orm::entity::prelude::*;

/// A business's need for staff (rekrutteringsbehov), from the public form or
/// entered by a consultant.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recruitment_need")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// `RB-2026-000123`, told to the business.
    #[sea_orm(unique)]
    pub reference: String,
    pub business_id: Option<i32>,
    pub cvr: i32,
    pub company_name: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    pub job_title: String,
    pub positions: i32,
    pub hours_per_week: Option<i32>,
    pub start_date: Option<Date>,
    pub permanent: bool,
    pub temporary_until: Option<Date>,
    pub workplace_address: Option<String>,
    pub qualifications: Option<String>,
    pub languages: Option<String>,
    pub open_flex_job: bool,
    pub open_wage_subsidy: bool,
    pub open_work_trial: bool,
    pub free_text: Option<String>,
    pub lang: String,
    /// new, in_progress, candidates_proposed, filled, partly_filled,
    /// closed_without_hire, withdrawn
    pub status: String,
    /// form, phone, visit, email
    pub source: String,
    pub assigned_to: Option<i32>,
    /// A double submit of the same form finds this and creates nothing.
    #[sea_orm(unique)]
    pub idempotency_key: String,
    pub confirm_token: String,
    /// The public form's ticket this need was sent with (unique): one form
    /// page, one need.
    #[sea_orm(unique)]
    pub form_ticket: Option<String>,
    pub email_confirmed: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
