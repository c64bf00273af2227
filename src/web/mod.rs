//! The HTTP layer: shared state, sign-in, CSRF, language, error pages.
pub mod access;
pub mod auth;
pub mod csv_export;
pub mod error;
pub mod fields;
pub mod form;
pub mod i18n;
pub mod login;
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
    pub login_limiter: RateLimiter,
    /// A real argon2 hash to verify against when the user doesn't exist.
    pub dummy_hash: String,
    pub imports: ImportJobs,
    pub search: std::sync::Arc<crate::search::SearchService>,
    pub consultants: std::sync::Arc<crate::users::ConsultantCache>,
    pub business_counts: std::sync::Arc<crate::businesses::queries::CountCache>,
    /// The live key figures, computed from the records.
    pub figures: std::sync::Arc<crate::initiatives::figures::FigureCache>,
    pub mailer: std::sync::Arc<crate::email::Mailer>,
    /// Submissions of the public recruitment form per client address.
    pub need_limiter: RateLimiter,
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

/// Ready to serve: the database answers.
#[get("/ready")]
async fn ready(state: web::Data<AppState>) -> HttpResponse {
    match crate::db::ping(&state.db).await {
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
}
