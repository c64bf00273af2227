use actix_web::{HttpResponse, get, post, web};
use serde::Serialize;

use super::NewUser;
use super::commands::{AddUser, SetDisabled};
use crate::app::Invalid;
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
    use crate::domain::DomainError as E;
    let mut e = Invalid::new();
    let username = e.check(
        "username",
        super::parse_username(f.get("username")).map_err(|_| E::UsernameInvalid),
    );
    let display_name = e.check("display_name", required_text(f.get("display_name"), 120));
    let email = e
        .check(
            "email",
            crate::businesses::opt(f.get("email"), EmailAddress::parse),
        )
        .flatten()
        .map(|e| e.as_str().to_string());
    let role = e.check("role", Role::parse(f.get("role")));
    e.check(
        "password",
        super::check_password(f.get("password")).map_err(|_| E::PasswordTooShort),
    );
    let new = e.into_result(|| {
        Some(NewUser {
            username: username?,
            display_name: display_name?,
            email,
            role: role?,
        })
    });
    let result = match new {
        Ok(user) => {
            let password_hash = super::hash_password(f.get("password")).await?;
            let cmd = AddUser {
                user,
                password_hash,
            };
            state.app.run(staff.actor(), cmd).await
        }
        Err(invalid) => Err(invalid.into()),
    };
    let invalid = match result {
        Ok(_) => {
            staff.flash("user_added");
            return Ok(see_other("/admin/users"));
        }
        Err(e) => e.field_errors().ok_or(e)?,
    };
    let errors: Vec<(&'static str, String)> = invalid
        .iter()
        .map(|fe| (fe.field, fe.error.message(staff.lang)))
        .collect();
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
    // No account has a name that isn't one (and PostgreSQL refuses NUL).
    let username = super::parse_username(&path).map_err(|_| AppError::NotFound)?;
    let disable = f.checked("disabled");
    if disable && username == staff.username {
        staff.flash("cannot_disable_self");
        return Ok(see_other("/admin/users"));
    }
    let cmd = SetDisabled {
        username,
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
    super::account::routes(cfg);
    cfg.service(users_page)
        .service(add_user)
        .service(set_disabled);
}
