//! Every acknowledged submission survives the process being killed (kill -9)
//! at any moment: the real binary is started on a data directory, clients
//! submit the public form as fast as they can, the process is killed in the
//! middle of it, and after a restart every need that got its 303 is there,
//! whole, with its receipt email.
use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use entity::{outbox_email, recruitment_need};
use sea_orm::{ColumnTrait, Database, EntityTrait, QueryFilter};

use crate::helpers::*;

/// Starts `erhverv serve` on `dir`; returns the process and its address.
fn start(dir: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_erhverv"))
        .args(["--data-dir", dir.to_str().unwrap(), "serve"])
        .arg("--bind")
        .arg("127.0.0.1:0")
        .current_dir(dir)
        .env("ERHVERV_COOKIE_SECURE", "false")
        .env("ERHVERV_NEED_MIN_FILL_SECONDS", "0")
        .env("ERHVERV_NEED_SUBMISSIONS_PER_HOUR", "1000000")
        // One address and one CVR number throughout: every receipt is sent.
        .env("ERHVERV_NEED_RECEIPTS_PER_ADDRESS", "1000000")
        .env("ERHVERV_NEED_RECEIPTS_PER_CVR", "1000000")
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL")
        .env_remove("ERHVERV_DATABASE_URL")
        .env_remove("MEILI_URL")
        .env_remove("SMTP_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting erhverv");
    let url = read_address(&mut child);
    (child, url)
}

/// Clients submitting until the server goes away; returns the idempotency
/// keys of the submissions answered with a 303.
async fn submit_until_killed(url: &str, round: usize, clients: usize) -> Vec<String> {
    let acked = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for c in 0..clients {
        let url = url.to_string();
        let acked = acked.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap();
            for i in 0.. {
                let Ok(page) = client.get(format!("{url}/rekruttering")).send().await else {
                    return;
                };
                let Ok(page) = page.text().await else { return };
                let token = csrf_in(&page);
                let idem = format!("kill{round}c{c}n{i}");
                let mut form = crate::helpers::valid(&idem);
                form.push(("csrf_token", token.as_str()));
                match client
                    .post(format!("{url}/rekruttering"))
                    .form(&form)
                    .send()
                    .await
                {
                    Ok(res) if res.status().as_u16() == 303 => acked.lock().unwrap().push(idem),
                    Ok(res) => panic!("submission answered {}", res.status()),
                    Err(_) => return,
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    Arc::try_unwrap(acked).unwrap().into_inner().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_submission_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let mut all_acked: Vec<String> = Vec::new();
    // Kill at a different moment each round.
    for (round, after_ms) in [(0usize, 700u64), (1, 1_300), (2, 450)].into_iter() {
        let (mut child, url) = start(dir.path());
        let submitting = tokio::spawn({
            let url = url.clone();
            async move { submit_until_killed(&url, round, 12).await }
        });
        tokio::time::sleep(Duration::from_millis(after_ms)).await;
        child.kill().expect("kill -9");
        child.wait().unwrap();
        let acked = submitting.await.unwrap();
        assert!(
            !acked.is_empty(),
            "round {round}: no submission was acknowledged before the kill"
        );
        eprintln!(
            "round {round}: killed after {after_ms} ms with {} acknowledged",
            acked.len()
        );
        all_acked.extend(acked);
    }
    // Restart: the service opens the database (replaying the WAL) and serves.
    let (mut child, url) = start(dir.path());
    let health = reqwest::get(format!("{url}/health")).await.unwrap();
    assert!(health.status().is_success());
    let db = Database::connect(format!(
        "sqlite://{}?mode=ro",
        dir.path().join("erhverv.db").display()
    ))
    .await
    .unwrap();
    let needs = recruitment_need::Entity::find().all(&db).await.unwrap();
    let stored: HashSet<&str> = needs.iter().map(|n| n.idempotency_key.as_str()).collect();
    let lost: Vec<&String> = all_acked
        .iter()
        .filter(|k| !stored.contains(k.as_str()))
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged submissions were lost: {lost:?}",
        lost.len(),
        all_acked.len()
    );
    // Nothing half-written: every stored need has its reference and its
    // receipt, acknowledged or not.
    let receipts: HashSet<String> = outbox_email::Entity::find()
        .filter(outbox_email::Column::Template.eq("need_receipt"))
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.idempotency_key)
        .collect();
    for n in &needs {
        assert!(n.reference.starts_with("RB-"), "{}", n.reference);
        assert!(
            receipts.contains(&format!("need_receipt:{}", n.id)),
            "need {} has no receipt",
            n.id
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();
}
