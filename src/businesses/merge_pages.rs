//! `/admin/duplicates`: likely duplicate businesses and contact persons,
//! the merge of two businesses (after a page saying what moves), and the
//! undo of a merge (from the audit log or the kept business's page).
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use entity::business;
use sea_orm::EntityTrait;
use serde::Serialize;

use super::merge::{self, MergeBusinesses, UndoMerge};
use crate::web::{
    AppState,
    auth::Admin,
    error::AppError,
    form::{Form, query},
    render::see_other,
};

/// Groups shown at most, of each kind.
const LIMIT: usize = 200;

#[derive(Serialize)]
struct Member {
    id: i32,
    name: String,
    cvr: String,
    address: String,
    email: String,
}

impl From<&business::Model> for Member {
    fn from(b: &business::Model) -> Self {
        Member {
            id: b.id,
            name: b.name.clone(),
            cvr: format!("{:08}", b.cvr),
            address: [
                b.street.clone().unwrap_or_default(),
                b.postal_code.map(|p| p.to_string()).unwrap_or_default(),
                b.city.clone().unwrap_or_default(),
            ]
            .iter()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
            email: b.email.clone().unwrap_or_default(),
        }
    }
}

#[derive(Serialize)]
struct GroupView {
    reason: &'static str,
    members: Vec<Member>,
}

#[derive(Serialize)]
struct PersonView {
    id: i32,
    business_id: i32,
    name: String,
    email: String,
}

#[derive(Serialize)]
struct PersonGroupView {
    reason: &'static str,
    members: Vec<PersonView>,
}

#[get("/admin/duplicates")]
async fn duplicates(state: web::Data<AppState>, staff: Admin) -> Result<HttpResponse, AppError> {
    let groups: Vec<GroupView> = merge::find(&state.db, LIMIT)
        .await?
        .iter()
        .map(|g| GroupView {
            reason: staff.t(g.reason.key()),
            members: g.members.iter().map(Member::from).collect(),
        })
        .collect();
    let persons: Vec<PersonGroupView> = merge::find_persons(&state.db, LIMIT)
        .await?
        .into_iter()
        .map(|g| PersonGroupView {
            reason: staff.t(g.reason),
            members: g
                .members
                .into_iter()
                .map(|p| PersonView {
                    id: p.id,
                    business_id: p.business_id,
                    name: p.name,
                    email: p.email.unwrap_or_default(),
                })
                .collect(),
        })
        .collect();
    let mut ctx = staff.context();
    ctx.insert("groups", &groups);
    ctx.insert("persons", &persons);
    state
        .templates
        .page(staff.lang, "admin/duplicates.html", &ctx)
}

/// What moves, per kind of record, for the confirmation page.
async fn counts(state: &AppState, id: i32) -> Result<Vec<(&'static str, usize)>, AppError> {
    use entity::{
        contact, contact_person, initiative_business, outbox_email, p_unit, placement,
        recruitment_need,
    };
    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
    let db = &state.db;
    Ok(vec![
        (
            "merge_contacts",
            contact::Entity::find()
                .filter(contact::Column::BusinessId.eq(id))
                .count(db)
                .await? as usize,
        ),
        (
            "merge_persons",
            contact_person::Entity::find()
                .filter(contact_person::Column::BusinessId.eq(id))
                .count(db)
                .await? as usize,
        ),
        (
            "merge_p_units",
            p_unit::Entity::find()
                .filter(p_unit::Column::BusinessId.eq(id))
                .count(db)
                .await? as usize,
        ),
        (
            "merge_needs",
            recruitment_need::Entity::find()
                .filter(recruitment_need::Column::BusinessId.eq(id))
                .count(db)
                .await? as usize,
        ),
        (
            "merge_placements",
            placement::Entity::find()
                .filter(placement::Column::BusinessId.eq(id))
                .count(db)
                .await? as usize,
        ),
        (
            "merge_emails",
            outbox_email::Entity::find()
                .filter(outbox_email::Column::BusinessId.eq(id))
                .count(db)
                .await? as usize,
        ),
        (
            "merge_initiatives",
            initiative_business::Entity::find()
                .filter(initiative_business::Column::BusinessId.eq(id))
                .count(db)
                .await? as usize,
        ),
    ])
}

/// The two businesses side by side and what moves; the button merges.
#[get("/admin/duplicates/merge")]
async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Admin,
) -> Result<HttpResponse, AppError> {
    let q = query(&req);
    let id = |name: &str| q.get(name).parse::<i32>().map_err(|_| AppError::BadRequest);
    let (keep, merge) = (id("keep")?, id("merge")?);
    if keep == merge {
        return Err(AppError::BadRequest);
    }
    let find = |id: i32| {
        let db = state.db.clone();
        async move {
            business::Entity::find_by_id(id)
                .one(&db)
                .await?
                .filter(|b| b.merged_into.is_none())
                .ok_or(AppError::NotFound)
        }
    };
    let kept = find(keep).await?;
    let merged = find(merge).await?;
    let moves: Vec<(&str, usize)> = counts(&state, merge)
        .await?
        .into_iter()
        .map(|(k, n)| (staff.t(k), n))
        .collect();
    let mut ctx = staff.context();
    ctx.insert("kept", &Member::from(&kept));
    ctx.insert("merged", &Member::from(&merged));
    ctx.insert("moves", &moves);
    state.templates.page(staff.lang, "admin/merge.html", &ctx)
}

#[post("/admin/duplicates/merge")]
async fn merge_post(
    state: web::Data<AppState>,
    staff: Admin,
    Form(f): Form,
) -> Result<HttpResponse, AppError> {
    let id = |name: &str| f.get(name).parse::<i32>().map_err(|_| AppError::BadRequest);
    let cmd = MergeBusinesses {
        keep: id("keep")?,
        merge: id("merge")?,
    };
    let keep = cmd.keep;
    state.app.run(staff.actor(), cmd).await?;
    staff.flash("merge_done");
    Ok(see_other(&format!("/businesses/{keep}")))
}

#[post("/admin/merges/{id}/undo")]
async fn undo(
    state: web::Data<AppState>,
    staff: Admin,
    id: web::Path<i32>,
    _f: Form,
) -> Result<HttpResponse, AppError> {
    let merged = state
        .app
        .run(staff.actor(), UndoMerge { merge_id: *id })
        .await?;
    staff.flash("merge_undone");
    Ok(see_other(&format!("/businesses/{merged}")))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(duplicates)
        .service(confirm)
        .service(merge_post)
        .service(undo);
}
