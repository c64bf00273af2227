//! The business council's dashboard (staff see it too): status at a glance
//! per track, every key figure against its target as a chart with its
//! numbers beside it, the latest status updates; each chart's data as CSV;
//! the quarterly report button for admins.
use actix_web::{HttpResponse, get, post, web};
use entity::key_figure;

use super::queries;
use super::report::{self, Outcome, Quarter};
use crate::domain::InitiativeStatus;
use crate::web::{
    AppState,
    auth::{Admin, Staff},
    error::AppError,
    form::Form,
    render::see_other,
};

#[get("/dashboard")]
async fn dashboard(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, AppError> {
    let lang = staff.lang;
    let now = state.app.clock.now();
    let today = state.app.clock.today();
    let tracks = queries::track_summaries(&state.db, lang, now, false).await?;
    let figures = queries::figure_views(
        &state.db,
        &state.figures,
        state.settings.need_first_contact_days,
        lang,
        today,
        false,
        None,
    )
    .await?;
    let updates = queries::updates(&state.db, lang, None, None, 10).await?;
    let statuses: Vec<(&str, &str)> = InitiativeStatus::ALL
        .iter()
        .map(|s| (s.as_str(), s.label(lang)))
        .collect();
    let quarter = Quarter::last_complete(today);
    let mut ctx = staff.context();
    ctx.insert("tracks", &tracks);
    ctx.insert("statuses", &statuses);
    ctx.insert("figures", &figures);
    ctx.insert("updates", &updates);
    ctx.insert("total", &tracks.iter().map(|t| t.total).sum::<usize>());
    ctx.insert("stale", &tracks.iter().map(|t| t.stale).sum::<usize>());
    ctx.insert(
        "late",
        &tracks.iter().map(|t| t.late_milestones).sum::<usize>(),
    );
    ctx.insert("quarter", &quarter.label(lang));
    ctx.insert("council_email", &state.settings.council_email);
    ctx.insert("today", &crate::app::clock::format_date(today));
    state.templates.page(lang, "dashboard.html", &ctx)
}

/// One chart's numbers, as a CSV file for Danish Excel.
#[get("/dashboard/figures/{id}/data.csv")]
async fn figure_csv(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let f = crate::web::find_or_404::<key_figure::Entity>(&state.db, *id).await?;
    figure_csv_response(&state, staff.lang, f).await
}

/// The CSV of a figure (also the public page's, for public figures).
pub(super) async fn figure_csv_response(
    state: &AppState,
    lang: crate::domain::Lang,
    f: key_figure::Model,
) -> Result<HttpResponse, AppError> {
    let mut views = queries::figure_views(
        &state.db,
        &state.figures,
        state.settings.need_first_contact_days,
        lang,
        state.app.clock.today(),
        false,
        Some(vec![f.id]),
    )
    .await?;
    let view = views.pop().ok_or(AppError::NotFound)?;
    let header: Vec<&str> = view.columns.iter().map(String::as_str).collect();
    let records = view.raw.iter().map(|(date, values)| {
        std::iter::once(date.clone())
            .chain(values.iter().map(|v| {
                v.map(|v| {
                    let s = format!("{v}");
                    match lang {
                        crate::domain::Lang::Da => s.replace('.', ","),
                        crate::domain::Lang::En => s,
                    }
                })
                .unwrap_or_default()
            }))
            .collect::<Vec<String>>()
    });
    crate::web::csv_export::excel_csv(&format!("{}.csv", f.code), &header, records)
}

/// Queues the last complete quarter's report to the council's address;
/// pressing it again in the same quarter queues nothing more.
#[post("/dashboard/report")]
async fn send_report(
    state: web::Data<AppState>,
    staff: Admin,
    _f: Form,
) -> Result<HttpResponse, AppError> {
    let Some(recipient) = state.settings.council_email.clone() else {
        staff.flash("report_no_address");
        return Ok(see_other("/dashboard#report"));
    };
    let quarter = Quarter::last_complete(state.app.clock.today());
    let outcome = report::queue(
        &state.app,
        &state.db,
        &state.mailer.templates,
        &state.figures,
        state.settings.need_first_contact_days,
        &state.mailer.app_url,
        &recipient,
        quarter,
        staff.actor(),
    )
    .await?;
    staff.flash(match outcome {
        Outcome::Queued => "report_queued",
        Outcome::AlreadyQueued => "report_already_queued",
    });
    Ok(see_other("/dashboard#report"))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(dashboard)
        .service(figure_csv)
        .service(send_report);
}
