//! One error type for handlers. Each variant maps to a status; the error
//! page itself is rendered by [`render_error_page`], which has the request
//! (and so the user's language) at hand.
use actix_web::{
    HttpResponse, ResponseError,
    dev::ServiceResponse,
    http::{StatusCode, header},
    middleware::ErrorHandlerResponse,
    web,
};
use tera::Context;

use crate::web::{AppState, i18n};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("sign-in required")]
    SignIn { next: String },
    #[error("invalid or expired form token")]
    Csrf,
    #[error("too many requests")]
    TooMany { retry_after: u64 },
    #[error("bad request")]
    BadRequest,
    #[error("payload too large")]
    TooLarge,
    /// A unique value another record has, outside a form that can show it.
    #[error("conflict")]
    Conflict,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> Self {
        AppError::Unexpected(anyhow::Error::new(e).context("database"))
    }
}

impl From<crate::app::Error> for AppError {
    /// The errors a handler did not render itself: a form's field errors
    /// are shown with the form; one that reaches here came from a request
    /// no form of ours sends.
    fn from(e: crate::app::Error) -> Self {
        use crate::app::Error as E;
        match e {
            E::NotFound => AppError::NotFound,
            E::Forbidden => AppError::Forbidden,
            E::Invalid(_) => AppError::BadRequest,
            E::Conflict { .. } | E::Stale => AppError::Conflict,
            E::Unexpected(e) => AppError::Unexpected(e),
        }
    }
}

impl From<tera::Error> for AppError {
    fn from(e: tera::Error) -> Self {
        AppError::Unexpected(anyhow::Error::new(e).context("rendering template"))
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::SignIn { .. } => StatusCode::SEE_OTHER,
            AppError::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::BadRequest => StatusCode::BAD_REQUEST,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Conflict => StatusCode::CONFLICT,
            AppError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AppError::SignIn { next } => {
                let q = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
                HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, format!("/login?{q}")))
                    .finish()
            }
            AppError::TooMany { retry_after } => HttpResponse::TooManyRequests()
                .insert_header((header::RETRY_AFTER, retry_after.to_string()))
                .finish(),
            AppError::Csrf => HttpResponse::Forbidden()
                .insert_header(("x-erhverv-error", "csrf"))
                .finish(),
            AppError::Unexpected(e) => {
                // The chain names what failed; handlers keep personal data
                // out of their error contexts.
                tracing::error!(error = format!("{e:#}"), "request failed");
                HttpResponse::InternalServerError().finish()
            }
            other => HttpResponse::build(other.status_code()).finish(),
        }
    }
}

/// Replaces any non-HTML error response (ours, or actix's own 404/400/413)
/// with the error page in the visitor's language.
pub fn render_error_page<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html || res.request().path().starts_with("/api/") {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let lang = i18n::lang_of(res.request());
    let csrf = res.headers().contains_key("x-erhverv-error");
    let key = match status.as_u16() {
        403 if csrf => "error_csrf",
        400 => "error_400",
        403 => "error_403",
        404 | 405 => "error_404",
        409 => "error_409",
        413 => "error_413",
        429 => "error_429",
        s if s >= 500 => "error_500",
        _ => "error_400",
    };
    let body = res
        .request()
        .app_data::<web::Data<AppState>>()
        .and_then(|state| {
            let mut ctx = Context::new();
            ctx.insert("status", &status.as_u16());
            ctx.insert("title", i18n::t(lang, &format!("{key}_title")));
            ctx.insert("message", i18n::t(lang, key));
            ctx.insert("user", &Option::<()>::None);
            ctx.insert("flash", &Option::<String>::None);
            ctx.insert("csrf", "");
            ctx.insert("path", "/");
            state.templates.render(lang, "error.html", &ctx).ok()
        })
        .unwrap_or_else(|| format!("{} {}", status.as_u16(), i18n::t(lang, key)));
    let retry_after = res.headers().get(header::RETRY_AFTER).cloned();
    let (req, _) = res.into_parts();
    let mut builder = HttpResponse::build(status);
    builder.content_type("text/html; charset=utf-8");
    if let Some(v) = retry_after {
        builder.insert_header((header::RETRY_AFTER, v));
    }
    let new = ServiceResponse::new(req, builder.body(body)).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(new))
}
