//! Sign-in, sign-out and the language switch.
use actix_web::{HttpRequest, HttpResponse, cookie::Cookie, get, post, web};
use entity::app_user;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::config::LocalSignIn;
use crate::domain::Lang;
use crate::users::commands::{SignIn, SignOut};
use crate::web::{
    AppState,
    auth::{self, Staff, Visitor},
    error::AppError,
    form::{Form, query},
    i18n,
    render::see_other,
};

/// Only a path on this site: never an open redirect. Browsers drop tabs
/// and newlines from a URL and read `\` as `/`, so `/<TAB>/evil.example` or
/// `/\evil.example` lead off-site; the value is refused when it, or its
/// percent-decoded form, could: anything but one leading `/` followed by a
/// non-slash, or any control character or backslash.
pub fn safe_next(next: &str) -> &str {
    fn local(p: &str) -> bool {
        let mut chars = p.chars();
        chars.next() == Some('/')
            && !matches!(chars.next(), Some('/') | Some('\\'))
            && !p.chars().any(|c| c.is_control() || c == '\\')
    }
    let decoded: String = form_urlencoded::parse(format!("x={next}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if local(next) && local(&decoded) && !decoded.contains("/\\") {
        next
    } else {
        "/"
    }
}

/// The sign-in page: the identity provider's button when one is set, and
/// the password form for whoever may use a local password.
fn login_context(
    state: &AppState,
    visitor: &Visitor,
    next: &str,
    username: &str,
    error: Option<&str>,
) -> tera::Context {
    let mut ctx = visitor.context();
    ctx.insert("next", next);
    ctx.insert("username", username);
    ctx.insert("error", &error);
    let oidc_href = state.oidc.as_ref().map(|_| {
        format!(
            "/login/oidc?{}",
            serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
        )
    });
    ctx.insert("oidc_href", &oidc_href);
    let local = match state.settings.local_sign_in() {
        LocalSignIn::All => "all",
        LocalSignIn::Admins => "admins",
        LocalSignIn::Off => "off",
    };
    ctx.insert("local", local);
    ctx
}

#[get("/login")]
async fn login_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let q = query(&req);
    let ctx = login_context(&state, &visitor, safe_next(q.get("next")), "", None);
    state.templates.page(visitor.lang, "login.html", &ctx)
}

#[post("/login")]
async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    Form(form): Form,
) -> Result<HttpResponse, AppError> {
    let ip = crate::web::client_ip(&req, &state);
    let username = form.get("username").trim().to_lowercase();
    // Checked and counted in one step, per address and per account (so
    // parallel guesses cannot pass together, and guesses at one account
    // from many addresses are limited too).
    if let Err(retry_after) = state
        .login_limiter
        .acquire(&ip.to_string())
        .and_then(|()| state.account_limiter.acquire(&username))
    {
        tracing::warn!("sign-in rate limit reached");
        return Err(AppError::TooMany { retry_after });
    }
    // After a few failures at this account each guess waits longer (while
    // waiting it holds no password check). Only names an account can have
    // are tracked.
    let can_be_account = crate::users::parse_username(&username).is_ok();
    if can_be_account {
        let wait = state.login_backoff.attempt(&username);
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
    let password = form.get("password");
    let next = safe_next(form.get("next")).to_string();
    // A name no account can have (NUL, control characters, far too long)
    // is not looked up (PostgreSQL refuses NUL in a text parameter); its
    // password is still verified against the dummy hash.
    // With the identity provider, a local password is for break-glass
    // admins only (or for nobody); anyone else is refused as if the
    // password were wrong, after the same work.
    let policy = state.settings.local_sign_in();
    let user = if !can_be_account || policy == LocalSignIn::Off {
        None
    } else {
        app_user::Entity::find()
            .filter(app_user::Column::Username.eq(&username))
            .one(&state.db)
            .await?
    };
    // Verify even for an unknown user, or one without a password (an
    // account of the identity provider), so timing doesn't reveal accounts.
    let has_password = user
        .as_ref()
        .is_some_and(|u| argon2::PasswordHash::new(&u.password_hash).is_ok());
    let hash = user
        .as_ref()
        .filter(|_| has_password)
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| state.dummy_hash.clone());
    let pw = password.to_string();
    // At most a few verifications at once; a burst waits its turn, or is
    // told to come back.
    let _permit = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        state.password_checks.acquire(),
    )
    .await
    .map_err(|_| AppError::TooMany { retry_after: 5 })?
    .map_err(|e| AppError::Unexpected(e.into()))?;
    let ok = web::block(move || auth::verify_password(&pw, &hash))
        .await
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("verifying password: {e}")))?;
    let sid = auth::random_token();
    let cmd = SignIn {
        username: username.clone(),
        client: ip.to_string(),
        verified_user: user
            .filter(|u| ok && has_password && !u.disabled && u.oidc_subject.is_none())
            .filter(|u| policy == LocalSignIn::All || u.role == crate::domain::Role::Admin.as_str())
            .map(|u| u.id),
        session_id: sid.clone(),
        hours: state.settings.session_hours,
        idle_minutes: state.settings.session_idle_minutes,
    };
    // A refused sign-in is nobody's act (not even that of the account a
    // right password belonged to, if it was just disabled).
    let actor = match cmd.verified_user {
        Some(id) => crate::app::Actor::User(id),
        None => crate::app::Actor::Public,
    };
    let Some(user) = state.app.run(actor, cmd).await? else {
        tracing::info!("sign-in refused");
        let error = match policy {
            LocalSignIn::All => "login_failed",
            LocalSignIn::Admins => "login_failed_admins",
            LocalSignIn::Off => "login_local_off",
        };
        let ctx = login_context(
            &state,
            &visitor,
            &next,
            &username,
            Some(i18n::t(visitor.lang, error)),
        );
        let body = state.templates.render(visitor.lang, "login.html", &ctx)?;
        return Ok(HttpResponse::Unauthorized()
            .content_type("text/html; charset=utf-8")
            .body(body));
    };
    state.login_backoff.succeeded(&username);
    // A fresh cookie on sign-in (no session fixation), with a new CSRF token.
    visitor.session.renew();
    visitor.session.clear();
    let _ = visitor.session.insert(auth::SESSION_ID, &sid);
    let _ = visitor.session.insert(auth::CSRF, auth::random_token());
    tracing::info!(user_id = user.id, "signed in");
    Ok(see_other(&next))
}

#[post("/logout")]
async fn logout(
    state: web::Data<AppState>,
    staff: Staff,
    _form: Form,
) -> Result<HttpResponse, AppError> {
    let via_provider = staff
        .session
        .get::<bool>(crate::web::oidc::VIA_PROVIDER)
        .ok()
        .flatten()
        .unwrap_or(false);
    if let Ok(Some(session_id)) = staff.session.get::<String>(auth::SESSION_ID) {
        let cmd = SignOut {
            user_id: staff.id,
            session_id,
        };
        state.app.run(staff.actor(), cmd).await?;
    }
    staff.session.purge();
    // Signed in through the provider: its session ends too, where it
    // supports that (RP-initiated logout); it sends the browser back here.
    if via_provider
        && let Some(oidc) = state.oidc.as_ref()
        && let Some(url) = oidc.logout_url(staff.lang).await
    {
        return Ok(see_other(&url));
    }
    Ok(see_other("/login"))
}

/// `/lang/en?next=/businesses`: a plain link, so it works without JavaScript;
/// the choice is kept in a cookie for a year.
#[get("/lang/{code}")]
async fn switch_lang(req: HttpRequest, code: web::Path<String>) -> HttpResponse {
    let lang = Lang::parse(&code).unwrap_or_default();
    let q = query(&req);
    let mut cookie = Cookie::new(i18n::COOKIE, lang.as_str());
    cookie.set_path("/");
    cookie.set_max_age(actix_web::cookie::time::Duration::days(365));
    cookie.set_same_site(actix_web::cookie::SameSite::Lax);
    let mut res = see_other(safe_next(q.get("next")));
    let _ = res.add_cookie(&cookie);
    res
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(login_page)
        .service(login)
        .service(logout)
        .service(switch_lang);
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_only_allows_local_paths() {
        for (input, want) in [
            ("/businesses?page=2", "/businesses?page=2"),
            ("/needs?status=new&page=2", "/needs?status=new&page=2"),
            (
                "/search?q=%C3%A6bel%C3%B8gade",
                "/search?q=%C3%A6bel%C3%B8gade",
            ),
            ("/search?q=hotel+a%2Fs", "/search?q=hotel+a%2Fs"),
            ("/", "/"),
            ("//evil.example", "/"),
            ("https://evil.example", "/"),
            ("/\\evil", "/"),
            ("\\\\evil.example", "/"),
            ("/\t/evil.example", "/"),
            ("/\n/evil.example", "/"),
            ("/\r/evil.example", "/"),
            ("/%09/evil.example", "/"),
            ("/%0a/evil.example", "/"),
            ("/%2f/evil.example", "/"),
            ("/%2F%2Fevil.example", "/"),
            ("/%5cevil.example", "/"),
            ("/%5Cevil.example", "/"),
            (" /evil", "/"),
            ("javascript:alert(1)", "/"),
            ("evil.example", "/"),
            ("", "/"),
        ] {
            assert_eq!(safe_next(input), want, "{input}");
        }
    }
}
