//! `/admin/gdpr`: a person's data (look up, export as JSON, erase) and the
//! retention purge, for admins.
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde_json::json;

use super::{ErasePerson, RecordExport, Subject, retention};
use crate::placements::retention as placements;
use crate::web::{
    AppState,
    auth::Admin,
    error::AppError,
    form::{Form, query},
    render::see_other,
};

#[get("/admin/gdpr")]
async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Admin,
) -> Result<HttpResponse, AppError> {
    let now = state.app.clock.now();
    let years = state.settings.placement_retention_years;
    let cutoff = placements::cutoff(state.app.clock.today(), years);
    let placements_due = placements::due(&state.db, cutoff).await?;
    let cutoffs = retention::Cutoffs::of(&state.settings, now);
    let due = retention::due(&state.db, cutoffs).await?;
    let mut ctx = staff.context();
    ctx.insert("years", &years);
    ctx.insert("cutoff", &crate::businesses::date(cutoff));
    ctx.insert("due", &placements_due.len());
    ctx.insert("persons_due", &due.persons.len());
    ctx.insert("needs_due", &due.needs.len());
    ctx.insert("emails_due", &due.emails.len());
    ctx.insert("inactive_years", &state.settings.gdpr_inactive_years);
    ctx.insert("need_years", &state.settings.need_contact_years);
    ctx.insert("email_months", &state.settings.email_body_months);
    ctx.insert("any_due", &(!placements_due.is_empty() || !due.is_empty()));
    // A person looked up: what is held, with the export and the erase.
    let q = query(&req).get("q").trim().to_string();
    ctx.insert("person_q", &q);
    ctx.insert(
        "q_query",
        &serde_urlencoded::to_string([("q", &q)]).unwrap_or_default(),
    );
    if !q.is_empty() {
        match Subject::parse(&q) {
            Err(e) => ctx.insert("q_error", &e.message(staff.lang)),
            Ok(subject) => match super::export(&state.db, &subject, now).await? {
                None => ctx.insert(
                    "q_error",
                    &crate::domain::DomainError::PersonUnknown.message(staff.lang),
                ),
                Some(x) => {
                    ctx.insert("found_persons", &x.contact_persons);
                    ctx.insert(
                        "found",
                        &[
                            (staff.t("gdpr_found_persons"), x.contact_persons.len()),
                            (staff.t("gdpr_found_contacts"), x.contacts_naming_them.len()),
                            (staff.t("gdpr_found_needs"), x.needs_submitted.len()),
                            (staff.t("gdpr_found_emails"), x.emails.len()),
                            (staff.t("gdpr_found_audit"), x.audit_entries.len()),
                        ],
                    );
                }
            },
        }
    }
    state.templates.page(staff.lang, "admin/gdpr.html", &ctx)
}

/// Everything held about the person, as a JSON file (and the export in
/// the audit log, with counts only).
#[get("/admin/gdpr/person/export.json")]
async fn export(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Admin,
) -> Result<HttpResponse, AppError> {
    let subject = Subject::parse(query(&req).get("q")).map_err(|_| AppError::BadRequest)?;
    let x = super::export(&state.db, &subject, state.app.clock.now())
        .await?
        .ok_or(AppError::NotFound)?;
    let counts = json!({
        "persons": x.contact_persons.len(),
        "contacts": x.contacts_naming_them.len(),
        "needs": x.needs_submitted.len(),
        "emails": x.emails.len(),
        "audit_entries": x.audit_entries.len(),
    });
    state
        .app
        .run(staff.actor(), RecordExport { counts })
        .await?;
    let body = serde_json::to_string_pretty(&x).map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .insert_header(("cache-control", "no-store"))
        .insert_header((
            "content-disposition",
            "attachment; filename=\"personoplysninger.json\"",
        ))
        .body(body))
}

#[post("/admin/gdpr/person/erase")]
async fn erase(
    state: web::Data<AppState>,
    staff: Admin,
    Form(f): Form,
) -> Result<HttpResponse, AppError> {
    let subject = Subject::parse(f.get("q")).map_err(|_| AppError::BadRequest)?;
    let done = state
        .app
        .run(staff.actor(), ErasePerson { subject })
        .await?;
    crate::web::auth::set_flash(
        &staff.session,
        &format!(
            "{} {} · {} {} · {} {}",
            staff.t("gdpr_erased"),
            done.persons,
            staff.t("gdpr_found_needs"),
            done.needs,
            staff.t("gdpr_found_emails"),
            done.emails_deleted + done.emails_redacted
        ),
    );
    Ok(see_other("/admin/gdpr"))
}

/// The retention purge: placements anonymised, and the rest removed.
#[post("/admin/gdpr/purge")]
async fn purge(
    state: web::Data<AppState>,
    staff: Admin,
    _f: Form,
) -> Result<HttpResponse, AppError> {
    let cutoff = placements::cutoff(
        state.app.clock.today(),
        state.settings.placement_retention_years,
    );
    let n = state
        .app
        .run(staff.actor(), placements::AnonymisePlacements { cutoff })
        .await?;
    let cutoffs = retention::Cutoffs::of(&state.settings, state.app.clock.now());
    let d = state
        .app
        .run(staff.actor(), retention::Purge { cutoffs })
        .await?;
    let num = |n: usize| crate::web::i18n::number(staff.lang, n as i64);
    crate::web::auth::set_flash(
        &staff.session,
        &format!(
            "{} {} · {} {} · {} {} · {} {}",
            num(n),
            staff.t("gdpr_anonymised"),
            num(d.persons.len()),
            staff.t("gdpr_purged_persons"),
            num(d.needs.len()),
            staff.t("gdpr_purged_needs"),
            num(d.emails.len()),
            staff.t("gdpr_purged_emails"),
        ),
    );
    Ok(see_other("/admin/gdpr"))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(page)
        .service(export)
        .service(erase)
        .service(purge);
}
