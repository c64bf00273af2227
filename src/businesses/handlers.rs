use std::collections::{BTreeMap, HashMap};

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use entity::business;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use tera::Context;

use super::commands::{Child, RemoveChild, SaveBusiness};
use super::form::{BusinessInput, FieldErrors};
use super::queries::{self, ListFilter, PAGE_SIZE, Sort};
use crate::domain::{
    CompanyForm, ContactChannel, ContactOutcome, District, IndustryCode, IndustrySection, Lang,
    Segment, SizeBand,
};
use crate::web::{
    AppState,
    auth::{CaseWorker, Staff},
    error::AppError,
    fields::{Field, first_error, messages},
    form::{Form, FormData, query},
    render::{html_status, see_other},
};

/// (code, label) pairs for a select or a filter.
pub type Options = Vec<(String, String)>;

fn options<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> String,
) -> Options {
    all.iter()
        .map(|v| (code(*v).to_string(), label(*v)))
        .collect()
}

pub struct Choices {
    pub districts: Options,
    pub sections: Options,
    pub sizes: Options,
    pub segments: Options,
    pub forms: Options,
    pub consultants: Options,
}

impl Choices {
    async fn load(state: &AppState, lang: Lang) -> Result<Self, AppError> {
        let consultants = state.consultants.options(&state.db).await?;
        Ok(Choices {
            districts: options(District::ALL, District::as_str, |d| d.label(lang).into()),
            sections: options(IndustrySection::ALL, IndustrySection::as_str, |s| {
                format!("{} – {}", s.as_str(), s.label(lang))
            }),
            sizes: options(SizeBand::ALL, SizeBand::as_str, |s| s.label(lang).into()),
            segments: options(Segment::ALL, Segment::as_str, |s| s.label(lang).into()),
            forms: options(CompanyForm::ALL, CompanyForm::as_str, |f| {
                f.label(lang).into()
            }),
            consultants,
        })
    }

    fn insert(&self, ctx: &mut Context) {
        ctx.insert("districts", &self.districts);
        ctx.insert("sections", &self.sections);
        ctx.insert("sizes", &self.sizes);
        ctx.insert("segments_all", &self.segments);
        ctx.insert("forms", &self.forms);
        ctx.insert("consultants", &self.consultants);
    }
}

/// A business as the pages show it: labels in the user's language.
#[derive(Serialize)]
pub struct BusinessView {
    id: i32,
    cvr: String,
    name: String,
    company_form: String,
    street: Option<String>,
    postal_city: String,
    district: Option<&'static str>,
    industry: Option<String>,
    section: Option<String>,
    employees: Option<i32>,
    size: Option<&'static str>,
    active: bool,
    advertising_protected: bool,
    consultant: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    notes: Option<String>,
    source: String,
    segments: Vec<&'static str>,
}

pub fn view(
    b: &business::Model,
    lang: Lang,
    names: &HashMap<i32, String>,
    segments: &[String],
) -> BusinessView {
    let industry = b
        .industry_code
        .and_then(|c| IndustryCode::from_u32(c as u32).ok())
        .map(|c| match c.title(lang) {
            Some(t) => format!("{c} {t}"),
            None => c.to_string(),
        });
    BusinessView {
        id: b.id,
        cvr: format!("{:08}", b.cvr),
        name: b.name.clone(),
        company_form: CompanyForm::parse(&b.company_form)
            .map(|f| f.label(lang).to_string())
            .unwrap_or_default(),
        street: b.street.clone(),
        postal_city: match (b.postal_code, &b.city) {
            (Some(p), Some(c)) => format!("{p} {c}"),
            (Some(p), None) => p.to_string(),
            (None, Some(c)) => c.clone(),
            (None, None) => String::new(),
        },
        district: b
            .district
            .as_deref()
            .and_then(|d| District::parse(d).ok())
            .map(|d| d.label(lang)),
        industry,
        section: b
            .industry_section
            .as_deref()
            .and_then(|s| IndustrySection::parse(s).ok())
            .map(|s| format!("{} – {}", s.as_str(), s.label(lang))),
        employees: b.employees,
        size: b
            .size_band
            .as_deref()
            .and_then(|s| SizeBand::parse(s).ok())
            .map(|s| s.label(lang)),
        active: b.active,
        advertising_protected: b.advertising_protected,
        consultant: b.consultant_id.and_then(|id| names.get(&id).cloned()),
        email: b.email.clone(),
        phone: b.phone.clone(),
        notes: b.notes.clone(),
        source: b.source.clone(),
        segments: segments
            .iter()
            .filter_map(|s| Segment::parse(s).ok())
            .map(|s| s.label(lang))
            .collect(),
    }
}

#[get("/businesses")]
async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: CaseWorker,
) -> Result<HttpResponse, AppError> {
    // The page's content is kept rendered per language, person (what
    // "mine" means) and query, until a business or a user changes.
    let key = format!(
        "{}|{}|{}",
        staff.lang.as_str(),
        staff.id,
        req.query_string()
    );
    let content = match state.business_list.content(&key) {
        Some(content) => content,
        None => {
            let generation = state.business_list.content_generation();
            let content: std::sync::Arc<str> = list_content(&req, &state, &staff).await?.into();
            state
                .business_list
                .put_content(key, content.clone(), generation);
            content
        }
    };
    let mut ctx = staff.context();
    ctx.insert("content", &*content);
    state
        .templates
        .page(staff.lang, "businesses/list.html", &ctx)
}

/// The list page's content: the filters, the count, the rows and the pager.
async fn list_content(
    req: &HttpRequest,
    state: &AppState,
    staff: &CaseWorker,
) -> Result<String, AppError> {
    let q = query(req);
    let filter = ListFilter::from_query(&q, staff.id);
    let choices = Choices::load(state, staff.lang).await?;
    let page = queries::list(&state.db, &filter, &state.business_list).await?;
    let names: HashMap<i32, String> = choices
        .consultants
        .iter()
        .filter_map(|(id, n)| Some((id.parse().ok()?, n.clone())))
        .collect();
    let missing: Vec<i32> = page
        .rows
        .iter()
        .filter_map(|b| b.consultant_id)
        .filter(|id| !names.contains_key(id))
        .collect();
    let mut names = names;
    names.extend(queries::user_names(&state.db, missing).await?);
    let rows: Vec<BusinessView> = page
        .rows
        .iter()
        .map(|b| view(b, staff.lang, &names, &[]))
        .collect();
    let pages = page.total.div_ceil(PAGE_SIZE).max(1);
    let mut ctx = tera::Context::new();
    choices.insert(&mut ctx);
    ctx.insert("rows", &rows);
    ctx.insert("total", &page.total);
    crate::web::render::insert_pager(&mut ctx, filter.page, pages, |n| {
        format!("/businesses?{}", filter.to_query(n))
    });
    let sorts: Vec<(&str, &str)> = Sort::ALL.iter().map(|(_, c, k)| (*c, staff.t(k))).collect();
    ctx.insert("sorts", &sorts);
    // The current filter values, as the form shows them.
    let mut f = BTreeMap::new();
    for key in [
        "district",
        "section",
        "size",
        "consultant",
        "segment",
        "status",
        "sort",
    ] {
        f.insert(key, q.get(key).to_string());
    }
    if filter.consultant == Some(queries::ConsultantFilter::Is(staff.id)) {
        f.insert("consultant", "me".into());
    }
    ctx.insert("f", &f);
    ctx.insert("export_query", &filter.to_query(1));
    Ok(state
        .templates
        .render(staff.lang, "businesses/list_content.html", &ctx)?)
}

#[derive(Serialize)]
struct ContactView {
    id: i32,
    when: String,
    channel: &'static str,
    subject: String,
    notes: Option<String>,
    outcome: &'static str,
    consultant: String,
    follow_up_on: Option<String>,
    follow_up_done: bool,
}

#[derive(Serialize)]
struct EmailView {
    id: i64,
    when: String,
    subject: String,
    status: String,
}

#[derive(Serialize)]
struct PUnitView {
    id: i32,
    p_number: String,
    street: Option<String>,
    postal_city: String,
}

#[derive(Serialize)]
struct PersonView {
    id: i32,
    name: String,
    role: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    primary: bool,
}

pub use crate::app::clock::{format_date as date, format_local as local_time};

async fn detail_page(
    state: &AppState,
    staff: &Staff,
    id: i32,
    extra: impl FnOnce(&mut Context),
    status: actix_web::http::StatusCode,
) -> Result<HttpResponse, AppError> {
    let d = queries::detail(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let ids = d
        .contacts
        .iter()
        .map(|c| c.user_id)
        .chain(d.business.consultant_id);
    let names = queries::user_names(&state.db, ids).await?;
    let lang = staff.lang;
    let contacts: Vec<ContactView> = d
        .contacts
        .iter()
        .map(|c| ContactView {
            id: c.id,
            when: local_time(c.occurred_at),
            channel: ContactChannel::parse(&c.channel)
                .map(|x| x.label(lang))
                .unwrap_or(""),
            subject: c.subject.clone(),
            notes: c.notes.clone(),
            outcome: ContactOutcome::parse(&c.outcome)
                .map(|x| x.label(lang))
                .unwrap_or(""),
            consultant: names.get(&c.user_id).cloned().unwrap_or_default(),
            follow_up_on: c.follow_up_on.map(date),
            follow_up_done: c.follow_up_done,
        })
        .collect();
    let p_units: Vec<PUnitView> = d
        .p_units
        .iter()
        .map(|p| PUnitView {
            id: p.id,
            p_number: format!("{:010}", p.p_number),
            street: p.street.clone(),
            postal_city: [p.postal_code.map(|x| x.to_string()), p.city.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
        })
        .collect();
    let persons: Vec<PersonView> = d
        .persons
        .iter()
        .map(|p| PersonView {
            id: p.id,
            name: p.name.clone(),
            role: p.role.clone(),
            email: p.email.clone(),
            phone: p.phone.clone(),
            primary: p.is_primary,
        })
        .collect();
    let mut ctx = staff.context();
    ctx.insert("b", &view(&d.business, lang, &names, &d.segments));
    ctx.insert("contacts", &contacts);
    let emails: Vec<EmailView> = crate::email::outbox::for_business(&state.db, id)
        .await?
        .into_iter()
        .map(|e| EmailView {
            id: e.id,
            when: local_time(e.sent_at.unwrap_or(e.next_attempt_at)),
            subject: e.subject,
            status: e.status,
        })
        .collect();
    ctx.insert("emails", &emails);
    let needs: Vec<(i32, String, String, String)> = entity::recruitment_need::Entity::find()
        .filter(entity::recruitment_need::Column::BusinessId.eq(id))
        .order_by_desc(entity::recruitment_need::Column::CreatedAt)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|n| {
            let status = staff.t(&format!("need_status_{}", n.status)).to_string();
            (
                n.id,
                n.reference,
                format!("{} × {}", n.positions, n.job_title),
                status,
            )
        })
        .collect();
    ctx.insert("needs", &needs);
    ctx.insert("form_error", "");
    ctx.insert("p_unit_owner", &Option::<i32>::None);
    let capacity =
        crate::placements::capacity(&state.db, id, state.app.clock.today(), lang).await?;
    ctx.insert("capacity", &capacity);
    ctx.insert("p_units", &p_units);
    ctx.insert("persons", &persons);
    ctx.insert(
        "unit_fields",
        &unit_fields(staff, &BTreeMap::new(), &FieldErrors::new()),
    );
    ctx.insert(
        "person_fields",
        &person_fields(staff, &BTreeMap::new(), &FieldErrors::new()),
    );
    extra(&mut ctx);
    let body = state
        .templates
        .render(lang, "businesses/detail.html", &ctx)?;
    Ok(html_status(status.as_u16(), body))
}

#[get("/businesses/{id}")]
async fn detail(
    state: web::Data<AppState>,
    staff: CaseWorker,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    // A duplicate merged into another business: its records are there.
    if let Some(b) = business::Entity::find_by_id(*id).one(&state.db).await?
        && let Some(kept) = b.merged_into
    {
        staff.flash("business_was_merged");
        return Ok(see_other(&format!("/businesses/{kept}")));
    }
    detail_page(&state, &staff, *id, |_| {}, actix_web::http::StatusCode::OK).await
}

/// Renders the create/edit form with the values as typed and the errors.
async fn form_page(
    state: &AppState,
    staff: &Staff,
    id: Option<i32>,
    values: BTreeMap<String, String>,
    segments: Vec<String>,
    errors: &FieldErrors,
    duplicate: Option<i32>,
) -> Result<HttpResponse, AppError> {
    let choices = Choices::load(state, staff.lang).await?;
    let t = |k: &str| staff.t(k);
    let with_none = |none: &'static str, mut o: Options| {
        o.insert(0, (String::new(), t(none).to_string()));
        o
    };
    let fields: Vec<Field> = vec![
        Field::new("cvr", t("cvr"), "text")
            .required()
            .hint(t("cvr_hint")),
        Field::new("name", t("name"), "text")
            .required()
            .autocomplete("organization"),
        Field::new("company_form", t("company_form"), "select").options(choices.forms.clone()),
        Field::new("street", t("street"), "text"),
        Field::new("postal_code", t("postal_code"), "text").hint(t("postal_code_hint")),
        Field::new("city", t("city"), "text"),
        Field::new("industry_code", t("industry_code"), "text").hint(t("industry_code_hint")),
        Field::new("employees", t("employees"), "number"),
        Field::new("size", t("size"), "select")
            .options(with_none("choose", choices.sizes.clone()))
            .hint(t("size_hint")),
        Field::new("consultant_id", t("consultant"), "select")
            .options(with_none("none", choices.consultants.clone())),
        Field::new("segments", t("segments"), "checkboxes")
            .options(choices.segments.clone())
            .values(segments),
        Field::new("email", t("email"), "email"),
        Field::new("phone", t("phone"), "tel"),
        Field::new("active", t("active"), "checkbox"),
        Field::new(
            "advertising_protected",
            t("advertising_protected"),
            "checkbox",
        )
        .hint(t("advertising_protected_hint")),
        Field::new("notes", t("notes"), "textarea"),
    ]
    .into_iter()
    .map(|f| f.fill(&values, errors))
    .collect();
    let mut ctx = staff.context();
    ctx.insert("id", &id);
    ctx.insert("first_error", &first_error(&fields));
    ctx.insert("fields", &fields);
    ctx.insert("duplicate", &duplicate);
    let body = state
        .templates
        .render(staff.lang, "businesses/form.html", &ctx)?;
    let status = if errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(html_status(status.as_u16(), body))
}

const FIELDS: [&str; 14] = [
    "cvr",
    "name",
    "company_form",
    "street",
    "postal_code",
    "city",
    "industry_code",
    "employees",
    "size",
    "consultant_id",
    "email",
    "phone",
    "notes",
    "active",
];

fn typed(f: &FormData) -> BTreeMap<String, String> {
    let mut v: BTreeMap<String, String> = FIELDS
        .iter()
        .map(|k| (k.to_string(), f.get(k).to_string()))
        .collect();
    v.insert(
        "active".into(),
        if f.checked("active") {
            "on".into()
        } else {
            String::new()
        },
    );
    v.insert(
        "advertising_protected".into(),
        if f.checked("advertising_protected") {
            "on".into()
        } else {
            String::new()
        },
    );
    v
}

#[get("/businesses/new")]
async fn new_form(state: web::Data<AppState>, staff: CaseWorker) -> Result<HttpResponse, AppError> {
    let mut v: BTreeMap<String, String> = FIELDS
        .iter()
        .map(|k| (k.to_string(), String::new()))
        .collect();
    v.insert("active".into(), "on".into());
    v.insert("advertising_protected".into(), String::new());
    v.insert("company_form".into(), "aps".into());
    form_page(&state, &staff, None, v, vec![], &FieldErrors::new(), None).await
}

async fn save(
    state: &AppState,
    staff: &Staff,
    id: Option<i32>,
    f: FormData,
) -> Result<HttpResponse, AppError> {
    let ids = state.consultants.ids(&state.db).await?;
    let segments: Vec<String> = f.all("segments").into_iter().map(String::from).collect();
    let cmd = BusinessInput::parse(&f, &ids).map(|input| SaveBusiness {
        id,
        input,
        if_match: None,
    });
    let result = state.app.run_parsed(staff.actor(), cmd).await;
    match result {
        Ok(saved) => {
            staff.flash(if id.is_some() {
                "business_saved"
            } else {
                "business_created"
            });
            Ok(see_other(&format!("/businesses/{saved}")))
        }
        Err(e) => {
            let Some(invalid) = e.field_errors() else {
                return Err(e.into());
            };
            let duplicate = e.existing_business();
            let errors = messages(&invalid, staff.lang);
            form_page(state, staff, id, typed(&f), segments, &errors, duplicate).await
        }
    }
}

#[post("/businesses")]
async fn create(
    state: web::Data<AppState>,
    staff: CaseWorker,
    Form(f): Form,
) -> Result<HttpResponse, AppError> {
    save(&state, &staff, None, f).await
}

#[get("/businesses/{id}/edit")]
async fn edit_form(
    state: web::Data<AppState>,
    staff: CaseWorker,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let b = crate::web::find_or_404::<business::Entity>(&state.db, *id).await?;
    let segments = queries::segments_of(&state.db, b.id).await?;
    let s = |o: Option<String>| o.unwrap_or_default();
    let mut v = BTreeMap::new();
    v.insert("cvr".into(), format!("{:08}", b.cvr));
    v.insert("name".into(), b.name.clone());
    v.insert("company_form".into(), b.company_form.clone());
    v.insert("street".into(), s(b.street.clone()));
    v.insert(
        "postal_code".into(),
        s(b.postal_code.map(|p| p.to_string())),
    );
    v.insert("city".into(), s(b.city.clone()));
    v.insert(
        "industry_code".into(),
        s(b.industry_code.map(|c| format!("{c:06}"))),
    );
    v.insert("employees".into(), s(b.employees.map(|n| n.to_string())));
    v.insert("size".into(), s(b.size_band.clone()));
    v.insert(
        "consultant_id".into(),
        s(b.consultant_id.map(|c| c.to_string())),
    );
    v.insert("email".into(), s(b.email.clone()));
    v.insert("phone".into(), s(b.phone.clone()));
    v.insert("notes".into(), s(b.notes.clone()));
    v.insert(
        "active".into(),
        if b.active { "on".into() } else { String::new() },
    );
    v.insert(
        "advertising_protected".into(),
        if b.advertising_protected {
            "on".into()
        } else {
            String::new()
        },
    );
    form_page(
        &state,
        &staff,
        Some(b.id),
        v,
        segments,
        &FieldErrors::new(),
        None,
    )
    .await
}

#[post("/businesses/{id}")]
async fn update(
    state: web::Data<AppState>,
    staff: CaseWorker,
    id: web::Path<i32>,
    Form(f): Form,
) -> Result<HttpResponse, AppError> {
    save(&state, &staff, Some(*id), f).await
}

fn unit_fields(staff: &Staff, v: &BTreeMap<&'static str, String>, e: &FieldErrors) -> Vec<Field> {
    let t = |k: &str| staff.t(k);
    vec![
        Field::new("p_number", t("p_number"), "text")
            .required()
            .hint(t("p_number_hint")),
        Field::new("street", t("street"), "text"),
        Field::new("postal_code", t("postal_code"), "text"),
        Field::new("city", t("city"), "text"),
        Field::new("employees", t("placement_capacity_ordinary"), "number")
            .hint(t("p_unit_employees_hint")),
    ]
    .into_iter()
    .map(|f| f.fill(v, e))
    .collect()
}

fn person_fields(staff: &Staff, v: &BTreeMap<&'static str, String>, e: &FieldErrors) -> Vec<Field> {
    let t = |k: &str| staff.t(k);
    vec![
        Field::new("name", t("person_name"), "text").required(),
        Field::new("role", t("person_role"), "text"),
        Field::new("email", t("email"), "email"),
        Field::new("phone", t("phone"), "tel"),
        Field::new("primary", t("primary_contact"), "checkbox"),
    ]
    .into_iter()
    .map(|f| f.fill(v, e))
    .collect()
}

fn to_map(f: &FormData, keys: &[&'static str]) -> BTreeMap<&'static str, String> {
    keys.iter().map(|k| (*k, f.get(k).to_string())).collect()
}

#[post("/businesses/{id}/p-units")]
async fn add_p_unit(
    state: web::Data<AppState>,
    staff: CaseWorker,
    id: web::Path<i32>,
    Form(f): Form,
) -> Result<HttpResponse, AppError> {
    let id = *id;
    let cmd = super::form::parse_p_unit(&f, id);
    let result = state.app.run_parsed(staff.actor(), cmd).await;
    let (invalid, owner) = match result {
        Ok(_) => {
            staff.flash("p_unit_added");
            return Ok(see_other(&format!("/businesses/{id}#p-units")));
        }
        Err(e) => {
            let owner = e.existing_business();
            (e.field_errors().ok_or(e)?, owner)
        }
    };
    let values = to_map(
        &f,
        &["p_number", "street", "postal_code", "city", "employees"],
    );
    let fields = unit_fields(&staff, &values, &messages(&invalid, staff.lang));
    detail_page(
        &state,
        &staff,
        id,
        |ctx| {
            ctx.insert("unit_fields", &fields);
            ctx.insert("form_error", "unit");
            ctx.insert("p_unit_owner", &owner);
        },
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// Removes a P-unit (`p-units`) or a contact person (`persons`).
#[post("/businesses/{id}/{child}/{pid}/delete")]
async fn remove_child(
    state: web::Data<AppState>,
    staff: CaseWorker,
    path: web::Path<(i32, String, i32)>,
    _f: Form,
) -> Result<HttpResponse, AppError> {
    let (business_id, ref kind, child_id) = *path;
    let (child, flash) = match kind.as_str() {
        "p-units" => (Child::PUnit(child_id), "p_unit_removed"),
        "persons" => (Child::ContactPerson(child_id), "person_removed"),
        _ => return Err(AppError::NotFound),
    };
    let cmd = RemoveChild { business_id, child };
    state.app.run(staff.actor(), cmd).await?;
    staff.flash(flash);
    Ok(see_other(&format!("/businesses/{business_id}#{kind}")))
}

#[post("/businesses/{id}/persons")]
async fn add_person(
    state: web::Data<AppState>,
    staff: CaseWorker,
    id: web::Path<i32>,
    Form(f): Form,
) -> Result<HttpResponse, AppError> {
    let id = *id;
    let primary = f.checked("primary");
    let cmd = super::form::parse_person(&f, id);
    let result = state.app.run_parsed(staff.actor(), cmd).await;
    let invalid = match result {
        Ok(_) => {
            staff.flash("person_added");
            return Ok(see_other(&format!("/businesses/{id}#persons")));
        }
        Err(e) => e.field_errors().ok_or(e)?,
    };
    let mut values = to_map(&f, &["name", "role", "email", "phone"]);
    values.insert("primary", if primary { "on".into() } else { String::new() });
    let fields = person_fields(&staff, &values, &messages(&invalid, staff.lang));
    detail_page(
        &state,
        &staff,
        id,
        |ctx| {
            ctx.insert("person_fields", &fields);
            ctx.insert("form_error", "person");
        },
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// The overview for consultants and admins; the council starts on its
/// dashboard; a visitor without a session gets the public front page.
#[get("/")]
async fn home(
    state: web::Data<AppState>,
    staff: Option<Staff>,
    visitor: crate::web::auth::Visitor,
) -> Result<HttpResponse, AppError> {
    let Some(staff) = staff else {
        return crate::initiatives::front_page(&state, &visitor);
    };
    if staff.role == crate::domain::Role::Council {
        return Ok(crate::web::render::see_other("/dashboard"));
    }
    let counts = queries::count_by_district(&state.db).await?;
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    let mut by_district: Vec<(String, i64)> = District::ALL
        .iter()
        .map(|d| {
            let n = counts
                .iter()
                .find(|(k, _)| k.as_deref() == Some(d.as_str()))
                .map(|(_, n)| *n)
                .unwrap_or(0);
            (d.label(staff.lang).to_string(), n)
        })
        .collect();
    let other: i64 = counts
        .iter()
        .filter(|(k, _)| k.as_deref().is_none_or(|k| District::parse(k).is_err()))
        .map(|(_, n)| n)
        .sum();
    by_district.push((staff.t("district_other").to_string(), other));
    let (contacts_30, my_due) =
        crate::contacts::queries::overview_counts(&state.db, staff.id).await?;
    let mut ctx = staff.context();
    ctx.insert("total", &total);
    ctx.insert("by_district", &by_district);
    ctx.insert("contacts_30", &contacts_30);
    ctx.insert("my_due", &my_due);
    state.templates.page(staff.lang, "home.html", &ctx)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(super::export::export);
    super::merge_pages::routes(cfg);
    cfg.service(home)
        .service(list)
        .service(new_form)
        .service(create)
        .service(detail)
        .service(edit_form)
        .service(update)
        .service(add_p_unit)
        .service(add_person)
        .service(remove_child);
}
