//! Who may use which route: the table in `erhverv::web::access` against the
//! routes registered in the source and against what each route answers.
use std::collections::BTreeSet;

use erhverv::domain::Role;
use erhverv::web::access::ROUTES;
use reqwest::Client;

use crate::db_test;
use crate::helpers::*;

/// (METHOD, path) of every `#[get("…")]` / `#[post("…")]` under src/.
fn registered_routes() -> BTreeSet<(String, String)> {
    fn walk(dir: &std::path::Path, out: &mut BTreeSet<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let src = std::fs::read_to_string(&path).unwrap();
                for (method, marker) in [
                    ("GET", "#[get(\""),
                    ("POST", "#[post(\""),
                    ("PUT", "#[put(\""),
                ] {
                    for (i, _) in src.match_indices(marker) {
                        let rest = &src[i + marker.len()..];
                        let end = rest.find('"').unwrap();
                        out.insert((method.to_string(), rest[..end].to_string()));
                    }
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut out,
    );
    out
}

#[test]
fn every_registered_route_is_in_the_access_table_and_no_other() {
    let registered = registered_routes();
    let table: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    assert!(registered.len() > 40, "the source scan found the routes");
    let missing: Vec<_> = registered.difference(&table).collect();
    assert!(
        missing.is_empty(),
        "routes missing from web::access::ROUTES: {missing:?}"
    );
    let stale: Vec<_> = table.difference(&registered).collect();
    assert!(
        stale.is_empty(),
        "routes in the table that don't exist: {stale:?}"
    );
    assert_eq!(table.len(), ROUTES.len(), "a route is listed twice");
}

/// A path with its parameters filled in.
fn concrete(path: &str, business: i32) -> String {
    path.replace("{id}", &business.to_string())
        .replace("{pid}", "999999")
        .replace("{mid}", "999999")
        .replace("{bid}", "999999")
        .replace("{eid}", "999999")
        .replace("{job}", "nojob")
        .replace("{token}", "notatoken")
        .replace("{username}", "nobody")
        .replace("{code}", "da")
        .replace("{child}", "persons")
}

async fn csrf_of(client: &Client, app: &TestApp, signed_in: bool) -> String {
    let page = client
        .get(app.url(if signed_in { "/dashboard" } else { "/login" }))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    csrf_in(&page)
}

db_test!(
    every_route_answers_only_the_roles_the_table_allows,
    |app: TestApp| async move {
        app.signed_in("admin", Role::Admin).await;
        let business = app.create_business("24256790", "Adgang ApS", "").await;
        let mut visitors: Vec<(Option<Role>, Client, String)> = Vec::new();
        let anonymous = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .unwrap();
        let token = csrf_of(&anonymous, &app, false).await;
        visitors.push((None, anonymous, token));
        for (name, role) in [
            ("raadet", Role::Council),
            ("konsulent", Role::Consultant),
            ("admin2", Role::Admin),
        ] {
            app.add_user(name, role).await;
            let (client, res) = second_browser(&app, name, PASSWORD).await;
            assert_eq!(res.status().as_u16(), 303, "{name} signs in");
            let token = csrf_of(&client, &app, true).await;
            visitors.push((Some(role), client, token));
        }
        // Signing out last: it ends the session the other requests use.
        let mut routes: Vec<_> = ROUTES.to_vec();
        routes.sort_by_key(|(_, p, _)| *p == "/logout");
        let mut wrong = Vec::new();
        for (method, path, access) in routes {
            let url = app.url(&concrete(path, business));
            for (role, client, token) in &visitors {
                let res = match method {
                    "GET" => client.get(&url).send().await.unwrap(),
                    "PUT" => client
                        .put(&url)
                        .json(&serde_json::json!({}))
                        .send()
                        .await
                        .unwrap(),
                    _ => client
                        .post(&url)
                        .form(&[("csrf_token", token.as_str())])
                        .send()
                        .await
                        .unwrap(),
                };
                let status = res.status().as_u16();
                let to_login = status == 303 && location(&res).starts_with("/login");
                let ok = if access.allows(*role) {
                    status != 403 && status < 500 && !(to_login && path != "/logout")
                } else if role.is_none() {
                    to_login || status == 401
                } else {
                    status == 403
                };
                if !ok {
                    wrong.push(format!("{method} {path} as {role:?}: {status}"));
                }
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }
);
