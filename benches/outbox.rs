//! Benchmark of the email outbox (BENCHMARKS.md, "Email outbox"):
//! `cargo bench --bench outbox` (`OUTAGE_SECS=600` for the full 10-minute
//! outage, `BACKLOG` for another size than 10,000).
//!
//! Delivers a backlog of `BACKLOG` emails to a local SMTP server (the test
//! crate's real SMTP server over TCP), then queues a second backlog while the
//! server is down for `OUTAGE_SECS` (default 60) and delivers it after the
//! server came back. Prints the throughput and the drain time, and asserts
//! that the measured run was correct: every email of both backlogs arrived
//! at the server exactly once (by Message-ID, to its recipient) and is marked
//! sent, none went dead during the outage. Timings are printed, never
//! asserted.
#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use entity::outbox_email;
use erhverv::email::{Mailer, outbox};
use sea_orm::EntityTrait;
use secrecy::SecretString;

// The test crate's helpers and SMTP server, as in tests/api (not all of
// their items are used here, and the server's own tests are not run: a
// `harness = false` target drops `#[test]`s, leaving their imports unused).
#[allow(dead_code)]
#[path = "../tests/api/helpers.rs"]
mod helpers;
#[allow(dead_code, unused_imports)]
#[path = "../tests/api/support/smtp_server.rs"]
mod smtp_server;

use helpers::{Backend, TestApp, queue_fast, spawn_app_with};
use smtp_server::SmtpServer;

// The allocator the service runs with (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = env_or("BACKLOG", 10_000);
    let outage: u64 = env_or("OUTAGE_SECS", 60);
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.smtp_url = Some(SecretString::from(smtp.url()));
        s.outbox_worker = false;
    })
    .await;
    let mailer = Mailer::from_settings(&app.settings, "http://x".into()).unwrap();
    queue_fast(&app, n, "bench").await;
    let started = Instant::now();
    let worker = mailer.spawn_worker(app.db.clone());
    smtp.wait_for(n, Duration::from_secs(600)).await;
    let took = started.elapsed().as_secs_f64();
    println!(
        "backlog of {n}: delivered in {took:.1} s = {:.0} emails/s",
        n as f64 / took
    );

    smtp.stop().await;
    let before_outage = smtp.received().len();
    queue_fast(&app, n, "outage").await;
    tokio::time::sleep(Duration::from_secs(outage)).await;
    let dead = rows(&app)
        .await
        .iter()
        .filter(|r| r.status == outbox::DEAD)
        .count();
    let restarted = Instant::now();
    smtp.restart().await;
    smtp.wait_for(2 * n, Duration::from_secs(600)).await;
    let drain = restarted.elapsed().as_secs_f64();
    // The last batch is marked sent right after its delivery.
    tokio::time::sleep(Duration::from_millis(500)).await;
    worker.abort();
    let rows = rows(&app).await;
    let lost = rows.iter().filter(|r| r.status != outbox::SENT).count();
    println!(
        "after a {outage} s outage: backlog of {n} delivered {drain:.1} s after the server came back; dead during the outage: {dead}; not sent: {lost}"
    );

    // What was measured was correct.
    assert_eq!(
        before_outage, n,
        "the first backlog arrived exactly once before the outage"
    );
    assert_eq!(dead, 0, "no email went dead during the outage");
    assert_eq!(rows.len(), 2 * n, "both backlogs were queued");
    assert_eq!(lost, 0, "every queued email is marked sent");
    let expected: HashMap<&str, &str> = rows
        .iter()
        .map(|r| (r.message_id.as_str(), r.recipient.as_str()))
        .collect();
    assert_eq!(expected.len(), 2 * n, "one Message-ID per email");
    let received = smtp.received();
    assert_eq!(
        received.len(),
        2 * n,
        "the server received each email once, no more"
    );
    let mut seen = HashSet::new();
    for m in &received {
        let id = m.message_id().expect("a Message-ID");
        let recipient = expected
            .get(id.as_str())
            .unwrap_or_else(|| panic!("{id} is no queued email"));
        assert_eq!(m.to, [recipient.to_string()], "{id}");
        assert!(seen.insert(id.clone()), "{id} was delivered twice");
    }
    assert_eq!(
        smtp.received_including_dropped().len(),
        received.len(),
        "nothing was dropped"
    );
    println!(
        "checked: {} emails each delivered exactly once to its recipient and marked sent, 0 dead",
        2 * n
    );
}

async fn rows(app: &TestApp) -> Vec<outbox_email::Model> {
    outbox_email::Entity::find().all(&app.db).await.unwrap()
}
