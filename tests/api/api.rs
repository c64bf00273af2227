//! The JSON API: tokens and their scopes, a round trip per resource, every
//! error status with its body, `If-Match`, the audit of every call, and the
//! OpenAPI document checked against the routes and the responses.
use entity::{api_token, audit_event};
use erhverv::domain::Role;
use reqwest::{Client, Method, Response};
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::db_test;
use crate::helpers::*;

/// A valid CVR number (modulus 11) from a seven-digit start.
pub fn cvr(n: u32) -> String {
    let mut start = 1_000_000 + n;
    loop {
        let digits: Vec<u32> = format!("{start:07}")
            .chars()
            .map(|c| c.to_digit(10).unwrap())
            .collect();
        let sum: u32 = digits
            .iter()
            .zip([2, 7, 6, 5, 4, 3, 2])
            .map(|(d, w)| d * w)
            .sum();
        let check = (11 - sum % 11) % 11;
        if check < 10 {
            return format!("{start:07}{check}");
        }
        start += 1;
    }
}

/// Makes a token on the admin page (signed in as an admin) with these
/// (area, level) scopes; its value, read off the page.
pub(crate) async fn token(app: &TestApp, name: &str, scopes: &[(&str, &str)]) -> String {
    let mut f = vec![("name", name)];
    f.extend_from_slice(scopes);
    let res = app.post_form("/admin/api-tokens", &f).await;
    assert_eq!(res.status().as_u16(), 200, "the token is made");
    let page = res.text().await.unwrap();
    let start = page.find("value=\"erh_").expect("the token is shown") + 7;
    page[start..start + 68].to_string()
}

struct Api<'a> {
    app: &'a TestApp,
    http: Client,
    token: String,
}

impl<'a> Api<'a> {
    fn new(app: &'a TestApp, token: &str) -> Self {
        Api {
            app,
            http: Client::new(),
            token: token.to_string(),
        }
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Response {
        let mut req = self
            .http
            .request(method, self.app.url(path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.unwrap()
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let res = self.call(Method::GET, path, None).await;
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn send(&self, method: Method, path: &str, body: Value) -> (u16, Value) {
        let res = self.call(method, path, Some(body)).await;
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn put(&self, path: &str, etag: Option<&str>, body: Value) -> Response {
        let mut req = self
            .http
            .put(self.app.url(path))
            .bearer_auth(&self.token)
            .json(&body);
        if let Some(tag) = etag {
            req = req.header("if-match", tag);
        }
        req.send().await.unwrap()
    }
}

fn business_body(cvr: &str, name: &str) -> Value {
    json!({
        "cvr": cvr,
        "name": name,
        "company_form": "aps",
        "street": "Nørrebrogade 45",
        "postal_code": "2200",
        "city": "København N",
        "employees": 12,
        "segments": ["tourism"],
    })
}

fn etag(res: &Response) -> String {
    res.headers()
        .get("etag")
        .expect("an ETag")
        .to_str()
        .unwrap()
        .to_string()
}

pub(crate) const ALL_WRITE: [(&str, &str); 5] = [
    ("businesses", "write"),
    ("contacts", "write"),
    ("needs", "write"),
    ("placements", "write"),
    ("initiatives", "write"),
];

db_test!(
    an_admin_makes_a_token_that_is_shown_once_and_stored_only_hashed,
    |app: TestApp| async move {
        app.signed_in("admin", Role::Admin).await;
        let t = token(&app, "Sagssystem", &[("businesses", "read")]).await;
        assert!(t.starts_with("erh_"));
        let stored = api_token::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].name, "Sagssystem");
        assert_ne!(stored[0].token_hash, t, "the value is not stored");
        assert!(!stored[0].token_hash.contains(&t[4..]));
        let page = app.get_html("/admin/api-tokens").await;
        assert!(page.contains("Sagssystem"));
        assert!(!page.contains(&t), "shown once only");
        // A token needs a name and some access; the form says so.
        let res = app
            .post_form("/admin/api-tokens", &[("name", ""), ("businesses", "none")])
            .await;
        assert_eq!(res.status().as_u16(), 422);
        let page = res.text().await.unwrap();
        assert!(page.contains("Feltet skal udfyldes."));
    }
);

db_test!(
    a_business_round_trips_through_the_api_with_etags_and_every_error_has_its_body,
    |app: TestApp| async move {
        app.signed_in("admin", Role::Admin).await;
        let api = Api::new(&app, &token(&app, "Hub", &ALL_WRITE).await);
        // Create: 201, Location, ETag, the stored fields.
        let res = api
            .call(
                Method::POST,
                "/api/v1/businesses",
                Some(business_body("24256790", "Havnens Hotel")),
            )
            .await;
        assert_eq!(res.status().as_u16(), 201);
        let location = location(&res);
        let tag = etag(&res);
        let created: Value = res.json().await.unwrap();
        let id = created["id"].as_i64().unwrap();
        assert_eq!(location, format!("/api/v1/businesses/{id}"));
        assert_eq!(created["cvr"], "24256790");
        assert_eq!(created["district"], "norrebro", "derived as on the form");
        assert_eq!(created["segments"], json!(["tourism"]));
        // Read: the same version.
        let res = api.call(Method::GET, &location, None).await;
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(etag(&res), tag);
        // Update with If-Match: a new version.
        let mut body = business_body("24256790", "Havnens Hotel ApS");
        body["employees"] = json!(30);
        let res = api.put(&location, Some(&tag), body.clone()).await;
        assert_eq!(res.status().as_u16(), 200);
        let newer = etag(&res);
        assert_ne!(newer, tag);
        let updated: Value = res.json().await.unwrap();
        assert_eq!(updated["name"], "Havnens Hotel ApS");
        assert_eq!(updated["employees"], 30);
        // The old version again: 412, nothing written.
        body["name"] = json!("Overskrevet");
        let res = api.put(&location, Some(&tag), body.clone()).await;
        assert_eq!(res.status().as_u16(), 412);
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["error"], "precondition_failed");
        assert!(problem["message"].as_str().unwrap().contains("ændret"));
        let (_, now) = api.get(&location).await;
        assert_eq!(
            now["name"], "Havnens Hotel ApS",
            "the stale write was refused"
        );
        // Without If-Match: 428.
        let res = api.put(&location, None, body).await;
        assert_eq!(res.status().as_u16(), 428);
        // The same CVR again: 409 with the existing record.
        let (status, problem) = api
            .send(
                Method::POST,
                "/api/v1/businesses",
                business_body("24256790", "Igen"),
            )
            .await;
        assert_eq!(status, 409);
        assert_eq!(problem["error"], "conflict");
        assert_eq!(problem["existing"], location.as_str());
        assert_eq!(problem["fields"][0]["field"], "cvr");
        // Invalid fields: 422 with every field's code, in English on request.
        let res = api
            .http
            .post(app.url("/api/v1/businesses"))
            .bearer_auth(&api.token)
            .header("accept-language", "en-GB,en;q=0.9")
            .json(&json!({"cvr": "24256791", "name": "", "company_form": "aps", "email": "nej"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 422);
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["error"], "invalid");
        let codes: Vec<(String, String)> = problem["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["field"].as_str().unwrap().to_string(),
                    f["code"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        for want in [
            ("cvr", "cvr_checksum"),
            ("name", "required"),
            ("email", "email_format"),
        ] {
            assert!(
                codes.contains(&(want.0.to_string(), want.1.to_string())),
                "{want:?} in {codes:?}"
            );
        }
        assert_eq!(
            problem["message"],
            "Some fields are not filled in correctly."
        );
        // A body that isn't the schema: 400 saying why.
        let res = api
            .http
            .post(app.url("/api/v1/businesses"))
            .bearer_auth(&api.token)
            .header("content-type", "application/json")
            .body("{\"cvr\": 24256790")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 400);
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["error"], "bad_request");
        let mut unknown = business_body("25313763", "Ukendt felt");
        unknown["colour"] = json!("blå");
        let (status, problem) = api.send(Method::POST, "/api/v1/businesses", unknown).await;
        assert_eq!(status, 400);
        assert!(problem["message"].as_str().unwrap().contains("colour"));
        // Not found, and ids that can't be ours.
        for path in [
            "/api/v1/businesses/999999",
            "/api/v1/businesses/-1",
            "/api/v1/businesses/x",
        ] {
            let (status, problem) = api.get(path).await;
            assert_eq!(status, 404, "{path}");
            assert_eq!(problem["error"], "not_found");
        }
        // P-units and contact persons.
        let (status, detail) = api
            .send(
                Method::POST,
                &format!("{location}/p-units"),
                json!({"p_number": "1012345678", "street": "Nørrebrogade 45", "postal_code": "2200", "employees": 8}),
            )
            .await;
        assert_eq!(status, 201, "{detail}");
        assert_eq!(detail["p_units"][0]["p_number"], "1012345678");
        let (status, detail) = api
            .send(
                Method::POST,
                &format!("{location}/persons"),
                json!({"name": "Mette Holm", "email": "mette@havnenshotel.dk", "primary": true}),
            )
            .await;
        assert_eq!(status, 201);
        assert_eq!(detail["persons"][0]["name"], "Mette Holm");
        assert_eq!(detail["persons"][0]["primary"], true);
        // A P-number another business has: 409 with that business.
        let (_, other) = api
            .send(
                Method::POST,
                "/api/v1/businesses",
                business_body("10150817", "Anden ApS"),
            )
            .await;
        let (status, problem) = api
            .send(
                Method::POST,
                &format!("/api/v1/businesses/{}/p-units", other["id"]),
                json!({"p_number": "1012345678"}),
            )
            .await;
        assert_eq!(status, 409);
        assert_eq!(problem["existing"], location.as_str());
    }
);

db_test!(
    the_business_list_takes_the_pages_filters_and_pages_by_cursor,
    |app: TestApp| async move {
        app.signed_in("admin", Role::Admin).await;
        let api = Api::new(
            &app,
            &token(&app, "Rapportering", &[("businesses", "write")]).await,
        );
        for (i, (street, postal)) in [
            ("Nørrebrogade 1", "2200"),
            ("Amagerbrogade 2", "2300"),
            ("Nørrebrogade 3", "2200"),
            ("Nørrebrogade 5", "2200"),
        ]
        .iter()
        .enumerate()
        {
            let mut b = business_body(&cvr(i as u32 * 7), &format!("Firma {i}"));
            b["street"] = json!(street);
            b["postal_code"] = json!(postal);
            let (status, body) = api.send(Method::POST, "/api/v1/businesses", b).await;
            assert_eq!(status, 201, "{body}");
        }
        let (status, page) = api
            .get("/api/v1/businesses?district=norrebro&limit=2")
            .await;
        assert_eq!(status, 200);
        let names: Vec<&str> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Firma 0", "Firma 2"]);
        let next = page["next"].as_str().expect("more follow");
        let (_, page) = api
            .get(&format!(
                "/api/v1/businesses?district=norrebro&limit=2&after={next}"
            ))
            .await;
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
        assert_eq!(page["items"][0]["name"], "Firma 3");
        assert!(page["next"].is_null(), "the last page");
        for bad in [
            "limit=0",
            "limit=1000",
            "after=x",
            "after=-5",
            "district=atlantis",
            "status=gone",
            "consultant=me",
        ] {
            let (status, problem) = api.get(&format!("/api/v1/businesses?{bad}")).await;
            assert_eq!(status, 400, "{bad}");
            assert_eq!(problem["error"], "bad_request");
        }
    }
);

db_test!(
    tokens_need_their_scope_a_revoked_token_stops_at_once_and_sessions_only_read,
    |app: TestApp| async move {
        app.signed_in("admin", Role::Admin).await;
        let reader = token(&app, "Læser", &[("businesses", "read")]).await;
        let api = Api::new(&app, &reader);
        let (status, _) = api.get("/api/v1/businesses").await;
        assert_eq!(status, 200);
        let (status, problem) = api
            .send(
                Method::POST,
                "/api/v1/businesses",
                business_body("24256790", "Må ikke"),
            )
            .await;
        assert_eq!(status, 403);
        assert_eq!(problem["error"], "forbidden");
        for path in [
            "/api/v1/needs",
            "/api/v1/placements",
            "/api/v1/contacts",
            "/api/v1/figures",
        ] {
            assert_eq!(api.get(path).await.0, 403, "{path}");
        }
        // No token, a wrong one, a malformed header: 401 with its challenge.
        let anonymous = Client::new();
        for auth in [None, Some("Bearer erh_00"), Some("Basic YWRtaW46eA==")] {
            let mut req = anonymous.get(app.url("/api/v1/businesses"));
            if let Some(a) = auth {
                req = req.header("authorization", a);
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status().as_u16(), 401, "{auth:?}");
            assert!(res.headers().contains_key("www-authenticate"));
            let problem: Value = res.json().await.unwrap();
            assert_eq!(problem["error"], "unauthorized");
        }
        // The scheme's name is case-insensitive.
        let res = anonymous
            .get(app.url("/api/v1/businesses"))
            .header("authorization", format!("bearer {reader}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
        // Needs in search only with the needs scope.
        assert_eq!(api.get("/api/v1/search?q=x&kind=need").await.0, 403);
        // A path or method that isn't there: JSON too.
        let res = api.call(Method::DELETE, "/api/v1/businesses", None).await;
        assert_eq!(res.status().as_u16(), 405);
        assert_eq!(res.headers()["allow"], "GET, POST");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["error"], "method_not_allowed");
        let (status, problem) = api.get("/api/v1/nothing/here").await;
        assert_eq!(status, 404);
        assert_eq!(problem["error"], "not_found");
        for bad in [
            "page=0",
            "page=2147483648",
            "kind=person",
            "district=atlantis",
        ] {
            assert_eq!(
                api.get(&format!("/api/v1/search?q=x&{bad}")).await.0,
                400,
                "{bad}"
            );
        }
        // Revoked on the admin page: the next call is refused.
        let id = api_token::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .id;
        let res = app
            .post_form(&format!("/admin/api-tokens/{id}/revoke"), &[])
            .await;
        assert_eq!(res.status().as_u16(), 303);
        assert_eq!(api.get("/api/v1/businesses").await.0, 401);
        // A consultant's session reads; changing needs a token.
        app.signed_in("konsulent", Role::Consultant).await;
        let res = app.get("/api/v1/businesses").await;
        assert_eq!(res.status().as_u16(), 200);
        let cookie = app.cookie_header().unwrap();
        let res = Client::new()
            .post(app.url("/api/v1/businesses"))
            .header("cookie", cookie)
            .json(&business_body("24256790", "Via session"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 403);
        let problem: Value = res.json().await.unwrap();
        assert!(problem["message"].as_str().unwrap().contains("API-nøgle"));
        // Placements (possibly health data) only with a token that has the scope.
        assert_eq!(app.get("/api/v1/placements").await.status().as_u16(), 403);
        // The council reads aggregates only.
        app.signed_in("raadet", Role::Council).await;
        assert_eq!(app.get("/api/v1/businesses").await.status().as_u16(), 403);
    }
);

db_test!(
    every_call_with_a_token_is_in_the_audit_log_under_its_name,
    |app: TestApp| async move {
        app.signed_in("admin", Role::Admin).await;
        let api = Api::new(&app, &token(&app, "Jobordre-hub", &ALL_WRITE).await);
        let (_, b) = api
            .send(
                Method::POST,
                "/api/v1/businesses",
                business_body("24256790", "Revideret ApS"),
            )
            .await;
        let id = b["id"].as_i64().unwrap() as i32;
        api.get(&format!("/api/v1/businesses/{id}")).await;
        api.get("/api/v1/businesses?district=norrebro").await;
        let token_id = api_token::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .id;
        let by_token: Vec<audit_event::Model> = audit_events(&app)
            .await
            .into_iter()
            .filter(|e| e.api_token_id == Some(token_id))
            .collect();
        let calls: Vec<(String, Option<i32>)> = by_token
            .iter()
            .filter(|e| e.action == "api_call")
            .map(|e| {
                let d: Value = serde_json::from_str(e.detail.as_deref().unwrap()).unwrap();
                assert_eq!(d["token"], "Jobordre-hub");
                (d["route"].as_str().unwrap().to_string(), e.entity_id)
            })
            .collect();
        assert_eq!(
            calls,
            [
                ("/api/v1/businesses".to_string(), None),
                ("/api/v1/businesses/{id}".to_string(), Some(id)),
                ("/api/v1/businesses".to_string(), None),
            ]
        );
        assert!(
            by_token
                .iter()
                .any(|e| e.action == "create" && e.entity == "business" && e.entity_id == Some(id)),
            "the change itself is the token's"
        );
        assert!(by_token.iter().all(|e| e.user_id.is_none()));
        let page = app.get_html("/admin/audit").await;
        assert!(page.contains("API-nøgle: Jobordre-hub"));
        // Query strings are not logged: nothing personal in the log.
        assert!(
            by_token
                .iter()
                .all(|e| !e.detail.as_deref().unwrap_or("").contains("norrebro"))
        );
    }
);

db_test!(
    placements_need_the_placements_scope_and_every_read_is_audited,
    |app: TestApp| async move {
        let me = app.signed_in("admin", Role::Admin).await;
        let b = app.create_business("24256790", "Praktik ApS", "12").await;
        let other = Api::new(&app, &token(&app, "Uden", &[("businesses", "write")]).await);
        assert_eq!(other.get("/api/v1/placements").await.0, 403);
        let api = Api::new(
            &app,
            &token(&app, "Jobcenter", &[("placements", "write")]).await,
        );
        let body = json!({
            "business_id": b, "kind": "virksomhedspraktik", "case_ref": "KBH-2024-00123",
            "target_group": "oevrige", "start_date": "2026-12-01", "planned_end": "2027-01-15",
            "hours": 20, "status": "planned", "consultant_id": me,
        });
        let (status, p) = api
            .send(Method::POST, "/api/v1/placements", body.clone())
            .await;
        assert_eq!(status, 201, "{p}");
        assert_eq!(p["case_ref"], "KBH-2024-00123");
        assert_eq!(p["hours"], 20.0);
        let id = p["id"].as_i64().unwrap() as i32;
        // A CPR number in any field is refused, as on the form.
        let mut cpr = body.clone();
        cpr["notes"] = json!("borger 010190-1234");
        let (status, problem) = api.send(Method::POST, "/api/v1/placements", cpr).await;
        assert_eq!(status, 422);
        assert_eq!(problem["fields"][0]["code"], "looks_like_cpr");
        let res = api
            .call(Method::GET, &format!("/api/v1/placements/{id}"), None)
            .await;
        assert_eq!(res.status().as_u16(), 200);
        let tag = etag(&res);
        let (status, page) = api.get("/api/v1/placements").await;
        assert_eq!(status, 200);
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
        let mut changed = body.clone();
        changed["status"] = json!("active");
        let res = api
            .put(
                &format!("/api/v1/placements/{id}"),
                Some(&tag),
                changed.clone(),
            )
            .await;
        assert_eq!(res.status().as_u16(), 200);
        let res = api
            .put(&format!("/api/v1/placements/{id}"), Some(&tag), changed)
            .await;
        assert_eq!(res.status().as_u16(), 412, "the version read is gone");
        let reads: Vec<Value> = audit_events(&app)
            .await
            .into_iter()
            .filter(|e| e.action == "read" && e.entity == "placement")
            .map(|e| serde_json::from_str(e.detail.as_deref().unwrap()).unwrap())
            .collect();
        assert_eq!(reads.len(), 2, "the read and the list");
        assert!(
            reads
                .iter()
                .all(|d| d["view"] == "api" && d["ids"] == json!([id]))
        );
    }
);

db_test!(
    needs_contacts_and_initiatives_round_trip_through_the_api,
    |app: TestApp| async move {
        let me = app.signed_in("admin", Role::Admin).await;
        let api = Api::new(&app, &token(&app, "Hub", &ALL_WRITE).await);
        // A need, entered twice with one key: one need.
        let need = json!({
            "source": "email", "cvr": "24256790", "company_name": "Åbent Værksted",
            "contact_name": "Søren Ærø", "contact_email": "soeren@aabentvaerksted.dk",
            "job_title": "Tømrer", "positions": 2, "open_flex_job": true,
            "idempotency_key": "hub0001",
        });
        let (status, n) = api.send(Method::POST, "/api/v1/needs", need.clone()).await;
        assert_eq!(status, 201, "{n}");
        assert!(n["reference"].as_str().unwrap().starts_with("RB-"));
        assert_eq!(n["source"], "email");
        assert_eq!(n["open_flex_job"], true);
        let (_, again) = api.send(Method::POST, "/api/v1/needs", need.clone()).await;
        assert_eq!(again["id"], n["id"], "the same key stores one need");
        let other = Api::new(
            &app,
            &token(&app, "Andet system", &[("needs", "write")]).await,
        );
        let (status, theirs) = other.send(Method::POST, "/api/v1/needs", need).await;
        assert_eq!(status, 201);
        assert_ne!(theirs["id"], n["id"], "another system's key is its own");
        let (status, problem) = api
            .send(Method::POST, "/api/v1/needs", json!({"cvr": "1", "company_name": "", "contact_name": "x", "contact_email": "x", "job_title": "x", "positions": 0}))
            .await;
        assert_eq!(status, 422);
        assert!(problem["fields"].as_array().unwrap().len() >= 3);
        let path = format!("/api/v1/needs/{}", n["id"]);
        let res = api.call(Method::GET, &path, None).await;
        let tag = etag(&res);
        let res = api
            .put(
                &path,
                Some(&tag),
                json!({"status": "in_progress", "assigned_to": me, "note": "Ringet op"}),
            )
            .await;
        assert_eq!(res.status().as_u16(), 200);
        let moved: Value = res.json().await.unwrap();
        assert_eq!(moved["status"], "in_progress");
        assert_eq!(moved["assigned_to"], me);
        let (status, list) = api.get("/api/v1/needs?status=in_progress").await;
        assert_eq!(status, 200);
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        // A move without an assignee keeps the one there.
        let res = api.call(Method::GET, &path, None).await;
        let tag = etag(&res);
        let res = api
            .put(&path, Some(&tag), json!({"status": "candidates_proposed"}))
            .await;
        let moved: Value = res.json().await.unwrap();
        assert_eq!(moved["assigned_to"], me, "{moved}");
        // A contact: a token says whose it was.
        let business = n["business_id"].as_i64().unwrap();
        let contact = json!({
            "business_id": business, "channel": "phone", "occurred_at": "2026-11-30T10:30",
            "subject": "Opfølgning på behov", "outcome": "information",
        });
        let (status, problem) = api
            .send(Method::POST, "/api/v1/contacts", contact.clone())
            .await;
        assert_eq!(status, 422);
        assert_eq!(problem["fields"][0]["field"], "consultant_id");
        let mut contact = contact;
        contact["consultant_id"] = json!(me);
        let (status, c) = api.send(Method::POST, "/api/v1/contacts", contact).await;
        assert_eq!(status, 201, "{c}");
        assert_eq!(c["consultant_id"], me);
        let (_, list) = api
            .get(&format!("/api/v1/contacts?business_id={business}"))
            .await;
        assert_eq!(list["items"][0]["id"], c["id"]);
        let path = format!("/api/v1/contacts/{}", c["id"]);
        let res = api.call(Method::GET, &path, None).await;
        assert_eq!(res.status().as_u16(), 200);
        let tag = etag(&res);
        let mut corrected = json!({
            "business_id": business, "channel": "visit", "occurred_at": "2026-11-30T10:30",
            "subject": "Besøg, ikke opringning", "outcome": "follow_up", "follow_up_on": "2026-12-07",
        });
        let res = api.put(&path, Some(&tag), corrected.clone()).await;
        assert_eq!(res.status().as_u16(), 200);
        let fixed: Value = res.json().await.unwrap();
        assert_eq!(
            (fixed["channel"].as_str(), fixed["follow_up_on"].as_str()),
            (Some("visit"), Some("2026-12-07"))
        );
        assert_eq!(fixed["consultant_id"], me, "the consultant stays");
        assert_eq!(
            api.put(&path, Some(&tag), corrected.clone())
                .await
                .status()
                .as_u16(),
            412
        );
        corrected["business_id"] = json!(999999);
        let tag = etag(&api.call(Method::GET, &path, None).await);
        assert_eq!(
            api.put(&path, Some(&tag), corrected)
                .await
                .status()
                .as_u16(),
            422,
            "a contact stays with its business"
        );
        // An initiative, changed with If-Match, and the key figures.
        let track = entity::strategy_track::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .id;
        let body = json!({
            "track_id": track, "title": "Flere praktikpladser", "owner_id": me,
            "start_date": "2026-01-01", "update_every": "91", "is_public": true,
        });
        let (status, i) = api
            .send(Method::POST, "/api/v1/initiatives", body.clone())
            .await;
        assert_eq!(status, 201, "{i}");
        let path = format!("/api/v1/initiatives/{}", i["id"]);
        let res = api.call(Method::GET, &path, None).await;
        let tag = etag(&res);
        let mut body = body;
        body["title"] = json!("Flere praktikpladser i 2027");
        let res = api.put(&path, Some(&tag), body.clone()).await;
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(
            api.put(&path, Some(&tag), body).await.status().as_u16(),
            412
        );
        let (status, figures) = api.get("/api/v1/figures").await;
        assert_eq!(status, 200);
        let first = &figures[0];
        assert!(first["series"].is_array());
        let (status, one) = api.get(&format!("/api/v1/figures/{}", first["id"])).await;
        assert_eq!(status, 200);
        assert_eq!(one["id"], first["id"]);
        // A typed-in figure takes a value; a computed one says it is computed.
        let arr = figures.as_array().unwrap();
        let manual = arr
            .iter()
            .find(|f| f["source"] == "manual")
            .expect("a typed-in figure");
        let (status, after) = api
            .send(
                Method::POST,
                &format!("/api/v1/figures/{}/values", manual["id"]),
                json!({"on_date": "2026-11-30", "value": 83.5}),
            )
            .await;
        assert_eq!(status, 201, "{after}");
        let points = after["series"][0]["points"].as_array().unwrap();
        assert!(
            points
                .iter()
                .any(|p| p["date"] == "2026-11-30" && p["value"] == 83.5)
        );
        let computed = arr
            .iter()
            .find(|f| f["source"] != "manual")
            .expect("a computed figure");
        let (status, problem) = api
            .send(
                Method::POST,
                &format!("/api/v1/figures/{}/values", computed["id"]),
                json!({"on_date": "2026-11-30", "value": 1}),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(problem["fields"][0]["code"], "figure_is_computed");
    }
);

db_test!(
    a_token_over_its_rate_is_answered_429_with_retry_after,
    |s: &mut erhverv::config::Settings| s.api_requests_per_minute = 3,
    |app: TestApp| async move {
        app.signed_in("admin", Role::Admin).await;
        let api = Api::new(&app, &token(&app, "Travl", &[("businesses", "read")]).await);
        let calls = (0..6).map(|_| api.call(Method::GET, "/api/v1/businesses", None));
        let statuses: Vec<Response> = futures_util::future::join_all(calls).await;
        let limited: Vec<&Response> = statuses.iter().filter(|r| r.status() == 429).collect();
        assert_eq!(limited.len(), 3, "three pass, three wait");
        assert!(
            limited
                .iter()
                .all(|r| r.headers().contains_key("retry-after"))
        );
        let other = Api::new(&app, &token(&app, "Anden", &[("businesses", "read")]).await);
        assert_eq!(other.get("/api/v1/businesses").await.0, 200, "per token");
    }
);

/// The document's operations: (METHOD, path).
fn documented(doc: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            out.push((method.to_uppercase(), path.clone()));
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn the_openapi_document_has_every_api_route_and_no_other() {
    let doc = serde_json::to_value(erhverv::api::openapi::document()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let mut routes: Vec<(String, String)> = erhverv::web::access::ROUTES
        .iter()
        .filter(|(_, p, _)| p.starts_with("/api/v1/"))
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    routes.sort();
    assert_eq!(documented(&doc), routes);
    // Every operation says how it authenticates and what its errors look like.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(op["security"].is_array(), "{method} {path}");
            assert!(op["responses"]["401"].is_object(), "{method} {path}: 401");
        }
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["token"]["scheme"],
        "bearer"
    );
}

/// The response schema of an operation, with the document's components,
/// as a JSON Schema validator.
fn validator(doc: &Value, method: &str, path: &str, status: u16) -> jsonschema::Validator {
    let pointer = format!(
        "/paths/{}/{method}/responses/{status}/content/application~1json/schema",
        path.replace('~', "~0").replace('/', "~1")
    );
    let mut schema = doc
        .pointer(&pointer)
        .unwrap_or_else(|| panic!("no schema at {pointer}"))
        .clone();
    schema["components"] = doc["components"].clone();
    jsonschema::validator_for(&schema).unwrap()
}

db_test!(
    responses_match_the_schemas_of_the_openapi_document,
    |app: TestApp| async move {
        let me = app.signed_in("admin", Role::Admin).await;
        let doc = serde_json::to_value(erhverv::api::openapi::document()).unwrap();
        let api = Api::new(&app, &token(&app, "Skema", &ALL_WRITE).await);
        let (_, b) = api
            .send(
                Method::POST,
                "/api/v1/businesses",
                business_body("24256790", "Skema ApS"),
            )
            .await;
        let id = b["id"].as_i64().unwrap();
        api.send(
            Method::POST,
            &format!("/api/v1/businesses/{id}/persons"),
            json!({"name": "Ida"}),
        )
        .await;
        let (_, n) = api
            .send(
                Method::POST,
                "/api/v1/needs",
                json!({"cvr": "24256790", "company_name": "Skema", "contact_name": "Ida",
                    "contact_email": "ida@skema.dk", "job_title": "Kok", "positions": 1}),
            )
            .await;
        let (_, p) = api
            .send(
                Method::POST,
                "/api/v1/placements",
                json!({"business_id": id, "kind": "fleksjob", "case_ref": "KBH-2024-00777",
                    "target_group": "oevrige", "start_date": "2026-12-01", "status": "planned",
                    "consultant_id": me}),
            )
            .await;
        app.search_caught_up().await;
        let mut checked = 0;
        for (template, concrete) in [
            ("/api/v1/businesses", "/api/v1/businesses".to_string()),
            (
                "/api/v1/businesses/{id}",
                format!("/api/v1/businesses/{id}"),
            ),
            ("/api/v1/needs", "/api/v1/needs".to_string()),
            ("/api/v1/needs/{id}", format!("/api/v1/needs/{}", n["id"])),
            ("/api/v1/placements", "/api/v1/placements".to_string()),
            (
                "/api/v1/placements/{id}",
                format!("/api/v1/placements/{}", p["id"]),
            ),
            ("/api/v1/contacts", "/api/v1/contacts".to_string()),
            ("/api/v1/initiatives", "/api/v1/initiatives".to_string()),
            ("/api/v1/figures", "/api/v1/figures".to_string()),
            ("/api/v1/search", "/api/v1/search?q=skema".to_string()),
        ] {
            let (status, body) = api.get(&concrete).await;
            assert_eq!(status, 200, "{concrete}: {body}");
            let v = validator(&doc, "get", template, 200);
            let errors: Vec<String> = v.iter_errors(&body).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{concrete}: {errors:?}\n{body}");
            checked += 1;
        }
        // An error body matches the Problem schema.
        let (status, body) = api.get("/api/v1/businesses/999999").await;
        assert_eq!(status, 404);
        let v = validator(&doc, "get", "/api/v1/businesses/{id}", 404);
        assert!(v.is_valid(&body), "{body}");
        // And the schema check can fail: a response without its id doesn't pass.
        let (_, mut one) = api.get(&format!("/api/v1/businesses/{id}")).await;
        one.as_object_mut().unwrap().remove("id");
        assert!(!validator(&doc, "get", "/api/v1/businesses/{id}", 200).is_valid(&one));
        assert_eq!(checked, 10);
        let (_, hits) = api.get("/api/v1/search?q=skema").await;
        assert_eq!(hits["hits"][0]["kind"], "business");
        assert_eq!(hits["hits"][0]["cvr"], "24256790");
        assert_eq!(
            hits["hits"][0]["api_url"],
            format!("/api/v1/businesses/{id}")
        );
    }
);

db_test!(
    the_reference_page_lists_every_operation,
    |app: TestApp| async move {
        let page = app.get_html("/api/docs").await;
        let doc = serde_json::to_value(erhverv::api::openapi::document()).unwrap();
        for (method, path) in documented(&doc) {
            assert!(
                page.contains(&format!("{method} {path}")),
                "{method} {path}"
            );
        }
        assert!(page.contains("BusinessBody"));
        assert!(
            !page.contains("<script"),
            "no script: it works without JavaScript"
        );
        let json = app.get("/api/openapi.json").await;
        assert_eq!(json.status().as_u16(), 200);
    }
);
