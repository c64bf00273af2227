//! The JSON API under `/api/v1`, for the municipality's other systems (the
//! case system, the job-order hub, reporting). It is a second front end on
//! the same application layer: a request body is parsed by the same parsers
//! as the forms (the JSON is turned into the form's fields), runs the same
//! commands, and a command's errors are rendered as JSON instead of HTML:
//!
//! ```json
//! {"error": "invalid", "message": "…", "fields": [{"field": "cvr", "code": "cvr_checksum", "message": "…"}]}
//! ```
//!
//! Callers are other systems with a token (`Authorization: Bearer …`, see
//! [`tokens`]), or signed-in consultants and admins reading (the session
//! cookie; writes need a token). Every call with a token is in the audit
//! log under the token's name before the handler runs.
pub mod businesses;
pub mod contacts;
pub mod docs;
pub mod initiatives;
pub mod needs;
pub mod openapi;
pub mod placements;
pub mod schemas;
pub mod tokens;

use std::future::Future;
use std::pin::Pin;

use actix_web::{
    FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError, dev::Payload,
    http::StatusCode, web,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::{self, Actor};
use crate::domain::{ApiArea, AuditEntity, Lang, Role};
use crate::web::{AppState, auth::Staff, error::AppError, form::FormData};
pub use tokens::{Level, Scopes};

/// Largest JSON body accepted.
const BODY_LIMIT: usize = 256 * 1024;

/// Rows per page of a list unless `limit` says otherwise (at most 200).
pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 200;

/// One field's error in an error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The request field (the form's field name).
    pub field: String,
    /// A stable code (`required`, `cvr_checksum`, `too_long` …).
    pub code: String,
    /// A sentence for a person, in the language asked for.
    pub message: String,
}

/// Every error answer of the API.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// `bad_request`, `unauthorized`, `forbidden`, `not_found`, `conflict`,
    /// `precondition_failed`, `precondition_required`, `invalid`,
    /// `too_many_requests`, `unavailable`, `unexpected`.
    pub error: String,
    pub message: String,
    pub fields: Vec<FieldProblem>,
    /// With `conflict`: where the existing record is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing: Option<String>,
}

/// What an API handler can answer besides its result.
#[derive(Debug)]
pub enum ApiError {
    BadRequest(String),
    Unauthorized,
    Forbidden(&'static str),
    NotFound,
    /// A unique value another record has; the URL of that record.
    Conflict {
        field: &'static str,
        error: crate::domain::DomainError,
        existing: Option<String>,
    },
    PreconditionFailed,
    PreconditionRequired,
    MethodNotAllowed,
    Invalid(app::Invalid),
    TooMany {
        retry_after: u64,
    },
    Unavailable,
    Unexpected(anyhow::Error),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code())
    }
}

impl ApiError {
    fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound => "not_found",
            ApiError::Conflict { .. } => "conflict",
            ApiError::PreconditionFailed => "precondition_failed",
            ApiError::PreconditionRequired => "precondition_required",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Invalid(_) => "invalid",
            ApiError::TooMany { .. } => "too_many_requests",
            ApiError::Unavailable => "unavailable",
            ApiError::Unexpected(_) => "unexpected",
        }
    }

    /// The body, in `lang`.
    pub fn problem(&self, lang: Lang) -> Problem {
        let t = |key: &str| crate::web::i18n::t(lang, key).to_string();
        let field = |field: &str, e: &crate::domain::DomainError| FieldProblem {
            field: field.to_string(),
            code: e.code(),
            message: e.message(lang),
        };
        let (message, fields, existing) = match self {
            ApiError::BadRequest(why) => (format!("{} {why}", t("api_bad_request")), vec![], None),
            ApiError::Unauthorized => (t("api_unauthorized"), vec![], None),
            ApiError::Forbidden(key) => (t(key), vec![], None),
            ApiError::NotFound => (t("api_not_found"), vec![], None),
            ApiError::Conflict {
                field: f,
                error,
                existing,
            } => (error.message(lang), vec![field(f, error)], existing.clone()),
            ApiError::PreconditionFailed => (t("api_precondition_failed"), vec![], None),
            ApiError::PreconditionRequired => (t("api_precondition_required"), vec![], None),
            ApiError::MethodNotAllowed => (t("api_method_not_allowed"), vec![], None),
            ApiError::Invalid(invalid) => (
                t("api_invalid"),
                invalid.iter().map(|e| field(e.field, &e.error)).collect(),
                None,
            ),
            ApiError::TooMany { .. } => (t("error_429"), vec![], None),
            ApiError::Unavailable => (t("api_unavailable"), vec![], None),
            ApiError::Unexpected(_) => (t("error_500"), vec![], None),
        };
        Problem {
            error: self.code().to_string(),
            message,
            fields,
            existing,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Unexpected(e) = self {
            tracing::error!(error = format!("{e:#}"), "API request failed");
        }
        // Danish unless the request asked for English (`LANG`).
        let lang = LANG.try_with(|l| *l).unwrap_or_default();
        let mut res = HttpResponse::build(self.status_code());
        match self {
            ApiError::TooMany { retry_after } => {
                res.insert_header(("retry-after", retry_after.to_string()));
            }
            ApiError::Unauthorized => {
                res.insert_header(("www-authenticate", "Bearer realm=\"erhverv\""));
            }
            ApiError::Unavailable => {
                res.insert_header(("retry-after", "10"));
            }
            _ => {}
        }
        res.json(self.problem(lang))
    }
}

tokio::task_local! {
    /// The language of the request being answered, for error bodies; set
    /// around every request by a middleware (see `startup`).
    pub static LANG: Lang;
}

impl From<app::Error> for ApiError {
    fn from(e: app::Error) -> Self {
        use app::Error as E;
        match e {
            E::NotFound => ApiError::NotFound,
            E::Forbidden => ApiError::Forbidden("api_forbidden"),
            E::Stale => ApiError::PreconditionFailed,
            E::Invalid(i) => ApiError::Invalid(i),
            E::Conflict {
                field,
                error,
                existing,
            } => ApiError::Conflict {
                field,
                error,
                existing: existing.map(api_url),
            },
            E::Unexpected(e) => ApiError::Unexpected(e),
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::Unexpected(e)
    }
}

impl From<app::Invalid> for ApiError {
    fn from(i: app::Invalid) -> Self {
        ApiError::Invalid(i)
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        ApiError::Unexpected(anyhow::Error::new(e).context("database"))
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound => ApiError::NotFound,
            AppError::Forbidden | AppError::Csrf => ApiError::Forbidden("api_forbidden"),
            AppError::SignIn { .. } => ApiError::Unauthorized,
            AppError::TooMany { retry_after } => ApiError::TooMany { retry_after },
            AppError::BadRequest => ApiError::BadRequest(String::new()),
            AppError::TooLarge => ApiError::BadRequest("body too large".into()),
            AppError::Conflict => ApiError::Conflict {
                field: "",
                error: crate::domain::DomainError::AlreadyExists,
                existing: None,
            },
            AppError::Unexpected(e) => ApiError::Unexpected(e),
        }
    }
}

pub type ApiResult<T = HttpResponse> = Result<T, ApiError>;

/// Who is calling.
#[derive(Debug, Clone)]
pub enum CallerKind {
    /// Another system with a token.
    Token {
        id: i32,
        name: String,
        scopes: Scopes,
    },
    /// A signed-in consultant or admin, reading.
    Staff { user_id: i32 },
}

/// The caller of an API route, authenticated; the language of its error
/// messages from `Accept-Language` (Danish unless English comes first).
#[derive(Debug, Clone)]
pub struct Caller {
    pub kind: CallerKind,
    pub lang: Lang,
}

impl Caller {
    pub fn actor(&self) -> Actor {
        match &self.kind {
            CallerKind::Token { id, .. } => Actor::Token(*id),
            CallerKind::Staff { user_id } => Actor::User(*user_id),
        }
    }

    /// 403 unless the caller may do `level` in `area`. Staff read every
    /// area their pages show but placements; writing needs a token.
    pub fn require(&self, area: ApiArea, level: Level) -> ApiResult<()> {
        match &self.kind {
            CallerKind::Token { scopes, .. } if scopes.allows(area, level) => Ok(()),
            CallerKind::Token { .. } => Err(ApiError::Forbidden("api_scope_missing")),
            // Placements (possibly health data) only to tokens with their scope.
            CallerKind::Staff { .. } if area == ApiArea::Placements => {
                Err(ApiError::Forbidden("api_token_required"))
            }
            CallerKind::Staff { .. } if level == Level::Read => Ok(()),
            CallerKind::Staff { .. } => Err(ApiError::Forbidden("api_token_required")),
        }
    }
}

/// The language asked for: English when `Accept-Language` puts it before
/// Danish, else Danish.
pub fn lang_of(req: &HttpRequest) -> Lang {
    let header = req
        .headers()
        .get("accept-language")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    for tag in header.split(',') {
        let tag = tag
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if tag.starts_with("en") {
            return Lang::En;
        }
        if tag.starts_with("da") {
            return Lang::Da;
        }
    }
    Lang::Da
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let staff = Staff::from_request(&req, payload);
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::Unexpected(anyhow::anyhow!("no app state")))?
                .clone();
            let lang = lang_of(&req);
            let Some(header) = req.headers().get("authorization") else {
                drop(req);
                return match staff.await {
                    Ok(s) if matches!(s.role, Role::Admin | Role::Consultant) => Ok(Caller {
                        kind: CallerKind::Staff { user_id: s.id },
                        lang,
                    }),
                    Ok(_) => Err(ApiError::Forbidden("api_forbidden")),
                    Err(AppError::SignIn { .. }) => Err(ApiError::Unauthorized),
                    Err(e) => Err(e.into()),
                };
            };
            // The scheme's name is case-insensitive (RFC 9110).
            let raw = header
                .to_str()
                .ok()
                .and_then(|h| h.split_once(' '))
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, token)| token.trim())
                .ok_or(ApiError::Unauthorized)?;
            let token = tokens::authenticate(&state.db, raw)
                .await?
                .ok_or(ApiError::Unauthorized)?;
            state
                .api_limiter
                .acquire(&token.id.to_string())
                .map_err(|retry_after| ApiError::TooMany { retry_after })?;
            let caller = Caller {
                kind: CallerKind::Token {
                    id: token.id,
                    name: token.name.clone(),
                    scopes: Scopes::parse(&token.scopes),
                },
                lang,
            };
            // Every call with a token is in the audit log before anything
            // is read or written (calls at the same moment share a commit).
            let cmd = tokens::RecordCall {
                token_id: token.id,
                token_name: token.name,
                method: req.method().to_string(),
                route: req.match_pattern().unwrap_or_else(|| "?".into()),
                entity: entity_of(req.path()),
                record: req.match_info().get("id").and_then(|s| s.parse().ok()),
            };
            state.app.run_batched(caller.actor(), cmd).await?;
            req.extensions_mut().insert(lang);
            Ok(caller)
        })
    }
}

/// The kind of record a route is about, for its audit entry.
fn entity_of(path: &str) -> AuditEntity {
    let area = path
        .strip_prefix("/api/v1/")
        .and_then(|p| p.split('/').next())
        .unwrap_or("");
    match area {
        "businesses" => AuditEntity::Business,
        "contacts" => AuditEntity::Contact,
        "needs" => AuditEntity::Need,
        "placements" => AuditEntity::Placement,
        "initiatives" => AuditEntity::Initiative,
        "figures" => AuditEntity::KeyFigure,
        _ => AuditEntity::Search,
    }
}

/// Where the API shows a record another one collides with.
pub fn api_url(r: app::RecordRef) -> String {
    match r {
        app::RecordRef::Business(id) => format!("/api/v1/businesses/{id}"),
        app::RecordRef::Need(id) => format!("/api/v1/needs/{id}"),
        app::RecordRef::User(_) => r.url(),
    }
}

/// A JSON request body, read whole (up to `BODY_LIMIT`). Parsed by
/// [`JsonBody::parsed`] once the caller is known to be allowed, so a caller
/// without access hears 401/403 and not what was wrong with their body.
pub struct JsonBody<T>(Result<T, String>);

impl<T> JsonBody<T> {
    pub fn parsed(self) -> ApiResult<T> {
        self.0.map_err(ApiError::BadRequest)
    }
}

impl<T: serde::de::DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        use futures_util::StreamExt;
        let json = req.content_type() == "application/json";
        let mut payload = payload.take();
        Box::pin(async move {
            let mut bytes = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let Ok(chunk) = chunk else {
                    return Ok(JsonBody(Err("the body could not be read.".into())));
                };
                if bytes.len() + chunk.len() > BODY_LIMIT {
                    return Ok(JsonBody(Err("the body is too large.".into())));
                }
                bytes.extend_from_slice(&chunk);
            }
            if !json {
                return Ok(JsonBody(Err(
                    "Content-Type must be application/json.".into()
                )));
            }
            Ok(JsonBody(
                serde_json::from_slice(&bytes).map_err(|e| format!("{e}.")),
            ))
        })
    }
}

/// A typed request body as the form's fields, so the API and the forms
/// share one parser: strings as they are, numbers written out, `true` as
/// a ticked checkbox, lists as repeated fields, `null` as absent.
pub fn form_of<T: Serialize>(body: &T) -> FormData {
    use serde_json::Value;
    fn scalar(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(true) => Some("true".into()),
            _ => None,
        }
    }
    let mut pairs = Vec::new();
    if let Ok(Value::Object(map)) = serde_json::to_value(body) {
        for (k, v) in map {
            match v {
                Value::Array(items) => {
                    pairs.extend(items.iter().filter_map(scalar).map(|s| (k.clone(), s)))
                }
                v => pairs.extend(scalar(&v).map(|s| (k.clone(), s))),
            }
        }
    }
    FormData::from_pairs(pairs)
}

/// The `If-Match` of an update, required: without it two systems could
/// overwrite each other's changes without knowing. `*` (any version) is
/// an update without the check, asked for explicitly.
pub fn if_match(req: &HttpRequest) -> ApiResult<Option<String>> {
    let v = req
        .headers()
        .get("if-match")
        .ok_or(ApiError::PreconditionRequired)?
        .to_str()
        .map_err(|_| ApiError::PreconditionFailed)?
        .trim();
    if v == "*" {
        return Ok(None);
    }
    Ok(Some(
        v.trim_start_matches("W/").trim_matches('"').to_string(),
    ))
}

/// A response with its `ETag`.
pub fn with_etag<T: Serialize>(status: StatusCode, version: &str, body: &T) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(("etag", format!("\"{version}\"")))
        .json(body)
}

/// A page of a list: the rows and the cursor of the next page (absent on
/// the last page).
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// Pass as `after` for the next page.
    pub next: Option<String>,
}

/// `limit` and `after` of a list request: rows are in id order, and
/// `after` is the last id of the page before.
#[derive(Debug, Clone, Copy)]
pub struct Cursor {
    pub after: i32,
    pub limit: u64,
}

impl Cursor {
    pub fn parse(q: &FormData) -> ApiResult<Self> {
        let limit = match given(q, "limit") {
            None => DEFAULT_LIMIT,
            Some(s) => s
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    ApiError::BadRequest(format!("limit must be a number from 1 to {MAX_LIMIT}."))
                })?,
        };
        let after =
            match given(q, "after") {
                None => 0,
                Some(s) => s.parse::<i32>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                    ApiError::BadRequest("after must be a cursor from next.".into())
                })?,
            };
        Ok(Cursor { after, limit })
    }

    /// The page of `rows` (read with `limit + 1`, to know whether more
    /// follow) and its next cursor.
    pub fn page<M, T: ToSchema>(
        &self,
        mut rows: Vec<M>,
        id: impl Fn(&M) -> i32,
        view: impl FnMut(M) -> T,
    ) -> Page<T> {
        let more = rows.len() as u64 > self.limit;
        rows.truncate(self.limit as usize);
        let next = if more {
            rows.last().map(|r| id(r).to_string())
        } else {
            None
        };
        Page {
            items: rows.into_iter().map(view).collect(),
            next,
        }
    }
}

/// A query parameter as sent: None when absent, `Some("")` when empty.
/// Unlike the pages, the API refuses a value it doesn't know (400), so a
/// typo in another system doesn't silently widen what it gets.
pub fn given<'a>(q: &'a FormData, name: &str) -> Option<&'a str> {
    q.has(name).then(|| q.get(name))
}

/// A filter that must be a known value when given.
pub fn check_param(q: &FormData, name: &str, ok: impl Fn(&str) -> bool) -> ApiResult<()> {
    match given(q, name) {
        Some(v) if !ok(v) => Err(ApiError::BadRequest(format!(
            "{name} is not a known value."
        ))),
        _ => Ok(()),
    }
}

/// The registry's code-list filters (district, section, size, segment),
/// each a known code when given: the business list and search share them.
pub fn check_registry_filters(q: &FormData) -> ApiResult<()> {
    use crate::domain::{District, IndustrySection, Segment, SizeBand};
    check_param(q, "district", |v| District::parse(v).is_ok())?;
    check_param(q, "section", |v| IndustrySection::parse(v).is_ok())?;
    check_param(q, "size", |v| SizeBand::parse(v).is_ok())?;
    check_param(q, "segment", |v| Segment::parse(v).is_ok())
}

/// An id filter (a positive number) when given.
pub fn id_param(q: &FormData, name: &str) -> ApiResult<Option<i32>> {
    match given(q, name) {
        None => Ok(None),
        Some(v) => v
            .parse::<i32>()
            .ok()
            .filter(|n| *n >= 1)
            .map(Some)
            .ok_or_else(|| ApiError::BadRequest(format!("{name} must be a positive number."))),
    }
}

/// 404 for an id that can't be one of ours (negative, zero, huge).
pub fn record_id(raw: &str) -> ApiResult<i32> {
    raw.parse::<i32>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(ApiError::NotFound)
}

/// Any other path or method under `/api/`: JSON, not an HTML page — 405
/// for a path the document has with other methods, else 404.
async fn no_such_route(req: HttpRequest) -> HttpResponse {
    let path = req.path();
    let allowed: Vec<String> = openapi::document()
        .paths
        .paths
        .iter()
        .filter(|(template, _)| same_route(template, path))
        .flat_map(|(_, item)| {
            [
                item.get.as_ref().map(|_| "GET"),
                item.post.as_ref().map(|_| "POST"),
                item.put.as_ref().map(|_| "PUT"),
            ]
        })
        .flatten()
        .map(String::from)
        .collect();
    if allowed.is_empty() {
        return ApiError::NotFound.error_response();
    }
    let mut res = ApiError::MethodNotAllowed.error_response();
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&allowed.join(", ")) {
        res.headers_mut().insert(actix_web::http::header::ALLOW, v);
    }
    res
}

/// Whether `path` is an instance of the route `template` (`{id}` matches
/// one segment).
fn same_route(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(a, b)| (a.starts_with('{') && !b.is_empty()) || a == b)
}

/// After every other route (see `web::routes`).
pub fn fallback(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/{tail:.*}").to(no_such_route));
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    tokens::routes(cfg);
    businesses::routes(cfg);
    contacts::routes(cfg);
    needs::routes(cfg);
    placements::routes(cfg);
    initiatives::routes(cfg);
    openapi::routes(cfg);
    docs::routes(cfg);
}
