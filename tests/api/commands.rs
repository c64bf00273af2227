//! The application layer seen from outside: simultaneous creations of one
//! unique value, and the audit log each command leaves.
use entity::{app_user, audit_event, business, p_unit};
use erhverv::domain::Role;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use crate::db_test;
use crate::helpers::*;

/// Sends the same form from `n` requests at once; their statuses and bodies.
async fn at_once(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    n: usize,
) -> Vec<(u16, String)> {
    let token = app.csrf().await;
    let sends = (0..n).map(|_| {
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf_token", token.as_str()));
        let req = app.client.post(app.url(path)).form(&form);
        async move {
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            (status, res.text().await.unwrap())
        }
    });
    futures_util::future::join_all(sends).await
}

db_test!(
    eight_simultaneous_creations_of_one_cvr_p_number_or_username_give_one_record_and_seven_clear_answers,
    |app: TestApp| async move {
        app.signed_in("admin", Role::Admin).await;
        // One CVR number.
        let answers = at_once(
            &app,
            "/businesses",
            &[("cvr", "24256790"), ("name", "Samtidig ApS"), ("company_form", "aps")],
            8,
        )
        .await;
        let stored = business::Entity::find()
            .filter(business::Column::Cvr.eq(24256790))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(stored.len(), 1, "{answers:?}");
        let id = stored[0].id;
        assert_eq!(answers.iter().filter(|(s, _)| *s == 303).count(), 1);
        for (status, body) in answers.iter().filter(|(s, _)| *s != 303) {
            assert_eq!(*status, 422, "{body}");
            assert!(body.contains("En virksomhed med dette CVR-nummer findes allerede"));
            assert!(body.contains(&format!("href=\"/businesses/{id}\" id=\"duplicate-link\"")));
        }

        // One P-number.
        let answers = at_once(
            &app,
            &format!("/businesses/{id}/p-units"),
            &[("p_number", "1012345678")],
            8,
        )
        .await;
        let units = p_unit::Entity::find()
            .filter(p_unit::Column::PNumber.eq(1012345678i64))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(units, 1, "{answers:?}");
        assert_eq!(answers.iter().filter(|(s, _)| *s == 303).count(), 1);
        for (status, body) in answers.iter().filter(|(s, _)| *s != 303) {
            assert_eq!(*status, 422, "{body}");
            assert!(body.contains("P-nummeret er allerede registreret"), "{body}");
            assert!(body.contains(&format!("href=\"/businesses/{id}\" id=\"p-unit-owner\"")));
        }

        // One username.
        let answers = at_once(
            &app,
            "/admin/users",
            &[
                ("username", "samtidig"),
                ("display_name", "Samtidig Bruger"),
                ("role", "consultant"),
                ("password", "en-lang-adgangskode"),
            ],
            8,
        )
        .await;
        let users = app_user::Entity::find()
            .filter(app_user::Column::Username.eq("samtidig"))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(users, 1, "{answers:?}");
        assert_eq!(answers.iter().filter(|(s, _)| *s == 303).count(), 1);
        for (status, body) in answers.iter().filter(|(s, _)| *s != 303) {
            assert_eq!(*status, 422, "{body}");
            assert!(body.contains("Brugernavnet er optaget"), "{body}");
        }
    }
);

fn actions(events: &[audit_event::Model]) -> Vec<(String, String)> {
    events
        .iter()
        .map(|e| (e.action.clone(), e.entity.clone()))
        .collect()
}

db_test!(
    each_command_leaves_exactly_its_audit_entries_and_a_failed_one_none,
    |app: TestApp| async move {
        let admin = app.add_user("admin", Role::Admin).await;
        let events = audit_events(&app).await;
        assert_eq!(actions(&events), [("create".into(), "app_user".into())]);
        assert_eq!(events[0].entity_id, Some(admin));
        assert_eq!(events[0].detail.as_deref(), Some(r#"{"role":"admin"}"#));
        audit_event::Entity::delete_many()
            .exec(&app.db)
            .await
            .unwrap();
        // A failed sign-in: the username tried and the address, never the password.
        let res = app
            .post_form(
                "/login",
                &[
                    ("username", "admin"),
                    ("password", "forkert-kodeord"),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 401);
        let events = audit_events(&app).await;
        assert_eq!(
            actions(&events),
            [("login_failed".into(), "app_user".into())]
        );
        let detail = events[0].detail.clone().unwrap();
        assert!(
            detail.contains("\"username\":\"admin\"") && detail.contains("127.0.0.1"),
            "{detail}"
        );
        assert!(!detail.contains("forkert-kodeord"));
        assert_eq!(events[0].user_id, None);

        app.login("admin").await;
        let events = audit_events(&app).await;
        assert_eq!(events.len(), 2);
        assert_eq!(
            (events[1].action.as_str(), events[1].user_id),
            ("login", Some(admin))
        );

        // A form with mistakes changes nothing and leaves nothing.
        let res = app
            .post_form("/businesses", &[("cvr", "123"), ("name", "")])
            .await;
        assert_eq!(res.status().as_u16(), 422);
        assert_eq!(audit_events(&app).await.len(), 2);

        let res = app
            .post_form(
                "/businesses",
                &[
                    ("cvr", "24256790"),
                    ("name", "Revision ApS"),
                    ("company_form", "aps"),
                    ("notes", "Hemmelig note"),
                ],
            )
            .await;
        let id: i32 = location(&res).rsplit('/').next().unwrap().parse().unwrap();
        let res = app
            .post_form(
                &format!("/businesses/{id}"),
                &[
                    ("cvr", "24256790"),
                    ("name", "Revision ApS"),
                    ("company_form", "aps"),
                    ("email", "kontakt@revision.dk"),
                    ("notes", "Hemmelig note"),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
        let events = audit_events(&app).await;
        assert_eq!(
            actions(&events[2..]),
            [
                ("create".into(), "business".into()),
                ("update".into(), "business".into())
            ]
        );
        assert!(
            events[2..]
                .iter()
                .all(|e| e.entity_id == Some(id) && e.user_id == Some(admin))
        );
        let detail = events[3].detail.clone().unwrap();
        assert_eq!(
            detail, r#"{"changed":["email"]}"#,
            "which fields changed, not their values"
        );

        // A refused change (the CVR number is not edited) leaves none.
        let res = app
            .post_form(
                &format!("/businesses/{id}"),
                &[("cvr", "10000009"), ("name", "X"), ("company_form", "aps")],
            )
            .await;
        assert_eq!(res.status().as_u16(), 422);
        assert_eq!(audit_events(&app).await.len(), 4);

        // Disabling a user, and signing out.
        app.add_user("kirsten", Role::Consultant).await;
        let before = audit_events(&app).await.len();
        let res = app
            .post_form("/admin/users/kirsten/disabled", &[("disabled", "on")])
            .await;
        assert_eq!(res.status().as_u16(), 303);
        let res = app.post_form("/logout", &[]).await;
        assert_eq!(res.status().as_u16(), 303);
        let events = audit_events(&app).await;
        assert_eq!(
            actions(&events[before..]),
            [
                ("disable".into(), "app_user".into()),
                ("logout".into(), "app_user".into())
            ]
        );
    }
);

db_test!(
    the_audit_log_page_lists_entries_for_admins_with_filters,
    |app: TestApp| async move {
        app.signed_in("admin", Role::Admin).await;
        let id = app.create_business("24256790", "Log ApS", "").await;
        let page = app.get_html("/admin/audit").await;
        assert!(page.contains("Revisionslog"));
        assert!(
            page.contains("Logget ind") && page.contains("Oprettet"),
            "{page}"
        );
        let filtered = app
            .get_html("/admin/audit?action=create&entity=business")
            .await;
        assert!(filtered.contains(&format!("/businesses/{id}")));
        assert!(!filtered.contains("<td>Logget ind</td>"));
        assert!(page.contains("<td>Logget ind</td>"));
        assert!(
            filtered.contains("<strong id=\"total\">1</strong>"),
            "{filtered}"
        );
        // The log has no way to change an entry: no form posts anywhere
        // but the header's sign-out.
        assert_eq!(page.matches("method=\"post\"").count(), 1, "{page}");
    }
);

db_test!(
    a_business_created_by_the_public_form_shows_in_the_list_totals_at_once,
    |s: &mut erhverv::config::Settings| s.need_min_fill_seconds = 0,
    |app: TestApp| async move {
        app.signed_in("kirsten", Role::Consultant).await;
        // The list's total is cached; the form's new business must drop it.
        assert!(
            app.get_html("/businesses")
                .await
                .contains("<strong id=\"total\">0</strong>")
        );
        app.get_html("/rekruttering").await;
        let res = app
            .post_form("/rekruttering", &crate::helpers::valid("totals1"))
            .await;
        assert_eq!(res.status().as_u16(), 303);
        assert!(
            app.get_html("/businesses")
                .await
                .contains("<strong id=\"total\">1</strong>")
        );
        let events = audit_events(&app).await;
        assert!(
            events.iter().any(|e| e.action == "create"
                && e.entity == "business"
                && e.user_id.is_none()
                && e.detail.as_deref() == Some(r#"{"source":"form"}"#)),
            "the new business is in the audit log: {events:?}"
        );
    }
);

db_test!(
    a_status_change_the_pipeline_does_not_allow_is_refused_with_a_message_and_changes_nothing,
    |s: &mut erhverv::config::Settings| s.need_min_fill_seconds = 0,
    |app: TestApp| async move {
        app.signed_in("kirsten", Role::Consultant).await;
        let need = app.submit_need("flow1").await;
        let path = format!("/needs/{}", need.id);
        // (The outbox worker's entries for the receipt may come and go.)
        let need_entries = |events: Vec<audit_event::Model>| {
            events
                .iter()
                .filter(|e| e.entity == "recruitment_need")
                .count()
        };
        let before = need_entries(audit_events(&app).await);
        // A new need cannot be filled before anyone has worked on it.
        let res = app.post_form(&path, &[("status", "filled")]).await;
        assert_eq!(res.status().as_u16(), 409);
        let body = res.text().await.unwrap();
        assert!(
            body.contains("Et behov kan ikke skifte fra «Ny» til «Besat»"),
            "{body}"
        );
        for status in ["in_progress", "filled"] {
            let res = app.post_form(&path, &[("status", status)]).await;
            assert_eq!(res.status().as_u16(), 303, "{status}");
        }
        // Once filled it can only be reopened, never be new again.
        let res = app.post_form(&path, &[("status", "new")]).await;
        assert_eq!(res.status().as_u16(), 409);
        let page = app.get_html(&path).await;
        assert!(page.contains("<option value=\"in_progress\""));
        assert!(
            !page.contains("<option value=\"new\""),
            "only allowed changes offered"
        );
        let stored = entity::recruitment_need::Entity::find_by_id(need.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.status, "filled");
        assert_eq!(
            need_entries(audit_events(&app).await),
            before + 2,
            "refused changes leave no entry"
        );
    }
);

db_test!(
    simultaneous_status_changes_of_one_need_leave_a_history_the_pipeline_allows,
    |s: &mut erhverv::config::Settings| s.need_min_fill_seconds = 0,
    |app: TestApp| async move {
        use erhverv::domain::NeedStatus;
        app.signed_in("kirsten", Role::Consultant).await;
        let need = app.submit_need("race1").await;
        let path = format!("/needs/{}", need.id);
        app.post_form(&path, &[("status", "in_progress")]).await;
        // "filled" may follow "candidates proposed", never the other way.
        let token = app.csrf().await;
        let sends = (0..40).map(|i| {
            let status = if i % 2 == 0 {
                "filled"
            } else {
                "candidates_proposed"
            };
            let req = app
                .client
                .post(app.url(&path))
                .form(&[("csrf_token", token.as_str()), ("status", status)]);
            async move { req.send().await.unwrap().status().as_u16() }
        });
        let answers = futures_util::future::join_all(sends).await;
        assert!(
            answers.iter().all(|s| *s == 303 || *s == 409),
            "{answers:?}"
        );
        let history: Vec<NeedStatus> = entity::need_event::Entity::find()
            .filter(entity::need_event::Column::NeedId.eq(need.id))
            .order_by_asc(entity::need_event::Column::Id)
            .all(&app.db)
            .await
            .unwrap()
            .iter()
            .map(|e| NeedStatus::parse(&e.status).unwrap())
            .collect();
        for pair in history.windows(2) {
            assert!(pair[0].can_become(pair[1]), "{history:?}");
        }
        let stored = entity::recruitment_need::Entity::find_by_id(need.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            Some(&NeedStatus::parse(&stored.status).unwrap()),
            history.last()
        );
    }
);

/// A command that writes a row and an audit event, then fails.
struct FailsAfterWriting;

#[async_trait::async_trait]
impl erhverv::app::Command for FailsAfterWriting {
    type Output = ();

    async fn run(&self, uow: &mut erhverv::app::UnitOfWork<'_>) -> erhverv::app::Result<()> {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set};
        entity::business::ActiveModel {
            cvr: Set(24256790),
            name: Set("Halvvejs ApS".into()),
            sort_name: Set("halvvejs aps".into()),
            company_form: Set("aps".into()),
            active: Set(true),
            advertising_protected: Set(false),
            source: Set("manual".into()),
            created_at: Set(uow.now()),
            updated_at: Set(uow.now()),
            ..Default::default()
        }
        .insert(uow.tx())
        .await?;
        uow.audit(
            erhverv::domain::AuditAction::Create,
            erhverv::domain::AuditEntity::Business,
            None,
            serde_json::Value::Null,
        );
        uow.reindex(erhverv::search::DocKind::Business, 1);
        Err(erhverv::app::Error::invalid(
            "name",
            erhverv::domain::DomainError::Required,
        ))
    }
}

db_test!(
    a_command_that_fails_after_writing_leaves_no_row_no_audit_entry_and_no_sync_entry,
    |app: TestApp| async move {
        let cli = erhverv::app::App::for_cli(&app.db).unwrap();
        let result = cli
            .run(erhverv::app::Actor::System, FailsAfterWriting)
            .await;
        assert!(matches!(result, Err(erhverv::app::Error::Invalid(_))));
        assert_eq!(business::Entity::find().count(&app.db).await.unwrap(), 0);
        assert!(audit_events(&app).await.is_empty());
        assert_eq!(
            entity::search_sync::Entity::find()
                .count(&app.db)
                .await
                .unwrap(),
            0
        );
        // And the next writer gets its turn at once.
        let res = cli
            .run(erhverv::app::Actor::System, FailsAfterWriting)
            .await;
        assert!(res.is_err());
    }
);
