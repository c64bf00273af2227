//! `/api/v1/contacts`: the contact log (calls, meetings, visits, emails).
use actix_web::{HttpRequest, HttpResponse, get, http::StatusCode, post, put, web};
use entity::contact;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, ApiResult, Caller, CallerKind, Cursor, JsonBody, Level, Page, Problem};
use crate::contacts::commands::{LogContact, UpdateContact};
use crate::domain::{ApiArea, DomainError};
use crate::web::{AppState, form::query};

/// A logged contact with a business.
#[derive(Debug, Serialize, ToSchema)]
pub struct Contact {
    pub id: i32,
    pub business_id: i32,
    /// The consultant's user id.
    pub consultant_id: i32,
    /// `phone`, `meeting`, `visit`, `email`.
    pub channel: String,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    pub subject: String,
    pub notes: Option<String>,
    pub outcome: String,
    pub follow_up_on: Option<chrono::NaiveDate>,
    pub follow_up_done: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<contact::Model> for Contact {
    fn from(c: contact::Model) -> Self {
        Contact {
            id: c.id,
            business_id: c.business_id,
            consultant_id: c.user_id,
            channel: c.channel,
            occurred_at: c.occurred_at,
            subject: c.subject,
            notes: c.notes,
            outcome: c.outcome,
            follow_up_on: c.follow_up_on,
            follow_up_done: c.follow_up_done,
            created_at: c.created_at,
        }
    }
}

/// A contact to log: the contact form's fields.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    #[schema(minimum = 1)]
    pub business_id: i32,
    /// Whose contact it was (required with a token).
    #[schema(minimum = 1)]
    pub consultant_id: Option<i32>,
    #[schema(schema_with = super::schemas::channel)]
    pub channel: String,
    /// Copenhagen time, `YYYY-MM-DDTHH:MM`, at most an hour ahead.
    #[schema(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$")]
    pub occurred_at: String,
    #[schema(min_length = 1, max_length = 200)]
    pub subject: String,
    #[schema(max_length = 5000)]
    pub notes: Option<String>,
    #[schema(schema_with = super::schemas::outcome)]
    pub outcome: String,
    /// Not before the contact.
    /// `YYYY-MM-DD`, or empty for none.
    #[schema(pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub follow_up_on: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListParams {
    #[param(minimum = 1)]
    business_id: Option<i32>,
    #[param(minimum = 1)]
    consultant_id: Option<i32>,
    /// Rows per page, 1–200 (50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
    /// The `next` of the page before.
    #[param(pattern = "^[0-9]{1,10}$")]
    after: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts", params(ListParams),
    responses((status = 200, body = Page<Contact>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 429, body = Problem)),
    security(("token" = [])))]
#[get("/api/v1/contacts")]
pub async fn list(req: HttpRequest, state: web::Data<AppState>, caller: Caller) -> ApiResult {
    caller.require(ApiArea::Contacts, Level::Read)?;
    let q = query(&req);
    let cursor = Cursor::parse(&q)?;
    let mut select = contact::Entity::find()
        .filter(contact::Column::Id.gt(cursor.after))
        .order_by_asc(contact::Column::Id)
        .limit(cursor.limit + 1);
    for (name, col) in [
        ("business_id", contact::Column::BusinessId),
        ("consultant_id", contact::Column::UserId),
    ] {
        if let Some(v) = super::id_param(&q, name)? {
            select = select.filter(col.eq(v));
        }
    }
    let rows = select.all(&state.db).await?;
    Ok(HttpResponse::Ok().json(cursor.page(rows, |c| c.id, Contact::from)))
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts",
    params(("id" = i32, Path, description = "The contact's id")),
    responses((status = 200, body = Contact, headers(("ETag" = String))), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("token" = [])))]
#[get("/api/v1/contacts/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult {
    caller.require(ApiArea::Contacts, Level::Read)?;
    let c = contact::Entity::find_by_id(super::record_id(&id)?)
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let version = crate::app::version_of(&c);
    Ok(super::with_etag(
        StatusCode::OK,
        &version,
        &Contact::from(c),
    ))
}

/// Corrects a logged contact (not its business or consultant).
/// `If-Match` with the `ETag` read is required.
#[utoipa::path(put, path = "/api/v1/contacts/{id}", tag = "contacts", request_body = ContactBody,
    params(("id" = i32, Path, description = "The contact's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag of the version read (or `*`); without it the answer is 428")),
    responses((status = 200, body = Contact, headers(("ETag" = String))), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("token" = [])))]
#[put("/api/v1/contacts/{id}")]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: JsonBody<ContactBody>,
) -> ApiResult {
    caller.require(ApiArea::Contacts, Level::Write)?;
    let body = body.parsed()?;
    let id = super::record_id(&id)?;
    let tag = super::if_match(&req)?;
    let f = super::form_of(&body);
    let contact = crate::contacts::handlers::parse(&f, body.business_id, state.app.clock.now())?;
    let cmd = UpdateContact {
        id,
        contact,
        if_match: tag,
    };
    state.app.run(caller.actor(), cmd).await?;
    let c = contact::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let version = crate::app::version_of(&c);
    Ok(super::with_etag(
        StatusCode::OK,
        &version,
        &Contact::from(c),
    ))
}

#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts", request_body = ContactBody,
    responses((status = 201, body = Contact), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)),
    security(("token" = [])))]
#[post("/api/v1/contacts")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<ContactBody>,
) -> ApiResult {
    caller.require(ApiArea::Contacts, Level::Write)?;
    let body = body.parsed()?;
    let f = super::form_of(&body);
    let mut parsed = crate::contacts::handlers::parse(&f, body.business_id, state.app.clock.now());
    let consultant = match (&caller.kind, body.consultant_id) {
        (CallerKind::Token { .. }, None) => Some(Err(DomainError::Required)),
        (_, Some(id)) if !state.consultants.ids(&state.db).await?.contains(&id) => {
            Some(Err(DomainError::UnknownConsultant))
        }
        (_, id) => id.map(Ok),
    };
    let consultant_id = match consultant {
        Some(Err(e)) => {
            let mut invalid = parsed.err().unwrap_or_default();
            invalid.add("consultant_id", e);
            parsed = Err(invalid);
            None
        }
        Some(Ok(id)) => Some(id),
        None => None,
    };
    let cmd = LogContact {
        contact: parsed?,
        consultant_id,
    };
    let id = state.app.run(caller.actor(), cmd).await?;
    let c = contact::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(Contact::from(c)))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(update);
}
