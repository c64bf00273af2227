//! Staff accounts: creation, listing, disabling (which ends every session of
//! the user at once). Used by the admin page and `erhverv user …`.
mod account;
pub mod commands;
mod handlers;

pub use handlers::routes;

use chrono::Utc;
use entity::app_user;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder,
};

use crate::{domain::Role, web::auth};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UserError {
    #[error("username_invalid")]
    InvalidUsername,
    #[error("password_too_short")]
    PasswordTooShort,
    #[error("username_taken")]
    Taken,
}

#[derive(Debug, Clone)]
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

/// Inserts a user without an audit event: only for demo data, which is
/// generated, not entered by anyone.
pub async fn insert_demo_user<C: ConnectionTrait>(
    db: &C,
    new: &NewUser,
    hash: String,
) -> anyhow::Result<app_user::Model> {
    Ok(app_user::ActiveModel {
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
    .await?)
}

/// Hashes on a blocking thread (argon2 is deliberately slow).
pub async fn hash_password(password: &str) -> anyhow::Result<String> {
    let pw = password.to_string();
    tokio::task::spawn_blocking(move || auth::hash_password(&pw)).await?
}

/// Adds a user with a password: the [`commands::AddUser`] command, for the
/// CLI and the tests.
pub async fn create_with_password(
    db: &DatabaseConnection,
    new: &NewUser,
    password: &str,
    actor: Option<i32>,
) -> anyhow::Result<Result<app_user::Model, UserError>> {
    if let Err(e) = check_password(password) {
        return Ok(Err(e));
    }
    let password_hash = hash_password(password).await?;
    let app = crate::app::App::for_cli(db)?;
    let cmd = commands::AddUser {
        user: new.clone(),
        password_hash,
    };
    match app.run(actor_of(actor), cmd).await {
        Ok(u) => Ok(Ok(u)),
        Err(crate::app::Error::Conflict { .. }) => Ok(Err(UserError::Taken)),
        Err(e) => Err(anyhow::Error::new(e)),
    }
}

fn actor_of(actor: Option<i32>) -> crate::app::Actor {
    actor.map_or(crate::app::Actor::System, crate::app::Actor::User)
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
    /// Moved on by every invalidation: a list read before one is not kept.
    generation: std::sync::atomic::AtomicU64,
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
        let generation = self.generation.load(std::sync::atomic::Ordering::SeqCst);
        let list = std::sync::Arc::new(consultants(db).await?);
        if let Ok(mut guard) = self.inner.write()
            && generation == self.generation.load(std::sync::atomic::Ordering::SeqCst)
        {
            *guard = Some((std::time::Instant::now(), list.clone()));
        }
        Ok(list)
    }

    /// (id, name) pairs for a select.
    pub async fn options(&self, db: &DatabaseConnection) -> anyhow::Result<Vec<(String, String)>> {
        Ok(self
            .get(db)
            .await?
            .iter()
            .map(|u| (u.id.to_string(), u.display_name.clone()))
            .collect())
    }

    /// The ids a record may be assigned to.
    pub async fn ids(&self, db: &DatabaseConnection) -> anyhow::Result<Vec<i32>> {
        Ok(self.get(db).await?.iter().map(|u| u.id).collect())
    }

    pub fn invalidate(&self) {
        if let Ok(mut guard) = self.inner.write() {
            self.generation
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
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

/// Disables or enables a user: the [`commands::SetDisabled`] command, for
/// the CLI.
pub async fn set_disabled(
    db: &DatabaseConnection,
    username: &str,
    disabled: bool,
    actor: Option<i32>,
) -> anyhow::Result<Option<app_user::Model>> {
    let app = crate::app::App::for_cli(db)?;
    let cmd = commands::SetDisabled {
        username: username.to_string(),
        disabled,
    };
    match app.run(actor_of(actor), cmd).await {
        Ok(u) => Ok(Some(u)),
        Err(crate::app::Error::NotFound) => Ok(None),
        Err(e) => Err(anyhow::Error::new(e)),
    }
}
