use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Copenhagen;
use entity::business;
use serde::Serialize;

use super::commands::{CompleteFollowUp, LogContact};
use super::queries::{self, NewContact};
use crate::app::Invalid;
use crate::domain::{ContactChannel, ContactOutcome, Lang, optional_text, required_text};
use crate::web::{
    AppState,
    auth::{CaseWorker, Staff},
    error::AppError,
    fields::{Field, first_error},
    form::{Form, FormData, query},
    render::see_other,
};

/// Today in Copenhagen: the date a consultant means by "today" (the
/// system clock; pages use the application's clock).
pub fn today() -> NaiveDate {
    crate::app::Clock::system().today()
}

/// A local Copenhagen date and time as typed (`2026-11-27T10:30` from a
/// datetime-local input, or `27-11-2026 10:30`).
pub fn parse_local_datetime(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    let ndt = [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%d-%m-%Y %H:%M",
        "%d.%m.%Y %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())?;
    Copenhagen
        .from_local_datetime(&ndt)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    ["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
}

type Errors = BTreeMap<&'static str, String>;

/// Parses the contact form; `now` is the clock's (a contact can't lie more
/// than an hour ahead of it).
pub(crate) fn parse(
    f: &FormData,
    business_id: i32,
    now: DateTime<Utc>,
) -> Result<NewContact, Invalid> {
    use crate::domain::DomainError as E;
    let mut e = Invalid::new();
    let channel = e.check("channel", ContactChannel::parse(f.get("channel")));
    let occurred_at = e.check(
        "occurred_at",
        match parse_local_datetime(f.get("occurred_at")) {
            Some(t) if t > now + Duration::hours(1) => Err(E::InFuture),
            Some(t) => Ok(t),
            None => Err(E::DateTimeFormat),
        },
    );
    let subject = e.check("subject", required_text(f.get("subject"), 200));
    let notes = e
        .check("notes", optional_text(f.get("notes"), 5000))
        .flatten();
    let outcome = e.check("outcome", ContactOutcome::parse(f.get("outcome")));
    let follow_up_on = e
        .check(
            "follow_up_on",
            crate::businesses::opt(f.get("follow_up_on"), |s| {
                match (parse_date(s), occurred_at) {
                    (Some(d), Some(t)) if d < crate::app::clock::local_date(t) => {
                        Err(E::FollowUpBeforeContact)
                    }
                    (Some(d), _) => Ok(d),
                    (None, _) => Err(E::DateFormat),
                }
            }),
        )
        .flatten();
    e.into_result(|| {
        Some(NewContact {
            business_id,
            channel: channel?,
            occurred_at: occurred_at?,
            subject: subject?,
            notes,
            outcome: outcome?,
            follow_up_on,
        })
    })
}

async fn form_page(
    state: &AppState,
    staff: &Staff,
    business_id: i32,
    values: BTreeMap<&'static str, String>,
    errors: &Errors,
) -> Result<HttpResponse, AppError> {
    let b = crate::web::find_or_404::<business::Entity>(&state.db, business_id).await?;
    let lang = staff.lang;
    let opts = |v: Vec<(&str, &str)>| {
        v.into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    let channels = opts(
        ContactChannel::ALL
            .iter()
            .map(|c| (c.as_str(), c.label(lang)))
            .collect(),
    );
    let outcomes = opts(
        ContactOutcome::ALL
            .iter()
            .map(|c| (c.as_str(), c.label(lang)))
            .collect(),
    );
    let t = |k: &str| staff.t(k);
    let fields: Vec<Field> = vec![
        Field::new("channel", t("channel"), "select").options(channels),
        Field::new("occurred_at", t("occurred_at"), "datetime-local").required(),
        Field::new("subject", t("subject"), "text").required(),
        Field::new("notes", t("notes"), "textarea"),
        Field::new("outcome", t("outcome"), "select").options(outcomes),
        Field::new("follow_up_on", t("follow_up_on"), "date").hint(t("follow_up_hint")),
    ]
    .into_iter()
    .map(|f| f.fill(&values, errors))
    .collect();
    let mut ctx = staff.context();
    ctx.insert("business_id", &b.id);
    ctx.insert("business_name", &b.name);
    ctx.insert("first_error", &first_error(&fields));
    ctx.insert("fields", &fields);
    let body = state.templates.render(lang, "contacts/form.html", &ctx)?;
    let status = if errors.is_empty() { 200 } else { 422 };
    Ok(crate::web::render::html_status(status, body))
}

#[get("/businesses/{id}/contacts/new")]
async fn new_form(
    state: web::Data<AppState>,
    staff: CaseWorker,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let now = Utc::now()
        .with_timezone(&Copenhagen)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let mut v = BTreeMap::new();
    v.insert("channel", "phone".to_string());
    v.insert("occurred_at", now);
    v.insert("subject", String::new());
    v.insert("notes", String::new());
    v.insert("outcome", "information".to_string());
    v.insert("follow_up_on", String::new());
    form_page(&state, &staff, *id, v, &Errors::new()).await
}

#[post("/businesses/{id}/contacts")]
async fn create(
    state: web::Data<AppState>,
    staff: CaseWorker,
    id: web::Path<i32>,
    Form(f): Form,
) -> Result<HttpResponse, AppError> {
    let id = *id;
    match parse(&f, id, state.app.clock.now()) {
        Ok(c) => {
            state
                .app
                .run(
                    staff.actor(),
                    LogContact {
                        contact: c,
                        consultant_id: None,
                    },
                )
                .await?;
            staff.flash("contact_saved");
            Ok(see_other(&format!("/businesses/{id}#timeline")))
        }
        Err(invalid) => {
            let errors = crate::web::fields::messages(&invalid, staff.lang);
            let v = [
                "channel",
                "occurred_at",
                "subject",
                "notes",
                "outcome",
                "follow_up_on",
            ]
            .into_iter()
            .map(|k| (k, f.get(k).to_string()))
            .collect();
            form_page(&state, &staff, id, v, &errors).await
        }
    }
}

#[derive(Serialize)]
struct Row {
    id: i32,
    business_id: i32,
    business: String,
    when: String,
    channel: &'static str,
    subject: String,
    outcome: &'static str,
    follow_up_on: Option<String>,
    state: &'static str,
}

fn row(
    c: &entity::contact::Model,
    b: Option<&business::Model>,
    lang: Lang,
    today: NaiveDate,
) -> Row {
    Row {
        id: c.id,
        business_id: c.business_id,
        business: b.map(|b| b.name.clone()).unwrap_or_default(),
        when: crate::businesses::local_time(c.occurred_at),
        channel: ContactChannel::parse(&c.channel)
            .map(|x| x.label(lang))
            .unwrap_or(""),
        subject: c.subject.clone(),
        outcome: ContactOutcome::parse(&c.outcome)
            .map(|x| x.label(lang))
            .unwrap_or(""),
        follow_up_on: c.follow_up_on.map(crate::app::clock::format_date),
        state: match c.follow_up_on {
            Some(d) if d < today => "overdue",
            Some(d) if d == today => "today",
            _ => "upcoming",
        },
    }
}

#[get("/followups")]
async fn followups(
    state: web::Data<AppState>,
    staff: CaseWorker,
) -> Result<HttpResponse, AppError> {
    let today = state.app.clock.today();
    let rows: Vec<Row> = queries::open_followups(&state.db, staff.id)
        .await?
        .iter()
        .map(|(c, b)| row(c, b.as_ref(), staff.lang, today))
        .collect();
    let mut ctx = staff.context();
    ctx.insert("rows", &rows);
    state
        .templates
        .page(staff.lang, "contacts/followups.html", &ctx)
}

#[post("/followups/{id}/done")]
async fn mark_done(
    state: web::Data<AppState>,
    staff: CaseWorker,
    id: web::Path<i32>,
    _f: Form,
) -> Result<HttpResponse, AppError> {
    let cmd = CompleteFollowUp { contact_id: *id };
    state.app.run(staff.actor(), cmd).await?;
    staff.flash("followup_done");
    Ok(see_other("/followups"))
}

#[get("/contacts/mine")]
async fn mine(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: CaseWorker,
) -> Result<HttpResponse, AppError> {
    let page: u64 = query(&req)
        .get("page")
        .parse()
        .unwrap_or(1)
        .clamp(1, 100_000);
    let (rows, total) = queries::mine(&state.db, staff.id, page).await?;
    let today = state.app.clock.today();
    let rows: Vec<Row> = rows
        .iter()
        .map(|(c, b)| row(c, b.as_ref(), staff.lang, today))
        .collect();
    let pages = total.div_ceil(queries::MINE_PAGE).max(1);
    let mut ctx = staff.context();
    ctx.insert("rows", &rows);
    ctx.insert("total", &total);
    crate::web::render::insert_pager(&mut ctx, page, pages, |n| {
        format!("/contacts/mine?page={n}")
    });
    state.templates.page(staff.lang, "contacts/mine.html", &ctx)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(new_form)
        .service(create)
        .service(followups)
        .service(mark_done)
        .service(mine);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_are_read_in_copenhagen_time() {
        // 27 Nov is winter time: UTC+1.
        let t = parse_local_datetime("2026-11-27T10:30").expect("valid");
        assert_eq!(t.to_rfc3339(), "2026-11-27T09:30:00+00:00");
        // 1 July is summer time: UTC+2.
        let t = parse_local_datetime("01-07-2026 10:30").expect("valid");
        assert_eq!(t.to_rfc3339(), "2026-07-01T08:30:00+00:00");
        for bad in [
            "",
            "i går",
            "2026-13-01T10:00",
            "2026-03-29T02:30",
            "27-11-2026",
        ] {
            assert!(parse_local_datetime(bad).is_none(), "{bad}");
        }
    }
}
