use actix_web::{HttpResponse, get, post, web};
use serde::Serialize;

use super::NewUser;
use super::commands::{AddUser, SetDisabled};
use crate::domain::{EmailAddress, Role, required_text};
use std::collections::BTreeMap;

use crate::web::{
    AppState,
    auth::{Admin, Staff},
    error::AppError,
    fields::{Field, first_error},
    form::Form,
    render::see_other,
};

#[derive(Serialize)]
struct UserRow {
    id: i32,
    username: String,
    display_name: String,
    email: Option<String>,
    role: &'static str,
    disabled: bool,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    values: &[(&str, &str)],
    errors: &[(&'static str, String)],
) -> Result<String, AppError> {
    let users: Vec<UserRow> = super::list(&state.db)
        .await?
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            role: Role::parse(&u.role)
                .map(|r| r.label(staff.lang))
                .unwrap_or("?"),
            username: u.username,
            display_name: u.display_name,
            email: u.email,
            disabled: u.disabled,
        })
        .collect();
    let roles = Role::ALL
        .iter()
        .map(|r| (r.as_str().to_string(), r.label(staff.lang).to_string()))
        .collect();
    let t = |k: &str| staff.t(k);
    let v: BTreeMap<&str, &str> = values.iter().copied().collect();
    let e: BTreeMap<&'static str, String> = errors.iter().cloned().collect();
    let fields: Vec<Field> = vec![
        Field::new("username", t("username"), "text").required(),
        Field::new("display_name", t("display_name"), "text").required(),
        Field::new("email", t("email"), "email"),
        Field::new("role", t("role"), "select").options(roles),
        Field::new("password", t("password"), "password")
            .required()
            .autocomplete("new-password")
            .hint(t("password_too_short")),
    ]
    .into_iter()
    .map(|f| f.fill(&v, &e))
    .collect();
    let mut ctx = staff.context();
    ctx.insert("users", &users);
    ctx.insert("first_error", &first_error(&fields));
    ctx.insert("fields", &fields);
    Ok(state
        .templates
        .render(staff.lang, "admin/users.html", &ctx)?)
}

#[get("/admin/users")]
async fn users_page(state: web::Data<AppState>, staff: Admin) -> Result<HttpResponse, AppError> {
    let body = page(
        &state,
        &staff,
        &[
            ("username", ""),
            ("display_name", ""),
            ("email", ""),
            ("role", "consultant"),
        ],
        &[],
    )
    .await?;
    Ok(crate::web::render::html(body))
}

#[post("/admin/users")]
async fn add_user(
    state: web::Data<AppState>,
    staff: Admin,
    Form(f): Form,
) -> Result<HttpResponse, AppError> {
    let mut errors: Vec<(&str, String)> = Vec::new();
    let username = super::parse_username(f.get("username"))
        .map_err(|e| errors.push(("username", staff.t(&e.to_string()).to_string())))
        .ok();
    let display_name = required_text(f.get("display_name"), 120)
        .map_err(|e| errors.push(("display_name", e.message(staff.lang))))
        .ok();
    let email = if f.get("email").trim().is_empty() {
        None
    } else {
        EmailAddress::parse(f.get("email"))
            .map_err(|e| errors.push(("email", e.message(staff.lang))))
            .ok()
            .map(|e| e.as_str().to_string())
    };
    let role = Role::parse(f.get("role"))
        .map_err(|e| errors.push(("role", e.message(staff.lang))))
        .ok();
    if let Err(e) = super::check_password(f.get("password")) {
        errors.push(("password", staff.t(&e.to_string()).to_string()));
    }
    if let (Some(username), Some(display_name), Some(role), true) =
        (username, display_name, role, errors.is_empty())
    {
        let new = NewUser {
            username,
            display_name,
            email,
            role,
        };
        let password_hash = super::hash_password(f.get("password")).await?;
        let cmd = AddUser {
            user: new,
            password_hash,
        };
        match state.app.run(staff.actor(), cmd).await {
            Ok(_) => {
                staff.flash("user_added");
                return Ok(see_other("/admin/users"));
            }
            Err(e) => {
                let Some(invalid) = e.field_errors() else {
                    return Err(e.into());
                };
                for fe in invalid.iter() {
                    errors.push((fe.field, fe.error.message(staff.lang)));
                }
            }
        }
    }
    let values = [
        ("username", f.get("username")),
        ("display_name", f.get("display_name")),
        ("email", f.get("email")),
        ("role", f.get("role")),
    ];
    let body = page(&state, &staff, &values, &errors).await?;
    Ok(crate::web::render::html_status(422, body))
}

#[post("/admin/users/{username}/disabled")]
async fn set_disabled(
    state: web::Data<AppState>,
    staff: Admin,
    path: web::Path<String>,
    Form(f): Form,
) -> Result<HttpResponse, AppError> {
    let disable = f.checked("disabled");
    if disable && *path == staff.username {
        staff.flash("cannot_disable_self");
        return Ok(see_other("/admin/users"));
    }
    let cmd = SetDisabled {
        username: path.into_inner(),
        disabled: disable,
    };
    state.app.run(staff.actor(), cmd).await?;
    staff.flash(if disable {
        "user_disabled"
    } else {
        "user_enabled"
    });
    Ok(see_other("/admin/users"))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(users_page)
        .service(add_user)
        .service(set_disabled);
}
