//! Spawns the real application on port 0 with a fresh database per test and
//! drives it over HTTP with a cookie jar, as a browser would.
use std::sync::Arc;

use erhverv::{config::Settings, domain::Role, startup::Application, users};
use reqwest::{Client, Response, cookie::CookieStore, redirect::Policy};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use secrecy::SecretString;

pub const PASSWORD: &str = "korrekt-hest-batteri";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub address: String,
    pub client: Client,
    pub jar: Arc<reqwest::cookie::Jar>,
    pub db: DatabaseConnection,
    pub settings: Settings,
    pub _dir: tempfile::TempDir,
}

/// Runs a test body on SQLite, and on PostgreSQL as well when
/// `TEST_DATABASE_URL` is set (a set but unreachable URL fails the test).
#[macro_export]
macro_rules! db_test {
    ($name:ident, $body:expr) => {
        $crate::db_test!($name, |_: &mut erhverv::config::Settings| {}, $body);
    };
    ($name:ident, $configure:expr, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app =
                    $crate::helpers::spawn_app_with($crate::helpers::Backend::Sqlite, $configure)
                        .await;
                ($body)(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if std::env::var("TEST_DATABASE_URL").is_err() {
                    eprintln!("TEST_DATABASE_URL not set: PostgreSQL run of this test skipped");
                    return;
                }
                let app =
                    $crate::helpers::spawn_app_with($crate::helpers::Backend::Postgres, $configure)
                        .await;
                ($body)(app).await;
            }
        }
    };
}

/// A fresh PostgreSQL database on the server of `TEST_DATABASE_URL`.
pub async fn fresh_postgres() -> String {
    let base = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL");
    let admin = Database::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("TEST_DATABASE_URL is set but PostgreSQL is unreachable: {e}"));
    let name = format!("erhverv_test_{}", &erhverv::web::auth::random_token()[..16]);
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("creating a test database");
    admin.close().await.ok();
    match base.rfind('/') {
        Some(i) => format!("{}/{}", &base[..i], name),
        None => panic!("TEST_DATABASE_URL must end in /DBNAME"),
    }
}

/// Pages and sessions read from the database stay in memory for ten
/// minutes: in a test that names it, only a committed change's
/// invalidation can make a change visible in time.
pub fn long_read_cache(s: &mut Settings) {
    s.read_cache_seconds = 600;
}

/// The search backend of every test: the real Meilisearch server of
/// `MEILI_URL` (and `MEILI_KEY`) when one is set (`.ci/run` starts one),
/// with an index of the test's own; otherwise the embedded index.
/// [`spawn_app_with`] applies it before the test's own settings, so a test
/// about the HTTP fake or a server of its own sets `meili_url` itself (and
/// one about the embedded index would set it to `None`). Tests that name it
/// say that they are about search.
pub fn real_search(s: &mut Settings) {
    if let Ok(url) = std::env::var("MEILI_URL") {
        s.meili_url = Some(url);
        s.meili_key = std::env::var("MEILI_KEY").ok().map(SecretString::from);
        s.meili_index = format!("test_{}", &erhverv::web::auth::random_token()[..12]);
    }
}

pub fn test_settings(dir: &std::path::Path) -> Settings {
    Settings {
        data_dir: dir.to_path_buf(),
        bind: "127.0.0.1:0".into(),
        cookie_secure: Some(false),
        login_attempts: 5,
        log_format: "pretty".into(),
        db_max_connections: 4,
        ..Settings::default()
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// Like [`spawn_app`], with a chance to change the settings first.
pub async fn spawn_app_with(backend: Backend, configure: impl FnOnce(&mut Settings)) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        erhverv::telemetry::init("pretty");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = test_settings(dir.path());
    if backend == Backend::Postgres {
        settings.database_url = Some(SecretString::from(fresh_postgres().await));
    }
    real_search(&mut settings);
    configure(&mut settings);
    let db = erhverv::db::connect(&settings).await.expect("connect");
    erhverv::db::migrate(&db).await.expect("migrate");
    let app = Application::build(settings.clone(), Some(db.clone()))
        .await
        .expect("build app");
    let address = app.url();
    tokio::spawn(app.run_until_stopped());
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let client = Client::builder()
        .redirect(Policy::none())
        .cookie_provider(jar.clone())
        .build()
        .expect("client");
    TestApp {
        address,
        client,
        jar,
        db,
        settings,
        _dir: dir,
    }
}

/// Signs in from a second, separate browser (its own cookie jar); returns
/// that browser and the sign-in response.
pub async fn second_browser(app: &TestApp, username: &str, password: &str) -> (Client, Response) {
    let browser = Client::builder()
        .redirect(Policy::none())
        .cookie_store(true)
        .build()
        .expect("client");
    let page = browser
        .get(app.url("/login"))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    let token = csrf_in(&page);
    let res = browser
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .expect("POST");
    (browser, res)
}

/// The value of the first `name="csrf_token"` field in a page.
pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("page has a CSRF field") + marker.len();
    let end = html[start..].find('"').expect("closing quote") + start;
    html[start..end].to_string()
}

pub fn location(res: &Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

impl TestApp {
    /// Waits until the search worker has applied every queued change.
    pub async fn search_caught_up(&self) {
        for _ in 0..200 {
            if erhverv::search::sync::lag(&self.db)
                .await
                .expect("lag")
                .pending
                == 0
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("the search queue did not drain");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_html(&self, path: &str) -> String {
        self.get(path).await.text().await.expect("body")
    }

    /// The CSRF token of the current session (read from a page, as a
    /// browser's form would carry it).
    pub async fn csrf(&self) -> String {
        csrf_in(&self.get_html("/login").await)
    }

    /// Posts a form with the session's CSRF token added.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.client
            .post(self.url(path))
            .form(&all)
            .send()
            .await
            .expect("POST")
    }

    pub async fn add_user(&self, username: &str, role: Role) -> i32 {
        let new = users::NewUser {
            username: username.into(),
            display_name: format!("Test {username}"),
            email: None,
            role,
        };
        users::create_with_password(&self.db, &new, PASSWORD, None)
            .await
            .expect("create user")
            .expect("user created")
            .id
    }

    pub async fn login(&self, username: &str) -> Response {
        self.post_form(
            "/login",
            &[
                ("username", username),
                ("password", PASSWORD),
                ("next", "/"),
            ],
        )
        .await
    }

    /// Creates a user with the role and signs in as that user.
    pub async fn signed_in(&self, username: &str, role: Role) -> i32 {
        let id = self.add_user(username, role).await;
        let res = self.login(username).await;
        assert_eq!(res.status().as_u16(), 303, "sign-in should redirect");
        id
    }

    pub fn cookie_header(&self) -> Option<String> {
        let url = self.address.parse().expect("url");
        self.jar
            .cookies(&url)
            .and_then(|v| v.to_str().ok().map(String::from))
    }
}

/// A valid public recruitment form (the idempotency token is `idem`).
pub fn valid(idem: &str) -> Vec<(&str, &str)> {
    vec![
        ("cvr", "DK 2425 6790"),
        ("company_name", "Åbent Værksted"),
        ("contact_name", "Søren Ærø"),
        ("contact_email", "soeren@aabentvaerksted.dk"),
        ("contact_phone", "20 30 40 50"),
        ("job_title", "Tømrer"),
        ("positions", "2"),
        ("hours_per_week", "37"),
        ("start_date", "2027-01-04"),
        ("employment", "temporary"),
        ("temporary_until", "2027-06-30"),
        ("workplace_address", "Amagerbrogade 100, 2300 København S"),
        ("qualifications", "Svendebrev"),
        ("languages", "Dansk eller engelsk"),
        ("open_flex_job", "on"),
        ("free_text", "Gerne hurtigt"),
        ("website", ""),
        ("idem", idem),
        ("action", "submit"),
    ]
}

/// Queues `n` emails in transactions of 1,000.
pub async fn queue_fast(app: &TestApp, n: usize, key: &str) {
    queue_emails(&app.db, n, key).await;
}

/// Queues `n` emails (subjects `Besked {i} – æøå`) straight into a
/// database, in transactions of 1,000.
pub async fn queue_emails(db: &DatabaseConnection, n: usize, key: &str) {
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let tx = erhverv::db::begin_write(db).await.unwrap();
        for i in chunk {
            erhverv::email::outbox::enqueue(
                &tx,
                erhverv::email::outbox::NewEmail {
                    recipient: format!("modtager{i}@example.dk"),
                    template: "followup".into(),
                    lang: "da".into(),
                    subject: format!("Besked {i} – æøå"),
                    body_text: "Kære modtager\n\nTak for en god snak.\n".into(),
                    body_html: "<p>Kære modtager</p><p>Tak for en god snak.</p>".into(),
                    idempotency_key: format!("{key}:{i}"),
                    case_related: true,
                    business_id: None,
                    created_by: None,
                    send_at: chrono::Utc::now(),
                },
                "kk.dk",
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }
}

/// The `erhverv` command line on this test's data directory and database.
pub fn cli(app: &TestApp) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_erhverv"));
    cmd.arg("--data-dir").arg(&app.settings.data_dir);
    // This test's database and search backend, never the environment's
    // (CI sets MEILI_URL for the tests that ask for a real server).
    cmd.env_remove("ERHVERV_DATABASE_URL")
        .env_remove("DATABASE_URL")
        .env_remove("MEILI_URL")
        .env_remove("MEILI_KEY")
        .env_remove("ERHVERV_MEILI_URL")
        .env_remove("ERHVERV_MEILI_KEY");
    if let Some(url) = &app.settings.meili_url {
        use secrecy::ExposeSecret;
        cmd.env("MEILI_URL", url)
            .env("ERHVERV_MEILI_INDEX", &app.settings.meili_index);
        if let Some(key) = &app.settings.meili_key {
            cmd.env("MEILI_KEY", key.expose_secret());
        }
    }
    if let Some(url) = &app.settings.database_url {
        use secrecy::ExposeSecret;
        cmd.env("ERHVERV_DATABASE_URL", url.expose_secret());
    }
    cmd
}

/// The audit log, oldest first.
pub async fn audit_events(app: &TestApp) -> Vec<entity::audit_event::Model> {
    use sea_orm::{EntityTrait, QueryOrder};
    entity::audit_event::Entity::find()
        .order_by_asc(entity::audit_event::Column::Id)
        .all(&app.db)
        .await
        .expect("reading the audit log")
}

impl TestApp {
    /// Creates a business through the form (signed in as a case worker);
    /// its id.
    pub async fn create_business(&self, cvr: &str, name: &str, employees: &str) -> i32 {
        let res = self
            .post_form(
                "/businesses",
                &[
                    ("cvr", cvr),
                    ("name", name),
                    ("company_form", "aps"),
                    ("employees", employees),
                    ("active", "on"),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303, "the business is created");
        location(&res)
            .rsplit('/')
            .next()
            .and_then(|id| id.parse().ok())
            .expect("the new business's id")
    }

    /// Sends the public recruitment form (the fill timer must be off) and
    /// returns the stored need.
    pub async fn submit_need(&self, idem: &str) -> entity::recruitment_need::Model {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        self.get_html("/rekruttering").await;
        let res = self.post_form("/rekruttering", &valid(idem)).await;
        assert_eq!(res.status().as_u16(), 303, "the need is received");
        entity::recruitment_need::Entity::find()
            .filter(entity::recruitment_need::Column::IdempotencyKey.eq(idem))
            .one(&self.db)
            .await
            .expect("reading the need")
            .expect("the need is stored")
    }
}

/// The address a started `erhverv serve` prints on its first line.
pub fn read_address(child: &mut std::process::Child) -> String {
    use std::io::BufRead;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout piped"))
        .read_line(&mut line)
        .expect("the service prints its address");
    line.split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string()
}
