//! The consultants' pipeline of recruitment needs.
use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono_tz::Europe::Copenhagen;
use entity::{need_event, recruitment_need};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use super::commands::ChangeNeed;
use super::{STATUSES, deadline};
use crate::domain::{NeedStatus, optional_text};
use crate::web::{
    AppState,
    auth::{CaseWorker, Staff},
    error::AppError,
    form::{Form, query},
    render::see_other,
};

#[derive(Serialize)]
struct Row {
    id: i32,
    reference: String,
    company_name: String,
    business_id: Option<i32>,
    job_title: String,
    positions: i32,
    status: String,
    received: String,
    assigned: Option<String>,
    due: Option<String>,
    due_kind: Option<&'static str>,
    overdue: bool,
}

fn rows(
    state: &AppState,
    needs: Vec<recruitment_need::Model>,
    names: &BTreeMap<i32, String>,
) -> Vec<Row> {
    let today = state.app.clock.today();
    let s = &state.settings;
    needs
        .into_iter()
        .map(|n| {
            let received = n.created_at.with_timezone(&Copenhagen).date_naive();
            let due = deadline(
                &n.status,
                received,
                s.need_first_contact_days,
                s.need_answer_days,
            );
            Row {
                id: n.id,
                reference: n.reference,
                company_name: n.company_name,
                business_id: n.business_id,
                job_title: n.job_title,
                positions: n.positions,
                received: crate::app::clock::format_date(received),
                assigned: n.assigned_to.and_then(|id| names.get(&id).cloned()),
                due: due.map(|(_, d)| crate::app::clock::format_date(d)),
                due_kind: due.map(|(k, _)| k),
                overdue: due.is_some_and(|(_, d)| d < today),
                status: n.status,
            }
        })
        .collect()
}

async fn names(state: &AppState) -> Result<BTreeMap<i32, String>, AppError> {
    Ok(crate::users::list(&state.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

/// Needs shown per page of the pipeline.
const PAGE: u64 = 100;

/// The needs with this status (all when None), newest first; one page of
/// them, or every one (the export).
async fn filtered(
    state: &AppState,
    status: Option<&str>,
    page: Option<u64>,
) -> Result<Vec<recruitment_need::Model>, AppError> {
    let mut q = recruitment_need::Entity::find();
    if let Some(s) = status {
        q = q.filter(recruitment_need::Column::Status.eq(s));
    }
    let mut q = q
        .order_by_desc(recruitment_need::Column::CreatedAt)
        .order_by_desc(recruitment_need::Column::Id);
    if let Some(page) = page {
        q = q.offset((page - 1) * PAGE).limit(PAGE);
    }
    Ok(q.all(&state.db).await?)
}

/// A pipeline URL for a status filter and page.
fn list_url(status: Option<&str>, page: u64) -> String {
    match (status, page) {
        (None, 1) => "/needs".into(),
        (None, p) => format!("/needs?page={p}"),
        (Some(s), 1) => format!("/needs?status={s}"),
        (Some(s), p) => format!("/needs?status={s}&page={p}"),
    }
}

fn status_filter(req: &HttpRequest) -> Option<&'static str> {
    let q = query(req);
    STATUSES.iter().copied().find(|s| *s == q.get("status"))
}

#[get("/needs")]
async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: CaseWorker,
) -> Result<HttpResponse, AppError> {
    let status = status_filter(&req);
    let counts: Vec<(String, i64)> = recruitment_need::Entity::find()
        .select_only()
        .column(recruitment_need::Column::Status)
        .column_as(recruitment_need::Column::Id.count(), "n")
        .group_by(recruitment_need::Column::Status)
        .into_tuple()
        .all(&state.db)
        .await?;
    let counts: Vec<(&str, String, i64)> = STATUSES
        .iter()
        .map(|s| {
            let n = counts
                .iter()
                .find(|(k, _)| k == s)
                .map(|(_, n)| *n)
                .unwrap_or(0);
            (*s, staff.t(&format!("need_status_{s}")).to_string(), n)
        })
        .collect();
    let total: i64 = counts
        .iter()
        .filter(|(s, _, _)| status.is_none_or(|f| f == *s))
        .map(|(_, _, n)| n)
        .sum();
    let pages = (total.max(0) as u64).div_ceil(PAGE).max(1);
    let page = query(&req)
        .get("page")
        .parse::<u64>()
        .unwrap_or(1)
        .clamp(1, pages);
    let names = names(&state).await?;
    let rows = rows(&state, filtered(&state, status, Some(page)).await?, &names);
    let mut ctx = staff.context();
    crate::web::render::insert_pager(&mut ctx, page, pages, |n| list_url(status, n));
    ctx.insert("counts", &counts);
    ctx.insert("status", &status);
    ctx.insert("rows", &rows);
    state.templates.page(staff.lang, "needs/list.html", &ctx)
}

#[get("/needs/export.csv")]
async fn export(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: CaseWorker,
) -> Result<HttpResponse, AppError> {
    let names = names(&state).await?;
    // Every need with the filter, not just the page on screen.
    let rows = rows(
        &state,
        filtered(&state, status_filter(&req), None).await?,
        &names,
    );
    let header = [
        "Reference",
        "Virksomhed",
        "Stilling",
        "Antal",
        "Status",
        "Modtaget",
        "Konsulent",
        "Frist",
        "Overskredet",
    ];
    let records = rows.iter().map(|r| {
        vec![
            r.reference.clone(),
            r.company_name.clone(),
            r.job_title.clone(),
            r.positions.to_string(),
            staff.t(&format!("need_status_{}", r.status)).to_string(),
            r.received.clone(),
            r.assigned.clone().unwrap_or_default(),
            r.due.clone().unwrap_or_default(),
            if r.overdue { "ja".into() } else { "nej".into() },
        ]
    });
    crate::web::csv_export::excel_csv("rekrutteringsbehov.csv", &header, records)
}

#[derive(Serialize)]
struct EventView {
    at: String,
    status: String,
    note: Option<String>,
    by: Option<String>,
}

#[get("/needs/{id}")]
async fn detail(
    state: web::Data<AppState>,
    staff: CaseWorker,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    detail_page(&state, &staff, *id, None, 200).await
}

/// The need's page; `error` is why a change was refused.
async fn detail_page(
    state: &AppState,
    staff: &Staff,
    id: i32,
    error: Option<String>,
    status: u16,
) -> Result<HttpResponse, AppError> {
    let need = crate::web::find_or_404::<recruitment_need::Entity>(&state.db, id).await?;
    let names = names(state).await?;
    let events: Vec<EventView> = need_event::Entity::find()
        .filter(need_event::Column::NeedId.eq(need.id))
        .order_by_asc(need_event::Column::Id)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|e| EventView {
            at: crate::businesses::local_time(e.at),
            status: staff.t(&format!("need_status_{}", e.status)).to_string(),
            note: e.note,
            by: e.user_id.and_then(|u| names.get(&u).cloned()),
        })
        .collect();
    let consultants = state.consultants.options(&state.db).await?;
    // Only the changes the pipeline allows from here.
    let statuses: Vec<(&str, &str)> = NeedStatus::parse(&need.status)
        .unwrap_or(NeedStatus::New)
        .next()
        .into_iter()
        .map(|s| (s.as_str(), s.label(staff.lang)))
        .collect();
    let mut ctx = staff.context();
    ctx.insert("row", &rows(state, vec![need.clone()], &names).pop());
    ctx.insert("n", &NeedView::from(&need));
    ctx.insert("events", &events);
    ctx.insert("consultants", &consultants);
    ctx.insert("statuses", &statuses);
    ctx.insert("change_error", &error);
    // Positions filled by placements linked to the need.
    let filled = entity::placement::Entity::find()
        .filter(entity::placement::Column::NeedId.eq(need.id))
        .filter(
            entity::placement::Column::Status
                .ne(crate::domain::PlacementStatus::Cancelled.as_str()),
        )
        .count(&state.db)
        .await?;
    ctx.insert("filled", &filled);
    let body = state
        .templates
        .render(staff.lang, "needs/detail.html", &ctx)?;
    Ok(crate::web::render::html_status(status, body))
}

#[derive(Serialize)]
struct NeedView {
    contact_name: String,
    contact_email: String,
    contact_phone: Option<String>,
    hours_per_week: Option<i32>,
    start_date: Option<String>,
    permanent: bool,
    temporary_until: Option<String>,
    workplace_address: Option<String>,
    qualifications: Option<String>,
    languages: Option<String>,
    open_flex_job: bool,
    open_wage_subsidy: bool,
    open_work_trial: bool,
    free_text: Option<String>,
    source: String,
    email_confirmed: bool,
    assigned_to: Option<i32>,
    status: String,
}

impl From<&recruitment_need::Model> for NeedView {
    fn from(n: &recruitment_need::Model) -> Self {
        let d = |d: Option<chrono::NaiveDate>| d.map(crate::app::clock::format_date);
        NeedView {
            contact_name: n.contact_name.clone(),
            contact_email: n.contact_email.clone(),
            contact_phone: n.contact_phone.clone(),
            hours_per_week: n.hours_per_week,
            start_date: d(n.start_date),
            permanent: n.permanent,
            temporary_until: d(n.temporary_until),
            workplace_address: n.workplace_address.clone(),
            qualifications: n.qualifications.clone(),
            languages: n.languages.clone(),
            open_flex_job: n.open_flex_job,
            open_wage_subsidy: n.open_wage_subsidy,
            open_work_trial: n.open_work_trial,
            free_text: n.free_text.clone(),
            source: n.source.clone(),
            email_confirmed: n.email_confirmed,
            assigned_to: n.assigned_to,
            status: n.status.clone(),
        }
    }
}

/// Changes the status and/or the assigned consultant, with a note kept in
/// the history, in one transaction.
#[post("/needs/{id}")]
async fn update(
    state: web::Data<AppState>,
    staff: CaseWorker,
    id: web::Path<i32>,
    Form(f): Form,
) -> Result<HttpResponse, AppError> {
    // An unknown status or assignee is no choice the page offers: 400.
    let status = NeedStatus::parse(f.get("status")).map_err(|_| AppError::BadRequest)?;
    let assigned = match f.get("assigned_to").trim() {
        "" => None,
        s => Some(s.parse::<i32>().map_err(|_| AppError::BadRequest)?),
    };
    let note = match optional_text(f.get("note"), 1000) {
        Ok(n) => n,
        Err(e) => {
            let message = Some(e.message(staff.lang));
            return detail_page(&state, &staff, *id, message, 422).await;
        }
    };
    let cmd = ChangeNeed {
        need_id: *id,
        status,
        assigned_to: assigned,
        note,
        if_match: None,
    };
    match state.app.run(staff.actor(), cmd).await {
        Ok(_) => {
            staff.flash("need_saved");
            Ok(see_other(&format!("/needs/{id}")))
        }
        Err(e) => {
            let Some(invalid) = e.field_errors() else {
                return Err(e.into());
            };
            let message = invalid.iter().next().map(|fe| fe.error.message(staff.lang));
            let status = if invalid.has("status") { 409 } else { 422 };
            detail_page(&state, &staff, *id, message, status).await
        }
    }
}

/// Sources a consultant can give for a need they enter.
pub(crate) const SOURCES: [&str; 4] = ["phone", "visit", "email", "form"];

fn new_page(
    state: &AppState,
    staff: &Staff,
    values: &BTreeMap<&'static str, String>,
    errors: &super::public::Errors,
    status: u16,
) -> Result<HttpResponse, AppError> {
    let sources: Vec<(String, String)> = SOURCES
        .iter()
        .map(|s| {
            (
                s.to_string(),
                staff.t(&format!("need_source_{s}")).to_string(),
            )
        })
        .collect();
    let mut fields = vec![
        crate::web::fields::Field::new("source", staff.t("need_source"), "select")
            .options(sources)
            .fill(values, errors),
    ];
    fields.extend(super::public::fields(staff.lang, values, errors));
    let mut ctx = staff.context();
    ctx.insert("first_error", &crate::web::fields::first_error(&fields));
    ctx.insert("fields", &fields);
    ctx.insert("idem", values.get("idem").map(String::as_str).unwrap_or(""));
    let body = state.templates.render(staff.lang, "needs/new.html", &ctx)?;
    Ok(crate::web::render::html_status(status, body))
}

/// A need taken by a consultant (on the phone, at a visit, by email).
#[get("/needs/new")]
async fn new_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: CaseWorker,
) -> Result<HttpResponse, AppError> {
    let mut values: BTreeMap<&'static str, String> = BTreeMap::new();
    values.insert("source", "phone".into());
    values.insert("positions", "1".into());
    values.insert("employment", "permanent".into());
    values.insert("idem", crate::web::auth::random_token());
    if let Ok(id) = query(&req).get("business_id").parse::<i32>()
        && let Some(b) = entity::business::Entity::find_by_id(id)
            .one(&state.db)
            .await?
    {
        values.insert("cvr", format!("{:08}", b.cvr));
        values.insert("company_name", b.name);
        values.insert("contact_email", b.email.unwrap_or_default());
        values.insert("contact_phone", b.phone.unwrap_or_default());
    }
    new_page(&state, &staff, &values, &Default::default(), 200)
}

#[post("/needs/new")]
async fn create(
    state: web::Data<AppState>,
    staff: CaseWorker,
    Form(f): Form,
) -> Result<HttpResponse, AppError> {
    let mut values = super::public::typed(&f);
    values.insert("source", f.get("source").to_string());
    let Some(source) = SOURCES.iter().copied().find(|s| *s == f.get("source")) else {
        let mut e = super::public::Errors::new();
        e.insert(
            "source",
            crate::domain::DomainError::UnknownValue.message(staff.lang),
        );
        return new_page(&state, &staff, &values, &e, 422);
    };
    let need = match super::public::parse(&f) {
        Ok(n) => n,
        Err(invalid) => {
            let e = crate::web::fields::messages(&invalid, staff.lang);
            return new_page(&state, &staff, &values, &e, 422);
        }
    };
    let idem = f
        .token("idem")
        .unwrap_or_else(crate::web::auth::random_token);
    let origin = super::public::Origin {
        source,
        by: Some(staff.id),
        token: None,
    };
    let cmd = super::public::prepare(&state, &need, &f, staff.lang, &idem, origin)?;
    let (id, _) = super::public::store(&state, cmd).await?;
    staff.flash("need_saved");
    Ok(see_other(&format!("/needs/{id}")))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list)
        .service(export)
        .service(new_form)
        .service(create)
        .service(detail)
        .service(update);
}
