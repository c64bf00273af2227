//! A corpus of hostile inputs sent through every form and every API route
//! (issue 13, item 8): SQL, HTML and script, template syntax, very long
//! values, control characters, NUL, invalid UTF-8, Windows-1252 where UTF-8
//! is expected, huge and negative numbers, in fields, paths, query strings
//! and JSON bodies. Nothing may answer 5xx, and no page may show a script
//! or markup the attacker wrote, unescaped.
use std::collections::BTreeSet;

use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::db_test;
use crate::helpers::*;

/// A value as it goes into a urlencoded body: text (percent-encoded here)
/// or bytes already encoded by the attacker (invalid UTF-8, Windows-1252).
enum Hostile {
    Text(String),
    Encoded(&'static str),
    Bytes(&'static [u8]),
}

/// What a page must never contain: the corpus's markup, unescaped.
const MARKERS: [&str; 3] = ["<script>alert(", "<img src=x onerror", "<svg/onload"];

fn corpus() -> Vec<Hostile> {
    use Hostile::*;
    vec![
        Text("' OR '1'='1' --".into()),
        Text("1; DROP TABLE business; --".into()),
        Text("\" OR \"\"=\"".into()),
        Text("<script>alert(1)</script>".into()),
        Text("\"><img src=x onerror=alert(1)>".into()),
        Text("'><svg/onload=alert(1)>".into()),
        Text("{{ 7*7 }} {% include \"base.html\" %} ${7*7}".into()),
        Text("A".repeat(20_000)),
        Text("\u{1}\u{7}\u{8}\u{1b}[31m\r\n\t\u{7f}".into()),
        Text("før\0efter".into()),
        Text("\u{202e}fdp.exe \u{200b}\u{feff} 𝕏 e\u{301}".into()),
        Text("99999999999999999999999999".into()),
        Text("-2147483649".into()),
        Text("-1".into()),
        Text("1e309".into()),
        Text("NaN".into()),
        Text("../../../../etc/passwd".into()),
        Encoded("%FF%FE%FD"),
        Encoded("S%F8ren+%C6r%F8+%E6bleg%E5rd"),
        Encoded("%C0%AF%E0%80%AF"),
        Encoded("a%00b%00"),
        Bytes(b"\xff\xfe\xe6\xf8\xe5"),
    ]
}

fn encode(v: &Hostile) -> Vec<u8> {
    match v {
        Hostile::Text(s) => form_urlencoded::byte_serialize(s.as_bytes())
            .collect::<String>()
            .into_bytes(),
        Hostile::Encoded(s) => s.as_bytes().to_vec(),
        Hostile::Bytes(b) => b.to_vec(),
    }
}

/// `csrf_token=…&name=V&…` with every name set to the value.
fn body(csrf: &str, names: &BTreeSet<String>, v: &Hostile) -> Vec<u8> {
    let value = encode(v);
    let mut out = format!("csrf_token={csrf}").into_bytes();
    for name in names {
        out.push(b'&');
        out.extend(
            form_urlencoded::byte_serialize(name.as_bytes())
                .collect::<String>()
                .bytes(),
        );
        out.push(b'=');
        out.extend_from_slice(&value);
    }
    out
}

/// A value for a query string: at most 1,000 bytes of it (a URL has a
/// length limit before any server sees it).
fn query_value(v: &Hostile) -> String {
    let mut e = String::from_utf8_lossy(&encode(v)).into_owned();
    if e.len() > 1_000 {
        e.truncate(1_000);
    }
    e
}

/// Path values for `{id}` and the other parameters.
const PATH_VALUES: [&str; 11] = [
    "-1",
    "0",
    "99999999999999999999",
    "1%27%20OR%20%271%27%3D%271",
    "%00",
    "%FF%FE",
    "..%2F..%2Fetc%2Fpasswd",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "1.5",
    "0x10",
    "%E6%F8%E5",
];

/// A pattern's path with each `{…}` replaced: by something that exists
/// (`None`) or by `value`.
fn path_of(pattern: &str, value: Option<&str>) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').unwrap() + start;
        out.push_str(&rest[..start]);
        let param = &rest[start + 1..end];
        out.push_str(value.unwrap_or(match param {
            "code" => "da",
            "child" => "p-units",
            "username" => "konsulent",
            _ => "1",
        }));
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

async fn check(res: Response, what: &str) {
    let what: String = what.chars().take(200).collect();
    let status = res.status().as_u16();
    let html = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    let text = res.text().await.unwrap_or_default();
    assert!(
        status < 500,
        "{what}: {status} {}",
        &text[..text.len().min(500)]
    );
    if html {
        for marker in MARKERS {
            assert!(
                !text.contains(marker),
                "{what}: {marker} reflected unescaped"
            );
        }
    }
}

fn hostile_settings(s: &mut erhverv::config::Settings) {
    s.need_min_fill_seconds = 0;
    s.need_submissions_per_hour = 100_000;
    s.login_attempts = 100_000;
    s.api_requests_per_minute = 100_000;
    s.need_receipts_per_address = 100_000;
}

/// Every name a form of these pages sends.
async fn field_names(app: &TestApp) -> BTreeSet<String> {
    let name =
        regex::Regex::new(r#"<(?:input|select|textarea|button)[^>]*\sname="([^"]+)""#).unwrap();
    let mut names = BTreeSet::new();
    for (method, pattern, _) in erhverv::web::access::ROUTES {
        if *method != "GET" || pattern.ends_with(".csv") || pattern.ends_with(".json") {
            continue;
        }
        let page = app
            .get(&path_of(pattern, None))
            .await
            .text()
            .await
            .unwrap_or_default();
        for c in name.captures_iter(&page) {
            names.insert(c[1].to_string());
        }
    }
    names.remove("csrf_token");
    names
}

db_test!(
    hostile_input_through_every_form_and_path_answers_without_5xx_or_reflected_markup,
    hostile_settings,
    |app: TestApp| async move {
        erhverv::demo::seed(&app.db, 60, 7, false).await.unwrap();
        app.signed_in("angriber", erhverv::domain::Role::Admin)
            .await;
        let names = field_names(&app).await;
        assert!(names.len() > 60, "the forms' fields were found: {names:?}");
        for n in [
            "cvr",
            "contact_name",
            "idem",
            "q",
            "status",
            "new_password",
            "value",
        ] {
            assert!(names.contains(n), "{n} not found among {names:?}");
        }
        let csrf = app.csrf().await;
        let posts: Vec<&str> = erhverv::web::access::ROUTES
            .iter()
            .filter(|(m, p, _)| *m == "POST" && *p != "/logout")
            .map(|(_, p, _)| *p)
            .collect();
        // Every form, every field at once, each value of the corpus.
        for pattern in &posts {
            for v in corpus() {
                let path = path_of(pattern, None);
                let res = app
                    .client
                    .post(app.url(&path))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body(&csrf, &names, &v))
                    .send()
                    .await
                    .unwrap();
                check(res, &format!("POST {path}")).await;
            }
        }
        // Every page and form with hostile path parameters and query strings.
        for (method, pattern, _) in erhverv::web::access::ROUTES {
            if pattern.starts_with("/api/") || *pattern == "/logout" {
                continue;
            }
            let targets: Vec<String> = if pattern.contains('{') {
                PATH_VALUES
                    .iter()
                    .map(|v| path_of(pattern, Some(v)))
                    .collect()
            } else {
                corpus()
                    .iter()
                    .map(|v| {
                        let v = query_value(v);
                        format!("{pattern}?q={v}&page={v}&status={v}&next={v}&after={v}")
                    })
                    .collect()
            };
            for path in targets {
                let req = match *method {
                    "GET" => app.client.get(app.url(&path)),
                    _ => app
                        .client
                        .post(app.url(&path))
                        .form(&[("csrf_token", csrf.as_str())]),
                };
                check(req.send().await.unwrap(), &format!("{method} {path}")).await;
            }
        }
        // Still serving, and the session still works.
        assert_eq!(app.get("/health").await.status().as_u16(), 200);
        assert_eq!(app.get("/businesses").await.status().as_u16(), 200);
    }
);

/// The query parameters and the body properties the API document names.
fn api_names(doc: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut query = BTreeSet::new();
    for ops in doc["paths"].as_object().unwrap().values() {
        for op in ops.as_object().unwrap().values() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "query" {
                    query.insert(p["name"].as_str().unwrap().to_string());
                }
            }
        }
    }
    let mut props = BTreeSet::new();
    for schema in doc["components"]["schemas"].as_object().unwrap().values() {
        if let Some(properties) = schema["properties"].as_object() {
            props.extend(properties.keys().cloned());
        }
    }
    (query, props)
}

db_test!(
    hostile_input_through_every_api_route_answers_json_without_5xx,
    hostile_settings,
    |app: TestApp| async move {
        erhverv::demo::seed(&app.db, 60, 7, false).await.unwrap();
        app.signed_in("angriber", erhverv::domain::Role::Admin)
            .await;
        let mut scopes: Vec<(&str, &str)> = crate::api::ALL_WRITE.to_vec();
        scopes.push(("figures", "read"));
        let token = crate::api::token(&app, "Angriber", &scopes).await;
        let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
        let (query, props) = api_names(&doc);
        assert!(
            query.contains("limit") && props.contains("cvr"),
            "{query:?} {props:?}"
        );
        let http = reqwest::Client::new();
        let strings: Vec<String> = corpus()
            .iter()
            .filter_map(|v| match v {
                Hostile::Text(s) => Some(s.clone()),
                _ => None,
            })
            .collect();
        let mut bodies: Vec<Vec<u8>> = Vec::new();
        for s in &strings {
            let obj: serde_json::Map<String, Value> =
                props.iter().map(|k| (k.clone(), json!(s))).collect();
            bodies.push(serde_json::to_vec(&Value::Object(obj)).unwrap());
        }
        for raw in [
            r#"{"cvr": 99999999999999999999999, "positions": -1, "employees": 1e400}"#,
            r#"{"cvr": -1, "id": -1, "value": -1e308, "segments": [[[[]]]]}"#,
            r#"{"name": null, "cvr": {"$gt": ""}, "segments": "tourism"}"#,
            "[]",
            "null",
            "\"x\"",
            "{\"name\": \"trunc",
        ] {
            bodies.push(raw.as_bytes().to_vec());
        }
        bodies.push(b"{\"name\": \"\xff\xfe\"}".to_vec());
        bodies.push(format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes());
        for (method, pattern, _) in erhverv::web::access::ROUTES {
            if !pattern.starts_with("/api/v1/") {
                continue;
            }
            let mut calls: Vec<(String, Option<Vec<u8>>)> = Vec::new();
            if *method == "GET" {
                for s in &strings {
                    let v = query_value(&Hostile::Text(s.clone()));
                    let q: Vec<String> = query.iter().map(|k| format!("{k}={v}")).collect();
                    calls.push((format!("{}?{}", path_of(pattern, None), q.join("&")), None));
                }
            } else {
                for b in &bodies {
                    calls.push((path_of(pattern, None), Some(b.clone())));
                }
            }
            for v in PATH_VALUES.iter().filter(|_| pattern.contains('{')) {
                calls.push((
                    path_of(pattern, Some(v)),
                    bodies.first().cloned().filter(|_| *method != "GET"),
                ));
            }
            for (path, b) in calls {
                let mut req = http
                    .request(
                        Method::from_bytes(method.as_bytes()).unwrap(),
                        app.url(&path),
                    )
                    .bearer_auth(&token)
                    .header("if-match", "*");
                if let Some(b) = b {
                    req = req.header("content-type", "application/json").body(b);
                }
                let res = req.send().await.unwrap();
                let json = res
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|t| t.contains("json"));
                let status = res.status().as_u16();
                assert!(
                    json || status == 204,
                    "{method} {path}: {status} is not JSON"
                );
                check(res, &format!("{method} {path}")).await;
            }
        }
        assert_eq!(app.get("/health").await.status().as_u16(), 200);
    }
);
