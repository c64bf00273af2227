//! Templates are compiled into the binary and parsed once at start-up, one
//! Tera instance per language with that language's UI strings as `t` and
//! its number format as the `num` filter.
use actix_web::HttpResponse;
use tera::{Context, Kwargs, State, Tera};

use crate::domain::Lang;
use crate::web::{error::AppError, i18n};

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/", $name)))),*]
    };
}

/// Every template; names end in `.html` so autoescaping is on.
pub(crate) const TEMPLATES: &[(&str, &str)] = templates![
    "base.html",
    "fields.html",
    "pager.html",
    "error.html",
    "login.html",
    "login_oidc_error.html",
    "home.html",
    "businesses/list.html",
    "businesses/list_content.html",
    "businesses/detail.html",
    "businesses/form.html",
    "contacts/form.html",
    "contacts/followups.html",
    "contacts/mine.html",
    "admin/import.html",
    "admin/import_job.html",
    "admin/users.html",
    "admin/audit.html",
    "admin/api_tokens.html",
    "admin/duplicates.html",
    "admin/merge.html",
    "api/docs.html",
    "admin/gdpr.html",
    "admin/placement_rules.html",
    "placements/list.html",
    "placements/counts.html",
    "placements/form.html",
    "placements/stats.html",
    "search/results.html",
    "businesses/email.html",
    "admin/outbox.html",
    "needs/form.html",
    "needs/thanks.html",
    "needs/confirmed.html",
    "needs/list.html",
    "needs/detail.html",
    "needs/new.html",
    "search/unavailable.html",
    "dashboard.html",
    "strategi.html",
    "front.html",
    "initiatives/list.html",
    "initiatives/detail.html",
    "initiatives/form.html",
    "initiatives/figure.html",
    "initiatives/figure_card.html",
    "error_summary.html",
    "account/password.html",
];

pub struct Templates {
    da: Tera,
    en: Tera,
}

impl Templates {
    pub fn load() -> anyhow::Result<Self> {
        Ok(Self {
            da: build(Lang::Da)?,
            en: build(Lang::En)?,
        })
    }

    pub fn render(&self, lang: Lang, name: &str, ctx: &Context) -> Result<String, tera::Error> {
        match lang {
            Lang::Da => self.da.render(name, ctx),
            Lang::En => self.en.render(name, ctx),
        }
    }

    pub fn page(&self, lang: Lang, name: &str, ctx: &Context) -> Result<HttpResponse, AppError> {
        Ok(html(self.render(lang, name, ctx)?))
    }
}

fn build(lang: Lang) -> anyhow::Result<Tera> {
    let mut tera = Tera::new();
    tera.autoescape_on([".html"]);
    // `{{ total | num }}`: 18.969 in Danish, 18,969 in English. Registered
    // before the templates are added: parsing rejects an unknown filter.
    tera.register_filter("num", move |n: i128, _: Kwargs, _: &State| {
        i18n::number(lang, n)
    });
    tera.add_raw_templates(TEMPLATES.iter().copied())
        .map_err(|e| anyhow::anyhow!("parsing templates: {e}"))?;
    tera.global_context().insert("t", &i18n::strings(lang));
    tera.global_context().insert("lang", lang.as_str());
    Ok(tera)
}

pub fn html(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body)
}

/// An HTML page with a status other than 200 (422 for a form with errors).
pub fn html_status(status: u16, body: String) -> HttpResponse {
    HttpResponse::build(
        actix_web::http::StatusCode::from_u16(status)
            .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR),
    )
    .content_type("text/html; charset=utf-8")
    .body(body)
}

/// 303 See Other: the answer to every successful form post.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, location))
        .finish()
}

/// What `pager.html` shows: the page, the number of pages, and the links
/// to the pages before and after (`url(n)` is page n's address).
pub fn insert_pager(ctx: &mut tera::Context, page: u64, pages: u64, url: impl Fn(u64) -> String) {
    ctx.insert("page", &page);
    ctx.insert("pages", &pages);
    ctx.insert("prev_url", &(page > 1).then(|| url(page - 1)));
    ctx.insert("next_url", &(page < pages).then(|| url(page + 1)));
}
