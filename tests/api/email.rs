use std::time::Duration;

use chrono::Utc;
use entity::outbox_email;
use erhverv::domain::Role;
use erhverv::email::{Mailer, outbox};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use secrecy::SecretString;

use crate::db_test;
use crate::helpers::*;
use crate::support::smtp_server::{Fault, SmtpServer};

/// Settings for fast retries against a local SMTP server.
fn fast(smtp: &SmtpServer) -> impl FnOnce(&mut erhverv::config::Settings) {
    let url = smtp.url();
    move |s| {
        s.smtp_url = Some(SecretString::from(url));
        s.outbox_base_delay_ms = 50;
        s.outbox_max_delay_ms = 200;
        s.outbox_probe_ms = 100;
        s.outbox_max_attempts = 3;
    }
}

/// A business with a contact person who has an email address.
async fn business_with_person(app: &TestApp, protected: bool) -> (String, String) {
    let mut f = vec![
        ("cvr", "10150817"),
        ("name", "Søren's Smørrebrød ApS"),
        ("company_form", "aps"),
        ("postal_code", "2100"),
        ("active", "on"),
    ];
    if protected {
        f.push(("advertising_protected", "on"));
    }
    let res = app.post_form("/businesses", &f).await;
    let loc = location(&res);
    let res = app
        .post_form(
            &format!("{loc}/persons"),
            &[
                ("name", "Mette Søndergård"),
                ("email", "mette@smoerrebroed.dk"),
                ("primary", "on"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let form = app.get_html(&format!("{loc}/emails/new")).await;
    let marker = "name=\"person_id\"";
    let i = form.find(marker).expect("recipient select");
    let j = form[i..].find("<option value=\"").expect("an option") + i + "<option value=\"".len();
    let person: String = form[j..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    (loc, person)
}

fn schedule_form<'a>(
    person: &'a str,
    idem: &'a str,
    template: &'a str,
    message: &'a str,
    action: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("person_id", person),
        ("template", template),
        ("mail_lang", "da"),
        ("subject", ""),
        ("message", message),
        ("date", "2031-03-03"),
        ("time", "09:00"),
        ("idem", idem),
        ("action", action),
    ]
}

/// Lets the scheduled time arrive: every pending email becomes due now.
async fn make_due(app: &TestApp) {
    outbox_email::Entity::update_many()
        .col_expr(outbox_email::Column::NextAttemptAt, Utc::now().into())
        .filter(outbox_email::Column::Status.eq(outbox::PENDING))
        .exec(&app.db)
        .await
        .unwrap();
}

async fn rows(app: &TestApp) -> Vec<outbox_email::Model> {
    outbox_email::Entity::find().all(&app.db).await.unwrap()
}

async fn wait_status(app: &TestApp, status: &str) -> outbox_email::Model {
    for _ in 0..200 {
        if let Some(r) = rows(app).await.into_iter().find(|r| r.status == status) {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!(
        "no email reached status {status}: {:?}",
        rows(app)
            .await
            .iter()
            .map(|r| (&r.status, &r.last_error))
            .collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_follow_up_arrives_over_smtp_with_both_parts_and_its_message_id() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(Backend::Sqlite, fast(&smtp)).await;
    app.signed_in("kirsten", Role::Consultant).await;
    let (loc, person) = business_with_person(&app, false).await;
    let message = "Tak for mødet i går.\n\nVi vender tilbage om fleksjob <script>alert(1)</script> i næste uge.";
    let res = app
        .post_form(
            &format!("{loc}/emails"),
            &schedule_form(&person, "idem1", "followup", message, "schedule"),
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let queued = rows(&app).await;
    assert_eq!(queued.len(), 1);
    assert_eq!(
        queued[0].status, "pending",
        "scheduled for later, not sent yet"
    );
    assert!(smtp.received().is_empty());
    make_due(&app).await;
    let got = smtp.wait_for(1, Duration::from_secs(10)).await;
    let m = &got[0];
    assert_eq!(m.to, vec!["mette@smoerrebroed.dk".to_string()]);
    assert_eq!(
        m.subject().unwrap(),
        "Opfølgning på vores samtale – Søren's Smørrebrød ApS"
    );
    let text = m.text_part().expect("text part");
    assert!(text.contains("Kære Mette Søndergård"), "{text}");
    assert!(
        text.contains("Vi vender tilbage om fleksjob <script>alert(1)</script> i næste uge."),
        "text is plain"
    );
    let html = m.html_part().expect("html part");
    assert!(html.contains("<p>Tak for mødet i går.</p>"), "{html}");
    assert!(
        html.contains("&lt;script&gt;") && !html.contains("<script>"),
        "html escaped"
    );
    let sent = wait_status(&app, "sent").await;
    assert_eq!(
        m.message_id().unwrap(),
        sent.message_id,
        "Message-ID from the row"
    );
    assert!(m.header("From").unwrap().contains("erhverv@kk.dk"));
    // The business page shows it as sent.
    assert!(app.get_html(&loc).await.contains("sendt"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_shows_the_mail_and_a_double_submit_schedules_one() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(Backend::Sqlite, fast(&smtp)).await;
    app.signed_in("kirsten", Role::Consultant).await;
    let (loc, person) = business_with_person(&app, false).await;
    let res = app
        .post_form(
            &format!("{loc}/emails"),
            &schedule_form(&person, "idem2", "followup", "", "preview"),
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let page = res.text().await.unwrap();
    assert!(page.contains("id=\"preview-subject\">Opfølgning på vores samtale"));
    assert!(page.contains("Tak for en god snak"));
    assert!(rows(&app).await.is_empty(), "a preview schedules nothing");
    for _ in 0..2 {
        let res = app
            .post_form(
                &format!("{loc}/emails"),
                &schedule_form(&person, "idem2", "followup", "", "schedule"),
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
    }
    assert_eq!(rows(&app).await.len(), 1, "one email for one form");
    // A weekend date moves to Monday (2031-03-01 is a Saturday).
    let mut f = schedule_form(&person, "idem3", "followup", "", "schedule");
    f.retain(|(k, _)| *k != "date");
    f.push(("date", "2031-03-01"));
    app.post_form(&format!("{loc}/emails"), &f).await;
    let monday = rows(&app)
        .await
        .into_iter()
        .find(|r| r.idempotency_key.ends_with("idem3"))
        .unwrap();
    assert_eq!(
        monday.next_attempt_at.to_rfc3339(),
        "2031-03-03T08:00:00+00:00"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_business_with_advertising_protection_gets_only_case_related_mail() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(Backend::Sqlite, fast(&smtp)).await;
    app.signed_in("kirsten", Role::Consultant).await;
    let (loc, person) = business_with_person(&app, true).await;
    let res = app
        .post_form(
            &format!("{loc}/emails"),
            &schedule_form(&person, "i4", "event_invitation", "", "schedule"),
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("reklamebeskyttet"));
    assert!(rows(&app).await.is_empty());
    let res = app
        .post_form(
            &format!("{loc}/emails"),
            &schedule_form(&person, "i5", "followup", "", "schedule"),
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_email_can_be_cancelled_before_it_goes() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(Backend::Sqlite, fast(&smtp)).await;
    app.signed_in("kirsten", Role::Consultant).await;
    let (loc, person) = business_with_person(&app, false).await;
    app.post_form(
        &format!("{loc}/emails"),
        &schedule_form(&person, "i6", "followup", "", "schedule"),
    )
    .await;
    let id = rows(&app).await[0].id;
    let res = app
        .post_form(&format!("{loc}/emails/{id}/cancel"), &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    make_due(&app).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(smtp.received().is_empty());
    assert_eq!(rows(&app).await[0].status, "cancelled");
}

async fn queue(app: &TestApp, n: usize, key: &str) {
    queue_fast(app, n, key).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_queued_while_the_server_is_down_is_delivered_when_it_is_back() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(Backend::Sqlite, fast(&smtp)).await;
    smtp.stop().await;
    queue(&app, 5, "outage").await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let waiting = rows(&app).await;
    assert!(
        waiting
            .iter()
            .all(|r| r.status == "pending" || r.status == "failed"),
        "nothing given up"
    );
    assert!(
        waiting.iter().all(|r| r.attempts == 0),
        "an unreachable server uses no attempts"
    );
    smtp.restart().await;
    let got = smtp.wait_for(5, Duration::from_secs(10)).await;
    assert_eq!(got.len(), 5);
    for _ in 0..100 {
        if rows(&app).await.iter().all(|r| r.status == "sent") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("not all marked sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_temporary_refusal_is_retried_and_a_permanent_one_is_dead_and_visible() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(Backend::Sqlite, fast(&smtp)).await;
    smtp.fault_once(Fault::RejectRcpt(451, "4.3.0 try again later".into()));
    queue(&app, 1, "temp").await;
    let got = smtp.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(got.len(), 1);
    let sent = wait_status(&app, "sent").await;
    assert_eq!(sent.attempts, 2, "one refusal, one delivery");

    smtp.set_fault(Fault::RejectRcpt(550, "5.1.1 no such user".into()));
    queue(&app, 1, "perm").await;
    let dead = wait_status(&app, "dead").await;
    assert!(
        dead.last_error
            .as_deref()
            .unwrap_or("")
            .contains("no such user")
    );
    app.signed_in("admin", Role::Admin).await;
    let page = app.get_html("/admin/outbox").await;
    assert!(
        page.contains("no such user"),
        "the error is shown to admins"
    );
    assert!(
        page.contains("example.dk") && !page.contains("modtager0@example.dk"),
        "domain only"
    );
    // An admin fixes the cause and retries.
    smtp.set_fault(Fault::None);
    let res = app
        .post_form(&format!("/admin/outbox/{}/retry", dead.id), &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    smtp.wait_for(2, Duration::from_secs(10)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_dropped_after_data_delivers_at_least_once_with_the_same_message_id() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(Backend::Sqlite, fast(&smtp)).await;
    smtp.fault_once(Fault::DropAfterData);
    queue(&app, 1, "drop").await;
    let got = smtp.wait_for(1, Duration::from_secs(10)).await;
    wait_status(&app, "sent").await;
    let all = smtp.received_including_dropped();
    assert!(
        !got.is_empty() && all.len() <= 2,
        "delivered, at most one duplicate: {}",
        all.len()
    );
    let ids: std::collections::HashSet<_> = all.iter().map(|m| m.message_id().unwrap()).collect();
    assert_eq!(ids.len(), 1, "the duplicate carries the same Message-ID");
}

db_test!(
    two_workers_never_send_the_same_row,
    |s: &mut erhverv::config::Settings| s.outbox_worker = false,
    |app: TestApp| async move {
        let smtp = SmtpServer::start().await;
        queue(&app, 60, "two").await;
        let mut settings = app.settings.clone();
        settings.smtp_url = Some(SecretString::from(smtp.url()));
        settings.outbox_concurrency = 4;
        let a = Mailer::from_settings(&settings, "http://x".into()).unwrap();
        let b = Mailer::from_settings(&settings, "http://x".into()).unwrap();
        let run = |m: std::sync::Arc<Mailer>, db: sea_orm::DatabaseConnection| async move {
            let mut sent = 0;
            for _ in 0..50 {
                let p = m.send_due(&db).await.unwrap();
                sent += p.sent;
                if p.sent == 0 {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
            sent
        };
        // Small batches so the two really interleave.
        let (sa, sb) = tokio::join!(run(a, app.db.clone()), run(b, app.db.clone()));
        assert_eq!(sa + sb, 60);
        let got = smtp.wait_for(60, Duration::from_secs(10)).await;
        let ids: std::collections::HashSet<_> =
            got.iter().map(|m| m.message_id().unwrap()).collect();
        assert_eq!(got.len(), 60, "no row sent twice");
        assert_eq!(ids.len(), 60);
    }
);

db_test!(
    the_morning_digest_lists_due_follow_ups_once_a_day,
    |app: TestApp| async move {
        app.signed_in("kirsten", Role::Consultant).await;
        // Kirsten needs an email address for her digest.
        entity::app_user::Entity::update_many()
            .col_expr(
                entity::app_user::Column::Email,
                Some("kirsten@kk.dk".to_string()).into(),
            )
            .filter(entity::app_user::Column::Username.eq("kirsten"))
            .exec(&app.db)
            .await
            .unwrap();
        app.add_user("tom", Role::Consultant).await;
        let res = app
            .post_form(
                "/businesses",
                &[
                    ("cvr", "24256790"),
                    ("name", "Åbent Værksted"),
                    ("company_form", "enk"),
                    ("active", "on"),
                ],
            )
            .await;
        let loc = location(&res);
        let yesterday = (Utc::now() - chrono::Duration::days(1))
            .format("%Y-%m-%d")
            .to_string();
        let when = (Utc::now() - chrono::Duration::days(2))
            .format("%Y-%m-%dT10:00")
            .to_string();
        app.post_form(
            &format!("{loc}/contacts"),
            &[
                ("channel", "phone"),
                ("occurred_at", &when),
                ("subject", "Ring om praktikplads"),
                ("outcome", "follow_up"),
                ("follow_up_on", &yesterday),
            ],
        )
        .await;
        let today = erhverv::contacts::today();
        let mailer = Mailer::from_settings(&app.settings, app.address.clone()).unwrap();
        assert_eq!(
            erhverv::email::digest::enqueue_digests(&app.db, &mailer, today)
                .await
                .unwrap(),
            1,
            "one digest, for kirsten only"
        );
        assert_eq!(
            erhverv::email::digest::enqueue_digests(&app.db, &mailer, today)
                .await
                .unwrap(),
            0,
            "not twice the same day"
        );
        let digest = rows(&app)
            .await
            .into_iter()
            .find(|r| r.template == "digest")
            .unwrap();
        assert_eq!(digest.recipient, "kirsten@kk.dk");
        assert!(digest.subject.contains("1 forfaldne"), "{}", digest.subject);
        assert!(
            digest
                .body_text
                .contains("Åbent Værksted – Ring om praktikplads")
        );
        assert!(digest.body_text.contains(&format!("{}{loc}", app.address)));
    }
);

db_test!(
    without_smtp_the_demo_writes_eml_files_to_open,
    |app: TestApp| async move {
        queue(&app, 1, "file").await;
        let dir = app.settings.data_dir.join("outbox");
        for _ in 0..100 {
            if let Some(Ok(entry)) = std::fs::read_dir(&dir).ok().and_then(|mut d| d.next()) {
                let eml = std::fs::read_to_string(entry.path()).unwrap();
                assert!(eml.contains("Message-ID: <file.0."), "{eml}");
                assert!(eml.contains("To: modtager0@example.dk"));
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("no .eml file written");
    }
);
