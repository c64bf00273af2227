//! `/api/v1/needs`: recruitment needs, entered by another system (the
//! job-order hub) as a consultant enters one, and moved on the pipeline.
use actix_web::{HttpRequest, HttpResponse, get, http::StatusCode, post, put, web};
use entity::recruitment_need;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, ApiResult, Caller, CallerKind, Cursor, JsonBody, Level, Page, Problem};
use crate::domain::{ApiArea, NeedStatus, optional_text};
use crate::recruitment::commands::ChangeNeed;
use crate::web::{AppState, form::query};

/// A recruitment need.
#[derive(Debug, Serialize, ToSchema)]
pub struct Need {
    pub id: i32,
    /// `RB-YYYY-NNNNNN`.
    pub reference: String,
    pub business_id: Option<i32>,
    pub cvr: String,
    pub company_name: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    pub job_title: String,
    pub positions: i32,
    pub hours_per_week: Option<i32>,
    pub start_date: Option<chrono::NaiveDate>,
    pub permanent: bool,
    pub temporary_until: Option<chrono::NaiveDate>,
    pub workplace_address: Option<String>,
    pub qualifications: Option<String>,
    pub languages: Option<String>,
    pub open_flex_job: bool,
    pub open_wage_subsidy: bool,
    pub open_work_trial: bool,
    pub free_text: Option<String>,
    /// `new`, `in_progress`, `candidates_proposed`, `filled`, `partly_filled`,
    /// `closed_without_hire`, `withdrawn`.
    pub status: String,
    /// `form`, `phone`, `visit`, `email`.
    pub source: String,
    pub assigned_to: Option<i32>,
    pub email_confirmed: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub url: String,
}

impl From<recruitment_need::Model> for Need {
    fn from(n: recruitment_need::Model) -> Self {
        Need {
            id: n.id,
            url: format!("/needs/{}", n.id),
            reference: n.reference,
            business_id: n.business_id,
            cvr: format!("{:08}", n.cvr),
            company_name: n.company_name,
            contact_name: n.contact_name,
            contact_email: n.contact_email,
            contact_phone: n.contact_phone,
            job_title: n.job_title,
            positions: n.positions,
            hours_per_week: n.hours_per_week,
            start_date: n.start_date,
            permanent: n.permanent,
            temporary_until: n.temporary_until,
            workplace_address: n.workplace_address,
            qualifications: n.qualifications,
            languages: n.languages,
            open_flex_job: n.open_flex_job,
            open_wage_subsidy: n.open_wage_subsidy,
            open_work_trial: n.open_work_trial,
            free_text: n.free_text,
            status: n.status,
            source: n.source,
            assigned_to: n.assigned_to,
            email_confirmed: n.email_confirmed,
            created_at: n.created_at,
        }
    }
}

/// A need to enter: the public form's fields, with its rules. The receipt
/// email goes to the contact person as for a need taken on the phone.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedBody {
    /// How the need came in (`form` when absent).
    #[schema(schema_with = super::schemas::need_source_opt)]
    pub source: Option<String>,
    #[schema(pattern = "^[0-9]{8}$")]
    pub cvr: String,
    #[schema(min_length = 1, max_length = 200)]
    pub company_name: String,
    #[schema(min_length = 1, max_length = 120)]
    pub contact_name: String,
    #[schema(format = Email)]
    pub contact_email: String,
    pub contact_phone: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
    pub job_title: String,
    #[schema(minimum = 1, maximum = 500)]
    pub positions: i32,
    #[schema(minimum = 1, maximum = 80)]
    pub hours_per_week: Option<i32>,
    /// `YYYY-MM-DD`, or empty for none.
    #[schema(pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub start_date: Option<String>,
    /// `permanent` when absent.
    #[schema(schema_with = super::schemas::employment_opt)]
    pub employment: Option<String>,
    /// `YYYY-MM-DD`, or empty for none.
    #[schema(pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub temporary_until: Option<String>,
    pub workplace_address: Option<String>,
    pub qualifications: Option<String>,
    pub languages: Option<String>,
    #[serde(default)]
    pub open_flex_job: bool,
    #[serde(default)]
    pub open_wage_subsidy: bool,
    #[serde(default)]
    pub open_work_trial: bool,
    pub free_text: Option<String>,
    /// A key of the caller's choosing (1–64 letters and digits): the same
    /// key twice stores one need.
    #[schema(pattern = "^([A-Za-z0-9]{1,64})?$")]
    pub idempotency_key: Option<String>,
}

/// A move on the pipeline: the status (allowed transitions only), the
/// assigned consultant, and a note for the history.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedChange {
    #[schema(schema_with = super::schemas::need_status)]
    pub status: String,
    /// The consultant's user id; omitted keeps the current one, `0`
    /// unassigns.
    #[schema(minimum = 0)]
    pub assigned_to: Option<i32>,
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListParams {
    #[param(schema_with = super::schemas::need_status)]
    status: Option<String>,
    /// Rows per page, 1–200 (50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
    /// The `next` of the page before.
    #[param(pattern = "^[0-9]{1,10}$")]
    after: Option<String>,
}

async fn one(state: &AppState, id: i32) -> ApiResult<recruitment_need::Model> {
    recruitment_need::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Needs, newest last (id order), filtered by status as on the pipeline page.
#[utoipa::path(get, path = "/api/v1/needs", tag = "needs", params(ListParams),
    responses((status = 200, body = Page<Need>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 429, body = Problem)),
    security(("token" = [])))]
#[get("/api/v1/needs")]
pub async fn list(req: HttpRequest, state: web::Data<AppState>, caller: Caller) -> ApiResult {
    caller.require(ApiArea::Needs, Level::Read)?;
    let q = query(&req);
    let cursor = Cursor::parse(&q)?;
    let mut select = recruitment_need::Entity::find()
        .filter(recruitment_need::Column::Id.gt(cursor.after))
        .order_by_asc(recruitment_need::Column::Id)
        .limit(cursor.limit + 1);
    super::check_param(&q, "status", |v| NeedStatus::parse(v).is_ok())?;
    if let Ok(status) = NeedStatus::parse(q.get("status")) {
        select = select.filter(recruitment_need::Column::Status.eq(status.as_str()));
    }
    let rows = select.all(&state.db).await?;
    Ok(HttpResponse::Ok().json(cursor.page(rows, |n| n.id, Need::from)))
}

#[utoipa::path(get, path = "/api/v1/needs/{id}", tag = "needs",
    params(("id" = i32, Path, description = "The need's id")),
    responses((status = 200, body = Need, headers(("ETag" = String))), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("token" = [])))]
#[get("/api/v1/needs/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult {
    caller.require(ApiArea::Needs, Level::Read)?;
    let n = one(&state, super::record_id(&id)?).await?;
    let version = crate::app::version_of(&n);
    Ok(super::with_etag(StatusCode::OK, &version, &Need::from(n)))
}

/// Enters a need, as a consultant does; the same `idempotency_key` twice
/// answers the first need.
#[utoipa::path(post, path = "/api/v1/needs", tag = "needs", request_body = NeedBody,
    responses((status = 201, body = Need, headers(("ETag" = String), ("Location" = String))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("token" = [])))]
#[post("/api/v1/needs")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<NeedBody>,
) -> ApiResult {
    caller.require(ApiArea::Needs, Level::Write)?;
    let body = body.parsed()?;
    use crate::recruitment::public;
    let f = super::form_of(&body);
    let wanted = body.source.as_deref().unwrap_or("form");
    let source = crate::recruitment::pipeline::SOURCES
        .iter()
        .copied()
        .find(|x| *x == wanted)
        .ok_or_else(|| {
            crate::app::Invalid::single("source", crate::domain::DomainError::UnknownValue)
        })?;
    let need = public::parse(&f)?;
    let idem = match body.idempotency_key.as_deref() {
        None => crate::web::auth::random_token(),
        Some(_) => f.token("idempotency_key").ok_or_else(|| {
            crate::app::Invalid::single("idempotency_key", crate::domain::DomainError::UnknownValue)
        })?,
    };
    let (by, token) = match &caller.kind {
        CallerKind::Token { id, .. } => (None, Some(*id)),
        CallerKind::Staff { user_id } => (Some(*user_id), None),
    };
    let origin = public::Origin { source, by, token };
    // Keys are the caller's own: two systems' "1" are two needs.
    let idem = match (token, by) {
        (Some(t), _) => format!("api{t}x{idem}"),
        (None, Some(u)) => format!("apiu{u}x{idem}"),
        (None, None) => idem,
    };
    let cmd = public::prepare(&state, &need, &f, caller.lang, &idem, origin)?;
    let (id, _) = public::store(&state, cmd).await?;
    let n = one(&state, id).await?;
    let version = crate::app::version_of(&n);
    let mut res = super::with_etag(StatusCode::CREATED, &version, &Need::from(n));
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&format!("/api/v1/needs/{id}")) {
        res.headers_mut()
            .insert(actix_web::http::header::LOCATION, v);
    }
    Ok(res)
}

/// Moves a need on. `If-Match` with the `ETag` read is required.
#[utoipa::path(put, path = "/api/v1/needs/{id}", tag = "needs", request_body = NeedChange,
    params(("id" = i32, Path, description = "The need's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag of the version read (or `*`); without it the answer is 428")),
    responses((status = 200, body = Need, headers(("ETag" = String))), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("token" = [])))]
#[put("/api/v1/needs/{id}")]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: JsonBody<NeedChange>,
) -> ApiResult {
    caller.require(ApiArea::Needs, Level::Write)?;
    let body = body.parsed()?;
    let id = super::record_id(&id)?;
    let tag = super::if_match(&req)?;
    let assigned_to = match body.assigned_to {
        None => one(&state, id).await?.assigned_to,
        Some(0) => None,
        Some(uid) => Some(uid),
    };
    let mut e = crate::app::Invalid::new();
    let status = e.check("status", NeedStatus::parse(&body.status));
    let note = e
        .check(
            "note",
            optional_text(body.note.as_deref().unwrap_or(""), 1000),
        )
        .flatten();
    let cmd = e.into_result(|| {
        Some(ChangeNeed {
            need_id: id,
            status: status?,
            assigned_to,
            note,
            if_match: tag,
        })
    })?;
    state.app.run(caller.actor(), cmd).await?;
    let n = one(&state, id).await?;
    let version = crate::app::version_of(&n);
    Ok(super::with_etag(StatusCode::OK, &version, &Need::from(n)))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(update);
}
