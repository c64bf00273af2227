//! Staff sign-in with an identity provider, against a real OpenID Provider:
//! the `oidc-provider` package (tests/oidc/provider.mjs) in Node.js, one
//! per test. The browser is a cookie-keeping HTTP client that follows the
//! redirects step by step, so each answer can be looked at (and replayed,
//! or changed) on its way back to the portal.
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use erhverv::{config::Settings, domain::Role};
use reqwest::{
    Client, Response,
    cookie::{CookieStore, Jar},
    redirect::Policy,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::db_test;
use crate::helpers::{PASSWORD, TestApp, audit_events, csrf_in, location};

const CLIENT_ID: &str = "erhverv-test";
const CLIENT_SECRET: &str = "test-client-secret-0123456789-abcdef";

fn oidc_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc")
}

/// `npm ci` in tests/oidc once (under a file lock: the tests run in
/// parallel processes), when its packages are not there yet.
fn ensure_installed() {
    let dir = oidc_dir();
    let ready = || dir.join("node_modules/oidc-provider/package.json").exists();
    if ready() {
        return;
    }
    let lock = std::fs::File::create(dir.join(".npm-install.lock")).expect("lock file");
    lock.lock().expect("locking");
    if !ready() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .expect("npm (Node.js) is needed for the identity provider tests");
        assert!(status.success(), "npm ci in tests/oidc failed");
    }
}

/// A free port below Linux's ephemeral range (32768–60999), where the
/// other tests' servers, bound to port 0, never land: the provider binds
/// it only later, once the portal's address is known.
fn free_port() -> u16 {
    use rand::Rng;
    let mut rng = rand::rng();
    loop {
        let port = rng.random_range(20_000..32_000);
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// The portal configured for a provider on a free port (started by
/// [`IdP::start`] once the portal's address is known: discovery waits for
/// the first sign-in).
pub(crate) fn with_idp(s: &mut Settings) {
    s.oidc_issuer = Some(format!("http://localhost:{}", free_port()));
    s.oidc_client_id = Some(CLIENT_ID.into());
    s.oidc_client_secret = Some(CLIENT_SECRET.into());
    s.oidc_admin_groups = vec!["erhverv-admin".into()];
    s.oidc_consultant_groups = vec!["erhverv-konsulent".into()];
    s.oidc_council_groups = vec!["erhverv-raad".into()];
}

/// The test accounts at the provider (id: claims).
fn accounts() -> Value {
    json!({
        "anna": {"name": "Anna Admin", "email": "anna@kk.dk", "groups": ["alle", "erhverv-admin"]},
        "kirsten": {"name": "Kirsten Holm", "email": "kiho@kk.dk", "groups": ["erhverv-konsulent"]},
        "rasmus": {"name": "Rasmus Råd", "email": "rara@kk.dk", "groups": ["erhverv-raad"]},
        "bo": {"name": "Bo Begge", "email": "bobe@kk.dk", "groups": ["erhverv-raad", "erhverv-konsulent"]},
        "ulla": {"name": "Ulla Uden", "email": "ulla@kk.dk", "groups": ["alle", "andet-system"]},
    })
}

/// A running `oidc-provider`; killed when dropped.
pub(crate) struct IdP {
    issuer: String,
    child: Child,
    http: Client,
    /// Its stderr, told when it does not start.
    log: tempfile::NamedTempFile,
}

impl Drop for IdP {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl IdP {
    pub(crate) async fn start(app: &TestApp) -> IdP {
        ensure_installed();
        let issuer = app.settings.oidc_issuer.clone().expect("with_idp");
        let port = issuer.rsplit(':').next().expect("port").to_string();
        let client = json!({
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [app.url("/login/oidc/callback")],
            "post_logout_redirect_uris": [app.url("/login")],
        });
        let log = tempfile::NamedTempFile::new().expect("log file");
        let child = Command::new("node")
            .arg(oidc_dir().join("provider.mjs"))
            .env("OIDC_PORT", &port)
            .env("OIDC_CLIENT", client.to_string())
            .env("OIDC_ACCOUNTS", accounts().to_string())
            .stdout(Stdio::null())
            .stderr(log.reopen().expect("log file"))
            .spawn()
            .expect("node (Node.js) is needed for the identity provider tests");
        let mut idp = IdP {
            issuer,
            child,
            http: Client::new(),
            log,
        };
        let discovery = format!("{}/.well-known/openid-configuration", idp.issuer);
        // Node starts in well under a second; a loaded CI machine may take
        // many times that.
        for _ in 0..600 {
            if let Ok(r) = idp.http.get(&discovery).send().await
                && r.status().is_success()
            {
                return idp;
            }
            if let Ok(Some(status)) = idp.child.try_wait() {
                let log = std::fs::read_to_string(idp.log.path()).unwrap_or_default();
                panic!("the OpenID provider exited ({status}): {log}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let log = std::fs::read_to_string(idp.log.path()).unwrap_or_default();
        panic!("the OpenID provider did not start within 60 s: {log}");
    }

    async fn set_account(&self, id: &str, claims: Value) {
        let res = self
            .http
            .put(format!("{}/__test/accounts/{id}", self.issuer))
            .json(&claims)
            .send()
            .await
            .expect("PUT");
        assert_eq!(res.status().as_u16(), 204);
    }

    /// The provider publishes a second signing key.
    async fn rotate(&self) {
        let res = self
            .http
            .post(format!("{}/__test/rotate", self.issuer))
            .send()
            .await
            .expect("POST");
        assert_eq!(res.status().as_u16(), 204);
    }

    /// The next ID token the provider hands out is changed (and signed
    /// again).
    async fn tamper(&self, how: Value) {
        let res = self
            .http
            .post(format!("{}/__test/tamper", self.issuer))
            .json(&how)
            .send()
            .await
            .expect("POST");
        assert_eq!(res.status().as_u16(), 204);
    }
}

/// A browser of its own (cookies for the portal and the provider).
fn browser() -> Client {
    browser_and_jar().0
}

fn browser_and_jar() -> (Client, Arc<Jar>) {
    let jar = Arc::new(Jar::default());
    let client = Client::builder()
        .redirect(Policy::none())
        .cookie_provider(jar.clone())
        .build()
        .expect("client");
    (client, jar)
}

fn absolute(base: &str, location: &str) -> String {
    reqwest::Url::parse(base)
        .and_then(|b| b.join(location))
        .expect("a URL")
        .to_string()
}

/// Goes from "Log ind med Københavns Kommune" through the provider's sign-in
/// page (as `account`) up to the redirect back to the portal; returns that
/// URL, not yet visited. Without `account`, the provider must not ask
/// (its session is still on).
async fn to_callback(app: &TestApp, b: &Client, account: Option<&str>) -> String {
    to_callback_from(app, b, account, "/login/oidc?next=/businesses").await
}

async fn to_callback_from(app: &TestApp, b: &Client, account: Option<&str>, start: &str) -> String {
    let res = b.get(app.url(start)).send().await.expect("GET");
    assert_eq!(
        res.status().as_u16(),
        303,
        "the button leads to the provider"
    );
    let mut url = location(&res);
    for _ in 0..10 {
        if url.starts_with(&app.address) {
            return url;
        }
        let res = b.get(&url).send().await.expect("GET at the provider");
        match res.status().as_u16() {
            300..=399 => url = absolute(&url, &location(&res)),
            200 => {
                let account = account.expect("the provider asked who signs in");
                let action = format!("{}/login", reqwest::Url::parse(&url).unwrap().path());
                let res = b
                    .post(absolute(&url, &action))
                    .form(&[("login", account), ("password", "whatever")])
                    .send()
                    .await
                    .expect("POST at the provider");
                assert_eq!(res.status().as_u16(), 303, "the provider took the sign-in");
                url = absolute(&url, &location(&res));
            }
            s => panic!("the provider answered {s}: {}", res.text().await.unwrap()),
        }
    }
    panic!("the provider never sent the browser back");
}

/// Signs `account` in with a new browser; the browser and the portal's
/// answer to the provider's redirect.
async fn sign_in(app: &TestApp, account: &str) -> (Client, Response) {
    let b = browser();
    let callback = to_callback(app, &b, Some(account)).await;
    let res = b.get(&callback).send().await.expect("callback");
    (b, res)
}

async fn status(b: &Client, app: &TestApp, path: &str) -> u16 {
    b.get(app.url(path))
        .send()
        .await
        .expect("GET")
        .status()
        .as_u16()
}

async fn account(app: &TestApp, subject: &str) -> Option<entity::app_user::Model> {
    entity::app_user::Entity::find()
        .filter(entity::app_user::Column::OidcSubject.eq(subject))
        .one(&app.db)
        .await
        .unwrap()
}

db_test!(
    each_role_signs_in_through_the_provider_by_its_groups,
    with_idp,
    |app: TestApp| async move {
        let _idp = IdP::start(&app).await;
        let page = app.get_html("/login").await;
        assert!(page.contains("Log ind med Københavns Kommune"), "{page}");
        for (who, role, admin_page, case_work) in [
            ("anna", Role::Admin, 200, 200),
            ("kirsten", Role::Consultant, 403, 200),
            ("rasmus", Role::Council, 403, 403),
            // In two mapped groups: the higher role.
            ("bo", Role::Consultant, 403, 200),
        ] {
            let (b, res) = sign_in(&app, who).await;
            assert_eq!(res.status().as_u16(), 303, "{who}");
            assert_eq!(
                location(&res),
                "/businesses",
                "{who} goes where they were going"
            );
            assert_eq!(status(&b, &app, "/admin/users").await, admin_page, "{who}");
            assert_eq!(status(&b, &app, "/businesses").await, case_work, "{who}");
            assert_eq!(status(&b, &app, "/dashboard").await, 200, "{who}");
            let user = account(&app, who)
                .await
                .expect("the first sign-in made the account");
            assert_eq!(user.role, role.as_str(), "{who}");
            assert_eq!(
                user.oidc_issuer.as_deref(),
                app.settings.oidc_issuer.as_deref()
            );
            let name = accounts()[who]["name"].as_str().unwrap().to_string();
            assert_eq!(user.display_name, name);
            // The account has no password to guess.
            let (_, local) = crate::helpers::second_browser(&app, &user.username, "!oidc").await;
            assert_eq!(local.status().as_u16(), 401, "{who}");
            // Not even the password of the hash that stands in for a missing one.
            let (_, local) =
                crate::helpers::second_browser(&app, &user.username, "not-a-real-password").await;
            assert_eq!(local.status().as_u16(), 401, "{who}");
            let events = audit_events(&app).await;
            let created = events
                .iter()
                .filter(|e| e.action == "create" && e.entity_id == Some(user.id))
                .count();
            assert_eq!(created, 1, "the account's creation is audited once ({who})");
            assert!(
                events.iter().any(|e| e.action == "login"
                    && e.entity_id == Some(user.id)
                    && e.detail.as_deref().unwrap_or("").contains("oidc")),
                "{who}"
            );
        }
    }
);

db_test!(
    the_role_is_refreshed_at_every_sign_in_and_the_person_matched_by_subject,
    with_idp,
    |app: TestApp| async move {
        let idp = IdP::start(&app).await;
        // A local admin with the same username and email is not the
        // provider's person.
        let local = erhverv::users::create_with_password(
            &app.db,
            &erhverv::users::NewUser {
                username: "kiho".into(),
                display_name: "Lokal Kiho".into(),
                email: Some("kiho@kk.dk".into()),
                role: Role::Admin,
            },
            PASSWORD,
            None,
        )
        .await
        .unwrap()
        .unwrap()
        .id;
        let (_, res) = sign_in(&app, "kirsten").await;
        assert_eq!(res.status().as_u16(), 303);
        let first = account(&app, "kirsten").await.unwrap();
        assert_ne!(first.id, local);
        assert_eq!(first.username, "kiho-2", "the username taken, a free one");
        assert_eq!(first.role, "consultant");
        // Promoted, and a new email, at the provider.
        idp.set_account(
            "kirsten",
            json!({"name": "Kirsten Holm Berg", "email": "kihb@kk.dk", "groups": ["erhverv-admin"]}),
        )
        .await;
        let (b, res) = sign_in(&app, "kirsten").await;
        assert_eq!(res.status().as_u16(), 303);
        let again = account(&app, "kirsten").await.unwrap();
        assert_eq!(again.id, first.id, "the same account (by subject)");
        assert_eq!(again.role, "admin");
        assert_eq!(again.display_name, "Kirsten Holm Berg");
        assert_eq!(again.email.as_deref(), Some("kihb@kk.dk"));
        assert_eq!(status(&b, &app, "/admin/users").await, 200);
        // Demoted again: the next sign-in says so, at once.
        idp.set_account(
            "kirsten",
            json!({"name": "Kirsten Holm Berg", "email": "kihb@kk.dk", "groups": ["erhverv-raad"]}),
        )
        .await;
        let (council, _) = sign_in(&app, "kirsten").await;
        assert_eq!(status(&council, &app, "/businesses").await, 403);
        // Out of every mapped group: refused, and the open sessions end.
        idp.set_account(
            "kirsten",
            json!({"name": "Kirsten Holm Berg", "email": "kihb@kk.dk", "groups": []}),
        )
        .await;
        let (_, res) = sign_in(&app, "kirsten").await;
        assert_eq!(res.status().as_u16(), 403);
        assert_eq!(
            status(&council, &app, "/dashboard").await,
            303,
            "signed out"
        );
        assert_eq!(status(&b, &app, "/dashboard").await, 303, "signed out");
        let kiho = entity::app_user::Entity::find_by_id(local)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                kiho.role.as_str(),
                kiho.oidc_subject,
                kiho.display_name.as_str()
            ),
            ("admin", None, "Lokal Kiho"),
            "the local account is untouched"
        );
        let updates = audit_events(&app)
            .await
            .into_iter()
            .filter(|e| e.action == "update" && e.entity_id == Some(first.id))
            .count();
        assert_eq!(updates, 2, "each change of role is audited");
    }
);

db_test!(
    a_person_without_a_mapped_role_is_refused_with_a_clear_page,
    with_idp,
    |app: TestApp| async move {
        let _idp = IdP::start(&app).await;
        let (b, res) = sign_in(&app, "ulla").await;
        assert_eq!(res.status().as_u16(), 403);
        let page = res.text().await.unwrap();
        assert!(page.contains("Ingen adgang til erhverv"), "{page}");
        assert!(page.contains("gruppe"), "it says what to do: {page}");
        assert!(account(&app, "ulla").await.is_none(), "no account made");
        assert_eq!(status(&b, &app, "/dashboard").await, 303, "not signed in");
        let refused = audit_events(&app)
            .await
            .into_iter()
            .filter(|e| e.action == "login_failed")
            .collect::<Vec<_>>();
        assert_eq!(refused.len(), 1);
        assert!(refused[0].detail.as_deref().unwrap().contains("no_role"));
    }
);

db_test!(
    disabled_in_the_portal_wins_over_the_provider,
    with_idp,
    |app: TestApp| async move {
        let _idp = IdP::start(&app).await;
        let (b, res) = sign_in(&app, "kirsten").await;
        assert_eq!(res.status().as_u16(), 303);
        assert_eq!(status(&b, &app, "/businesses").await, 200);
        let user = account(&app, "kirsten").await.unwrap();
        erhverv::users::set_disabled(&app.db, &user.username, true, None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            status(&b, &app, "/businesses").await,
            303,
            "signed out at once"
        );
        let (b, res) = sign_in(&app, "kirsten").await;
        assert_eq!(res.status().as_u16(), 403);
        let page = res.text().await.unwrap();
        assert!(page.contains("Kontoen er deaktiveret"), "{page}");
        assert_eq!(status(&b, &app, "/businesses").await, 303);
        let user = account(&app, "kirsten").await.unwrap();
        assert!(user.disabled, "still disabled");
    }
);

// The provider answers, but its answer (or the ID token in it) is not
// one the portal may accept: each refused, nobody signed in.
db_test!(
    answers_that_do_not_check_out_are_refused,
    with_idp,
    |app: TestApp| async move {
        let idp = IdP::start(&app).await;
        let refused = |res: Response, want: u16, case: &'static str| async move {
            assert_eq!(res.status().as_u16(), want, "{case}");
            res.text().await.unwrap()
        };
        // Wrong state: an answer to a sign-in this browser did not start.
        let b = browser();
        let callback = to_callback(&app, &b, Some("kirsten")).await;
        let forged = regex::Regex::new("state=[^&]+")
            .unwrap()
            .replace(&callback, "state=forged")
            .to_string();
        let page = refused(b.get(&forged).send().await.unwrap(), 400, "wrong state").await;
        assert!(page.contains("Login blev afvist"), "{page}");
        assert_eq!(status(&b, &app, "/dashboard").await, 303);
        // Its state was used up by the forged answer: the real one is
        // refused too (start again).
        let page = refused(
            b.get(&callback).send().await.unwrap(),
            400,
            "after a forgery",
        )
        .await;
        assert!(page.contains("Log ind igen"), "{page}");

        // A replayed code: the same answer, with the cookie from before it
        // was used (a cookie session keeps the started sign-in).
        let (b, jar) = browser_and_jar();
        let callback = to_callback(&app, &b, Some("kirsten")).await;
        let cookie = jar
            .cookies(&app.address.parse().unwrap())
            .expect("the portal's cookie");
        let res = b.get(&callback).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 303, "the first use signs in");
        let replay = browser();
        let res = replay
            .get(&callback)
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        let page = refused(res, 400, "replayed code").await;
        assert!(page.contains("Login blev afvist"), "{page}");
        assert_eq!(status(&replay, &app, "/dashboard").await, 303);

        for (case, how) in [
            (
                "another audience",
                json!({"claims": {"aud": "another-client"}}),
            ),
            (
                "expired",
                json!({"claims": {"exp": now() - 600, "iat": now() - 1200}}),
            ),
            ("an unknown key id", json!({"unknown_key": true})),
            (
                "another issuer",
                json!({"claims": {"iss": "http://evil.example"}}),
            ),
            ("another nonce", json!({"claims": {"nonce": "not-the-one"}})),
        ] {
            let b = browser();
            let callback = to_callback(&app, &b, Some("anna")).await;
            idp.tamper(how).await;
            let res = b.get(&callback).send().await.unwrap();
            let page = refused(res, 400, case).await;
            assert!(page.contains("Login blev afvist"), "{case}: {page}");
            assert_eq!(status(&b, &app, "/dashboard").await, 303, "{case}");
        }
        // The provider says no (the person cancelled there).
        let b = browser();
        let callback = to_callback(&app, &b, Some("anna")).await;
        let state = regex::Regex::new("state=([^&]+)")
            .unwrap()
            .captures(&callback)
            .unwrap()[1]
            .to_string();
        let res = b
            .get(app.url(&format!(
                "/login/oidc/callback?error=access_denied&state={state}"
            )))
            .send()
            .await
            .unwrap();
        refused(res, 403, "the provider refused").await;
        // No account came of any of it but the replay's first, honest use.
        assert!(account(&app, "anna").await.is_none());
        let sessions = entity::user_session::Entity::find()
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(sessions.len(), 1, "only the one honest sign-in");
    }
);

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

db_test!(
    signing_out_ends_the_provider_session_too,
    with_idp,
    |app: TestApp| async move {
        let idp = IdP::start(&app).await;
        let b = browser();
        let callback = to_callback(&app, &b, Some("kirsten")).await;
        assert_eq!(
            b.get(&callback).send().await.unwrap().status().as_u16(),
            303
        );
        // While the provider's session lasts, signing in again asks nothing.
        let again = to_callback(&app, &b, None).await;
        assert_eq!(b.get(&again).send().await.unwrap().status().as_u16(), 303);
        let page = b
            .get(app.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = csrf_in(&page);
        let res = b
            .post(app.url("/logout"))
            .form(&[("csrf_token", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303);
        let end = location(&res);
        assert!(
            end.starts_with(&format!("{}/session/end", idp.issuer)),
            "{end}"
        );
        assert!(end.contains("post_logout_redirect_uri="), "{end}");
        assert_eq!(
            status(&b, &app, "/dashboard").await,
            303,
            "the portal's session ended"
        );
        // The provider asks to confirm; yes.
        let confirm = b.get(&end).send().await.unwrap().text().await.unwrap();
        let action = regex::Regex::new(r#"action="([^"]+)""#)
            .unwrap()
            .captures(&confirm)
            .unwrap_or_else(|| panic!("a confirmation form: {confirm}"))[1]
            .to_string();
        let xsrf = regex::Regex::new(r#"name="xsrf" value="([^"]+)""#)
            .unwrap()
            .captures(&confirm)
            .unwrap()[1]
            .to_string();
        let res = b
            .post(absolute(&end, &action))
            .form(&[("xsrf", xsrf.as_str()), ("logout", "yes")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303);
        assert_eq!(
            location(&res),
            app.url("/login"),
            "back at the portal's sign-in"
        );
        // Now the provider asks who signs in again.
        let res = b.get(app.url("/login/oidc")).send().await.unwrap();
        let auth = location(&res);
        let res = b.get(&auth).send().await.unwrap();
        assert!(
            location(&res).contains("/interaction/"),
            "the provider asks again"
        );
    }
);

db_test!(
    with_a_provider_local_passwords_are_for_break_glass_admins_only,
    with_idp,
    |app: TestApp| async move {
        app.add_user("konsulent", Role::Consultant).await;
        let page = app.get_html("/login").await;
        assert!(page.contains("Nødadgang for administratorer"), "{page}");
        let (_, res) = crate::helpers::second_browser(&app, "konsulent", PASSWORD).await;
        assert_eq!(
            res.status().as_u16(),
            401,
            "a consultant's password is not enough"
        );
        let page = res.text().await.unwrap();
        assert!(
            page.contains("Medarbejdere logger ind med Københavns Kommune"),
            "{page}"
        );
        app.add_user("admin-bg", Role::Admin).await;
        let (b, res) = crate::helpers::second_browser(&app, "admin-bg", PASSWORD).await;
        assert_eq!(res.status().as_u16(), 303, "a break-glass admin signs in");
        assert_eq!(status(&b, &app, "/admin/users").await, 200);
    }
);

db_test!(
    local_passwords_can_be_switched_off,
    |s: &mut Settings| {
        with_idp(s);
        s.local_sign_in = Some(erhverv::config::LocalSignIn::Off);
    },
    |app: TestApp| async move {
        app.add_user("admin-bg", Role::Admin).await;
        let page = app.get_html("/login").await;
        assert!(page.contains("Log ind med Københavns Kommune"), "{page}");
        assert!(
            !page.contains("name=\"password\""),
            "no password form: {page}"
        );
        // The form's post, sent anyway (with a session's CSRF token).
        let b = browser();
        let form = b.get(app.url("/rekruttering")).send().await.unwrap();
        let csrf = csrf_in(&form.text().await.unwrap());
        let res = b
            .post(app.url("/login"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("username", "admin-bg"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 401);
        assert!(res.text().await.unwrap().contains("slået fra"));
        assert_eq!(status(&b, &app, "/dashboard").await, 303);
    }
);

db_test!(
    a_provider_that_does_not_answer_gets_a_clear_page_and_break_glass_works,
    with_idp,
    |app: TestApp| async move {
        // No provider started at the configured address.
        let res = app.get("/login/oidc").await;
        assert_eq!(res.status().as_u16(), 503);
        let page = res.text().await.unwrap();
        assert!(page.contains("Kommunens login svarer ikke"), "{page}");
        assert!(
            page.contains("href=\"/login\""),
            "the way to break-glass: {page}"
        );
        app.add_user("admin-bg", Role::Admin).await;
        let (_, res) = crate::helpers::second_browser(&app, "admin-bg", PASSWORD).await;
        assert_eq!(res.status().as_u16(), 303);
    }
);

db_test!(
    without_a_provider_there_is_no_provider_button_or_route,
    |app: TestApp| async move {
        let page = app.get_html("/login").await;
        assert!(!page.contains("oidc-login"), "no provider button: {page}");
        assert_eq!(app.get("/login/oidc").await.status().as_u16(), 404);
        assert_eq!(
            app.get("/login/oidc/callback?code=x&state=y")
                .await
                .status()
                .as_u16(),
            404
        );
    }
);

db_test!(
    an_account_of_the_provider_has_no_password_to_change_here,
    with_idp,
    |app: TestApp| async move {
        let _idp = IdP::start(&app).await;
        let (b, _) = sign_in(&app, "kirsten").await;
        let home = b
            .get(app.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!home.contains("href=\"/account/password\""), "{home}");
        let page = b
            .get(app.url("/account/password"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Adgangskoden skiftes dér"), "{page}");
        assert!(!page.contains("name=\"new_password\""), "{page}");
        let res = b
            .post(app.url("/account/password"))
            .form(&[
                ("csrf_token", csrf_in(&home).as_str()),
                ("current_password", "!oidc"),
                ("new_password", "lygtepæl-skovsnegl-trommesæt"),
                ("new_password_again", "lygtepæl-skovsnegl-trommesæt"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 409);
        let user = account(&app, "kirsten").await.unwrap();
        assert_eq!(user.password_hash, "!oidc", "still no password");
    }
);

db_test!(
    details_of_the_flow_hold,
    with_idp,
    |app: TestApp| async move {
        let idp = IdP::start(&app).await;
        // The CSP lets the sign-out form's redirect go to the provider only.
        let res = app.get("/login").await;
        let csp = res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            csp.contains(&format!("form-action 'self' {}", idp.issuer)),
            "{csp}"
        );
        // `next` stays on this site, through the provider and back.
        let b = browser();
        let callback =
            to_callback_from(&app, &b, Some("kirsten"), "/login/oidc?next=//evil.example").await;
        let res = b.get(&callback).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 303);
        assert_eq!(location(&res), "/");
        // An answer naming another provider (RFC 9207) is refused.
        let b = browser();
        let callback = to_callback(&app, &b, Some("anna")).await;
        assert!(callback.contains("iss="), "{callback}");
        let mixed = regex::Regex::new("iss=[^&]+")
            .unwrap()
            .replace(&callback, "iss=http%3A%2F%2Fevil.example")
            .to_string();
        let res = b.get(&mixed).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 400);
        // A rotated key: a token signed with a key the provider has only
        // just published is accepted (the keys are fetched again).
        let b = browser();
        let callback = to_callback(&app, &b, Some("anna")).await;
        idp.tamper(json!({"unknown_key": true})).await;
        assert_eq!(
            b.get(&callback).send().await.unwrap().status().as_u16(),
            400,
            "not yet published"
        );
        idp.rotate().await;
        tokio::time::sleep(Duration::from_millis(2100)).await;
        let b = browser();
        let callback = to_callback(&app, &b, Some("anna")).await;
        idp.tamper(json!({"unknown_key": true})).await;
        let res = b.get(&callback).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 303, "signed with the rotated key");
    }
);

db_test!(
    two_first_sign_ins_of_one_person_at_once_make_one_account,
    with_idp,
    |app: TestApp| async move {
        let _idp = IdP::start(&app).await;
        let (b1, b2) = (browser(), browser());
        let c1 = to_callback(&app, &b1, Some("rasmus")).await;
        let c2 = to_callback(&app, &b2, Some("rasmus")).await;
        let (r1, r2) = tokio::join!(b1.get(&c1).send(), b2.get(&c2).send());
        assert_eq!(r1.unwrap().status().as_u16(), 303);
        assert_eq!(r2.unwrap().status().as_u16(), 303);
        let accounts = entity::app_user::Entity::find()
            .filter(entity::app_user::Column::OidcSubject.eq("rasmus"))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(accounts.len(), 1);
        assert_eq!(status(&b1, &app, "/dashboard").await, 200);
        assert_eq!(status(&b2, &app, "/dashboard").await, 200);
    }
);
