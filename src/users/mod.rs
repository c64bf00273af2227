//! Staff accounts: creation, listing, disabling (which ends every session of
//! the user at once). Used by the admin page and `erhverv user …`.
mod handlers;

pub use handlers::routes;

use chrono::Utc;
use entity::{app_user, user_session};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder,
};

use crate::{audit, db, domain::Role, web::auth};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UserError {
    #[error("username_invalid")]
    InvalidUsername,
    #[error("password_too_short")]
    PasswordTooShort,
    #[error("username_taken")]
    Taken,
}

pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
}

pub fn parse_username(s: &str) -> Result<String, UserError> {
    let u = s.trim().to_lowercase();
    let ok = (2..=40).contains(&u.chars().count())
        && u.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(u)
    } else {
        Err(UserError::InvalidUsername)
    }
}

pub fn check_password(p: &str) -> Result<(), UserError> {
    if p.chars().count() < 10 {
        Err(UserError::PasswordTooShort)
    } else {
        Ok(())
    }
}

/// Creates a user with an argon2id hash computed beforehand (`hash`).
pub async fn create<C: ConnectionTrait>(
    db: &C,
    new: &NewUser,
    hash: String,
    actor: Option<i32>,
) -> anyhow::Result<Result<app_user::Model, UserError>> {
    let exists = app_user::Entity::find()
        .filter(app_user::Column::Username.eq(&new.username))
        .one(db)
        .await?;
    if exists.is_some() {
        return Ok(Err(UserError::Taken));
    }
    let user = app_user::ActiveModel {
        username: Set(new.username.clone()),
        display_name: Set(new.display_name.clone()),
        email: Set(new.email.clone()),
        role: Set(new.role.as_str().to_string()),
        password_hash: Set(hash),
        disabled: Set(false),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        actor,
        "create",
        "app_user",
        Some(user.id),
        Some(new.role.as_str().into()),
    )
    .await?;
    Ok(Ok(user))
}

/// Hashes on a blocking thread (argon2 is deliberately slow), then creates.
pub async fn create_with_password(
    db: &DatabaseConnection,
    new: &NewUser,
    password: &str,
    actor: Option<i32>,
) -> anyhow::Result<Result<app_user::Model, UserError>> {
    if let Err(e) = check_password(password) {
        return Ok(Err(e));
    }
    let pw = password.to_string();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&pw)).await??;
    let tx = db::begin_write(db).await?;
    let res = create(&tx, new, hash, actor).await?;
    tx.commit().await?;
    Ok(res)
}

pub async fn list(db: &DatabaseConnection) -> anyhow::Result<Vec<app_user::Model>> {
    Ok(app_user::Entity::find()
        .order_by_asc(app_user::Column::Username)
        .all(db)
        .await?)
}

/// The consultants list changes rarely but is on every list page: kept for
/// a few seconds (and dropped at once when this process changes a user).
#[derive(Default)]
pub struct ConsultantCache {
    inner: std::sync::RwLock<Option<(std::time::Instant, std::sync::Arc<Vec<app_user::Model>>)>>,
}

impl ConsultantCache {
    const TTL: std::time::Duration = std::time::Duration::from_secs(10);

    pub async fn get(
        &self,
        db: &DatabaseConnection,
    ) -> anyhow::Result<std::sync::Arc<Vec<app_user::Model>>> {
        if let Ok(guard) = self.inner.read()
            && let Some((at, list)) = guard.as_ref()
            && at.elapsed() < Self::TTL
        {
            return Ok(list.clone());
        }
        let list = std::sync::Arc::new(consultants(db).await?);
        if let Ok(mut guard) = self.inner.write() {
            *guard = Some((std::time::Instant::now(), list.clone()));
        }
        Ok(list)
    }

    pub fn invalidate(&self) {
        if let Ok(mut guard) = self.inner.write() {
            *guard = None;
        }
    }
}

/// Consultants who can be responsible for a business (enabled consultants
/// and admins), by name.
pub async fn consultants(db: &DatabaseConnection) -> anyhow::Result<Vec<app_user::Model>> {
    Ok(app_user::Entity::find()
        .filter(app_user::Column::Role.is_in([Role::Consultant.as_str(), Role::Admin.as_str()]))
        .filter(app_user::Column::Disabled.eq(false))
        .order_by_asc(app_user::Column::DisplayName)
        .all(db)
        .await?)
}

/// Disables or enables a user. Disabling deletes every session of the user in
/// the same transaction, so they are signed out on their next request.
pub async fn set_disabled(
    db: &DatabaseConnection,
    username: &str,
    disabled: bool,
    actor: Option<i32>,
) -> anyhow::Result<Option<app_user::Model>> {
    let tx = db::begin_write(db).await?;
    let Some(user) = app_user::Entity::find()
        .filter(app_user::Column::Username.eq(username))
        .one(&tx)
        .await?
    else {
        return Ok(None);
    };
    let mut am: app_user::ActiveModel = user.into();
    am.disabled = Set(disabled);
    let user = am.update(&tx).await?;
    if disabled {
        user_session::Entity::delete_many()
            .filter(user_session::Column::UserId.eq(user.id))
            .exec(&tx)
            .await?;
    }
    let action = if disabled { "disable" } else { "enable" };
    audit::record(&tx, actor, action, "app_user", Some(user.id), None).await?;
    tx.commit().await?;
    Ok(Some(user))
}
