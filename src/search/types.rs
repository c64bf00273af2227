//! The search data types and the backend trait (see the module docs).
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a document is about. Recruitment needs and initiatives plug in here
/// when those areas exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    Business,
    Need,
    Initiative,
}

impl DocKind {
    pub const ALL: [DocKind; 3] = [DocKind::Business, DocKind::Need, DocKind::Initiative];

    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Business => "business",
            DocKind::Need => "need",
            DocKind::Initiative => "initiative",
        }
    }

    pub fn parse(s: &str) -> Option<DocKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One searchable record, as plain display text and codes. Backends index
/// the `normalize::fold`ed form of the text fields and keep the document
/// itself to return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SearchDoc {
    /// Globally unique: `"{kind}:{record_id}"`, e.g. `business:42`.
    pub id: String,
    pub kind: Option<DocKind>,
    pub record_id: i32,
    /// The business name (with its company-form suffix as registered), or
    /// the need's job title, or the initiative's name.
    pub title: String,
    /// Company-form label, e.g. "ApS" (businesses only).
    pub company_form: Option<String>,
    /// 8-digit CVR number.
    pub cvr: Option<String>,
    /// 10-digit P-numbers.
    pub p_numbers: Vec<String>,
    /// Full addresses: "Nørrebrogade 45, 2200 København N".
    pub addresses: Vec<String>,
    /// District code (`domain::District::as_str`).
    pub district: Option<String>,
    /// DB07 code, 6 digits.
    pub industry_code: Option<String>,
    /// The industry's title, e.g. "Restauranter".
    pub industry_text: Option<String>,
    /// Industry section letter, "A".."U".
    pub section: Option<String>,
    /// Size band code (`domain::SizeBand::as_str`).
    pub size: Option<String>,
    /// Segment codes.
    pub segments: Vec<String>,
    /// Contact persons' names.
    pub persons: Vec<String>,
    /// Responsible consultant's name and id.
    pub consultant: Option<String>,
    pub consultant_id: Option<i32>,
    pub active: bool,
    /// Free text (a need's description, an initiative's summary).
    pub text: Option<String>,
    /// The business a need belongs to (its name as the form gave it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// A need's reference, e.g. `RB-2026-000123`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// A need's pipeline status code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

impl SearchDoc {
    pub fn doc_id(kind: DocKind, record_id: i32) -> String {
        format!("{}:{record_id}", kind.as_str())
    }
}

/// Filters are exact matches on codes; all given filters must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub kind: Option<DocKind>,
    pub district: Option<String>,
    pub section: Option<String>,
    pub size: Option<String>,
    pub consultant_id: Option<i32>,
    pub segment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// What the person typed, unnormalised.
    pub q: String,
    pub filters: Filters,
    pub offset: usize,
    pub limit: usize,
}

/// The facet fields, in display order.
pub const FACETS: [&str; 6] = [
    "kind",
    "district",
    "section",
    "size",
    "consultant_id",
    "segments",
];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    /// Number of matching documents (all pages).
    pub total: usize,
    pub hits: Vec<Hit>,
    /// Facet name (one of [`FACETS`]) → (value, count), count descending
    /// then value ascending; counts are over the documents matching the
    /// query and the filters.
    pub facets: BTreeMap<String, Vec<(String, u64)>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub doc: SearchDoc,
    pub score: f32,
    pub highlights: Vec<crate::search::highlight::Highlight>,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The backend can't be reached (server down, connection refused,
    /// timeout): writes queue up and the search page says so (503).
    #[error("search backend unavailable: {0}")]
    Unavailable(String),
    /// Anything else (a task that failed, a bad response).
    #[error("search failed: {0}")]
    Failed(String),
}

/// A search backend. Implementations must be safe to call from many tasks.
#[async_trait::async_trait]
pub trait SearchIndex: Send + Sync {
    /// "tantivy" or "meilisearch".
    fn name(&self) -> &'static str;
    /// Adds or replaces documents by `id`; visible to `search` when it returns.
    async fn upsert(&self, docs: &[SearchDoc]) -> Result<(), SearchError>;
    /// Removes documents by `id` (unknown ids are fine); visible when it returns.
    async fn delete(&self, ids: &[String]) -> Result<(), SearchError>;
    /// Removes every document (before a full reindex).
    async fn clear(&self) -> Result<(), SearchError>;
    async fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError>;
    /// Cheap reachability check.
    async fn ping(&self) -> Result<(), SearchError>;
}
