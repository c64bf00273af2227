//! `/api/v1/placements`: flex jobs, wage-subsidy jobs and work trials. Only
//! tokens with the placements scope come in — not even a signed-in
//! consultant's session (being placed can be health data) — and every read
//! is in the audit log with the ids read.
use actix_web::{HttpRequest, HttpResponse, get, http::StatusCode, post, put, web};
use entity::placement;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, ApiResult, Caller, Cursor, JsonBody, Level, Page, Problem};
use crate::domain::{ApiArea, PlacementStatus};
use crate::placements::commands::RecordPlacementReads;
use crate::web::{AppState, form::query};

/// A placement. It names no citizen: the case reference points into the
/// job centre's case system.
#[derive(Debug, Serialize, ToSchema)]
pub struct Placement {
    pub id: i32,
    pub business_id: i32,
    pub p_unit_id: Option<i32>,
    /// `fleksjob`, `loentilskud_privat`, `loentilskud_offentlig`,
    /// `virksomhedspraktik`.
    pub kind: String,
    pub case_ref: Option<String>,
    pub target_group: String,
    pub start_date: chrono::NaiveDate,
    pub planned_end: Option<chrono::NaiveDate>,
    pub ended_on: Option<chrono::NaiveDate>,
    /// Hours per week, e.g. 12.5.
    pub hours: Option<f64>,
    pub status: String,
    pub end_reason: Option<String>,
    pub consultant_id: i32,
    pub need_id: Option<i32>,
    pub notes: Option<String>,
    pub override_reason: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<placement::Model> for Placement {
    fn from(p: placement::Model) -> Self {
        Placement {
            id: p.id,
            business_id: p.business_id,
            p_unit_id: p.p_unit_id,
            kind: p.kind,
            case_ref: p.case_ref,
            target_group: p.target_group,
            start_date: p.start_date,
            planned_end: p.planned_end,
            ended_on: p.ended_on,
            hours: p.hours_centi.map(|h| f64::from(h) / 100.0),
            status: p.status,
            end_reason: p.end_reason,
            consultant_id: p.consultant_id,
            need_id: p.need_id,
            notes: p.notes,
            override_reason: p.override_reason,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// A placement to create, or all of one to replace: the placement form's
/// fields, with its rules (the proportionality rule included; a reason in
/// `override_reason` saves one that breaks it, audited).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlacementBody {
    #[schema(minimum = 1)]
    pub business_id: i32,
    #[schema(minimum = 1)]
    pub p_unit_id: Option<i32>,
    #[schema(schema_with = super::schemas::placement_kind)]
    pub kind: String,
    /// The case system's reference (never a CPR number).
    #[schema(pattern = "^[A-Za-z0-9-]{6,20}$")]
    pub case_ref: String,
    #[schema(schema_with = super::schemas::target_group)]
    pub target_group: String,
    #[schema(format = Date)]
    pub start_date: String,
    /// Required unless a flex job; not before the start.
    /// `YYYY-MM-DD`, or empty for none.
    #[schema(pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub planned_end: Option<String>,
    /// `YYYY-MM-DD`, or empty for none.
    #[schema(pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub ended_on: Option<String>,
    /// Hours per week, e.g. `12.5`.
    #[schema(minimum = 0, maximum = 80)]
    pub hours: Option<f64>,
    #[schema(schema_with = super::schemas::placement_status)]
    pub status: String,
    #[schema(schema_with = super::schemas::end_reason_opt)]
    pub end_reason: Option<String>,
    #[schema(minimum = 1)]
    pub consultant_id: i32,
    #[schema(minimum = 1)]
    pub need_id: Option<i32>,
    #[schema(max_length = 2000)]
    pub notes: Option<String>,
    #[schema(max_length = 500)]
    pub override_reason: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListParams {
    #[param(schema_with = super::schemas::placement_status)]
    status: Option<String>,
    /// A business's id.
    #[param(minimum = 1)]
    business_id: Option<i32>,
    /// Rows per page, 1–200 (50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
    /// The `next` of the page before.
    #[param(pattern = "^[0-9]{1,10}$")]
    after: Option<String>,
}

async fn read(state: &AppState, caller: &Caller, ids: Vec<i32>) -> ApiResult<()> {
    let cmd = RecordPlacementReads { ids, view: "api" };
    state.app.run_batched(caller.actor(), cmd).await?;
    Ok(())
}

async fn one(state: &AppState, id: i32) -> ApiResult<placement::Model> {
    placement::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .filter(|p| p.anonymised_at.is_none())
        .ok_or(ApiError::NotFound)
}

#[utoipa::path(get, path = "/api/v1/placements", tag = "placements", params(ListParams),
    responses((status = 200, body = Page<Placement>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 429, body = Problem)),
    security(("token" = [])))]
#[get("/api/v1/placements")]
pub async fn list(req: HttpRequest, state: web::Data<AppState>, caller: Caller) -> ApiResult {
    caller.require(ApiArea::Placements, Level::Read)?;
    let q = query(&req);
    let cursor = Cursor::parse(&q)?;
    let mut select = placement::Entity::find()
        .filter(placement::Column::AnonymisedAt.is_null())
        .filter(placement::Column::Id.gt(cursor.after))
        .order_by_asc(placement::Column::Id)
        .limit(cursor.limit + 1);
    super::check_param(&q, "status", |v| PlacementStatus::parse(v).is_ok())?;
    if let Ok(s) = PlacementStatus::parse(q.get("status")) {
        select = select.filter(placement::Column::Status.eq(s.as_str()));
    }
    if let Some(b) = super::id_param(&q, "business_id")? {
        select = select.filter(placement::Column::BusinessId.eq(b));
    }
    let rows = select.all(&state.db).await?;
    let page = cursor.page(rows, |p| p.id, Placement::from);
    read(&state, &caller, page.items.iter().map(|p| p.id).collect()).await?;
    Ok(HttpResponse::Ok().json(page))
}

#[utoipa::path(get, path = "/api/v1/placements/{id}", tag = "placements",
    params(("id" = i32, Path, description = "The placement's id")),
    responses((status = 200, body = Placement, headers(("ETag" = String))), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("token" = [])))]
#[get("/api/v1/placements/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult {
    caller.require(ApiArea::Placements, Level::Read)?;
    let p = one(&state, super::record_id(&id)?).await?;
    read(&state, &caller, vec![p.id]).await?;
    let version = crate::app::version_of(&p);
    Ok(super::with_etag(
        StatusCode::OK,
        &version,
        &Placement::from(p),
    ))
}

async fn save(
    state: &AppState,
    caller: &Caller,
    id: Option<i32>,
    body: &PlacementBody,
    if_match: Option<String>,
) -> ApiResult {
    caller.require(ApiArea::Placements, Level::Write)?;
    let f = super::form_of(body);
    let saved =
        crate::placements::handlers::save_fields(state, caller.actor(), id, &f, if_match).await??;
    let p = one(state, saved).await?;
    let version = crate::app::version_of(&p);
    let status = if id.is_some() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok(super::with_etag(status, &version, &Placement::from(p)))
}

#[utoipa::path(post, path = "/api/v1/placements", tag = "placements", request_body = PlacementBody,
    responses((status = 201, body = Placement, headers(("ETag" = String))), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("token" = [])))]
#[post("/api/v1/placements")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<PlacementBody>,
) -> ApiResult {
    caller.require(ApiArea::Placements, Level::Write)?;
    let body = body.parsed()?;
    save(&state, &caller, None, &body, None).await
}

/// Replaces a placement. `If-Match` with the `ETag` read is required.
#[utoipa::path(put, path = "/api/v1/placements/{id}", tag = "placements", request_body = PlacementBody,
    params(("id" = i32, Path, description = "The placement's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag of the version read (or `*`); without it the answer is 428")),
    responses((status = 200, body = Placement, headers(("ETag" = String))), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("token" = [])))]
#[put("/api/v1/placements/{id}")]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: JsonBody<PlacementBody>,
) -> ApiResult {
    caller.require(ApiArea::Placements, Level::Write)?;
    let body = body.parsed()?;
    let id = super::record_id(&id)?;
    let tag = super::if_match(&req)?;
    save(&state, &caller, Some(id), &body, tag).await
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(update);
}
