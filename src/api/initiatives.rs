//! `/api/v1/initiatives` and `/api/v1/figures`: the business strategy's and
//! tourism's initiatives, and the key figures with their values by date.
use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, get, http::StatusCode, post, put, web};
use entity::{initiative, key_figure};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, ApiResult, Caller, Cursor, JsonBody, Level, Page, Problem};
use crate::domain::ApiArea;
use crate::initiatives::commands::SaveInitiative;
use crate::initiatives::queries;
use crate::web::{AppState, form::query};

/// An initiative.
#[derive(Debug, Serialize, ToSchema)]
pub struct Initiative {
    pub id: i32,
    pub track_id: i32,
    pub title: String,
    pub description: Option<String>,
    /// The responsible consultant's user id.
    pub owner_id: i32,
    pub start_date: chrono::NaiveDate,
    pub end_date: Option<chrono::NaiveDate>,
    /// `not_started`, `on_track`, `at_risk`, `delayed`, `completed`, `stopped`.
    pub status: String,
    pub update_every_days: i32,
    /// Shown on the public status page.
    pub is_public: bool,
    pub last_update_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub url: String,
}

impl From<initiative::Model> for Initiative {
    fn from(i: initiative::Model) -> Self {
        Initiative {
            id: i.id,
            url: format!("/initiatives/{}", i.id),
            track_id: i.track_id,
            title: i.title,
            description: i.description,
            owner_id: i.owner_id,
            start_date: i.start_date,
            end_date: i.end_date,
            status: i.status,
            update_every_days: i.update_every_days,
            is_public: i.is_public,
            last_update_at: i.last_update_at,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

/// An initiative to create, or all of one to replace (its status changes
/// by status updates on its page).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InitiativeBody {
    #[schema(minimum = 1)]
    pub track_id: i32,
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[schema(max_length = 4000)]
    pub description: Option<String>,
    #[schema(minimum = 1)]
    pub owner_id: i32,
    #[schema(format = Date)]
    pub start_date: String,
    /// `YYYY-MM-DD`, or empty for none.
    #[schema(pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub end_date: Option<String>,
    /// Days between status updates.
    #[schema(schema_with = super::schemas::update_every)]
    pub update_every: String,
    #[serde(default)]
    pub is_public: bool,
}

/// A key figure's values on dates, one series each (a stacked figure has
/// more than one).
#[derive(Debug, Serialize, ToSchema)]
pub struct FigureSeries {
    pub label: String,
    pub points: Vec<FigurePoint>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FigurePoint {
    pub date: chrono::NaiveDate,
    pub value: f64,
}

/// A key figure.
#[derive(Debug, Serialize, ToSchema)]
pub struct Figure {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub unit: String,
    /// `manual`, or the records it is computed from.
    pub source: String,
    /// `higher` or `lower` is better.
    pub direction: String,
    pub target: Option<f64>,
    pub target_date: Option<chrono::NaiveDate>,
    pub track_id: Option<i32>,
    pub initiative_id: Option<i32>,
    pub is_public: bool,
    /// `on_track`, `behind`, `no_target`, `no_data` …
    pub state: String,
    pub series: Vec<FigureSeries>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListParams {
    /// A strategy track's id.
    #[param(minimum = 1)]
    track_id: Option<i32>,
    /// Rows per page, 1–200 (50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
    /// The `next` of the page before.
    #[param(pattern = "^[0-9]{1,10}$")]
    after: Option<String>,
}

async fn one(state: &AppState, id: i32) -> ApiResult<initiative::Model> {
    initiative::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)
}

#[utoipa::path(get, path = "/api/v1/initiatives", tag = "initiatives", params(ListParams),
    responses((status = 200, body = Page<Initiative>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 429, body = Problem)),
    security(("token" = [])))]
#[get("/api/v1/initiatives")]
pub async fn list(req: HttpRequest, state: web::Data<AppState>, caller: Caller) -> ApiResult {
    caller.require(ApiArea::Initiatives, Level::Read)?;
    let q = query(&req);
    let cursor = Cursor::parse(&q)?;
    let mut select = initiative::Entity::find()
        .filter(initiative::Column::Id.gt(cursor.after))
        .order_by_asc(initiative::Column::Id)
        .limit(cursor.limit + 1);
    if let Some(t) = super::id_param(&q, "track_id")? {
        select = select.filter(initiative::Column::TrackId.eq(t));
    }
    let rows = select.all(&state.db).await?;
    Ok(HttpResponse::Ok().json(cursor.page(rows, |i| i.id, Initiative::from)))
}

#[utoipa::path(get, path = "/api/v1/initiatives/{id}", tag = "initiatives",
    params(("id" = i32, Path, description = "The initiative's id")),
    responses((status = 200, body = Initiative, headers(("ETag" = String))), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("token" = [])))]
#[get("/api/v1/initiatives/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult {
    caller.require(ApiArea::Initiatives, Level::Read)?;
    let i = one(&state, super::record_id(&id)?).await?;
    let version = crate::app::version_of(&i);
    Ok(super::with_etag(
        StatusCode::OK,
        &version,
        &Initiative::from(i),
    ))
}

async fn save(
    state: &AppState,
    caller: &Caller,
    id: Option<i32>,
    body: &InitiativeBody,
    if_match: Option<String>,
) -> ApiResult {
    caller.require(ApiArea::Initiatives, Level::Write)?;
    let tracks: Vec<i32> = queries::tracks(&state.db, caller.lang)
        .await?
        .iter()
        .map(|t| t.id)
        .collect();
    let owners = state.consultants.ids(&state.db).await?;
    let input = crate::initiatives::handlers::parse(&super::form_of(body), &tracks, &owners)?;
    let cmd = SaveInitiative {
        id,
        input,
        if_match,
    };
    let saved = state.app.run(caller.actor(), cmd).await?;
    let i = one(state, saved).await?;
    let version = crate::app::version_of(&i);
    let status = if id.is_some() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok(super::with_etag(status, &version, &Initiative::from(i)))
}

#[utoipa::path(post, path = "/api/v1/initiatives", tag = "initiatives", request_body = InitiativeBody,
    responses((status = 201, body = Initiative, headers(("ETag" = String))), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("token" = [])))]
#[post("/api/v1/initiatives")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<InitiativeBody>,
) -> ApiResult {
    caller.require(ApiArea::Initiatives, Level::Write)?;
    let body = body.parsed()?;
    save(&state, &caller, None, &body, None).await
}

/// Replaces an initiative. `If-Match` with the `ETag` read is required.
#[utoipa::path(put, path = "/api/v1/initiatives/{id}", tag = "initiatives", request_body = InitiativeBody,
    params(("id" = i32, Path, description = "The initiative's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag of the version read (or `*`); without it the answer is 428")),
    responses((status = 200, body = Initiative, headers(("ETag" = String))), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("token" = [])))]
#[put("/api/v1/initiatives/{id}")]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: JsonBody<InitiativeBody>,
) -> ApiResult {
    caller.require(ApiArea::Initiatives, Level::Write)?;
    let body = body.parsed()?;
    let id = super::record_id(&id)?;
    let tag = super::if_match(&req)?;
    save(&state, &caller, Some(id), &body, tag).await
}

async fn figure_list(
    state: &AppState,
    caller: &Caller,
    only: Option<i32>,
) -> ApiResult<Vec<Figure>> {
    let today = state.app.clock.today();
    let mut select = key_figure::Entity::find().order_by_asc(key_figure::Column::Position);
    if let Some(id) = only {
        select = select.filter(key_figure::Column::Id.eq(id));
    }
    let found = select.all(&state.db).await?;
    let live = state
        .figures
        .get(&state.db, today, state.settings.need_first_contact_days)
        .await?;
    let manual =
        crate::initiatives::figures::manual_values(&state.db, found.iter().map(|f| f.id).collect())
            .await?;
    let names: HashMap<i32, String> = HashMap::new();
    Ok(found
        .iter()
        .map(|f| {
            let series = queries::values_of(f, &live, &manual);
            let view = queries::figure_view(f, series.clone(), caller.lang, today, &names);
            let (name, unit) = match caller.lang {
                crate::domain::Lang::Da => (f.name_da.clone(), f.unit_da.clone()),
                crate::domain::Lang::En => (f.name_en.clone(), f.unit_en.clone()),
            };
            Figure {
                id: f.id,
                code: f.code.clone(),
                name,
                unit,
                source: f.source.clone(),
                direction: f.direction.clone(),
                target: f.target,
                target_date: f.target_date,
                track_id: f.track_id,
                initiative_id: f.initiative_id,
                is_public: f.is_public,
                state: view.state.to_string(),
                series: series
                    .into_iter()
                    .map(|s| FigureSeries {
                        label: s.label,
                        points: s
                            .points
                            .into_iter()
                            .map(|(date, value)| FigurePoint { date, value })
                            .collect(),
                    })
                    .collect(),
            }
        })
        .collect())
}

/// Every key figure with its values (live figures computed from the
/// records, month by month over two years).
#[utoipa::path(get, path = "/api/v1/figures", tag = "initiatives",
    responses((status = 200, body = Vec<Figure>), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 429, body = Problem)),
    security(("token" = [])))]
#[get("/api/v1/figures")]
pub async fn figures(state: web::Data<AppState>, caller: Caller) -> ApiResult {
    caller.require(ApiArea::Initiatives, Level::Read)?;
    Ok(HttpResponse::Ok().json(figure_list(&state, &caller, None).await?))
}

#[utoipa::path(get, path = "/api/v1/figures/{id}", tag = "initiatives",
    params(("id" = i32, Path, description = "The key figure's id")),
    responses((status = 200, body = Figure), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("token" = [])))]
#[get("/api/v1/figures/{id}")]
pub async fn figure(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult {
    caller.require(ApiArea::Initiatives, Level::Read)?;
    let id = super::record_id(&id)?;
    let f = figure_list(&state, &caller, Some(id))
        .await?
        .pop()
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(f))
}

/// A value of a typed-in key figure on a date (a second value for the
/// same date replaces the first).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FigureValueBody {
    #[schema(format = Date)]
    pub on_date: String,
    pub value: f64,
}

/// Records a value of a key figure that is typed in (not computed from
/// the records: those answer 422).
#[utoipa::path(post, path = "/api/v1/figures/{id}/values", tag = "initiatives",
    request_body = FigureValueBody,
    params(("id" = i32, Path, description = "The key figure's id")),
    responses((status = 201, body = Figure), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)),
    security(("token" = [])))]
#[post("/api/v1/figures/{id}/values")]
pub async fn add_value(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: JsonBody<FigureValueBody>,
) -> ApiResult {
    caller.require(ApiArea::Initiatives, Level::Write)?;
    let body = body.parsed()?;
    let id = super::record_id(&id)?;
    let cmd = crate::initiatives::figure_pages::parse_value(&super::form_of(&body), id)?;
    state.app.run(caller.actor(), cmd).await?;
    let f = figure_list(&state, &caller, Some(id))
        .await?
        .pop()
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Created().json(f))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(update)
        .service(figures)
        .service(figure)
        .service(add_value);
}
