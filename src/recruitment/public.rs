//! The public recruitment-need form.
use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{Datelike, NaiveDate, Utc};
use entity::{business, recruitment_need};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, QueryFilter};
use tera::Context;

use serde_json::json;

use crate::app::{Cache, Command, Invalid, UnitOfWork};
use crate::businesses::patch;
use crate::domain::{
    AuditAction, AuditEntity, Cvr, EmailAddress, Lang, Phone, optional_text, required_text,
};
use crate::email::outbox;
use crate::email::render::Rendered;
use crate::search::DocKind;
use crate::web::{
    AppState,
    auth::{Visitor, random_token},
    error::AppError,
    fields::{Field, first_error},
    form::{Csrf, Form, FormData, Unchecked},
    i18n,
    render::{html_status, see_other},
};

const TICKET: &str = "need_ticket";
const LAST_REF: &str = "need_last_ref";

/// The form page's ticket, kept in the visitor's session (the sealed
/// cookie: the client can neither read nor change it):
/// when the page was issued (the fill timer) and the token its need is
/// stored under. The token is unique among needs, so however often one
/// page's post is replayed (with fresh idempotency tokens too), it yields
/// one need and one receipt.
#[derive(serde::Serialize, serde::Deserialize)]
struct Ticket {
    token: String,
    issued: i64,
}

/// `filled_for`: seconds the person has already spent on the form (a form
/// shown again with their values can be sent at once).
fn issue_ticket(v: &Visitor, filled_for: i64) {
    let ticket = Ticket {
        token: random_token(),
        issued: Utc::now().timestamp() - filled_for,
    };
    let _ = v.session.insert(TICKET, &ticket);
}

pub(super) type Errors = BTreeMap<&'static str, String>;

/// Who entered a need: the public form (no user) or a consultant, and how
/// the business told us (form, phone, visit, email).
#[derive(Clone, Copy)]
pub(crate) struct Origin {
    pub source: &'static str,
    pub by: Option<i32>,
    /// Entered by another system with this API token.
    pub token: Option<i32>,
}

const TEXT_FIELDS: [&str; 14] = [
    "cvr",
    "company_name",
    "contact_name",
    "contact_email",
    "contact_phone",
    "job_title",
    "positions",
    "hours_per_week",
    "start_date",
    "employment",
    "temporary_until",
    "workplace_address",
    "qualifications",
    "languages",
];
const CHECKBOXES: [&str; 3] = ["open_flex_job", "open_wage_subsidy", "open_work_trial"];

pub(super) fn fields(
    lang: Lang,
    values: &BTreeMap<&'static str, String>,
    errors: &Errors,
) -> Vec<Field> {
    let t = |k: &str| i18n::t(lang, k);
    let employment = vec![
        ("permanent".to_string(), t("need_permanent").to_string()),
        ("temporary".to_string(), t("need_temporary").to_string()),
    ];
    vec![
        Field::new("cvr", t("cvr"), "text")
            .required()
            .hint(t("cvr_hint")),
        Field::new("company_name", t("need_company_name"), "text")
            .required()
            .autocomplete("organization"),
        Field::new("contact_name", t("need_contact_name"), "text")
            .required()
            .autocomplete("name"),
        Field::new("contact_email", t("email"), "email")
            .required()
            .autocomplete("email"),
        Field::new("contact_phone", t("phone"), "tel").autocomplete("tel"),
        Field::new("job_title", t("need_job_title"), "text").required(),
        Field::new("positions", t("need_positions"), "number").required(),
        Field::new("hours_per_week", t("need_hours"), "number"),
        Field::new("start_date", t("need_start_date"), "date"),
        Field::new("employment", t("need_employment"), "select").options(employment),
        Field::new("temporary_until", t("need_temporary_until"), "date")
            .hint(t("need_temporary_until_hint")),
        Field::new("workplace_address", t("need_workplace"), "text"),
        Field::new("qualifications", t("need_qualifications"), "textarea"),
        Field::new("languages", t("need_languages"), "text").hint(t("need_languages_hint")),
        Field::new("open_flex_job", t("need_open_flex_job"), "checkbox"),
        Field::new("open_wage_subsidy", t("need_open_wage_subsidy"), "checkbox"),
        Field::new("open_work_trial", t("need_open_work_trial"), "checkbox"),
        Field::new("free_text", t("need_free_text"), "textarea"),
    ]
    .into_iter()
    .map(|f| f.fill(values, errors))
    .collect()
}

fn page(
    state: &AppState,
    v: &Visitor,
    values: &BTreeMap<&'static str, String>,
    errors: &Errors,
    known_name: Option<String>,
    notice: Option<&str>,
    status: u16,
) -> Result<HttpResponse, AppError> {
    let fields = fields(v.lang, values, errors);
    let mut ctx = v.context();
    ctx.insert("notice", &notice.map(|k| i18n::t(v.lang, k)));
    ctx.insert("path", "/rekruttering");
    ctx.insert("first_error", &first_error(&fields));
    ctx.insert("fields", &fields);
    ctx.insert("idem", values.get("idem").map(String::as_str).unwrap_or(""));
    ctx.insert("known_name", &known_name);
    let body = state.templates.render(v.lang, "needs/form.html", &ctx)?;
    Ok(html_status(status, body))
}

#[get("/rekruttering")]
async fn form(state: web::Data<AppState>, v: Visitor) -> Result<HttpResponse, AppError> {
    issue_ticket(&v, 0);
    let mut values: BTreeMap<&'static str, String> = BTreeMap::new();
    values.insert("positions", "1".into());
    values.insert("employment", "permanent".into());
    values.insert("idem", random_token());
    page(&state, &v, &values, &Errors::new(), None, None, 200)
}

#[derive(Clone)]
pub(crate) struct Need {
    cvr: Cvr,
    company_name: String,
    contact_name: String,
    contact_email: EmailAddress,
    contact_phone: Option<Phone>,
    job_title: String,
    positions: i32,
    hours_per_week: Option<i32>,
    start_date: Option<NaiveDate>,
    permanent: bool,
    temporary_until: Option<NaiveDate>,
    workplace_address: Option<String>,
    qualifications: Option<String>,
    languages: Option<String>,
    free_text: Option<String>,
}

fn number(s: &str, range: std::ops::RangeInclusive<i32>) -> Option<i32> {
    s.trim().parse::<i32>().ok().filter(|n| range.contains(n))
}

pub(crate) fn parse(f: &FormData) -> Result<Need, Invalid> {
    use crate::domain::DomainError as E;
    let mut e = Invalid::new();
    let cvr = e.check("cvr", Cvr::parse(f.get("cvr")));
    let company_name = e.check("company_name", required_text(f.get("company_name"), 200));
    let contact_name = e.check("contact_name", required_text(f.get("contact_name"), 120));
    let contact_email = e.check("contact_email", EmailAddress::parse(f.get("contact_email")));
    let contact_phone = e
        .check(
            "contact_phone",
            crate::businesses::opt(f.get("contact_phone"), Phone::parse),
        )
        .flatten();
    let job_title = e.check("job_title", required_text(f.get("job_title"), 200));
    let positions = e.check(
        "positions",
        number(f.get("positions"), 1..=500).ok_or(E::PositionsRange),
    );
    let hours_per_week = e
        .check(
            "hours_per_week",
            crate::businesses::opt(f.get("hours_per_week"), |s| {
                number(s, 1..=60).ok_or(E::HoursRange)
            }),
        )
        .flatten();
    let date = |s: &str| crate::contacts::parse_date(s).ok_or(E::DateFormat);
    let start_date = e
        .check(
            "start_date",
            crate::businesses::opt(f.get("start_date"), date),
        )
        .flatten();
    let permanent = f.get("employment") != "temporary";
    let temporary_until = e
        .check(
            "temporary_until",
            crate::businesses::opt(f.get("temporary_until"), date),
        )
        .flatten();
    if !permanent && temporary_until.is_none() {
        e.add("temporary_until", E::EndDateMissing);
    }
    if let (Some(s), Some(u)) = (start_date, temporary_until)
        && u < s
    {
        e.add("temporary_until", E::EndBeforeStart);
    }
    let mut text =
        |name: &'static str, max: usize| e.check(name, optional_text(f.get(name), max)).flatten();
    let workplace_address = text("workplace_address", 200);
    let qualifications = text("qualifications", 3000);
    let languages = text("languages", 300);
    let free_text = text("free_text", 5000);
    e.into_result(|| {
        Some(Need {
            cvr: cvr?,
            company_name: company_name?,
            contact_name: contact_name?,
            contact_email: contact_email?,
            contact_phone,
            job_title: job_title?,
            positions: positions?,
            hours_per_week,
            start_date,
            permanent,
            temporary_until: if permanent { None } else { temporary_until },
            workplace_address,
            qualifications,
            languages,
            free_text,
        })
    })
}

pub(super) fn typed(f: &FormData) -> BTreeMap<&'static str, String> {
    let mut v: BTreeMap<&'static str, String> = TEXT_FIELDS
        .iter()
        .map(|k| (*k, f.get(k).to_string()))
        .collect();
    v.insert("free_text", f.get("free_text").to_string());
    for k in CHECKBOXES {
        v.insert(
            k,
            if f.checked(k) {
                "on".into()
            } else {
                String::new()
            },
        );
    }
    v.insert("idem", f.get("idem").to_string());
    v
}

#[post("/rekruttering")]
async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    // Before `Visitor`, which starts a session for a visitor without one.
    Unchecked(f, csrf): Unchecked,
    v: Visitor,
) -> Result<HttpResponse, AppError> {
    let ip = crate::web::client_ip(&req, &state);
    let lookup = f.get("action") == "lookup";
    // Every post counts, a name lookup too, when it is checked.
    if let Err(retry_after) = state.need_limiter.acquire(&ip.to_string()) {
        return Err(AppError::TooMany { retry_after });
    }
    // What the person typed is shown again with a fresh ticket when the
    // post can't be taken as it is: never silently dropped.
    let again = |notice: &str, status: u16| {
        issue_ticket(&v, state.settings.need_min_fill_seconds);
        page(
            &state,
            &v,
            &typed(&f),
            &Errors::new(),
            None,
            Some(notice),
            status,
        )
    };
    match csrf {
        Csrf::Valid => {}
        // No session cookie came with it (cookies blocked, or the session
        // ran out while the form was open).
        Csrf::NoSession => return again("need_no_session", 400),
        Csrf::Wrong => return Err(AppError::Csrf),
    }
    // Bots: a filled honeypot.
    if !f.get("website").is_empty() {
        tracing::info!("recruitment form: honeypot filled, submission dropped");
        return Ok(see_other("/rekruttering/tak"));
    }
    let idem: String = f.token("idem").unwrap_or_default();
    // The same form sent twice: show the first receipt, store nothing new.
    if !idem.is_empty()
        && let Some(existing) = recruitment_need::Entity::find()
            .filter(recruitment_need::Column::IdempotencyKey.eq(&idem))
            .one(&state.db)
            .await?
    {
        let _ = v.session.insert(LAST_REF, &existing.reference);
        return Ok(see_other("/rekruttering/tak"));
    }
    if lookup {
        return lookup_name(&state, &v, &f).await;
    }
    let Some(ticket) = v.session.get::<Ticket>(TICKET).ok().flatten() else {
        // This session's form was sent already (or never fetched).
        return again("need_ticket_used", 422);
    };
    // A form sent faster than a person can fill it in.
    if Utc::now().timestamp() - ticket.issued < state.settings.need_min_fill_seconds {
        tracing::info!("recruitment form: sent too fast, submission dropped");
        return Ok(see_other("/rekruttering/tak"));
    }
    let need = match parse(&f) {
        Ok(n) => n,
        Err(invalid) => {
            let errors = crate::web::fields::messages(&invalid, v.lang);
            return page(&state, &v, &typed(&f), &errors, None, None, 422);
        }
    };
    let idem = if idem.is_empty() {
        random_token()
    } else {
        idem
    };
    let origin = Origin {
        source: "form",
        by: None,
        token: None,
    };
    let mut cmd = prepare(&state, &need, &f, v.lang, &idem, origin)?;
    cmd.form_ticket = Some(ticket.token);
    let (_, reference) = store(&state, cmd).await?;
    let _ = v.session.insert(LAST_REF, &reference);
    v.session.remove(TICKET);
    tracing::info!("recruitment need received");
    Ok(see_other("/rekruttering/tak"))
}

/// `action=lookup`: the name we know a CVR number by, to fill in, inside
/// the same budget as submissions. A business with advertising protection
/// or a sole trader (whose name is usually a person's) is said to be known,
/// without its name.
async fn lookup_name(
    state: &AppState,
    v: &Visitor,
    f: &FormData,
) -> Result<HttpResponse, AppError> {
    let known = match Cvr::parse(f.get("cvr")) {
        Ok(cvr) => crate::businesses::queries::find_by_cvr(&state.db, cvr.value()).await?,
        Err(_) => None,
    };
    let mut values = typed(f);
    let shown = known.as_ref().and_then(|b| {
        // A name typed into this form by someone else (`source = form`)
        // isn't shown to the next visitor either.
        let private = b.advertising_protected
            || b.company_form == crate::domain::CompanyForm::Enk.as_str()
            || b.source == "form";
        (!private).then(|| b.name.clone())
    });
    if let Some(name) = &shown
        && values
            .get("company_name")
            .is_none_or(|n| n.trim().is_empty())
    {
        values.insert("company_name", name.clone());
    }
    let (name, notice) = match (&known, shown) {
        (_, Some(name)) => (Some(name), None),
        (Some(_), None) => (None, Some("need_cvr_known_unnamed")),
        (None, _) => (None, Some("need_cvr_unknown")),
    };
    page(state, v, &values, &Errors::new(), name, notice, 200)
}

/// The need, its business (created for an unknown CVR), the search-sync
/// entry and the receipt email, in one transaction (see `prepare`).
pub(crate) async fn store(state: &AppState, cmd: SubmitNeed) -> Result<(i32, String), AppError> {
    let (origin, idem, ticket) = (cmd.origin, cmd.idem.clone(), cmd.form_ticket.clone());
    let actor = match (origin.by, origin.token) {
        (Some(id), _) => crate::app::Actor::User(id),
        (None, Some(token)) => crate::app::Actor::Token(token),
        (None, None) => crate::app::Actor::Public,
    };
    match state.app.run_batched(actor, cmd).await {
        Ok(stored) => Ok(stored),
        Err(e) => {
            // Two submissions of the same form at the same moment: the
            // unique keys (the need's token, the form's ticket, a new
            // business's CVR) let one through; the other gets the first
            // one's receipt.
            let mut key =
                sea_orm::Condition::any().add(recruitment_need::Column::IdempotencyKey.eq(&idem));
            if let Some(t) = ticket {
                key = key.add(recruitment_need::Column::FormTicket.eq(t));
            }
            if let Some(existing) = recruitment_need::Entity::find()
                .filter(key)
                .one(&state.db)
                .await?
            {
                return Ok((existing.id, existing.reference));
            }
            Err(e.into())
        }
    }
}

/// Stand-ins in the pre-rendered emails (plain letters: unchanged by HTML
/// escaping).
const REFERENCE_SLOT: &str = "RBREFERENCESLOTQX7";
const NEED_ID_SLOT: &str = "NEEDIDSLOTQX7";

/// A recruitment need submitted (the public form) or entered (a
/// consultant): everything it writes, made ready before the transaction.
pub(crate) struct SubmitNeed {
    need: Need,
    open_flex_job: bool,
    open_wage_subsidy: bool,
    open_work_trial: bool,
    lang: Lang,
    idem: String,
    origin: Origin,
    confirm_token: String,
    receipt: crate::email::render::Rendered,
    team_mail: Option<(String, crate::email::render::Rendered)>,
    /// The public form's ticket (see `Ticket`).
    pub(crate) form_ticket: Option<String>,
    /// Receipts per address and per CVR number in 24 hours, for needs
    /// from the public form.
    receipt_limits: Option<(u32, u32)>,
}

pub(crate) fn prepare(
    state: &AppState,
    need: &Need,
    f: &FormData,
    lang: Lang,
    idem: &str,
    origin: Origin,
) -> Result<SubmitNeed, AppError> {
    let confirm_token = random_token();
    let today = state.app.clock.today();
    // The emails are rendered before the write lock is taken, with slots
    // for what only the insert tells (the reference, the need's id).
    let mut ctx = Context::new();
    ctx.insert("lang", lang.as_str());
    ctx.insert("reference", REFERENCE_SLOT);
    ctx.insert("contact_name", &need.contact_name);
    ctx.insert("company_name", &need.company_name);
    ctx.insert("job_title", &need.job_title);
    ctx.insert("positions", &need.positions);
    ctx.insert(
        "first_contact_by",
        &crate::app::clock::format_date(super::next_working_day(today)),
    );
    ctx.insert(
        "confirm_url",
        &format!(
            "{}/rekruttering/bekraeft/{confirm_token}",
            state.mailer.app_url
        ),
    );
    let receipt = state.mailer.templates.render("need_receipt", &ctx)?;
    let team_mail = match (&state.mailer.team_email, origin.by) {
        // New needs from the form arrive unassigned: tell the team.
        (Some(team), None) => {
            ctx.insert("need_id", NEED_ID_SLOT);
            ctx.insert("app_url", &state.mailer.app_url);
            Some((
                team.clone(),
                state.mailer.templates.render("need_team", &ctx)?,
            ))
        }
        _ => None,
    };
    Ok(SubmitNeed {
        need: need.clone(),
        open_flex_job: f.checked("open_flex_job"),
        open_wage_subsidy: f.checked("open_wage_subsidy"),
        open_work_trial: f.checked("open_work_trial"),
        lang,
        idem: idem.to_string(),
        origin,
        confirm_token,
        receipt,
        team_mail,
        form_ticket: None,
        receipt_limits: (origin.by.is_none() && origin.token.is_none()).then_some((
            state.settings.need_receipts_per_address,
            state.settings.need_receipts_per_cvr,
        )),
    })
}

/// The statements run in the writer's transaction (they may run twice, see
/// `db::Writer`). Returns the need's id and reference.
#[async_trait::async_trait]
impl Command for SubmitNeed {
    type Output = (i32, String);

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> crate::app::Result<(i32, String)> {
        // The dashboard's live figures count these.
        uow.invalidate(crate::app::Cache::Figures);
        let tx = uow.tx();
        let now = &uow.now();
        let today = uow.today();
        let SubmitNeed {
            need,
            open_flex_job,
            open_wage_subsidy,
            open_work_trial,
            lang,
            idem,
            origin,
            confirm_token,
            receipt,
            team_mail,
            form_ticket,
            receipt_limits,
        } = self;
        let business_id =
            match crate::businesses::queries::find_by_cvr(tx, need.cvr.value()).await? {
                Some(b) => b.id,
                None => {
                    // Another submission for the same new CVR may be creating the
                    // business right now: insert-if-absent, then read it back.
                    // "from the form": for a consultant to check.
                    let mut m = patch::blank(need.cvr, "form", *now);
                    patch::BusinessPatch {
                        name: Some(need.company_name.clone()),
                        email: Some(Some(need.contact_email.clone())),
                        phone: Some(need.contact_phone.clone()),
                        ..Default::default()
                    }
                    .apply(&mut m);
                    let b = patch::to_active(m, None);
                    let created = business::Entity::insert(b)
                        .on_conflict(crate::db::keep_existing(business::Column::Cvr))
                        .exec_without_returning(tx)
                        .await?;
                    let b = crate::businesses::queries::find_by_cvr(tx, need.cvr.value())
                        .await?
                        .ok_or_else(|| {
                            DbErr::RecordNotFound("the business for the need vanished".into())
                        })?;
                    if created > 0 {
                        uow.reindex(DocKind::Business, b.id);
                        uow.invalidate(Cache::BusinessList);
                        uow.audit(
                            AuditAction::Create,
                            AuditEntity::Business,
                            Some(b.id),
                            json!({ "source": "form" }),
                        );
                    }
                    b.id
                }
            };
        let row = recruitment_need::ActiveModel {
            reference: Set(format!("pending-{idem}")),
            business_id: Set(Some(business_id)),
            cvr: Set(need.cvr.value() as i32),
            company_name: Set(need.company_name.clone()),
            contact_name: Set(need.contact_name.clone()),
            contact_email: Set(need.contact_email.as_str().to_string()),
            contact_phone: Set(need.contact_phone.as_ref().map(|p| p.as_str().to_string())),
            job_title: Set(need.job_title.clone()),
            positions: Set(need.positions),
            hours_per_week: Set(need.hours_per_week),
            start_date: Set(need.start_date),
            permanent: Set(need.permanent),
            temporary_until: Set(need.temporary_until),
            workplace_address: Set(need.workplace_address.clone()),
            qualifications: Set(need.qualifications.clone()),
            languages: Set(need.languages.clone()),
            open_flex_job: Set(*open_flex_job),
            open_wage_subsidy: Set(*open_wage_subsidy),
            open_work_trial: Set(*open_work_trial),
            free_text: Set(need.free_text.clone()),
            lang: Set(lang.as_str().to_string()),
            status: Set("new".into()),
            source: Set(origin.source.into()),
            assigned_to: Set(origin.by),
            idempotency_key: Set(idem.clone()),
            confirm_token: Set(confirm_token.clone()),
            form_ticket: Set(form_ticket.clone()),
            email_confirmed: Set(false),
            created_at: Set(*now),
            ..Default::default()
        }
        .insert(tx)
        .await?;
        let reference = super::reference(today.year(), row.id);
        let mut am: recruitment_need::ActiveModel = row.into();
        am.reference = Set(reference.clone());
        let row = am.update(tx).await?;
        uow.reindex(DocKind::Need, row.id);
        let fill = |text: &str| {
            text.replace(REFERENCE_SLOT, &reference)
                .replace(NEED_ID_SLOT, &row.id.to_string())
        };
        // The receipt, and the team's notice of a need nobody has yet.
        let mail = |recipient: String, template: &str, lang: &str, r: &Rendered| outbox::NewEmail {
            recipient,
            template: template.into(),
            lang: lang.into(),
            subject: fill(&r.subject),
            body_text: fill(&r.text),
            body_html: fill(&r.html),
            idempotency_key: format!("{template}:{}", row.id),
            case_related: true,
            business_id: Some(business_id),
            created_by: None,
            send_at: *now,
        };
        let receipt_to = need.contact_email.as_str().to_lowercase();
        let send_receipt = match receipt_limits {
            Some(limits) => within_receipt_limits(tx, *limits, &receipt_to, business_id).await?,
            None => true,
        };
        if send_receipt {
            uow.email(mail(receipt_to, "need_receipt", lang.as_str(), receipt))
                .await?;
        } else {
            // The form can't be used to send the municipality's mail to
            // an address (or a business) over and over.
            tracing::warn!("recruitment form: receipt limit reached, receipt not sent");
        }
        if let Some((team, r)) = team_mail {
            uow.email(mail(team.clone(), "need_team", "da", r)).await?;
        }
        uow.audit(
            AuditAction::Create,
            AuditEntity::Need,
            Some(row.id),
            json!({ "source": origin.source }),
        );
        Ok((row.id, reference))
    }
}

/// Whether one more receipt may go to `to` and to the business: fewer than
/// the limits in the last 24 hours. Counted under a lock per key, so
/// simultaneous submissions can't pass the count together.
async fn within_receipt_limits(
    tx: &sea_orm::DatabaseTransaction,
    (per_address, per_cvr): (u32, u32),
    to: &str,
    business_id: i32,
) -> Result<bool, DbErr> {
    use entity::outbox_email::{Column, Entity};
    use sea_orm::PaginatorTrait;
    crate::db::lock_key(tx, &format!("receipt-business:{business_id}")).await?;
    crate::db::lock_key(tx, &format!("receipt-to:{to}")).await?;
    // The outbox's `created_at` is the real time (not the app's clock).
    let since = Utc::now() - chrono::Duration::hours(24);
    let receipts = || {
        Entity::find()
            .filter(Column::Template.eq("need_receipt"))
            .filter(Column::CreatedAt.gt(since))
    };
    let to_address = receipts()
        .filter(Column::Recipient.eq(to))
        .count(tx)
        .await?;
    if to_address >= u64::from(per_address) {
        return Ok(false);
    }
    let to_business = receipts()
        .filter(Column::BusinessId.eq(business_id))
        .count(tx)
        .await?;
    Ok(to_business < u64::from(per_cvr))
}

#[get("/rekruttering/tak")]
async fn thanks(state: web::Data<AppState>, v: Visitor) -> Result<HttpResponse, AppError> {
    let reference: Option<String> = v.session.get(LAST_REF).ok().flatten();
    let mut receipt_sent = true;
    if let Some(r) = &reference
        && let Some(need) = recruitment_need::Entity::find()
            .filter(recruitment_need::Column::Reference.eq(r))
            .one(&state.db)
            .await?
    {
        receipt_sent = entity::outbox_email::Entity::find()
            .filter(
                entity::outbox_email::Column::IdempotencyKey
                    .eq(format!("need_receipt:{}", need.id)),
            )
            .one(&state.db)
            .await?
            .is_some();
    }
    let mut ctx = v.context();
    ctx.insert("path", "/rekruttering/tak");
    ctx.insert("reference", &reference);
    ctx.insert("receipt_sent", &receipt_sent);
    let today = state.app.clock.today();
    ctx.insert(
        "first_contact_by",
        &crate::app::clock::format_date(super::next_working_day(today)),
    );
    state.templates.page(v.lang, "needs/thanks.html", &ctx)
}

/// The link's token, as only the characters a token has.
fn clean_token(token: &str) -> String {
    token
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(64)
        .collect()
}

/// The need of a confirmation link, looked up without the write lock: a
/// made-up or already used link costs a read, not a writers' turn.
async fn need_of_link(state: &AppState, token: &str) -> Result<recruitment_need::Model, AppError> {
    recruitment_need::Entity::find()
        .filter(recruitment_need::Column::ConfirmToken.eq(token))
        .one(&state.db)
        .await?
        .filter(|_| !token.is_empty())
        .ok_or(AppError::NotFound)
}

/// The receipt's link opens a page with a button: mail scanners that open
/// every link confirm nothing; only the POST changes state.
#[get("/rekruttering/bekraeft/{token}")]
async fn confirm_page(
    state: web::Data<AppState>,
    v: Visitor,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = clean_token(&token);
    let need = need_of_link(&state, &token).await?;
    let mut ctx = v.context();
    ctx.insert("path", "/rekruttering");
    ctx.insert("pending", &!need.email_confirmed);
    ctx.insert("token", &token);
    state.templates.page(v.lang, "needs/confirmed.html", &ctx)
}

#[post("/rekruttering/bekraeft/{token}")]
async fn confirm(
    state: web::Data<AppState>,
    v: Visitor,
    token: web::Path<String>,
    _f: Form,
) -> Result<HttpResponse, AppError> {
    let token = clean_token(&token);
    let need = need_of_link(&state, &token).await?;
    if !need.email_confirmed {
        let cmd = super::commands::ConfirmNeedEmail { token };
        state.app.run(crate::app::Actor::Public, cmd).await?;
    }
    let mut ctx = v.context();
    ctx.insert("path", "/rekruttering");
    ctx.insert("pending", &false);
    state.templates.page(v.lang, "needs/confirmed.html", &ctx)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(form)
        .service(submit)
        .service(thanks)
        .service(confirm_page)
        .service(confirm);
}
