//! Production runs N instances of `erhverv serve` on one PostgreSQL and one
//! Meilisearch (../shared/DESIGN.md). Two real processes here, with one
//! session key: a session from one works on the other, a need sent through
//! one is found by search on the other, a backlog of emails goes out once
//! between both workers, and when one is killed (SIGKILL) in the middle of
//! a load, no acknowledged write is lost and the other goes on (and sends
//! the emails the dead one had claimed).
//!
//! Needs `TEST_DATABASE_URL` and `MEILI_URL` (`.ci/run` sets both); without
//! them it says it was skipped.
use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use entity::{outbox_email, recruitment_need};
use erhverv::domain::Role;
use sea_orm::{ColumnTrait, Database, EntityTrait, QueryFilter};

use crate::helpers::*;
use crate::support::smtp_server::SmtpServer;

struct Instance {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Shared {
    database_url: String,
    meili_url: String,
    meili_key: String,
    meili_index: String,
    session_key: String,
    smtp_url: String,
}

/// Starts an instance; its emails come from `erhverv-{name}@kk.dk`, so
/// the SMTP server can tell the two workers apart.
fn start(shared: &Shared, name: &str) -> Instance {
    let dir = tempfile::tempdir().unwrap();
    let log = std::fs::File::create(dir.path().join("stderr.log")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_erhverv"))
        .args(["--data-dir", dir.path().to_str().unwrap(), "serve"])
        .args(["--bind", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env("ERHVERV_DATABASE_URL", &shared.database_url)
        .env("MEILI_URL", &shared.meili_url)
        .env("MEILI_KEY", &shared.meili_key)
        .env("ERHVERV_MEILI_INDEX", &shared.meili_index)
        .env("ERHVERV_SESSION_KEY", &shared.session_key)
        .env("SMTP_URL", &shared.smtp_url)
        .env("ERHVERV_COOKIE_SECURE", "false")
        .env("ERHVERV_NEED_MIN_FILL_SECONDS", "0")
        .env("ERHVERV_NEED_SUBMISSIONS_PER_HOUR", "1000000")
        .env("ERHVERV_NEED_RECEIPTS_PER_ADDRESS", "1000000")
        .env("ERHVERV_NEED_RECEIPTS_PER_CVR", "1000000")
        .env(
            "ERHVERV_MAIL_FROM",
            format!("Erhverv {name} <erhverv-{name}@kk.dk>"),
        )
        .env("ERHVERV_OUTBOX_LEASE_SECONDS", "10")
        .env("ERHVERV_OUTBOX_PROBE_MS", "200")
        .env("ERHVERV_OUTBOX_BASE_DELAY_MS", "200")
        .env("ERHVERV_DB_MAX_CONNECTIONS", "6")
        // Only the other instance's notification can drop a cached page or
        // session within this test.
        .env("ERHVERV_READ_CACHE_SECONDS", "600")
        .env("ERHVERV_LOG", "warn")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("starting erhverv");
    let url = read_address(&mut child);
    Instance {
        child,
        url,
        _dir: dir,
    }
}

/// The body of a GET with this client.
async fn text(client: &reqwest::Client, url: &str) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Sends the public form once; its idempotency key when it got its 303.
async fn submit(client: &reqwest::Client, url: &str, idem: &str) -> Result<bool, reqwest::Error> {
    let page = client
        .get(format!("{url}/rekruttering"))
        .send()
        .await?
        .text()
        .await?;
    let token = csrf_in(&page);
    let mut form = valid(idem);
    form.push(("csrf_token", token.as_str()));
    let res = client
        .post(format!("{url}/rekruttering"))
        .form(&form)
        .send()
        .await?;
    assert!(
        res.status().as_u16() == 303,
        "a submission was answered {}",
        res.status()
    );
    Ok(true)
}

/// Clients sending the form to `url` until it goes away or `stop` is set;
/// the keys of the acknowledged ones.
fn load(
    url: &str,
    tag: &str,
    clients: usize,
    stop: Arc<Mutex<bool>>,
) -> tokio::task::JoinHandle<Vec<String>> {
    let url = url.to_string();
    let tag = tag.to_string();
    tokio::spawn(async move {
        let acked = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for c in 0..clients {
            let (url, tag, acked, stop) = (url.clone(), tag.clone(), acked.clone(), stop.clone());
            tasks.push(tokio::spawn(async move {
                let client = client();
                for i in 0.. {
                    if *stop.lock().unwrap() {
                        return;
                    }
                    let idem = format!("{tag}c{c}n{i}");
                    match submit(&client, &url, &idem).await {
                        Ok(_) => acked.lock().unwrap().push(idem),
                        Err(e) => {
                            eprintln!("{tag} client {c} stops: {e}");
                            return;
                        }
                    }
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        Arc::try_unwrap(acked).unwrap().into_inner().unwrap()
    })
}

/// Checks that each of the 300 backlog emails arrived once; the envelope
/// senders that sent them.
fn backlog_sent_once(smtp: &SmtpServer) -> std::collections::BTreeSet<String> {
    let mut per_subject: HashMap<String, usize> = HashMap::new();
    let mut senders = std::collections::BTreeSet::new();
    for r in smtp.received() {
        let s = r.subject().unwrap_or_default();
        if s.starts_with("Besked ") {
            *per_subject.entry(s).or_default() += 1;
            senders.insert(r.from.clone());
        }
    }
    assert_eq!(per_subject.len(), 300, "every backlog email was sent");
    let twice: Vec<_> = per_subject.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    senders
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_postgresql_and_one_meilisearch() {
    let (Ok(_), Ok(meili_url)) = (
        std::env::var("TEST_DATABASE_URL"),
        std::env::var("MEILI_URL"),
    ) else {
        eprintln!("TEST_DATABASE_URL and MEILI_URL are needed: the two-instance test was SKIPPED");
        return;
    };
    let database_url = fresh_postgres().await;
    let db = Database::connect(&database_url).await.unwrap();
    erhverv::db::migrate(&db).await.unwrap();
    let smtp = SmtpServer::start().await;
    let shared = Shared {
        database_url,
        meili_url,
        meili_key: std::env::var("MEILI_KEY").unwrap_or_default(),
        meili_index: format!("test_{}", &erhverv::web::auth::random_token()[..12]),
        session_key: erhverv::web::auth::random_token() + &erhverv::web::auth::random_token(),
        smtp_url: smtp.url(),
    };
    let a = start(&shared, "a");
    let b = start(&shared, "b");
    // B's search is the shared Meilisearch (not an index of its own).
    let ready: serde_json::Value = reqwest::get(format!("{}/ready", b.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["search"]["backend"], "meilisearch", "{ready}");
    // A backlog, once both workers are running.
    queue_emails(&db, 300, "backlog").await;

    // A session made on one instance works on the other.
    let new = erhverv::users::NewUser {
        username: "kirsten".into(),
        display_name: "Kirsten Holm".into(),
        email: None,
        role: Role::Consultant,
    };
    erhverv::users::create_with_password(&db, &new, PASSWORD, None)
        .await
        .unwrap()
        .unwrap();
    let staff = client();
    let page = text(&staff, &format!("{}/login", a.url)).await;
    let res = staff
        .post(format!("{}/login", a.url))
        .form(&[
            ("csrf_token", csrf_in(&page).as_str()),
            ("username", "kirsten"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303, "signed in on A");
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("erhverv_session="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string();
    let on_b = staff.get(format!("{}/needs", b.url)).send().await.unwrap();
    assert_eq!(on_b.status().as_u16(), 200, "A's session works on B");

    // A business created on A is on B's list at once, though B had the
    // list's page in memory (its notification drops it).
    let newest = format!("{}/businesses?sort=-updated", b.url);
    let before_create = text(&staff, &newest).await;
    assert!(!before_create.contains("Tovejs Instans ApS"));
    let form = text(&staff, &format!("{}/businesses/new", a.url)).await;
    let res = staff
        .post(format!("{}/businesses", a.url))
        .form(&[
            ("csrf_token", csrf_in(&form).as_str()),
            ("cvr", "24256790"),
            ("name", "Tovejs Instans ApS"),
            ("company_form", "aps"),
            ("street", "Nørrebrogade 1"),
            ("postal_code", "2200"),
            ("active", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303, "created on A");
    let mut listed = false;
    for _ in 0..30 {
        let page = text(&staff, &newest).await;
        if page.contains("Tovejs Instans ApS") {
            listed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(listed, "B's list did not show the business created on A");

    // A need sent through A is found by search on B.
    submit(&client(), &a.url, "twoinstances1").await.unwrap();
    let need = recruitment_need::Entity::find()
        .filter(recruitment_need::Column::IdempotencyKey.eq("twoinstances1"))
        .one(&db)
        .await
        .unwrap()
        .expect("the need is stored");
    let mut found = false;
    for _ in 0..100 {
        let hits = text(&staff, &format!("{}/search?q={}", b.url, need.reference)).await;
        if hits.contains(&format!("href=\"/needs/{}\"", need.id)) {
            found = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(found, "{} was not found through B", need.reference);

    // The backlog went out once, between both workers.
    let received = smtp.wait_for(300, Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(received.len() >= 300);
    let senders = backlog_sent_once(&smtp);
    assert_eq!(
        senders,
        ["erhverv-a@kk.dk", "erhverv-b@kk.dk"]
            .map(String::from)
            .into(),
        "both workers sent part of the backlog"
    );

    // Load on both; A is killed in the middle of it, while it is sending
    // (a slow mail server holds its claimed receipts in flight).
    smtp.set_fault(crate::support::smtp_server::Fault::SlowData(
        Duration::from_secs(30),
    ));
    let stop = Arc::new(Mutex::new(false));
    let load_a = load(&a.url, "a", 6, stop.clone());
    let load_b = load(&b.url, "b", 6, stop.clone());
    // Killed once it has acknowledged a good number.
    for _ in 0..200 {
        let from_a = recruitment_need::Entity::find()
            .filter(recruitment_need::Column::IdempotencyKey.starts_with("ac"))
            .all(&db)
            .await
            .unwrap()
            .len();
        if from_a >= 30 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut a = a;
    a.child.kill().expect("SIGKILL");
    a.child.wait().unwrap();
    let claimed_by_the_dead = outbox_email::Entity::find()
        .filter(outbox_email::Column::SentAt.is_null())
        .filter(outbox_email::Column::ClaimedUntil.gt(chrono::Utc::now()))
        .all(&db)
        .await
        .unwrap()
        .len();
    smtp.set_fault(crate::support::smtp_server::Fault::None);
    let acked_a = load_a.await.unwrap();
    // B goes on.
    let before = {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        *stop.lock().unwrap() = true;
        load_b.await.unwrap()
    };
    assert!(
        !acked_a.is_empty(),
        "A acknowledged nothing before the kill"
    );
    assert!(
        claimed_by_the_dead > 0,
        "no email was in flight at the kill"
    );
    assert!(!before.is_empty(), "B acknowledged nothing");
    let after_kill = client();
    assert!(
        submit(&after_kill, &b.url, "afterkill").await.unwrap(),
        "B takes submissions after A died"
    );
    let stored: HashSet<String> = recruitment_need::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.idempotency_key)
        .collect();
    let lost: Vec<&String> = acked_a
        .iter()
        .chain(before.iter())
        .filter(|k| !stored.contains(k.as_str()))
        .collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    eprintln!(
        "acknowledged: {} by A before SIGKILL, {} by B; {} needs stored; {} emails claimed and unsent at the kill",
        acked_a.len(),
        before.len(),
        stored.len(),
        claimed_by_the_dead
    );
    // Every stored need's receipt is sent, those A had claimed when it
    // died too (by B, once A's claim lapsed).
    let receipts = outbox_email::Entity::find()
        .filter(outbox_email::Column::Template.eq("need_receipt"))
        .all(&db)
        .await
        .unwrap()
        .len();
    assert_eq!(receipts, stored.len(), "a receipt per need");
    let mut unsent = usize::MAX;
    for _ in 0..300 {
        unsent = outbox_email::Entity::find()
            .filter(outbox_email::Column::SentAt.is_null())
            .all(&db)
            .await
            .unwrap()
            .len();
        if unsent == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(unsent, 0, "B sent every email, A's claimed ones too");
    // No backlog email went out twice, not even late.
    backlog_sent_once(&smtp);

    // Signing out on one instance ends the session on the other at once,
    // though B had it in memory: the cookie from the sign-in is refused.
    let replay = |url: String| {
        let cookie = cookie.clone();
        async move {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap()
                .get(url)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let b2 = start(&shared, "a2");
    assert_eq!(
        replay(format!("{}/needs", b.url)).await,
        200,
        "B knows the session"
    );
    assert_eq!(replay(format!("{}/needs", b2.url)).await, 200);
    let page = text(&staff, &format!("{}/needs", b2.url)).await;
    let res = staff
        .post(format!("{}/logout", b2.url))
        .form(&[("csrf_token", csrf_in(&page).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303, "signed out");
    let mut refused = false;
    for _ in 0..30 {
        if replay(format!("{}/needs", b.url)).await == 303 {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(refused, "B still let the signed-out session in");
    drop(b);
}
