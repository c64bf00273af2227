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
