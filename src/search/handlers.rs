//! The search page and `GET /api/v1/search`.
use std::collections::{BTreeMap, HashMap};

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;

use crate::domain::{District, IndustrySection, Lang, Segment, SizeBand};
use crate::search::{
    DocKind, Filters, Hit, SearchError, SearchQuery, SearchResults, highlight::Highlight,
};
use crate::web::{AppState, auth::CaseWorker, error::AppError, form::FormData, form::query, i18n};

const PAGE_SIZE: usize = 20;
/// The longest query accepted; longer input is cut (at a char boundary).
const MAX_QUERY_CHARS: usize = 200;

struct Params {
    q: String,
    filters: Filters,
    page: usize,
}

fn params(q: &FormData) -> Params {
    let text: String = q.get("q").chars().take(MAX_QUERY_CHARS).collect();
    let code = |name: &str, valid: bool| {
        (valid && !q.get(name).is_empty()).then(|| q.get(name).to_string())
    };
    Params {
        q: text,
        filters: Filters {
            kind: DocKind::parse(q.get("kind")),
            district: code("district", District::parse(q.get("district")).is_ok()),
            section: code("section", IndustrySection::parse(q.get("section")).is_ok()),
            size: code("size", SizeBand::parse(q.get("size")).is_ok()),
            consultant_id: q.get("consultant_id").parse().ok(),
            segment: code("segment", Segment::parse(q.get("segment")).is_ok()),
        },
        page: q.get("page").parse().unwrap_or(1).clamp(1, 10_000),
    }
}

impl Params {
    fn query(&self) -> SearchQuery {
        SearchQuery {
            q: self.q.clone(),
            filters: self.filters.clone(),
            offset: (self.page - 1) * PAGE_SIZE,
            limit: PAGE_SIZE,
        }
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        let f = &self.filters;
        let mut v = vec![("q", self.q.clone())];
        let opt = [
            ("kind", f.kind.map(|k| k.as_str().to_string())),
            ("district", f.district.clone()),
            ("section", f.section.clone()),
            ("size", f.size.clone()),
            ("consultant_id", f.consultant_id.map(|c| c.to_string())),
            ("segment", f.segment.clone()),
        ];
        v.extend(opt.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))));
        v
    }

    /// The URL with one parameter set (or removed when `value` is None).
    fn url_with(&self, key: &str, value: Option<&str>, page: usize) -> String {
        let mut pairs: Vec<(&str, String)> = self
            .pairs()
            .into_iter()
            .filter(|(k, _)| *k != key)
            .collect();
        if let Some(v) = value {
            pairs.push((param_name(key), v.to_string()));
        }
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        format!(
            "/search?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    }

    fn active(&self, facet: &str) -> Option<String> {
        let f = &self.filters;
        match facet {
            "kind" => f.kind.map(|k| k.as_str().to_string()),
            "district" => f.district.clone(),
            "section" => f.section.clone(),
            "size" => f.size.clone(),
            "consultant_id" => f.consultant_id.map(|c| c.to_string()),
            "segments" => f.segment.clone(),
            _ => None,
        }
    }
}

/// Facet name → query parameter.
fn param_name(facet: &str) -> &'static str {
    match facet {
        "kind" => "kind",
        "district" => "district",
        "section" => "section",
        "size" => "size",
        "consultant_id" => "consultant_id",
        "segments" | "segment" => "segment",
        "q" => "q",
        _ => "q",
    }
}

fn facet_label(lang: Lang, facet: &str, value: &str, names: &HashMap<i32, String>) -> String {
    let label = match facet {
        "kind" => DocKind::parse(value)
            .map(|k| i18n::t(lang, &format!("kind_{}", k.as_str())).to_string()),
        "district" => District::parse(value)
            .ok()
            .map(|d| d.label(lang).to_string()),
        "section" => IndustrySection::parse(value)
            .ok()
            .map(|s| format!("{} – {}", s.as_str(), s.label(lang))),
        "size" => SizeBand::parse(value)
            .ok()
            .map(|s| s.label(lang).to_string()),
        "segments" => Segment::parse(value)
            .ok()
            .map(|s| s.label(lang).to_string()),
        "consultant_id" => value.parse().ok().and_then(|id| names.get(&id).cloned()),
        _ => None,
    };
    label.unwrap_or_else(|| value.to_string())
}

#[derive(Serialize)]
struct FacetValue {
    label: String,
    count: u64,
    url: String,
    active: bool,
}

#[derive(Serialize)]
struct FacetView {
    name: &'static str,
    title: &'static str,
    values: Vec<FacetValue>,
}

#[derive(Serialize)]
struct HitView {
    id: String,
    kind: &'static str,
    record_id: i32,
    title: String,
    url: String,
    subtitle: String,
    /// The title with its matched words marked, when the title matched.
    title_fragments: Option<Vec<crate::search::highlight::Fragment>>,
    /// The other fields that matched ("matched in ...").
    highlights: Vec<Highlight>,
}

fn hit_url(hit: &Hit) -> String {
    match hit.doc.kind {
        Some(DocKind::Business) | None => format!("/businesses/{}", hit.doc.record_id),
        Some(DocKind::Need) => format!("/needs/{}", hit.doc.record_id),
        Some(DocKind::Initiative) => format!("/initiatives/{}", hit.doc.record_id),
    }
}

fn hit_view(hit: &Hit, lang: Lang) -> HitView {
    let d = &hit.doc;
    let mut subtitle = Vec::new();
    if let Some(owner) = &d.owner {
        subtitle.push(owner.clone());
    }
    if let Some(r) = &d.reference {
        subtitle.push(r.clone());
    }
    if let Some(status) = &d.status {
        subtitle.push(i18n::t(lang, &format!("need_status_{status}")).to_string());
    }
    if let Some(c) = &d.cvr {
        subtitle.push(format!("CVR {c}"));
    }
    if let Some(a) = d.addresses.first() {
        subtitle.push(a.clone());
    }
    if let Some(dist) = d.district.as_deref().and_then(|x| District::parse(x).ok()) {
        subtitle.push(dist.label(lang).to_string());
    }
    HitView {
        id: d.id.clone(),
        kind: d.kind.unwrap_or(DocKind::Business).as_str(),
        record_id: d.record_id,
        title: d.title.clone(),
        url: hit_url(hit),
        subtitle: subtitle.join(" · "),
        // The title is shown with its own highlight; the rest as "matched in".
        title_fragments: hit
            .highlights
            .iter()
            .find(|h| h.field == "title")
            .map(|h| h.fragments.clone()),
        highlights: hit
            .highlights
            .iter()
            .filter(|h| h.field != "title")
            .cloned()
            .collect(),
    }
}

async fn run(state: &AppState, p: &Params) -> Result<SearchResults, SearchError> {
    state.search.index.search(&p.query()).await
}

#[get("/search")]
async fn search_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: CaseWorker,
) -> Result<HttpResponse, AppError> {
    let p = params(&query(&req));
    let mut ctx = staff.context();
    ctx.insert("q", &p.q);
    let results = match run(&state, &p).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "search unavailable");
            let body = state
                .templates
                .render(staff.lang, "search/unavailable.html", &ctx)?;
            return Ok(HttpResponse::ServiceUnavailable()
                .insert_header(("retry-after", "10"))
                .content_type("text/html; charset=utf-8")
                .body(body));
        }
    };
    let names: HashMap<i32, String> = crate::users::list(&state.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let facets: Vec<FacetView> = crate::search::FACETS
        .iter()
        .filter_map(|name| {
            let values = results.facets.get(*name)?;
            let active = p.active(name);
            let values: Vec<FacetValue> = values
                .iter()
                .take(30)
                .map(|(v, count)| {
                    let is_active = active.as_deref() == Some(v.as_str());
                    FacetValue {
                        label: facet_label(staff.lang, name, v, &names),
                        count: *count,
                        url: p.url_with(param_name(name), (!is_active).then_some(v.as_str()), 1),
                        active: is_active,
                    }
                })
                .collect();
            (!values.is_empty()).then(|| FacetView {
                name,
                title: i18n::t(staff.lang, &format!("facet_{name}")),
                values,
            })
        })
        .collect();
    // Grouped by type, in the order of the first hit of each type.
    let mut groups: Vec<(&'static str, &'static str, Vec<HitView>)> = Vec::new();
    for hit in &results.hits {
        let v = hit_view(hit, staff.lang);
        match groups.iter_mut().find(|g| g.0 == v.kind) {
            Some(g) => g.2.push(v),
            None => {
                let title = i18n::t(staff.lang, &format!("kind_{}_plural", v.kind));
                groups.push((v.kind, title, vec![v]));
            }
        }
    }
    let pages = results.total.div_ceil(PAGE_SIZE).max(1);
    let active_filters: Vec<(String, String)> = crate::search::FACETS
        .iter()
        .filter_map(|name| {
            let v = p.active(name)?;
            Some((
                facet_label(staff.lang, name, &v, &names),
                p.url_with(param_name(name), None, 1),
            ))
        })
        .collect();
    ctx.insert("total", &results.total);
    ctx.insert("groups", &groups);
    ctx.insert("facets", &facets);
    ctx.insert("active_filters", &active_filters);
    crate::web::render::insert_pager(&mut ctx, p.page as u64, pages as u64, |n| {
        p.url_with("page", None, n as usize)
    });
    state
        .templates
        .page(staff.lang, "search/results.html", &ctx)
}

/// One search hit as the API gives it: the record's fields, not only the
/// strings the results page shows.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ApiHit {
    /// `business`, `need` or `initiative`.
    kind: &'static str,
    /// The record's id in its kind (`/api/v1/businesses/{id}` …).
    id: i32,
    title: String,
    cvr: Option<String>,
    p_numbers: Vec<String>,
    addresses: Vec<String>,
    district: Option<String>,
    industry_code: Option<String>,
    section: Option<String>,
    size: Option<String>,
    segments: Vec<String>,
    consultant_id: Option<i32>,
    active: bool,
    /// A need's reference (`RB-2026-000123`) and status.
    reference: Option<String>,
    status: Option<String>,
    /// The record in the API and in the portal.
    api_url: String,
    url: String,
    /// The fields that matched, with the matched words marked.
    highlights: Vec<Highlight>,
}

fn api_hit(hit: &Hit) -> ApiHit {
    let d = &hit.doc;
    let kind = d.kind.unwrap_or(DocKind::Business);
    let area = match kind {
        DocKind::Business => "businesses",
        DocKind::Need => "needs",
        DocKind::Initiative => "initiatives",
    };
    ApiHit {
        kind: kind.as_str(),
        id: d.record_id,
        title: d.title.clone(),
        cvr: d.cvr.clone(),
        p_numbers: d.p_numbers.clone(),
        addresses: d.addresses.clone(),
        district: d.district.clone(),
        industry_code: d.industry_code.clone(),
        section: d.section.clone(),
        size: d.size.clone(),
        segments: d.segments.clone(),
        consultant_id: d.consultant_id,
        active: d.active,
        reference: d.reference.clone(),
        status: d.status.clone(),
        api_url: format!("/api/v1/{area}/{}", d.record_id),
        url: hit_url(hit),
        highlights: hit.highlights.clone(),
    }
}

/// One facet value and how many hits have it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FacetCount {
    value: String,
    count: u64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ApiResults {
    total: usize,
    page: usize,
    page_size: usize,
    hits: Vec<ApiHit>,
    /// Per facet (`district`, `section`, `size`, `segments`, `consultant_id`, `kind`).
    facets: BTreeMap<String, Vec<FacetCount>>,
}

/// The query's parameters, as the search page takes them.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ApiParams {
    /// The words searched for: a name, CVR or P-number (or their first digits), an address, a person.
    q: Option<String>,
    /// `business` or `need` (with the needs scope).
    #[param(pattern = "^(business|need)$")]
    kind: Option<String>,
    #[param(schema_with = crate::api::schemas::district)]
    district: Option<String>,
    #[param(schema_with = crate::api::schemas::section)]
    section: Option<String>,
    #[param(schema_with = crate::api::schemas::size)]
    size: Option<String>,
    #[param(minimum = 1)]
    consultant_id: Option<i32>,
    #[param(schema_with = crate::api::schemas::segment)]
    segment: Option<String>,
    /// From 1.
    #[param(minimum = 1, maximum = 10000)]
    page: Option<u32>,
}

/// Search across businesses (and needs, with the needs scope; `kind=need`
/// without it is a 403): typo
/// tolerant, Danish letters folded, exact CVR/P-numbers first, with facets.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(ApiParams),
    responses((status = 200, body = ApiResults), (status = 400, body = crate::api::Problem),
        (status = 401, body = crate::api::Problem),
        (status = 403, body = crate::api::Problem), (status = 429, body = crate::api::Problem),
        (status = 503, body = crate::api::Problem)),
    security(("token" = [])))]
#[get("/api/v1/search")]
pub async fn api(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: crate::api::Caller,
) -> crate::api::ApiResult {
    use crate::api::Level;
    use crate::domain::ApiArea;
    caller.require(ApiArea::Businesses, Level::Read)?;
    // Needs only with their scope: filtered in the query, so the total,
    // the facets and the pages count only what the caller may see.
    // (Initiatives are not indexed.)
    let q = query(&req);
    // The page ignores what it doesn't know; another system is told.
    use crate::api::check_param as check;
    check(&q, "page", |v| {
        v.parse::<usize>().is_ok_and(|n| (1..=10_000).contains(&n))
    })?;
    check(&q, "kind", |v| matches!(v, "business" | "need"))?;
    crate::api::check_registry_filters(&q)?;
    crate::api::id_param(&q, "consultant_id")?;
    let mut p = params(&q);
    if caller.require(ApiArea::Needs, Level::Read).is_err() {
        if p.filters.kind == Some(DocKind::Need) {
            caller.require(ApiArea::Needs, Level::Read)?;
        }
        p.filters.kind = Some(DocKind::Business);
    }
    match run(&state, &p).await {
        Ok(r) => Ok(HttpResponse::Ok().json(ApiResults {
            total: r.total,
            page: p.page,
            page_size: PAGE_SIZE,
            hits: r.hits.iter().map(api_hit).collect(),
            facets: r
                .facets
                .into_iter()
                .map(|(k, v)| {
                    let counts = v
                        .into_iter()
                        .map(|(value, count)| FacetCount { value, count })
                        .collect();
                    (k, counts)
                })
                .collect(),
        })),
        Err(e) => {
            tracing::warn!(error = %e, "search unavailable");
            Err(crate::api::ApiError::Unavailable)
        }
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(search_page).service(api);
}
