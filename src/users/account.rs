//! A staff member changes their own password: the current one is
//! required, and a new one must be hard to guess (zxcvbn, with the user's
//! own names and the administration's words counted as known).
use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, post, web};
use entity::app_user;
use sea_orm::EntityTrait;

use super::commands::ChangePassword;
use crate::app::Invalid;
use crate::domain::DomainError;
use crate::web::{
    AppState,
    auth::{self, Staff},
    error::AppError,
    fields::{Field, FieldErrors, first_error, messages},
    form::Form,
    render::{html_status, see_other},
};

/// Words anyone guessing a password here would try first.
const LOCAL_WORDS: [&str; 8] = [
    "kobenhavn",
    "københavn",
    "copenhagen",
    "erhverv",
    "kommune",
    "virksomhed",
    "konsulent",
    "erhvervsraadet",
];

/// Whether a new password is long and hard enough to guess.
pub fn check_strength(password: &str, personal: &[&str]) -> Result<(), DomainError> {
    if password.chars().count() < 10 {
        return Err(DomainError::PasswordTooShort);
    }
    // A name counts as itself, word by word and run together.
    let mut known: Vec<String> = LOCAL_WORDS.iter().map(|w| w.to_string()).collect();
    for p in personal {
        known.push(p.to_lowercase());
        known.push(p.to_lowercase().split_whitespace().collect());
        known.extend(p.to_lowercase().split_whitespace().map(str::to_string));
    }
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    let estimate = zxcvbn::zxcvbn(password, &known);
    if estimate.score() < zxcvbn::Score::Three {
        return Err(DomainError::PasswordWeak);
    }
    Ok(())
}

fn page(
    state: &AppState,
    staff: &Staff,
    user: &app_user::Model,
    errors: &FieldErrors,
    status: u16,
) -> Result<HttpResponse, AppError> {
    let t = |k: &str| staff.t(k);
    // Passwords are never shown again, so no values.
    let none: BTreeMap<&str, String> = BTreeMap::new();
    let fields: Vec<Field> = vec![
        Field::new("current_password", t("password_current"), "password")
            .required()
            .autocomplete("current-password"),
        Field::new("new_password", t("password_new"), "password")
            .required()
            .autocomplete("new-password")
            .hint(t("password_new_hint")),
        Field::new("new_password_again", t("password_again"), "password")
            .required()
            .autocomplete("new-password"),
    ]
    .into_iter()
    .map(|f| f.fill(&none, errors))
    .collect();
    let mut ctx = staff.context();
    // An account of the identity provider has no password in the portal.
    ctx.insert("managed", &user.oidc_subject.is_some());
    ctx.insert("first_error", &first_error(&fields));
    ctx.insert("fields", &fields);
    let body = state
        .templates
        .render(staff.lang, "account/password.html", &ctx)?;
    Ok(html_status(status, body))
}

#[get("/account/password")]
async fn password_form(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, AppError> {
    let user = app_user::Entity::find_by_id(staff.id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    page(&state, &staff, &user, &FieldErrors::new(), 200)
}

#[post("/account/password")]
async fn change_password(
    state: web::Data<AppState>,
    staff: Staff,
    Form(f): Form,
) -> Result<HttpResponse, AppError> {
    let user = app_user::Entity::find_by_id(staff.id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if user.oidc_subject.is_some() {
        return page(&state, &staff, &user, &FieldErrors::new(), 409);
    }
    let mut e = Invalid::new();
    // The same budget as sign-in: this form must not become a way to guess.
    if let Err(retry_after) = state.account_limiter.acquire(&user.username) {
        return Err(AppError::TooMany { retry_after });
    }
    let current = f.get("current_password").to_string();
    let hash = user.password_hash.clone();
    let _permit = state
        .password_checks
        .acquire()
        .await
        .map_err(|e| AppError::Unexpected(e.into()))?;
    let right = web::block(move || auth::verify_password(&current, &hash))
        .await
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("verifying password: {e}")))?;
    if !right {
        e.add("current_password", DomainError::PasswordWrong);
    }
    let new = f.get("new_password");
    e.check(
        "new_password",
        check_strength(new, &[&user.username, &user.display_name]),
    );
    if new != f.get("new_password_again") {
        e.add("new_password_again", DomainError::PasswordMismatch);
    }
    if !e.is_empty() {
        return page(&state, &staff, &user, &messages(&e, staff.lang), 422);
    }
    let new = new.to_string();
    let new_hash = web::block(move || auth::hash_password(&new))
        .await
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("hashing password: {e}")))?
        .map_err(AppError::Unexpected)?;
    drop(_permit);
    let keep = staff
        .session
        .get::<String>(auth::SESSION_ID)
        .ok()
        .flatten()
        .map(|sid| super::commands::session_key(&sid));
    let cmd = ChangePassword {
        user_id: user.id,
        password_hash: new_hash,
        keep_session: keep,
    };
    state.app.run(staff.actor(), cmd).await?;
    staff.flash("password_changed");
    Ok(see_other("/account/password"))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(password_form).service(change_password);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_local_and_personal_passwords_are_refused() {
        for weak in [
            "kobenhavn2026",
            "Erhverv12345",
            "password123",
            "qwertyuiop12",
            "kirstenhansen1",
        ] {
            assert!(
                check_strength(weak, &["kirsten", "Kirsten Hansen"]).is_err(),
                "{weak}"
            );
        }
        assert_eq!(
            check_strength("kort", &[]),
            Err(DomainError::PasswordTooShort)
        );
        assert_eq!(
            check_strength("lygtepæl-skovsnegl-trommesæt", &["kirsten"]),
            Ok(())
        );
    }
}
