//! Staff accounts and sign-in, as commands.
use chrono::Duration;
use entity::{app_user, user_session};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::NewUser;
use crate::app::{Cache, Command, Error, RecordRef, Result, UnitOfWork};
use crate::domain::{AuditAction, AuditEntity, DomainError};

/// Adds a staff account. The password is hashed before (argon2 is slow on
/// purpose; not inside a write transaction).
pub struct AddUser {
    pub user: NewUser,
    pub password_hash: String,
}

#[async_trait::async_trait]
impl Command for AddUser {
    type Output = app_user::Model;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<app_user::Model> {
        let tx = uow.tx();
        let new = &self.user;
        // Insert-if-absent: of simultaneous creations of one username
        // exactly one inserts; the others are told it is taken.
        let inserted = app_user::Entity::insert(app_user::ActiveModel {
            username: Set(new.username.clone()),
            display_name: Set(new.display_name.clone()),
            email: Set(new.email.clone()),
            role: Set(new.role.as_str().to_string()),
            password_hash: Set(self.password_hash.clone()),
            disabled: Set(false),
            created_at: Set(uow.now()),
            ..Default::default()
        })
        .on_conflict(crate::db::keep_existing(app_user::Column::Username))
        .exec_without_returning(tx)
        .await?;
        let user = app_user::Entity::find()
            .filter(app_user::Column::Username.eq(&new.username))
            .one(tx)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the new user is not there"))?;
        if inserted == 0 {
            return Err(Error::Conflict {
                field: "username",
                error: DomainError::UsernameTaken,
                existing: Some(RecordRef::User(user.id)),
            });
        }
        uow.audit(
            AuditAction::Create,
            AuditEntity::User,
            Some(user.id),
            json!({ "role": new.role.as_str() }),
        );
        uow.invalidate(Cache::Consultants);
        Ok(user)
    }
}

/// Disables (or enables again) a staff account. Disabling deletes every
/// session of the user in the same transaction: they are signed out on
/// their next request.
pub struct SetDisabled {
    pub username: String,
    pub disabled: bool,
}

#[async_trait::async_trait]
impl Command for SetDisabled {
    type Output = app_user::Model;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<app_user::Model> {
        let tx = uow.tx();
        let user = app_user::Entity::find()
            .filter(app_user::Column::Username.eq(&self.username))
            .one(tx)
            .await?
            .ok_or(Error::NotFound)?;
        let mut am: app_user::ActiveModel = user.into();
        am.disabled = Set(self.disabled);
        let user = am.update(tx).await?;
        let mut ended = 0;
        if self.disabled {
            ended = user_session::Entity::delete_many()
                .filter(user_session::Column::UserId.eq(user.id))
                .exec(tx)
                .await?
                .rows_affected;
        }
        let action = if self.disabled {
            AuditAction::Disable
        } else {
            AuditAction::Enable
        };
        uow.audit(
            action,
            AuditEntity::User,
            Some(user.id),
            json!({ "sessions_ended": ended }),
        );
        uow.invalidate(Cache::Consultants);
        Ok(user)
    }
}

/// A sign-in attempt whose password has been checked. A refused one is
/// kept in the audit log too (the username tried and the client address;
/// never the password).
pub struct SignIn {
    pub username: String,
    pub client: String,
    /// The account, when the password matched it.
    pub verified_user: Option<i32>,
    /// The new session's id and how long it lasts (absolutely, and unused).
    pub session_id: String,
    pub hours: u32,
    pub idle_minutes: u32,
}

/// What a session's row is stored under: the SHA-256 of the cookie's id.
pub fn session_key(session_id: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(session_id.as_bytes()))
}

#[async_trait::async_trait]
impl Command for SignIn {
    /// The user signed in, or None when refused.
    type Output = Option<app_user::Model>;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<Option<app_user::Model>> {
        let tx = uow.tx();
        // Disabled between the password check and now: refused as well.
        let user = match self.verified_user {
            Some(id) => app_user::Entity::find_by_id(id)
                .one(tx)
                .await?
                .filter(|u| !u.disabled),
            None => None,
        };
        let Some(user) = user else {
            // The username tried only when it could be one: a password typed
            // into the wrong field must not end up in the log.
            let tried = super::parse_username(&self.username)
                .unwrap_or_else(|_| "(not a username)".to_string());
            uow.audit(
                AuditAction::LoginFailed,
                AuditEntity::User,
                None,
                json!({ "username": tried, "client": self.client }),
            );
            return Ok(None);
        };
        let now = uow.now();
        // Sessions that have ended (absolutely or unused) go as new ones come.
        user_session::Entity::delete_many()
            .filter(
                sea_orm::Condition::any()
                    .add(user_session::Column::ExpiresAt.lte(now))
                    .add(
                        user_session::Column::LastSeenAt
                            .lte(now - Duration::minutes(i64::from(self.idle_minutes))),
                    ),
            )
            .exec(tx)
            .await?;
        user_session::Entity::insert(user_session::ActiveModel {
            id: Set(session_key(&self.session_id)),
            user_id: Set(user.id),
            created_at: Set(now),
            expires_at: Set(now + Duration::hours(i64::from(self.hours))),
            last_seen_at: Set(now),
        })
        .exec_without_returning(tx)
        .await?;
        uow.audit(
            AuditAction::Login,
            AuditEntity::User,
            Some(user.id),
            serde_json::Value::Null,
        );
        Ok(Some(user))
    }
}

/// Ends a session (its row is deleted, so the cookie is worthless).
pub struct SignOut {
    pub user_id: i32,
    pub session_id: String,
}

#[async_trait::async_trait]
impl Command for SignOut {
    type Output = ();

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<()> {
        user_session::Entity::delete_by_id(session_key(&self.session_id))
            .exec(uow.tx())
            .await?;
        uow.audit(
            AuditAction::Logout,
            AuditEntity::User,
            Some(self.user_id),
            serde_json::Value::Null,
        );
        Ok(())
    }
}

/// A user's new password (already checked and hashed). The user's other
/// sessions end; the one that changed it goes on.
pub struct ChangePassword {
    pub user_id: i32,
    pub password_hash: String,
    pub keep_session: Option<String>,
}

#[async_trait::async_trait]
impl Command for ChangePassword {
    type Output = ();

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<()> {
        let tx = uow.tx();
        let user = app_user::Entity::find_by_id(self.user_id)
            .one(tx)
            .await?
            .ok_or(Error::NotFound)?;
        let mut am: app_user::ActiveModel = user.into();
        am.password_hash = Set(self.password_hash.clone());
        am.update(tx).await?;
        let mut others = user_session::Entity::delete_many()
            .filter(user_session::Column::UserId.eq(self.user_id));
        if let Some(keep) = &self.keep_session {
            others = others.filter(user_session::Column::Id.ne(keep.clone()));
        }
        let ended = others.exec(tx).await?.rows_affected;
        uow.audit(
            AuditAction::Update,
            AuditEntity::User,
            Some(self.user_id),
            json!({ "changed": ["password"], "sessions_ended": ended }),
        );
        Ok(())
    }
}

/// A session was used: its inactivity timeout starts again. Not audited
/// (it is no one's decision); run at most once a minute per session.
pub struct TouchSession {
    pub key: String,
}

#[async_trait::async_trait]
impl Command for TouchSession {
    type Output = ();

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<()> {
        user_session::Entity::update_many()
            .col_expr(
                user_session::Column::LastSeenAt,
                sea_orm::sea_query::Expr::value(uow.now()),
            )
            .filter(user_session::Column::Id.eq(self.key.clone()))
            .exec(uow.tx())
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_session_is_stored_under_the_sha256_of_its_id() {
        assert_eq!(
            super::session_key("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
