//! A fake Meilisearch (the v1.x HTTP API the `MeiliIndex` adapter uses) and
//! the adapter's tests against it. No Meilisearch server can run here; the
//! fake records every request and answers the way Meilisearch does, so the
//! tests check what the adapter sends and how it reads the answers.
//!
//! Other tests can use [`FakeMeili`] too, e.g. for "search backend down,
//! then back": `stop()` closes the port (connection refused), `restart()`
//! reopens the same port with the documents and tasks kept.
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::http::{Method, StatusCode};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use erhverv::search::meili::MeiliIndex;
use serde_json::{Value, json};

const TIMESTAMP: &str = "2026-01-01T10:00:00.000000Z";

/// One request the fake received.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    pub method: String,
    /// Without the query string, e.g. `/indexes/docs/documents`.
    pub path: String,
    /// The raw query string, e.g. `primaryKey=key` (empty if none).
    pub query: String,
    /// The body, when it was JSON.
    pub body: Option<Value>,
}

struct FakeTask {
    uid: u64,
    index_uid: Option<String>,
    kind: &'static str,
    details: Value,
    error: Option<Value>,
    /// How many more polls report the task as processing.
    polls_left: u32,
}

#[derive(Default)]
struct FakeIndex {
    primary_key: Option<String>,
    docs: BTreeMap<String, Value>,
}

#[derive(Default)]
struct State {
    requests: Vec<RecordedRequest>,
    indexes: BTreeMap<String, FakeIndex>,
    tasks: Vec<FakeTask>,
    fail_next_task: Option<String>,
    fail_next_request: Option<(u16, Value)>,
    search_response: Option<Value>,
    task_polls: u32,
    delay: Duration,
}

type Shared = Arc<Mutex<State>>;

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

struct Running {
    handle: ServerHandle,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// A fake Meilisearch server on 127.0.0.1.
pub struct FakeMeili {
    state: Shared,
    addr: SocketAddr,
    running: Mutex<Option<Running>>,
}

impl FakeMeili {
    /// Starts the fake on a free port.
    pub async fn start() -> FakeMeili {
        let state = Shared::default();
        let (running, addr) = serve(state.clone(), "127.0.0.1:0".parse().unwrap()).unwrap();
        FakeMeili {
            state,
            addr,
            running: Mutex::new(Some(running)),
        }
    }

    /// `http://127.0.0.1:{port}`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// An adapter for `index_uid` on this fake, with short timeouts.
    pub fn meili_index(&self, index_uid: &str) -> MeiliIndex {
        MeiliIndex::new(&self.url(), Some("test-key"), index_uid)
            .unwrap()
            .with_timeouts(Duration::from_secs(2), Duration::from_secs(5))
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state).requests.clone()
    }

    /// The requests with this method and path.
    pub fn requests_to(&self, method: &str, path: &str) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == method && r.path == path)
            .collect()
    }

    pub fn clear_requests(&self) {
        lock(&self.state).requests.clear();
    }

    /// The next task created fails with this message (and changes nothing).
    pub fn fail_next_task(&self, message: &str) {
        lock(&self.state).fail_next_task = Some(message.to_string());
    }

    /// The next request, whatever it is, gets this status and JSON body.
    pub fn fail_next_request(&self, status: u16, body: Value) {
        lock(&self.state).fail_next_request = Some((status, body));
    }

    /// Searches answer with this JSON from now on (whatever the index).
    /// Without one, a search answers from the stored documents: those whose
    /// text values contain every query word, unranked, filters ignored.
    pub fn set_search_response(&self, response: Value) {
        lock(&self.state).search_response = Some(response);
    }

    /// Tasks created from now on report `processing` for this many polls.
    pub fn set_task_polls(&self, polls: u32) {
        lock(&self.state).task_polls = polls;
    }

    /// Every answer waits this long first.
    pub fn set_delay(&self, delay: Duration) {
        lock(&self.state).delay = delay;
    }

    /// The documents stored in an index, in key order.
    pub fn documents(&self, index_uid: &str) -> Vec<Value> {
        lock(&self.state)
            .indexes
            .get(index_uid)
            .map(|index| index.docs.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Stops the server and closes its port: connections are refused until
    /// [`FakeMeili::restart`].
    pub async fn stop(&self) {
        let running = lock_running(&self.running).take();
        if let Some(running) = running {
            running.handle.stop(false).await;
            let _ = running.server.await;
        }
    }

    /// Starts the server again on the same port, with its state kept.
    pub async fn restart(&self) {
        self.stop().await;
        let mut last_error = None;
        for _ in 0..50 {
            match serve(self.state.clone(), self.addr) {
                Ok((running, _)) => {
                    *lock_running(&self.running) = Some(running);
                    return;
                }
                Err(e) => last_error = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!(
            "fake Meilisearch could not rebind {}: {last_error:?}",
            self.addr
        );
    }
}

impl Drop for FakeMeili {
    fn drop(&mut self) {
        if let Some(running) = lock_running(&self.running).take() {
            // The stop command is sent when `stop` is called; the returned
            // future only waits for it.
            drop(running.handle.stop(false));
        }
    }
}

fn lock_running(running: &Mutex<Option<Running>>) -> MutexGuard<'_, Option<Running>> {
    running
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn serve(state: Shared, addr: SocketAddr) -> std::io::Result<(Running, SocketAddr)> {
    let data = web::Data::from(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(256 * 1024 * 1024))
            .default_service(web::to(handle))
    })
    .workers(1)
    .disable_signals()
    .shutdown_timeout(0)
    .bind(addr)?;
    let bound = server.addrs().first().copied().unwrap_or(addr);
    let server = server.run();
    let handle = server.handle();
    Ok((
        Running {
            handle,
            server: tokio::spawn(server),
        },
        bound,
    ))
}

fn error_body(code: &str, kind: &str, message: &str) -> Value {
    json!({
        "message": message,
        "code": code,
        "type": kind,
        "link": format!("https://docs.meilisearch.com/errors#{code}"),
    })
}

fn not_found(code: &str, message: &str) -> HttpResponse {
    HttpResponse::NotFound().json(error_body(code, "invalid_request", message))
}

async fn handle(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<Mutex<State>>,
) -> HttpResponse {
    let delay = lock(&state).delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let body: Option<Value> = serde_json::from_slice(&body).ok();
    let mut s = lock(&state);
    s.requests.push(RecordedRequest {
        method: req.method().to_string(),
        path: req.path().to_string(),
        query: req.query_string().to_string(),
        body: body.clone(),
    });
    if let Some((status, body)) = s.fail_next_request.take() {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return HttpResponse::build(status).json(body);
    }
    let query: BTreeMap<String, String> =
        web::Query::<BTreeMap<String, String>>::from_query(req.query_string())
            .map(web::Query::into_inner)
            .unwrap_or_default();
    let path = req.path().trim_matches('/').to_string();
    let segments: Vec<&str> = path.split('/').collect();
    let body = body.unwrap_or(Value::Null);
    let method = req.method().clone();
    match segments.as_slice() {
        ["health"] if method == Method::GET => {
            HttpResponse::Ok().json(json!({"status": "available"}))
        }
        ["indexes"] if method == Method::POST => create_index(&mut s, &body),
        ["indexes", uid, "settings"] if method == Method::PATCH => {
            s.indexes.entry(uid.to_string()).or_default();
            let failure = s.fail_next_task.take().map(internal_error);
            enqueue(&mut s, Some(uid), "settingsUpdate", body, failure)
        }
        ["indexes", uid, "documents"] if method == Method::POST || method == Method::PUT => {
            add_documents(
                &mut s,
                uid,
                query.get("primaryKey"),
                body,
                method == Method::PUT,
            )
        }
        ["indexes", uid, "documents", "delete-batch"] if method == Method::POST => {
            let keys: Vec<String> = body
                .as_array()
                .map(|ids| ids.iter().map(key_string).collect())
                .unwrap_or_default();
            delete_documents(&mut s, uid, Some(keys))
        }
        ["indexes", uid, "documents"] if method == Method::DELETE => {
            delete_documents(&mut s, uid, None)
        }
        ["indexes", uid, "documents", key] if method == Method::DELETE => {
            delete_documents(&mut s, uid, Some(vec![key.to_string()]))
        }
        ["indexes", uid, "search"] if method == Method::POST => search(&s, uid, &body),
        ["tasks", uid] if method == Method::GET => match uid.parse::<u64>() {
            Ok(uid) => get_task(&mut s, uid),
            Err(_) => not_found("invalid_task_uids", "Invalid task uid."),
        },
        _ => not_found("not_found", "Not found."),
    }
}

fn internal_error(message: String) -> Value {
    error_body("internal", "internal", &message)
}

fn key_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn enqueue(
    s: &mut State,
    index_uid: Option<&str>,
    kind: &'static str,
    details: Value,
    error: Option<Value>,
) -> HttpResponse {
    let uid = s.tasks.len() as u64;
    s.tasks.push(FakeTask {
        uid,
        index_uid: index_uid.map(str::to_string),
        kind,
        details,
        error,
        polls_left: s.task_polls,
    });
    HttpResponse::Accepted().json(json!({
        "taskUid": uid,
        "indexUid": index_uid,
        "status": "enqueued",
        "type": kind,
        "enqueuedAt": TIMESTAMP,
    }))
}

fn create_index(s: &mut State, body: &Value) -> HttpResponse {
    let Some(uid) = body["uid"].as_str().map(str::to_string) else {
        return HttpResponse::BadRequest().json(error_body(
            "missing_index_uid",
            "invalid_request",
            "Missing field `uid`",
        ));
    };
    let primary_key = body["primaryKey"].as_str().map(str::to_string);
    let failure = s.fail_next_task.take().map(internal_error).or_else(|| {
        s.indexes.contains_key(&uid).then(|| {
            error_body(
                "index_already_exists",
                "invalid_request",
                &format!("Index `{uid}` already exists."),
            )
        })
    });
    if failure.is_none() {
        s.indexes.insert(
            uid.clone(),
            FakeIndex {
                primary_key: primary_key.clone(),
                docs: BTreeMap::new(),
            },
        );
    }
    enqueue(
        s,
        Some(&uid),
        "indexCreation",
        json!({"primaryKey": primary_key}),
        failure,
    )
}

fn valid_document_id(id: &Value) -> bool {
    match id {
        Value::String(s) => {
            !s.is_empty()
                && s.len() <= 511
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        }
        Value::Number(n) => n.is_u64() || n.is_i64(),
        _ => false,
    }
}

fn add_documents(
    s: &mut State,
    uid: &str,
    primary_key: Option<&String>,
    body: Value,
    merge: bool,
) -> HttpResponse {
    let docs: Vec<Value> = match body {
        Value::Array(docs) => docs,
        Value::Object(_) => vec![body],
        _ => {
            return HttpResponse::BadRequest().json(error_body(
                "malformed_payload",
                "invalid_request",
                "The payload must be a JSON array or object.",
            ));
        }
    };
    let received = docs.len();
    let index_pk = s.indexes.get(uid).and_then(|i| i.primary_key.clone());
    let mut failure = s.fail_next_task.take().map(internal_error);
    let pk = match (&index_pk, primary_key) {
        (Some(existing), Some(asked)) if existing != asked => {
            failure = failure.or_else(|| {
                Some(error_body(
                    "index_primary_key_already_exists",
                    "invalid_request",
                    "Index already has a primary key.",
                ))
            });
            existing.clone()
        }
        (Some(existing), _) => existing.clone(),
        (None, Some(asked)) => asked.clone(),
        (None, None) => "id".to_string(),
    };
    if failure.is_none() {
        for doc in &docs {
            match doc.get(&pk) {
                None => {
                    failure = Some(error_body(
                        "missing_document_id",
                        "invalid_request",
                        &format!("Document doesn't have a `{pk}` attribute: `{doc}`."),
                    ));
                    break;
                }
                Some(id) if !valid_document_id(id) => {
                    failure = Some(error_body(
                        "invalid_document_id",
                        "invalid_request",
                        &format!(
                            "Document identifier `{id}` is invalid. A document identifier can be of type integer or string, only composed of alphanumeric characters (a-z A-Z 0-9), hyphens (-) and underscores (_), and can not be more than 511 bytes."
                        ),
                    ));
                    break;
                }
                Some(_) => {}
            }
        }
    }
    if failure.is_none() {
        let index = s.indexes.entry(uid.to_string()).or_default();
        index.primary_key = Some(pk.clone());
        for doc in docs {
            let key = key_string(&doc[&pk]);
            match (merge, index.docs.get_mut(&key), doc) {
                (true, Some(Value::Object(old)), Value::Object(new)) => old.extend(new),
                (_, _, doc) => {
                    index.docs.insert(key, doc);
                }
            }
        }
    }
    let indexed = if failure.is_none() { received } else { 0 };
    enqueue(
        s,
        Some(uid),
        "documentAdditionOrUpdate",
        json!({"receivedDocuments": received, "indexedDocuments": indexed}),
        failure,
    )
}

fn delete_documents(s: &mut State, uid: &str, keys: Option<Vec<String>>) -> HttpResponse {
    let failure = s.fail_next_task.take().map(internal_error);
    let provided = keys.as_ref().map_or(0, Vec::len);
    let mut deleted = 0;
    if failure.is_none() {
        let index = s.indexes.entry(uid.to_string()).or_default();
        match &keys {
            Some(keys) => {
                for key in keys {
                    deleted += usize::from(index.docs.remove(key).is_some());
                }
            }
            None => {
                deleted = index.docs.len();
                index.docs.clear();
            }
        }
    }
    enqueue(
        s,
        Some(uid),
        "documentDeletion",
        json!({"providedIds": provided, "deletedDocuments": deleted, "originalFilter": null}),
        failure,
    )
}

fn get_task(s: &mut State, uid: u64) -> HttpResponse {
    let Some(task) = s.tasks.iter_mut().find(|t| t.uid == uid) else {
        return not_found("task_not_found", &format!("Task `{uid}` not found."));
    };
    let mut answer = json!({
        "uid": task.uid,
        "batchUid": task.uid,
        "indexUid": task.index_uid,
        "type": task.kind,
        "canceledBy": null,
        "details": task.details,
        "enqueuedAt": TIMESTAMP,
        "startedAt": TIMESTAMP,
    });
    if task.polls_left > 0 {
        task.polls_left -= 1;
        answer["status"] = json!("processing");
        answer["error"] = Value::Null;
        answer["duration"] = Value::Null;
        answer["finishedAt"] = Value::Null;
    } else {
        answer["status"] = json!(if task.error.is_some() {
            "failed"
        } else {
            "succeeded"
        });
        answer["error"] = task.error.clone().unwrap_or(Value::Null);
        answer["duration"] = json!("PT0.001S");
        answer["finishedAt"] = json!(TIMESTAMP);
    }
    HttpResponse::Ok().json(answer)
}

/// The lower-cased text of every string, number and array value of a document.
fn text_of(value: &Value, out: &mut String) {
    match value {
        Value::String(s) => {
            out.push(' ');
            out.push_str(&s.to_lowercase());
        }
        Value::Number(n) => {
            out.push(' ');
            out.push_str(&n.to_string());
        }
        Value::Array(values) => values.iter().for_each(|v| text_of(v, out)),
        Value::Object(fields) => fields.values().for_each(|v| text_of(v, out)),
        Value::Bool(_) | Value::Null => {}
    }
}

fn facet_values(value: &Value) -> Vec<String> {
    match value {
        Value::Array(values) => values.iter().flat_map(facet_values).collect(),
        Value::Null => Vec::new(),
        other => vec![key_string(other)],
    }
}

fn search(s: &State, uid: &str, body: &Value) -> HttpResponse {
    if let Some(response) = &s.search_response {
        return HttpResponse::Ok().json(response);
    }
    let Some(index) = s.indexes.get(uid) else {
        return not_found("index_not_found", &format!("Index `{uid}` not found."));
    };
    let q = body["q"].as_str().unwrap_or_default().to_lowercase();
    let words: Vec<&str> = q.split_whitespace().map(|w| w.trim_matches('"')).collect();
    let matching: Vec<&Value> = index
        .docs
        .values()
        .filter(|doc| {
            let mut text = String::new();
            text_of(doc, &mut text);
            words.iter().all(|w| text.contains(w))
        })
        .collect();
    let mut facets = serde_json::Map::new();
    for facet in body["facets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for doc in &matching {
            for value in facet_values(&doc[facet]) {
                *counts.entry(value).or_default() += 1;
            }
        }
        facets.insert(facet.to_string(), json!(counts));
    }
    let total = matching.len();
    // Like Meilisearch, a hit holds only the attributes asked for.
    let retrieve: Option<Vec<&str>> = body["attributesToRetrieve"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .filter(|a: &Vec<&str>| !a.contains(&"*"));
    let hit = |doc: &&Value| {
        let mut hit = match (&retrieve, doc) {
            (Some(keep), Value::Object(fields)) => Value::Object(
                fields
                    .iter()
                    .filter(|(k, _)| keep.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ),
            _ => (*doc).clone(),
        };
        hit["_rankingScore"] = json!(1.0);
        hit
    };
    let mut answer = json!({
        "query": body["q"].as_str().unwrap_or_default(),
        "processingTimeMs": 0,
        "facetDistribution": facets,
    });
    if let Some(per_page) = body["hitsPerPage"].as_u64() {
        let per_page = per_page as usize;
        let page = body["page"].as_u64().unwrap_or(1).max(1) as usize;
        let hits: Vec<Value> = matching
            .iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .map(hit)
            .collect();
        answer["hits"] = json!(hits);
        answer["page"] = json!(page);
        answer["hitsPerPage"] = json!(per_page);
        answer["totalHits"] = json!(total);
        answer["totalPages"] = json!(if per_page == 0 {
            0
        } else {
            total.div_ceil(per_page)
        });
    } else {
        let offset = body["offset"].as_u64().unwrap_or(0) as usize;
        let limit = body["limit"].as_u64().unwrap_or(20) as usize;
        let hits: Vec<Value> = matching.iter().skip(offset).take(limit).map(hit).collect();
        answer["hits"] = json!(hits);
        answer["offset"] = json!(offset);
        answer["limit"] = json!(limit);
        answer["estimatedTotalHits"] = json!(total);
    }
    HttpResponse::Ok().json(answer)
}

// ---------------------------------------------------------------------------
// The adapter, checked against the fake.

mod adapter {
    use erhverv::search::meili::{
        FILTERABLE_ATTRIBUTES, MAX_TOTAL_HITS, RANKING_RULES, SEARCHABLE_ATTRIBUTES,
    };
    use erhverv::search::{
        DocKind, FACETS, Filters, SearchDoc, SearchError, SearchIndex, SearchQuery,
    };

    use super::*;

    const INDEX: &str = "erhverv_test";

    fn havnens_hotel() -> SearchDoc {
        SearchDoc {
            id: SearchDoc::doc_id(DocKind::Business, 42),
            kind: Some(DocKind::Business),
            record_id: 42,
            title: "Havnens Hotel A/S".into(),
            company_form: Some("A/S".into()),
            cvr: Some("10150817".into()),
            p_numbers: vec!["1012345678".into()],
            addresses: vec!["Ørestads Boulevard 7, 2300 København S".into()],
            district: Some("amager_vest".into()),
            industry_code: Some("551010".into()),
            industry_text: Some("Hoteller".into()),
            section: Some("I".into()),
            size: Some("50_99".into()),
            segments: vec!["tourism".into()],
            persons: vec!["Søren Kierkegaard".into()],
            consultant: Some("Åse Ærø".into()),
            consultant_id: Some(7),
            active: true,
            text: None,
            owner: None,
            reference: None,
            status: None,
        }
    }

    fn query(q: &str) -> SearchQuery {
        SearchQuery {
            q: q.into(),
            filters: Filters::default(),
            offset: 0,
            limit: 20,
        }
    }

    async fn fake_with_index() -> (FakeMeili, MeiliIndex) {
        let fake = FakeMeili::start().await;
        let index = fake.meili_index(INDEX);
        index.settle().await.unwrap();
        fake.clear_requests();
        (fake, index)
    }

    /// The body of the only search request so far.
    fn search_body(fake: &FakeMeili) -> Value {
        let searches = fake.requests_to("POST", &format!("/indexes/{INDEX}/search"));
        assert_eq!(searches.len(), 1, "{searches:?}");
        searches[0].body.clone().unwrap()
    }

    #[tokio::test]
    async fn ensure_settings_creates_the_index_keyed_by_key_and_applies_the_settings() {
        let fake = FakeMeili::start().await;
        let index = fake.meili_index(INDEX);

        index.ensure_settings().await.unwrap();

        let created = fake.requests_to("POST", "/indexes");
        assert_eq!(
            created[0].body,
            Some(json!({"uid": INDEX, "primaryKey": "key"}))
        );
        let patch = fake.requests_to("PATCH", &format!("/indexes/{INDEX}/settings"));
        let settings = patch[0].body.clone().unwrap();
        assert_eq!(
            settings["searchableAttributes"],
            json!([
                "title_n",
                "cvr",
                "p_numbers",
                "persons_n",
                "addresses_n",
                "industry_n",
                "consultant_n",
                "text_n",
                "form_n"
            ])
        );
        assert_eq!(
            settings["searchableAttributes"],
            json!(SEARCHABLE_ATTRIBUTES)
        );
        let mut filterable: Vec<&str> = settings["filterableAttributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        filterable.sort_unstable();
        let mut expected = FILTERABLE_ATTRIBUTES.to_vec();
        expected.sort_unstable();
        assert_eq!(filterable, expected);
        for facet in FACETS {
            assert!(filterable.contains(&facet), "{facet} must be filterable");
        }
        assert_eq!(settings["sortableAttributes"], json!(["title_sort"]));
        assert_eq!(
            settings["rankingRules"],
            json!([
                "words",
                "typo",
                "proximity",
                "attribute",
                "exactness",
                "sort"
            ])
        );
        assert_eq!(settings["rankingRules"], json!(RANKING_RULES));
        let typos = &settings["typoTolerance"];
        assert_eq!(
            typos["minWordSizeForTypos"],
            json!({"oneTypo": 5, "twoTypos": 9})
        );
        assert_eq!(typos["disableOnAttributes"], json!(["cvr", "p_numbers"]));
        assert_ne!(typos["enabled"], json!(false));
        assert!(settings["faceting"]["maxValuesPerFacet"].as_u64().unwrap() >= 100);
        assert!(settings["pagination"]["maxTotalHits"].as_u64().unwrap() >= 1_000_000);
        assert_eq!(
            settings["pagination"]["maxTotalHits"],
            json!(MAX_TOTAL_HITS)
        );
        // Both tasks were waited for.
        let polled: Vec<String> = fake
            .requests()
            .into_iter()
            .filter(|r| r.method == "GET")
            .map(|r| r.path)
            .collect();
        assert_eq!(polled, ["/tasks/0", "/tasks/1"]);
    }

    #[tokio::test]
    async fn ensure_settings_again_accepts_the_existing_index() {
        let (fake, index) = fake_with_index().await;

        index.ensure_settings().await.unwrap();

        // The second creation task failed with index_already_exists, and the
        // settings were still applied.
        assert_eq!(fake.requests_to("POST", "/indexes").len(), 1);
        assert_eq!(
            fake.requests_to("PATCH", &format!("/indexes/{INDEX}/settings"))
                .len(),
            1
        );
    }

    #[tokio::test]
    async fn upserting_sends_the_document_with_folded_fields_under_its_key() {
        let (fake, index) = fake_with_index().await;

        index.upsert(&[havnens_hotel()]).await.unwrap();

        let adds = fake.requests_to("POST", &format!("/indexes/{INDEX}/documents"));
        assert_eq!(adds.len(), 1);
        assert_eq!(adds[0].query, "primaryKey=key");
        let sent = &adds[0].body.as_ref().unwrap()[0];
        // The key mapping: Meilisearch ids may not hold ':'.
        assert_eq!(sent["key"], "business-42");
        assert_eq!(sent["id"], "business:42");
        // The document as it is, for returning.
        assert_eq!(sent["title"], "Havnens Hotel A/S");
        assert_eq!(
            sent["addresses"],
            json!(["Ørestads Boulevard 7, 2300 København S"])
        );
        assert_eq!(sent["cvr"], "10150817");
        assert_eq!(sent["p_numbers"], json!(["1012345678"]));
        // Folded search fields; the company form kept out of the title.
        assert_eq!(sent["title_n"], "havnens hotel");
        assert_eq!(sent["form_n"], json!(["as"]));
        assert_eq!(
            sent["addresses_n"],
            json!(["orestads boulevard 7 2300 kobenhavn s"])
        );
        assert_eq!(sent["persons_n"], json!(["soren kierkegard"]));
        assert_eq!(sent["industry_n"], "hoteller");
        assert_eq!(sent["consultant_n"], "ase aro");
        assert_eq!(sent["text_n"], Value::Null);
        assert_eq!(sent["title_sort"], "havnens hotel as");
        // Filter fields.
        assert_eq!(sent["kind"], "business");
        assert_eq!(sent["district"], "amager_vest");
        assert_eq!(sent["section"], "I");
        assert_eq!(sent["size"], "50_99");
        assert_eq!(sent["consultant_id"], "7");
        assert_eq!(sent["segments"], json!(["tourism"]));
        assert_eq!(sent["active"], true);
        // Waited for, and stored under the key.
        assert_eq!(fake.requests_to("GET", "/tasks/2").len(), 1);
        assert_eq!(fake.documents(INDEX).len(), 1);
    }

    #[tokio::test]
    async fn deleting_sends_the_keys_and_clearing_deletes_everything() {
        let (fake, index) = fake_with_index().await;
        let mut other = havnens_hotel();
        other.id = SearchDoc::doc_id(DocKind::Need, 5);
        index.upsert(&[havnens_hotel(), other]).await.unwrap();

        index
            .delete(&["business:42".to_string(), "business:404".to_string()])
            .await
            .unwrap();

        let deletes = fake.requests_to("POST", &format!("/indexes/{INDEX}/documents/delete-batch"));
        assert_eq!(
            deletes[0].body,
            Some(json!(["business-42", "business-404"]))
        );
        assert_eq!(fake.documents(INDEX).len(), 1);

        index.clear().await.unwrap();

        assert_eq!(
            fake.requests_to("DELETE", &format!("/indexes/{INDEX}/documents"))
                .len(),
            1
        );
        assert!(fake.documents(INDEX).is_empty());
        // An empty delete sends nothing.
        let before = fake.requests().len();
        index.delete(&[]).await.unwrap();
        assert_eq!(fake.requests().len(), before);
    }

    #[tokio::test]
    async fn a_query_is_sent_folded_with_every_facet_and_all_words_required() {
        let (fake, index) = fake_with_index().await;

        index.search(&query("Oerestad nørreb")).await.unwrap();

        let body = search_body(&fake);
        // Folded like the indexed fields; the last word still a prefix.
        assert_eq!(body["q"], "orestad norreb");
        assert_eq!(body["matchingStrategy"], "all");
        assert_eq!(body["facets"], json!(FACETS));
        assert_eq!(body["showRankingScore"], true);
        assert_eq!(body["sort"], json!(["title_sort:asc"]));
        assert_eq!(body["page"], 1);
        assert_eq!(body["hitsPerPage"], 20);
        assert_eq!(body.get("attributesToSearchOn"), None);
        assert_eq!(body.get("filter"), None);
    }

    #[tokio::test]
    async fn company_form_words_are_optional_but_asked_for_first_unless_they_are_the_whole_query() {
        let (fake, index) = fake_with_index().await;

        index.search(&query("Havnens Hotel A/S ")).await.unwrap();
        index.search(&query("ApS")).await.unwrap();

        let sent: Vec<Value> = fake
            .requests_to("POST", &format!("/indexes/{INDEX}/search"))
            .into_iter()
            .map(|r| r.body.unwrap()["q"].clone())
            .collect();
        // With the form word required (the preferred hits, put first), then
        // without it (the rest, the total, the facets). A trailing space:
        // the last word is complete, not a prefix.
        assert_eq!(
            sent,
            [
                json!("havnens hotel as "),
                json!("havnens hotel "),
                json!("aps")
            ]
        );
    }

    #[tokio::test]
    async fn a_cvr_query_searches_the_numbers_exactly_and_digits_as_a_prefix_or_in_addresses() {
        let (fake, index) = fake_with_index().await;

        index.search(&query("DK 1015 0817")).await.unwrap();
        index.search(&query("1015")).await.unwrap();

        let sent: Vec<Value> = fake
            .requests_to("POST", &format!("/indexes/{INDEX}/search"))
            .into_iter()
            .map(|r| r.body.unwrap())
            .collect();
        assert_eq!(sent[0]["q"], "\"10150817\"");
        assert_eq!(sent[0]["attributesToSearchOn"], json!(["cvr", "p_numbers"]));
        // Other digits: the start of a CVR or P-number, or a number in an
        // address.
        assert_eq!(sent[1]["q"], "1015");
        assert_eq!(
            sent[1]["attributesToSearchOn"],
            json!(["cvr", "p_numbers", "addresses_n"])
        );
    }

    #[tokio::test]
    async fn an_empty_query_is_a_placeholder_search_in_title_order() {
        let (fake, index) = fake_with_index().await;

        index.search(&query("  ")).await.unwrap();

        let body = search_body(&fake);
        assert_eq!(body.get("q"), None);
        assert_eq!(body["sort"], json!(["title_sort:asc"]));
    }

    #[tokio::test]
    async fn filter_values_with_quotes_are_escaped() {
        let (fake, index) = fake_with_index().await;
        let mut q = query("hotel");
        q.filters = Filters {
            kind: Some(DocKind::Business),
            district: Some(r#"indre_by" OR district = "x\"#.into()),
            section: Some("I".into()),
            size: Some("50_99".into()),
            consultant_id: Some(7),
            segment: Some("tourism".into()),
        };

        index.search(&q).await.unwrap();

        assert_eq!(
            search_body(&fake)["filter"],
            r#"kind = "business" AND district = "indre_by\" OR district = \"x\\" AND section = "I" AND size = "50_99" AND consultant_id = "7" AND segments = "tourism""#
        );
    }

    #[tokio::test]
    async fn the_response_is_mapped_to_search_results() {
        let (fake, index) = fake_with_index().await;
        let doc = havnens_hotel();
        let mut stored = serde_json::to_value(&doc).unwrap();
        stored["key"] = json!("business-42");
        stored["consultant_id"] = json!("7");
        stored["title_n"] = json!("havnens hotel");
        stored["_rankingScore"] = json!(0.93);
        fake.set_search_response(json!({
            "hits": [stored],
            "query": "havnens",
            "processingTimeMs": 1,
            "hitsPerPage": 20,
            "page": 1,
            "totalPages": 3,
            "totalHits": 42,
            "facetDistribution": {
                "district": {"norrebro": 3, "amager_vest": 5, "indre_by": 3},
                "kind": {"business": 40, "need": 2},
                "consultant_id": {"7": 42}
            }
        }));

        let results = index.search(&query("havnens")).await.unwrap();

        assert_eq!(results.total, 42);
        assert_eq!(results.hits.len(), 1);
        assert_eq!(results.hits[0].doc, doc);
        assert!((results.hits[0].score - 0.93).abs() < 1e-6);
        let pairs = |v: &[(&str, u64)]| {
            v.iter()
                .map(|(s, n)| (s.to_string(), *n))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            results.facets["district"],
            pairs(&[("amager_vest", 5), ("indre_by", 3), ("norrebro", 3)])
        );
        assert_eq!(
            results.facets["kind"],
            pairs(&[("business", 40), ("need", 2)])
        );
        assert_eq!(results.facets["consultant_id"], pairs(&[("7", 42)]));
        assert_eq!(results.facets.len(), FACETS.len());
        assert!(results.facets["segments"].is_empty());
    }

    #[tokio::test]
    async fn an_offset_between_pages_is_served_from_one_page_with_an_exact_total() {
        let (fake, index) = fake_with_index().await;
        let docs: Vec<SearchDoc> = (0..30)
            .map(|n| SearchDoc {
                id: SearchDoc::doc_id(DocKind::Business, n),
                record_id: n,
                title: format!("Firma {n:02}"),
                ..SearchDoc::default()
            })
            .collect();
        index.upsert(&docs).await.unwrap();
        fake.clear_requests();

        let results = index
            .search(&SearchQuery {
                q: "firma".into(),
                filters: Filters::default(),
                offset: 5,
                limit: 10,
            })
            .await
            .unwrap();

        let body = search_body(&fake);
        assert_eq!(
            (body["page"].clone(), body["hitsPerPage"].clone()),
            (json!(1), json!(15))
        );
        assert_eq!(results.total, 30);
        let all = index
            .search(&SearchQuery {
                q: "firma".into(),
                filters: Filters::default(),
                offset: 0,
                limit: 30,
            })
            .await
            .unwrap();
        let ids = |hits: &[erhverv::search::Hit]| {
            hits.iter().map(|h| h.doc.record_id).collect::<Vec<_>>()
        };
        assert_eq!(ids(&all.hits).len(), 30);
        assert_eq!(ids(&results.hits), ids(&all.hits)[5..15]);
    }

    #[tokio::test]
    async fn the_fake_answers_searches_from_its_documents() {
        let (_fake, index) = fake_with_index().await;
        index.upsert(&[havnens_hotel()]).await.unwrap();

        let results = index.search(&query("Oerestads")).await.unwrap();

        assert_eq!(results.total, 1);
        assert_eq!(results.hits[0].doc, havnens_hotel());
        assert_eq!(
            results.facets["district"],
            vec![("amager_vest".to_string(), 1)]
        );
        assert_eq!(index.search(&query("valby")).await.unwrap().total, 0);
        // A recruitment need comes back with its business, reference and status.
        let need = SearchDoc {
            id: SearchDoc::doc_id(DocKind::Need, 7),
            kind: Some(DocKind::Need),
            record_id: 7,
            title: "Receptionist".into(),
            owner: Some("Havnens Hotel A/S".into()),
            reference: Some("RB-2026-000007".into()),
            status: Some("in_progress".into()),
            text: Some("RB-2026-000007\nDansk og engelsk".into()),
            active: true,
            ..SearchDoc::default()
        };
        index.upsert(std::slice::from_ref(&need)).await.unwrap();
        let results = index.search(&query("receptionist")).await.unwrap();
        assert_eq!(results.hits[0].doc, need);
    }

    #[tokio::test]
    async fn a_failed_task_is_an_error_not_ok() {
        let (fake, index) = fake_with_index().await;
        fake.fail_next_task("disk full");

        let result = index.upsert(&[havnens_hotel()]).await;

        match result {
            Err(SearchError::Failed(message)) => {
                assert!(message.contains("disk full"), "{message}")
            }
            other => panic!("expected Failed, got {other:?}"),
        }
        assert!(fake.documents(INDEX).is_empty());
        // The next write goes through.
        index.upsert(&[havnens_hotel()]).await.unwrap();
        assert_eq!(fake.documents(INDEX).len(), 1);
        // Deletions check their task as well.
        fake.fail_next_task("settings broken");
        assert!(matches!(index.clear().await, Err(SearchError::Failed(_))));
    }

    #[tokio::test]
    async fn writes_return_only_when_their_task_has_finished() {
        let (fake, index) = fake_with_index().await;
        fake.set_task_polls(3);

        index.upsert(&[havnens_hotel()]).await.unwrap();

        let polls: Vec<RecordedRequest> = fake
            .requests()
            .into_iter()
            .filter(|r| r.path.starts_with("/tasks/"))
            .collect();
        assert_eq!(polls.len(), 4, "three times processing, then succeeded");
        assert!(polls.iter().all(|r| r.query.is_empty() && r.body.is_none()));
    }

    #[tokio::test]
    async fn a_stopped_server_is_unavailable_and_a_restarted_one_works_again() {
        let (fake, index) = fake_with_index().await;
        index.upsert(&[havnens_hotel()]).await.unwrap();

        fake.stop().await;

        // The fake's workers wind down asynchronously: allow them a moment
        // before a kept-alive connection is certainly gone.
        let mut down = false;
        for _ in 0..40 {
            if matches!(index.ping().await, Err(SearchError::Unavailable(_))) {
                down = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(down, "a stopped server must be unavailable");
        assert!(matches!(
            index.upsert(&[havnens_hotel()]).await,
            Err(SearchError::Unavailable(_))
        ));
        assert!(matches!(
            index.delete(&["business:42".into()]).await,
            Err(SearchError::Unavailable(_))
        ));
        assert!(matches!(
            index.search(&query("hotel")).await,
            Err(SearchError::Unavailable(_))
        ));

        fake.restart().await;

        index.ping().await.unwrap();
        index.delete(&["business:42".into()]).await.unwrap();
        assert!(fake.documents(INDEX).is_empty());
        index.upsert(&[havnens_hotel()]).await.unwrap();
        assert_eq!(fake.documents(INDEX).len(), 1);
        assert_eq!(index.name(), "meilisearch");
        assert!(fake.url().starts_with("http://127.0.0.1:"));
    }

    #[tokio::test]
    async fn server_errors_are_unavailable_and_request_errors_failed() {
        let (fake, index) = fake_with_index().await;

        fake.fail_next_request(
            500,
            json!({
                "message": "Internal error", "code": "internal", "type": "internal", "link": ""
            }),
        );
        assert!(matches!(
            index.search(&query("hotel")).await,
            Err(SearchError::Unavailable(_))
        ));

        fake.fail_next_request(502, json!("bad gateway"));
        assert!(matches!(
            index.ping().await,
            Err(SearchError::Unavailable(_))
        ));

        fake.fail_next_request(
            400,
            json!({
                "message": "Attribute `x` is not filterable.", "code": "invalid_search_filter",
                "type": "invalid_request", "link": ""
            }),
        );
        match index.search(&query("hotel")).await {
            Err(SearchError::Failed(message)) => {
                assert!(message.contains("not filterable"), "{message}")
            }
            other => panic!("expected Failed, got {other:?}"),
        }

        fake.fail_next_request(403, json!("forbidden"));
        assert!(matches!(
            index.upsert(&[havnens_hotel()]).await,
            Err(SearchError::Failed(_))
        ));
    }

    #[tokio::test]
    async fn a_server_that_does_not_answer_in_time_is_unavailable() {
        let fake = FakeMeili::start().await;
        let index = fake
            .meili_index(INDEX)
            .with_timeouts(Duration::from_millis(100), Duration::from_secs(1));
        fake.set_delay(Duration::from_millis(500));

        assert!(matches!(
            index.ping().await,
            Err(SearchError::Unavailable(_))
        ));
    }
}
