//! The audit log: who changed what, and when. Entries are written only by
//! the unit of work, in the transaction of the change (`app::UnitOfWork`);
//! nothing in the application updates or deletes one. `detail` is
//! structured (field names, ids, codes, counts) and holds no personal
//! values — except, for a failed sign-in, the username tried and the client
//! address, which is what the log is for.
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{NaiveDate, TimeZone};
use entity::{app_user, audit_event};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;

use crate::app::clock::{TZ, format_local};
use crate::domain::{AuditAction, AuditEntity, Lang};
use crate::web::{AppState, auth::Admin, error::AppError, form::query};

pub const PAGE_SIZE: u64 = 50;

/// The admin page's filters; a value that does not parse is ignored.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub user: Option<i32>,
    pub action: Option<AuditAction>,
    pub entity: Option<AuditEntity>,
    pub entity_id: Option<i32>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub page: u64,
}

impl Filter {
    pub fn from_query(q: &crate::web::form::FormData) -> Self {
        let date = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        Filter {
            user: q.get("user").trim().parse().ok(),
            action: AuditAction::parse(q.get("action")).ok(),
            entity: AuditEntity::parse(q.get("entity")).ok(),
            entity_id: q.get("record").trim().parse().ok(),
            from: date(q.get("from")),
            to: date(q.get("to")),
            page: q.get("page").parse().unwrap_or(1).max(1),
        }
    }

    fn to_query(&self, page: u64) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(u) = self.user {
            pairs.push(("user", u.to_string()));
        }
        if let Some(a) = self.action {
            pairs.push(("action", a.as_str().into()));
        }
        if let Some(e) = self.entity {
            pairs.push(("entity", e.as_str().into()));
        }
        if let Some(id) = self.entity_id {
            pairs.push(("record", id.to_string()));
        }
        if let Some(d) = self.from {
            pairs.push(("from", d.to_string()));
        }
        if let Some(d) = self.to {
            pairs.push(("to", d.to_string()));
        }
        pairs.push(("page", page.to_string()));
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

/// The start of a Copenhagen day, in UTC.
fn day_start(d: NaiveDate) -> Option<chrono::DateTime<chrono::Utc>> {
    TZ.from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// A page of entries, newest first, and the number of entries in all.
pub async fn list(
    db: &DatabaseConnection,
    f: &Filter,
) -> Result<(Vec<audit_event::Model>, u64), DbErr> {
    let mut q = audit_event::Entity::find();
    if let Some(u) = f.user {
        q = q.filter(audit_event::Column::UserId.eq(u));
    }
    if let Some(a) = f.action {
        q = q.filter(audit_event::Column::Action.eq(a.as_str()));
    }
    if let Some(e) = f.entity {
        q = q.filter(audit_event::Column::Entity.eq(e.as_str()));
    }
    if let Some(id) = f.entity_id {
        q = q.filter(audit_event::Column::EntityId.eq(id));
    }
    if let Some(t) = f.from.and_then(day_start) {
        q = q.filter(audit_event::Column::At.gte(t));
    }
    if let Some(t) = f.to.and_then(|d| d.succ_opt()).and_then(day_start) {
        q = q.filter(audit_event::Column::At.lt(t));
    }
    let total = q.clone().count(db).await?;
    let rows = q
        .order_by_desc(audit_event::Column::Id)
        .paginate(db, PAGE_SIZE)
        .fetch_page(f.page.saturating_sub(1))
        .await?;
    Ok((rows, total))
}

#[derive(Serialize)]
struct Row {
    id: i32,
    when: String,
    who: String,
    action: String,
    entity: String,
    record: Option<String>,
    detail: String,
    /// A merge that can still be undone: its id.
    undo: Option<i32>,
}

/// Where an entry's record is shown, when it has a page.
fn record_url(entity: &str, id: i32) -> Option<String> {
    match AuditEntity::parse(entity).ok()? {
        AuditEntity::Business => Some(format!("/businesses/{id}")),
        AuditEntity::Need => Some(format!("/needs/{id}")),
        _ => None,
    }
}

fn label<T>(
    code: &str,
    parse: impl Fn(&str) -> Result<T, crate::domain::DomainError>,
    l: impl Fn(T) -> &'static str,
) -> String {
    parse(code)
        .map(l)
        .map(str::to_string)
        .unwrap_or_else(|_| code.to_string())
}

/// `{"changed":["name","email"],"business":12}` as `changed: name, email ·
/// business: 12`.
fn readable(detail: &str) -> String {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str(detail) else {
        return detail.to_string();
    };
    let value = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    };
    // An empty list or map says nothing.
    let empty = |v: &serde_json::Value| match v {
        serde_json::Value::Array(a) => a.is_empty(),
        serde_json::Value::Object(o) => o.is_empty(),
        _ => false,
    };
    map.iter()
        .filter(|(_, v)| !empty(v))
        .map(|(k, v)| format!("{k}: {}", value(v)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The merge an entry's detail names.
fn merge_of(detail: Option<&str>) -> Option<i32> {
    let v: serde_json::Value = serde_json::from_str(detail?).ok()?;
    v.get("merge")?.as_i64().and_then(|n| i32::try_from(n).ok())
}

#[get("/admin/audit")]
async fn audit_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Admin,
) -> Result<HttpResponse, AppError> {
    let f = Filter::from_query(&query(&req));
    let (entries, total) = list(&state.db, &f).await?;
    let users: Vec<app_user::Model> = crate::users::list(&state.db).await?;
    let name = |id: Option<i32>| match id {
        Some(id) => users
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.display_name.clone())
            .unwrap_or_else(|| format!("#{id}")),
        None => staff.t("audit_system").to_string(),
    };
    let lang: Lang = staff.lang;
    let tokens: std::collections::HashMap<i32, String> = entity::api_token::Entity::find()
        .all(&state.db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let open_merges: Vec<i32> = entity::business_merge::Entity::find()
        .filter(entity::business_merge::Column::UndoneAt.is_null())
        .all(&state.db)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let rows: Vec<Row> = entries
        .into_iter()
        .map(|e| Row {
            id: e.id,
            when: format_local(e.at),
            who: match e.api_token_id {
                Some(t) => format!(
                    "{}: {}",
                    staff.t("audit_token"),
                    tokens.get(&t).cloned().unwrap_or_else(|| format!("#{t}"))
                ),
                None => name(e.user_id),
            },
            action: label(&e.action, AuditAction::parse, |a| a.label(lang)),
            record: e
                .entity_id
                .map(|id| record_url(&e.entity, id).unwrap_or_else(|| format!("#{id}"))),
            entity: label(&e.entity, AuditEntity::parse, |x| x.label(lang)),
            undo: (e.action == AuditAction::Merge.as_str())
                .then(|| merge_of(e.detail.as_deref()))
                .flatten()
                .filter(|id| open_merges.contains(id)),
            detail: e.detail.as_deref().map(readable).unwrap_or_default(),
        })
        .collect();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let mut ctx = staff.context();
    ctx.insert("rows", &rows);
    ctx.insert("total", &total);
    crate::web::render::insert_pager(&mut ctx, f.page, pages, |n| {
        format!("/admin/audit?{}", f.to_query(n))
    });
    let actions: Vec<(&str, &str)> = AuditAction::ALL
        .iter()
        .map(|a| (a.as_str(), a.label(lang)))
        .collect();
    let entities: Vec<(&str, &str)> = AuditEntity::ALL
        .iter()
        .map(|a| (a.as_str(), a.label(lang)))
        .collect();
    let people: Vec<(String, String)> = users
        .iter()
        .map(|u| (u.id.to_string(), u.display_name.clone()))
        .collect();
    ctx.insert("actions", &actions);
    ctx.insert("entities", &entities);
    ctx.insert("people", &people);
    let q = query(&req);
    let mut fv = std::collections::BTreeMap::new();
    for k in ["user", "action", "entity", "record", "from", "to"] {
        fv.insert(k, q.get(k).to_string());
    }
    ctx.insert("f", &fv);
    state.templates.page(lang, "admin/audit.html", &ctx)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(audit_page);
}
