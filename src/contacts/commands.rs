//! The contact log's commands.
use entity::{business, contact};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::queries::NewContact;
use crate::app::{Command, Error, Result, UnitOfWork};
use crate::domain::{AuditAction, AuditEntity};

/// A consultant logs a call, meeting, visit or email with a business.
pub struct LogContact {
    pub contact: NewContact,
    /// Whose contact it was, when another system logs it (the API); a
    /// signed-in consultant logs their own.
    pub consultant_id: Option<i32>,
}

#[async_trait::async_trait]
impl Command for LogContact {
    type Output = i32;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<i32> {
        // The dashboard's live figures count these.
        uow.invalidate(crate::app::Cache::Figures);
        let c = &self.contact;
        let user_id = self
            .consultant_id
            .or(uow.actor().user_id())
            .ok_or(Error::Forbidden)?;
        let tx = uow.tx();
        business::Entity::find_by_id(c.business_id)
            .one(tx)
            .await?
            .filter(|b| b.merged_into.is_none())
            .ok_or(Error::NotFound)?;
        let row = contact::ActiveModel {
            business_id: Set(c.business_id),
            user_id: Set(user_id),
            channel: Set(c.channel.as_str().into()),
            occurred_at: Set(c.occurred_at),
            subject: Set(c.subject.clone()),
            notes: Set(c.notes.clone()),
            outcome: Set(c.outcome.as_str().into()),
            follow_up_on: Set(c.follow_up_on),
            follow_up_done: Set(false),
            created_at: Set(uow.now()),
            ..Default::default()
        }
        .insert(tx)
        .await?;
        uow.audit(
            AuditAction::Create,
            AuditEntity::Contact,
            Some(row.id),
            json!({
                "business": c.business_id,
                "channel": c.channel.as_str(),
                "outcome": c.outcome.as_str(),
                "follow_up": c.follow_up_on.is_some(),
            }),
        );
        Ok(row.id)
    }
}

/// A logged contact corrected (another system's record of it, through the
/// API): its channel, time, subject, notes, outcome and follow-up date. The
/// business and the consultant stay.
pub struct UpdateContact {
    pub id: i32,
    pub contact: NewContact,
    /// The version the caller read (the API's `If-Match`).
    pub if_match: Option<String>,
}

#[async_trait::async_trait]
impl Command for UpdateContact {
    type Output = ();

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<()> {
        uow.invalidate(crate::app::Cache::Figures);
        let tx = uow.tx();
        let row = crate::app::for_update(tx, contact::Entity::find_by_id(self.id))
            .one(tx)
            .await?
            .ok_or(Error::NotFound)?;
        if self
            .if_match
            .as_ref()
            .is_some_and(|v| *v != crate::app::version_of(&row))
        {
            return Err(Error::Stale);
        }
        if row.business_id != self.contact.business_id {
            return Err(Error::invalid(
                "business_id",
                crate::domain::DomainError::UnknownValue,
            ));
        }
        let c = &self.contact;
        let mut new = row.clone();
        new.channel = c.channel.as_str().into();
        new.occurred_at = c.occurred_at;
        new.subject = c.subject.clone();
        new.notes = c.notes.clone();
        new.outcome = c.outcome.as_str().into();
        if new.follow_up_on != c.follow_up_on {
            new.follow_up_on = c.follow_up_on;
            new.follow_up_done = false;
        }
        let changed = crate::businesses::commands::changed_columns(&row, &new);
        let am: contact::ActiveModel = new.into();
        am.reset_all().update(tx).await?;
        uow.audit(
            AuditAction::Update,
            AuditEntity::Contact,
            Some(self.id),
            json!({ "changed": changed }),
        );
        Ok(())
    }
}

/// A consultant marks one of their own follow-ups done.
pub struct CompleteFollowUp {
    pub contact_id: i32,
}

#[async_trait::async_trait]
impl Command for CompleteFollowUp {
    type Output = ();

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<()> {
        let user_id = uow.actor().user_id().ok_or(Error::Forbidden)?;
        let res = contact::Entity::update_many()
            .col_expr(
                contact::Column::FollowUpDone,
                sea_orm::sea_query::Expr::value(true),
            )
            .filter(contact::Column::Id.eq(self.contact_id))
            .filter(contact::Column::UserId.eq(user_id))
            .exec(uow.tx())
            .await?;
        if res.rows_affected == 0 {
            return Err(Error::NotFound);
        }
        uow.audit(
            AuditAction::FollowUpDone,
            AuditEntity::Contact,
            Some(self.contact_id),
            serde_json::Value::Null,
        );
        Ok(())
    }
}
