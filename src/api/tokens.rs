//! API tokens: made, named, scoped and revoked by admins on
//! `/admin/api-tokens`. A token is 64 random hex digits after `erh_`; only
//! its SHA-256 is stored, and it is shown once. Every request looks the
//! token up, so a revoked token stops at once.
use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, post, web};
use entity::api_token;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde::Serialize;
use serde_json::json;
use sha2::Digest;

use crate::app::{Command, Error, Invalid, Result, UnitOfWork};
use crate::domain::{ApiArea, AuditAction, AuditEntity, DomainError, required_text};
use crate::web::{
    AppState,
    auth::{Admin, Staff},
    error::AppError,
    fields::{Field, FieldErrors, first_error, messages},
    form::{Form, FormData},
    render::{html_status, see_other},
};

/// What a token may do in an area; writing includes reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Read,
    Write,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Read => "read",
            Level::Write => "write",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "read" => Some(Level::Read),
            "write" => Some(Level::Write),
            _ => None,
        }
    }
}

/// A token's scopes: per area, read or read-write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scopes(pub BTreeMap<&'static str, Level>);

impl Scopes {
    /// `businesses:read placements:write` …; unknown parts are ignored.
    pub fn parse(s: &str) -> Self {
        let mut out = BTreeMap::new();
        for part in s.split_whitespace() {
            if let Some((area, level)) = part.split_once(':')
                && let (Ok(area), Some(level)) = (ApiArea::parse(area), Level::parse(level))
            {
                out.insert(area.as_str(), level);
            }
        }
        Scopes(out)
    }

    pub fn allows(&self, area: ApiArea, level: Level) -> bool {
        self.0.get(area.as_str()).is_some_and(|l| *l >= level)
    }

    pub fn to_text(&self) -> String {
        self.0
            .iter()
            .map(|(a, l)| format!("{a}:{}", l.as_str()))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The stored form of a token.
pub fn hash(token: &str) -> String {
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

/// The live (not revoked) token with this value.
pub async fn authenticate<C: ConnectionTrait>(
    db: &C,
    raw: &str,
) -> std::result::Result<Option<api_token::Model>, sea_orm::DbErr> {
    if !raw.starts_with("erh_") || raw.len() != 68 {
        return Ok(None);
    }
    api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash(raw)))
        .filter(api_token::Column::RevokedAt.is_null())
        .one(db)
        .await
}

/// An admin makes a token; the command answers its id and its value,
/// which is never stored.
pub struct CreateToken {
    pub name: String,
    pub scopes: Scopes,
}

#[async_trait::async_trait]
impl Command for CreateToken {
    type Output = (i32, String);

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<(i32, String)> {
        let token = format!("erh_{}", crate::web::auth::random_token());
        let taken = api_token::Entity::find()
            .filter(api_token::Column::Name.eq(&self.name))
            .one(uow.tx())
            .await?;
        if taken.is_some() {
            return Err(Error::Conflict {
                field: "name",
                error: DomainError::AlreadyExists,
                existing: None,
            });
        }
        let row = api_token::ActiveModel {
            name: Set(self.name.clone()),
            token_hash: Set(hash(&token)),
            scopes: Set(self.scopes.to_text()),
            created_by: Set(uow.actor().user_id()),
            created_at: Set(uow.now()),
            ..Default::default()
        }
        .insert(uow.tx())
        .await?;
        uow.audit(
            AuditAction::Create,
            AuditEntity::ApiToken,
            Some(row.id),
            json!({ "name": self.name, "scopes": row.scopes }),
        );
        Ok((row.id, token))
    }
}

pub struct RevokeToken {
    pub id: i32,
}

#[async_trait::async_trait]
impl Command for RevokeToken {
    type Output = ();

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<()> {
        let res = api_token::Entity::update_many()
            .col_expr(
                api_token::Column::RevokedAt,
                sea_orm::sea_query::Expr::value(uow.now()),
            )
            .filter(api_token::Column::Id.eq(self.id))
            .filter(api_token::Column::RevokedAt.is_null())
            .exec(uow.tx())
            .await?;
        if res.rows_affected == 0 {
            return Err(Error::NotFound);
        }
        uow.audit(
            AuditAction::Revoke,
            AuditEntity::ApiToken,
            Some(self.id),
            serde_json::Value::Null,
        );
        Ok(())
    }
}

/// One call with a token, for the audit log: the route, never the query
/// string or the body. Marks the token used.
pub struct RecordCall {
    pub token_id: i32,
    pub token_name: String,
    pub method: String,
    pub route: String,
    pub entity: AuditEntity,
    pub record: Option<i32>,
}

#[async_trait::async_trait]
impl Command for RecordCall {
    type Output = ();

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<()> {
        api_token::Entity::update_many()
            .col_expr(
                api_token::Column::LastUsedAt,
                sea_orm::sea_query::Expr::value(uow.now()),
            )
            .filter(api_token::Column::Id.eq(self.token_id))
            .exec(uow.tx())
            .await?;
        uow.audit(
            AuditAction::ApiCall,
            self.entity,
            self.record,
            json!({ "token": self.token_name, "method": self.method, "route": self.route }),
        );
        Ok(())
    }
}

/// Parses the admin page's form: a name and a level per area.
fn parse(f: &FormData) -> std::result::Result<CreateToken, Invalid> {
    let mut e = Invalid::new();
    let name = e.check("name", required_text(f.get("name"), 100));
    let mut scopes = BTreeMap::new();
    for area in ApiArea::ALL {
        match f.get(area.as_str()) {
            "" | "none" => {}
            s => match Level::parse(s) {
                Some(level) => {
                    scopes.insert(area.as_str(), level);
                }
                None => e.add(area.as_str(), DomainError::UnknownValue),
            },
        }
    }
    if scopes.is_empty() && e.is_empty() {
        e.add("businesses", DomainError::Required);
    }
    e.into_result(|| {
        Some(CreateToken {
            name: name?,
            scopes: Scopes(scopes),
        })
    })
}

#[derive(Serialize)]
struct TokenRow {
    id: i32,
    name: String,
    scopes: Vec<String>,
    created: String,
    last_used: Option<String>,
    revoked: Option<String>,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    f: &FormData,
    errors: &FieldErrors,
    new_token: Option<(&str, &str)>,
    status: u16,
) -> std::result::Result<HttpResponse, AppError> {
    let lang = staff.lang;
    let when = |t: chrono::DateTime<chrono::Utc>| crate::businesses::local_time(t);
    let rows: Vec<TokenRow> = api_token::Entity::find()
        .order_by_desc(api_token::Column::CreatedAt)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            scopes: Scopes::parse(&t.scopes)
                .0
                .iter()
                .filter_map(|(a, l)| {
                    let area = ApiArea::parse(a).ok()?;
                    Some(format!(
                        "{}: {}",
                        area.label(lang),
                        staff.t(&format!("api_level_{}", l.as_str()))
                    ))
                })
                .collect(),
            name: t.name,
            created: when(t.created_at),
            last_used: t.last_used_at.map(when),
            revoked: t.revoked_at.map(when),
        })
        .collect();
    let levels = |_: ApiArea| {
        ["none", "read", "write"]
            .iter()
            .map(|l| {
                (
                    l.to_string(),
                    staff.t(&format!("api_level_{l}")).to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    let mut v: BTreeMap<&str, &str> = BTreeMap::new();
    v.insert("name", f.get("name"));
    let mut fields = vec![
        Field::new("name", staff.t("api_token_name"), "text")
            .required()
            .hint(staff.t("api_token_name_hint")),
    ];
    for area in ApiArea::ALL {
        v.insert(area.as_str(), f.get(area.as_str()));
        fields.push(Field::new(area.as_str(), area.label(lang), "select").options(levels(*area)));
    }
    let fields: Vec<Field> = fields.into_iter().map(|x| x.fill(&v, errors)).collect();
    let mut ctx = staff.context();
    ctx.insert("tokens", &rows);
    ctx.insert("first_error", &first_error(&fields));
    ctx.insert("fields", &fields);
    if let Some((name, token)) = new_token {
        ctx.insert("new_token_name", name);
        ctx.insert("new_token", token);
    }
    let body = state
        .templates
        .render(lang, "admin/api_tokens.html", &ctx)?;
    Ok(html_status(status, body))
}

#[get("/admin/api-tokens")]
async fn tokens_page(
    state: web::Data<AppState>,
    staff: Admin,
) -> std::result::Result<HttpResponse, AppError> {
    page(
        &state,
        &staff,
        &FormData::default(),
        &FieldErrors::new(),
        None,
        200,
    )
    .await
}

#[post("/admin/api-tokens")]
async fn create(
    state: web::Data<AppState>,
    staff: Admin,
    Form(f): Form,
) -> std::result::Result<HttpResponse, AppError> {
    let cmd = parse(&f);
    let name = f.get("name").trim().to_string();
    match state.app.run_parsed(staff.actor(), cmd).await {
        // Shown once, on this page; never again.
        Ok((_, token)) => {
            page(
                &state,
                &staff,
                &FormData::default(),
                &FieldErrors::new(),
                Some((&name, &token)),
                200,
            )
            .await
        }
        Err(e) => {
            let invalid = e.field_errors().ok_or(e)?;
            page(
                &state,
                &staff,
                &f,
                &messages(&invalid, staff.lang),
                None,
                422,
            )
            .await
        }
    }
}

#[post("/admin/api-tokens/{id}/revoke")]
async fn revoke(
    state: web::Data<AppState>,
    staff: Admin,
    id: web::Path<i32>,
    _f: Form,
) -> std::result::Result<HttpResponse, AppError> {
    state
        .app
        .run(staff.actor(), RevokeToken { id: *id })
        .await?;
    staff.flash("api_token_revoked");
    Ok(see_other("/admin/api-tokens"))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(tokens_page).service(create).service(revoke);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writing_includes_reading_and_areas_are_separate() {
        let s = Scopes::parse("businesses:write placements:read bogus:write needs:admin");
        assert!(s.allows(ApiArea::Businesses, Level::Read));
        assert!(s.allows(ApiArea::Businesses, Level::Write));
        assert!(s.allows(ApiArea::Placements, Level::Read));
        assert!(!s.allows(ApiArea::Placements, Level::Write));
        assert!(!s.allows(ApiArea::Needs, Level::Read));
        assert_eq!(s.to_text(), "businesses:write placements:read");
    }
}
