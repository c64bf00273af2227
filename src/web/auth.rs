//! Staff sign-in: the encrypted session cookie carries a session id whose row
//! in `user_session` must exist and belong to an enabled user. Deleting the
//! row (logout, disabling the user) ends the session at once.
use std::future::Future;
use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use chrono::Utc;
use entity::app_user;
use rand::RngCore;
use sea_orm::EntityTrait;
use serde::Serialize;
use tera::Context;

use crate::domain::{Lang, Role};
use crate::web::{AppState, error::AppError, i18n};

pub const SESSION_ID: &str = "sid";
pub const CSRF: &str = "csrf";
pub const FLASH: &str = "flash";

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// The session's CSRF token, created on first use.
pub fn csrf_token(session: &Session) -> String {
    if let Ok(Some(t)) = session.get::<String>(CSRF) {
        return t;
    }
    let t = random_token();
    let _ = session.insert(CSRF, &t);
    t
}

pub fn set_flash(session: &Session, message: &str) {
    let _ = session.insert(FLASH, message);
}

#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    pub id: i32,
    pub username: String,
    pub display_name: String,
    pub role: &'static str,
    pub role_label: &'static str,
    pub is_admin: bool,
    pub can_edit: bool,
}

/// A signed-in staff member, with what every page needs.
pub struct Staff {
    pub id: i32,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub lang: Lang,
    pub csrf: String,
    pub session: Session,
    pub path: String,
}

impl Staff {
    /// Case work: consultants and admins; the council reads aggregates only.
    pub fn require_case_worker(&self) -> Result<(), AppError> {
        match self.role {
            Role::Admin | Role::Consultant => Ok(()),
            Role::Council => Err(AppError::Forbidden),
        }
    }

    pub fn require_admin(&self) -> Result<(), AppError> {
        match self.role {
            Role::Admin => Ok(()),
            _ => Err(AppError::Forbidden),
        }
    }

    pub fn t(&self, key: &str) -> &'static str {
        i18n::t(self.lang, key)
    }

    pub fn flash(&self, key: &str) {
        set_flash(&self.session, self.t(key));
    }

    /// The context every staff page starts from.
    pub fn context(&self) -> Context {
        let mut ctx = Context::new();
        ctx.insert(
            "user",
            &UserView {
                id: self.id,
                username: self.username.clone(),
                display_name: self.display_name.clone(),
                role: self.role.as_str(),
                role_label: self.role.label(self.lang),
                is_admin: self.role == Role::Admin,
                can_edit: self.role != Role::Council,
            },
        );
        ctx.insert("csrf", &self.csrf);
        ctx.insert("path", &self.path);
        // Signed in through the identity provider: no password here.
        let via_provider: bool = self
            .session
            .get(crate::web::oidc::VIA_PROVIDER)
            .ok()
            .flatten()
            .unwrap_or(false);
        ctx.insert("via_provider", &via_provider);
        let flash: Option<String> = self.session.get(FLASH).ok().flatten();
        if flash.is_some() {
            self.session.remove(FLASH);
        }
        ctx.insert("flash", &flash);
        ctx
    }
}

/// The path and query to come back to after signing in.
fn return_path(req: &HttpRequest) -> String {
    match req.uri().path_and_query() {
        Some(pq) if req.method() == actix_web::http::Method::GET => pq.as_str().to_string(),
        _ => "/".to_string(),
    }
}

impl FromRequest for Staff {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("no app state")))?
                .clone();
            let session = req.get_session();
            let next = return_path(&req);
            let Some(sid) = session.get::<String>(SESSION_ID).ok().flatten() else {
                return Err(AppError::SignIn { next });
            };
            let Some(user) = live_session_user(&state, &sid, state.app.clock.now()).await? else {
                session.purge();
                return Err(AppError::SignIn { next });
            };
            let role = Role::parse(&user.role).map_err(|_| AppError::Forbidden)?;
            Ok(Staff {
                id: user.id,
                username: user.username,
                display_name: user.display_name,
                role,
                lang: i18n::lang_of(&req),
                csrf: csrf_token(&session),
                session,
                path: req.path().to_string(),
            })
        })
    }
}

/// A signed-in consultant or admin: case work. The council reads
/// aggregates only and is answered 403.
pub struct CaseWorker(pub Staff);

/// A signed-in admin: users, imports, the outbox, the audit log.
pub struct Admin(pub Staff);

macro_rules! role_extractor {
    ($name:ident, $allowed:pat) => {
        impl std::ops::Deref for $name {
            type Target = Staff;

            fn deref(&self) -> &Staff {
                &self.0
            }
        }

        impl FromRequest for $name {
            type Error = AppError;
            type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

            fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
                let staff = Staff::from_request(req, payload);
                Box::pin(async move {
                    let staff = staff.await?;
                    match staff.role {
                        $allowed => Ok($name(staff)),
                        _ => Err(AppError::Forbidden),
                    }
                })
            }
        }
    };
}

role_extractor!(CaseWorker, Role::Admin | Role::Consultant);
role_extractor!(Admin, Role::Admin);

impl Staff {
    /// Who acts in a command.
    pub fn actor(&self) -> crate::app::Actor {
        crate::app::Actor::User(self.id)
    }
}

/// Live sessions and their users, so that a signed-in page needs no query
/// to know who asks. Ending a session, disabling or changing a user drops
/// them all ([`crate::app::Cache::Sessions`]): here at commit, in the other
/// instances by notification (PostgreSQL), and after a command-line change
/// to a SQLite file at the next request ([`crate::app::ExternalWrites`]).
/// The time-to-live bounds only changes made outside the application.
pub struct SessionCache(
    crate::app::cache::Generational<String, (entity::user_session::Model, app_user::Model)>,
);

impl SessionCache {
    /// Sessions are kept at most `ttl` (`read_cache_seconds`).
    pub fn new(ttl: std::time::Duration) -> Self {
        SessionCache(crate::app::cache::Generational::new(ttl, 20_000))
    }

    pub fn invalidate(&self) {
        self.0.invalidate();
    }
}

/// The user of a session that is neither expired nor unused for longer
/// than the inactivity timeout, with the account enabled. A session used
/// more than a minute ago is marked used now.
async fn live_session_user(
    state: &AppState,
    sid: &str,
    now: chrono::DateTime<Utc>,
) -> Result<Option<app_user::Model>, AppError> {
    use entity::user_session;
    let key = crate::users::commands::session_key(sid);
    let idle = chrono::Duration::minutes(i64::from(state.settings.session_idle_minutes));
    state.app.notice_external_writes();
    let live = |s: &user_session::Model, u: &app_user::Model| {
        s.expires_at > now && s.last_seen_at > now - idle && !u.disabled
    };
    // A copy that looks idle may be older than another instance's touch:
    // only the database refuses a session (and its answer replaces it).
    let cached = state.sessions.0.get(&key).filter(|(s, u)| live(s, u));
    let (session, user) = match cached {
        Some(found) => found,
        None => {
            let generation = state.sessions.0.generation();
            let Some(session) = user_session::Entity::find_by_id(key.clone())
                .one(&state.db)
                .await?
            else {
                return Ok(None);
            };
            let Some(user) = app_user::Entity::find_by_id(session.user_id)
                .one(&state.db)
                .await?
            else {
                return Ok(None);
            };
            state
                .sessions
                .0
                .put(key.clone(), (session.clone(), user.clone()), generation);
            (session, user)
        }
    };
    if !live(&session, &user) {
        return Ok(None);
    }
    if session.last_seen_at < now - chrono::Duration::minutes(1) {
        let cmd = crate::users::commands::TouchSession { key: key.clone() };
        // Touches at the same moment share one commit.
        state
            .app
            .run_batched(crate::app::Actor::User(user.id), cmd)
            .await?;
        // Read again next time, with the new time of use.
        state.sessions.0.remove(&key);
    }
    Ok(Some(user))
}

/// A visitor who may not be signed in (sign-in page, public pages).
pub struct Visitor {
    pub lang: Lang,
    pub csrf: String,
    pub session: Session,
}

impl Visitor {
    pub fn context(&self) -> Context {
        let mut ctx = Context::new();
        ctx.insert("user", &Option::<()>::None);
        ctx.insert("csrf", &self.csrf);
        ctx.insert("path", "/login");
        let flash: Option<String> = self.session.get(FLASH).ok().flatten();
        if flash.is_some() {
            self.session.remove(FLASH);
        }
        ctx.insert("flash", &flash);
        ctx
    }
}

impl FromRequest for Visitor {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let session = req.get_session();
        std::future::ready(Ok(Visitor {
            lang: i18n::lang_of(req),
            csrf: csrf_token(&session),
            session,
        }))
    }
}
