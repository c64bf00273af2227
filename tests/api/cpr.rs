//! A CPR number is refused in every free-text field — the forms, the
//! public form and the API — with an explanation, and a canary typed
//! everywhere is found nowhere afterwards: database, index, outbox.
use erhverv::domain::Role;
use sea_orm::EntityTrait;

use crate::db_test;
use crate::helpers::*;

const CANARY: &str = "010190-1234";

async fn stored_anywhere(app: &TestApp) -> bool {
    let db = &app.db;
    let mut all = String::new();
    for b in entity::business::Entity::find().all(db).await.unwrap() {
        all += &format!("{b:?}");
    }
    for p in entity::contact_person::Entity::find()
        .all(db)
        .await
        .unwrap()
    {
        all += &format!("{p:?}");
    }
    for c in entity::contact::Entity::find().all(db).await.unwrap() {
        all += &format!("{c:?}");
    }
    for n in entity::recruitment_need::Entity::find()
        .all(db)
        .await
        .unwrap()
    {
        all += &format!("{n:?}");
    }
    for i in entity::initiative::Entity::find().all(db).await.unwrap() {
        all += &format!("{i:?}");
    }
    for e in entity::outbox_email::Entity::find().all(db).await.unwrap() {
        all += &format!("{e:?}");
    }
    for a in audit_events(app).await {
        all += &format!("{a:?}");
    }
    all.contains("010190") || all.contains("0101901234")
}

db_test!(
    a_cpr_number_is_refused_in_every_free_text_field_and_stored_nowhere,
    |s: &mut erhverv::config::Settings| s.need_min_fill_seconds = 0,
    |app: TestApp| async move {
        let me = app.signed_in("admin", Role::Admin).await.to_string();
        let b = app
            .create_business("24256790", "Kanariefugl ApS", "3")
            .await;
        let text = format!("Ring til borgeren {CANARY} i morgen");
        let when = (chrono::Utc::now() - chrono::Duration::hours(1))
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let track = entity::strategy_track::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .id
            .to_string();
        let cases: Vec<(String, Vec<(&str, &str)>)> = vec![
            (
                "/businesses".into(),
                vec![
                    ("cvr", "10150817"),
                    ("name", &text),
                    ("company_form", "aps"),
                ],
            ),
            (
                "/businesses".into(),
                vec![
                    ("cvr", "10150817"),
                    ("name", "Anden ApS"),
                    ("company_form", "aps"),
                    ("notes", &text),
                ],
            ),
            (format!("/businesses/{b}/persons"), vec![("name", &text)]),
            (
                format!("/businesses/{b}/persons"),
                vec![("name", "Mette"), ("role", &text)],
            ),
            (
                format!("/businesses/{b}/contacts"),
                vec![
                    ("channel", "phone"),
                    ("occurred_at", &when),
                    ("subject", "Opkald"),
                    ("notes", &text),
                    ("outcome", "information"),
                ],
            ),
            (
                "/initiatives".into(),
                vec![
                    ("title", "Flere praktikpladser"),
                    ("track_id", &track),
                    ("owner_id", &me),
                    ("start_date", "2026-01-01"),
                    ("update_every", "91"),
                    ("description", &text),
                ],
            ),
        ];
        for (path, fields) in &cases {
            let res = app.post_form(path, fields).await;
            assert_eq!(res.status().as_u16(), 422, "{path} {fields:?}");
            let page = res.text().await.unwrap();
            assert!(
                page.contains("ligner et CPR-nummer"),
                "{path}: the reason is given"
            );
            assert!(
                page.contains(CANARY),
                "{path}: what was typed is kept in the form"
            );
        }
        // The public form.
        app.get_html("/rekruttering").await;
        let mut form = valid("cpr1");
        for (k, v) in form.iter_mut() {
            if *k == "free_text" {
                *v = &text;
            }
        }
        let res = app.post_form("/rekruttering", &form).await;
        assert_eq!(res.status().as_u16(), 422);
        assert!(res.text().await.unwrap().contains("ligner et CPR-nummer"));
        // The API.
        let page = app
            .post_form(
                "/admin/api-tokens",
                &[("name", "Kanarie"), ("businesses", "write")],
            )
            .await
            .text()
            .await
            .unwrap();
        let at = page.find("value=\"erh_").unwrap() + 7;
        let token = &page[at..at + 68];
        let res = reqwest::Client::new()
            .post(app.url("/api/v1/businesses"))
            .bearer_auth(token)
            .json(&serde_json::json!({"cvr": "25313763", "name": "Ny", "company_form": "aps", "notes": text}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 422);
        let problem: serde_json::Value = res.json().await.unwrap();
        assert_eq!(problem["fields"][0]["code"], "looks_like_cpr");
        // Stored nowhere, indexed nowhere.
        assert!(!stored_anywhere(&app).await, "the canary was stored");
        app.search_caught_up().await;
        let res = app.get("/api/v1/search?q=010190").await;
        let hits: serde_json::Value = res.json().await.unwrap();
        assert_eq!(hits["total"], 0);
    }
);
