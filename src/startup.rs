//! Builds the application: database, templates, session key, HTTP server on
//! an already-bound listener (so port 0 reports the real port).
use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

use actix_session::{SessionMiddleware, storage::CookieSessionStore};
use actix_web::{
    App, HttpServer,
    cookie::{Key, SameSite},
    dev::{Server, Service},
    middleware::{ErrorHandlers, NormalizePath, TrailingSlash},
    web,
};
use anyhow::Context;
use futures_util::FutureExt;
use sea_orm::DatabaseConnection;
use secrecy::ExposeSecret;

use crate::config::Settings;
use crate::web::{AppState, error::render_error_page, ratelimit::RateLimiter, render::Templates};

pub struct Application {
    port: u16,
    host: String,
    server: Server,
}

impl Application {
    /// Connects, migrates and binds. `db` may be passed in by a caller that
    /// already holds a connection (the `demo` command seeds first).
    pub async fn build(settings: Settings, db: Option<DatabaseConnection>) -> anyhow::Result<Self> {
        let db = match db {
            Some(db) => db,
            None => {
                let db = crate::db::connect(&settings).await?;
                crate::db::migrate(&db).await?;
                db
            }
        };
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("binding {}", settings.bind))?;
        let addr = listener.local_addr().context("reading the bound address")?;
        let key = session_key(&settings)?;
        if let Err(e) = crate::db::analyze(&db).await {
            tracing::warn!(error = %e, "refreshing planner statistics failed");
        }
        let search = crate::search::SearchService::new(crate::search::open(&settings).await?);
        search.spawn_worker(db.clone());
        let app_url = settings.app_url.clone().unwrap_or_else(|| {
            let host = match addr.ip().to_string().as_str() {
                "0.0.0.0" | "::" => "127.0.0.1".to_string(),
                h => h.to_string(),
            };
            format!("http://{host}:{}", addr.port())
        });
        let oidc = crate::web::oidc::Oidc::from_settings(&settings, &app_url)?;
        if oidc.is_some()
            && settings.oidc_admin_groups.is_empty()
            && settings.oidc_consultant_groups.is_empty()
            && settings.oidc_council_groups.is_empty()
        {
            tracing::warn!(
                "oidc_issuer is set but no oidc_*_groups are: nobody gets a role through the provider"
            );
        }
        if settings.local_sign_in() == crate::config::LocalSignIn::Off && oidc.is_none() {
            tracing::warn!(
                "local_sign_in is off and no identity provider is set: nobody can sign in"
            );
        }
        let mailer = crate::email::Mailer::from_settings(&settings, app_url)?;
        if settings.outbox_worker {
            mailer.spawn_worker(db.clone());
            crate::email::digest::spawn_scheduler(
                mailer.clone(),
                db.clone(),
                settings.digest_hour,
                settings.clock.clone(),
            );
        }
        let consultants = std::sync::Arc::new(crate::users::ConsultantCache::default());
        let read_ttl = Duration::from_secs(settings.read_cache_seconds);
        let business_list =
            std::sync::Arc::new(crate::businesses::queries::ListCache::new(read_ttl));
        let figures = std::sync::Arc::new(crate::initiatives::figures::FigureCache::default());
        let sessions = std::sync::Arc::new(crate::web::auth::SessionCache::new(read_ttl));
        let wakers = crate::app::Wakers {
            search: Some(search.clone()),
            mailer: Some(mailer.clone()),
            business_list: Some(business_list.clone()),
            consultants: Some(consultants.clone()),
            figures: Some(figures.clone()),
            sessions: Some(sessions.clone()),
        };
        tokio::spawn(crate::app::listen(db.clone(), wakers.clone()));
        let app = crate::app::App::new(db.clone(), settings.clock.clone(), &mailer.domain, wakers)
            .context("starting the database writer")?;
        let case_ref_pattern = match settings.case_ref_pattern.as_str() {
            crate::domain::DEFAULT_CASE_REF_PATTERN => None,
            p => Some(
                regex::Regex::new(p)
                    .context("case_ref_pattern is not a valid regular expression")?,
            ),
        };
        let provider_origin = oidc.as_ref().map(crate::web::oidc::Oidc::origin);
        let state = web::Data::new(AppState {
            case_ref_pattern,
            oidc,
            app,
            db,
            templates: Templates::load()?,
            login_limiter: RateLimiter::new(
                settings.login_attempts.saturating_mul(10),
                Duration::from_secs(15 * 60),
            ),
            account_limiter: RateLimiter::new(
                settings.login_attempts,
                Duration::from_secs(15 * 60),
            ),
            // Three free mistakes, then 1 s, 2 s, 4 s, 8 s before each check.
            login_backoff: crate::web::ratelimit::Backoff::new(
                3,
                Duration::from_secs(8),
                Duration::from_secs(15 * 60),
            ),
            password_checks: tokio::sync::Semaphore::new(4),
            trusted_proxies: crate::web::client::parse_trusted(&settings.trusted_proxies)?,
            dummy_hash: crate::web::auth::hash_password("not-a-real-password")?,
            imports: Default::default(),
            search,
            consultants,
            business_list,
            figures,
            sessions,
            mailer,
            api_limiter: RateLimiter::new(
                settings.api_requests_per_minute,
                Duration::from_secs(60),
            ),
            need_limiter: RateLimiter::new(
                settings.need_submissions_per_hour,
                Duration::from_secs(3600),
            ),
            settings: settings.clone(),
        });
        let secure = settings.cookie_secure();
        let ttl = actix_web::cookie::time::Duration::hours(i64::from(settings.session_hours));
        let max_upload = settings.max_upload_mib * 1024 * 1024;
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(web::PayloadConfig::new(max_upload))
                .wrap_fn(|req, srv| {
                    // The language of the API's error bodies.
                    let lang = crate::api::lang_of(req.request());
                    crate::api::LANG.scope(lang, srv.call(req))
                })
                .wrap(ErrorHandlers::new().default_handler(render_error_page))
                .wrap(
                    SessionMiddleware::builder(CookieSessionStore::default(), key.clone())
                        // `__Host-`: the browser keeps it to this host, Secure, path /.
                        .cookie_name(if secure {
                            "__Host-erhverv_session".into()
                        } else {
                            "erhverv_session".into()
                        })
                        .cookie_secure(secure)
                        .cookie_http_only(true)
                        .cookie_same_site(SameSite::Lax)
                        .session_lifecycle(
                            actix_session::config::PersistentSession::default().session_ttl(ttl),
                        )
                        .build(),
                )
                .wrap(NormalizePath::new(TrailingSlash::Trim))
                .wrap_fn(|req, srv| {
                    // Pages can hold personal data: no cache keeps them,
                    // unless a response says otherwise (the stylesheet).
                    srv.call(req).map(|res| {
                        res.map(|mut res| {
                            let html = res
                                .headers()
                                .get(actix_web::http::header::CONTENT_TYPE)
                                .and_then(|v| v.to_str().ok())
                                .is_some_and(|v| {
                                    v.starts_with("text/html") || v.starts_with("application/json")
                                });
                            let headers = res.headers_mut();
                            if html && !headers.contains_key(actix_web::http::header::CACHE_CONTROL)
                            {
                                headers.insert(
                                    actix_web::http::header::CACHE_CONTROL,
                                    actix_web::http::header::HeaderValue::from_static("no-store"),
                                );
                            }
                            res
                        })
                    })
                })
                .wrap(security_headers(secure, provider_origin.as_deref()))
                .wrap_fn(|req, srv| {
                    // One log line per request: method, route pattern, status,
                    // time. No query strings, no bodies: nothing personal.
                    let method = req.method().to_string();
                    let started = Instant::now();
                    srv.call(req).map(move |res| {
                        if let Ok(res) = &res {
                            let route = res.request().match_pattern().unwrap_or_else(|| "-".into());
                            tracing::info!(
                                method,
                                route,
                                status = res.status().as_u16(),
                                ms = started.elapsed().as_secs_f64() * 1000.0,
                                "request"
                            );
                        }
                        res
                    })
                })
                .configure(crate::web::routes)
        })
        .listen(listener)
        .context("starting the HTTP server")?
        .run();
        Ok(Self {
            port: addr.port(),
            host: addr.ip().to_string(),
            server,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        let host = match self.host.as_str() {
            "0.0.0.0" | "::" => "127.0.0.1",
            h => h,
        };
        format!("http://{host}:{}", self.port)
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Headers on every response: no script at all, styles and images from
/// this site only, no framing, no sniffing, no referrer to other sites, no
/// device APIs; HSTS when the cookies are HTTPS-only.
/// `provider`: the identity provider's origin, where signing out (a form)
/// is sent on to: browsers hold a form's redirects to `form-action` too.
fn security_headers(secure: bool, provider: Option<&str>) -> actix_web::middleware::DefaultHeaders {
    let form_action = match provider {
        Some(origin) => format!("'self' {origin}"),
        None => "'self'".to_string(),
    };
    let mut h = actix_web::middleware::DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            format!(
                "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; \
                 object-src 'none'; base-uri 'none'; form-action {form_action}; \
                 frame-ancestors 'none'"
            ),
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "same-origin"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        ));
    if secure {
        h = h.add((
            "Strict-Transport-Security",
            "max-age=31536000; includeSubDomains",
        ));
    }
    h
}

/// The cookie key: from configuration, else generated once and kept in the
/// data directory so sessions survive a restart.
fn session_key(settings: &Settings) -> anyhow::Result<Key> {
    if let Some(hexkey) = &settings.session_key {
        let bytes =
            hex::decode(hexkey.expose_secret().trim()).context("session_key must be hex")?;
        return Key::try_from(bytes.as_slice())
            .context("session_key must be 64 bytes (128 hex digits)");
    }
    let path = settings.data_dir.join("session.key");
    if let Ok(bytes) = std::fs::read(&path)
        && let Ok(key) = Key::try_from(bytes.as_slice())
    {
        return Ok(key);
    }
    std::fs::create_dir_all(&settings.data_dir).context("creating the data directory")?;
    let key = Key::generate();
    write_private(&path, key.master()).context("writing the session key")?;
    Ok(key)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    opts.mode(0o600);
    opts.open(path)?.write_all(bytes)
}
