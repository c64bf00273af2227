//! `/api/v1/businesses`: the registry with its P-units and contact persons.
use actix_web::{HttpRequest, HttpResponse, get, http::StatusCode, post, put, web};
use entity::{business, contact_person, p_unit};
use sea_orm::{EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, ApiResult, Caller, Cursor, JsonBody, Level, Page, Problem, form_of};
use crate::businesses::commands::{SaveBusiness, version_of};
use crate::businesses::queries::{self, ListFilter};
use crate::businesses::{BusinessInput, parse_p_unit, parse_person};
use crate::domain::ApiArea;
use crate::web::{AppState, form::query};

/// A business as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Business {
    pub id: i32,
    /// 8 digits.
    pub cvr: String,
    pub name: String,
    /// `aps`, `as`, `enk`, `ivs`, `is`, `amba`, `fond`, `forening`, `other` …
    pub company_form: String,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    /// Copenhagen's district (`indre_by`, `amager_vest` …), from the address.
    pub district: Option<String>,
    /// DB07, 6 digits.
    pub industry_code: Option<String>,
    pub industry_section: Option<String>,
    pub employees: Option<i32>,
    pub size_band: Option<String>,
    pub active: bool,
    /// Reklamebeskyttet: no marketing email.
    pub advertising_protected: bool,
    pub consultant_id: Option<i32>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notes: Option<String>,
    pub segments: Vec<String>,
    /// `manual`, `import`, `form`.
    pub source: String,
    /// Set when this business was merged into another as a duplicate.
    pub merged_into: Option<i32>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// The business's page in the portal.
    pub url: String,
}

impl Business {
    fn of(b: business::Model, segments: Vec<String>) -> Self {
        Business {
            id: b.id,
            cvr: format!("{:08}", b.cvr),
            url: format!("/businesses/{}", b.id),
            name: b.name,
            company_form: b.company_form,
            street: b.street,
            postal_code: b.postal_code.map(|p| p.to_string()),
            city: b.city,
            district: b.district,
            industry_code: b.industry_code.map(|c| format!("{c:06}")),
            industry_section: b.industry_section,
            employees: b.employees,
            size_band: b.size_band,
            active: b.active,
            advertising_protected: b.advertising_protected,
            consultant_id: b.consultant_id,
            email: b.email,
            phone: b.phone,
            notes: b.notes,
            segments,
            source: b.source,
            merged_into: b.merged_into,
            created_at: b.created_at,
            updated_at: b.updated_at,
        }
    }
}

/// A production unit (P-enhed): a workplace of the business.
#[derive(Debug, Serialize, ToSchema)]
pub struct PUnit {
    pub id: i32,
    /// 10 digits.
    pub p_number: String,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub employees: Option<i32>,
}

impl From<p_unit::Model> for PUnit {
    fn from(u: p_unit::Model) -> Self {
        PUnit {
            id: u.id,
            p_number: u.p_number.to_string(),
            street: u.street,
            postal_code: u.postal_code.map(|p| p.to_string()),
            city: u.city,
            employees: u.employees,
        }
    }
}

/// A contact person at a business.
#[derive(Debug, Serialize, ToSchema)]
pub struct Person {
    pub id: i32,
    pub name: String,
    pub role: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub primary: bool,
}

impl From<contact_person::Model> for Person {
    fn from(p: contact_person::Model) -> Self {
        Person {
            id: p.id,
            name: p.name,
            role: p.role,
            email: p.email,
            phone: p.phone,
            primary: p.is_primary,
        }
    }
}

/// A business with its P-units and contact persons.
#[derive(Debug, Serialize, ToSchema)]
pub struct BusinessDetail {
    #[serde(flatten)]
    pub business: Business,
    pub p_units: Vec<PUnit>,
    pub persons: Vec<Person>,
}

/// A business to create, or all of one to replace (`PUT`): the fields of
/// the portal's business form, with its rules.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessBody {
    /// 8 digits, modulus-11 checked; it cannot change.
    #[schema(pattern = "^[0-9]{8}$")]
    pub cvr: String,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// The company form's code (the form also takes "ApS", "A/S" as written).
    #[schema(schema_with = super::schemas::company_form)]
    pub company_form: String,
    #[schema(max_length = 200)]
    pub street: Option<String>,
    /// 4 digits.
    #[schema(pattern = "^([0-9]{4})?$")]
    pub postal_code: Option<String>,
    #[schema(max_length = 100)]
    pub city: Option<String>,
    /// DB07, 6 digits.
    #[schema(pattern = "^([0-9]{6})?$")]
    pub industry_code: Option<String>,
    #[schema(maximum = 1_000_000)]
    pub employees: Option<u32>,
    /// A size band, when the number isn't known.
    #[schema(schema_with = super::schemas::size_opt)]
    pub size: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default)]
    pub advertising_protected: bool,
    #[schema(minimum = 1)]
    pub consultant_id: Option<i32>,
    /// An email address, or empty for none.
    #[schema(pattern = "^([^@\\s]+@[^@\\s]+)?$")]
    pub email: Option<String>,
    pub phone: Option<String>,
    #[schema(max_length = 5000)]
    pub notes: Option<String>,
    #[serde(default)]
    #[schema(schema_with = super::schemas::segments)]
    pub segments: Vec<String>,
}

fn yes() -> bool {
    true
}

/// A P-unit to add.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PUnitBody {
    /// 10 digits, registered to no other business.
    #[schema(pattern = "^[1-9][0-9]{9}$")]
    pub p_number: String,
    #[schema(max_length = 200)]
    pub street: Option<String>,
    #[schema(pattern = "^([0-9]{4})?$")]
    pub postal_code: Option<String>,
    #[schema(max_length = 100)]
    pub city: Option<String>,
    /// Ordinary employees at this workplace.
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub employees: Option<i32>,
}

/// A contact person to add.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonBody {
    #[schema(min_length = 1, max_length = 120)]
    pub name: String,
    #[schema(max_length = 120)]
    pub role: Option<String>,
    /// An email address, or empty for none.
    #[schema(pattern = "^([^@\\s]+@[^@\\s]+)?$")]
    pub email: Option<String>,
    pub phone: Option<String>,
    #[serde(default)]
    pub primary: bool,
}

/// The list's filters: those of the business list page.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListParams {
    /// A district.
    #[param(schema_with = super::schemas::district)]
    district: Option<String>,
    /// An industry section.
    #[param(schema_with = super::schemas::section)]
    section: Option<String>,
    /// A size band.
    #[param(schema_with = super::schemas::size)]
    size: Option<String>,
    /// A consultant's id, or `none` for unassigned.
    #[param(pattern = "^([0-9]+|none)$")]
    consultant: Option<String>,
    /// A segment.
    #[param(schema_with = super::schemas::segment)]
    segment: Option<String>,
    /// `active` (the default), `ceased` or `all`.
    #[param(schema_with = super::schemas::list_status)]
    status: Option<String>,
    /// Rows per page, 1–200 (50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
    /// The `next` of the page before.
    #[param(pattern = "^[0-9]{1,10}$")]
    after: Option<String>,
}

/// The page ignores a filter value it doesn't know; another system is
/// told (400), so a typo doesn't silently return everything.
fn strict(q: &crate::web::form::FormData) -> ApiResult<()> {
    use super::check_param as check;
    super::check_registry_filters(q)?;
    check(q, "status", |v| matches!(v, "active" | "ceased" | "all"))?;
    check(q, "consultant", |v| {
        v == "none" || v.parse::<i32>().is_ok_and(|n| n >= 1)
    })
}

pub(super) async fn detail_of(state: &AppState, id: i32) -> ApiResult<(BusinessDetail, String)> {
    let d = queries::detail(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let version = version_of(&d.business, &d.segments);
    let mut segments = d.segments;
    segments.sort();
    Ok((
        BusinessDetail {
            business: Business::of(d.business, segments),
            p_units: d.p_units.into_iter().map(PUnit::from).collect(),
            persons: d.persons.into_iter().map(Person::from).collect(),
        },
        version,
    ))
}

/// Businesses, filtered as on the list page, in name order.
#[utoipa::path(get, path = "/api/v1/businesses", tag = "businesses", params(ListParams),
    responses((status = 200, body = Page<Business>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 429, body = Problem)),
    security(("token" = [])))]
#[get("/api/v1/businesses")]
pub async fn list(req: HttpRequest, state: web::Data<AppState>, caller: Caller) -> ApiResult {
    caller.require(ApiArea::Businesses, Level::Read)?;
    let q = query(&req);
    let cursor = Cursor::parse(&q)?;
    strict(&q)?;
    let filter = ListFilter::from_query(&q, 0);
    // In name order, as on the page: the filter's index gives the rows in
    // that order, so a page reads only its rows. The cursor is the last
    // business's id; the page after it starts after its name (and id).
    let mut select = queries::filtered(&filter);
    if cursor.after > 0 {
        let last = business::Entity::find_by_id(cursor.after)
            .one(&state.db)
            .await?
            .ok_or_else(|| ApiError::BadRequest("after must be a cursor from next.".into()))?;
        select = select.filter(queries::after_in_name_order(&last.sort_name, last.id));
    }
    let rows = select
        .order_by_asc(business::Column::SortName)
        .order_by_asc(business::Column::Id)
        .limit(cursor.limit + 1)
        .all(&state.db)
        .await?;
    let ids: Vec<i32> = rows.iter().map(|b| b.id).collect();
    let mut segments = queries::segments_by_business(&state.db, &ids).await?;
    let page = cursor.page(
        rows,
        |b| b.id,
        |b| {
            let s = segments.remove(&b.id).unwrap_or_default();
            Business::of(b, s)
        },
    );
    Ok(HttpResponse::Ok().json(page))
}

/// One business with its P-units and contact persons; `ETag` is its
/// version, for `If-Match` on `PUT`.
#[utoipa::path(get, path = "/api/v1/businesses/{id}", tag = "businesses",
    params(("id" = i32, Path, description = "The business's id")),
    responses((status = 200, body = BusinessDetail, headers(("ETag" = String))),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("token" = [])))]
#[get("/api/v1/businesses/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult {
    caller.require(ApiArea::Businesses, Level::Read)?;
    let (d, version) = detail_of(&state, super::record_id(&id)?).await?;
    Ok(super::with_etag(StatusCode::OK, &version, &d))
}

async fn save(
    state: &AppState,
    caller: &Caller,
    id: Option<i32>,
    body: &BusinessBody,
    if_match: Option<String>,
) -> ApiResult {
    caller.require(ApiArea::Businesses, Level::Write)?;
    let ids = state.consultants.ids(&state.db).await?;
    let input = BusinessInput::parse(&form_of(body), &ids)?;
    let cmd = SaveBusiness {
        id,
        input,
        if_match,
    };
    let saved = state.app.run(caller.actor(), cmd).await?;
    let (d, version) = detail_of(state, saved).await?;
    let status = if id.is_some() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let mut res = super::with_etag(status, &version, &d);
    if id.is_none() {
        res.headers_mut().insert(
            actix_web::http::header::LOCATION,
            actix_web::http::header::HeaderValue::from_str(&format!("/api/v1/businesses/{saved}"))
                .map_err(|e| ApiError::Unexpected(e.into()))?,
        );
    }
    Ok(res)
}

/// Creates a business. A CVR number the registry has is a 409 with the
/// existing business's URL.
#[utoipa::path(post, path = "/api/v1/businesses", tag = "businesses", request_body = BusinessBody,
    responses((status = 201, body = BusinessDetail, headers(("ETag" = String), ("Location" = String))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("token" = [])))]
#[post("/api/v1/businesses")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<BusinessBody>,
) -> ApiResult {
    caller.require(ApiArea::Businesses, Level::Write)?;
    let body = body.parsed()?;
    save(&state, &caller, None, &body, None).await
}

/// Replaces a business's fields (not its P-units or persons). `If-Match`
/// with the `ETag` read is required: 412 when the business changed since.
#[utoipa::path(put, path = "/api/v1/businesses/{id}", tag = "businesses", request_body = BusinessBody,
    params(("id" = i32, Path, description = "The business's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag of the version read (or `*`); without it the answer is 428")),
    responses((status = 200, body = BusinessDetail, headers(("ETag" = String))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem),
        (status = 428, body = Problem)),
    security(("token" = [])))]
#[put("/api/v1/businesses/{id}")]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: JsonBody<BusinessBody>,
) -> ApiResult {
    caller.require(ApiArea::Businesses, Level::Write)?;
    let body = body.parsed()?;
    let id = super::record_id(&id)?;
    let tag = super::if_match(&req)?;
    save(&state, &caller, Some(id), &body, tag).await
}

/// A P-unit or a contact person added: the form's parser, its command, and
/// the business as it is now.
async fn add_child<B, C>(
    state: &AppState,
    caller: &Caller,
    id: &str,
    body: JsonBody<B>,
    parse: impl Fn(&crate::web::form::FormData, i32) -> Result<C, crate::app::Invalid>,
) -> ApiResult
where
    B: Serialize,
    C: crate::app::Command<Output = i32>,
{
    caller.require(ApiArea::Businesses, Level::Write)?;
    let body = body.parsed()?;
    let id = super::record_id(id)?;
    let cmd = parse(&form_of(&body), id)?;
    state.app.run(caller.actor(), cmd).await?;
    let (d, version) = detail_of(state, id).await?;
    Ok(super::with_etag(StatusCode::CREATED, &version, &d))
}

/// Adds a P-unit. A P-number registered to another business is a 409.
#[utoipa::path(post, path = "/api/v1/businesses/{id}/p-units", tag = "businesses",
    request_body = PUnitBody, params(("id" = i32, Path, description = "The business's id")),
    responses((status = 201, body = BusinessDetail), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("token" = [])))]
#[post("/api/v1/businesses/{id}/p-units")]
pub async fn add_p_unit(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: JsonBody<PUnitBody>,
) -> ApiResult {
    add_child(&state, &caller, &id, body, parse_p_unit).await
}

/// Adds a contact person.
#[utoipa::path(post, path = "/api/v1/businesses/{id}/persons", tag = "businesses",
    request_body = PersonBody, params(("id" = i32, Path, description = "The business's id")),
    responses((status = 201, body = BusinessDetail), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)),
    security(("token" = [])))]
#[post("/api/v1/businesses/{id}/persons")]
pub async fn add_person(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: JsonBody<PersonBody>,
) -> ApiResult {
    add_child(&state, &caller, &id, body, parse_person).await
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(update)
        .service(add_p_unit)
        .service(add_person);
}
