//! The public form and the sign-in against what an attacker tries (issue
//! 13): replayed pages, parallel posts, mail bombing through receipts,
//! name lookups, posts without a session. Every limit is hit in parallel.
use entity::{outbox_email, recruitment_need};
use futures_util::future::join_all;
use reqwest::{Client, redirect::Policy};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::db_test;
use crate::helpers::*;

fn open(s: &mut erhverv::config::Settings) {
    s.need_min_fill_seconds = 0;
    s.need_submissions_per_hour = 1000;
}

fn browser() -> Client {
    Client::builder()
        .redirect(Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

/// A separate visitor: opens the form (its own session and ticket) and
/// returns the client and the page's CSRF token.
pub(crate) async fn visitor(app: &TestApp) -> (Client, String) {
    let client = browser();
    let page = client
        .get(app.url("/rekruttering"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_in(&page);
    (client, token)
}

pub(crate) async fn post(
    app: &TestApp,
    client: &Client,
    token: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let mut all = vec![("csrf_token", token)];
    all.extend_from_slice(fields);
    let res = client
        .post(app.url("/rekruttering"))
        .form(&all)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// `valid(idem)` with some fields replaced.
fn with<'a>(idem: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = valid(idem);
    f.retain(|(k, _)| !changes.iter().any(|(c, _)| c == k));
    f.extend_from_slice(changes);
    f
}

async fn receipts(app: &TestApp) -> Vec<outbox_email::Model> {
    outbox_email::Entity::find()
        .filter(outbox_email::Column::Template.eq("need_receipt"))
        .all(&app.db)
        .await
        .unwrap()
}

async fn need_count(app: &TestApp) -> u64 {
    recruitment_need::Entity::find()
        .count(&app.db)
        .await
        .unwrap()
}

db_test!(
    one_form_page_replayed_in_parallel_with_fresh_tokens_stores_one_need,
    open,
    |app: TestApp| async move {
        let (client, token) = visitor(&app).await;
        // 30 posts at once of the one page's cookie, CSRF token and ticket,
        // each with a fresh idempotency token.
        let idems: Vec<String> = (0..30).map(|i| format!("replay{i}")).collect();
        let posts = idems.iter().map(|idem| {
            let (client, token) = (client.clone(), token.clone());
            let app = &app;
            async move { post(app, &client, &token, &valid(idem)).await.0 }
        });
        let statuses = join_all(posts).await;
        assert!(
            statuses.iter().all(|s| *s == 303 || *s == 422),
            "{statuses:?}"
        );
        assert_eq!(need_count(&app).await, 1, "{statuses:?}");
        assert_eq!(receipts(&app).await.len(), 1, "one receipt");
        // The page can't be sent again afterwards either: the person is
        // shown the form again with what they typed.
        let (status, page) = post(&app, &client, &token, &valid("replay-late")).await;
        assert_eq!(status, 422);
        assert!(page.contains("allerede sendt eller udløbet"), "{page}");
        assert!(page.contains("Gerne hurtigt"), "what was typed is kept");
        assert_eq!(need_count(&app).await, 1);
    }
);

db_test!(
    receipts_to_one_address_stop_at_the_limit_even_in_parallel,
    |s: &mut erhverv::config::Settings| {
        open(s);
        s.need_receipts_per_address = 3;
    },
    |app: TestApp| async move {
        let mut visitors = Vec::new();
        for _ in 0..8 {
            visitors.push(visitor(&app).await);
        }
        // Eight forms at once, one victim's address; the case of the
        // address doesn't make it another.
        let cvrs: Vec<String> = (0..8).map(|i| crate::api::cvr(40_000 + i * 100)).collect();
        let posts = visitors
            .iter()
            .zip(&cvrs)
            .enumerate()
            .map(|(i, ((client, token), cvr))| {
                let app = &app;
                async move {
                    let idem = format!("bomb{i}");
                    let email = if i % 2 == 0 {
                        "offer@example.dk"
                    } else {
                        "Offer@Example.dk"
                    };
                    let f = with(&idem, &[("cvr", cvr.as_str()), ("contact_email", email)]);
                    post(app, client, token, &f).await.0
                }
            });
        let statuses = join_all(posts).await;
        assert!(statuses.iter().all(|s| *s == 303), "{statuses:?}");
        assert_eq!(need_count(&app).await, 8, "every need is stored");
        let sent = receipts(&app).await;
        assert_eq!(sent.len(), 3, "three receipts to the address");
        assert!(sent.iter().all(|m| m.recipient == "offer@example.dk"));
        // A person whose receipt was held back is told so.
        let mut told = 0;
        for (client, _) in &visitors {
            let page = client
                .get(app.url("/rekruttering/tak"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(page.contains("id=\"reference\""), "the reference is shown");
            if page.contains("vi sender ikke en ny") {
                told += 1;
            }
        }
        assert_eq!(told, 5);
    }
);

db_test!(
    receipts_for_one_cvr_number_stop_at_the_limit_even_in_parallel,
    |s: &mut erhverv::config::Settings| {
        open(s);
        s.need_receipts_per_cvr = 2;
    },
    |app: TestApp| async move {
        let mut visitors = Vec::new();
        for _ in 0..6 {
            visitors.push(visitor(&app).await);
        }
        let emails: Vec<String> = (0..6).map(|i| format!("person{i}@example.dk")).collect();
        let posts =
            visitors
                .iter()
                .zip(&emails)
                .enumerate()
                .map(|(i, ((client, token), email))| {
                    let app = &app;
                    async move {
                        let idem = format!("cvr{i}");
                        post(
                            app,
                            client,
                            token,
                            &with(&idem, &[("contact_email", email.as_str())]),
                        )
                        .await
                        .0
                    }
                });
        let statuses = join_all(posts).await;
        assert!(statuses.iter().all(|s| *s == 303), "{statuses:?}");
        assert_eq!(need_count(&app).await, 6);
        assert_eq!(
            receipts(&app).await.len(),
            2,
            "two receipts for the CVR number"
        );
    }
);

db_test!(
    the_receipt_repeats_nothing_the_submitter_typed,
    open,
    |app: TestApp| async move {
        let (client, token) = visitor(&app).await;
        let f = with(
            "phish",
            &[
                ("contact_name", "Klik her: https://evil.example/login"),
                ("company_name", "Opdater jeres NemID nu"),
                ("job_title", "Se vedhæftede faktura"),
            ],
        );
        assert_eq!(post(&app, &client, &token, &f).await.0, 303);
        let mail = receipts(&app).await.pop().expect("a receipt");
        let need = recruitment_need::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        for part in [&mail.subject, &mail.body_text, &mail.body_html] {
            for typed in ["evil.example", "Klik her", "NemID", "faktura", "Søren"] {
                assert!(!part.contains(typed), "{typed} in the receipt: {part}");
            }
            assert!(part.contains(&need.reference), "the reference");
        }
        assert!(mail.body_text.contains("Hvad sker der nu"));
        assert!(mail.body_text.contains("/rekruttering/bekraeft/"));
    }
);

db_test!(
    a_post_without_a_session_is_told_so_and_keeps_what_was_typed,
    // The default fill timer: the form shown again can be sent at once.
    |s: &mut erhverv::config::Settings| s.need_submissions_per_hour = 1000,
    |app: TestApp| async move {
        // Cookies blocked: the post carries no session.
        let client = browser();
        let (status, page) = post(&app, &client, "made-up", &valid("nocookie")).await;
        assert_eq!(status, 400);
        assert!(page.contains("cookie"), "{page}");
        assert!(
            page.contains("value=\"Åbent Værksted\""),
            "typed values kept"
        );
        assert!(page.contains("Gerne hurtigt"));
        assert_eq!(need_count(&app).await, 0);
        // With cookies on, sending the re-shown form works.
        let token = csrf_in(&page);
        let (status, _) = post(&app, &client, &token, &valid("nocookie")).await;
        assert_eq!(status, 303);
        assert_eq!(need_count(&app).await, 1);
    }
);

db_test!(
    a_lookup_never_shows_the_name_of_a_protected_business_or_a_sole_trader,
    open,
    |app: TestApp| async move {
        app.signed_in("kirsten", erhverv::domain::Role::Consultant)
            .await;
        let protected = crate::api::cvr(51_000);
        let sole = crate::api::cvr(52_000);
        for (cvr, name, form, flag) in [
            (&protected, "Hemmelig Handel ApS", "aps", Some("on")),
            (&sole, "Jens Jensens Tømrerfirma", "enk", None),
        ] {
            let mut f = vec![
                ("cvr", cvr.as_str()),
                ("name", name),
                ("company_form", form),
                ("active", "on"),
            ];
            if let Some(v) = flag {
                f.push(("advertising_protected", v));
            }
            assert_eq!(
                app.post_form("/businesses", &f).await.status().as_u16(),
                303
            );
        }
        let (client, token) = visitor(&app).await;
        for (cvr, name) in [(&protected, "Hemmelig"), (&sole, "Jensen")] {
            let f = with(
                "look",
                &[
                    ("cvr", cvr.as_str()),
                    ("company_name", ""),
                    ("action", "lookup"),
                ],
            );
            let (status, page) = post(&app, &client, &token, &f).await;
            assert_eq!(status, 200);
            assert!(!page.contains(name), "{name} revealed: {page}");
            assert!(page.contains("Vi kender CVR-nummeret"), "{page}");
        }
        // A name a stranger typed into the form for a new CVR number isn't
        // shown to the next visitor either.
        let planted = crate::api::cvr(53_000);
        let f = with(
            "plant",
            &[
                ("cvr", planted.as_str()),
                ("company_name", "Klik her evil.example"),
            ],
        );
        assert_eq!(post(&app, &client, &token, &f).await.0, 303);
        let (other, token) = visitor(&app).await;
        let f = with(
            "look2",
            &[
                ("cvr", planted.as_str()),
                ("company_name", ""),
                ("action", "lookup"),
            ],
        );
        let (_, page) = post(&app, &other, &token, &f).await;
        assert!(!page.contains("evil.example"), "{page}");
        assert!(page.contains("Vi kender CVR-nummeret"), "{page}");
    }
);

db_test!(
    lookups_and_submissions_share_one_budget_counted_in_parallel,
    |s: &mut erhverv::config::Settings| {
        s.need_min_fill_seconds = 0;
        s.need_submissions_per_hour = 4;
    },
    |app: TestApp| async move {
        let (client, token) = visitor(&app).await;
        let posts = (0..12).map(|i| {
            let (client, token) = (client.clone(), token.clone());
            let app = &app;
            async move {
                let action = if i % 2 == 0 { "lookup" } else { "submit" };
                let idem = format!("budget{i}");
                post(app, &client, &token, &with(&idem, &[("action", action)]))
                    .await
                    .0
            }
        });
        let statuses = join_all(posts).await;
        let limited = statuses.iter().filter(|s| **s == 429).count();
        assert_eq!(limited, 8, "four pass, lookups included: {statuses:?}");
    }
);

db_test!(
    sign_in_guesses_at_many_accounts_from_one_address_are_counted_in_parallel,
    |s: &mut erhverv::config::Settings| {
        // 1 per account, 10 per address.
        s.login_attempts = 1;
    },
    |app: TestApp| async move {
        let token = app.csrf().await;
        let guesses = (0..16).map(|i| {
            let (client, url, token) = (app.client.clone(), app.url("/login"), token.clone());
            async move {
                client
                    .post(url)
                    .form(&[
                        ("csrf_token", token.as_str()),
                        ("username", &format!("bruger{i}")),
                        ("password", "forkert-forkert"),
                    ])
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        });
        let statuses = join_all(guesses).await;
        let tried = statuses.iter().filter(|s| **s == 401).count();
        assert_eq!(tried, 10, "{statuses:?}");
    }
);

db_test!(
    failed_sign_ins_at_an_account_wait_longer_and_longer,
    |s: &mut erhverv::config::Settings| s.login_attempts = 10,
    |app: TestApp| async move {
        app.add_user("kirsten", erhverv::domain::Role::Consultant)
            .await;
        let token = app.csrf().await;
        let guess = |password: &'static str| {
            let (client, url, token) = (app.client.clone(), app.url("/login"), token.clone());
            async move {
                let started = std::time::Instant::now();
                let status = client
                    .post(url)
                    .form(&[
                        ("csrf_token", token.as_str()),
                        ("username", "kirsten"),
                        ("password", password),
                    ])
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16();
                (status, started.elapsed())
            }
        };
        for _ in 0..3 {
            assert_eq!(guess("forkert-forkert").await.0, 401);
        }
        // The fourth guess waits at least a second before it is checked,
        // the fifth at least two (lower bounds: a slow machine only adds).
        let (status, waited) = guess("forkert-forkert").await;
        assert_eq!(status, 401);
        assert!(
            waited >= std::time::Duration::from_millis(1000),
            "{waited:?}"
        );
        let (status, waited) = guess("forkert-forkert").await;
        assert_eq!(status, 401);
        assert!(
            waited >= std::time::Duration::from_millis(2000),
            "{waited:?}"
        );
        // The right password still signs in (after its wait), and ends the
        // delay for the next time.
        assert_eq!(guess(PASSWORD).await.0, 303);
    }
);
