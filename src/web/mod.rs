//! The HTTP layer: shared state, sign-in, CSRF, language, error pages.
pub mod access;
pub mod auth;
pub mod client;
pub mod csv_export;
pub mod error;
pub mod fields;
pub mod form;
pub mod i18n;
pub mod login;
pub mod oidc;
pub mod ratelimit;
pub mod render;

use actix_web::{HttpResponse, get, web};
use sea_orm::DatabaseConnection;

use crate::config::Settings;
use crate::import::jobs::ImportJobs;
use ratelimit::RateLimiter;
use render::Templates;

pub struct AppState {
    /// Runs every change of data (see `crate::app`).
    pub app: crate::app::App,
    /// For reads; writes go through `app`.
    pub db: DatabaseConnection,
    pub templates: Templates,
    pub settings: Settings,
    /// Sign-in attempts per client address (`login_attempts` × 10 per 15
    /// minutes: an office behind one address signs in in the morning).
    pub login_limiter: RateLimiter,
    /// Sign-in attempts per account (`login_attempts` per 15 minutes).
    pub account_limiter: RateLimiter,
    /// Increasing delay after failed sign-ins at an account.
    pub login_backoff: ratelimit::Backoff,
    /// Password verifications running at once (argon2 takes memory and a
    /// core; a burst waits here instead of exhausting them).
    pub password_checks: tokio::sync::Semaphore,
    /// `trusted_proxies`, parsed: whose `Forwarded` headers count.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// A real argon2 hash to verify against when the user doesn't exist.
    pub dummy_hash: String,
    pub imports: ImportJobs,
    pub search: std::sync::Arc<crate::search::SearchService>,
    pub consultants: std::sync::Arc<crate::users::ConsultantCache>,
    pub business_list: std::sync::Arc<crate::businesses::queries::ListCache>,
    pub sessions: std::sync::Arc<crate::web::auth::SessionCache>,
    /// The live key figures, computed from the records.
    pub figures: std::sync::Arc<crate::initiatives::figures::FigureCache>,
    pub mailer: std::sync::Arc<crate::email::Mailer>,
    /// Submissions of the public recruitment form per client address.
    pub need_limiter: RateLimiter,
    /// API requests per token (`api_requests_per_minute`).
    pub api_limiter: RateLimiter,
    /// The identity provider's client, when staff sign in with one.
    pub oidc: Option<oidc::Oidc>,
    /// `case_ref_pattern`, compiled (None: the default).
    pub case_ref_pattern: Option<regex::Regex>,
}

/// The record with this id, or the 404 page.
pub async fn find_or_404<E>(db: &DatabaseConnection, id: i32) -> Result<E::Model, error::AppError>
where
    E: sea_orm::EntityTrait,
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<i32>,
{
    E::find_by_id(id)
        .one(db)
        .await?
        .ok_or(error::AppError::NotFound)
}

/// Process is up.
#[get("/health")]
async fn health() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// Ready to serve: the database answers. The search backend and the
/// queue's length only for admins and for requests from this host (a
/// load balancer's check on the same host, an operator's curl).
#[get("/ready")]
async fn ready(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    staff: Option<auth::Staff>,
) -> HttpResponse {
    let admin = staff.is_some_and(|s| s.role == crate::domain::Role::Admin);
    match crate::db::ping(&state.db).await {
        Ok(()) if !shows_details(Some(client_ip(&req, &state)), admin) => {
            HttpResponse::Ok().json(serde_json::json!({ "status": "ready" }))
        }
        Ok(()) => {
            // The index may lag behind; that doesn't stop serving, but say so.
            let lag = crate::search::sync::lag(&state.db).await.ok();
            HttpResponse::Ok().json(serde_json::json!({
                "status": "ready",
                "database": "ok",
                "search": {
                    "backend": state.search.index.name(),
                    "available": state.search.is_available(),
                    "pending": lag.as_ref().map(|l| l.pending),
                    "oldest_pending_seconds": lag.as_ref().map(|l| l.oldest_seconds),
                }
            }))
        }
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain")
                .body("database unavailable")
        }
    }
}

/// The client's address (see [`client`]).
pub fn client_ip(req: &actix_web::HttpRequest, state: &AppState) -> std::net::IpAddr {
    client::client_ip(req, &state.trusted_proxies)
}

/// `/ready`'s details for admins and for this host only.
fn shows_details(peer: Option<std::net::IpAddr>, admin: bool) -> bool {
    admin || peer.is_some_and(|ip| ip.is_loopback())
}

#[get("/static/style.css")]
async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("cache-control", "public, max-age=3600"))
        .body(include_str!("../../static/style.css"))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(health).service(ready).service(stylesheet);
    login::routes(cfg);
    oidc::routes(cfg);
    crate::businesses::routes(cfg);
    crate::contacts::routes(cfg);
    crate::users::routes(cfg);
    crate::import::routes(cfg);
    crate::search::routes(cfg);
    crate::email::routes(cfg);
    crate::recruitment::routes(cfg);
    crate::audit::routes(cfg);
    crate::placements::routes(cfg);
    crate::initiatives::routes(cfg);
    crate::gdpr::handlers::routes(cfg);
    crate::api::routes(cfg);
    crate::api::fallback(cfg);
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    #[test]
    fn ready_tells_its_details_to_admins_and_this_host_only() {
        let ip = |s: &str| Some(s.parse().unwrap());
        assert!(super::shows_details(ip("127.0.0.1"), false));
        assert!(super::shows_details(ip("::1"), false));
        assert!(!super::shows_details(ip("192.0.2.10"), false));
        assert!(!super::shows_details(None, false));
        assert!(super::shows_details(ip("192.0.2.10"), true));
    }
}
