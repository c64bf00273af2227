//! Initiatives, key figures and the council's dashboard: live figures
//! computed exactly from known records, status updates in the log, stale
//! marking at a fixed time, the chart's text alternative and table, the
//! public page, and the quarterly report queued once.
use chrono::{DateTime, TimeZone, Utc};
use entity::{initiative, key_figure, outbox_email};
use erhverv::domain::Role;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use crate::db_test;
use crate::helpers::*;

/// Copenhagen local time as UTC.
fn local(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Copenhagen
        .with_ymd_and_hms(y, m, d, h, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn clocked(at: DateTime<Utc>) -> impl FnOnce(&mut erhverv::config::Settings) {
    move |s: &mut erhverv::config::Settings| {
        s.clock = erhverv::app::Clock::fixed(at);
        s.need_min_fill_seconds = 0;
        s.session_hours = 24 * 400;
        s.session_idle_minutes = 60 * 24 * 400;
        s.council_email = Some("erhvervsraadet@kk.dk".into());
    }
}

async fn figure_id(app: &TestApp, code: &str) -> i32 {
    key_figure::Entity::find()
        .filter(key_figure::Column::Code.eq(code))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("key figure {code}"))
        .id
}

/// The figure's CSV as rows of cells (the header first, the BOM dropped).
async fn figure_csv(app: &TestApp, code: &str) -> Vec<Vec<String>> {
    let id = figure_id(app, code).await;
    let res = app.get(&format!("/dashboard/figures/{id}/data.csv")).await;
    assert_eq!(res.status().as_u16(), 200);
    let body = res.text().await.unwrap();
    body.trim_start_matches('\u{feff}')
        .lines()
        .map(|l| l.split(';').map(str::to_string).collect())
        .collect()
}

/// The row of a month (`2026-10`), or None when the month is not there.
fn month<'a>(rows: &'a [Vec<String>], m: &str) -> Option<&'a [String]> {
    rows.iter().find(|r| r[0] == m).map(|r| &r[1..])
}

async fn contact(app: &TestApp, business: i32, channel: &str, at: &str) {
    let res = app
        .post_form(
            &format!("/businesses/{business}/contacts"),
            &[
                ("channel", channel),
                ("occurred_at", at),
                ("subject", "Opfølgning"),
                ("outcome", "information"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap());
}

/// A need entered by a consultant at the clock's now; its id.
async fn need(app: &TestApp, idem: &str) -> i32 {
    let mut f = valid(idem);
    f.push(("source", "phone"));
    let res = app.post_form("/needs/new", &f).await;
    assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap());
    entity::recruitment_need::Entity::find()
        .filter(entity::recruitment_need::Column::IdempotencyKey.eq(idem))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn change_need(app: &TestApp, id: i32, status: &str) {
    let res = app
        .post_form(
            &format!("/needs/{id}"),
            &[("status", status), ("assigned_to", ""), ("note", "")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap());
}

db_test!(
    every_live_figure_is_computed_exactly_from_the_records,
    clocked(local(2026, 10, 5, 9)),
    |app: TestApp| async move {
        let me = app.signed_in("kirsten", Role::Consultant).await.to_string();
        let clock = app.settings.clock.clone();
        let a = app.create_business("24256790", "Alfa ApS", "40").await;
        let b = app.create_business("10150817", "Beta ApS", "").await;
        let c = app.create_business("25313763", "Gamma ApS", "").await;
        // Contacts: A twice in October 2026, B in October 2025 (13 months
        // back), C in November 2026 (the month still running).
        contact(&app, a, "phone", "2026-10-05T08:00").await;
        contact(&app, b, "email", "2025-10-10T10:00").await;
        // Needs, each received at the clock's now; first contact is due
        // the next working day.
        let n1 = need(&app, "n1").await; // Monday 5 October
        clock.set(local(2026, 10, 6, 8));
        change_need(&app, n1, "in_progress").await; // in time
        clock.set(local(2026, 10, 7, 9));
        let _n2 = need(&app, "n2").await; // never answered: late
        clock.set(local(2026, 10, 9, 9));
        let n3 = need(&app, "n3").await; // Friday; due Monday 12th
        clock.set(local(2026, 10, 14, 9));
        change_need(&app, n3, "in_progress").await; // late
        clock.set(local(2026, 10, 20, 9));
        change_need(&app, n1, "filled").await; // 2 positions
        contact(&app, a, "visit", "2026-10-20T08:00").await;
        // Placements: a flex job since September, a work trial in
        // October–November, a cancelled one that never counts.
        for (kind, group, start, end, status, case) in [
            (
                "fleksjob",
                "oevrige",
                "2026-09-01",
                "",
                "active",
                "KBH-FLEX-01",
            ),
            (
                "virksomhedspraktik",
                "aktivitetsparat",
                "2026-10-01",
                "2026-11-30",
                "active",
                "KBH-PRAK-01",
            ),
            (
                "virksomhedspraktik",
                "aktivitetsparat",
                "2026-10-01",
                "2026-11-30",
                "cancelled",
                "KBH-PRAK-02",
            ),
        ] {
            let a = a.to_string();
            let f = [
                ("business_id", a.as_str()),
                ("kind", kind),
                ("case_ref", case),
                ("target_group", group),
                ("start_date", start),
                ("planned_end", end),
                ("status", status),
                ("consultant_id", me.as_str()),
            ];
            let res = app.post_form("/placements", &f).await;
            assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap());
        }
        clock.set(local(2026, 11, 3, 10));
        contact(&app, c, "phone", "2026-11-03T09:00").await;
        clock.set(local(2026, 11, 16, 10));

        let in_contact = figure_csv(&app, "businesses_in_contact").await;
        assert_eq!(in_contact.len(), 1 + 24, "a header and 24 months");
        assert_eq!(in_contact.last().unwrap()[0], "2026-11");
        for (m, n) in [
            ("2026-11", "2"), // A (October) and C; B's contact is 13 months old
            ("2026-10", "1"),
            ("2026-09", "1"), // B's contact is within 12 months of September
            ("2025-10", "1"),
            ("2025-09", "0"),
        ] {
            assert_eq!(month(&in_contact, m), Some(&[n.to_string()][..]), "{m}");
        }

        let per_kind = figure_csv(&app, "contacts_per_month").await;
        assert_eq!(
            per_kind[0],
            [
                "Måned",
                "Telefon",
                "Møde",
                "Virksomhedsbesøg",
                "E-mail",
                "Arrangement",
                "I alt"
            ]
        );
        assert_eq!(
            per_kind.last().unwrap()[0],
            "2026-10",
            "the running month is left out"
        );
        assert_eq!(
            month(&per_kind, "2026-10").unwrap(),
            ["1", "0", "1", "0", "0", "2"]
        );
        assert_eq!(
            month(&per_kind, "2025-10").unwrap(),
            ["0", "0", "0", "1", "0", "1"]
        );
        assert_eq!(
            month(&per_kind, "2026-09").unwrap(),
            ["0", "0", "0", "0", "0", "0"]
        );

        let received = figure_csv(&app, "needs_received").await;
        assert_eq!(received[0][1..3], ["Ny", "Under behandling"]);
        // New 1, in progress 1, candidates 0, filled 1, …, total 3.
        assert_eq!(
            month(&received, "2026-10").unwrap(),
            ["1", "1", "0", "1", "0", "0", "0", "3"]
        );

        let in_time = figure_csv(&app, "needs_answered_in_time").await;
        assert_eq!(in_time.len(), 2, "only October had needs: {in_time:?}");
        assert_eq!(month(&in_time, "2026-10").unwrap(), ["33,3"], "1 of 3");

        let filled = figure_csv(&app, "positions_filled").await;
        assert_eq!(month(&filled, "2026-10").unwrap(), ["2"]);
        assert_eq!(month(&filled, "2026-09").unwrap(), ["0"]);

        let placements = figure_csv(&app, "active_placements").await;
        assert_eq!(placements[0][1], "Fleksjob");
        assert_eq!(placements[0][4], "Virksomhedspraktik");
        assert_eq!(
            month(&placements, "2026-08").unwrap(),
            ["0", "0", "0", "0", "0"]
        );
        assert_eq!(
            month(&placements, "2026-09").unwrap(),
            ["1", "0", "0", "0", "1"]
        );
        assert_eq!(
            month(&placements, "2026-10").unwrap(),
            ["1", "0", "0", "1", "2"]
        );
        assert_eq!(
            month(&placements, "2026-11").unwrap(),
            ["1", "0", "0", "1", "2"]
        );

        // A new contact shows at once: the cached figures are invalidated.
        contact(&app, b, "phone", "2026-11-10T10:00").await;
        let in_contact = figure_csv(&app, "businesses_in_contact").await;
        assert_eq!(month(&in_contact, "2026-11").unwrap(), ["3"]);
    }
);

/// Creates an initiative through the form; its id.
async fn create_initiative(app: &TestApp, title: &str, owner: i32, public: bool) -> i32 {
    let track = entity::strategy_track::Entity::find()
        .filter(entity::strategy_track::Column::Code.eq("turisme"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let owner = owner.to_string();
    let mut f = vec![
        ("title", title),
        ("track_id", track.as_str()),
        ("owner_id", owner.as_str()),
        ("description", "Bæredygtig turisme i indre by."),
        ("start_date", "2026-01-01"),
        ("end_date", "2027-12-31"),
        ("update_every", "30"),
    ];
    if public {
        f.push(("is_public", "on"));
    }
    let res = app.post_form("/initiatives", &f).await;
    assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap());
    location(&res).rsplit('/').next().unwrap().parse().unwrap()
}

db_test!(
    status_updates_go_in_the_log_and_an_initiative_without_one_is_stale,
    clocked(local(2026, 11, 2, 10)),
    |app: TestApp| async move {
        let me = app.signed_in("kirsten", Role::Consultant).await;
        let mut user: entity::app_user::ActiveModel = entity::app_user::Entity::find_by_id(me)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .into();
        user.email = Set(Some("kirsten@kk.dk".into()));
        user.update(&app.db).await.unwrap();
        let id = create_initiative(&app, "Bæredygtig turisme", me, false).await;
        let page = app.get_html(&format!("/initiatives/{id}")).await;
        assert!(
            page.contains("Ikke startet"),
            "a new initiative has not started"
        );
        assert!(!page.contains("Mangler statusopdatering"));

        // An update without text is refused, the choice kept, nothing written.
        let res = app
            .post_form(
                &format!("/initiatives/{id}/updates"),
                &[("status", "at_risk"), ("text", "  ")],
            )
            .await;
        assert_eq!(res.status().as_u16(), 422);
        let body = res.text().await.unwrap();
        assert!(body.contains("Feltet skal udfyldes."), "{body}");
        assert!(body.contains("<option value=\"at_risk\" selected>"));
        assert!(
            entity::initiative_update::Entity::find()
                .all(&app.db)
                .await
                .unwrap()
                .is_empty()
        );

        let res = app
            .post_form(
                &format!("/initiatives/{id}/updates"),
                &[
                    ("status", "at_risk"),
                    (
                        "text",
                        "Afventer tilladelse fra Teknik- og Miljøforvaltningen.",
                    ),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
        let page = app.get_html(&format!("/initiatives/{id}")).await;
        let log = &page[page.find("id=\"status-log\"").expect("the log")..];
        assert!(log.contains("I risiko"));
        assert!(log.contains("Afventer tilladelse fra Teknik- og Miljøforvaltningen."));
        assert!(log.contains("02-11-2026 10:00"), "dated in Copenhagen time");
        assert!(log.contains("Test kirsten"), "who");
        let list = app.get_html("/initiatives").await;
        assert!(list.contains("I risiko"));
        assert!(!list.contains("Mangler statusopdatering"));

        // 30 days and a minute later: stale on every view, and in the
        // owner's morning digest.
        app.settings.clock.set(
            local(2026, 11, 2, 10) + chrono::Duration::days(30) + chrono::Duration::minutes(1),
        );
        for path in [format!("/initiatives/{id}"), "/initiatives".into()] {
            let page = app.get_html(&path).await;
            assert!(page.contains("Mangler statusopdatering"), "{path}");
        }
        let dashboard = app.get_html("/dashboard").await;
        assert!(
            dashboard.contains("stale=1\"><strong>1</strong>"),
            "the track counts one stale"
        );
        let stale_list = app.get_html("/initiatives?stale=1").await;
        assert!(stale_list.contains("Bæredygtig turisme"));
        let mailer =
            erhverv::email::Mailer::from_settings(&app.settings, app.address.clone()).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let queued = erhverv::email::digest::enqueue_digests(&app.db, &mailer, today)
            .await
            .unwrap();
        assert_eq!(queued, 1);
        let digest = outbox_email::Entity::find()
            .filter(outbox_email::Column::Template.eq("digest"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert!(
            digest.body_text.contains("Bæredygtig turisme"),
            "{}",
            digest.body_text
        );
        assert!(digest.body_text.contains(&format!("/initiatives/{id}")));

        // A new update ends it.
        app.post_form(
            &format!("/initiatives/{id}/updates"),
            &[("status", "on_track"), ("text", "Tilladelsen er givet.")],
        )
        .await;
        let page = app.get_html(&format!("/initiatives/{id}")).await;
        assert!(!page.contains("Mangler statusopdatering"));
        let stored = initiative::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.status, "on_track");
    }
);

db_test!(
    milestones_businesses_and_typed_in_values,
    clocked(local(2026, 11, 16, 10)),
    |app: TestApp| async move {
        let me = app.signed_in("kirsten", Role::Consultant).await;
        app.create_business("24256790", "Alfa ApS", "").await;
        let id = create_initiative(&app, "Grøn omstilling i SMV'er", me, false).await;
        let res = app
            .post_form(
                &format!("/initiatives/{id}/milestones"),
                &[("title", "Første workshop"), ("due_on", "2026-11-01")],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
        let page = app.get_html(&format!("/initiatives/{id}")).await;
        assert!(page.contains("Første workshop"));
        assert!(page.contains("Forsinket"), "past due and not done: late");
        let dashboard = app.get_html("/dashboard").await;
        assert!(
            dashboard.contains("<strong>1</strong></td>"),
            "one late milestone on its track"
        );
        let m = entity::initiative_milestone::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        app.post_form(
            &format!("/initiatives/{id}/milestones/{}/done", m.id),
            &[("done", "1")],
        )
        .await;
        let page = app.get_html(&format!("/initiatives/{id}")).await;
        assert!(page.contains("16-11-2026"), "reached today");
        assert!(!page.contains("tag warn\">Forsinket"));

        // A business by CVR: unknown is refused with the number kept.
        let res = app
            .post_form(
                &format!("/initiatives/{id}/businesses"),
                &[("cvr", "10150817")],
            )
            .await;
        assert_eq!(res.status().as_u16(), 422);
        let body = res.text().await.unwrap();
        assert!(body.contains("Ingen virksomhed i registret har det CVR-nummer."));
        assert!(body.contains("value=\"10150817\""));
        for _ in 0..2 {
            let res = app
                .post_form(
                    &format!("/initiatives/{id}/businesses"),
                    &[("cvr", "24256790")],
                )
                .await;
            assert_eq!(res.status().as_u16(), 303);
        }
        let links = entity::initiative_business::Entity::find()
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(links.len(), 1, "linked twice is linked once");
        assert!(
            app.get_html(&format!("/initiatives/{id}"))
                .await
                .contains("Alfa ApS")
        );

        // A typed-in value in Danish notation; a computed figure takes none.
        let di = figure_id(&app, "di_erhvervsvenlighed").await;
        let res = app
            .post_form(
                &format!("/figures/{di}/values"),
                &[("on_date", "2026-09-30"), ("value", "68,5")],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
        let rows = figure_csv(&app, "di_erhvervsvenlighed").await;
        assert_eq!(
            rows[1..],
            [
                vec!["2024-12-31".to_string(), "83".into()],
                vec!["2025-12-31".into(), "74".into()],
                vec!["2026-09-30".into(), "68,5".into()],
            ]
        );
        let res = app
            .post_form(
                &format!("/figures/{di}/values"),
                &[("on_date", "2026-10-30"), ("value", "sytten")],
            )
            .await;
        assert_eq!(res.status().as_u16(), 422);
        assert!(res.text().await.unwrap().contains("value=\"sytten\""));
        let live = figure_id(&app, "businesses_in_contact").await;
        let res = app
            .post_form(
                &format!("/figures/{live}/values"),
                &[("on_date", "2026-10-30"), ("value", "17")],
            )
            .await;
        assert_eq!(res.status().as_u16(), 422);
        assert!(res.text().await.unwrap().contains("kan ikke indtastes"));
        // A target makes it judged by its trend: 83, 74, 68.5 falls about
        // 8 places a year, to about 57 by the end of 2027.
        for (target, judged) in [("50", "Ikke på rette spor"), ("60", "På rette spor")] {
            let res = app
                .post_form(
                    &format!("/figures/{di}"),
                    &[
                        ("name_da", "Placering i DI's erhvervsvenlighed"),
                        ("name_en", "DI business-friendliness rank"),
                        ("unit_da", "plads"),
                        ("unit_en", "rank"),
                        ("direction", "lower"),
                        ("target", target),
                        ("target_date", "2027-12-31"),
                        ("track_id", ""),
                        ("initiative_id", ""),
                    ],
                )
                .await;
            assert_eq!(res.status().as_u16(), 303);
            let dashboard = app.get_html("/dashboard").await;
            let card = &dashboard[dashboard.find(&format!("id=\"figure-{di}\"")).unwrap()..];
            let card = &card[..card.find("</article>").unwrap()];
            assert!(card.contains(&format!("Mål: {target}")), "{card}");
            assert!(card.contains("class=\"state state-"), "{card}");
            assert!(
                card.contains(&format!(">{judged}</span>")),
                "{target}: {card}"
            );
        }
    }
);

db_test!(
    the_dashboard_draws_each_figure_with_a_text_alternative_and_its_numbers,
    clocked(local(2026, 11, 16, 10)),
    |app: TestApp| async move {
        app.signed_in("raadet", Role::Council).await;
        let di = figure_id(&app, "di_erhvervsvenlighed").await;
        let page = app.get_html("/dashboard").await;
        let card = &page[page.find(&format!("id=\"figure-{di}\"")).unwrap()..];
        let card = &card[..card.find("</article>").unwrap()];
        assert!(card.contains(&format!(
            "role=\"img\" aria-labelledby=\"fig-{di}-title fig-{di}-desc\""
        )));
        assert!(card.contains(&format!(
            "<title id=\"fig-{di}-title\">Placering i DI&#39;s undersøgelse af erhvervsvenlighed</title>"
        )) || card.contains(&format!(
            "<title id=\"fig-{di}-title\">Placering i DI&apos;s undersøgelse af erhvervsvenlighed</title>"
        )), "{card}");
        assert!(card.contains(&format!(
            "<desc id=\"fig-{di}-desc\">Seneste værdi 74 (31-12-2025)."
        )));
        assert!(card.contains("<th scope=\"row\">31-12-2024</th><td class=\"num\">83</td>"));
        assert!(card.contains("<th scope=\"row\">31-12-2025</th><td class=\"num\">74</td>"));
        assert!(card.contains(&format!("/dashboard/figures/{di}/data.csv")));
        // The council reads: no form to change anything, no edit link.
        assert!(!page.contains("/figures/new"));
        assert!(!card.contains(&format!("href=\"/figures/{di}\"")));
        // Its start page is the dashboard.
        let res = app.get("/").await;
        assert_eq!(res.status().as_u16(), 303);
        assert_eq!(location(&res), "/dashboard");
        // In English too.
        app.get("/lang/en").await;
        let page = app.get_html("/dashboard").await;
        assert!(
            page.contains("The business council&#39;s dashboard")
                || page.contains("The business council&apos;s dashboard")
        );
        assert!(page.contains("Latest value 74"));
    }
);

db_test!(
    the_public_page_shows_only_public_initiatives_and_figures,
    clocked(local(2026, 11, 16, 10)),
    |app: TestApp| async move {
        let me = app.signed_in("kirsten", Role::Consultant).await;
        create_initiative(&app, "Offentligt initiativ", me, true).await;
        create_initiative(&app, "Internt initiativ", me, false).await;
        let anonymous = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .unwrap();
        let res = anonymous.get(app.url("/strategi")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        let page = res.text().await.unwrap();
        assert!(page.contains("Offentligt initiativ"));
        assert!(!page.contains("Internt initiativ"));
        assert!(page.contains("Placering i DI"), "the public key figure");
        assert!(
            !page.contains("Virksomheder i kontakt"),
            "a figure not marked public"
        );
        assert!(!page.contains("Test kirsten"), "no staff names");
        // The front page for a visitor without a session.
        let res = anonymous.get(app.url("/")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        let front = res.text().await.unwrap();
        for link in [
            "href=\"/rekruttering\"",
            "href=\"/strategi\"",
            "href=\"/login\"",
        ] {
            assert!(front.contains(link), "{link}");
        }
        anonymous.get(app.url("/lang/en")).send().await.unwrap();
        let page = anonymous
            .get(app.url("/strategi"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Status of the business strategy"));
        assert!(page.contains("Offentligt initiativ"));
    }
);

db_test!(
    the_quarterly_report_is_queued_once_per_quarter,
    clocked(local(2026, 11, 16, 10)),
    |app: TestApp| async move {
        let me = app.signed_in("admin", Role::Admin).await;
        create_initiative(&app, "Ny erhvervsstrategi 2028", me, false).await;
        for expected in ["lagt i udbakken", "allerede sendt"] {
            let res = app.post_form("/dashboard/report", &[]).await;
            assert_eq!(res.status().as_u16(), 303);
            let page = app.get_html("/dashboard").await;
            assert!(page.contains(expected), "{expected}");
        }
        let mails = outbox_email::Entity::find()
            .filter(outbox_email::Column::Template.eq("quarterly_report"))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(mails.len(), 1, "once however often it is pressed");
        let m = &mails[0];
        assert_eq!(m.recipient, "erhvervsraadet@kk.dk");
        assert_eq!(m.idempotency_key, "quarterly_report:2026Q3");
        assert!(m.subject.contains("3. kvartal 2026"), "{}", m.subject);
        assert!(
            m.body_text.contains("Turisme: Ikke startet 1"),
            "{}",
            m.body_text
        );
        assert!(m.body_text.contains("Placering i DI"));
        assert!(m.body_html.contains("<table"));
        // The council may not press it.
        app.add_user("raadet", Role::Council).await;
        let (council, _) = second_browser(&app, "raadet", PASSWORD).await;
        let page = council
            .get(app.url("/dashboard"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!page.contains("/dashboard/report"));
    }
);
