//! The placement pages. Consultants and admins see rows; the council sees
//! counts only. Every page that shows placement rows records the read.
use std::collections::{BTreeMap, HashMap};

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{Duration, NaiveDate};
use entity::{business, p_unit, placement, recruitment_need};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;

use super::commands::{PlacementInput, RecordPlacementReads, SavePlacement};
use super::rules;
use crate::app::{Invalid, clock::format_date};
use crate::domain::{
    CaseRef, DomainError, EndReason, Lang, PlacementKind, PlacementStatus, Role, TargetGroup,
    format_hours, looks_like_cpr, optional_text, parse_hours,
};
use crate::web::{
    AppState,
    auth::{CaseWorker, Staff},
    error::AppError,
    fields::{Field, FieldErrors, first_error, messages},
    form::{Form, FormData, date, query, required_date},
    render::{html_status, see_other},
};

/// Rows on one page of the list.
const LIST_LIMIT: u64 = 100;

#[derive(Serialize)]
struct Row {
    id: i32,
    business_id: i32,
    business: String,
    workplace: String,
    kind: &'static str,
    case_ref: String,
    target_group: &'static str,
    start: String,
    end: String,
    status: &'static str,
    status_code: &'static str,
    consultant: String,
    /// Ends within 14 days, or is past its end and still open.
    attention: bool,
}

fn label<T>(
    code: &str,
    parse: impl Fn(&str) -> Result<T, DomainError>,
    l: impl Fn(T) -> &'static str,
) -> &'static str {
    parse(code).map(l).unwrap_or("")
}

/// One column of the rows with these ids, by id.
async fn id_map<E, V>(
    db: &sea_orm::DatabaseConnection,
    id: E::Column,
    value: E::Column,
    ids: impl Iterator<Item = i32>,
) -> Result<HashMap<i32, V>, DbErr>
where
    E: EntityTrait,
    V: sea_orm::TryGetable,
{
    let ids: Vec<i32> = ids.collect();
    Ok(E::find()
        .select_only()
        .column(id)
        .column(value)
        .filter(id.is_in(ids))
        .into_tuple::<(i32, V)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

async fn rows(
    state: &AppState,
    found: &[placement::Model],
    lang: Lang,
    today: NaiveDate,
) -> Result<Vec<Row>, AppError> {
    let names: HashMap<i32, String> = id_map::<business::Entity, _>(
        &state.db,
        business::Column::Id,
        business::Column::Name,
        found.iter().map(|p| p.business_id),
    )
    .await?;
    let units: HashMap<i32, i64> = id_map::<p_unit::Entity, _>(
        &state.db,
        p_unit::Column::Id,
        p_unit::Column::PNumber,
        found.iter().filter_map(|p| p.p_unit_id),
    )
    .await?;
    let people =
        crate::businesses::queries::user_names(&state.db, found.iter().map(|p| p.consultant_id))
            .await?;
    Ok(found
        .iter()
        .map(|p| {
            let end = p.ended_on.or(p.planned_end);
            let open = PlacementStatus::parse(&p.status).is_ok_and(PlacementStatus::is_open);
            Row {
                id: p.id,
                business_id: p.business_id,
                business: names.get(&p.business_id).cloned().unwrap_or_default(),
                workplace: p
                    .p_unit_id
                    .and_then(|id| units.get(&id))
                    .map(|n| format!("P {n:010}"))
                    .unwrap_or_default(),
                kind: label(&p.kind, PlacementKind::parse, |k| k.label(lang)),
                case_ref: p.case_ref.clone().unwrap_or_else(|| "—".into()),
                target_group: label(&p.target_group, TargetGroup::parse, |k| k.label(lang)),
                start: format_date(p.start_date),
                end: end.map(format_date).unwrap_or_else(|| "—".into()),
                status: label(&p.status, PlacementStatus::parse, |k| k.label(lang)),
                status_code: PlacementStatus::parse(&p.status)
                    .map(|s| s.as_str())
                    .unwrap_or(""),
                consultant: people.get(&p.consultant_id).cloned().unwrap_or_default(),
                attention: open && end.is_some_and(|e| e <= today + Duration::days(14)),
            }
        })
        .collect())
}

/// The list's views.
const VIEWS: [&str; 5] = ["active", "upcoming", "mine", "closed", "all"];

#[get("/placements")]
async fn list_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    if staff.role == Role::Council {
        return counts_page(&state, &staff).await;
    }
    let q = query(&req);
    let view = VIEWS
        .iter()
        .copied()
        .find(|v| *v == q.get("view"))
        .unwrap_or("active");
    let business_filter: Option<i32> = q.get("business").parse().ok();
    let today = state.app.clock.today();
    let select = select_view(view, business_filter, staff.id, today);
    let page: u64 = q.get("page").parse().unwrap_or(1).max(1);
    let found = select
        .offset((page - 1) * LIST_LIMIT)
        .limit(LIST_LIMIT + 1)
        .all(&state.db)
        .await?;
    let more = found.len() as u64 > LIST_LIMIT;
    let found: Vec<placement::Model> = found.into_iter().take(LIST_LIMIT as usize).collect();
    let shown = rows(&state, &found, staff.lang, today).await?;
    let cmd = RecordPlacementReads {
        ids: found.iter().map(|p| p.id).collect(),
        view: "list",
    };
    // Reads at the same moment share one commit (group commit).
    state.app.run_batched(staff.actor(), cmd).await?;
    let mut ctx = staff.context();
    ctx.insert("rows", &shown);
    ctx.insert("more", &more);
    ctx.insert("view", view);
    ctx.insert("business", &business_filter);
    let url = |p: u64| {
        let mut pairs = vec![("view", view.to_string()), ("page", p.to_string())];
        if let Some(b) = business_filter {
            pairs.push(("business", b.to_string()));
        }
        format!(
            "/placements?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    };
    ctx.insert("page", &page);
    ctx.insert("prev_url", &(page > 1).then(|| url(page - 1)));
    ctx.insert("next_url", &more.then(|| url(page + 1)));
    ctx.insert("pages", &Option::<u64>::None);
    let views: Vec<(&str, &str)> = VIEWS
        .iter()
        .map(|v| (*v, staff.t(&format!("placements_view_{v}"))))
        .collect();
    ctx.insert("views", &views);
    state
        .templates
        .page(staff.lang, "placements/list.html", &ctx)
}

/// The placements of a view of the list, in its order.
fn select_view(
    view: &str,
    business: Option<i32>,
    me: i32,
    today: NaiveDate,
) -> sea_orm::Select<placement::Entity> {
    let open = [
        PlacementStatus::Planned.as_str(),
        PlacementStatus::Active.as_str(),
    ];
    let mut select = placement::Entity::find();
    select = match view {
        "active" => select.filter(placement::Column::Status.is_in(open)),
        "upcoming" => {
            // Starting or ending within 30 days.
            let soon = today + Duration::days(30);
            select.filter(placement::Column::Status.is_in(open)).filter(
                sea_orm::Condition::any()
                    .add(placement::Column::StartDate.between(today, soon))
                    .add(placement::Column::PlannedEnd.between(today, soon)),
            )
        }
        "mine" => select
            .filter(placement::Column::ConsultantId.eq(me))
            .filter(placement::Column::Status.is_in(open)),
        "closed" => select.filter(placement::Column::Status.is_not_in(open)),
        _ => select,
    };
    if let Some(b) = business {
        select = select.filter(placement::Column::BusinessId.eq(b));
    }
    // What comes next first when looking ahead; the newest first otherwise.
    if view == "upcoming" {
        select.order_by_asc(placement::Column::StartDate)
    } else {
        select.order_by_desc(placement::Column::StartDate)
    }
    .order_by_asc(placement::Column::Id)
}

/// The view as a CSV file for Danish Excel; every row in it is a read.
#[get("/placements/export.csv")]
async fn export(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: CaseWorker,
) -> Result<HttpResponse, AppError> {
    let q = query(&req);
    let view = VIEWS
        .iter()
        .copied()
        .find(|v| *v == q.get("view"))
        .unwrap_or("active");
    let today = state.app.clock.today();
    let found = select_view(view, q.get("business").parse().ok(), staff.id, today)
        .all(&state.db)
        .await?;
    let cmd = RecordPlacementReads {
        ids: found.iter().map(|p| p.id).collect(),
        view: "export",
    };
    // Reads at the same moment share one commit (group commit).
    state.app.run_batched(staff.actor(), cmd).await?;
    let shown = rows(&state, &found, staff.lang, today).await?;
    let t = |k: &str| staff.t(k);
    let header = [
        t("placement_case_ref"),
        t("placement_kind"),
        t("business"),
        t("placement_workplace"),
        t("placement_target_group"),
        t("placement_start"),
        t("placement_end"),
        t("status"),
        t("consultant"),
    ];
    let records = shown.into_iter().map(|r| {
        vec![
            r.case_ref,
            r.kind.to_string(),
            r.business,
            r.workplace,
            r.target_group.to_string(),
            r.start,
            r.end,
            r.status.to_string(),
            r.consultant,
        ]
    });
    crate::web::csv_export::excel_csv("placeringer.csv", &header, records)
}

/// The council's view: counts per kind and status, no rows.
async fn counts_page(state: &AppState, staff: &Staff) -> Result<HttpResponse, AppError> {
    let counts: Vec<(String, String, i64)> = placement::Entity::find()
        .select_only()
        .column(placement::Column::Kind)
        .column(placement::Column::Status)
        .column_as(placement::Column::Id.count(), "n")
        .group_by(placement::Column::Kind)
        .group_by(placement::Column::Status)
        .into_tuple()
        .all(&state.db)
        .await?;
    let lang = staff.lang;
    let table: Vec<(&str, Vec<i64>)> = PlacementKind::ALL
        .iter()
        .map(|k| {
            let per_status = PlacementStatus::ALL
                .iter()
                .map(|s| {
                    counts
                        .iter()
                        .filter(|(kc, sc, _)| kc == k.as_str() && sc == s.as_str())
                        .map(|(_, _, n)| *n)
                        .sum()
                })
                .collect();
            (k.label(lang), per_status)
        })
        .collect();
    let statuses: Vec<&str> = PlacementStatus::ALL.iter().map(|s| s.label(lang)).collect();
    let mut ctx = staff.context();
    ctx.insert("table", &table);
    ctx.insert("statuses", &statuses);
    state.templates.page(lang, "placements/counts.html", &ctx)
}

/// Every field of the placement form, as typed.
const FIELDS: [&str; 15] = [
    "business_id",
    "p_unit_id",
    "kind",
    "case_ref",
    "target_group",
    "start_date",
    "planned_end",
    "ended_on",
    "hours",
    "status",
    "end_reason",
    "consultant_id",
    "need_id",
    "notes",
    "override_reason",
];

/// Parses the form. Anything that looks like a CPR number is refused in
/// every field, before any other rule.
pub(crate) fn parse(
    f: &FormData,
    consultants: &[i32],
    case_ref_pattern: Option<&regex::Regex>,
) -> Result<(PlacementInput, Option<String>), Invalid> {
    use crate::businesses::opt;
    let mut e = Invalid::new();
    for name in FIELDS {
        if looks_like_cpr(f.get(name)) {
            e.add(name, DomainError::LooksLikeCpr);
        }
    }
    let business_id = e.check(
        "business_id",
        f.optional_id("business_id")
            .and_then(|id| id.ok_or(DomainError::Required)),
    );
    let p_unit_id = e.check("p_unit_id", f.optional_id("p_unit_id")).flatten();
    let kind = e.check("kind", PlacementKind::parse(f.get("kind")));
    let case_ref = e.check(
        "case_ref",
        CaseRef::parse_with(f.get("case_ref"), case_ref_pattern),
    );
    let target_group = e.check("target_group", TargetGroup::parse(f.get("target_group")));
    let start_date = e.check("start_date", required_date(f.get("start_date")));
    let planned_end = e
        .check("planned_end", opt(f.get("planned_end"), date))
        .flatten();
    let ended_on = e.check("ended_on", opt(f.get("ended_on"), date)).flatten();
    let hours_centi = e.check("hours", opt(f.get("hours"), parse_hours)).flatten();
    let status = e.check("status", PlacementStatus::parse(f.get("status")));
    let end_reason = e
        .check("end_reason", opt(f.get("end_reason"), EndReason::parse))
        .flatten();
    let consultant_id = e.check(
        "consultant_id",
        f.get("consultant_id")
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|id| consultants.contains(id))
            .ok_or(DomainError::UnknownConsultant),
    );
    let need_id = e.check("need_id", f.optional_id("need_id")).flatten();
    let notes = e
        .check("notes", optional_text(f.get("notes"), 2000))
        .flatten();
    let override_reason = e
        .check(
            "override_reason",
            optional_text(f.get("override_reason"), 500),
        )
        .flatten();
    // A time-limited placement needs its planned end; ends follow starts.
    if kind.is_some_and(|k| k != PlacementKind::Fleksjob) && planned_end.is_none() {
        e.add("planned_end", DomainError::Required);
    }
    if let (Some(s), Some(end)) = (start_date, planned_end)
        && end < s
    {
        e.add("planned_end", DomainError::EndBeforeStart);
    }
    if let (Some(s), Some(end)) = (start_date, ended_on)
        && end < s
    {
        e.add("ended_on", DomainError::EndBeforeStart);
    }
    match status {
        Some(PlacementStatus::EndedEarly) => {
            if end_reason.is_none() {
                e.add("end_reason", DomainError::Required);
            }
            if ended_on.is_none() {
                e.add("ended_on", DomainError::Required);
            }
        }
        Some(PlacementStatus::Completed) if ended_on.is_none() => {
            e.add("ended_on", DomainError::Required)
        }
        _ => {}
    }
    e.into_result(|| {
        Some((
            PlacementInput {
                business_id: business_id?,
                p_unit_id,
                kind: kind?,
                case_ref: case_ref?,
                target_group: target_group?,
                start_date: start_date?,
                planned_end,
                ended_on,
                hours_centi,
                status: status?,
                end_reason,
                consultant_id: consultant_id?,
                need_id,
                notes,
            },
            override_reason,
        ))
    })
}

fn options<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (code(*v).to_string(), label(*v).to_string()))
        .collect()
}

/// The form (new, or a placement's page) with the values as typed.
async fn form_page(
    state: &AppState,
    staff: &Staff,
    id: Option<i32>,
    values: &BTreeMap<&'static str, String>,
    errors: &FieldErrors,
    rule_broken: bool,
    status: u16,
) -> Result<HttpResponse, AppError> {
    let lang = staff.lang;
    let business_id: i32 = values
        .get("business_id")
        .and_then(|v| v.parse().ok())
        .ok_or(AppError::NotFound)?;
    let b = crate::web::find_or_404::<business::Entity>(&state.db, business_id).await?;
    let t = |k: &str| staff.t(k);
    let none = || (String::new(), t("none").to_string());
    let mut units = vec![(String::new(), t("placement_whole_business").to_string())];
    units.extend(
        p_unit::Entity::find()
            .filter(p_unit::Column::BusinessId.eq(b.id))
            .order_by_asc(p_unit::Column::PNumber)
            .all(&state.db)
            .await?
            .into_iter()
            .map(|p| {
                (
                    p.id.to_string(),
                    format!("P {:010} {}", p.p_number, p.street.unwrap_or_default()),
                )
            }),
    );
    let mut needs = vec![none()];
    needs.extend(
        recruitment_need::Entity::find()
            .filter(recruitment_need::Column::BusinessId.eq(b.id))
            .order_by_desc(recruitment_need::Column::CreatedAt)
            .all(&state.db)
            .await?
            .into_iter()
            .map(|n| {
                (
                    n.id.to_string(),
                    format!("{} · {} × {}", n.reference, n.positions, n.job_title),
                )
            }),
    );
    let mut reasons = vec![none()];
    reasons.extend(options(EndReason::ALL, EndReason::as_str, |r| {
        r.label(lang)
    }));
    let mut fields = vec![
        Field::new("p_unit_id", t("placement_workplace"), "select").options(units),
        Field::new("kind", t("placement_kind"), "select").options(options(
            PlacementKind::ALL,
            PlacementKind::as_str,
            |k| k.label(lang),
        )),
        Field::new("case_ref", t("placement_case_ref"), "text")
            .required()
            .hint(t("placement_case_ref_hint")),
        Field::new("target_group", t("placement_target_group"), "select").options(options(
            TargetGroup::ALL,
            TargetGroup::as_str,
            |k| k.label(lang),
        )),
        Field::new("start_date", t("placement_start"), "date").required(),
        Field::new("planned_end", t("placement_planned_end"), "date")
            .hint(t("placement_planned_end_hint")),
        Field::new("hours", t("placement_hours"), "text").hint(t("placement_hours_hint")),
        Field::new("status", t("status"), "select").options(options(
            PlacementStatus::ALL,
            PlacementStatus::as_str,
            |k| k.label(lang),
        )),
        Field::new("ended_on", t("placement_ended_on"), "date"),
        Field::new("end_reason", t("placement_end_reason"), "select").options(reasons),
        Field::new("consultant_id", t("consultant"), "select")
            .options(state.consultants.options(&state.db).await?),
        Field::new("need_id", t("placement_need"), "select").options(needs),
        Field::new("notes", t("notes"), "textarea").hint(t("placement_notes_warning")),
    ];
    if rule_broken || !values.get("override_reason").is_none_or(|v| v.is_empty()) {
        fields.push(
            Field::new(
                "override_reason",
                t("placement_override_reason"),
                "textarea",
            )
            .hint(t("placement_override_hint")),
        );
    }
    let fields: Vec<Field> = fields.into_iter().map(|f| f.fill(values, errors)).collect();
    let mut ctx = staff.context();
    ctx.insert("id", &id);
    ctx.insert("business_id", &b.id);
    ctx.insert("business_name", &b.name);
    ctx.insert("first_error", &first_error(&fields));
    ctx.insert("fields", &fields);
    let body = state.templates.render(lang, "placements/form.html", &ctx)?;
    Ok(html_status(status, body))
}

fn typed(f: &FormData) -> BTreeMap<&'static str, String> {
    FIELDS.iter().map(|k| (*k, f.get(k).to_string())).collect()
}

#[get("/placements/new")]
async fn new_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: CaseWorker,
) -> Result<HttpResponse, AppError> {
    let q = query(&req);
    let mut v: BTreeMap<&'static str, String> =
        FIELDS.iter().map(|k| (*k, String::new())).collect();
    v.insert("business_id", q.get("business").trim().to_string());
    v.insert("kind", PlacementKind::Fleksjob.as_str().into());
    v.insert("target_group", TargetGroup::Jobparat.as_str().into());
    v.insert("status", PlacementStatus::Planned.as_str().into());
    v.insert("consultant_id", staff.id.to_string());
    v.insert(
        "start_date",
        state.app.clock.today().format("%Y-%m-%d").to_string(),
    );
    if let Ok(n) = q.get("need").parse::<i32>() {
        v.insert("need_id", n.to_string());
    }
    form_page(&state, &staff, None, &v, &FieldErrors::new(), false, 200).await
}

/// Parses a placement's fields and saves it (the page's form and the
/// API): the check-in email of a new one is rendered first.
pub(crate) async fn save_fields(
    state: &AppState,
    actor: crate::app::Actor,
    id: Option<i32>,
    f: &FormData,
    if_match: Option<String>,
) -> Result<Result<i32, crate::app::Error>, AppError> {
    let ids = state.consultants.ids(&state.db).await?;
    let pattern = state.case_ref_pattern.as_ref();
    Ok(match parse(f, &ids, pattern) {
        Ok((input, override_reason)) => {
            let check_in = match id {
                None => check_in(state, actor.user_id(), &input).await?,
                Some(_) => None,
            };
            let cmd = SavePlacement {
                id,
                input,
                override_reason,
                check_in,
                if_match,
            };
            state.app.run(actor, cmd).await
        }
        Err(invalid) => Err(invalid.into()),
    })
}

async fn save(
    state: &AppState,
    staff: &Staff,
    id: Option<i32>,
    f: FormData,
) -> Result<HttpResponse, AppError> {
    let result = save_fields(state, staff.actor(), id, &f, None).await?;
    let invalid = match result {
        Ok(saved) => {
            staff.flash("placement_saved");
            return Ok(see_other(&format!("/placements/{saved}")));
        }
        Err(e) => e.field_errors().ok_or(e)?,
    };
    let rule_broken = invalid
        .iter()
        .any(|fe| matches!(fe.error, DomainError::RuleBroken(_)));
    form_page(
        state,
        staff,
        id,
        &typed(&f),
        &messages(&invalid, staff.lang),
        rule_broken,
        422,
    )
    .await
}

/// The check-in email for a new placement, some weeks after its start at
/// 09:00 Copenhagen time (a weekend moves to Monday), to the business's
/// primary contact person with an email address. It never names the
/// citizen or the case reference.
async fn check_in(
    state: &AppState,
    created_by: Option<i32>,
    p: &PlacementInput,
) -> Result<Option<crate::email::outbox::NewEmail>, AppError> {
    use entity::contact_person;
    let Some(b) = business::Entity::find_by_id(p.business_id)
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    let person = contact_person::Entity::find()
        .filter(contact_person::Column::BusinessId.eq(b.id))
        .filter(contact_person::Column::Email.is_not_null())
        .order_by_desc(contact_person::Column::IsPrimary)
        .order_by_asc(contact_person::Column::Id)
        .one(&state.db)
        .await?;
    let Some((person, email)) = person.and_then(|c| c.email.clone().map(|e| (c, e))) else {
        return Ok(None);
    };
    let weeks = i64::from(state.settings.placement_checkin_weeks);
    let day = p.start_date + Duration::weeks(weeks);
    let nine = chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default();
    let Some(send_at) = crate::email::send_time(day, nine) else {
        return Ok(None);
    };
    let lang = Lang::Da;
    let consultant = crate::businesses::queries::user_names(&state.db, [p.consultant_id])
        .await?
        .remove(&p.consultant_id)
        .unwrap_or_default();
    let mut ctx = tera::Context::new();
    ctx.insert("lang", lang.as_str());
    ctx.insert("contact_name", &person.name);
    ctx.insert("company_name", &b.name);
    ctx.insert("kind", &p.kind.label(lang).to_lowercase());
    ctx.insert("start", &format_date(p.start_date));
    ctx.insert("consultant", &consultant);
    let r = state.mailer.templates.render("placement_checkin", &ctx)?;
    Ok(Some(crate::email::outbox::NewEmail {
        recipient: email,
        template: "placement_checkin".into(),
        lang: lang.as_str().into(),
        subject: r.subject,
        body_text: r.text,
        body_html: r.html,
        // Replaced by the command with one from the placement's id.
        idempotency_key: String::new(),
        case_related: true,
        business_id: Some(b.id),
        created_by,
        send_at,
    }))
}

#[post("/placements")]
async fn create(
    state: web::Data<AppState>,
    staff: CaseWorker,
    Form(f): Form,
) -> Result<HttpResponse, AppError> {
    save(&state, &staff, None, f).await
}

#[get("/placements/{id}")]
async fn detail(
    state: web::Data<AppState>,
    staff: CaseWorker,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let p = crate::web::find_or_404::<placement::Entity>(&state.db, *id).await?;
    let cmd = RecordPlacementReads {
        ids: vec![p.id],
        view: "detail",
    };
    // Reads at the same moment share one commit (group commit).
    state.app.run_batched(staff.actor(), cmd).await?;
    let s = |o: Option<String>| o.unwrap_or_default();
    let d = |o: Option<NaiveDate>| {
        o.map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    };
    let v: BTreeMap<&'static str, String> = [
        ("business_id", p.business_id.to_string()),
        ("p_unit_id", s(p.p_unit_id.map(|x| x.to_string()))),
        ("kind", p.kind.clone()),
        ("case_ref", s(p.case_ref.clone())),
        ("target_group", p.target_group.clone()),
        ("start_date", p.start_date.format("%Y-%m-%d").to_string()),
        ("planned_end", d(p.planned_end)),
        ("ended_on", d(p.ended_on)),
        (
            "hours",
            s(p.hours_centi.map(|h| format_hours(h, staff.lang))),
        ),
        ("status", p.status.clone()),
        ("end_reason", s(p.end_reason.clone())),
        ("consultant_id", p.consultant_id.to_string()),
        ("need_id", s(p.need_id.map(|x| x.to_string()))),
        ("notes", s(p.notes.clone())),
        ("override_reason", s(p.override_reason.clone())),
    ]
    .into_iter()
    .collect();
    form_page(
        &state,
        &staff,
        Some(p.id),
        &v,
        &FieldErrors::new(),
        false,
        200,
    )
    .await
}

#[post("/placements/{id}")]
async fn update(
    state: web::Data<AppState>,
    staff: CaseWorker,
    id: web::Path<i32>,
    Form(f): Form,
) -> Result<HttpResponse, AppError> {
    save(&state, &staff, Some(*id), f).await
}

/// A workplace's use of the proportionality rule today.
#[derive(Debug, Serialize)]
pub struct Capacity {
    pub workplace: String,
    pub ordinary: Option<i32>,
    pub allowed: Option<i32>,
    pub used: i32,
    pub left: Option<i32>,
    /// As the page shows them (Danish number format; "–" when unknown).
    pub shown: [String; 4],
    /// No place left.
    pub full: bool,
}

/// Capacity used and left per P-unit of a business (and for placements
/// without a P-unit, the business as a whole).
pub async fn capacity<C: ConnectionTrait>(
    db: &C,
    business_id: i32,
    today: NaiveDate,
    lang: Lang,
) -> Result<Vec<Capacity>, DbErr> {
    let Some(r) = rules::in_force(db, today).await? else {
        return Ok(Vec::new());
    };
    let b = business::Entity::find_by_id(business_id).one(db).await?;
    let mut out = Vec::new();
    let units = p_unit::Entity::find()
        .filter(p_unit::Column::BusinessId.eq(business_id))
        .order_by_asc(p_unit::Column::PNumber)
        .all(db)
        .await?;
    let mut places: Vec<(String, rules::Workplace, Option<i32>)> = units
        .iter()
        .map(|u| {
            (
                format!("P {:010}", u.p_number),
                rules::Workplace::PUnit(u.id),
                u.employees.or(b.as_ref().and_then(|b| b.employees)),
            )
        })
        .collect();
    let whole = match lang {
        Lang::Da => "Virksomheden (uden P-enhed)",
        Lang::En => "The business (no P-unit)",
    };
    places.push((
        whole.to_string(),
        rules::Workplace::Business(business_id),
        b.as_ref().and_then(|b| b.employees),
    ));
    for (workplace, place, ordinary) in places {
        let used = rules::placed_at(db, place, today, Some(today), None, today).await?;
        let allowed = ordinary.map(|n| rules::allowed(&r, n));
        let left = allowed.map(|a| a - used);
        let num =
            |n: Option<i32>| n.map_or("–".to_string(), |n| crate::web::i18n::number(lang, n));
        out.push(Capacity {
            workplace,
            ordinary,
            allowed,
            used,
            left,
            shown: [num(ordinary), num(allowed), num(Some(used)), num(left)],
            full: left.is_some_and(|l| l <= 0),
        });
    }
    Ok(out)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list_page)
        .service(export)
        .service(new_form)
        .service(create)
        .service(detail)
        .service(update);
}
