//! Scheduling follow-up emails from a business page, and the admins' view
//! of the outbox.
use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, post, web};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Copenhagen;
use entity::{business, contact_person};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use tera::Context;

use super::commands::{CancelEmail, RetryEmail, ScheduleEmail};
use super::{outbox, render::FOLLOWUP_TEMPLATES};
use crate::app::Invalid;
use crate::domain::{Lang, optional_text};
use crate::web::{
    AppState,
    auth::{Admin, CaseWorker, Staff, random_token},
    error::AppError,
    fields::{Field, first_error},
    form::{Form, FormData},
    render::see_other,
};

/// A weekend date moves to the Monday after.
pub fn skip_weekend(d: NaiveDate) -> NaiveDate {
    match d.weekday() {
        Weekday::Sat => d + Duration::days(2),
        Weekday::Sun => d + Duration::days(1),
        _ => d,
    }
}

/// The moment to send: a Copenhagen date and time (DST-aware), weekends moved
/// to Monday.
pub fn send_time(date: NaiveDate, time: NaiveTime) -> Option<chrono::DateTime<Utc>> {
    let d = skip_weekend(date);
    Copenhagen
        .from_local_datetime(&NaiveDateTime::new(d, time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

type Errors = BTreeMap<&'static str, String>;

struct Scheduled {
    person: contact_person::Model,
    template: &'static str,
    case_related: bool,
    lang: Lang,
    subject: Option<String>,
    message: Option<String>,
    send_at: chrono::DateTime<Utc>,
    moved: bool,
}

/// Parses the scheduling form; `now` is the clock's.
fn parse(
    f: &FormData,
    now: chrono::DateTime<Utc>,
    persons: &[contact_person::Model],
    protected: bool,
) -> Result<Scheduled, Invalid> {
    use crate::domain::DomainError as E;
    let mut e = Invalid::new();
    let person = e.check(
        "person_id",
        f.get("person_id")
            .parse::<i32>()
            .ok()
            .and_then(|id| {
                persons
                    .iter()
                    .find(|p| p.id == id && p.email.is_some())
                    .cloned()
            })
            .ok_or(E::RecipientMissing),
    );
    let template = e.check(
        "template",
        match FOLLOWUP_TEMPLATES
            .iter()
            .find(|(n, _)| *n == f.get("template"))
            .copied()
        {
            None => Err(E::TemplateMissing),
            Some((_, false)) if protected => Err(E::AdvertisingProtected),
            Some(t) => Ok(t),
        },
    );
    let mail_lang = Lang::parse(f.get("mail_lang")).unwrap_or(Lang::Da);
    let subject = e
        .check("subject", optional_text(f.get("subject"), 200))
        .flatten();
    let message = e
        .check("message", optional_text(f.get("message"), 5000))
        .flatten();
    let date = e.check(
        "date",
        crate::contacts::parse_date(f.get("date")).ok_or(E::DateFormat),
    );
    let time = e.check(
        "time",
        NaiveTime::parse_from_str(f.get("time").trim(), "%H:%M").map_err(|_| E::TimeFormat),
    );
    let send_at = match (date, time) {
        (Some(d), Some(tm)) => match send_time(d, tm) {
            Some(at) if at >= now - Duration::minutes(5) => Some((at, skip_weekend(d) != d)),
            Some(_) => {
                e.add("date", E::InPast);
                None
            }
            None => {
                e.add("time", E::DateTimeFormat);
                None
            }
        },
        _ => None,
    };
    e.into_result(|| {
        let (template, case_related) = template?;
        let (send_at, moved) = send_at?;
        Some(Scheduled {
            person: person?,
            template,
            case_related,
            lang: mail_lang,
            subject,
            message,
            send_at,
            moved,
        })
    })
}

fn render(
    state: &AppState,
    s: &Scheduled,
    b: &business::Model,
    staff: &Staff,
    consultant_email: Option<String>,
) -> Result<super::render::Rendered, AppError> {
    let mut ctx = Context::new();
    ctx.insert("lang", s.lang.as_str());
    ctx.insert("person_name", &s.person.name);
    ctx.insert("business_name", &b.name);
    ctx.insert("consultant_name", &staff.display_name);
    ctx.insert("consultant_email", &consultant_email);
    ctx.insert("subject", &s.subject);
    ctx.insert("message", &s.message);
    let paragraphs: Vec<&str> = s
        .message
        .as_deref()
        .unwrap_or("")
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    ctx.insert("message_paragraphs", &paragraphs);
    Ok(state.mailer.templates.render(s.template, &ctx)?)
}

async fn persons_with_email(
    state: &AppState,
    id: i32,
) -> Result<Vec<contact_person::Model>, AppError> {
    Ok(contact_person::Entity::find()
        .filter(contact_person::Column::BusinessId.eq(id))
        .order_by_desc(contact_person::Column::IsPrimary)
        .order_by_asc(contact_person::Column::Name)
        .all(&state.db)
        .await?)
}

#[derive(Serialize)]
struct Preview {
    subject: String,
    text: String,
    html: String,
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    staff: &Staff,
    b: &business::Model,
    persons: &[contact_person::Model],
    values: BTreeMap<&'static str, String>,
    errors: &Errors,
    preview: Option<Preview>,
    status: u16,
) -> Result<HttpResponse, AppError> {
    let t = |k: &str| staff.t(k);
    let person_opts: Vec<(String, String)> = persons
        .iter()
        .filter_map(|p| {
            Some((
                p.id.to_string(),
                format!("{} <{}>", p.name, p.email.as_ref()?),
            ))
        })
        .collect();
    let templates: Vec<(String, String)> = FOLLOWUP_TEMPLATES
        .iter()
        .map(|(n, _)| (n.to_string(), t(&format!("email_template_{n}")).to_string()))
        .collect();
    let langs = vec![
        ("da".to_string(), "Dansk".to_string()),
        ("en".to_string(), "English".to_string()),
    ];
    let fields: Vec<Field> = vec![
        Field::new("person_id", t("email_recipient"), "select").options(person_opts),
        Field::new("template", t("email_template"), "select").options(templates),
        Field::new("mail_lang", t("email_language"), "select").options(langs),
        Field::new("subject", t("subject"), "text").hint(t("email_subject_hint")),
        Field::new("message", t("email_message"), "textarea").hint(t("email_message_hint")),
        Field::new("date", t("date"), "date")
            .required()
            .hint(t("email_date_hint")),
        Field::new("time", t("email_time"), "time").required(),
    ]
    .into_iter()
    .map(|f| f.fill(&values, errors))
    .collect();
    let mut ctx = staff.context();
    ctx.insert("business_id", &b.id);
    ctx.insert("business_name", &b.name);
    ctx.insert("protected", &b.advertising_protected);
    ctx.insert("no_recipients", &persons.iter().all(|p| p.email.is_none()));
    ctx.insert("first_error", &first_error(&fields));
    ctx.insert("fields", &fields);
    ctx.insert("idem", values.get("idem").map(String::as_str).unwrap_or(""));
    ctx.insert("preview", &preview);
    let body = state
        .templates
        .render(staff.lang, "businesses/email.html", &ctx)?;
    Ok(crate::web::render::html_status(status, body))
}

#[get("/businesses/{id}/emails/new")]
async fn new_form(
    state: web::Data<AppState>,
    staff: CaseWorker,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let b = crate::web::find_or_404::<business::Entity>(&state.db, *id).await?;
    let persons = persons_with_email(&state, b.id).await?;
    let tomorrow = state.app.clock.today() + Duration::days(1);
    let mut v = BTreeMap::new();
    v.insert(
        "person_id",
        persons
            .iter()
            .find(|p| p.email.is_some())
            .map(|p| p.id.to_string())
            .unwrap_or_default(),
    );
    v.insert("template", "followup".to_string());
    v.insert("mail_lang", "da".to_string());
    v.insert(
        "date",
        skip_weekend(tomorrow).format("%Y-%m-%d").to_string(),
    );
    v.insert("time", "09:00".to_string());
    // One token per form: a double click or a resubmit schedules one email.
    v.insert("idem", random_token());
    form_page(&state, &staff, &b, &persons, v, &Errors::new(), None, 200).await
}

#[post("/businesses/{id}/emails")]
async fn schedule(
    state: web::Data<AppState>,
    staff: CaseWorker,
    id: web::Path<i32>,
    Form(f): Form,
) -> Result<HttpResponse, AppError> {
    let b = crate::web::find_or_404::<business::Entity>(&state.db, *id).await?;
    let persons = persons_with_email(&state, b.id).await?;
    let values: BTreeMap<&'static str, String> = [
        "person_id",
        "template",
        "mail_lang",
        "subject",
        "message",
        "date",
        "time",
        "idem",
    ]
    .into_iter()
    .map(|k| (k, f.get(k).to_string()))
    .collect();
    let now = state.app.clock.now();
    let s = match parse(&f, now, &persons, b.advertising_protected) {
        Ok(s) => s,
        Err(invalid) => {
            let errors = crate::web::fields::messages(&invalid, staff.lang);
            return form_page(&state, &staff, &b, &persons, values, &errors, None, 422).await;
        }
    };
    let me = entity::app_user::Entity::find_by_id(staff.id)
        .one(&state.db)
        .await?;
    let rendered = render(&state, &s, &b, &staff, me.and_then(|u| u.email))?;
    if f.get("action") == "preview" {
        let preview = Preview {
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
        };
        return form_page(
            &state,
            &staff,
            &b,
            &persons,
            values,
            &Errors::new(),
            Some(preview),
            200,
        )
        .await;
    }
    let idem = f.token("idem").unwrap_or_else(random_token);
    let recipient = s.person.email.clone().unwrap_or_default();
    let email = outbox::NewEmail {
        recipient,
        template: s.template.to_string(),
        lang: s.lang.as_str().to_string(),
        subject: rendered.subject,
        body_text: rendered.text,
        body_html: rendered.html,
        idempotency_key: format!("followup:{}:{idem}", b.id),
        case_related: s.case_related,
        business_id: Some(b.id),
        created_by: Some(staff.id),
        send_at: s.send_at,
    };
    state
        .app
        .run(staff.actor(), ScheduleEmail { email })
        .await?;
    staff.flash(if s.moved {
        "email_scheduled_monday"
    } else {
        "email_scheduled"
    });
    Ok(see_other(&format!("/businesses/{}#emails", b.id)))
}

#[post("/businesses/{id}/emails/{eid}/cancel")]
async fn cancel(
    state: web::Data<AppState>,
    staff: CaseWorker,
    path: web::Path<(i32, i64)>,
    _f: Form,
) -> Result<HttpResponse, AppError> {
    let (id, eid) = *path;
    let cmd = CancelEmail {
        business_id: id,
        email_id: eid,
    };
    if state.app.run(staff.actor(), cmd).await? {
        staff.flash("email_cancelled");
    } else {
        staff.flash("email_cannot_cancel");
    }
    Ok(see_other(&format!("/businesses/{id}#emails")))
}

#[derive(Serialize)]
struct Row {
    id: i64,
    domain: String,
    template: String,
    subject: String,
    status: String,
    attempts: i32,
    next_attempt: String,
    last_error: Option<String>,
    can_retry: bool,
}

#[get("/admin/outbox")]
async fn admin_page(state: web::Data<AppState>, staff: Admin) -> Result<HttpResponse, AppError> {
    let counts = outbox::counts(&state.db).await?;
    let rows: Vec<Row> = outbox::problems(&state.db)
        .await?
        .into_iter()
        .map(|r| Row {
            id: r.id,
            // Admins see where mail goes (the domain) and why it failed.
            domain: super::domain_of(&r.recipient).to_string(),
            template: r.template,
            subject: r.subject,
            can_retry: r.status == outbox::FAILED || r.status == outbox::DEAD,
            status: r.status,
            attempts: r.attempts,
            next_attempt: crate::businesses::local_time(r.next_attempt_at),
            last_error: r.last_error,
        })
        .collect();
    let mut ctx = staff.context();
    ctx.insert("counts", &counts);
    ctx.insert("rows", &rows);
    ctx.insert("transport", state.mailer.transport.name());
    state.templates.page(staff.lang, "admin/outbox.html", &ctx)
}

#[post("/admin/outbox/{id}/retry")]
async fn admin_retry(
    state: web::Data<AppState>,
    staff: Admin,
    id: web::Path<i64>,
    _f: Form,
) -> Result<HttpResponse, AppError> {
    let cmd = RetryEmail { email_id: *id };
    if state.app.run(staff.actor(), cmd).await? {
        staff.flash("email_retry_queued");
    }
    Ok(see_other("/admin/outbox"))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(new_form)
        .service(schedule)
        .service(cancel)
        .service(admin_page)
        .service(admin_retry);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekend_dates_move_to_monday_in_copenhagen_time() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        let nine = NaiveTime::from_hms_opt(9, 0, 0).expect("time");
        assert_eq!(skip_weekend(d(2026, 11, 28)), d(2026, 11, 30), "Saturday");
        assert_eq!(skip_weekend(d(2026, 11, 29)), d(2026, 11, 30), "Sunday");
        assert_eq!(
            skip_weekend(d(2026, 11, 27)),
            d(2026, 11, 27),
            "Friday stays"
        );
        // Winter time: 09:00 is 08:00 UTC; summer time: 07:00 UTC.
        assert_eq!(
            send_time(d(2026, 11, 28), nine).expect("t").to_rfc3339(),
            "2026-11-30T08:00:00+00:00"
        );
        assert_eq!(
            send_time(d(2026, 7, 1), nine).expect("t").to_rfc3339(),
            "2026-07-01T07:00:00+00:00"
        );
    }
}
