//! Staff accounts and sign-in, as commands.
use chrono::Duration;
use entity::{app_user, user_session};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::NewUser;
use crate::app::{Cache, Command, Error, RecordRef, Result, UnitOfWork};
use crate::domain::{AuditAction, AuditEntity, DomainError, Role};

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
        uow.invalidate(Cache::Sessions);
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
        open_session(
            uow,
            user.id,
            &self.session_id,
            self.hours,
            self.idle_minutes,
        )
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

/// Stores a new session of the user (and drops the sessions that have
/// ended, absolutely or unused, as new ones come).
async fn open_session(
    uow: &mut UnitOfWork<'_>,
    user_id: i32,
    session_id: &str,
    hours: u32,
    idle_minutes: u32,
) -> Result<()> {
    let now = uow.now();
    let tx = uow.tx();
    {
        user_session::Entity::delete_many()
            .filter(
                sea_orm::Condition::any()
                    .add(user_session::Column::ExpiresAt.lte(now))
                    .add(
                        user_session::Column::LastSeenAt
                            .lte(now - Duration::minutes(i64::from(idle_minutes))),
                    ),
            )
            .exec(tx)
            .await?;
        user_session::Entity::insert(user_session::ActiveModel {
            id: Set(session_key(session_id)),
            user_id: Set(user_id),
            created_at: Set(now),
            expires_at: Set(now + Duration::hours(i64::from(hours))),
            last_seen_at: Set(now),
        })
        .exec_without_returning(tx)
        .await?;
    }
    Ok(())
}

/// The person the identity provider vouched for (the ID token verified).
#[derive(Debug, Clone)]
pub struct ProviderIdentity {
    pub issuer: String,
    /// The provider's stable id of the person (`sub`): what the account is
    /// matched by; never the email, which can change hands.
    pub subject: String,
    /// What a new account's username is made from (`preferred_username`
    /// or the email's local part).
    pub username_hint: String,
    pub display_name: String,
    pub email: Option<String>,
    /// The role the group mapping gives, if any.
    pub role: Option<Role>,
}

/// A sign-in through the identity provider. The first one creates the
/// account; every one refreshes its role, name and email from the
/// provider. Refused (and audited) without a mapped role, or when the
/// account is disabled in the portal.
pub struct ProviderSignIn {
    pub identity: ProviderIdentity,
    pub client: String,
    pub session_id: String,
    pub hours: u32,
    pub idle_minutes: u32,
}

#[derive(Debug)]
pub enum ProviderOutcome {
    SignedIn(app_user::Model),
    /// The provider gives the person none of the portal's roles.
    NoRole,
    /// Disabled in the portal: that wins over the provider.
    Disabled,
}

#[async_trait::async_trait]
impl Command for ProviderSignIn {
    type Output = ProviderOutcome;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<ProviderOutcome> {
        let id = &self.identity;
        let existing = app_user::Entity::find()
            .filter(app_user::Column::OidcIssuer.eq(&id.issuer))
            .filter(app_user::Column::OidcSubject.eq(&id.subject))
            .one(uow.tx())
            .await?;
        let refuse = |uow: &mut UnitOfWork<'_>, user: Option<i32>, reason: &str| {
            uow.audit(
                AuditAction::LoginFailed,
                AuditEntity::User,
                user,
                json!({
                    "via": "oidc",
                    "reason": reason,
                    "username": id.username_hint,
                    "client": self.client,
                }),
            );
        };
        if let Some(user) = existing.as_ref().filter(|u| u.disabled) {
            refuse(uow, Some(user.id), "disabled");
            return Ok(ProviderOutcome::Disabled);
        }
        let Some(role) = id.role else {
            // Taken out of every mapped group: the account's open sessions
            // end too (its stored role would otherwise go on serving them).
            if let Some(user) = existing.as_ref() {
                user_session::Entity::delete_many()
                    .filter(user_session::Column::UserId.eq(user.id))
                    .exec(uow.tx())
                    .await?;
                uow.invalidate(Cache::Sessions);
            }
            refuse(uow, existing.as_ref().map(|u| u.id), "no_role");
            return Ok(ProviderOutcome::NoRole);
        };
        let user = match existing {
            None => {
                let username = free_username(uow.tx(), &id.username_hint, &id.subject).await?;
                let user = app_user::ActiveModel {
                    username: Set(username),
                    display_name: Set(id.display_name.clone()),
                    email: Set(id.email.clone()),
                    role: Set(role.as_str().to_string()),
                    // No password: this account signs in through the provider only.
                    password_hash: Set(NO_PASSWORD.to_string()),
                    disabled: Set(false),
                    created_at: Set(uow.now()),
                    oidc_issuer: Set(Some(id.issuer.clone())),
                    oidc_subject: Set(Some(id.subject.clone())),
                    ..Default::default()
                }
                .insert(uow.tx())
                .await?;
                uow.audit(
                    AuditAction::Create,
                    AuditEntity::User,
                    Some(user.id),
                    json!({ "role": role.as_str(), "via": "oidc" }),
                );
                uow.invalidate(Cache::Consultants);
                user
            }
            Some(user) => {
                let mut changed = Vec::new();
                if user.role != role.as_str() {
                    changed.push("role");
                }
                if user.display_name != id.display_name {
                    changed.push("display_name");
                }
                if user.email != id.email {
                    changed.push("email");
                }
                if changed.is_empty() {
                    user
                } else {
                    let mut am: app_user::ActiveModel = user.into();
                    am.role = Set(role.as_str().to_string());
                    am.display_name = Set(id.display_name.clone());
                    am.email = Set(id.email.clone());
                    let user = am.update(uow.tx()).await?;
                    uow.audit(
                        AuditAction::Update,
                        AuditEntity::User,
                        Some(user.id),
                        json!({ "changed": changed, "role": role.as_str(), "via": "oidc" }),
                    );
                    uow.invalidate(Cache::Consultants);
                    uow.invalidate(Cache::Sessions);
                    user
                }
            }
        };
        open_session(
            uow,
            user.id,
            &self.session_id,
            self.hours,
            self.idle_minutes,
        )
        .await?;
        uow.audit(
            AuditAction::Login,
            AuditEntity::User,
            Some(user.id),
            json!({ "via": "oidc" }),
        );
        Ok(ProviderOutcome::SignedIn(user))
    }
}

/// The password hash of an account without a password: not a hash any
/// password verifies against.
pub const NO_PASSWORD: &str = "!oidc";

/// A username for a new account from the provider: the hint made to fit
/// (letters, digits, `.`, `-`, `_`), with `-2`, `-3`, … when taken.
async fn free_username(
    tx: &sea_orm::DatabaseTransaction,
    hint: &str,
    subject: &str,
) -> Result<String> {
    let local = hint.split('@').next().unwrap_or_default().to_lowercase();
    let mut base: String = local
        .chars()
        .map(|c| match c {
            'æ' => 'e',
            'ø' => 'o',
            'å' => 'a',
            c if c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_') => c,
            _ => '-',
        })
        .take(32)
        .collect();
    base = base.trim_matches('-').to_string();
    if base.chars().count() < 2 {
        use sha2::Digest;
        base = format!("sso-{}", &hex::encode(sha2::Sha256::digest(subject))[..8]);
    }
    for n in 1..1000 {
        let candidate = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        let taken = app_user::Entity::find()
            .filter(app_user::Column::Username.eq(&candidate))
            .one(tx)
            .await?
            .is_some();
        if !taken {
            return Ok(candidate);
        }
    }
    Err(Error::Unexpected(anyhow::anyhow!("no free username")))
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
        uow.invalidate(Cache::Sessions);
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
        uow.invalidate(Cache::Sessions);
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
