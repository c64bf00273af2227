//! Placements: the citizen only as a case reference, CPR-like input
//! refused everywhere, the rules checked with their numbers, and every
//! read in the audit log.
use entity::{audit_event, placement};
use erhverv::domain::Role;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::db_test;
use crate::helpers::*;

/// A business with `employees` ordinary employees; its id.
async fn business(app: &TestApp, cvr: &str, employees: &str) -> i32 {
    app.create_business(cvr, "Praktik ApS", employees).await
}

fn form<'a>(
    business: &'a str,
    consultant: &'a str,
    kind: &'a str,
    group: &'a str,
    start: &'a str,
    end: &'a str,
    case_ref: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("business_id", business),
        ("kind", kind),
        ("case_ref", case_ref),
        ("target_group", group),
        ("start_date", start),
        ("planned_end", end),
        ("hours", "37,5"),
        ("status", "planned"),
        ("consultant_id", consultant),
    ]
}

db_test!(
    a_placement_is_saved_with_its_case_reference_and_every_read_is_audited,
    |app: TestApp| async move {
        let me = app.signed_in("kirsten", Role::Consultant).await.to_string();
        let b = business(&app, "24256790", "12").await.to_string();
        let f = form(
            &b,
            &me,
            "fleksjob",
            "oevrige",
            "2026-12-01",
            "",
            "KBH-2024-00123",
        );
        let res = app.post_form("/placements", &f).await;
        assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap());
        let stored = placement::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(stored.len(), 1);
        let p = &stored[0];
        assert_eq!(p.case_ref.as_deref(), Some("KBH-2024-00123"));
        assert_eq!(p.hours_centi, Some(3750), "Danish comma");
        let page = app.get_html(&format!("/placements/{}", p.id)).await;
        assert!(page.contains("KBH-2024-00123"));
        assert!(page.contains("37,5"));
        let list = app.get_html("/placements").await;
        assert!(list.contains("KBH-2024-00123"));
        let reads: Vec<audit_event::Model> = audit_events(&app)
            .await
            .into_iter()
            .filter(|e| e.entity == "placement" && e.action == "read")
            .collect();
        assert_eq!(reads.len(), 2, "the page and the list: {reads:?}");
        assert_eq!(reads[0].entity_id, Some(p.id));
        assert!(
            reads[1]
                .detail
                .as_deref()
                .unwrap()
                .contains(&format!("[{}]", p.id))
        );
        for e in audit_events(&app).await {
            let d = e.detail.unwrap_or_default();
            assert!(!d.contains("KBH-2024"), "no case reference in the log: {d}");
        }
        // The business page shows its capacity.
        let page = app.get_html(&format!("/businesses/{b}")).await;
        assert!(page.contains("id=\"capacity\""));
    }
);

db_test!(
    anything_that_looks_like_a_cpr_number_is_refused_in_every_field_and_nothing_is_stored,
    |app: TestApp| async move {
        let me = app.signed_in("kirsten", Role::Consultant).await.to_string();
        let b = business(&app, "24256790", "12").await.to_string();
        for (field, value) in [
            ("case_ref", "010190-1234"),
            ("case_ref", "0101901234"),
            ("notes", "Borgeren (010190 1234) har ryggen"),
        ] {
            let mut f = form(
                &b,
                &me,
                "fleksjob",
                "oevrige",
                "2026-12-01",
                "",
                "KBH-2024-00123",
            );
            f.retain(|(k, _)| *k != field);
            f.push((field, value));
            let res = app.post_form("/placements", &f).await;
            assert_eq!(res.status().as_u16(), 422, "{field}={value}");
            let body = res.text().await.unwrap();
            assert!(body.contains("ligner et CPR-nummer"), "{field}: {body}");
            assert!(
                body.contains(&format!("id=\"f-{field}-error\"")),
                "next to the field"
            );
        }
        assert_eq!(placement::Entity::find().count(&app.db).await.unwrap(), 0);
        // The explanation in English, too.
        app.client
            .get(app.url("/lang/en?next=/"))
            .send()
            .await
            .unwrap();
        let mut f = form(
            &b,
            &me,
            "fleksjob",
            "oevrige",
            "2026-12-01",
            "",
            "KBH-2024-00123",
        );
        f.push(("notes", "cpr 311299-4321"));
        let body = app.post_form("/placements", &f).await.text().await.unwrap();
        assert!(body.contains("looks like a CPR number"), "{body}");
        assert!(body.contains("cpr 311299-4321"), "what was typed is kept");
    }
);

db_test!(
    a_placement_over_the_proportionality_rule_needs_an_override_reason_and_the_override_is_audited,
    |app: TestApp| async move {
        let me = app.signed_in("kirsten", Role::Consultant).await.to_string();
        // 5 ordinary employees: room for one in løntilskud or praktik.
        let b = business(&app, "24256790", "5").await.to_string();
        let first = form(
            &b,
            &me,
            "loentilskud_privat",
            "jobparat",
            "2026-12-01",
            "2027-05-31",
            "KBH-2024-00001",
        );
        assert_eq!(
            app.post_form("/placements", &first).await.status().as_u16(),
            303
        );
        let second = form(
            &b,
            &me,
            "virksomhedspraktik",
            "aktivitetsparat",
            "2027-01-04",
            "2027-02-26",
            "KBH-2024-00002",
        );
        let res = app.post_form("/placements", &second).await;
        assert_eq!(res.status().as_u16(), 422);
        let body = res.text().await.unwrap();
        assert!(
            body.contains("med 5 ordinært ansatte må arbejdsstedet have 1 i løntilskud og virksomhedspraktik; med denne bliver det 2"),
            "{body}"
        );
        assert!(
            body.contains("Lov om en aktiv beskæftigelsesindsats"),
            "the rule's source"
        );
        assert!(
            body.contains("id=\"f-override_reason\""),
            "the override field is offered"
        );
        // A flex job does not count.
        let flex = form(
            &b,
            &me,
            "fleksjob",
            "oevrige",
            "2027-01-04",
            "",
            "KBH-2024-00003",
        );
        assert_eq!(
            app.post_form("/placements", &flex).await.status().as_u16(),
            303
        );
        let mut overridden = second.clone();
        overridden.push((
            "override_reason",
            "Aftalt med teamleder: den første slutter før tid",
        ));
        assert_eq!(
            app.post_form("/placements", &overridden)
                .await
                .status()
                .as_u16(),
            303
        );
        let events = audit_events(&app).await;
        let over: Vec<_> = events.iter().filter(|e| e.action == "override").collect();
        assert_eq!(over.len(), 1);
        assert_eq!(
            over[0].detail.as_deref(),
            Some(r#"{"rules":["proportionality"]}"#)
        );
        assert_eq!(placement::Entity::find().count(&app.db).await.unwrap(), 3);
    }
);

db_test!(
    durations_follow_the_rule_version_in_force_on_the_start_date,
    |app: TestApp| async move {
        let me = app.signed_in("kirsten", Role::Consultant).await.to_string();
        let b = business(&app, "24256790", "100").await.to_string();
        // A work trial for a jobparat citizen: four weeks at most.
        let long = form(
            &b,
            &me,
            "virksomhedspraktik",
            "jobparat",
            "2026-12-07",
            "2027-01-04",
            "KBH-2024-00010",
        );
        let res = app.post_form("/placements", &long).await;
        assert_eq!(res.status().as_u16(), 422);
        let body = res.text().await.unwrap();
        assert!(
            body.contains("Virksomhedspraktik må højst vare 4 uger"),
            "{body}"
        );
        let ok = form(
            &b,
            &me,
            "virksomhedspraktik",
            "jobparat",
            "2026-12-07",
            "2027-01-03",
            "KBH-2024-00010",
        );
        assert_eq!(
            app.post_form("/placements", &ok).await.status().as_u16(),
            303
        );
        // A new version from 2027 allows private wage subsidy for 3 months only.
        use sea_orm::{ActiveModelTrait, ActiveValue::Set};
        entity::placement_rule::ActiveModel {
            valid_from: Set(chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()),
            source: Set("Ny regel 2027".into()),
            wage_subsidy_private_months: Set(3),
            wage_subsidy_public_months: Set(4),
            trial_weeks_short: Set(4),
            trial_weeks_long: Set(13),
            per_ordinary_up_to: Set(5),
            threshold: Set(50),
            per_ordinary_beyond: Set(10),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        let before = form(
            &b,
            &me,
            "loentilskud_privat",
            "jobparat",
            "2026-12-15",
            "2027-04-14",
            "KBH-2024-00011",
        );
        assert_eq!(
            app.post_form("/placements", &before)
                .await
                .status()
                .as_u16(),
            303,
            "old rules: 6 months"
        );
        let after = form(
            &b,
            &me,
            "loentilskud_privat",
            "jobparat",
            "2027-01-15",
            "2027-05-14",
            "KBH-2024-00012",
        );
        let res = app.post_form("/placements", &after).await;
        assert_eq!(res.status().as_u16(), 422);
        assert!(res.text().await.unwrap().contains("Ny regel 2027"));
    }
);

db_test!(the_council_sees_counts_only, |app: TestApp| async move {
    let me = app.signed_in("kirsten", Role::Consultant).await.to_string();
    let b = business(&app, "24256790", "12").await.to_string();
    let f = form(
        &b,
        &me,
        "fleksjob",
        "oevrige",
        "2026-12-01",
        "",
        "KBH-2024-00123",
    );
    app.post_form("/placements", &f).await;
    let id = placement::Entity::find()
        .filter(placement::Column::BusinessId.eq(b.parse::<i32>().unwrap()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    app.add_user("raadet", Role::Council).await;
    let (council, _) = second_browser(&app, "raadet", PASSWORD).await;
    let page = council
        .get(app.url("/placements"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"placement-counts\""));
    assert!(!page.contains("KBH-2024-00123"));
    let res = council
        .get(app.url(&format!("/placements/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403, "a guessed id");
});

db_test!(
    a_new_placement_queues_a_check_in_email_weeks_later_without_the_case_reference,
    |app: TestApp| async move {
        let me = app.signed_in("kirsten", Role::Consultant).await.to_string();
        let b = business(&app, "24256790", "12").await.to_string();
        let res = app
            .post_form(
                &format!("/businesses/{b}/persons"),
                &[
                    ("name", "Mette Holm"),
                    ("email", "mette@praktik.dk"),
                    ("primary", "on"),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
        // Thursday 3 December 2026: four weeks later is Thursday 31 December.
        let f = form(
            &b,
            &me,
            "fleksjob",
            "oevrige",
            "03-12-2026",
            "",
            "KBH-2024-00777",
        );
        assert_eq!(
            app.post_form("/placements", &f).await.status().as_u16(),
            303
        );
        let mails = entity::outbox_email::Entity::find()
            .filter(entity::outbox_email::Column::Template.eq("placement_checkin"))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(mails.len(), 1);
        let m = &mails[0];
        assert_eq!(m.recipient, "mette@praktik.dk");
        assert_eq!(
            m.next_attempt_at.to_rfc3339(),
            "2026-12-31T08:00:00+00:00",
            "09:00 Copenhagen time"
        );
        for text in [&m.subject, &m.body_text, &m.body_html] {
            assert!(
                !text.contains("KBH-2024-00777"),
                "no case reference: {text}"
            );
        }
        assert!(m.body_text.contains("Mette Holm") && m.body_text.contains("fleksjob"));
        let p = placement::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert!(p.check_in_queued);
        // Saving it again queues nothing more.
        let res = app.post_form(&format!("/placements/{}", p.id), &f).await;
        assert_eq!(res.status().as_u16(), 303);
        assert_eq!(
            entity::outbox_email::Entity::find()
                .filter(entity::outbox_email::Column::Template.eq("placement_checkin"))
                .count(&app.db)
                .await
                .unwrap(),
            1
        );
        // The export for Danish Excel is a read like any other.
        let res = app.get("/placements/export.csv").await;
        assert_eq!(res.status().as_u16(), 200);
        let csv = res.text().await.unwrap();
        assert!(
            csv.starts_with('\u{feff}') && csv.contains("KBH-2024-00777;Fleksjob"),
            "{csv}"
        );
        let exports = audit_events(&app)
            .await
            .into_iter()
            .filter(|e| {
                e.detail
                    .as_deref()
                    .is_some_and(|d| d.contains("\"view\":\"export\""))
            })
            .count();
        assert_eq!(exports, 1);
    }
);

db_test!(
    the_digest_lists_placements_ending_within_14_days_and_those_past_their_end,
    |app: TestApp| async move {
        let me_id = app.signed_in("kirsten", Role::Consultant).await;
        let me = me_id.to_string();
        entity::app_user::Entity::update_many()
            .col_expr(
                entity::app_user::Column::Email,
                Some("kirsten@kk.dk".to_string()).into(),
            )
            .filter(entity::app_user::Column::Id.eq(me_id))
            .exec(&app.db)
            .await
            .unwrap();
        let b = business(&app, "24256790", "100").await.to_string();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        // Ends in ten days; ended a week ago but still open; ends in months.
        for (start, end, case) in [
            ("2026-11-23", "2026-12-17", "KBH-2024-00901"),
            ("2026-11-02", "2026-11-30", "KBH-2024-00902"),
            ("2026-12-01", "2027-04-30", "KBH-2024-00903"),
        ] {
            let mut f = form(&b, &me, "loentilskud_privat", "jobparat", start, end, case);
            f.retain(|(k, _)| *k != "status");
            f.push(("status", "active"));
            let res = app.post_form("/placements", &f).await;
            assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap());
        }
        let mailer =
            erhverv::email::Mailer::from_settings(&app.settings, app.address.clone()).unwrap();
        let queued = erhverv::email::digest::enqueue_digests(&app.db, &mailer, today)
            .await
            .unwrap();
        assert_eq!(queued, 1);
        let digest = entity::outbox_email::Entity::find()
            .filter(entity::outbox_email::Column::Template.eq("digest"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let text = &digest.body_text;
        assert!(text.contains("17-12-2026"), "{text}");
        assert!(
            text.contains("30-11-2026 (over slutdatoen, ikke afsluttet)"),
            "{text}"
        );
        assert!(!text.contains("30-04-2027"), "not yet: {text}");
        assert!(
            !text.contains("KBH-2024"),
            "never the case reference: {text}"
        );
    }
);

/// A placement row as the database holds it (for retention tests).
async fn stored(
    app: &TestApp,
    business: i32,
    consultant: i32,
    status: &str,
    start: &str,
    end: &str,
    case: &str,
) -> i32 {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let now = chrono::Utc::now();
    entity::placement::ActiveModel {
        business_id: Set(business),
        kind: Set("loentilskud_privat".into()),
        case_ref: Set(Some(case.into())),
        target_group: Set("jobparat".into()),
        start_date: Set(d(start)),
        planned_end: Set(Some(d(end))),
        ended_on: Set((status != "active").then(|| d(end))),
        status: Set(status.into()),
        consultant_id: Set(consultant),
        notes: Set(Some("Aftalt med lederen".into())),
        check_in_queued: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap()
    .id
}

db_test!(
    retention_anonymises_placements_ended_long_ago_and_the_dry_run_changes_nothing,
    |app: TestApp| async move {
        let admin = app.signed_in("admin", Role::Admin).await;
        let b: i32 = business(&app, "24256790", "100").await;
        let old = stored(
            &app,
            b,
            admin,
            "completed",
            "2019-02-01",
            "2019-07-31",
            "KBH-2019-00001",
        )
        .await;
        let recent = stored(
            &app,
            b,
            admin,
            "completed",
            "2024-02-01",
            "2024-07-31",
            "KBH-2024-00002",
        )
        .await;
        let open = stored(
            &app,
            b,
            admin,
            "active",
            "2019-02-01",
            "2030-01-31",
            "KBH-2019-00003",
        )
        .await;
        let page = app.get_html("/admin/gdpr").await;
        assert!(page.contains("<td id=\"due\">1</td>"), "{page}");
        let mut cmd = cli(&app);
        let out = cmd.args(["gdpr", "purge", "--dry-run"]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let said = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            said.contains("1 placements ended before") && said.contains(&format!("[{old}]")),
            "{said}"
        );
        let case_of = |id| {
            let db = app.db.clone();
            async move {
                placement::Entity::find_by_id(id)
                    .one(&db)
                    .await
                    .unwrap()
                    .unwrap()
            }
        };
        assert_eq!(
            case_of(old).await.case_ref.as_deref(),
            Some("KBH-2019-00001"),
            "a dry run changes nothing"
        );
        // The real run, from the admin page.
        let res = app.post_form("/admin/gdpr/purge", &[]).await;
        assert_eq!(res.status().as_u16(), 303);
        let gone = case_of(old).await;
        assert_eq!((gone.case_ref, gone.notes), (None, None));
        assert!(gone.anonymised_at.is_some());
        assert_eq!(gone.kind, "loentilskud_privat", "the counts are kept");
        assert!(case_of(recent).await.case_ref.is_some());
        assert!(
            case_of(open).await.case_ref.is_some(),
            "an open placement is kept whatever its age"
        );
        let entries: Vec<_> = audit_events(&app)
            .await
            .into_iter()
            .filter(|e| e.action == "anonymise")
            .collect();
        assert_eq!(entries.len(), 1);
        assert!(
            entries[0]
                .detail
                .as_deref()
                .unwrap()
                .contains("\"count\":1")
        );
        assert!(
            app.get_html("/admin/gdpr")
                .await
                .contains("<td id=\"due\">0</td>")
        );
        // An anonymised placement can no longer be edited.
        let me = admin.to_string();
        let bs = b.to_string();
        let f = form(
            &bs,
            &me,
            "loentilskud_privat",
            "jobparat",
            "2019-02-01",
            "2019-07-31",
            "KBH-2019-00001",
        );
        assert_eq!(
            app.post_form(&format!("/placements/{old}"), &f)
                .await
                .status()
                .as_u16(),
            404
        );
    }
);

db_test!(
    admins_add_a_rule_version_that_applies_from_its_date,
    |app: TestApp| async move {
        let admin = app.signed_in("admin", Role::Admin).await.to_string();
        let page = app.get_html("/admin/placement-rules").await;
        assert!(
            page.contains("01-01-2019"),
            "the version in force is listed"
        );
        let mut f = vec![
            ("valid_from", "2027-01-01"),
            ("source", "Ændringslov 2027"),
            ("wage_subsidy_private_months", "3"),
            ("wage_subsidy_public_months", "4"),
            ("trial_weeks_short", "4"),
            ("trial_weeks_long", "13"),
            ("per_ordinary_up_to", "5"),
            ("threshold", "0"),
            ("per_ordinary_beyond", "10"),
        ];
        let res = app.post_form("/admin/placement-rules", &f).await;
        assert_eq!(res.status().as_u16(), 422, "a threshold of 0");
        assert!(
            res.text().await.unwrap().contains("Ændringslov 2027"),
            "input kept"
        );
        f.retain(|(k, _)| *k != "threshold");
        f.push(("threshold", "50"));
        assert_eq!(
            app.post_form("/admin/placement-rules", &f)
                .await
                .status()
                .as_u16(),
            303
        );
        assert!(
            audit_events(&app)
                .await
                .iter()
                .any(|e| e.entity == "placement_rule" && e.action == "create")
        );
        let b = business(&app, "24256790", "100").await.to_string();
        let p = form(
            &b,
            &admin,
            "loentilskud_privat",
            "jobparat",
            "2027-02-01",
            "2027-06-30",
            "KBH-2027-00001",
        );
        let res = app.post_form("/placements", &p).await;
        assert_eq!(res.status().as_u16(), 422);
        assert!(res.text().await.unwrap().contains("Ændringslov 2027"));
    }
);
