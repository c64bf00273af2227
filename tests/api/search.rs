use std::time::{Duration, Instant};

use erhverv::domain::Role;
use erhverv::search::tantivy_index::TantivyIndex;

use crate::db_test;
use crate::helpers::*;
use crate::search_contract::run_contract;
use crate::support::meili_fake::FakeMeili;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_contract_holds_for_the_embedded_tantivy_index() {
    let index = TantivyIndex::in_ram().expect("index");
    run_contract(&index).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_contract_holds_for_a_real_meilisearch_server() {
    let Ok(url) = std::env::var("MEILI_URL") else {
        eprintln!(
            "MEILI_URL not set: the Meilisearch contract run was SKIPPED (the adapter is checked against an HTTP fake in meili_fake)"
        );
        return;
    };
    let key = std::env::var("MEILI_KEY").ok();
    let uid = format!(
        "erhverv_contract_{}",
        &erhverv::web::auth::random_token()[..8]
    );
    let index =
        erhverv::search::meili::MeiliIndex::new(&url, key.as_deref(), &uid).expect("client");
    index.ensure_settings().await.expect("settings");
    run_contract(&index).await;
}

/// `erhverv reindex` into a Meilisearch server that has never seen the
/// index (a new installation): the index is made, filled and searchable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reindex_fills_a_fresh_meilisearch_server() {
    let Ok(url) = std::env::var("MEILI_URL") else {
        eprintln!("MEILI_URL not set: the fresh-server reindex was SKIPPED");
        return;
    };
    let key = std::env::var("MEILI_KEY").ok();
    let uid = format!("erhverv_fresh_{}", &erhverv::web::auth::random_token()[..8]);
    let app = spawn_app(Backend::Sqlite).await;
    erhverv::demo::seed(&app.db, 40, 7, false).await.unwrap();
    let mut cmd = cli(&app);
    cmd.arg("reindex")
        .env("MEILI_URL", &url)
        .env("ERHVERV_MEILI_INDEX", &uid);
    if let Some(k) = &key {
        cmd.env("MEILI_KEY", k);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "reindex failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let index = erhverv::search::meili::MeiliIndex::new(&url, key.as_deref(), &uid).unwrap();
    let all = erhverv::search::SearchQuery {
        q: String::new(),
        filters: Default::default(),
        offset: 0,
        limit: 5,
    };
    let found = erhverv::search::SearchIndex::search(&index, &all)
        .await
        .unwrap();
    assert!(found.total >= 40, "{} documents", found.total);
}

async fn create(app: &TestApp, cvr: &str, name: &str, street: &str, postal: &str) -> String {
    let res = app
        .post_form(
            "/businesses",
            &[
                ("cvr", cvr),
                ("name", name),
                ("company_form", "aps"),
                ("street", street),
                ("postal_code", postal),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    location(&res)
}

db_test!(
    a_new_business_is_searchable_within_a_second_with_typos_and_danish_letters,
    real_search,
    |app: TestApp| async move {
        app.signed_in("kirsten", Role::Consultant).await;
        let started = Instant::now();
        let loc = create(
            &app,
            "10150817",
            "Ørestad Kaffebar ApS",
            "Ørestads Boulevard 10",
            "2300",
        )
        .await;
        let mut found = false;
        while started.elapsed() < Duration::from_secs(5) {
            if app
                .get_html("/search?q=orestad")
                .await
                .contains(&format!("href=\"{loc}\""))
            {
                found = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(found, "the new business never became searchable");
        eprintln!("searchable after {:?}", started.elapsed());
        for q in [
            "Oerestad",
            "Ørestad",
            "kaffbar",
            "orestads boulevard",
            "1015 0817",
            "Ørestad Kaffebar ApS",
        ] {
            let page = app.get_html(&format!("/search?q={}", urlencode(q))).await;
            assert!(page.contains(&format!("href=\"{loc}\"")), "{q}");
        }
        let page = app.get_html("/search?q=Kaffebar").await;
        assert!(page.contains("<mark>Kaffebar</mark>"), "highlighted");
        // Editing the name updates the index.
        let res = app
            .post_form(
                &loc,
                &[
                    ("cvr", "10150817"),
                    ("name", "Amager Espresso ApS"),
                    ("company_form", "aps"),
                    ("postal_code", "2300"),
                    ("active", "on"),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
        app.search_caught_up().await;
        assert!(
            app.get_html("/search?q=espresso")
                .await
                .contains(&format!("href=\"{loc}\""))
        );
        assert!(
            !app.get_html("/search?q=kaffebar")
                .await
                .contains(&format!("href=\"{loc}\""))
        );
    }
);

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .unwrap()
        .trim_start_matches('=')
        .to_string()
}

db_test!(
    the_search_api_returns_json_for_signed_in_staff_only,
    real_search,
    |app: TestApp| async move {
        let res = app.get("/api/v1/search?q=test").await;
        assert_eq!(res.status().as_u16(), 401);
        app.signed_in("kirsten", Role::Consultant).await;
        create(
            &app,
            "24256790",
            "Nørrebro Cykler ApS",
            "Nørrebrogade 100",
            "2200",
        )
        .await;
        create(
            &app,
            "25313763",
            "Valby Cykelservice ApS",
            "Valby Langgade 1",
            "2500",
        )
        .await;
        app.search_caught_up().await;
        let res = app.get("/api/v1/search?q=cykler&district=norrebro").await;
        assert_eq!(res.status().as_u16(), 200);
        let json: serde_json::Value = res.json().await.unwrap();
        assert_eq!(json["total"], 1);
        assert_eq!(json["hits"][0]["title"], "Nørrebro Cykler ApS");
        let all: serde_json::Value = app.get("/api/v1/search?q=cyk").await.json().await.unwrap();
        assert_eq!(all["total"], 2, "prefix");
        let districts = all["facets"]["district"].as_array().unwrap();
        assert_eq!(districts.len(), 2);
    }
);

db_test!(
    the_council_cannot_search_case_data,
    |app: TestApp| async move {
        app.signed_in("raad", Role::Council).await;
        assert_eq!(app.get("/search?q=x").await.status().as_u16(), 403);
        assert_eq!(app.get("/api/v1/search?q=x").await.status().as_u16(), 403);
    }
);

/// The search backend goes down in the middle of writes: the writes still
/// succeed, search says it is unavailable (503, not 500), `/ready` shows the
/// lag, and when the backend is back the queue drains — nothing lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_search_backend_is_down_writes_succeed_and_the_index_catches_up() {
    let fake = FakeMeili::start().await;
    let url = fake.url();
    let app = spawn_app_with(Backend::Sqlite, |s| s.meili_url = Some(url.clone())).await;
    app.signed_in("kirsten", Role::Consultant).await;
    create(
        &app,
        "24256790",
        "Før Nedbruddet ApS",
        "Nørrebrogade 1",
        "2200",
    )
    .await;
    app.search_caught_up().await;
    fake.stop().await;
    // Writes while the backend is down.
    create(
        &app,
        "25313763",
        "Under Nedbruddet ApS",
        "Vesterbrogade 1",
        "1620",
    )
    .await;
    create(
        &app,
        "12345674",
        "Også Under Nedbruddet ApS",
        "Valby Langgade 1",
        "2500",
    )
    .await;
    let res = app.get("/search?q=nedbruddet").await;
    assert_eq!(res.status().as_u16(), 503);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("midlertidigt utilgængelig")
    );
    let api = app.get("/api/v1/search?q=nedbruddet").await;
    assert_eq!(api.status().as_u16(), 503);
    let ready: serde_json::Value = app.get("/ready").await.json().await.unwrap();
    assert!(ready["search"]["pending"].as_u64().unwrap() >= 2, "{ready}");
    assert!(
        app.get_html("/businesses")
            .await
            .contains("Under Nedbruddet ApS"),
        "the writes were stored"
    );
    // The backend comes back: the queue drains and the documents arrive.
    fake.restart().await;
    app.search_caught_up().await;
    let sent = fake.documents(&app.settings.meili_index);
    for name in [
        "Før Nedbruddet ApS",
        "Under Nedbruddet ApS",
        "Også Under Nedbruddet ApS",
    ] {
        assert!(
            sent.iter().any(|d| d["title"] == name),
            "{name} never reached the index"
        );
    }
}

/// A real Meilisearch server of this test's own (the binary CI names in
/// `MEILI_BIN_PATH`), on a free port, that can be killed and started again
/// on the same data.
struct MeiliProcess {
    bin: String,
    port: u16,
    dir: tempfile::TempDir,
    child: Option<std::process::Child>,
}

const TEST_MEILI_KEY: &str = "a-test-master-key-for-outages";

impl MeiliProcess {
    async fn start(bin: String) -> MeiliProcess {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut m = MeiliProcess {
            bin,
            port,
            dir: tempfile::tempdir().unwrap(),
            child: None,
        };
        m.restart().await;
        m
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn restart(&mut self) {
        let child = std::process::Command::new(&self.bin)
            .args(["--http-addr", &format!("127.0.0.1:{}", self.port)])
            .args([
                "--master-key",
                TEST_MEILI_KEY,
                "--no-analytics",
                "--env",
                "development",
            ])
            .arg("--db-path")
            .arg(self.dir.path().join("data"))
            .arg("--dump-dir")
            .arg(self.dir.path().join("dumps"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("starting meilisearch");
        self.child = Some(child);
        let health = format!("{}/health", self.url());
        for _ in 0..100 {
            // Our server, not another that took the port meanwhile.
            let alive = self
                .child
                .as_mut()
                .is_some_and(|c| c.try_wait().ok().flatten().is_none());
            assert!(alive, "meilisearch exited (port {} taken?)", self.port);
            if reqwest::get(&health)
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("meilisearch did not start");
    }

    /// SIGKILL, as a crash or an OOM kill would.
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().ok();
            c.wait().ok();
        }
    }
}

impl Drop for MeiliProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The same outage as above against a real Meilisearch server, killed with
/// SIGKILL between writes (with the sync worker running) and started again
/// on its data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_a_real_meilisearch_is_killed_writes_succeed_and_the_index_converges() {
    let Ok(bin) = std::env::var("MEILI_BIN_PATH") else {
        eprintln!("MEILI_BIN_PATH not set: the real-server outage test was SKIPPED");
        return;
    };
    let mut meili = MeiliProcess::start(bin).await;
    let url = meili.url();
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.meili_url = Some(url.clone());
        s.meili_key = Some(secrecy::SecretString::from(TEST_MEILI_KEY));
    })
    .await;
    app.signed_in("kirsten", Role::Consultant).await;
    let before = create(
        &app,
        "24256790",
        "Før Nedbruddet ApS",
        "Nørrebrogade 1",
        "2200",
    )
    .await;
    app.search_caught_up().await;
    // The index settings are applied in the background at start-up.
    assert!(
        found_within(&app, "nedbruddet", &before).await,
        "never searchable"
    );
    meili.kill();
    let during = create(
        &app,
        "25313763",
        "Under Nedbruddet ApS",
        "Vesterbrogade 1",
        "1620",
    )
    .await;
    let during_too = create(
        &app,
        "12345674",
        "Også Under Nedbruddet ApS",
        "Valby Langgade 1",
        "2500",
    )
    .await;
    assert_eq!(app.get("/search?q=nedbruddet").await.status().as_u16(), 503);
    let ready: serde_json::Value = app.get("/ready").await.json().await.unwrap();
    assert!(ready["search"]["pending"].as_u64().unwrap() >= 2, "{ready}");
    meili.restart().await;
    app.search_caught_up().await;
    // Found through the portal's own search, from the real server.
    for loc in [&before, &during, &during_too] {
        assert!(
            found_within(&app, "nedbruddet", loc).await,
            "{loc} never reached the index"
        );
    }
}

/// Whether `/search?q=` links to the page `loc` within ten seconds.
async fn found_within(app: &TestApp, q: &str, loc: &str) -> bool {
    let text = format!("href=\"{loc}\"");
    for _ in 0..100 {
        let res = app.get(&format!("/search?q={q}")).await;
        if res.status().is_success() && res.text().await.unwrap_or_default().contains(&text) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}
