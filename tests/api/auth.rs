use erhverv::domain::Role;

use crate::db_test;
use crate::helpers::*;

db_test!(
    pages_other_than_sign_in_and_health_require_sign_in,
    |app: TestApp| async move {
        // `/` itself is the public front page (tests/api/initiatives.rs).
        for path in [
            "/dashboard",
            "/initiatives",
            "/businesses",
            "/businesses/1",
            "/followups",
            "/contacts/mine",
            "/admin/import",
            "/admin/users",
        ] {
            let res = app.get(path).await;
            assert_eq!(
                res.status().as_u16(),
                303,
                "{path} should redirect to sign-in"
            );
            assert!(
                location(&res).starts_with("/login?next="),
                "{path}: {}",
                location(&res)
            );
        }
        assert_eq!(app.get("/health").await.status().as_u16(), 200);
        assert_eq!(app.get("/ready").await.status().as_u16(), 200);
        assert_eq!(app.get("/login").await.status().as_u16(), 200);
    }
);

db_test!(
    signing_in_returns_to_the_page_asked_for,
    |app: TestApp| async move {
        app.add_user("kirsten", Role::Consultant).await;
        let res = app
            .post_form(
                "/login",
                &[
                    ("username", "Kirsten"),
                    ("password", PASSWORD),
                    ("next", "/businesses?district=valby"),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
        assert_eq!(location(&res), "/businesses?district=valby");
        let page = app.get("/businesses").await;
        assert_eq!(page.status().as_u16(), 200);
        assert!(page.text().await.unwrap().contains("Test kirsten"));
    }
);

db_test!(
    a_wrong_password_shows_the_error_and_keeps_the_username,
    |app: TestApp| async move {
        app.add_user("kirsten", Role::Consultant).await;
        let res = app
            .post_form(
                "/login",
                &[
                    ("username", "kirsten"),
                    ("password", "forkert-kodeord"),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 401);
        let body = res.text().await.unwrap();
        assert!(body.contains("Forkert brugernavn eller adgangskode."));
        assert!(body.contains("value=\"kirsten\""));
        // Still not signed in.
        assert_eq!(app.get("/businesses").await.status().as_u16(), 303);
    }
);

db_test!(
    repeated_failed_sign_ins_are_rate_limited,
    |app: TestApp| async move {
        app.add_user("kirsten", Role::Consultant).await;
        // test_settings allows 5 failures per 15 minutes.
        for _ in 0..5 {
            let res = app
                .post_form(
                    "/login",
                    &[("username", "kirsten"), ("password", "gæt-gæt-gæt")],
                )
                .await;
            assert_eq!(res.status().as_u16(), 401);
        }
        let res = app
            .post_form("/login", &[("username", "kirsten"), ("password", PASSWORD)])
            .await;
        assert_eq!(res.status().as_u16(), 429);
        let retry: u64 = res.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(retry > 0);
        assert!(res.text().await.unwrap().contains("For mange forsøg"));
    }
);

db_test!(
    a_form_without_the_csrf_token_is_refused_and_nothing_is_written,
    |app: TestApp| async move {
        app.signed_in("kirsten", Role::Consultant).await;
        let res = app
            .client
            .post(app.url("/businesses"))
            .form(&[
                ("cvr", "10150817"),
                ("name", "Uden Token ApS"),
                ("company_form", "aps"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 403);
        assert!(res.text().await.unwrap().contains("Formularen er udløbet"));
        let list = app.get_html("/businesses?status=all").await;
        assert!(!list.contains("Uden Token ApS"));
    }
);

db_test!(
    logging_out_ends_the_session_even_for_a_copied_cookie,
    long_read_cache,
    |app: TestApp| async move {
        app.signed_in("kirsten", Role::Consultant).await;
        let cookie = app.cookie_header().expect("session cookie");
        let res = app.post_form("/logout", &[]).await;
        assert_eq!(res.status().as_u16(), 303);
        let replay = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(app.url("/businesses"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(
            replay.status().as_u16(),
            303,
            "the old cookie must not sign in"
        );
    }
);

db_test!(
    disabling_a_user_ends_that_users_sessions_at_once,
    long_read_cache,
    |app: TestApp| async move {
        // The consultant signs in in one browser…
        app.add_user("kirsten", Role::Consultant).await;
        let (consultant, res) = second_browser(&app, "kirsten", PASSWORD).await;
        assert_eq!(res.status().as_u16(), 303);
        assert_eq!(
            consultant
                .get(app.url("/businesses"))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
            200
        );
        // …the admin disables her in another…
        app.signed_in("admin", Role::Admin).await;
        let res = app
            .post_form("/admin/users/kirsten/disabled", &[("disabled", "on")])
            .await;
        assert_eq!(res.status().as_u16(), 303);
        // …and her next request is sent to sign-in.
        let res = consultant.get(app.url("/businesses")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 303);
        assert!(location(&res).starts_with("/login"));
    }
);

db_test!(
    the_council_reads_the_overview_but_gets_403_on_case_pages,
    |app: TestApp| async move {
        app.signed_in("raad", Role::Council).await;
        // The council's start page is its dashboard.
        let res = app.get("/").await;
        assert_eq!(res.status().as_u16(), 303);
        assert_eq!(location(&res), "/dashboard");
        assert_eq!(app.get("/dashboard").await.status().as_u16(), 200);
        for path in [
            "/businesses",
            "/businesses/new",
            "/followups",
            "/contacts/mine",
            "/admin/users",
        ] {
            let res = app.get(path).await;
            assert_eq!(res.status().as_u16(), 403, "{path}");
            assert!(res.text().await.unwrap().contains("Ingen adgang"));
        }
    }
);

db_test!(
    a_consultant_cannot_reach_admin_pages,
    |app: TestApp| async move {
        app.signed_in("kirsten", Role::Consultant).await;
        assert_eq!(app.get("/admin/users").await.status().as_u16(), 403);
        assert_eq!(app.get("/admin/import").await.status().as_u16(), 403);
    }
);

db_test!(
    an_admin_adds_a_user_who_can_then_sign_in,
    |app: TestApp| async move {
        app.signed_in("admin", Role::Admin).await;
        let res = app
            .post_form(
                "/admin/users",
                &[
                    ("username", "ny.konsulent"),
                    ("display_name", "Ny Konsulent"),
                    ("email", "ny@kk.dk"),
                    ("role", "consultant"),
                    ("password", "lang-nok-adgangskode"),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
        // A bad username and a short password are shown next to their fields.
        let res = app
            .post_form(
                "/admin/users",
                &[
                    ("username", "Ugyldig Bruger!"),
                    ("display_name", "X"),
                    ("role", "consultant"),
                    ("password", "kort"),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 422);
        let body = res.text().await.unwrap();
        assert!(body.contains("Brugernavnet må kun indeholde"));
        assert!(body.contains("mindst 10 tegn"));
        assert!(body.contains("value=\"Ugyldig Bruger!\""));
        let (_other, res) = second_browser(&app, "ny.konsulent", "lang-nok-adgangskode").await;
        assert_eq!(res.status().as_u16(), 303);
    }
);

db_test!(
    hostile_next_values_never_redirect_off_site,
    |app: TestApp| async move {
        for next in [
            "/%09/evil.example",
            "/%5Cevil.example",
            "//evil.example",
            "/%252F%252Fevil.example",
        ] {
            let res = app.get(&format!("/lang/da?next={next}")).await;
            assert_eq!(res.status().as_u16(), 303);
            assert_eq!(location(&res), "/", "{next}");
        }
        app.add_user("kirsten", Role::Consultant).await;
        let res = app
            .post_form(
                "/login",
                &[
                    ("username", "kirsten"),
                    ("password", PASSWORD),
                    ("next", "/\t/evil.example"),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
        assert_eq!(location(&res), "/");
        // A path of the site still works.
        let res = app.get("/lang/en?next=/needs%3Fstatus%3Dnew").await;
        assert_eq!(location(&res), "/needs?status=new");
    }
);

fn at(h: u32, m: u32) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono::Utc.with_ymd_and_hms(2026, 12, 1, h, m, 0).unwrap()
}

db_test!(
    a_session_unused_for_an_hour_ends_and_ended_sessions_are_removed,
    |s: &mut erhverv::config::Settings| {
        s.clock = erhverv::app::Clock::fixed(at(8, 0));
    },
    |app: TestApp| async move {
        use sea_orm::EntityTrait;
        app.signed_in("kirsten", Role::Consultant).await;
        let clock = &app.settings.clock;
        let rows = entity::user_session::Entity::find()
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows[0].id.len(),
            64,
            "stored as its SHA-256, not the cookie's id"
        );
        // Used every 50 minutes, it lives on.
        for (h, m) in [(8, 50), (9, 40), (10, 30)] {
            clock.set(at(h, m));
            assert_eq!(
                app.get("/dashboard").await.status().as_u16(),
                200,
                "{h}:{m}"
            );
        }
        // Unused for 61 minutes: signed out.
        clock.set(at(11, 31));
        let res = app.get("/dashboard").await;
        assert_eq!(res.status().as_u16(), 303);
        assert!(location(&res).starts_with("/login"));
        // The next sign-in removes the ended row.
        app.login("kirsten").await;
        let rows = entity::user_session::Entity::find()
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(rows.len(), 1, "only the new session is left");
        assert_eq!(rows[0].created_at, at(11, 31));
    }
);

db_test!(
    a_secure_session_cookie_is_a_host_cookie,
    |s: &mut erhverv::config::Settings| {
        s.cookie_secure = Some(true);
    },
    |app: TestApp| async move {
        app.add_user("kirsten", Role::Consultant).await;
        let res = app.get("/login").await;
        let cookie = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|c| c.contains("erhverv_session"))
            .expect("a session cookie");
        assert!(cookie.starts_with("__Host-erhverv_session="), "{cookie}");
        assert!(
            cookie.contains("Secure") && cookie.contains("Path=/"),
            "{cookie}"
        );
        assert!(!cookie.contains("Domain="), "{cookie}");
    }
);

db_test!(
    parallel_sign_in_guesses_are_counted_when_they_are_checked,
    |app: TestApp| async move {
        app.add_user("kirsten", Role::Consultant).await;
        let token = app.csrf().await;
        // 20 guesses at once at one account (test_settings: 5 per 15 minutes).
        let guesses = (0..20).map(|i| {
            let (client, url, token) = (app.client.clone(), app.url("/login"), token.clone());
            async move {
                client
                    .post(url)
                    .form(&[
                        ("csrf_token", token.as_str()),
                        ("username", "kirsten"),
                        ("password", &format!("gæt-nummer-{i}")),
                    ])
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        });
        let statuses = futures_util::future::join_all(guesses).await;
        let tried = statuses.iter().filter(|s| **s == 401).count();
        let refused = statuses.iter().filter(|s| **s == 429).count();
        assert_eq!((tried, refused), (5, 15), "{statuses:?}");
        let failed = audit_events(&app)
            .await
            .into_iter()
            .filter(|e| e.action == "login_failed")
            .count();
        assert_eq!(
            failed, 5,
            "only the counted guesses reached a password check"
        );
    }
);

/// A wrong sign-in for `user` as if from `client` (X-Forwarded-For).
async fn guess_from(app: &TestApp, token: &str, user: &str, client: &str) -> u16 {
    app.client
        .post(app.url("/login"))
        .header("x-forwarded-for", client)
        .form(&[
            ("csrf_token", token),
            ("username", user),
            ("password", "forkert-forkert"),
        ])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

db_test!(
    behind_a_trusted_proxy_each_client_address_has_its_own_limit,
    |s: &mut erhverv::config::Settings| {
        s.trusted_proxies = vec!["127.0.0.1".into()];
        // 1 per account, 10 per address.
        s.login_attempts = 1;
    },
    |app: TestApp| async move {
        let token = app.csrf().await;
        for i in 0..10 {
            let user = format!("bruger{i}");
            assert_eq!(guess_from(&app, &token, &user, "198.51.100.7").await, 401);
        }
        assert_eq!(
            guess_from(&app, &token, "bruger-x", "198.51.100.7").await,
            429,
            "the address has used its attempts"
        );
        assert_eq!(
            guess_from(&app, &token, "bruger-y", "198.51.100.8").await,
            401,
            "another client behind the same proxy is not locked out"
        );
        // A spoofed first entry changes nothing: the proxy's entry counts.
        assert_eq!(
            guess_from(&app, &token, "bruger-z", "203.0.113.1, 198.51.100.7").await,
            429
        );
    }
);

db_test!(
    without_trusted_proxies_a_forwarded_header_is_ignored,
    |s: &mut erhverv::config::Settings| {
        s.login_attempts = 1;
    },
    |app: TestApp| async move {
        let token = app.csrf().await;
        for i in 0..10 {
            let client = format!("198.51.100.{i}");
            assert_eq!(
                guess_from(&app, &token, &format!("b{i}"), &client).await,
                401
            );
        }
        assert_eq!(
            guess_from(&app, &token, "b-x", "198.51.100.99").await,
            429,
            "every guess came from 127.0.0.1, whatever the header said"
        );
    }
);

async fn change(app: &TestApp, current: &str, new: &str, again: &str) -> reqwest::Response {
    app.post_form(
        "/account/password",
        &[
            ("current_password", current),
            ("new_password", new),
            ("new_password_again", again),
        ],
    )
    .await
}

db_test!(
    a_staff_member_changes_their_password_with_the_current_one,
    // Sign-ins and password changes share the account's budget.
    |s: &mut erhverv::config::Settings| s.login_attempts = 20,
    |app: TestApp| async move {
        app.signed_in("kirsten", Role::Consultant).await;
        let (other, _) = second_browser(&app, "kirsten", PASSWORD).await;
        let res = change(
            &app,
            "forkert-forkert",
            "lygtepæl-skovsnegl-trommesæt",
            "lygtepæl-skovsnegl-trommesæt",
        )
        .await;
        assert_eq!(res.status().as_u16(), 422);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Den nuværende adgangskode er forkert.")
        );
        let res = change(&app, PASSWORD, "kobenhavn2026", "kobenhavn2026").await;
        assert_eq!(res.status().as_u16(), 422);
        let body = res.text().await.unwrap();
        assert!(body.contains("for let at gætte"), "{body}");
        assert!(
            !body.contains("kobenhavn2026"),
            "a password is never shown again"
        );
        let res = change(
            &app,
            PASSWORD,
            "lygtepæl-skovsnegl-trommesæt",
            "lygtepæl-skovsnegl-trommesaet",
        )
        .await;
        assert_eq!(res.status().as_u16(), 422);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("De to nye adgangskoder er ikke ens.")
        );
        let res = change(
            &app,
            PASSWORD,
            "lygtepæl-skovsnegl-trommesæt",
            "lygtepæl-skovsnegl-trommesæt",
        )
        .await;
        assert_eq!(res.status().as_u16(), 303);
        // This browser stays signed in; the other one is signed out.
        assert_eq!(app.get("/dashboard").await.status().as_u16(), 200);
        let res = other.get(app.url("/dashboard")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 303);
        // The old password no longer signs in; the new one does.
        let (_, res) = second_browser(&app, "kirsten", PASSWORD).await;
        assert_eq!(res.status().as_u16(), 401);
        let (_, res) = second_browser(&app, "kirsten", "lygtepæl-skovsnegl-trommesæt").await;
        assert_eq!(res.status().as_u16(), 303);
        let events = audit_events(&app).await;
        assert!(
            events
                .iter()
                .any(|e| e.detail.as_deref().unwrap_or("").contains("password"))
        );
        assert!(
            events
                .iter()
                .all(|e| !e.detail.as_deref().unwrap_or("").contains("lygtepæl"))
        );
    }
);
