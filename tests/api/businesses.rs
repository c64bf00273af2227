use erhverv::domain::Role;

use crate::db_test;
use crate::helpers::*;

fn business<'a>(cvr: &'a str, name: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("cvr", cvr),
        ("name", name),
        ("company_form", "aps"),
        ("street", "Nørrebrogade 45"),
        ("postal_code", "2200"),
        ("city", "København N"),
        ("industry_code", "561010"),
        ("employees", "12"),
        ("email", "info@example.dk"),
        ("phone", "33 66 33 66"),
        ("active", "on"),
        ("segments", "tourism"),
        ("segments", "social_economy"),
        ("notes", "Ønsker kontakt om fleksjob."),
    ]
}

async fn create(app: &TestApp, cvr: &str, name: &str) -> String {
    let res = app.post_form("/businesses", &business(cvr, name)).await;
    assert_eq!(res.status().as_u16(), 303, "create {name}");
    location(&res)
}

db_test!(
    a_consultant_creates_a_business_and_sees_the_derived_details,
    |app: TestApp| async move {
        app.signed_in("kirsten", Role::Consultant).await;
        let loc = create(&app, "DK 1015 0817", "Nørrebro Bageri ApS").await;
        assert!(loc.starts_with("/businesses/"));
        let page = app.get_html(&loc).await;
        assert!(page.contains("Nørrebro Bageri ApS"));
        assert!(page.contains("10150817"), "CVR normalised");
        assert!(
            page.contains("<dd>Nørrebro</dd>"),
            "district derived from 2200"
        );
        assert!(page.contains("561010"));
        assert!(page.contains("I – "), "industry section I");
        assert!(page.contains("10-19"), "size band from 12 employees");
        assert!(page.contains("Turisme"));
        assert!(page.contains("+45 33 66 33 66"), "phone normalised");
        assert!(page.contains("Virksomheden er oprettet."));
    }
);

db_test!(
    an_invalid_form_is_shown_again_with_messages_and_what_was_typed,
    |app: TestApp| async move {
        app.signed_in("kirsten", Role::Consultant).await;
        let mut f = business("1234 5678", "Fejl & <Co>");
        f.retain(|(k, _)| *k != "email" && *k != "postal_code");
        f.push(("email", "ikke-en-email"));
        f.push(("postal_code", "99"));
        let res = app.post_form("/businesses", &f).await;
        assert_eq!(res.status().as_u16(), 422);
        let body = res.text().await.unwrap();
        assert!(body.contains("aria-invalid=\"true\""));
        assert!(body.contains("id=\"f-cvr-error\""));
        assert!(body.contains("id=\"f-email-error\""));
        assert!(body.contains("id=\"f-postal_code-error\""));
        assert!(body.contains("value=\"1234 5678\""), "typed CVR kept");
        assert!(body.contains("value=\"ikke-en-email\""), "typed email kept");
        assert!(
            body.contains("Fejl &amp; &lt;Co&gt;"),
            "typed name kept, escaped"
        );
        assert!(!body.contains("<Co>"));
        // Nothing was stored.
        assert!(
            !app.get_html("/businesses?status=all")
                .await
                .contains("Fejl &amp;")
        );
    }
);

db_test!(
    validation_messages_are_in_english_when_english_is_chosen,
    |app: TestApp| async move {
        app.signed_in("kirsten", Role::Consultant).await;
        let res = app.get("/lang/en?next=/businesses/new").await;
        assert_eq!(location(&res), "/businesses/new");
        let res = app
            .post_form(
                "/businesses",
                &[("cvr", "123"), ("name", ""), ("company_form", "aps")],
            )
            .await;
        assert_eq!(res.status().as_u16(), 422);
        let body = res.text().await.unwrap();
        assert!(body.contains("lang=\"en\""));
        assert!(body.contains("CVR number"), "{body}");
        assert!(!body.contains("CVR-nummeret skal"));
    }
);

db_test!(
    a_duplicate_cvr_is_refused_with_a_link_to_the_existing_business,
    |app: TestApp| async move {
        app.signed_in("kirsten", Role::Consultant).await;
        let first = create(&app, "24256790", "Første A/S").await;
        let res = app
            .post_form("/businesses", &business("24256790", "Anden A/S"))
            .await;
        assert_eq!(res.status().as_u16(), 422);
        let body = res.text().await.unwrap();
        assert!(
            body.contains(&format!("href=\"{first}\"")),
            "link to the existing record"
        );
        assert!(body.contains("findes allerede"));
        assert!(body.contains("value=\"Anden A/S\""));
    }
);

db_test!(
    editing_a_business_saves_the_changes,
    |app: TestApp| async move {
        app.signed_in("kirsten", Role::Consultant).await;
        let loc = create(&app, "25313763", "Valby Vinduespudsning").await;
        let edit = app.get_html(&format!("{loc}/edit")).await;
        assert!(edit.contains("value=\"25313763\""));
        let mut f = business("25313763", "Valby Vinduespudsning ApS");
        f.retain(|(k, _)| !matches!(*k, "street" | "postal_code" | "city" | "active"));
        f.push(("street", "Valby Langgade 10"));
        f.push(("postal_code", "2500"));
        f.push(("city", "Valby"));
        f.push(("advertising_protected", "on"));
        let res = app.post_form(&loc, &f).await;
        assert_eq!(res.status().as_u16(), 303);
        let page = app.get_html(&loc).await;
        assert!(page.contains("Valby Vinduespudsning ApS"));
        assert!(page.contains("<dd>Valby</dd>"));
        assert!(
            page.contains("Ophørt"),
            "unchecked 'active' marks it ceased"
        );
        assert!(page.contains("Reklamebeskyttet."));
        // The CVR number cannot be changed.
        let res = app
            .post_form(&loc, &business("24256790", "Valby Vinduespudsning ApS"))
            .await;
        assert_eq!(res.status().as_u16(), 422);
    }
);

db_test!(
    the_list_shows_each_change_at_once_though_it_keeps_its_pages,
    long_read_cache,
    |app: TestApp| async move {
        app.signed_in("kirsten", Role::Consultant).await;
        let loc = create(&app, "25313763", "Nørrebro Vinduespudsning").await;
        let list = "/businesses?district=norrebro";
        let page = app.get_html(list).await;
        assert!(page.contains("Nørrebro Vinduespudsning"));
        // Kept in memory now; a second business is on it at once…
        create(&app, "24256790", "Nørrebro Cykler").await;
        let page = app.get_html(list).await;
        assert!(page.contains("Nørrebro Cykler"), "a new business");
        // …and so is a new name…
        let mut f = business("25313763", "Nørrebro Glas og Vinduer ApS");
        assert_eq!(app.post_form(&loc, &f).await.status().as_u16(), 303);
        let page = app.get_html(list).await;
        assert!(page.contains("Nørrebro Glas og Vinduer ApS"), "renamed");
        assert!(!page.contains("Nørrebro Vinduespudsning"));
        // …and a business that ceased is off the active list.
        f.retain(|(k, _)| *k != "active");
        assert_eq!(app.post_form(&loc, &f).await.status().as_u16(), 303);
        let page = app.get_html(list).await;
        assert!(!page.contains("Nørrebro Glas og Vinduer ApS"), "ceased");
        assert!(page.contains("Nørrebro Cykler"));
    }
);

db_test!(
    p_units_and_contact_persons_are_added_and_validated,
    |app: TestApp| async move {
        app.signed_in("kirsten", Role::Consultant).await;
        let loc = create(&app, "12345674", "Amager Kaffe I/S").await;
        let res = app
            .post_form(
                &format!("{loc}/p-units"),
                &[
                    ("p_number", "1012 345 678"),
                    ("street", "Amagerbrogade 1"),
                    ("postal_code", "2300"),
                    ("city", "København S"),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
        let res = app
            .post_form(&format!("{loc}/p-units"), &[("p_number", "12")])
            .await;
        assert_eq!(res.status().as_u16(), 422);
        assert!(res.text().await.unwrap().contains("value=\"12\""));
        let res = app
            .post_form(
                &format!("{loc}/persons"),
                &[
                    ("name", "Mette Hansen"),
                    ("role", "HR-chef"),
                    ("email", "mette@amagerkaffe.dk"),
                    ("phone", "+45 20 30 40 50"),
                    ("primary", "on"),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
        let res = app
            .post_form(
                &format!("{loc}/persons"),
                &[("name", "Uden Mail"), ("email", "mette@")],
            )
            .await;
        assert_eq!(res.status().as_u16(), 422);
        let page = app.get_html(&loc).await;
        assert!(page.contains("1012345678"));
        assert!(page.contains("Mette Hansen"));
        assert!(page.contains("mette@amagerkaffe.dk"));
        assert!(!page.contains("Uden Mail"));
    }
);

db_test!(
    the_list_filters_sorts_pages_and_counts,
    |app: TestApp| async move {
        app.signed_in("kirsten", Role::Consultant).await;
        // 23 businesses on Nørrebro (2200), 2 in Valby (2500).
        let mut cvrs = Vec::new();
        let mut p = 3_000_000u32;
        while cvrs.len() < 25 {
            if let Some(c) = erhverv::domain::Cvr::with_check_digit(p) {
                cvrs.push(c.to_string());
            }
            p += 1;
        }
        for (i, cvr) in cvrs.iter().enumerate() {
            let name = format!("Firma {i:02}");
            let mut f = business(cvr, &name);
            if i >= 23 {
                f.retain(|(k, _)| *k != "postal_code");
                f.push(("postal_code", "2500"));
            }
            assert_eq!(
                app.post_form("/businesses", &f).await.status().as_u16(),
                303
            );
        }
        let page = app.get_html("/businesses?district=norrebro").await;
        assert!(
            page.contains("<strong id=\"total\">23</strong>"),
            "total count"
        );
        assert!(page.contains("Firma 00") && page.contains("Firma 19"));
        assert!(!page.contains("Firma 20"), "20 rows per page");
        assert!(page.contains("rel=\"next\""));
        let page2 = app.get_html("/businesses?district=norrebro&page=2").await;
        assert!(page2.contains("Firma 20") && page2.contains("Firma 22"));
        assert!(!page2.contains("Firma 23"));
        let valby = app.get_html("/businesses?district=valby&sort=-name").await;
        assert!(valby.contains("<strong id=\"total\">2</strong>"));
        let (a, b) = (
            valby.find("Firma 24").unwrap(),
            valby.find("Firma 23").unwrap(),
        );
        assert!(a < b, "sorted by name descending");
        let seg = app
            .get_html("/businesses?segment=social_economy&section=I&size=10-19")
            .await;
        assert!(seg.contains("<strong id=\"total\">25</strong>"));
        let none = app.get_html("/businesses?segment=life_science").await;
        assert!(none.contains("<strong id=\"total\">0</strong>"));
        // Unknown filter values are ignored rather than failing the page.
        let odd = app
            .get("/businesses?district=%FF%FE&page=-3&sort=';drop")
            .await;
        assert_eq!(odd.status().as_u16(), 200);
    }
);

db_test!(
    hostile_input_never_causes_a_server_error,
    |app: TestApp| async move {
        app.signed_in("kirsten", Role::Consultant).await;
        let long = "x".repeat(100_000);
        let cases: Vec<(&str, String)> = vec![
            ("cvr", "1015081７".into()),
            ("cvr", "99999999999999999999999".into()),
            ("name", long.clone()),
            ("name", "Navn\u{0000}med nul".into()),
            ("postal_code", "２２００".into()),
            ("employees", "-1".into()),
            ("employees", "1e9".into()),
            ("industry_code", "🦀🦀🦀🦀🦀🦀".into()),
            ("consultant_id", "99999999999".into()),
            ("company_form", "<script>".into()),
            ("segments", "'; DROP TABLE business; --".into()),
        ];
        for (field, value) in cases {
            let mut f = business("30060946", "Robust ApS");
            f.retain(|(k, _)| *k != field);
            f.push((field, value.as_str()));
            let res = app.post_form("/businesses", &f).await;
            assert_eq!(res.status().as_u16(), 422, "{field}");
        }
        // A body that isn't valid form encoding at all.
        let token = app.csrf().await;
        let res = app
            .client
            .post(app.url("/businesses"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("csrf_token={token}&cvr=%ZZ%&name=%C3%28"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 422);
        assert!(
            app.get_html("/businesses?status=all")
                .await
                .contains("<strong id=\"total\">0</strong>")
        );
    }
);

db_test!(
    unknown_records_and_routes_show_the_404_page,
    |app: TestApp| async move {
        app.signed_in("kirsten", Role::Consultant).await;
        for path in [
            "/businesses/999999",
            "/businesses/abc",
            "/findes-ikke",
            "/businesses/999999/edit",
        ] {
            let res = app.get(path).await;
            assert_eq!(res.status().as_u16(), 404, "{path}");
            let body = res.text().await.unwrap();
            assert!(body.contains("Siden findes ikke"), "{path}");
            assert!(body.contains("<h1>"), "{path}");
        }
    }
);

db_test!(
    the_total_follows_new_businesses_at_once,
    |app: TestApp| async move {
        app.signed_in("kirsten", Role::Consultant).await;
        create(&app, "10150817", "Første ApS").await;
        assert!(
            app.get_html("/businesses?district=norrebro")
                .await
                .contains("<strong id=\"total\">1</strong>")
        );
        create(&app, "24256790", "Anden ApS").await;
        assert!(
            app.get_html("/businesses?district=norrebro&page=1")
                .await
                .contains("<strong id=\"total\">2</strong>"),
            "a cached count must not hide a new business"
        );
    }
);

db_test!(
    an_oversized_form_is_refused_and_nothing_is_stored,
    |app: TestApp| async move {
        app.signed_in("kirsten", Role::Consultant).await;
        let token = app.csrf().await;
        let notes = "x".repeat(400 * 1024);
        let res = app
            .client
            .post(app.url("/businesses"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("cvr", "10150817"),
                ("name", "Stor ApS"),
                ("company_form", "aps"),
                ("notes", notes.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 413);
        assert!(res.text().await.unwrap().contains("for stort"));
        assert!(
            !app.get_html("/businesses?status=all")
                .await
                .contains("Stor ApS")
        );
    }
);

db_test!(
    the_business_list_downloads_as_filtered_for_excel_in_name_order_past_a_chunk,
    |app: TestApp| async move {
        use sea_orm::EntityTrait;
        app.signed_in("kirsten", Role::Consultant).await;
        // 2,500 businesses in Nørrebro (past two chunks of 1,000, with ties
        // on the name), one on Amager, and one whose name is a formula.
        let now = chrono::Utc::now();
        let rows: Vec<entity::business::ActiveModel> = (0..2500)
            .map(|i| {
                let mut m = erhverv::businesses::patch::blank(
                    erhverv::domain::Cvr::parse(&crate::api::cvr(i * 3)).unwrap(),
                    "import",
                    now,
                );
                m.name = format!("Firma {:04}", i / 2);
                m.sort_name = m.name.to_lowercase();
                m.street = Some("Nørrebrogade 1".into());
                m.postal_code = Some(2200);
                m.district = Some("norrebro".into());
                erhverv::businesses::patch::to_active(m, None)
            })
            .collect();
        for chunk in rows.chunks(500) {
            entity::business::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&app.db)
                .await
                .unwrap();
        }
        let amager = app.create_business("25313763", "Amager Bageri", "").await;
        let res = app
            .post_form(
                "/businesses",
                &[
                    ("cvr", "91909375"),
                    ("name", "=HYPERLINK(\"http://x\")"),
                    ("company_form", "aps"),
                    ("street", "Nørrebrogade 9"),
                    ("postal_code", "2200"),
                    ("active", "on"),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
        // The list page links the download with its filter.
        let page = app.get_html("/businesses?district=norrebro").await;
        assert!(
            page.contains("/businesses/export.csv?district=norrebro"),
            "{page}"
        );
        let res = app.get("/businesses/export.csv?district=norrebro").await;
        assert_eq!(res.status().as_u16(), 200);
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let bytes = res.bytes().await.unwrap();
        assert!(bytes.starts_with("\u{feff}".as_bytes()), "BOM for Excel");
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("CVR;Navn;"), "{}", lines[0]);
        assert_eq!(lines.len(), 1 + 2501, "every row once, the header once");
        assert!(!text.contains("Amager Bageri"), "the filter holds");
        assert!(text.contains("'=HYPERLINK"), "formula neutralised");
        // In name order; each CVR once.
        let names: Vec<&str> = lines[1..]
            .iter()
            .map(|l| l.split(';').nth(1).unwrap())
            .collect();
        let mut sorted = names.clone();
        sorted.sort_by_key(|n| n.trim_matches('"').to_lowercase());
        assert_eq!(names, sorted);
        let cvrs: std::collections::BTreeSet<&str> = lines[1..]
            .iter()
            .map(|l| l.split(';').next().unwrap())
            .collect();
        assert_eq!(cvrs.len(), 2501);
        assert!(lines[1].contains("Nørrebro"), "Danish labels: {}", lines[1]);
        // The council may not download it.
        let _ = amager;
        app.signed_in("raadet", Role::Council).await;
        assert_eq!(
            app.get("/businesses/export.csv").await.status().as_u16(),
            403
        );
    }
);
