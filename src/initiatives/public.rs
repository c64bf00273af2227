//! The public status page (`/strategi`, no sign-in): only initiatives
//! marked public, their status and milestones, and the public key
//! figures. And the public front page a visitor without a session sees.
use std::collections::HashMap;

use actix_web::{HttpResponse, get, web};
use entity::{initiative, initiative_milestone};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use super::queries::{self, is_late};
use crate::app::clock::{format_date, format_local};
use crate::domain::InitiativeStatus;
use crate::web::{AppState, auth::Visitor, error::AppError};

#[derive(Serialize)]
struct PublicMilestone {
    title: String,
    due: String,
    done: Option<String>,
    late: bool,
}

#[derive(Serialize)]
struct PublicInitiative {
    title: String,
    description: Option<String>,
    status: &'static str,
    status_label: &'static str,
    period: String,
    last_update: Option<String>,
    milestones: Vec<PublicMilestone>,
}

#[get("/strategi")]
async fn status_page(
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let lang = visitor.lang;
    let today = state.app.clock.today();
    let shown = initiative::Entity::find()
        .filter(initiative::Column::IsPublic.eq(true))
        .order_by_asc(initiative::Column::Title)
        .all(&state.db)
        .await?;
    let mut milestones: HashMap<i32, Vec<initiative_milestone::Model>> = HashMap::new();
    for m in initiative_milestone::Entity::find()
        .filter(initiative_milestone::Column::InitiativeId.is_in(shown.iter().map(|i| i.id)))
        .order_by_asc(initiative_milestone::Column::DueOn)
        .all(&state.db)
        .await?
    {
        milestones.entry(m.initiative_id).or_default().push(m);
    }
    let groups: Vec<(String, Vec<PublicInitiative>)> = queries::tracks(&state.db, lang)
        .await?
        .into_iter()
        .map(|t| {
            let items: Vec<PublicInitiative> = shown
                .iter()
                .filter(|i| i.track_id == t.id)
                .map(|i| {
                    let s =
                        InitiativeStatus::parse(&i.status).unwrap_or(InitiativeStatus::NotStarted);
                    PublicInitiative {
                        title: i.title.clone(),
                        description: i.description.clone(),
                        status: s.as_str(),
                        status_label: s.label(lang),
                        period: format!(
                            "{} – {}",
                            format_date(i.start_date),
                            i.end_date.map(format_date).unwrap_or_default()
                        ),
                        last_update: i.last_update_at.map(format_local),
                        milestones: milestones
                            .remove(&i.id)
                            .unwrap_or_default()
                            .into_iter()
                            .map(|m| PublicMilestone {
                                late: is_late(&m, s, today),
                                title: m.title,
                                due: format_date(m.due_on),
                                done: m.done_on.map(format_date),
                            })
                            .collect(),
                    }
                })
                .collect();
            (t.name, items)
        })
        .filter(|(_, items)| !items.is_empty())
        .collect();
    let figures = queries::figure_views(
        &state.db,
        &state.figures,
        state.settings.need_first_contact_days,
        lang,
        today,
        true,
        None,
    )
    .await?;
    let mut ctx = visitor.context();
    ctx.insert("path", "/strategi");
    ctx.insert("groups", &groups);
    ctx.insert("figures", &figures);
    ctx.insert("public", &true);
    state.templates.page(lang, "strategi.html", &ctx)
}

/// `/` for a visitor without a session: the recruitment form, the status
/// page and the staff sign-in.
pub fn front_page(state: &AppState, visitor: &Visitor) -> Result<HttpResponse, AppError> {
    let mut ctx = visitor.context();
    ctx.insert("path", "/");
    state.templates.page(visitor.lang, "front.html", &ctx)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(status_page);
}
