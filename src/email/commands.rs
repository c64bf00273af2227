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
