//! Key figures for consultants and admins: a new typed-in figure, a
//! figure's name, unit, direction, target and links, and its typed-in
//! values (computed figures take none).
use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, post, web};
use entity::{initiative, key_figure};
use sea_orm::{EntityTrait, QueryOrder};

use super::commands::{FigureInput, RecordFigureValue, SaveFigure};
use super::queries;
use crate::app::Invalid;
use crate::domain::{Direction, FigureSource, parse_number, required_text};
use crate::web::{
    AppState,
    auth::{CaseWorker, Staff},
    error::AppError,
    fields::{Field, FieldErrors, first_error, messages},
    form::{Form, FormData, date, required_date},
    render::{html_status, see_other},
};

const FIELDS: [&str; 10] = [
    "name_da",
    "name_en",
    "unit_da",
    "unit_en",
    "direction",
    "target",
    "target_date",
    "track_id",
    "initiative_id",
    "is_public",
];

const VALUE_FIELDS: [&str; 2] = ["on_date", "value"];

fn parse(f: &FormData) -> Result<FigureInput, Invalid> {
    use crate::businesses::opt;
    let mut e = Invalid::new();
    let name_da = e.check("name_da", required_text(f.get("name_da"), 200));
    let name_en = e.check("name_en", required_text(f.get("name_en"), 200));
    let unit_da = e.check("unit_da", required_text(f.get("unit_da"), 40));
    let unit_en = e.check("unit_en", required_text(f.get("unit_en"), 40));
    let direction = e.check("direction", Direction::parse(f.get("direction")));
    let target = e
        .check("target", opt(f.get("target"), parse_number))
        .flatten();
    let target_date = e
        .check("target_date", opt(f.get("target_date"), date))
        .flatten();
    let track_id = e.check("track_id", f.optional_id("track_id")).flatten();
    let initiative_id = e
        .check("initiative_id", f.optional_id("initiative_id"))
        .flatten();
    e.into_result(|| {
        Some(FigureInput {
            name_da: name_da?,
            name_en: name_en?,
            unit_da: unit_da?,
            unit_en: unit_en?,
            direction: direction?,
            target,
            target_date,
            track_id,
            initiative_id,
            is_public: f.checked("is_public"),
        })
    })
}

/// The figure form (and, for an existing figure, its values and the form
/// to add one).
#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    staff: &Staff,
    figure: Option<&key_figure::Model>,
    values: &BTreeMap<&'static str, String>,
    errors: &FieldErrors,
    value_values: &BTreeMap<&'static str, String>,
    value_errors: &FieldErrors,
    status: u16,
) -> Result<HttpResponse, AppError> {
    let lang = staff.lang;
    let t = |k: &str| staff.t(k);
    let none = || (String::new(), t("none").to_string());
    let mut tracks = vec![none()];
    tracks.extend(
        queries::tracks(&state.db, lang)
            .await?
            .into_iter()
            .map(|t| (t.id.to_string(), t.name)),
    );
    let mut initiatives = vec![none()];
    initiatives.extend(
        initiative::Entity::find()
            .order_by_asc(initiative::Column::Title)
            .all(&state.db)
            .await?
            .into_iter()
            .map(|i| (i.id.to_string(), i.title)),
    );
    let directions = Direction::ALL
        .iter()
        .map(|d| (d.as_str().to_string(), d.label(lang).to_string()))
        .collect();
    let fields: Vec<Field> = vec![
        Field::new("name_da", t("figure_name_da"), "text").required(),
        Field::new("name_en", t("figure_name_en"), "text").required(),
        Field::new("unit_da", t("figure_unit_da"), "text")
            .required()
            .hint(t("figure_unit_hint")),
        Field::new("unit_en", t("figure_unit_en"), "text").required(),
        Field::new("direction", t("figure_direction"), "select").options(directions),
        Field::new("target", t("figure_target"), "text").hint(t("figure_target_hint")),
        Field::new("target_date", t("figure_target_date"), "date"),
        Field::new("track_id", t("initiative_track"), "select").options(tracks),
        Field::new("initiative_id", t("initiative"), "select").options(initiatives),
        Field::new("is_public", t("figure_public"), "checkbox").hint(t("figure_public_hint")),
    ]
    .into_iter()
    .map(|f| f.fill(values, errors))
    .collect();
    let computed = figure.is_some_and(|f| f.source != FigureSource::Manual.as_str());
    let value_fields: Vec<Field> = vec![
        Field::new("on_date", t("figure_value_date"), "date").required(),
        Field::new("value", t("figure_value"), "text").required(),
    ]
    .into_iter()
    .map(|f| f.fill(value_values, value_errors))
    .collect();
    let mut ctx = staff.context();
    if let Some(f) = figure {
        let view = queries::figure_views(
            &state.db,
            &state.figures,
            state.settings.need_first_contact_days,
            lang,
            state.app.clock.today(),
            false,
            Some(vec![f.id]),
        )
        .await?
        .pop();
        ctx.insert("figure", &view);
        ctx.insert("id", &f.id);
    } else {
        ctx.insert("id", &Option::<i32>::None);
    }
    ctx.insert("computed", &computed);
    // One summary at the top of the page, not one per form.
    ctx.insert("first_error", &Option::<&str>::None);
    ctx.insert(
        "page_error",
        &first_error(&fields).or(first_error(&value_fields)),
    );
    ctx.insert("settings_fields", &fields);
    ctx.insert("value_fields", &value_fields);
    let body = state
        .templates
        .render(lang, "initiatives/figure.html", &ctx)?;
    Ok(html_status(status, body))
}

fn typed<const N: usize>(f: &FormData, names: [&'static str; N]) -> BTreeMap<&'static str, String> {
    names.iter().map(|k| (*k, f.get(k).to_string())).collect()
}

#[get("/figures/new")]
async fn new_form(state: web::Data<AppState>, staff: CaseWorker) -> Result<HttpResponse, AppError> {
    let mut v = BTreeMap::new();
    v.insert("direction", Direction::Higher.as_str().to_string());
    let none = BTreeMap::new();
    let errors = FieldErrors::new();
    page(&state, &staff, None, &v, &errors, &none, &errors, 200).await
}

async fn save(
    state: &AppState,
    staff: &Staff,
    figure: Option<key_figure::Model>,
    f: FormData,
) -> Result<HttpResponse, AppError> {
    let cmd = parse(&f).map(|input| SaveFigure {
        id: figure.as_ref().map(|f| f.id),
        input,
    });
    match state.app.run_parsed(staff.actor(), cmd).await {
        Ok(id) => {
            staff.flash("figure_saved");
            Ok(see_other(&format!("/figures/{id}")))
        }
        Err(e) => {
            let invalid = e.field_errors().ok_or(e)?;
            let none = BTreeMap::new();
            page(
                state,
                staff,
                figure.as_ref(),
                &typed(&f, FIELDS),
                &messages(&invalid, staff.lang),
                &none,
                &FieldErrors::new(),
                422,
            )
            .await
        }
    }
}

#[post("/figures")]
async fn create(
    state: web::Data<AppState>,
    staff: CaseWorker,
    Form(f): Form,
) -> Result<HttpResponse, AppError> {
    save(&state, &staff, None, f).await
}

fn stored(f: &key_figure::Model) -> BTreeMap<&'static str, String> {
    let id = |o: Option<i32>| o.map(|x| x.to_string()).unwrap_or_default();
    [
        ("name_da", f.name_da.clone()),
        ("name_en", f.name_en.clone()),
        ("unit_da", f.unit_da.clone()),
        ("unit_en", f.unit_en.clone()),
        ("direction", f.direction.clone()),
        (
            "target",
            f.target
                .map(|t| super::chart::format_value(t, crate::domain::Lang::Da))
                .unwrap_or_default(),
        ),
        (
            "target_date",
            f.target_date
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
        ),
        ("track_id", id(f.track_id)),
        ("initiative_id", id(f.initiative_id)),
        ("is_public", if f.is_public { "on" } else { "" }.to_string()),
    ]
    .into_iter()
    .collect()
}

#[get("/figures/{id}")]
async fn edit_form(
    state: web::Data<AppState>,
    staff: CaseWorker,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let f = crate::web::find_or_404::<key_figure::Entity>(&state.db, *id).await?;
    let mut v = BTreeMap::new();
    v.insert(
        "on_date",
        state.app.clock.today().format("%Y-%m-%d").to_string(),
    );
    let errors = FieldErrors::new();
    page(
        &state,
        &staff,
        Some(&f),
        &stored(&f),
        &errors,
        &v,
        &errors,
        200,
    )
    .await
}

#[post("/figures/{id}")]
async fn update(
    state: web::Data<AppState>,
    staff: CaseWorker,
    id: web::Path<i32>,
    Form(f): Form,
) -> Result<HttpResponse, AppError> {
    let figure = crate::web::find_or_404::<key_figure::Entity>(&state.db, *id).await?;
    save(&state, &staff, Some(figure), f).await
}

/// A value typed in for a date (the figure's page, or the API).
pub(crate) fn parse_value(f: &FormData, figure_id: i32) -> Result<RecordFigureValue, Invalid> {
    let mut e = Invalid::new();
    let on_date = e.check("on_date", required_date(f.get("on_date")));
    let value = e.check("value", parse_number(f.get("value")));
    e.into_result(|| {
        Some(RecordFigureValue {
            figure_id,
            on_date: on_date?,
            value: value?,
        })
    })
}

#[post("/figures/{id}/values")]
async fn add_value(
    state: web::Data<AppState>,
    staff: CaseWorker,
    id: web::Path<i32>,
    Form(f): Form,
) -> Result<HttpResponse, AppError> {
    let figure = crate::web::find_or_404::<key_figure::Entity>(&state.db, *id).await?;
    let cmd = parse_value(&f, figure.id);
    match state.app.run_parsed(staff.actor(), cmd).await {
        Ok(()) => {
            staff.flash("figure_value_saved");
            Ok(see_other(&format!("/figures/{}", figure.id)))
        }
        Err(e) => {
            let invalid = e.field_errors().ok_or(e)?;
            page(
                &state,
                &staff,
                Some(&figure),
                &stored(&figure),
                &FieldErrors::new(),
                &typed(&f, VALUE_FIELDS),
                &messages(&invalid, staff.lang),
                422,
            )
            .await
        }
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    // `/figures/new` before `/figures/{id}`.
    cfg.service(new_form)
        .service(create)
        .service(edit_form)
        .service(update)
        .service(add_value);
}
