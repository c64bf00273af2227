//! Duplicate businesses: found on the duplicates page, merged with every
//! child record accounted for, and the merge undone from the audit log.
use entity::{
    business, business_segment, contact, contact_person, initiative, initiative_business,
    outbox_email, p_unit, placement, recruitment_need,
};
use erhverv::domain::Role;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
};

use crate::db_test;
use crate::helpers::*;

/// How many rows of each kind belong to a business.
async fn children(app: &TestApp, id: i32) -> Vec<(&'static str, u64)> {
    let db = &app.db;
    vec![
        (
            "contact",
            contact::Entity::find()
                .filter(contact::Column::BusinessId.eq(id))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "person",
            contact_person::Entity::find()
                .filter(contact_person::Column::BusinessId.eq(id))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "p_unit",
            p_unit::Entity::find()
                .filter(p_unit::Column::BusinessId.eq(id))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "need",
            recruitment_need::Entity::find()
                .filter(recruitment_need::Column::BusinessId.eq(id))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "placement",
            placement::Entity::find()
                .filter(placement::Column::BusinessId.eq(id))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "email",
            outbox_email::Entity::find()
                .filter(outbox_email::Column::BusinessId.eq(id))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "initiative",
            initiative_business::Entity::find()
                .filter(initiative_business::Column::BusinessId.eq(id))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "segment",
            business_segment::Entity::find()
                .filter(business_segment::Column::BusinessId.eq(id))
                .count(db)
                .await
                .unwrap(),
        ),
    ]
}

async fn link(app: &TestApp, initiative: i32, business: i32) {
    initiative_business::ActiveModel {
        initiative_id: Set(initiative),
        business_id: Set(business),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
}

db_test!(
    two_duplicates_are_found_merged_with_every_record_and_the_merge_is_undone,
    |s: &mut erhverv::config::Settings| s.need_min_fill_seconds = 0,
    |app: TestApp| async move {
        let me = app.signed_in("admin", Role::Admin).await;
        let form =
            |cvr: &'static str, name: &'static str, email: &'static str, segment: &'static str| {
                vec![
                    ("cvr", cvr),
                    ("name", name),
                    ("company_form", "aps"),
                    ("street", "Strandgade 4"),
                    ("postal_code", "1401"),
                    ("email", email),
                    ("segments", segment),
                    ("active", "on"),
                ]
            };
        let res = app
            .post_form(
                "/businesses",
                &form("10150817", "Havnens Hotel ApS", "", "tourism"),
            )
            .await;
        let keep: i32 = location(&res).rsplit('/').next().unwrap().parse().unwrap();
        let res = app
            .post_form(
                "/businesses",
                &form("24256790", "HAVNENS HOTEL", "info@havnenshotel.dk", "tech"),
            )
            .await;
        let dup: i32 = location(&res).rsplit('/').next().unwrap().parse().unwrap();
        let other = app
            .create_business("25313763", "Anden Virksomhed ApS", "3")
            .await;
        // The duplicate's records: a contact, a person, a P-unit, a need, a
        // placement, an email, and two initiative links (one shared).
        let when = (chrono::Utc::now() - chrono::Duration::days(1))
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let res = app
            .post_form(
                &format!("/businesses/{dup}/contacts"),
                &[
                    ("channel", "phone"),
                    ("occurred_at", &when),
                    ("subject", "Opfølgning"),
                    ("outcome", "follow_up"),
                    (
                        "follow_up_on",
                        &chrono::Utc::now().format("%Y-%m-%d").to_string(),
                    ),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
        app.post_form(
            &format!("/businesses/{dup}/persons"),
            &[("name", "Mette Holm")],
        )
        .await;
        app.post_form(
            &format!("/businesses/{dup}/p-units"),
            &[("p_number", "1012345678")],
        )
        .await;
        let need = app.submit_need("merge1").await;
        assert_eq!(
            need.business_id,
            Some(dup),
            "the need's CVR is the duplicate's"
        );
        let me_s = me.to_string();
        let dup_s = dup.to_string();
        let res = app
            .post_form(
                "/placements",
                &[
                    ("business_id", dup_s.as_str()),
                    ("kind", "fleksjob"),
                    ("case_ref", "KBH-2024-00999"),
                    ("target_group", "oevrige"),
                    ("start_date", "2026-12-01"),
                    ("status", "planned"),
                    ("consultant_id", me_s.as_str()),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap());
        let tx = erhverv::db::begin_write(&app.db).await.unwrap();
        erhverv::email::outbox::enqueue(
            &tx,
            erhverv::email::outbox::NewEmail {
                recipient: "info@havnenshotel.dk".into(),
                template: "followup".into(),
                lang: "da".into(),
                subject: "Tak for snakken".into(),
                body_text: "Tak.".into(),
                body_html: "<p>Tak.</p>".into(),
                idempotency_key: "merge-test-1".into(),
                case_related: true,
                business_id: Some(dup),
                created_by: Some(me),
                send_at: chrono::Utc::now() + chrono::Duration::days(30),
            },
            "kk.dk",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let track = entity::strategy_track::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .id;
        let mut initiatives = Vec::new();
        for title in ["Havnen", "Turisme 2027"] {
            let now = chrono::Utc::now();
            let i = initiative::ActiveModel {
                track_id: Set(track),
                title: Set(title.into()),
                owner_id: Set(me),
                start_date: Set(now.date_naive()),
                status: Set("on_track".into()),
                update_every_days: Set(30),
                is_public: Set(false),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&app.db)
            .await
            .unwrap();
            initiatives.push(i.id);
        }
        link(&app, initiatives[0], keep).await;
        link(&app, initiatives[0], dup).await;
        link(&app, initiatives[1], dup).await;
        let before_keep = children(&app, keep).await;
        let before_dup = children(&app, dup).await;
        assert!(before_dup.iter().all(|(_, n)| *n >= 1), "{before_dup:?}");

        // Found on the duplicates page, for the same name at the same address.
        let page = app.get_html("/admin/duplicates").await;
        assert!(page.contains("Samme navn og adresse"), "{page}");
        assert!(page.contains(&format!("keep={keep}&amp;merge={dup}")));
        assert!(!page.contains("Anden Virksomhed"));
        let confirm = app
            .get_html(&format!("/admin/duplicates/merge?keep={keep}&merge={dup}"))
            .await;
        assert!(confirm.contains("HAVNENS HOTEL"));
        let res = app
            .post_form(
                "/admin/duplicates/merge",
                &[("keep", &keep.to_string()), ("merge", &dup.to_string())],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
        assert_eq!(location(&res), format!("/businesses/{keep}"));

        // Every record is the kept business's now; none is lost or doubled.
        let after_keep = children(&app, keep).await;
        let after_dup = children(&app, dup).await;
        for ((kind, kept), ((_, was_kept), (_, was_dup))) in after_keep
            .iter()
            .zip(before_keep.iter().zip(before_dup.iter()))
        {
            let want = match *kind {
                // The shared initiative is linked once.
                "initiative" => was_kept + was_dup - 1,
                _ => was_kept + was_dup,
            };
            assert_eq!(*kept, want, "{kind}");
        }
        assert!(after_dup.iter().all(|(_, n)| *n == 0), "{after_dup:?}");
        let kept_row = business::Entity::find_by_id(keep)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            kept_row.email.as_deref(),
            Some("info@havnenshotel.dk"),
            "an empty field filled"
        );
        let dup_row = business::Entity::find_by_id(dup)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(dup_row.merged_into, Some(keep));
        // Out of the list, its total and the index; its page leads to the kept one.
        let list = app.get_html("/businesses?status=all").await;
        assert!(
            list.contains("<strong id=\"total\">2</strong>"),
            "list total follows"
        );
        assert!(!list.contains("HAVNENS HOTEL"));
        let res = app.get(&format!("/businesses/{dup}")).await;
        assert_eq!(location(&res), format!("/businesses/{keep}"));
        app.search_caught_up().await;
        let hits = app.get_html("/search?q=24256790").await;
        assert!(
            !hits.contains(&format!("/businesses/{dup}\"")),
            "not in the index"
        );
        assert!(
            !app.get_html("/admin/duplicates")
                .await
                .contains("HAVNENS HOTEL")
        );

        // The merge is in the audit log, undoable from there.
        let audit = app.get_html("/admin/audit").await;
        let marker = "action=\"/admin/merges/";
        let at = audit.find(marker).expect("an undo button") + marker.len();
        let merge_id: i32 = audit[at..].split('/').next().unwrap().parse().unwrap();
        let res = app
            .post_form(&format!("/admin/merges/{merge_id}/undo"), &[])
            .await;
        assert_eq!(res.status().as_u16(), 303);
        assert_eq!(
            children(&app, keep).await,
            before_keep,
            "the kept business as before"
        );
        assert_eq!(
            children(&app, dup).await,
            before_dup,
            "the duplicate as before"
        );
        let kept_row = business::Entity::find_by_id(keep)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(kept_row.email, None, "the filled field emptied again");
        let dup_row = business::Entity::find_by_id(dup)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(dup_row.merged_into, None);
        assert!(dup_row.active);
        let list = app.get_html("/businesses").await;
        assert!(list.contains("<strong id=\"total\">3</strong>"));
        app.search_caught_up().await;
        assert!(
            app.get_html("/search?q=24256790")
                .await
                .contains(&format!("/businesses/{dup}"))
        );
        // Undone once: the button is gone and a second undo is refused.
        assert!(!app.get_html("/admin/audit").await.contains(marker));
        let res = app
            .post_form(&format!("/admin/merges/{merge_id}/undo"), &[])
            .await;
        assert_eq!(res.status().as_u16(), 404);
        let actions: Vec<String> = audit_events(&app)
            .await
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert!(actions.contains(&"merge".to_string()) && actions.contains(&"unmerge".to_string()));
        // Merged on: the first merge can't be undone before the second.
        let post_merge = |keep: i32, merge: i32| {
            let app = &app;
            async move {
                app.post_form(
                    "/admin/duplicates/merge",
                    &[("keep", &keep.to_string()), ("merge", &merge.to_string())],
                )
                .await
                .status()
                .as_u16()
            }
        };
        assert_eq!(post_merge(keep, dup).await, 303);
        assert_eq!(post_merge(other, keep).await, 303);
        let first = entity::business_merge::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.merged_id == dup && m.undone_at.is_none())
            .map(|m| m.id)
            .next()
            .unwrap();
        let res = app
            .post_form(&format!("/admin/merges/{first}/undo"), &[])
            .await;
        assert_eq!(res.status().as_u16(), 400, "undo the later merge first");
        assert_eq!(
            children(&app, dup)
                .await
                .iter()
                .map(|(_, n)| n)
                .sum::<u64>(),
            0
        );
        // A business can't be merged into itself.
        let res = app
            .post_form(
                "/admin/duplicates/merge",
                &[("keep", &keep.to_string()), ("merge", &keep.to_string())],
            )
            .await;
        assert_eq!(res.status().as_u16(), 400);
    }
);
