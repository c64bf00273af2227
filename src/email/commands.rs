//! The outbox's commands: follow-up emails scheduled, cancelled, retried.
use serde_json::json;

use super::outbox::{self, NewEmail};
use crate::app::{Command, Result, UnitOfWork};
use crate::domain::{AuditAction, AuditEntity};

/// A consultant schedules an email to a business's contact person. False
/// when the same form was sent before (its idempotency key is queued).
pub struct ScheduleEmail {
    pub email: NewEmail,
}

#[async_trait::async_trait]
impl Command for ScheduleEmail {
    type Output = bool;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<bool> {
        use entity::{business, contact_person};
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        // The rules are checked against the rows as they are now, in this
        // transaction: advertising protection set a moment ago counts.
        if let Some(bid) = self.email.business_id {
            let tx = uow.tx();
            let b = business::Entity::find_by_id(bid)
                .one(tx)
                .await?
                .ok_or(crate::app::Error::NotFound)?;
            if b.advertising_protected && !self.email.case_related {
                return Err(crate::app::Error::invalid(
                    "template",
                    crate::domain::DomainError::AdvertisingProtected,
                ));
            }
            let recipient_known = contact_person::Entity::find()
                .filter(contact_person::Column::BusinessId.eq(bid))
                .filter(contact_person::Column::Email.eq(&self.email.recipient))
                .one(tx)
                .await?
                .is_some();
            if !recipient_known {
                return Err(crate::app::Error::invalid(
                    "person_id",
                    crate::domain::DomainError::RecipientMissing,
                ));
            }
        }
        let queued = uow.email(self.email.clone()).await?;
        if queued {
            uow.audit(
                AuditAction::ScheduleEmail,
                AuditEntity::Business,
                self.email.business_id,
                json!({ "template": self.email.template, "lang": self.email.lang }),
            );
        }
        Ok(queued)
    }
}

/// Cancels a scheduled email of a business that has not gone yet. False
/// when it is no longer pending (sent, or being sent right now).
pub struct CancelEmail {
    pub business_id: i32,
    pub email_id: i64,
}

#[async_trait::async_trait]
impl Command for CancelEmail {
    type Output = bool;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<bool> {
        let done = outbox::cancel(uow.tx(), self.email_id, self.business_id, uow.now()).await?;
        if done {
            uow.audit(
                AuditAction::CancelEmail,
                AuditEntity::Email,
                i32::try_from(self.email_id).ok(),
                json!({ "business": self.business_id }),
            );
        }
        Ok(done)
    }
}

/// Puts a failed or dead email back in the queue (admin page, CLI).
pub struct RetryEmail {
    pub email_id: i64,
}

#[async_trait::async_trait]
impl Command for RetryEmail {
    type Output = bool;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<bool> {
        let done = outbox::retry(uow.tx(), self.email_id, uow.now()).await?;
        if done {
            uow.audit(
                AuditAction::RetryEmail,
                AuditEntity::Email,
                i32::try_from(self.email_id).ok(),
                serde_json::Value::Null,
            );
            uow.wake_mailer();
        }
        Ok(done)
    }
}

/// A failed delivery attempt, as the worker records it.
#[derive(Debug, Clone)]
pub struct Failure {
    pub id: i64,
    pub error: String,
    /// The next attempt; None makes the email dead.
    pub retry_at: Option<chrono::DateTime<chrono::Utc>>,
    /// False when no mail server was reached (no attempt used up).
    pub count: bool,
}

/// The delivery worker records one pass: the emails sent and the failed
/// attempts, in one transaction. The audit log gets one entry for the sent
/// batch and one per email given up.
pub struct RecordDeliveries {
    pub sent: Vec<i64>,
    pub failed: Vec<Failure>,
}

#[async_trait::async_trait]
impl Command for RecordDeliveries {
    type Output = ();

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<()> {
        outbox::mark_sent(uow.tx(), &self.sent, uow.now()).await?;
        for f in &self.failed {
            outbox::mark_failed(uow.tx(), f.id, &f.error, f.retry_at, f.count).await?;
            if f.retry_at.is_none() {
                uow.audit(
                    AuditAction::EmailDead,
                    AuditEntity::Email,
                    i32::try_from(f.id).ok(),
                    serde_json::Value::Null,
                );
            }
        }
        if !self.sent.is_empty() {
            uow.audit(
                AuditAction::EmailsSent,
                AuditEntity::Email,
                None,
                json!({ "count": self.sent.len() }),
            );
        }
        Ok(())
    }
}

/// The morning digests of one day, queued together.
pub struct QueueDigests {
    pub emails: Vec<NewEmail>,
}

#[async_trait::async_trait]
impl Command for QueueDigests {
    /// How many were new (a digest already queued today is not again).
    type Output = usize;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<usize> {
        let mut queued = 0;
        for email in &self.emails {
            if uow.email(email.clone()).await? {
                queued += 1;
            }
        }
        if queued > 0 {
            uow.audit(
                AuditAction::ScheduleEmail,
                AuditEntity::Email,
                None,
                json!({ "template": "digest", "count": queued }),
            );
        }
        Ok(queued)
    }
}
