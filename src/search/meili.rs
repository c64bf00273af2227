//! Meilisearch backend, for when the application runs as several instances
//! (`MEILI_URL`). It indexes and queries with the same shared normalisation
//! as the embedded tantivy backend:
//!
//! - Every [`SearchDoc`] is sent as it is (so a hit can be returned without a
//!   database read) plus `*_n` fields holding the `normalize::fold`ed words,
//!   and the query sent is the folded query, so Meilisearch compares the same
//!   spellings as tantivy does (`Ørestad` = `Oerestad` = `orestad`).
//! - Company-form words ("A/S", "ApS") are kept out of `title_n` and go to
//!   `form_n`, the last searchable attribute. Meilisearch has no optional
//!   query words, so the form words of a query are not sent — unless the
//!   query is nothing but form words (`normalize::query_terms` then makes them
//!   the words), in which case they are required and match `form_n`.
//! - Meilisearch document ids may only hold `[a-zA-Z0-9_-]`, so the primary
//!   key is `key`, an encoding of `SearchDoc::id` (`business:42` →
//!   `business-42`, see [`doc_key`]).
//! - `total` is exact: searches use `page`/`hitsPerPage`, which makes
//!   Meilisearch count every match (`totalHits`, up to `maxTotalHits`, set
//!   to a million). An offset that is not a multiple of the limit is served
//!   from the smallest page that holds the whole requested window, sliced
//!   here (see [`PageWindow`]): one request, and the count stays exact.
//! - Every write waits for its task and checks its status (the SDK's own
//!   `wait_for_completion` returns `Ok` for a failed task), so a change is
//!   visible when `upsert`/`delete`/`clear` return.
//! - Errors: no connection, a timeout, or a 5xx/internal error are
//!   [`SearchError::Unavailable`] (the caller queues writes and retries); a
//!   failed task or a 4xx are [`SearchError::Failed`].
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::time::Duration;

use meilisearch_sdk::client::Client;
use meilisearch_sdk::errors::{Error as MeiliError, ErrorCode, ErrorType, MeilisearchError};
use meilisearch_sdk::indexes::Index;
use meilisearch_sdk::search::{MatchingStrategies, Selectors};
use meilisearch_sdk::settings::{
    FacetSortValue, FacetingSettings, FilterableAttribute, MinWordSizeForTypos, PaginationSetting,
    Settings, TypoToleranceSettings,
};
use meilisearch_sdk::task_info::TaskInfo;
use meilisearch_sdk::tasks::Task;
use serde::{Deserialize, Serialize};

use crate::search::highlight;
use crate::search::normalize::{self, COMPANY_FORM_WORDS, NumberQuery, QueryTerms};
use crate::search::{
    DocKind, FACETS, Filters, Hit, SearchDoc, SearchError, SearchIndex, SearchQuery, SearchResults,
};

/// The primary key of the Meilisearch index (see [`doc_key`]).
pub const PRIMARY_KEY: &str = "key";

/// Searchable attributes, most important first (the `attribute` ranking rule).
pub const SEARCHABLE_ATTRIBUTES: [&str; 9] = [
    "title_n",
    "cvr",
    "p_numbers",
    "persons_n",
    "addresses_n",
    "industry_n",
    "consultant_n",
    "text_n",
    "form_n",
];

/// Attributes filters and facets work on.
pub const FILTERABLE_ATTRIBUTES: [&str; 7] = [
    "kind",
    "district",
    "section",
    "size",
    "consultant_id",
    "segments",
    "active",
];

/// `sort` last: with a query, relevance decides and the title only breaks
/// ties; without one (placeholder search), the title order is all there is.
pub const RANKING_RULES: [&str; 6] = [
    "words",
    "typo",
    "proximity",
    "attribute",
    "exactness",
    "sort",
];

/// Attributes on which typos are never allowed (numbers must match exactly).
pub const NO_TYPO_ATTRIBUTES: [&str; 2] = ["cvr", "p_numbers"];

/// One typo from 5 letters, two from 9 (`normalize::max_typos`).
pub const ONE_TYPO_FROM: u8 = 5;
pub const TWO_TYPOS_FROM: u8 = 9;

/// Enough for every district, section, size, consultant and segment.
pub const MAX_VALUES_PER_FACET: usize = 1_000;

/// Upper bound of `totalHits`; far above the number of documents we hold,
/// so the count is exact.
pub const MAX_TOTAL_HITS: usize = 1_000_000;

const SORT_BY_TITLE: [&str; 1] = ["title_sort:asc"];

/// A query that is a CVR or P-number searches only here.
const NUMBER_ATTRIBUTES: [&str; 2] = ["cvr", "p_numbers"];

/// Other digits are the start of a CVR or P-number, or a number in an
/// address (a postal code, a house number); CVR and P-numbers rank first.
const DIGIT_ATTRIBUTES: [&str; 3] = ["cvr", "p_numbers", "addresses_n"];

/// What a search reads back: the [`SearchDoc`] fields and the key.
const RETRIEVED_ATTRIBUTES: [&str; 23] = [
    "key",
    "id",
    "kind",
    "record_id",
    "title",
    "company_form",
    "cvr",
    "p_numbers",
    "addresses",
    "district",
    "industry_code",
    "industry_text",
    "section",
    "size",
    "segments",
    "persons",
    "consultant",
    "consultant_id",
    "active",
    "text",
    "owner",
    "reference",
    "status",
];

/// Documents per add request (each one is a task, waited for in order).
const UPSERT_BATCH: usize = 1_000;

const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
const DEFAULT_TASK_TIMEOUT: Duration = Duration::from_secs(60);
const FIRST_POLL: Duration = Duration::from_millis(10);
const MAX_POLL: Duration = Duration::from_millis(250);

/// The Meilisearch backend. Cheap to clone; safe to share between tasks.
#[derive(Clone)]
pub struct MeiliIndex {
    client: Client,
    index: Index,
    url: String,
    request_timeout: Duration,
    task_timeout: Duration,
    /// Set once the index exists with its settings, in this process.
    settled: std::sync::Arc<tokio::sync::OnceCell<()>>,
}

impl fmt::Debug for MeiliIndex {
    // Not derived: the client holds the API key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MeiliIndex")
            .field("url", &self.url)
            .field("index", &self.index.uid)
            .field("request_timeout", &self.request_timeout)
            .field("task_timeout", &self.task_timeout)
            .finish()
    }
}

impl MeiliIndex {
    /// A client for the index `index_uid` on the server at `url`
    /// (`http://host:7700`). Nothing is sent yet; call
    /// [`MeiliIndex::ensure_settings`] once at startup.
    pub fn new(url: &str, api_key: Option<&str>, index_uid: &str) -> Result<Self, SearchError> {
        let url = url.trim().trim_end_matches('/');
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(SearchError::Failed(format!(
                "Meilisearch URL must start with http:// or https://, got {url:?}"
            )));
        }
        if index_uid.is_empty()
            || index_uid.len() > 400
            || !index_uid
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(SearchError::Failed(format!(
                "Meilisearch index uid must be 1-400 characters of a-z, A-Z, 0-9, - and _, got {index_uid:?}"
            )));
        }
        // The SDK panics on a key that can't be an HTTP header value.
        if let Some(key) = api_key
            && !key.bytes().all(|b| b == b'\t' || (0x20..0x7f).contains(&b))
        {
            return Err(SearchError::Failed(
                "Meilisearch API key holds characters not allowed in an HTTP header".into(),
            ));
        }
        let client = Client::new(url, api_key)
            .map_err(|e| SearchError::Failed(format!("creating the Meilisearch client: {e}")))?;
        let index = client.index(index_uid);
        Ok(MeiliIndex {
            client,
            index,
            url: url.to_string(),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            task_timeout: DEFAULT_TASK_TIMEOUT,
            settled: Default::default(),
        })
    }

    /// Overrides how long one HTTP request may take (default 5 s) and how
    /// long a write waits for its task (default 60 s). Past either, the
    /// call fails with [`SearchError::Unavailable`].
    pub fn with_timeouts(mut self, request: Duration, task: Duration) -> Self {
        self.request_timeout = request;
        self.task_timeout = task;
        self
    }

    pub fn index_uid(&self) -> &str {
        &self.index.uid
    }

    /// Creates the index (primary key `key`) unless it exists, and applies
    /// the settings; waits for both tasks and checks that they succeeded.
    pub async fn ensure_settings(&self) -> Result<(), SearchError> {
        let task = self
            .call(
                "creating the index",
                self.client.create_index(&self.index.uid, Some(PRIMARY_KEY)),
            )
            .await?;
        match self.outcome(&task).await? {
            None => {}
            Some(e) if e.error_code == ErrorCode::IndexAlreadyExists => {}
            Some(e) => return Err(task_failed("creating the index", &task, &e)),
        }
        let task = self
            .call(
                "updating the settings",
                self.index.set_settings(&settings()),
            )
            .await?;
        self.complete("updating the settings", &task).await
    }

    /// Applies the settings unless this process already has: every write
    /// and search waits for it, so no document reaches an index made
    /// without them (documents added first would make the index
    /// themselves, and a filtered search would then fail until the settings
    /// task, queued behind the other indexes' tasks, is done).
    pub async fn settle(&self) -> Result<(), SearchError> {
        self.settled
            .get_or_try_init(|| self.ensure_settings())
            .await
            .map(|_| ())
    }

    /// Runs one SDK request with the request timeout.
    async fn call<T>(
        &self,
        what: &str,
        request: impl Future<Output = Result<T, MeiliError>>,
    ) -> Result<T, SearchError> {
        match tokio::time::timeout(self.request_timeout, request).await {
            Ok(result) => result.map_err(|e| map_error(what, e)),
            Err(_) => Err(SearchError::Unavailable(format!(
                "{what}: no answer from Meilisearch within {} ms",
                self.request_timeout.as_millis()
            ))),
        }
    }

    /// Polls a task until it is finished: `None` if it succeeded, its error
    /// if it failed.
    async fn outcome(&self, task: &TaskInfo) -> Result<Option<MeilisearchError>, SearchError> {
        let deadline = tokio::time::Instant::now() + self.task_timeout;
        let mut pause = FIRST_POLL;
        loop {
            match self
                .call("reading a task", self.client.get_task(task))
                .await?
            {
                Task::Succeeded { .. } => return Ok(None),
                Task::Failed { content } => return Ok(Some(content.error)),
                Task::Enqueued { .. } | Task::Processing { .. } => {}
            }
            if tokio::time::Instant::now() + pause > deadline {
                return Err(SearchError::Unavailable(format!(
                    "Meilisearch task {} not finished after {} ms",
                    task.task_uid,
                    self.task_timeout.as_millis()
                )));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(MAX_POLL);
        }
    }

    /// Waits for a task; a failed task is an error.
    async fn complete(&self, what: &str, task: &TaskInfo) -> Result<(), SearchError> {
        match self.outcome(task).await? {
            None => Ok(()),
            Some(e) => Err(task_failed(what, task, &e)),
        }
    }
}

fn task_failed(what: &str, task: &TaskInfo, e: &MeilisearchError) -> SearchError {
    SearchError::Failed(format!(
        "{what}: Meilisearch task {} failed: {} ({})",
        task.task_uid, e.error_message, e.error_code
    ))
}

fn map_error(what: &str, e: MeiliError) -> SearchError {
    match e {
        // Connection refused, reset, TLS, a body cut short: the server isn't there.
        MeiliError::HttpError(e) => SearchError::Unavailable(format!("{what}: {e}")),
        MeiliError::MeilisearchCommunication(e) if e.status_code >= 500 => {
            SearchError::Unavailable(format!("{what}: Meilisearch answered {}", e.status_code))
        }
        MeiliError::MeilisearchCommunication(e) => {
            SearchError::Failed(format!("{what}: Meilisearch answered {}", e.status_code))
        }
        // Internal errors are 5xx; "system" errors (e.g. too many search
        // requests, 503) deserialise as Unknown.
        MeiliError::Meilisearch(e)
            if matches!(e.error_type, ErrorType::Internal | ErrorType::Unknown) =>
        {
            SearchError::Unavailable(format!("{what}: {} ({})", e.error_message, e.error_code))
        }
        MeiliError::Meilisearch(e) => {
            SearchError::Failed(format!("{what}: {} ({})", e.error_message, e.error_code))
        }
        MeiliError::Timeout => SearchError::Unavailable(format!("{what}: timed out")),
        e => SearchError::Failed(format!("{what}: {e}")),
    }
}

/// The index settings (see the module docs).
pub fn settings() -> Settings {
    Settings {
        searchable_attributes: Some(
            SEARCHABLE_ATTRIBUTES
                .iter()
                .map(|s| s.to_string())
                .collect(),
        ),
        filterable_attributes: Some(
            FILTERABLE_ATTRIBUTES
                .iter()
                .map(|s| FilterableAttribute::from(*s))
                .collect(),
        ),
        sortable_attributes: Some(vec!["title_sort".to_string()]),
        ranking_rules: Some(RANKING_RULES.iter().map(|s| s.to_string()).collect()),
        stop_words: Some(Vec::new()),
        typo_tolerance: Some(TypoToleranceSettings {
            enabled: Some(true),
            disable_on_attributes: Some(NO_TYPO_ATTRIBUTES.iter().map(|s| s.to_string()).collect()),
            disable_on_words: Some(Vec::new()),
            min_word_size_for_typos: Some(MinWordSizeForTypos {
                one_typo: Some(ONE_TYPO_FROM),
                two_typos: Some(TWO_TYPOS_FROM),
            }),
            // "RB-2026-000002" must not find RB-2026-000001: numbers (in
            // references, CVR and P-numbers) match exactly or as a prefix.
            disable_on_numbers: Some(true),
        }),
        faceting: Some(FacetingSettings {
            max_values_per_facet: MAX_VALUES_PER_FACET,
            // If a facet ever has more values, keep the biggest.
            sort_facet_values_by: Some(BTreeMap::from([("*".to_string(), FacetSortValue::Count)])),
        }),
        pagination: Some(PaginationSetting {
            max_total_hits: MAX_TOTAL_HITS,
        }),
        ..Settings::new()
    }
}

/// The Meilisearch key of a document id: letters and digits are kept, `:`
/// becomes `-`, anything else `_XX` per UTF-8 byte — so `business:42` is
/// `business-42`, and the mapping is reversible ([`doc_id_of_key`]).
pub fn doc_key(id: &str) -> String {
    let mut key = String::with_capacity(id.len());
    for c in id.chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c);
        } else if c == ':' {
            key.push('-');
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                key.push_str(&format!("_{b:02X}"));
            }
        }
    }
    key
}

/// The document id of a key made by [`doc_key`]; `None` if it isn't one.
pub fn doc_id_of_key(key: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(key.len());
    let mut rest = key.bytes();
    while let Some(b) = rest.next() {
        match b {
            b'-' => bytes.push(b':'),
            b'_' => {
                let hex = [rest.next()?, rest.next()?];
                let hex = std::str::from_utf8(&hex).ok()?;
                bytes.push(u8::from_str_radix(hex, 16).ok()?);
            }
            b if b.is_ascii_alphanumeric() => bytes.push(b),
            _ => return None,
        }
    }
    String::from_utf8(bytes).ok()
}

/// A document as sent to Meilisearch: the [`SearchDoc`] (with
/// `consultant_id` as a string, so it filters and facets like the other
/// codes) plus the folded search fields.
#[derive(Debug, Serialize)]
pub struct MeiliDoc<'a> {
    pub key: String,
    pub id: &'a str,
    pub kind: Option<DocKind>,
    pub record_id: i32,
    pub title: &'a str,
    pub company_form: Option<&'a str>,
    pub cvr: Option<&'a str>,
    pub p_numbers: &'a [String],
    pub addresses: &'a [String],
    pub district: Option<&'a str>,
    pub industry_code: Option<&'a str>,
    pub industry_text: Option<&'a str>,
    pub section: Option<&'a str>,
    pub size: Option<&'a str>,
    pub segments: &'a [String],
    pub persons: &'a [String],
    pub consultant: Option<&'a str>,
    pub consultant_id: Option<String>,
    pub active: bool,
    pub text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'a str>,
    /// Folded title words without company-form words.
    pub title_n: String,
    /// Company-form words of the title and the company form.
    pub form_n: Vec<String>,
    pub addresses_n: Vec<String>,
    pub persons_n: Vec<String>,
    pub industry_n: Option<String>,
    pub consultant_n: Option<String>,
    pub text_n: Option<String>,
    /// The folded title, for the placeholder order.
    pub title_sort: String,
}

fn folded(text: &str) -> String {
    normalize::tokens(text).join(" ")
}

fn is_form_word(word: &str) -> bool {
    COMPANY_FORM_WORDS.contains(&word)
}

impl<'a> MeiliDoc<'a> {
    pub fn new(doc: &'a SearchDoc) -> Self {
        let title_tokens = normalize::tokens(&doc.title);
        let title_n: Vec<&str> = title_tokens
            .iter()
            .map(String::as_str)
            .filter(|w| !is_form_word(w))
            .collect();
        let mut form_n: Vec<String> = Vec::new();
        let form_words = title_tokens.iter().filter(|w| is_form_word(w)).cloned();
        let label_words = doc.company_form.iter().flat_map(|f| normalize::tokens(f));
        for word in form_words.chain(label_words) {
            if !form_n.contains(&word) {
                form_n.push(word);
            }
        }
        MeiliDoc {
            key: doc_key(&doc.id),
            id: &doc.id,
            kind: doc.kind,
            record_id: doc.record_id,
            title: &doc.title,
            company_form: doc.company_form.as_deref(),
            cvr: doc.cvr.as_deref(),
            p_numbers: &doc.p_numbers,
            addresses: &doc.addresses,
            district: doc.district.as_deref(),
            industry_code: doc.industry_code.as_deref(),
            industry_text: doc.industry_text.as_deref(),
            section: doc.section.as_deref(),
            size: doc.size.as_deref(),
            segments: &doc.segments,
            persons: &doc.persons,
            consultant: doc.consultant.as_deref(),
            consultant_id: doc.consultant_id.map(|id| id.to_string()),
            active: doc.active,
            text: doc.text.as_deref(),
            owner: doc.owner.as_deref(),
            reference: doc.reference.as_deref(),
            status: doc.status.as_deref(),
            title_n: title_n.join(" "),
            form_n,
            addresses_n: doc.addresses.iter().map(|a| folded(a)).collect(),
            persons_n: doc.persons.iter().map(|p| folded(p)).collect(),
            industry_n: doc.industry_text.as_deref().map(folded),
            consultant_n: doc.consultant.as_deref().map(folded),
            text_n: doc.text.as_deref().map(folded),
            title_sort: folded(&doc.title),
        }
    }
}

/// A hit as read back: lenient, so a document written by an older version
/// still maps.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StoredDoc {
    key: String,
    id: String,
    kind: Option<String>,
    record_id: i32,
    title: String,
    company_form: Option<String>,
    cvr: Option<String>,
    p_numbers: Vec<String>,
    addresses: Vec<String>,
    district: Option<String>,
    industry_code: Option<String>,
    industry_text: Option<String>,
    section: Option<String>,
    size: Option<String>,
    segments: Vec<String>,
    persons: Vec<String>,
    consultant: Option<String>,
    consultant_id: Option<serde_json::Value>,
    active: bool,
    text: Option<String>,
    owner: Option<String>,
    reference: Option<String>,
    status: Option<String>,
}

impl StoredDoc {
    fn into_search_doc(self) -> SearchDoc {
        let id = if self.id.is_empty() {
            doc_id_of_key(&self.key).unwrap_or(self.key)
        } else {
            self.id
        };
        let consultant_id = match self.consultant_id {
            Some(serde_json::Value::String(s)) => s.parse().ok(),
            Some(serde_json::Value::Number(n)) => n.as_i64().and_then(|n| i32::try_from(n).ok()),
            _ => None,
        };
        SearchDoc {
            id,
            kind: self.kind.as_deref().and_then(DocKind::parse),
            record_id: self.record_id,
            title: self.title,
            company_form: self.company_form,
            cvr: self.cvr,
            p_numbers: self.p_numbers,
            addresses: self.addresses,
            district: self.district,
            industry_code: self.industry_code,
            industry_text: self.industry_text,
            section: self.section,
            size: self.size,
            segments: self.segments,
            persons: self.persons,
            consultant: self.consultant,
            consultant_id,
            active: self.active,
            text: self.text,
            owner: self.owner,
            reference: self.reference,
            status: self.status,
        }
    }
}

/// What is sent for a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryPlan {
    /// `None`: placeholder search (every document, in title order).
    pub q: Option<String>,
    /// Restricts the attributes searched (number queries).
    pub attributes: Option<&'static [&'static str]>,
}

impl QueryPlan {
    pub fn new(terms: &QueryTerms) -> QueryPlan {
        match &terms.number {
            // A phrase: exact, no prefix, no typo — the exact number first
            // (and only).
            Some(NumberQuery::Cvr(digits) | NumberQuery::PNumber(digits)) => QueryPlan {
                q: Some(format!("\"{digits}\"")),
                attributes: Some(&NUMBER_ATTRIBUTES),
            },
            // The last word of a query is a prefix in Meilisearch.
            Some(NumberQuery::Digits(digits)) => QueryPlan {
                q: Some(digits.clone()),
                attributes: Some(&DIGIT_ATTRIBUTES),
            },
            None if terms.words.is_empty() => QueryPlan {
                q: None,
                attributes: None,
            },
            None => {
                let mut q = terms.words.join(" ");
                // Meilisearch treats the last word as a prefix unless a
                // separator follows it.
                if !terms.last_is_prefix {
                    q.push(' ');
                }
                QueryPlan {
                    q: Some(q),
                    attributes: None,
                }
            }
        }
    }
}

/// The query with its company-form words required too, when it has any
/// besides other words (see `search`).
fn preferred_query(terms: &QueryTerms) -> Option<String> {
    if terms.number.is_some() || terms.form_words.is_empty() || terms.words == terms.form_words {
        return None;
    }
    let mut q = terms.words.join(" ");
    for w in &terms.form_words {
        q.push(' ');
        q.push_str(w);
    }
    // Company-form words are whole words ("as" must not find "Asfalt").
    q.push(' ');
    Some(q)
}

/// Quotes a filter value: `"` and `\` are escaped with `\`.
pub fn quote_filter_value(value: &str) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

/// The Meilisearch filter for [`Filters`], `None` when there is none.
pub fn filter_expression(filters: &Filters) -> Option<String> {
    let consultant = filters.consultant_id.map(|id| id.to_string());
    let parts: Vec<String> = [
        ("kind", filters.kind.map(DocKind::as_str)),
        ("district", filters.district.as_deref()),
        ("section", filters.section.as_deref()),
        ("size", filters.size.as_deref()),
        ("consultant_id", consultant.as_deref()),
        ("segments", filters.segment.as_deref()),
    ]
    .into_iter()
    .filter_map(|(attr, value)| value.map(|v| format!("{attr} = {}", quote_filter_value(v))))
    .collect();
    if parts.is_empty() {
        None
    } else {
        Some(parts.join(" AND "))
    }
}

/// The Meilisearch page that holds the window `offset..offset + limit`.
///
/// `page`/`hitsPerPage` give an exact `totalHits`, `offset`/`limit` only an
/// estimate. When `offset` is a multiple of `limit` the page is exactly the
/// window; otherwise the smallest page size from `limit` up whose page
/// boundaries don't cut the window is used, and `skip` hits are dropped
/// from its start (at most `offset + limit` hits are fetched, for one page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageWindow {
    /// 1-based.
    pub page: usize,
    pub hits_per_page: usize,
    pub skip: usize,
}

impl PageWindow {
    pub fn new(offset: usize, limit: usize) -> PageWindow {
        if limit == 0 {
            return PageWindow {
                page: 1,
                hits_per_page: 0,
                skip: 0,
            };
        }
        let mut size = limit;
        while offset % size + limit > size {
            size += 1;
        }
        PageWindow {
            page: offset / size + 1,
            hits_per_page: size,
            skip: offset % size,
        }
    }
}

/// Facet counts, count descending then value ascending, every facet of
/// [`FACETS`] present.
fn facets_of(
    distribution: Option<HashMap<String, HashMap<String, usize>>>,
) -> BTreeMap<String, Vec<(String, u64)>> {
    let mut distribution = distribution.unwrap_or_default();
    FACETS
        .iter()
        .map(|facet| {
            let mut values: Vec<(String, u64)> = distribution
                .remove(*facet)
                .unwrap_or_default()
                .into_iter()
                .filter(|(_, count)| *count > 0)
                .map(|(value, count)| (value, count as u64))
                .collect();
            values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            (facet.to_string(), values)
        })
        .collect()
}

#[async_trait::async_trait]
impl SearchIndex for MeiliIndex {
    fn name(&self) -> &'static str {
        "meilisearch"
    }

    async fn upsert(&self, docs: &[SearchDoc]) -> Result<(), SearchError> {
        self.settle().await?;
        let mut tasks = Vec::new();
        for batch in docs.chunks(UPSERT_BATCH) {
            let batch: Vec<MeiliDoc<'_>> = batch.iter().map(MeiliDoc::new).collect();
            let task = self
                .call(
                    "adding documents",
                    self.index.add_or_replace(&batch, Some(PRIMARY_KEY)),
                )
                .await?;
            tasks.push(task);
        }
        for task in &tasks {
            self.complete("adding documents", task).await?;
        }
        Ok(())
    }

    async fn delete(&self, ids: &[String]) -> Result<(), SearchError> {
        if ids.is_empty() {
            return Ok(());
        }
        self.settle().await?;
        let keys: Vec<String> = ids.iter().map(|id| doc_key(id)).collect();
        let task = self
            .call("deleting documents", self.index.delete_documents(&keys))
            .await?;
        self.complete("deleting documents", &task).await
    }

    async fn clear(&self) -> Result<(), SearchError> {
        let task = self
            .call("deleting all documents", self.index.delete_all_documents())
            .await?;
        match self.outcome(&task).await? {
            None => Ok(()),
            // A fresh server: nothing to clear; the first documents (or the
            // settings) create the index.
            Some(e) if e.error_code == ErrorCode::IndexNotFound => Ok(()),
            Some(e) => Err(task_failed("deleting all documents", &task, &e)),
        }
    }

    async fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        self.settle().await?;
        let terms = normalize::query_terms(&query.q);
        let plan = QueryPlan::new(&terms);
        let filter = filter_expression(&query.filters);
        // Company-form words may match, never must, and are preferred when
        // given. Meilisearch has no optional words, so the hits that match
        // them too are asked for first and put in front; the other hits,
        // the total and the facets are the query's without them.
        let preferred = match preferred_query(&terms) {
            Some(q) => {
                let mut request = self.index.search();
                request
                    .with_query(&q)
                    .with_limit(query.offset + query.limit)
                    .with_sort(&SORT_BY_TITLE)
                    .with_show_ranking_score(true)
                    .with_matching_strategy(MatchingStrategies::ALL)
                    .with_attributes_to_retrieve(Selectors::Some(&RETRIEVED_ATTRIBUTES));
                if let Some(filter) = &filter {
                    request.with_filter(filter);
                }
                self.call("searching", request.execute::<StoredDoc>())
                    .await?
                    .hits
            }
            None => Vec::new(),
        };
        let window = if preferred.is_empty() {
            PageWindow::new(query.offset, query.limit)
        } else {
            PageWindow::new(0, query.offset + query.limit + preferred.len())
        };

        let mut request = self.index.search();
        request
            .with_page(window.page)
            .with_hits_per_page(window.hits_per_page)
            .with_facets(Selectors::Some(&FACETS))
            .with_sort(&SORT_BY_TITLE)
            .with_show_ranking_score(true)
            .with_matching_strategy(MatchingStrategies::ALL)
            .with_attributes_to_retrieve(Selectors::Some(&RETRIEVED_ATTRIBUTES));
        if let Some(q) = &plan.q {
            request.with_query(q);
        }
        if let Some(attributes) = plan.attributes {
            request.with_attributes_to_search_on(attributes);
        }
        if let Some(filter) = &filter {
            request.with_filter(filter);
        }
        let found = self
            .call("searching", request.execute::<StoredDoc>())
            .await?;

        let hit = |h: meilisearch_sdk::search::SearchResult<StoredDoc>| {
            let doc = h.result.into_search_doc();
            let highlights = highlight::highlight(&doc, &query.q);
            Hit {
                doc,
                score: h.ranking_score.unwrap_or(0.0) as f32,
                highlights,
            }
        };
        let hits: Vec<Hit> = if preferred.is_empty() {
            found
                .hits
                .into_iter()
                .skip(window.skip)
                .take(query.limit)
                .map(hit)
                .collect()
        } else {
            let first: std::collections::HashSet<String> =
                preferred.iter().map(|h| h.result.key.clone()).collect();
            preferred
                .into_iter()
                .chain(
                    found
                        .hits
                        .into_iter()
                        .filter(|h| !first.contains(&h.result.key)),
                )
                .skip(query.offset)
                .take(query.limit)
                .map(hit)
                .collect()
        };
        let total = found
            .total_hits
            .or(found.estimated_total_hits)
            .unwrap_or(query.offset + hits.len());
        Ok(SearchResults {
            total,
            hits,
            facets: facets_of(found.facet_distribution),
        })
    }

    async fn ping(&self) -> Result<(), SearchError> {
        let health = self.call("checking health", self.client.health()).await?;
        if health.status == "available" {
            Ok(())
        } else {
            Err(SearchError::Unavailable(format!(
                "Meilisearch reports status {:?}",
                health.status
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_valid_meilisearch_ids_and_map_back() {
        assert_eq!(doc_key("business:42"), "business-42");
        assert_eq!(doc_id_of_key("business-42").as_deref(), Some("business:42"));
        for id in ["need:7", "a_b-c:d", "ø:1 2", "x\"y\\z", ""] {
            let key = doc_key(id);
            assert!(
                key.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                "{key}"
            );
            assert_eq!(doc_id_of_key(&key).as_deref(), Some(id));
        }
        assert_eq!(doc_id_of_key("bad_Z"), None);
        assert_eq!(doc_id_of_key("bad_4"), None);
    }

    #[test]
    fn windows_are_served_from_one_page_that_holds_them() {
        assert_eq!(
            PageWindow::new(0, 20),
            PageWindow {
                page: 1,
                hits_per_page: 20,
                skip: 0
            }
        );
        assert_eq!(
            PageWindow::new(40, 20),
            PageWindow {
                page: 3,
                hits_per_page: 20,
                skip: 0
            }
        );
        assert_eq!(
            PageWindow::new(5, 10),
            PageWindow {
                page: 1,
                hits_per_page: 15,
                skip: 5
            }
        );
        assert_eq!(
            PageWindow::new(0, 0),
            PageWindow {
                page: 1,
                hits_per_page: 0,
                skip: 0
            }
        );
        for offset in 0..60 {
            for limit in 1..25 {
                let w = PageWindow::new(offset, limit);
                assert!(w.hits_per_page >= limit && w.hits_per_page <= offset + limit);
                let start = (w.page - 1) * w.hits_per_page + w.skip;
                assert_eq!(start, offset);
                assert!(w.skip + limit <= w.hits_per_page, "{offset} {limit} {w:?}");
            }
        }
    }

    #[test]
    fn filter_values_are_quoted_and_escaped() {
        let filters = Filters {
            kind: Some(DocKind::Business),
            district: Some(r#"nørre"bro\"#.into()),
            consultant_id: Some(7),
            segment: Some("x".into()),
            ..Filters::default()
        };
        assert_eq!(
            filter_expression(&filters).as_deref(),
            Some(
                r#"kind = "business" AND district = "nørre\"bro\\" AND consultant_id = "7" AND segments = "x""#
            )
        );
        assert_eq!(filter_expression(&Filters::default()), None);
    }

    #[test]
    fn queries_are_planned_from_the_shared_terms() {
        let plan = |q: &str| QueryPlan::new(&normalize::query_terms(q));
        assert_eq!(plan("Oerestad nørreb").q.as_deref(), Some("orestad norreb"));
        assert_eq!(
            plan("havnens hotel a/s ").q.as_deref(),
            Some("havnens hotel ")
        );
        assert_eq!(plan("ApS").q.as_deref(), Some("aps"));
        assert_eq!(plan("  ").q, None);
        let cvr = plan("DK 1015 0817");
        assert_eq!(cvr.q.as_deref(), Some("\"10150817\""));
        assert_eq!(cvr.attributes, Some(&NUMBER_ATTRIBUTES[..]));
        assert_eq!(plan("1015").q.as_deref(), Some("1015"));
    }

    #[test]
    fn facets_sort_by_count_then_value() {
        let dist = HashMap::from([(
            "district".to_string(),
            HashMap::from([
                ("b".to_string(), 2),
                ("a".to_string(), 2),
                ("c".to_string(), 5),
            ]),
        )]);
        let facets = facets_of(Some(dist));
        assert_eq!(facets.len(), FACETS.len());
        assert_eq!(
            facets["district"],
            vec![
                ("c".to_string(), 5),
                ("a".to_string(), 2),
                ("b".to_string(), 2)
            ]
        );
        assert!(facets["kind"].is_empty());
    }

    #[test]
    fn bad_configuration_is_refused_without_panicking() {
        assert!(MeiliIndex::new("localhost:7700", None, "docs").is_err());
        assert!(MeiliIndex::new("http://localhost:7700", None, "bad uid").is_err());
        assert!(MeiliIndex::new("http://localhost:7700", Some("key\n"), "docs").is_err());
        let index = MeiliIndex::new("http://localhost:7700/", Some("secret"), "docs");
        assert!(index.is_ok_and(|i| !format!("{i:?}").contains("secret")));
    }
}
