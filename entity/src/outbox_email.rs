use sea_orm::entity::prelude::*;

/// An email to send, written in the same transaction as the change that
/// causes it and delivered by the outbox worker (at least once).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_email")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub recipient: String,
    pub template: String,
    pub lang: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    /// pending, failed (will retry), sent, dead (given up), cancelled
    pub status: String,
    pub attempts: i32,
    /// When the next attempt is due (for a scheduled follow-up: when it
    /// should go).
    pub next_attempt_at: DateTimeUtc,
    pub last_error: Option<String>,
    /// The same follow-up is never enqueued twice.
    #[sea_orm(unique)]
    pub idempotency_key: String,
    /// Stable across retries: a duplicate delivery carries the same id.
    pub message_id: String,
    /// Case-related mail may go to a business with advertising protection.
    pub case_related: bool,
    pub business_id: Option<i32>,
    pub created_by: Option<i32>,
    /// Set while a worker holds the row; an expired claim is free again
    /// (a crashed worker's rows are retried).
    pub claimed_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
