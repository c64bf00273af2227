//! The initiative pages: the list by track, an initiative's page (its
//! milestones, businesses and log of status updates), and the forms.
//! Consultants and admins edit; the council reads.
use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::NaiveDate;
use entity::{business, initiative, initiative_business, initiative_milestone};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use super::commands::{
    AddMilestone, InitiativeInput, LinkBusiness, PostStatusUpdate, SaveInitiative,
    SetMilestoneDone, UnlinkBusiness,
};
use super::queries::{self, is_late, is_stale};
use crate::app::{Invalid, clock::format_date};
use crate::domain::{
    Cvr, DomainError, InitiativeStatus, UpdateInterval, optional_text, required_text,
};
use crate::web::{
    AppState,
    auth::{CaseWorker, Staff},
    error::AppError,
    fields::{Field, FieldErrors, first_error, messages},
    form::{Form, FormData, date, query, required_date},
    render::{html_status, see_other},
};

fn status_of(code: &str) -> InitiativeStatus {
    InitiativeStatus::parse(code).unwrap_or(InitiativeStatus::NotStarted)
}

#[derive(Serialize)]
struct Row {
    id: i32,
    title: String,
    owner: String,
    status: &'static str,
    status_label: &'static str,
    stale: bool,
    late: usize,
    period: String,
    last_update: String,
    public: bool,
}

fn period(i: &initiative::Model) -> String {
    format!(
        "{} – {}",
        format_date(i.start_date),
        i.end_date.map(format_date).unwrap_or_default()
    )
}

#[get("/initiatives")]
async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    let q = query(&req);
    let lang = staff.lang;
    let now = state.app.clock.now();
    let today = state.app.clock.today();
    let tracks = queries::tracks(&state.db, lang).await?;
    let status = InitiativeStatus::parse(q.get("status")).ok();
    let stale_only = q.get("stale") == "1";
    let mine = q.get("mine") == "1";
    let track = tracks.iter().find(|t| t.code == q.get("track").trim());
    let mut select = initiative::Entity::find().order_by_asc(initiative::Column::Title);
    if let Some(t) = track {
        select = select.filter(initiative::Column::TrackId.eq(t.id));
    }
    if let Some(s) = status {
        select = select.filter(initiative::Column::Status.eq(s.as_str()));
    }
    if mine {
        select = select.filter(initiative::Column::OwnerId.eq(staff.id));
    }
    let mut found = select.all(&state.db).await?;
    if stale_only {
        found.retain(|i| is_stale(i, now));
    }
    let late = queries::late_milestones(&state.db, &found, today).await?;
    let owners =
        crate::businesses::queries::user_names(&state.db, found.iter().map(|i| i.owner_id)).await?;
    let groups: Vec<(String, Vec<Row>)> = tracks
        .iter()
        .map(|t| {
            let rows = found
                .iter()
                .filter(|i| i.track_id == t.id)
                .map(|i| {
                    let s = status_of(&i.status);
                    Row {
                        id: i.id,
                        title: i.title.clone(),
                        owner: owners.get(&i.owner_id).cloned().unwrap_or_default(),
                        status: s.as_str(),
                        status_label: s.label(lang),
                        stale: is_stale(i, now),
                        late: late.get(&i.id).copied().unwrap_or(0),
                        period: period(i),
                        last_update: i
                            .last_update_at
                            .map(crate::app::clock::format_local)
                            .unwrap_or_else(|| "–".into()),
                        public: i.is_public,
                    }
                })
                .collect();
            (t.name.clone(), rows)
        })
        .filter(|(_, rows): &(String, Vec<Row>)| !rows.is_empty())
        .collect();
    let mut ctx = staff.context();
    ctx.insert("groups", &groups);
    ctx.insert("count", &found.len());
    ctx.insert("tracks", &tracks);
    ctx.insert("track", &track.map(|t| t.code.clone()).unwrap_or_default());
    ctx.insert("status", status.map_or("", |s| s.as_str()));
    ctx.insert("stale_only", &stale_only);
    ctx.insert("mine", &mine);
    ctx.insert("statuses", &status_options(lang));
    state.templates.page(lang, "initiatives/list.html", &ctx)
}

fn status_options(lang: crate::domain::Lang) -> Vec<(String, String)> {
    InitiativeStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), s.label(lang).to_string()))
        .collect()
}

/// Every field of the initiative form, as typed.
const FIELDS: [&str; 8] = [
    "title",
    "track_id",
    "owner_id",
    "description",
    "start_date",
    "end_date",
    "update_every",
    "is_public",
];

pub(crate) fn parse(
    f: &FormData,
    tracks: &[i32],
    owners: &[i32],
) -> Result<InitiativeInput, Invalid> {
    let mut e = Invalid::new();
    let title = e.check("title", required_text(f.get("title"), 200));
    let pick = |name: &str, ids: &[i32], err: DomainError| {
        f.get(name)
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|id| ids.contains(id))
            .ok_or(err)
    };
    let track_id = e.check(
        "track_id",
        pick("track_id", tracks, DomainError::UnknownValue),
    );
    let owner_id = e.check(
        "owner_id",
        pick("owner_id", owners, DomainError::UnknownConsultant),
    );
    let description = e
        .check("description", optional_text(f.get("description"), 4000))
        .flatten();
    let start_date = e.check("start_date", required_date(f.get("start_date")));
    let end_date = e
        .check("end_date", crate::businesses::opt(f.get("end_date"), date))
        .flatten();
    if let (Some(s), Some(end)) = (start_date, end_date)
        && end < s
    {
        e.add("end_date", DomainError::EndBeforeStart);
    }
    let interval = e.check("update_every", UpdateInterval::parse(f.get("update_every")));
    e.into_result(|| {
        Some(InitiativeInput {
            track_id: track_id?,
            title: title?,
            description,
            owner_id: owner_id?,
            start_date: start_date?,
            end_date,
            interval: interval?,
            is_public: f.checked("is_public"),
        })
    })
}

async fn form_page(
    state: &AppState,
    staff: &Staff,
    id: Option<i32>,
    values: &BTreeMap<&'static str, String>,
    errors: &FieldErrors,
    status: u16,
) -> Result<HttpResponse, AppError> {
    let lang = staff.lang;
    let t = |k: &str| staff.t(k);
    let tracks: Vec<(String, String)> = queries::tracks(&state.db, lang)
        .await?
        .into_iter()
        .map(|t| (t.id.to_string(), t.name))
        .collect();
    let intervals = UpdateInterval::ALL
        .iter()
        .map(|i| (i.as_str().to_string(), i.label(lang).to_string()))
        .collect();
    let fields: Vec<Field> = vec![
        Field::new("title", t("initiative_title"), "text").required(),
        Field::new("track_id", t("initiative_track"), "select").options(tracks),
        Field::new("owner_id", t("initiative_owner"), "select")
            .options(state.consultants.options(&state.db).await?),
        Field::new("description", t("initiative_description"), "textarea"),
        Field::new("start_date", t("initiative_start"), "date").required(),
        Field::new("end_date", t("initiative_end"), "date"),
        Field::new("update_every", t("initiative_update_every"), "select")
            .options(intervals)
            .hint(t("initiative_update_every_hint")),
        Field::new("is_public", t("initiative_public"), "checkbox")
            .hint(t("initiative_public_hint")),
    ]
    .into_iter()
    .map(|f| f.fill(values, errors))
    .collect();
    let mut ctx = staff.context();
    ctx.insert("id", &id);
    ctx.insert("first_error", &first_error(&fields));
    ctx.insert("fields", &fields);
    let body = state
        .templates
        .render(lang, "initiatives/form.html", &ctx)?;
    Ok(html_status(status, body))
}

#[get("/initiatives/new")]
async fn new_form(state: web::Data<AppState>, staff: CaseWorker) -> Result<HttpResponse, AppError> {
    let mut v: BTreeMap<&'static str, String> =
        FIELDS.iter().map(|k| (*k, String::new())).collect();
    v.insert("owner_id", staff.id.to_string());
    v.insert("update_every", UpdateInterval::Monthly.as_str().into());
    v.insert(
        "start_date",
        state.app.clock.today().format("%Y-%m-%d").to_string(),
    );
    form_page(&state, &staff, None, &v, &FieldErrors::new(), 200).await
}

async fn save(
    state: &AppState,
    staff: &Staff,
    id: Option<i32>,
    f: FormData,
) -> Result<HttpResponse, AppError> {
    let tracks: Vec<i32> = queries::tracks(&state.db, staff.lang)
        .await?
        .iter()
        .map(|t| t.id)
        .collect();
    let owners = state.consultants.ids(&state.db).await?;
    let result = match parse(&f, &tracks, &owners) {
        Ok(input) => {
            state
                .app
                .run(
                    staff.actor(),
                    SaveInitiative {
                        id,
                        input,
                        if_match: None,
                    },
                )
                .await
        }
        Err(invalid) => Err(invalid.into()),
    };
    match result {
        Ok(saved) => {
            staff.flash("initiative_saved");
            Ok(see_other(&format!("/initiatives/{saved}")))
        }
        Err(e) => {
            let invalid = e.field_errors().ok_or(e)?;
            let typed: BTreeMap<&'static str, String> =
                FIELDS.iter().map(|k| (*k, f.get(k).to_string())).collect();
            form_page(
                state,
                staff,
                id,
                &typed,
                &messages(&invalid, staff.lang),
                422,
            )
            .await
        }
    }
}

#[post("/initiatives")]
async fn create(
    state: web::Data<AppState>,
    staff: CaseWorker,
    Form(f): Form,
) -> Result<HttpResponse, AppError> {
    save(&state, &staff, None, f).await
}

#[get("/initiatives/{id}/edit")]
async fn edit_form(
    state: web::Data<AppState>,
    staff: CaseWorker,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let i = crate::web::find_or_404::<initiative::Entity>(&state.db, *id).await?;
    let iso = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let v: BTreeMap<&'static str, String> = [
        ("title", i.title.clone()),
        ("track_id", i.track_id.to_string()),
        ("owner_id", i.owner_id.to_string()),
        ("description", i.description.clone().unwrap_or_default()),
        ("start_date", iso(i.start_date)),
        ("end_date", i.end_date.map(iso).unwrap_or_default()),
        (
            "update_every",
            UpdateInterval::from_days(i.update_every_days)
                .as_str()
                .to_string(),
        ),
        ("is_public", if i.is_public { "on" } else { "" }.to_string()),
    ]
    .into_iter()
    .collect();
    form_page(&state, &staff, Some(i.id), &v, &FieldErrors::new(), 200).await
}

#[post("/initiatives/{id}")]
async fn update(
    state: web::Data<AppState>,
    staff: CaseWorker,
    id: web::Path<i32>,
    Form(f): Form,
) -> Result<HttpResponse, AppError> {
    save(&state, &staff, Some(*id), f).await
}

#[derive(Serialize)]
struct MilestoneRow {
    id: i32,
    title: String,
    due: String,
    done: Option<String>,
    late: bool,
}

#[derive(Serialize)]
struct LinkedBusiness {
    id: i32,
    name: String,
    cvr: String,
}

/// Which of the page's small forms was sent back with errors.
struct Returned {
    form: &'static str,
    values: BTreeMap<&'static str, String>,
    errors: FieldErrors,
}

async fn detail_page(
    state: &AppState,
    staff: &Staff,
    id: i32,
    returned: Option<Returned>,
) -> Result<HttpResponse, AppError> {
    let lang = staff.lang;
    let t = |k: &str| staff.t(k);
    let now = state.app.clock.now();
    let today = state.app.clock.today();
    let i = crate::web::find_or_404::<initiative::Entity>(&state.db, id).await?;
    let status = status_of(&i.status);
    let track = queries::tracks(&state.db, lang)
        .await?
        .into_iter()
        .find(|t| t.id == i.track_id);
    let owner = crate::businesses::queries::user_names(&state.db, [i.owner_id])
        .await?
        .remove(&i.owner_id)
        .unwrap_or_default();
    let milestones: Vec<MilestoneRow> = initiative_milestone::Entity::find()
        .filter(initiative_milestone::Column::InitiativeId.eq(i.id))
        .order_by_asc(initiative_milestone::Column::DueOn)
        .order_by_asc(initiative_milestone::Column::Id)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|m| MilestoneRow {
            late: is_late(&m, status, today),
            id: m.id,
            title: m.title,
            due: format_date(m.due_on),
            done: m.done_on.map(format_date),
        })
        .collect();
    let links = initiative_business::Entity::find()
        .filter(initiative_business::Column::InitiativeId.eq(i.id))
        .all(&state.db)
        .await?;
    let businesses: Vec<LinkedBusiness> = business::Entity::find()
        .filter(business::Column::Id.is_in(links.iter().map(|l| l.business_id)))
        .order_by_asc(business::Column::Name)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|b| LinkedBusiness {
            id: b.id,
            name: b.name,
            cvr: format!("{:08}", b.cvr),
        })
        .collect();
    let log = queries::updates(&state.db, lang, Some(i.id), None, 500).await?;
    let figures = {
        use entity::key_figure;
        let ids: Vec<i32> = key_figure::Entity::find()
            .filter(key_figure::Column::InitiativeId.eq(i.id))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|f| f.id)
            .collect();
        if ids.is_empty() {
            Vec::new()
        } else {
            queries::figure_views(
                &state.db,
                &state.figures,
                state.settings.need_first_contact_days,
                lang,
                today,
                false,
                Some(ids),
            )
            .await?
        }
    };
    let empty = BTreeMap::new();
    let no_errors = FieldErrors::new();
    let (form, values, errors) = match &returned {
        Some(r) => (r.form, &r.values, &r.errors),
        None => ("", &empty, &no_errors),
    };
    let pick = |name: &str| {
        if form == name {
            (values, errors)
        } else {
            (&empty, &no_errors)
        }
    };
    let mut update_values = BTreeMap::new();
    update_values.insert("status", status.as_str().to_string());
    let (uv, ue) = if form == "update" {
        (values, errors)
    } else {
        (&update_values, &no_errors)
    };
    let update_fields: Vec<Field> = vec![
        Field::new("status", t("status"), "select").options(status_options(lang)),
        Field::new("text", t("initiative_update_text"), "textarea")
            .required()
            .hint(t("initiative_update_hint")),
    ]
    .into_iter()
    .map(|f| f.fill(uv, ue))
    .collect();
    let (mv, me) = pick("milestone");
    let milestone_fields: Vec<Field> = vec![
        Field::new("title", t("milestone_title"), "text").required(),
        Field::new("due_on", t("milestone_due"), "date").required(),
    ]
    .into_iter()
    .map(|f| f.fill(mv, me))
    .collect();
    let (bv, be) = pick("business");
    let business_fields: Vec<Field> =
        vec![Field::new("cvr", t("cvr"), "text").hint(t("initiative_link_hint"))]
            .into_iter()
            .map(|f| f.fill(bv, be))
            .collect();
    let mut ctx = staff.context();
    ctx.insert(
        "i",
        &serde_json::json!({
            "id": i.id,
            "title": i.title,
            "description": i.description,
            "is_public": i.is_public,
        }),
    );
    ctx.insert("track", &track.map(|t| t.name).unwrap_or_default());
    ctx.insert("owner", &owner);
    ctx.insert("status", status.as_str());
    ctx.insert("status_label", status.label(lang));
    ctx.insert("stale", &is_stale(&i, now));
    ctx.insert("period", &period(&i));
    ctx.insert(
        "interval",
        UpdateInterval::from_days(i.update_every_days).label(lang),
    );
    ctx.insert("milestones", &milestones);
    ctx.insert("businesses", &businesses);
    ctx.insert("log", &log);
    ctx.insert("figures", &figures);
    ctx.insert("update_fields", &update_fields);
    ctx.insert("milestone_fields", &milestone_fields);
    ctx.insert("business_fields", &business_fields);
    ctx.insert("returned", form);
    // One summary at the top of the page, not one per form.
    ctx.insert("first_error", &Option::<&str>::None);
    ctx.insert(
        "page_error",
        &first_error(match form {
            "update" => &update_fields,
            "milestone" => &milestone_fields,
            "business" => &business_fields,
            _ => &[],
        }),
    );
    let body = state
        .templates
        .render(lang, "initiatives/detail.html", &ctx)?;
    Ok(html_status(
        if returned.is_some() { 422 } else { 200 },
        body,
    ))
}

#[get("/initiatives/{id}")]
async fn detail(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    detail_page(&state, &staff, *id, None).await
}

/// One of the small forms on an initiative's page.
struct PageForm {
    name: &'static str,
    fields: &'static [&'static str],
    flash: &'static str,
}

const UPDATE_FORM: PageForm = PageForm {
    name: "update",
    fields: &["status", "text"],
    flash: "initiative_update_saved",
};
const MILESTONE_FORM: PageForm = PageForm {
    name: "milestone",
    fields: &["title", "due_on"],
    flash: "milestone_saved",
};
const BUSINESS_FORM: PageForm = PageForm {
    name: "business",
    fields: &["cvr"],
    flash: "initiative_business_linked",
};

/// Runs a command of the initiative's page: back to the page, or the page
/// again with the form as typed and its errors.
async fn page_command<C: crate::app::Command>(
    state: &AppState,
    staff: &Staff,
    id: i32,
    form: &PageForm,
    f: &FormData,
    parsed: Result<C, Invalid>,
) -> Result<HttpResponse, AppError> {
    match state.app.run_parsed(staff.actor(), parsed).await {
        Ok(_) => {
            staff.flash(form.flash);
            Ok(see_other(&format!("/initiatives/{id}")))
        }
        Err(e) => {
            let invalid = e.field_errors().ok_or(e)?;
            let returned = Returned {
                form: form.name,
                values: form
                    .fields
                    .iter()
                    .map(|k| (*k, f.get(k).to_string()))
                    .collect(),
                errors: messages(&invalid, staff.lang),
            };
            detail_page(state, staff, id, Some(returned)).await
        }
    }
}

#[post("/initiatives/{id}/updates")]
async fn post_update(
    state: web::Data<AppState>,
    staff: CaseWorker,
    id: web::Path<i32>,
    Form(f): Form,
) -> Result<HttpResponse, AppError> {
    let mut e = Invalid::new();
    let status = e.check("status", InitiativeStatus::parse(f.get("status")));
    let text = e.check("text", required_text(f.get("text"), 2000));
    let parsed = e.into_result(|| {
        Some(PostStatusUpdate {
            initiative_id: *id,
            status: status?,
            text: text?,
        })
    });
    page_command(&state, &staff, *id, &UPDATE_FORM, &f, parsed).await
}

#[post("/initiatives/{id}/milestones")]
async fn add_milestone(
    state: web::Data<AppState>,
    staff: CaseWorker,
    id: web::Path<i32>,
    Form(f): Form,
) -> Result<HttpResponse, AppError> {
    let mut e = Invalid::new();
    let title = e.check("title", required_text(f.get("title"), 200));
    let due_on = e.check("due_on", required_date(f.get("due_on")));
    let parsed = e.into_result(|| {
        Some(AddMilestone {
            initiative_id: *id,
            title: title?,
            due_on: due_on?,
        })
    });
    page_command(&state, &staff, *id, &MILESTONE_FORM, &f, parsed).await
}

/// `done=1` marks it done today; anything else marks it not done.
#[post("/initiatives/{id}/milestones/{mid}/done")]
async fn milestone_done(
    state: web::Data<AppState>,
    staff: CaseWorker,
    path: web::Path<(i32, i32)>,
    Form(f): Form,
) -> Result<HttpResponse, AppError> {
    let (id, mid) = *path;
    let cmd = SetMilestoneDone {
        initiative_id: id,
        milestone_id: mid,
        done_on: (f.get("done") == "1").then(|| state.app.clock.today()),
    };
    state.app.run(staff.actor(), cmd).await?;
    staff.flash("milestone_saved");
    Ok(see_other(&format!("/initiatives/{id}#milestones")))
}

#[post("/initiatives/{id}/businesses")]
async fn link_business(
    state: web::Data<AppState>,
    staff: CaseWorker,
    id: web::Path<i32>,
    Form(f): Form,
) -> Result<HttpResponse, AppError> {
    let parsed = Cvr::parse(f.get("cvr"))
        .map(|cvr| LinkBusiness {
            initiative_id: *id,
            cvr,
        })
        .map_err(|e| Invalid::single("cvr", e));
    page_command(&state, &staff, *id, &BUSINESS_FORM, &f, parsed).await
}

#[post("/initiatives/{id}/businesses/{bid}/delete")]
async fn unlink_business(
    state: web::Data<AppState>,
    staff: CaseWorker,
    path: web::Path<(i32, i32)>,
    _f: Form,
) -> Result<HttpResponse, AppError> {
    let (id, bid) = *path;
    let cmd = UnlinkBusiness {
        initiative_id: id,
        business_id: bid,
    };
    state.app.run(staff.actor(), cmd).await?;
    staff.flash("initiative_business_unlinked");
    Ok(see_other(&format!("/initiatives/{id}#businesses")))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    // `/initiatives/new` before `/initiatives/{id}`.
    cfg.service(list)
        .service(new_form)
        .service(create)
        .service(edit_form)
        .service(detail)
        .service(update)
        .service(post_update)
        .service(add_milestone)
        .service(milestone_done)
        .service(link_business)
        .service(unlink_business);
}
