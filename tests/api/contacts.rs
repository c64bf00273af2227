use chrono::{Duration, Utc};
use chrono_tz::Europe::Copenhagen;
use erhverv::domain::Role;

use crate::db_test;
use crate::helpers::*;

async fn a_business(app: &TestApp) -> String {
    let res = app
        .post_form(
            "/businesses",
            &[
                ("cvr", "29189838"),
                ("name", "Østerbro Rengøring ApS"),
                ("company_form", "aps"),
                ("postal_code", "2100"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    location(&res)
}

fn local(days_ago: i64) -> String {
    (Utc::now() - Duration::days(days_ago))
        .with_timezone(&Copenhagen)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

fn date(days_from_now: i64) -> String {
    (Utc::now() + Duration::days(days_from_now))
        .with_timezone(&Copenhagen)
        .format("%Y-%m-%d")
        .to_string()
}

db_test!(
    a_logged_contact_shows_on_the_business_timeline_and_in_my_contacts,
    |app: TestApp| async move {
        app.signed_in("kirsten", Role::Consultant).await;
        let loc = a_business(&app).await;
        let form = app.get_html(&format!("{loc}/contacts/new")).await;
        assert!(form.contains("Registrer kontakt"));
        let when = local(1);
        let res = app
            .post_form(
                &format!("{loc}/contacts"),
                &[
                    ("channel", "visit"),
                    ("occurred_at", &when),
                    ("subject", "Virksomhedsbesøg – fleksjob"),
                    ("notes", "Gode muligheder for fleksjob i køkkenet."),
                    ("outcome", "need_registered"),
                    ("follow_up_on", ""),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
        let page = app.get_html(&loc).await;
        assert!(page.contains("Virksomhedsbesøg – fleksjob"));
        assert!(page.contains("Gode muligheder for fleksjob i køkkenet."));
        assert!(page.contains("Test kirsten"));
        let mine = app.get_html("/contacts/mine").await;
        assert!(mine.contains("Virksomhedsbesøg – fleksjob"));
        assert!(mine.contains("Østerbro Rengøring ApS"));
    }
);

db_test!(
    follow_ups_list_overdue_first_and_can_be_marked_done,
    |app: TestApp| async move {
        app.signed_in("kirsten", Role::Consultant).await;
        let loc = a_business(&app).await;
        for (subject, follow) in [
            ("Senere opfølgning", date(10)),
            ("Forfalden opfølgning", date(-3)),
            ("Dagens opfølgning", date(0)),
        ] {
            let res = app
                .post_form(
                    &format!("{loc}/contacts"),
                    &[
                        ("channel", "phone"),
                        ("occurred_at", &local(7)),
                        ("subject", subject),
                        ("outcome", "follow_up"),
                        ("follow_up_on", &follow),
                    ],
                )
                .await;
            assert_eq!(res.status().as_u16(), 303, "{subject}");
        }
        let page = app.get_html("/followups").await;
        let (a, b, c) = (
            page.find("Forfalden opfølgning").unwrap(),
            page.find("Dagens opfølgning").unwrap(),
            page.find("Senere opfølgning").unwrap(),
        );
        assert!(a < b && b < c, "overdue, then today, then upcoming");
        assert!(page.contains("class=\"overdue\""));
        // Another consultant doesn't see them.
        let token = csrf_in(&page);
        let start = page.find("/followups/").unwrap() + "/followups/".len();
        let id: String = page[start..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let res = app
            .client
            .post(app.url(&format!("/followups/{id}/done")))
            .form(&[("csrf_token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303);
        let page = app.get_html("/followups").await;
        assert!(!page.contains("Forfalden opfølgning"));
        assert!(page.contains("Dagens opfølgning"));
        let home = app.get_html("/").await;
        assert!(
            home.contains("<span class=\"big\">1</span> Mine opfølgninger"),
            "one due today"
        );
    }
);

db_test!(
    an_invalid_contact_is_shown_again_with_messages,
    |app: TestApp| async move {
        app.signed_in("kirsten", Role::Consultant).await;
        let loc = a_business(&app).await;
        let res = app
            .post_form(
                &format!("{loc}/contacts"),
                &[
                    ("channel", "brevdue"),
                    ("occurred_at", "i går"),
                    ("subject", ""),
                    ("outcome", "no_need"),
                    ("follow_up_on", "32-13-2026"),
                    ("notes", "Noter der skal bevares"),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 422);
        let body = res.text().await.unwrap();
        for f in ["channel", "occurred_at", "subject", "follow_up_on"] {
            assert!(body.contains(&format!("id=\"f-{f}-error\"")), "{f}");
        }
        assert!(body.contains("Noter der skal bevares"));
        assert!(body.contains("value=\"i går\""));
        let future = (Utc::now() + Duration::days(3))
            .with_timezone(&Copenhagen)
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let res = app
            .post_form(
                &format!("{loc}/contacts"),
                &[
                    ("channel", "phone"),
                    ("occurred_at", &future),
                    ("subject", "x"),
                    ("outcome", "no_need"),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 422);
        assert!(res.text().await.unwrap().contains("fremtiden"));
        assert!(!app.get_html(&loc).await.contains("Noter der skal bevares"));
    }
);
