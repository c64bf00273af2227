//! Audit events: who changed what, written in the same transaction as the
//! change. `detail` never holds personal data (no names, emails, notes).
use chrono::Utc;
use entity::audit_event;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};

pub async fn record<C: ConnectionTrait>(
    db: &C,
    user_id: Option<i32>,
    action: &str,
    entity: &str,
    entity_id: Option<i32>,
    detail: Option<String>,
) -> Result<(), DbErr> {
    audit_event::Entity::insert(audit_event::ActiveModel {
        at: Set(Utc::now()),
        user_id: Set(user_id),
        action: Set(action.to_string()),
        entity: Set(entity.to_string()),
        entity_id: Set(entity_id),
        detail: Set(detail),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}
