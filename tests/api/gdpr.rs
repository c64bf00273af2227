//! Data protection: a person's data exported and erased (afterwards found
//! nowhere: database, index, outbox, audit log), and the retention purge
//! at a fixed clock, from the admin page and the command line.
use chrono::TimeZone;
use entity::{contact, contact_person, outbox_email, recruitment_need};
use erhverv::domain::Role;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde_json::Value;

use crate::db_test;
use crate::helpers::*;

const NAME: &str = "Søren Ærø";
const EMAIL: &str = "soeren@aabentvaerksted.dk";

/// Every stored text that could hold the person, as one string.
async fn everything(app: &TestApp) -> String {
    let db = &app.db;
    let mut all = String::new();
    for p in contact_person::Entity::find().all(db).await.unwrap() {
        all += &format!("{p:?}");
    }
    for c in contact::Entity::find().all(db).await.unwrap() {
        all += &format!("{c:?}");
    }
    for n in recruitment_need::Entity::find().all(db).await.unwrap() {
        all += &format!("{n:?}");
    }
    for e in outbox_email::Entity::find().all(db).await.unwrap() {
        all += &format!("{e:?}");
    }
    for a in audit_events(app).await {
        all += &format!("{a:?}");
    }
    all
}

async fn search_total(app: &TestApp, q: &str) -> u64 {
    app.search_caught_up().await;
    let res = app.get(&format!("/api/v1/search?q={}", urlencode(q))).await;
    let body: Value = res.json().await.unwrap();
    body["total"].as_u64().unwrap()
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("q", s)]).unwrap()[2..].to_string()
}

db_test!(
    a_person_is_exported_and_then_erased_everywhere,
    |s: &mut erhverv::config::Settings| {
        s.need_min_fill_seconds = 0;
        real_search(s);
    },
    |app: TestApp| async move {
        app.signed_in("admin", Role::Admin).await;
        let b = app.create_business("24256790", "Åbent Værksted", "4").await;
        let res = app
            .post_form(
                &format!("/businesses/{b}/persons"),
                &[("name", NAME), ("email", EMAIL), ("primary", "on")],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
        app.post_form(
            &format!("/businesses/{b}/persons"),
            &[("name", "Mads Kollega")],
        )
        .await;
        let when = (chrono::Utc::now() - chrono::Duration::hours(2))
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let res = app
            .post_form(
                &format!("/businesses/{b}/contacts"),
                &[
                    ("channel", "phone"),
                    ("occurred_at", &when),
                    ("subject", "Opringning"),
                    ("notes", &format!("Talte med {NAME} om en tømrer.")),
                    ("outcome", "information"),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
        // The public form: the need and its receipt to the same address.
        let need = app.submit_need("gdpr1").await;
        assert_eq!(need.contact_email, EMAIL);
        assert!(search_total(&app, "Søren").await >= 1, "found before");

        // The page finds them; the export holds everything.
        let page = app.get_html(&format!("/admin/gdpr?q={EMAIL}")).await;
        assert!(page.contains(NAME), "{page}");
        let res = app
            .get(&format!("/admin/gdpr/person/export.json?q={EMAIL}"))
            .await;
        assert_eq!(res.status().as_u16(), 200);
        let x: Value = res.json().await.unwrap();
        assert_eq!(x["contact_persons"].as_array().unwrap().len(), 1);
        assert_eq!(x["contact_persons"][0]["name"], NAME);
        assert_eq!(x["contact_persons"][0]["business_name"], "Åbent Værksted");
        assert_eq!(x["contacts_naming_them"].as_array().unwrap().len(), 1);
        assert_eq!(
            x["needs_submitted"][0]["reference"],
            need.reference.as_str()
        );
        assert!(!x["emails"].as_array().unwrap().is_empty(), "the receipt");
        assert!(!x["audit_entries"].as_array().unwrap().is_empty());
        // An unknown address is said so.
        let page = app.get_html("/admin/gdpr?q=ingen@eksempel.dk").await;
        assert!(page.contains("Ingen kontaktperson har den e-mailadresse"));

        // Erased: found nowhere afterwards.
        let res = app
            .post_form("/admin/gdpr/person/erase", &[("q", EMAIL)])
            .await;
        assert_eq!(res.status().as_u16(), 303);
        let all = everything(&app).await;
        for needle in [NAME, EMAIL, "Søren", "soeren@"] {
            assert!(!all.contains(needle), "{needle} is still stored");
        }
        assert_eq!(search_total(&app, "Søren").await, 0, "not in the index");
        assert_eq!(
            search_total(&app, "Åbent Værksted").await,
            2,
            "the business and the need stay"
        );
        let persons = contact_person::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(persons.len(), 1, "the colleague stays");
        let erased: Vec<_> = audit_events(&app)
            .await
            .into_iter()
            .filter(|e| e.action == "erase" || e.action == "export")
            .collect();
        assert_eq!(erased.len(), 2, "the export and the erasure are audited");
        let res = app
            .post_form("/admin/gdpr/person/erase", &[("q", EMAIL)])
            .await;
        assert_eq!(res.status().as_u16(), 400, "nothing left to erase");
    }
);

fn day(y: i32, m: u32, d: u32) -> chrono::DateTime<chrono::Utc> {
    chrono::Utc.with_ymd_and_hms(y, m, d, 10, 0, 0).unwrap()
}

db_test!(
    the_purge_removes_what_is_past_its_retention_at_a_fixed_clock,
    |s: &mut erhverv::config::Settings| {
        s.clock = erhverv::app::Clock::fixed(day(2020, 1, 15));
        s.need_min_fill_seconds = 0;
        s.session_hours = 24 * 365 * 10;
        s.session_idle_minutes = 60 * 24 * 365 * 10;
    },
    |app: TestApp| async move {
        let me = app.signed_in("admin", Role::Admin).await;
        let old = app.create_business("24256790", "Gammel ApS", "4").await;
        let busy = app.create_business("10150817", "Travl ApS", "4").await;
        for (b, name) in [(old, "Gamle Gunnar"), (busy, "Travle Trine")] {
            app.post_form(&format!("/businesses/{b}/persons"), &[("name", name)])
                .await;
        }
        let need = app.submit_need("purge1").await;
        let sent = outbox_email::ActiveModel {
            recipient: Set("gunnar@gammel.dk".into()),
            template: Set("followup".into()),
            lang: Set("da".into()),
            subject: Set("Tak".into()),
            body_text: Set("Kære Gunnar".into()),
            body_html: Set("<p>Kære Gunnar</p>".into()),
            status: Set("sent".into()),
            attempts: Set(1),
            next_attempt_at: Set(day(2020, 2, 1)),
            idempotency_key: Set("purge-sent-1".into()),
            message_id: Set("<purge-sent-1@kk.dk>".into()),
            case_related: Set(true),
            business_id: Set(Some(old)),
            created_by: Set(Some(me)),
            created_at: Set(day(2020, 2, 1)),
            sent_at: Set(Some(day(2020, 2, 1))),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        // The busy business is contacted in 2025: active within five years.
        app.settings.clock.set(day(2025, 6, 1));
        let res = app
            .post_form(
                &format!("/businesses/{busy}/contacts"),
                &[
                    ("channel", "visit"),
                    ("occurred_at", "2025-06-01T09:00"),
                    ("subject", "Besøg"),
                    ("outcome", "information"),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
        app.settings.clock.set(day(2026, 2, 1));
        let page = app.get_html("/admin/gdpr").await;
        assert!(page.contains("<td id=\"persons-due\">1</td>"), "{page}");
        assert!(page.contains("<td id=\"needs-due\">1</td>"));
        // Our sent email, and the need's receipt if the mailer sent it while
        // the clock stood in 2020.
        let old_sent = || async {
            outbox_email::Entity::find()
                .all(&app.db)
                .await
                .unwrap()
                .into_iter()
                .filter(|e| e.status == "sent" && e.sent_at.is_some_and(|t| t < day(2025, 8, 1)))
                .collect::<Vec<_>>()
        };
        let emails_due = old_sent().await.len();
        assert!(emails_due >= 1);
        assert!(page.contains(&format!("<td id=\"emails-due\">{emails_due}</td>")));
        // The command line's dry run (on the system clock, later still)
        // says the same and changes nothing.
        let mut cmd = cli(&app);
        let out = cmd.args(["gdpr", "purge", "--dry-run"]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let said = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            said.contains("1 contact persons of businesses without activity"),
            "{said}"
        );
        assert!(said.contains("1 needs from before"), "{said}");
        assert_eq!(
            contact_person::Entity::find()
                .all(&app.db)
                .await
                .unwrap()
                .len(),
            2
        );
        // The purge, from the admin page.
        let res = app.post_form("/admin/gdpr/purge", &[]).await;
        assert_eq!(res.status().as_u16(), 303);
        let persons: Vec<String> = contact_person::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(persons, ["Travle Trine"]);
        let n = recruitment_need::Entity::find_by_id(need.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                n.contact_name.as_str(),
                n.contact_email.as_str(),
                n.contact_phone
            ),
            ("[slettet]", "", None)
        );
        assert_eq!(n.job_title, "Tømrer", "the need itself stays");
        let e = outbox_email::Entity::find_by_id(sent.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((e.body_text.as_str(), e.body_html.as_str()), ("", ""));
        assert_eq!(e.subject, "Tak", "the record of sending stays");
        let purge: Vec<_> = audit_events(&app)
            .await
            .into_iter()
            .filter(|e| e.action == "purge")
            .collect();
        assert_eq!(purge.len(), 1);
        assert_eq!(
            purge[0].detail.as_deref(),
            Some(format!(r#"{{"email_bodies":{emails_due},"needs":1,"persons":1}}"#).as_str())
        );
        assert!(
            old_sent()
                .await
                .iter()
                .all(|e| e.body_text.is_empty() && e.body_html.is_empty())
        );
        let page = app.get_html("/admin/gdpr").await;
        assert!(page.contains("<td id=\"persons-due\">0</td>"));
    }
);
