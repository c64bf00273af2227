//! The pipeline's commands. Submitting or entering a need is
//! `public::SubmitNeed` (its emails are rendered before the transaction).
use entity::{need_event, recruitment_need};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::app::{Command, Error, Result, UnitOfWork};
use crate::domain::{AuditAction, AuditEntity, DomainError, NeedStatus};
use crate::search::DocKind;

/// A consultant moves a need on: a new status, a new assignee and/or a
/// note, kept in the need's history.
pub struct ChangeNeed {
    pub need_id: i32,
    pub status: NeedStatus,
    /// Must be an enabled consultant or admin.
    pub assigned_to: Option<i32>,
    pub note: Option<String>,
    /// The version the caller read (the API's `If-Match`).
    pub if_match: Option<String>,
}

#[async_trait::async_trait]
impl Command for ChangeNeed {
    /// False when nothing changed (no new status, assignee or note).
    type Output = bool;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<bool> {
        // The dashboard's live figures count these.
        uow.invalidate(crate::app::Cache::Figures);
        let tx = uow.tx();
        if let Some(uid) = self.assigned_to {
            let ok = entity::app_user::Entity::find_by_id(uid)
                .one(tx)
                .await?
                .is_some_and(|u| {
                    !u.disabled
                        && matches!(
                            crate::domain::Role::parse(&u.role),
                            Ok(crate::domain::Role::Admin | crate::domain::Role::Consultant)
                        )
                });
            if !ok {
                return Err(Error::invalid(
                    "assigned_to",
                    DomainError::UnknownConsultant,
                ));
            }
        }
        // On PostgreSQL the row is locked until the commit: two consultants
        // changing one need at once are serialised, so each transition is
        // checked against the status the other one left (SQLite's writer
        // lock does the same).
        let need = crate::app::for_update(tx, recruitment_need::Entity::find_by_id(self.need_id))
            .one(tx)
            .await?
            .ok_or(Error::NotFound)?;
        if self
            .if_match
            .as_ref()
            .is_some_and(|v| *v != crate::app::version_of(&need))
        {
            return Err(Error::Stale);
        }
        // A status the database holds that no longer parses is treated as
        // new: the consultant can still move the need on.
        let from = NeedStatus::parse(&need.status).unwrap_or(NeedStatus::New);
        if !from.can_become(self.status) {
            return Err(Error::invalid(
                "status",
                DomainError::StatusChangeNotAllowed {
                    from: from.as_str(),
                    to: self.status.as_str(),
                },
            ));
        }
        let mut changed = Vec::new();
        if from != self.status {
            changed.push("status");
        }
        if need.assigned_to != self.assigned_to {
            changed.push("assigned_to");
        }
        if self.note.is_some() {
            changed.push("note");
        }
        if changed.is_empty() {
            return Ok(false);
        }
        let mut am: recruitment_need::ActiveModel = need.into();
        am.status = Set(self.status.as_str().to_string());
        am.assigned_to = Set(self.assigned_to);
        am.update(tx).await?;
        need_event::ActiveModel {
            need_id: Set(self.need_id),
            user_id: Set(uow.actor().user_id()),
            status: Set(self.status.as_str().to_string()),
            note: Set(self.note.clone()),
            at: Set(uow.now()),
            ..Default::default()
        }
        .insert(tx)
        .await?;
        uow.reindex(DocKind::Need, self.need_id);
        uow.audit(
            AuditAction::Update,
            AuditEntity::Need,
            Some(self.need_id),
            json!({
                "changed": changed,
                "from": from.as_str(),
                "status": self.status.as_str(),
            }),
        );
        Ok(true)
    }
}

/// The contact person confirms their email address from the receipt's link.
pub struct ConfirmNeedEmail {
    pub token: String,
}

#[async_trait::async_trait]
impl Command for ConfirmNeedEmail {
    type Output = ();

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<()> {
        if self.token.is_empty() {
            return Err(Error::NotFound);
        }
        let tx = uow.tx();
        let need = recruitment_need::Entity::find()
            .filter(recruitment_need::Column::ConfirmToken.eq(&self.token))
            .one(tx)
            .await?
            .ok_or(Error::NotFound)?;
        if !need.email_confirmed {
            let id = need.id;
            let mut am: recruitment_need::ActiveModel = need.into();
            am.email_confirmed = Set(true);
            am.update(tx).await?;
            uow.audit(
                AuditAction::ConfirmEmail,
                AuditEntity::Need,
                Some(id),
                serde_json::Value::Null,
            );
        }
        Ok(())
    }
}
