//! The public recruitment form in a real browser: headless Chromium driven
//! over WebDriver (chromedriver), with JavaScript turned off, as a business
//! on a locked-down office PC would meet it.
//!
//! Needs `chromium` and `chromium-driver` (Debian packages; `.ci/run`
//! installs them). Without them the test says so and passes, unless
//! `REQUIRE_BROWSER` is set, as CI does: then their absence fails it.
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use entity::recruitment_need;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::helpers::*;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A chromedriver process and one browser session in it.
struct Browser {
    http: reqwest::Client,
    session: String,
    driver: Child,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn find_program(name: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

impl Browser {
    /// None when chromedriver or Chromium is missing (and not required).
    async fn start() -> Option<Browser> {
        let (Some(driver), Some(chromium)) =
            (find_program("chromedriver"), find_program("chromium"))
        else {
            assert!(
                std::env::var_os("REQUIRE_BROWSER").is_none(),
                "REQUIRE_BROWSER is set but chromium/chromedriver are not installed \
                 (apt-get install chromium chromium-driver)"
            );
            eprintln!(
                "chromium/chromedriver not installed: the browser test was SKIPPED \
                 (apt-get install chromium chromium-driver; .ci/run does)"
            );
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting chromedriver");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let mut ready = false;
        for _ in 0..100 {
            if let Ok(res) = http.get(format!("{base}/status")).send().await
                && let Ok(v) = res.json::<Value>().await
                && v["value"]["ready"] == true
            {
                ready = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(ready, "chromedriver did not start");
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1024,2000"],
                // No JavaScript: the form must work without it.
                "prefs": {"profile.managed_default_content_settings.javascript": 2}
            }
        }}});
        let res: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = res["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no browser session: {res}"))
            .to_string();
        let browser = Browser {
            http,
            session: format!("{base}/session/{session}"),
            driver,
        };
        // Finding an element waits for it a while: on a loaded machine the
        // page after a submit may still be on its way.
        browser
            .call(
                reqwest::Method::POST,
                "/timeouts",
                Some(json!({"implicit": 10_000, "pageLoad": 30_000})),
            )
            .await;
        Some(browser)
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, format!("{}{path}", self.session));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        assert!(
            v["value"]["error"].is_null(),
            "WebDriver {path}: {}",
            v["value"]
        );
        v["value"].clone()
    }

    async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    async fn find(&self, css: &str) -> String {
        let v = self
            .call(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        v[ELEMENT].as_str().unwrap().to_string()
    }

    /// The page as the browser has it.
    async fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{el}/clear"),
            Some(json!({})),
        )
        .await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{el}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    async fn click(&self, css: &str) {
        let el = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{el}/click"),
            Some(json!({})),
        )
        .await;
    }

    async fn property(&self, css: &str, name: &str) -> Value {
        let el = self.find(css).await;
        self.call(
            reqwest::Method::GET,
            &format!("/element/{el}/property/{name}"),
            None,
        )
        .await
    }

    async fn text(&self, css: &str) -> String {
        let el = self.find(css).await;
        self.call(reqwest::Method::GET, &format!("/element/{el}/text"), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Waits until the browser shows a page whose address ends with `path`.
    async fn wait_for_path(&self, path: &str) {
        for _ in 0..100 {
            if self.url().await.ends_with(path) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the browser never got to {path}: {}", self.url().await);
    }

    async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_business_sends_a_need_in_a_browser_without_javascript() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.need_min_fill_seconds = 0;
    })
    .await;
    browser.goto(&app.url("/rekruttering")).await;
    assert!(browser.text("h1").await.contains("rekrutteringsbehov"));
    assert!(
        !browser.source().await.contains("<script"),
        "the page needs no JavaScript"
    );
    // The honeypot is not something a person sees.
    assert_eq!(
        browser
            .call(
                reqwest::Method::GET,
                &format!("/element/{}/displayed", browser.find("#f-website").await),
                None
            )
            .await,
        Value::Bool(false)
    );
    browser.type_into("#f-cvr", "2425 6790").await;
    browser.type_into("#f-company_name", "Åbent Værksted").await;
    browser.type_into("#f-contact_name", "Søren Ærø").await;
    browser.type_into("#f-contact_email", "soeren@").await;
    browser.type_into("#f-contact_phone", "20 30 40 50").await;
    browser.type_into("#f-job_title", "Tømrer").await;
    browser.type_into("#f-positions", "2").await;
    browser.click("#f-open_flex_job").await;
    browser.click("button[value=submit]").await;

    // A mistake: the message is next to the field, in Danish, and nothing
    // typed is lost.
    assert!(
        browser
            .text("#f-contact_email-error")
            .await
            .contains("E-mailadressen er ikke gyldig")
    );
    assert_eq!(
        browser.property("#f-contact_email", "value").await,
        "soeren@"
    );
    assert_eq!(browser.property("#f-job_title", "value").await, "Tømrer");
    assert_eq!(browser.property("#f-open_flex_job", "checked").await, true);
    assert!(browser.text(".error-summary").await.contains("fejl"));
    assert!(
        recruitment_need::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .is_empty()
    );

    browser
        .type_into("#f-contact_email", "soeren@aabentvaerksted.dk")
        .await;
    browser.click("button[value=submit]").await;
    browser.wait_for_path("/rekruttering/tak").await;
    let needs = recruitment_need::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(needs.len(), 1);
    let need = &needs[0];
    assert_eq!((need.job_title.as_str(), need.positions), ("Tømrer", 2));
    assert!(need.open_flex_job && !need.open_work_trial);
    assert!(browser.text("main").await.contains(&need.reference));

    // In English, from the link on the page.
    browser.goto(&app.url("/rekruttering")).await;
    browser.click("a[lang=en]").await;
    assert!(browser.text("h1").await.contains("recruitment need"));
    browser.click("button[value=submit]").await;
    assert!(
        browser
            .text("#f-job_title-error")
            .await
            .contains("This field is required")
    );
}

/// A consultant searches in a browser: each hit shows its name once, with
/// the matched word marked, and the "matched in" line for the other field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consultant_searches_in_a_browser_and_each_hit_shows_its_name_once() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.add_user("kirsten", erhverv::domain::Role::Consultant)
        .await;
    // The records are made over HTTP by a second consultant.
    app.signed_in("helper", erhverv::domain::Role::Consultant)
        .await;
    for (cvr, name) in [("24256790", "Æbeløgade Hotel A/S")] {
        let res = app
            .post_form(
                "/businesses",
                &[
                    ("cvr", cvr),
                    ("name", name),
                    ("company_form", "as"),
                    ("street", "Æbeløgade 4"),
                    ("postal_code", "2100"),
                    ("active", "on"),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
    }
    app.search_caught_up().await;

    browser.goto(&app.url("/login")).await;
    browser.type_into("#username", "kirsten").await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("button[type=submit]").await;
    browser.wait_for_path("/").await;
    // The search box in the header; Enter sends it.
    browser
        .type_into("#site-q", "æbeløgade hotel\u{E007}")
        .await;
    browser
        .wait_for_path("/search?q=%C3%A6bel%C3%B8gade+hotel")
        .await;

    let title = browser.text("ol.hits li a.hit-title").await;
    assert_eq!(title, "Æbeløgade Hotel A/S", "the name, once");
    let marked = browser.text("ol.hits li a.hit-title mark").await;
    assert!(
        marked.contains("Æbeløgade"),
        "the matched word is marked: {marked}"
    );
    let page = browser.text("main").await;
    assert_eq!(page.matches("Æbeløgade Hotel A/S").count(), 1, "{page}");
}

/// Sign-in through the identity provider and sign-out at it, in Chromium:
/// the button, the provider's page, back on the page asked for; signing
/// out goes on to the provider (the CSP lets the form's redirect go there)
/// and comes back to the sign-in page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consultant_signs_in_and_out_through_the_identity_provider_in_a_browser() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app_with(Backend::Sqlite, crate::oidc::with_idp).await;
    let _idp = crate::oidc::IdP::start(&app).await;
    browser.goto(&app.url("/businesses")).await;
    browser.wait_for_path("/login?next=%2Fbusinesses").await;
    assert_eq!(
        browser.text("#oidc-login").await,
        "Log ind med Københavns Kommune"
    );
    browser.click("#oidc-login").await;
    browser.type_into("input[name=login]", "kirsten").await;
    browser.type_into("input[name=password]", "whatever").await;
    browser.click("button[type=submit]").await;
    browser.wait_for_path("/businesses").await;
    let header = browser.text("header").await;
    assert!(header.contains("Kirsten Holm"), "{header}");
    browser.click("form[action='/logout'] button").await;
    // The provider asks whether to sign out there too.
    browser.click("button[value=yes]").await;
    browser.wait_for_path("/login").await;
    let page = browser.text("main").await;
    assert!(page.contains("Log ind med Københavns Kommune"), "{page}");
}
