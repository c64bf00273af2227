//! Benchmark of recruitment-need submissions (BENCHMARKS.md,
//! "Recruitment-need submissions"): `PER_CLIENT=100 cargo bench --bench
//! need_submissions` (default 50 per client); `BENCH_POSTGRES=1` with
//! `TEST_DATABASE_URL` for PostgreSQL.
//!
//! 32 clients, each its own browser session, GET the public form (CSRF
//! token) and POST it. Prints the submissions per second and the POST
//! latencies, and asserts that the measured run was correct: every
//! submission was acknowledged (303 to the receipt page), and every
//! acknowledged one is stored once, with its reference and its receipt
//! email in the outbox. Timings are printed, never asserted.
#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use entity::{outbox_email, recruitment_need};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

// The test crate's helpers, as in tests/api (not all of their items are
// used here).
#[allow(dead_code)]
#[path = "../tests/api/helpers.rs"]
mod helpers;

use helpers::{Backend, csrf_in, spawn_app_with, valid};

// The allocator the service runs with (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CLIENTS: usize = 32;
const CONTACT_EMAIL: &str = "soeren@aabentvaerksted.dk";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let per_client: usize = std::env::var("PER_CLIENT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let backend = if std::env::var("BENCH_POSTGRES").is_ok() {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    let app = spawn_app_with(backend, |s| {
        s.need_min_fill_seconds = 0;
        s.need_submissions_per_hour = 1_000_000;
        s.outbox_worker = false;
        s.log_format = "json".into();
    })
    .await;
    let address = app.address.clone();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let address = address.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let mut latencies = Vec::new();
            let mut acknowledged = Vec::new();
            for i in 0..per_client {
                let page = client
                    .get(format!("{address}/rekruttering"))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                let token = csrf_in(&page);
                let idem = format!("bench{c}x{i}");
                let mut f = valid(&idem);
                f.push(("csrf_token", token.as_str()));
                let t = Instant::now();
                let res = client
                    .post(format!("{address}/rekruttering"))
                    .form(&f)
                    .send()
                    .await
                    .unwrap();
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                assert_eq!(res.status().as_u16(), 303, "{idem} acknowledged");
                assert_eq!(
                    res.headers().get("location").and_then(|l| l.to_str().ok()),
                    Some("/rekruttering/tak"),
                    "{idem} sent to the receipt page"
                );
                acknowledged.push(idem);
            }
            (latencies, acknowledged)
        }));
    }
    let mut all = Vec::new();
    let mut acknowledged = Vec::new();
    for t in tasks {
        let (latencies, acked) = t.await.unwrap();
        all.extend(latencies);
        acknowledged.extend(acked);
    }
    let took = started.elapsed().as_secs_f64();
    all.sort_by(|a, b| a.total_cmp(b));
    let p = |q: f64| all[((all.len() as f64 - 1.0) * q).round() as usize];
    let needs = recruitment_need::Entity::find().all(&app.db).await.unwrap();
    let stored = needs.len();
    println!(
        "{backend:?}: {} submissions by {CLIENTS} clients in {took:.1} s = {:.0}/s (each with a GET of the form first); POST p50 {:.1} ms, p99 {:.1} ms; stored {stored}",
        all.len(),
        all.len() as f64 / took,
        p(0.5),
        p(0.99)
    );

    // What was measured was correct.
    assert_eq!(acknowledged.len(), CLIENTS * per_client, "all acknowledged");
    assert_eq!(stored, acknowledged.len(), "acknowledged = stored");
    let by_key: HashMap<&str, &recruitment_need::Model> = needs
        .iter()
        .map(|n| (n.idempotency_key.as_str(), n))
        .collect();
    assert_eq!(by_key.len(), stored, "each submission stored once");
    let receipts: HashMap<String, outbox_email::Model> = outbox_email::Entity::find()
        .filter(outbox_email::Column::Template.eq("need_receipt"))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.idempotency_key.clone(), m))
        .collect();
    assert_eq!(receipts.len(), stored, "one receipt per need");
    let mut references = HashSet::new();
    for idem in &acknowledged {
        let need = by_key
            .get(idem.as_str())
            .unwrap_or_else(|| panic!("acknowledged {idem} was not stored"));
        assert!(
            need.reference.starts_with("RB-"),
            "{idem}: {}",
            need.reference
        );
        assert!(
            references.insert(need.reference.as_str()),
            "{} given twice",
            need.reference
        );
        let receipt = receipts
            .get(&format!("need_receipt:{}", need.id))
            .unwrap_or_else(|| panic!("{idem} (need {}) has no receipt", need.id));
        assert_eq!(receipt.recipient, CONTACT_EMAIL);
        assert!(
            receipt.body_text.contains(&need.reference),
            "the receipt of {idem} names {}",
            need.reference
        );
    }
    println!(
        "checked: {} acknowledged submissions each stored once with its reference and its receipt email",
        acknowledged.len()
    );
}
