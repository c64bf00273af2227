use erhverv::domain::Role;
use sea_orm::EntityTrait;

use crate::db_test;
use crate::helpers::*;

db_test!(
    the_language_switch_sticks_across_pages,
    |app: TestApp| async move {
        let res = app.get("/lang/en?next=/login").await;
        assert_eq!(res.status().as_u16(), 303);
        assert_eq!(location(&res), "/login");
        let page = app.get_html("/login").await;
        assert!(page.contains("<html lang=\"en\">"));
        assert!(page.contains("Sign in"));
        app.signed_in("kirsten", Role::Consultant).await;
        let page = app.get_html("/businesses").await;
        assert!(page.contains("Businesses"));
        // An open redirect is not possible through the switch.
        let res = app.get("/lang/da?next=//evil.example").await;
        assert_eq!(location(&res), "/");
        assert!(app.get_html("/businesses").await.contains("Virksomheder"));
    }
);

db_test!(
    every_page_has_one_h1_a_skip_link_and_labelled_inputs,
    |app: TestApp| async move {
        app.signed_in("admin", Role::Admin).await;
        let res = app
            .post_form(
                "/businesses",
                &[
                    ("cvr", "21659509"),
                    ("name", "Tilgængelig A/S"),
                    ("company_form", "as"),
                    ("active", "on"),
                ],
            )
            .await;
        let loc = location(&res);
        let admin_id = entity::app_user::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .id
            .to_string();
        let res = app
            .post_form(
                "/initiatives",
                &[
                    ("title", "Tilgængelighed"),
                    ("track_id", "1"),
                    ("owner_id", admin_id.as_str()),
                    ("start_date", "2026-01-01"),
                    ("update_every", "30"),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
        let initiative = location(&res);
        for path in [
            "/",
            "/dashboard",
            "/initiatives",
            "/initiatives/new",
            &initiative,
            &format!("{initiative}/edit"),
            "/figures/new",
            "/figures/1",
            "/strategi",
            "/businesses",
            "/businesses/new",
            &loc,
            &format!("{loc}/edit"),
            &format!("{loc}/contacts/new"),
            "/followups",
            "/contacts/mine",
            "/admin/import",
            "/admin/users",
            "/admin/outbox",
            "/rekruttering",
            "/needs",
            "/needs/new",
            "/search?q=a",
        ] {
            let html = app.get_html(path).await;
            assert_eq!(html.matches("<h1").count(), 1, "{path}: one h1");
            assert!(html.contains("class=\"skip\" href=\"#content\""), "{path}");
            // Every visible input, select and textarea has a label tied to it.
            for tag in ["<input ", "<select ", "<textarea "] {
                for (i, _) in html.match_indices(tag) {
                    let end = html[i..].find('>').unwrap() + i;
                    let el = &html[i..end];
                    if el.contains("type=\"hidden\"") {
                        continue;
                    }
                    let id_start = el
                        .find(" id=\"")
                        .unwrap_or_else(|| panic!("{path}: {el} has no id"))
                        + 5;
                    let id: String = el[id_start..].chars().take_while(|c| *c != '"').collect();
                    assert!(
                        html.contains(&format!("for=\"{id}\"")) || el.contains("aria-label"),
                        "{path}: no label for {id}"
                    );
                }
            }
        }
    }
);

db_test!(
    demo_data_is_seeded_deterministically_and_listed,
    |app: TestApp| async move {
        erhverv::demo::seed(&app.db, 120, 7, false)
            .await
            .expect("seed");
        let res = app
            .post_form(
                "/login",
                &[
                    ("username", "konsulent"),
                    ("password", erhverv::demo::DEMO_PASSWORD),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
        let page = app.get_html("/businesses?status=all").await;
        // 120, and the few duplicates the demo enters again from the form.
        let stored = {
            use sea_orm::{EntityTrait, PaginatorTrait};
            entity::business::Entity::find()
                .count(&app.db)
                .await
                .unwrap()
        };
        assert!((121..=128).contains(&stored), "{stored}");
        assert!(page.contains(&format!("<strong id=\"total\">{stored}</strong>")));
        let (admin, _) = second_browser(&app, "admin", erhverv::demo::DEMO_PASSWORD).await;
        let dups = admin
            .get(app.url("/admin/duplicates"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            dups.contains("Samme navn og adresse"),
            "the demo's duplicates are found"
        );
        let home = app.get_html("/").await;
        assert!(home.contains("Nørrebro"));
        // Recruitment needs in the pipeline, each with its reference.
        use sea_orm::EntityTrait;
        let needs = entity::recruitment_need::Entity::find()
            .all(&app.db)
            .await
            .unwrap();
        assert!(!needs.is_empty(), "demo needs");
        let pipeline = app.get_html("/needs?status=all").await;
        for n in &needs {
            assert!(n.reference.starts_with("RB-20"), "{}", n.reference);
            assert!(n.business_id.is_some());
            assert!(pipeline.contains(&n.reference), "{} listed", n.reference);
        }
        // The same seed gives the same first business.
        let other = spawn_app(Backend::Sqlite).await;
        erhverv::demo::seed(&other.db, 120, 7, false)
            .await
            .expect("seed");
        let res = other
            .post_form(
                "/login",
                &[
                    ("username", "admin"),
                    ("password", erhverv::demo::DEMO_PASSWORD),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
        let first = |html: &str| {
            let i = html.find("<a href=\"/businesses/").unwrap();
            html[i..i + 120].to_string()
        };
        assert_eq!(
            first(&page),
            first(&other.get_html("/businesses?status=all").await)
        );
        // Seeding twice is refused rather than duplicating.
        assert!(erhverv::demo::seed(&app.db, 10, 7, false).await.is_err());
    }
);

db_test!(
    every_response_carries_the_security_headers_and_pages_are_not_cached,
    |app: TestApp| async move {
        for path in [
            "/login",
            "/rekruttering",
            "/static/style.css",
            "/health",
            "/no-such-page",
        ] {
            let res = app.get(path).await;
            let h = res.headers();
            let csp = h
                .get("content-security-policy")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            assert!(
                csp.contains("script-src 'none'") && csp.contains("frame-ancestors 'none'"),
                "{path}: {csp}"
            );
            assert_eq!(
                h.get("x-content-type-options").unwrap(),
                "nosniff",
                "{path}"
            );
            assert_eq!(h.get("referrer-policy").unwrap(), "same-origin", "{path}");
            assert!(h.get("permissions-policy").is_some(), "{path}");
            // Plain HTTP in the tests: no HSTS.
            assert!(h.get("strict-transport-security").is_none(), "{path}");
        }
        let page = app.get("/login").await;
        assert_eq!(page.headers().get("cache-control").unwrap(), "no-store");
        let css = app.get("/static/style.css").await;
        assert!(
            css.headers()
                .get("cache-control")
                .unwrap()
                .to_str()
                .unwrap()
                .contains("max-age")
        );
        // No page has inline script or style for the policy to block.
        let html = page.text().await.unwrap();
        assert!(!html.contains("<script") && !html.contains("style="));
    }
);
