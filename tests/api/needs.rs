use entity::{business, outbox_email, recruitment_need};
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::db_test;
use crate::helpers::*;

fn no_wait(s: &mut erhverv::config::Settings) {
    s.need_min_fill_seconds = 0;
    s.need_submissions_per_hour = 4;
}

/// Every post counts against the address's budget (invalid ones and
/// double clicks too): tests that post many get a larger one.
fn no_wait_many(s: &mut erhverv::config::Settings) {
    s.need_min_fill_seconds = 0;
    s.need_submissions_per_hour = 100;
}

async fn fill_in(app: &TestApp) {
    // The form page starts the fill-time clock.
    assert_eq!(app.get("/rekruttering").await.status().as_u16(), 200);
}

async fn needs(app: &TestApp) -> Vec<recruitment_need::Model> {
    recruitment_need::Entity::find().all(&app.db).await.unwrap()
}

db_test!(
    a_business_submits_a_need_without_an_account_and_gets_a_receipt,
    no_wait,
    |app: TestApp| async move {
        fill_in(&app).await;
        let res = app.post_form("/rekruttering", &valid("tok1")).await;
        assert_eq!(res.status().as_u16(), 303);
        assert_eq!(location(&res), "/rekruttering/tak");
        let page = app.get_html("/rekruttering/tak").await;
        let stored = needs(&app).await;
        assert_eq!(stored.len(), 1);
        let need = &stored[0];
        assert!(
            need.reference.starts_with("RB-20") && need.reference.len() == 14,
            "{}",
            need.reference
        );
        assert!(
            page.contains(&need.reference),
            "the receipt page shows the reference"
        );
        assert_eq!(need.job_title, "Tømrer");
        assert!(!need.permanent && need.temporary_until.is_some());
        assert!(need.open_flex_job && !need.open_wage_subsidy);
        // An unknown CVR creates a business "from the form" for a consultant to check.
        let b = business::Entity::find_by_id(need.business_id.unwrap())
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (b.cvr, b.source.as_str(), b.name.as_str()),
            (24256790, "form", "Åbent Værksted")
        );
        // The receipt is in the outbox, committed with the need, in Danish.
        let mails = outbox_email::Entity::find().all(&app.db).await.unwrap();
        let receipt = mails
            .iter()
            .find(|m| m.template == "need_receipt")
            .expect("receipt queued");
        assert_eq!(receipt.recipient, "soeren@aabentvaerksted.dk");
        assert_eq!(receipt.lang, "da");
        assert!(receipt.subject.contains(&need.reference));
        assert!(receipt.body_text.contains("Hvad sker der nu"));
        // The confirmation link in it confirms the address.
        let start = receipt.body_text.find("/rekruttering/bekraeft/").unwrap();
        let link: String = receipt.body_text[start..]
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect();
        // Opening it (as a mail scanner does) changes nothing; the page's
        // button confirms.
        let page = app.get_html(&link).await;
        assert!(
            page.contains(&format!("<form method=\"post\" action=\"{link}\">")),
            "{page}"
        );
        assert!(
            !needs(&app).await[0].email_confirmed,
            "a GET confirms nothing"
        );
        let res = app.post_form(&link, &[]).await;
        assert_eq!(res.status().as_u16(), 200);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("E-mailadressen er bekræftet")
        );
        assert!(needs(&app).await[0].email_confirmed);
        assert!(
            app.get_html(&link)
                .await
                .contains("E-mailadressen er bekræftet")
        );
    }
);

db_test!(
    a_known_business_is_linked_and_its_name_shown_for_confirmation,
    no_wait,
    |app: TestApp| async move {
        app.signed_in("kirsten", erhverv::domain::Role::Consultant)
            .await;
        let res = app
            .post_form(
                "/businesses",
                &[
                    ("cvr", "24256790"),
                    ("name", "Værkstedet ApS"),
                    ("company_form", "aps"),
                    ("active", "on"),
                ],
            )
            .await;
        let loc = location(&res);
        let mut f = valid("tok2");
        f.retain(|(k, _)| *k != "action" && *k != "company_name");
        f.push(("company_name", ""));
        f.push(("action", "lookup"));
        let page = app
            .post_form("/rekruttering", &f)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Vi kender virksomheden som: <strong>Værkstedet ApS</strong>"),
            "{page}"
        );
        assert!(
            page.contains("value=\"Værkstedet ApS\""),
            "the name is filled in"
        );
        assert_eq!(needs(&app).await.len(), 0, "a look-up stores nothing");
        fill_in(&app).await;
        app.post_form("/rekruttering", &valid("tok3")).await;
        assert_eq!(
            needs(&app).await[0].business_id,
            Some(loc.trim_start_matches("/businesses/").parse().unwrap())
        );
        assert_eq!(business::Entity::find().count(&app.db).await.unwrap(), 1);
    }
);

db_test!(
    every_invalid_field_is_shown_in_the_chosen_language_with_what_was_typed,
    no_wait_many,
    |app: TestApp| async move {
        fill_in(&app).await;
        let cases: &[(&str, &str, &str)] = &[
            ("cvr", "1234", "CVR-nummeret"),
            ("company_name", "", "skal udfyldes"),
            ("contact_name", "", "skal udfyldes"),
            ("contact_email", "soeren@", "e-mail"),
            ("contact_phone", "12", "telefon"),
            ("job_title", "", "skal udfyldes"),
            ("positions", "0", "mellem 1 og 500"),
            ("hours_per_week", "99", "mellem 1 og 60"),
            ("start_date", "32-01-2027", "dd-mm-åååå"),
            ("temporary_until", "", "slutter"),
        ];
        for (field, value, message) in cases {
            let mut f = valid("tok4");
            f.retain(|(k, _)| k != field);
            f.push((field, value));
            let res = app.post_form("/rekruttering", &f).await;
            assert_eq!(res.status().as_u16(), 422, "{field}");
            let body = res.text().await.unwrap();
            assert!(body.contains(&format!("id=\"f-{field}-error\"")), "{field}");
            let error: String = body[body.find(&format!("id=\"f-{field}-error\"")).unwrap()..]
                .chars()
                .take(200)
                .collect();
            assert!(
                error.to_lowercase().contains(&message.to_lowercase()),
                "{field}: {error}"
            );
            assert!(body.contains("Gerne hurtigt"), "{field}: typed text kept");
        }
        assert!(needs(&app).await.is_empty());
        // In English.
        app.get("/lang/en?next=/rekruttering").await;
        let mut f = valid("tok5");
        f.retain(|(k, _)| *k != "cvr");
        f.push(("cvr", "1234"));
        let body = app
            .post_form("/rekruttering", &f)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            body.contains("lang=\"en\"") && body.contains("CVR number"),
            "English messages"
        );
        let res = app.post_form("/rekruttering", &valid("tok6")).await;
        assert_eq!(res.status().as_u16(), 303);
        let receipt = outbox_email::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.template == "need_receipt")
            .unwrap();
        assert_eq!(receipt.lang, "en");
        assert!(receipt.body_text.contains("What happens next"));
    }
);

db_test!(
    a_double_submit_creates_one_need,
    no_wait,
    |app: TestApp| async move {
        fill_in(&app).await;
        for _ in 0..2 {
            let res = app.post_form("/rekruttering", &valid("sameform")).await;
            assert_eq!(res.status().as_u16(), 303);
            fill_in(&app).await;
        }
        assert_eq!(needs(&app).await.len(), 1);
        assert_eq!(
            outbox_email::Entity::find().count(&app.db).await.unwrap(),
            1,
            "one receipt"
        );
    }
);

db_test!(
    bots_get_a_normal_page_and_nothing_is_stored,
    |app: TestApp| async move {
        // A filled honeypot.
        fill_in(&app).await;
        let mut f = valid("bot1");
        f.retain(|(k, _)| *k != "website");
        f.push(("website", "http://spam.example"));
        let res = app.post_form("/rekruttering", &f).await;
        assert_eq!(res.status().as_u16(), 303);
        assert!(app.get_html("/rekruttering/tak").await.contains("Tak"));
        // Sent faster than a person can fill it in (default minimum: 3 s).
        fill_in(&app).await;
        let res = app.post_form("/rekruttering", &valid("bot2")).await;
        assert_eq!(res.status().as_u16(), 303);
        let page = app.get_html("/rekruttering/tak").await;
        assert!(
            !page.contains("id=\"reference\""),
            "no reference for a dropped submission"
        );
        assert!(needs(&app).await.is_empty());
        assert_eq!(business::Entity::find().count(&app.db).await.unwrap(), 0);
    }
);

db_test!(
    too_many_submissions_from_one_address_get_429,
    no_wait,
    |app: TestApp| async move {
        for i in 0..4 {
            fill_in(&app).await;
            let idem = format!("rate{i}");
            let res = app.post_form("/rekruttering", &valid(&idem)).await;
            assert_eq!(res.status().as_u16(), 303);
        }
        fill_in(&app).await;
        let res = app.post_form("/rekruttering", &valid("rate-x")).await;
        assert_eq!(res.status().as_u16(), 429);
        assert!(res.headers().contains_key("retry-after"));
        assert_eq!(needs(&app).await.len(), 4);
    }
);

async fn submitted(app: &TestApp, idem: &str) -> recruitment_need::Model {
    fill_in(app).await;
    assert_eq!(
        app.post_form("/rekruttering", &valid(idem))
            .await
            .status()
            .as_u16(),
        303
    );
    recruitment_need::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|n| n.idempotency_key == idem)
        .unwrap()
}

db_test!(
    consultants_move_needs_through_the_pipeline_with_a_history,
    no_wait,
    |app: TestApp| async move {
        let need = submitted(&app, "p1").await;
        let kirsten = app
            .signed_in("kirsten", erhverv::domain::Role::Consultant)
            .await;
        let list = app.get_html("/needs").await;
        assert!(list.contains(&need.reference));
        assert!(
            list.contains("<span class=\"big\">1</span> Ny"),
            "count of new needs"
        );
        let kid = kirsten.to_string();
        for (status, note) in [
            ("in_progress", "Ringet op"),
            ("candidates_proposed", "To kandidater sendt"),
            ("filled", ""),
        ] {
            let res = app
                .post_form(
                    &format!("/needs/{}", need.id),
                    &[
                        ("status", status),
                        ("assigned_to", kid.as_str()),
                        ("note", note),
                    ],
                )
                .await;
            assert_eq!(res.status().as_u16(), 303, "{status}");
        }
        let page = app.get_html(&format!("/needs/{}", need.id)).await;
        assert!(page.contains("id=\"status\">Besat"));
        assert!(
            page.contains("Ringet op") && page.contains("To kandidater sendt"),
            "notes kept as history"
        );
        assert!(page.contains("Test kirsten"));
        // The need shows on the business page.
        let b = need.business_id.unwrap();
        assert!(
            app.get_html(&format!("/businesses/{b}"))
                .await
                .contains(&need.reference)
        );
        // An unknown status is refused.
        let res = app
            .post_form(&format!("/needs/{}", need.id), &[("status", "hacked")])
            .await;
        assert_eq!(res.status().as_u16(), 400);
    }
);

db_test!(
    overdue_needs_are_highlighted_counting_working_days_only,
    no_wait,
    |app: TestApp| async move {
        let need = submitted(&app, "p2").await;
        app.signed_in("kirsten", erhverv::domain::Role::Consultant)
            .await;
        assert!(
            !app.get_html("/needs").await.contains("class=\"overdue\""),
            "a fresh need is not overdue"
        );
        // Received ten days ago: the first-contact promise (1 working day) is broken.
        recruitment_need::Entity::update_many()
            .col_expr(
                recruitment_need::Column::CreatedAt,
                (chrono::Utc::now() - chrono::Duration::days(10)).into(),
            )
            .exec(&app.db)
            .await
            .unwrap();
        let list = app.get_html("/needs").await;
        assert!(list.contains("class=\"overdue\""));
        assert!(list.contains("første kontakt"));
        // Closed needs are never overdue.
        app.post_form(&format!("/needs/{}", need.id), &[("status", "withdrawn")])
            .await;
        assert!(!app.get_html("/needs").await.contains("class=\"overdue\""));
    }
);

db_test!(
    the_pipeline_exports_as_csv_for_danish_excel,
    no_wait,
    |app: TestApp| async move {
        fill_in(&app).await;
        let mut f = valid("p3");
        f.retain(|(k, _)| *k != "job_title");
        f.push(("job_title", "=HYPERLINK(\"http://evil\")"));
        app.post_form("/rekruttering", &f).await;
        submitted(&app, "p4").await;
        app.signed_in("kirsten", erhverv::domain::Role::Consultant)
            .await;
        let res = app.get("/needs/export.csv?status=new").await;
        assert_eq!(res.status().as_u16(), 200);
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let bytes = res.bytes().await.unwrap();
        assert!(bytes.starts_with(b"\xef\xbb\xbf"), "UTF-8 with BOM");
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let mut lines = text.lines();
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("Reference;Virksomhed;Stilling")
        );
        assert!(text.contains("'=HYPERLINK"), "formula neutralised: {text}");
        assert!(text.contains("Åbent Værksted") && text.contains("Tømrer"));
        assert_eq!(text.lines().count(), 3, "header and two needs");
        let none = app
            .get("/needs/export.csv?status=filled")
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(
            none.trim_start_matches('\u{feff}').lines().count(),
            1,
            "filtered as on screen"
        );
    }
);

db_test!(
    the_team_hears_of_new_needs_and_the_consultant_of_overdue_ones,
    |s: &mut erhverv::config::Settings| {
        no_wait(s);
        s.team_email = Some("virksomhedsservice@kk.dk".into());
    },
    |app: TestApp| async move {
        let need = submitted(&app, "t1").await;
        let mails = outbox_email::Entity::find().all(&app.db).await.unwrap();
        let team = mails
            .iter()
            .find(|m| m.template == "need_team")
            .expect("team notified");
        assert_eq!(team.recipient, "virksomhedsservice@kk.dk");
        assert!(team.subject.contains(&need.reference));
        assert!(
            team.body_text.contains(&format!("/needs/{}", need.id))
                && team.body_html.contains(&format!("/needs/{}", need.id)),
            "the team mail links to the need: {}",
            team.body_text
        );
        for m in &mails {
            assert!(
                !m.body_html.contains("SLOT") && !m.body_text.contains("SLOT"),
                "every stand-in filled in"
            );
        }
        // Assigned to Kirsten, received ten days ago: overdue, in her digest.
        let kirsten = app
            .signed_in("kirsten", erhverv::domain::Role::Consultant)
            .await;
        entity::app_user::Entity::update_many()
            .col_expr(
                entity::app_user::Column::Email,
                Some("kirsten@kk.dk".to_string()).into(),
            )
            .exec(&app.db)
            .await
            .unwrap();
        let kid = kirsten.to_string();
        app.post_form(
            &format!("/needs/{}", need.id),
            &[("status", "new"), ("assigned_to", kid.as_str())],
        )
        .await;
        recruitment_need::Entity::update_many()
            .col_expr(
                recruitment_need::Column::CreatedAt,
                (chrono::Utc::now() - chrono::Duration::days(10)).into(),
            )
            .exec(&app.db)
            .await
            .unwrap();
        let mailer =
            erhverv::email::Mailer::from_settings(&app.settings, app.address.clone()).unwrap();
        let n =
            erhverv::email::digest::enqueue_digests(&app.db, &mailer, erhverv::contacts::today())
                .await
                .unwrap();
        assert_eq!(n, 1);
        let digest = outbox_email::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.template == "digest")
            .unwrap();
        assert!(
            digest.body_text.contains(&need.reference),
            "{}",
            digest.body_text
        );
        assert!(
            digest.subject.contains("1 behov over fristen"),
            "{}",
            digest.subject
        );
    }
);

db_test!(
    simultaneous_submissions_of_one_form_store_one_need,
    no_wait_many,
    |app: TestApp| async move {
        fill_in(&app).await;
        let token = app.csrf().await;
        let mut f = valid("doubleclick");
        f.push(("csrf_token", token.as_str()));
        let sends = (0..6).map(|_| app.client.post(app.url("/rekruttering")).form(&f).send());
        for res in futures_util::future::join_all(sends).await {
            assert_eq!(
                res.unwrap().status().as_u16(),
                303,
                "every click gets the receipt"
            );
        }
        assert_eq!(needs(&app).await.len(), 1);
    }
);

db_test!(
    simultaneous_needs_for_one_new_business_create_it_once,
    no_wait,
    |app: TestApp| async move {
        // Four people of one new business, each with the form open.
        let mut visitors = Vec::new();
        for _ in 0..4 {
            visitors.push(crate::abuse::visitor(&app).await);
        }
        let sends = visitors
            .iter()
            .zip(["samecvra", "samecvrb", "samecvrc", "samecvrd"])
            .map(|((client, token), idem)| {
                let app = &app;
                async move { crate::abuse::post(app, client, token, &valid(idem)).await.0 }
            });
        for status in futures_util::future::join_all(sends).await {
            assert_eq!(status, 303);
        }
        assert_eq!(needs(&app).await.len(), 4);
        assert_eq!(business::Entity::find().count(&app.db).await.unwrap(), 1);
    }
);

db_test!(
    a_consultant_enters_a_need_taken_on_the_phone,
    |s: &mut erhverv::config::Settings| {
        s.team_email = Some("virksomhedsservice@kk.dk".into());
    },
    |app: TestApp| async move {
        let kirsten = app
            .signed_in("kirsten", erhverv::domain::Role::Consultant)
            .await;
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
        let bid: i32 = loc.trim_start_matches("/businesses/").parse().unwrap();
        let form = app.get_html(&format!("/needs/new?business_id={bid}")).await;
        let snippet: String = form
            .chars()
            .skip(form.find("<main").unwrap_or(0))
            .take(1500)
            .collect();
        assert!(
            form.contains("value=\"24256790\"") && form.contains("value=\"Åbent Værksted\""),
            "prefilled from the business: {snippet}"
        );
        let mut f = valid("phone1");
        f.push(("source", "phone"));
        let res = app.post_form("/needs/new", &f).await;
        assert_eq!(res.status().as_u16(), 303);
        let need = needs(&app).await.pop().unwrap();
        assert_eq!(
            (need.source.as_str(), need.assigned_to, need.business_id),
            ("phone", Some(kirsten), Some(bid))
        );
        assert!(app.get_html(&location(&res)).await.contains("telefon"));
        let mails = outbox_email::Entity::find().all(&app.db).await.unwrap();
        assert!(
            mails.iter().any(|m| m.template == "need_receipt"),
            "the business still gets its receipt"
        );
        assert!(
            !mails.iter().any(|m| m.template == "need_team"),
            "an assigned need needs no team notice"
        );
        let mut bad = valid("phone2");
        bad.push(("source", "brevdue"));
        assert_eq!(
            app.post_form("/needs/new", &bad).await.status().as_u16(),
            422
        );
    }
);

db_test!(
    needs_are_searchable_by_job_title_and_reference_and_follow_the_pipeline,
    no_wait,
    |app: TestApp| async move {
        let need = submitted(&app, "search1").await;
        let kirsten = app
            .signed_in("kirsten", erhverv::domain::Role::Consultant)
            .await;
        app.search_caught_up().await;
        let link = format!("href=\"/needs/{}\"", need.id);
        for q in ["tomrer", "Tømrer", need.reference.as_str(), "svendebrev"] {
            let page = app
                .get_html(&format!(
                    "/search?q={}",
                    serde_urlencoded::to_string([("", q)])
                        .unwrap()
                        .trim_start_matches('=')
                ))
                .await;
            assert!(page.contains(&link), "{q}");
        }
        let page = app.get_html("/search?q=tomrer").await;
        assert!(
            page.contains("Åbent Værksted") && page.contains(&need.reference),
            "the hit names the business and the reference"
        );
        // The kind filter keeps the need apart from its business.
        let json: serde_json::Value = app
            .get("/api/v1/search?q=aabent&kind=need")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(json["total"], 1, "{json}");
        assert_eq!(json["hits"][0]["title"], "Tømrer");
        let json: serde_json::Value = app
            .get("/api/v1/search?q=aabent&kind=business")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(json["total"], 1, "{json}");
        // A status change and an assignment reach the index.
        let kid = kirsten.to_string();
        let res = app
            .post_form(
                &format!("/needs/{}", need.id),
                &[
                    ("status", "in_progress"),
                    ("assigned_to", kid.as_str()),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
        app.search_caught_up().await;
        assert!(
            app.get_html("/search?q=tomrer")
                .await
                .contains("Under behandling")
        );
        let json: serde_json::Value = app
            .get(&format!("/api/v1/search?q=tomrer&consultant_id={kirsten}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(json["total"], 1, "the assigned consultant filters: {json}");
        // A full rebuild from the database includes the needs.
        let dir = tempfile::tempdir().unwrap();
        let fresh = erhverv::search::tantivy_index::TantivyIndex::open(dir.path()).unwrap();
        let done = erhverv::search::sync::reindex(&app.db, &fresh, |_, _| {})
            .await
            .unwrap();
        assert_eq!(done, 2, "one business and one need");
        use erhverv::search::SearchIndex;
        let results = fresh
            .search(&erhverv::search::SearchQuery {
                q: "tomrer".into(),
                filters: Default::default(),
                offset: 0,
                limit: 10,
            })
            .await
            .unwrap();
        assert_eq!(results.total, 1);
        assert_eq!(results.hits[0].doc.id, format!("need:{}", need.id));
    }
);

db_test!(
    the_pipeline_pages_through_many_needs_and_the_export_has_them_all,
    |app: TestApp| async move {
        use sea_orm::{ActiveValue::Set, EntityTrait};
        let now = chrono::Utc::now();
        let rows = (1..=230).map(|i| recruitment_need::ActiveModel {
            reference: Set(format!("RB-2026-{i:06}")),
            business_id: Set(None),
            cvr: Set(24256790),
            company_name: Set("Åbent Værksted".into()),
            contact_name: Set("Søren Ærø".into()),
            contact_email: Set("soeren@aabentvaerksted.dk".into()),
            job_title: Set(format!("Stilling {i}")),
            positions: Set(1),
            permanent: Set(true),
            open_flex_job: Set(false),
            open_wage_subsidy: Set(false),
            open_work_trial: Set(false),
            lang: Set("da".into()),
            status: Set(if i % 2 == 0 { "new" } else { "in_progress" }.into()),
            source: Set("phone".into()),
            idempotency_key: Set(format!("many{i}")),
            confirm_token: Set(format!("token{i}")),
            email_confirmed: Set(false),
            created_at: Set(now - chrono::Duration::minutes(i)),
            ..Default::default()
        });
        recruitment_need::Entity::insert_many(rows)
            .exec_without_returning(&app.db)
            .await
            .unwrap();
        app.signed_in("kirsten", erhverv::domain::Role::Consultant)
            .await;
        let count = |html: &str| html.matches("<td><a href=\"/needs/").count();
        let first = app.get_html("/needs").await;
        assert_eq!(count(&first), 100);
        assert!(first.contains("RB-2026-000001"), "newest first");
        assert!(first.contains("<a href=\"/needs?page=2\" rel=\"next\">"));
        let last = app.get_html("/needs?page=3").await;
        assert_eq!(count(&last), 30);
        assert!(last.contains("RB-2026-000230") && !last.contains("rel=\"next\""));
        // A filter pages on its own: 115 new needs, two pages.
        let new = app.get_html("/needs?status=new&page=2").await;
        assert_eq!(count(&new), 15);
        assert!(
            new.contains("<a href=\"/needs?status=new\" rel=\"prev\">"),
            "back to page 1 of the filter"
        );
        // A page past the end shows the last one.
        assert_eq!(count(&app.get_html("/needs?page=99").await), 30);
        // The export has every need of the filter, not one page.
        let csv = app.get("/needs/export.csv").await.text().await.unwrap();
        assert_eq!(csv.lines().count(), 231, "a header and 230 needs");
        let csv = app
            .get("/needs/export.csv?status=new")
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(csv.lines().count(), 116);
    }
);

/// Friday 27 November 2026, 15:00 in Copenhagen (14:00 UTC).
fn friday_afternoon() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-11-27T14:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc)
}

db_test!(
    a_need_taken_on_a_friday_is_due_on_monday_and_overdue_on_tuesday_by_the_clock,
    |s: &mut erhverv::config::Settings| {
        s.need_min_fill_seconds = 0;
        s.clock = erhverv::app::Clock::fixed(friday_afternoon());
        // Signed in across the days the clock is moved.
        s.session_hours = 200;
        s.session_idle_minutes = 60 * 24 * 400;
    },
    |app: TestApp| async move {
        app.signed_in("kirsten", erhverv::domain::Role::Consultant)
            .await;
        let mut f = valid("clock1");
        f.push(("source", "phone"));
        let res = app.post_form("/needs/new", &f).await;
        assert_eq!(res.status().as_u16(), 303);
        let need = needs(&app).await.pop().unwrap();
        assert_eq!(
            need.created_at,
            friday_afternoon(),
            "written at the clock's now"
        );
        let clock = &app.settings.clock;
        // Monday morning: due today (the next working day), not overdue.
        clock.set(friday_afternoon() + chrono::Duration::hours(67));
        let list = app.get_html("/needs").await;
        assert!(list.contains("30-11-2026"), "due Monday");
        assert!(!list.contains("class=\"overdue\""));
        // Tuesday: the first-contact promise is broken.
        clock.set(friday_afternoon() + chrono::Duration::hours(91));
        let list = app.get_html("/needs").await;
        assert!(list.contains("class=\"overdue\""));
    }
);

db_test!(
    invalid_posts_and_name_lookups_count_against_the_budget,
    no_wait,
    |app: TestApp| async move {
        // The budget is 4: a lookup, two invalid posts, one valid one…
        fill_in(&app).await;
        let mut lookup = valid("look");
        lookup.retain(|(k, _)| *k != "action");
        lookup.push(("action", "lookup"));
        assert_eq!(
            app.post_form("/rekruttering", &lookup)
                .await
                .status()
                .as_u16(),
            200
        );
        for _ in 0..2 {
            let mut bad = valid("bad");
            bad.retain(|(k, _)| *k != "positions");
            bad.push(("positions", "nul"));
            assert_eq!(
                app.post_form("/rekruttering", &bad).await.status().as_u16(),
                422
            );
        }
        assert_eq!(
            app.post_form("/rekruttering", &valid("ok"))
                .await
                .status()
                .as_u16(),
            303
        );
        // …and then even a lookup is refused.
        fill_in(&app).await;
        let res = app.post_form("/rekruttering", &lookup).await;
        assert_eq!(res.status().as_u16(), 429);
        assert_eq!(needs(&app).await.len(), 1);
    }
);
