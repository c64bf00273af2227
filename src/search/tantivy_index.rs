//! Embedded tantivy backend: the index lives in the data directory, one
//! writer behind a mutex, and a reader reloaded right after every commit so a
//! write is visible as soon as it returns.
//!
//! Every text field holds the [`normalize::tokens`] of the document's text as
//! untokenised terms, and scoring is by fixed weights rather than BM25, so the
//! ranking is predictable and matches the Meilisearch backend's rules:
//!
//! * each query word must match some field (AND across words, OR across
//!   fields); a word scores the best of its matches (see `Weights`): exact
//!   term > prefix (the last word, while typing) > one typo > two typos, and
//!   any title match > any match in another field;
//! * company-form words ("A/S", "ApS") are optional and add a small bonus;
//! * a number query puts the business with that CVR or P-number first;
//! * ties are broken by the folded title, then by id; an empty query lists
//!   everything matching the filters in that order.
//!
//! Facet counts come from the fast (columnar) fields of the matching
//! documents, counted by term ordinal per segment (`FacetCounter`); no
//! stored document is read to count.
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tantivy::collector::sort_key::{SortBySimilarityScore, SortByString};
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::StrColumn;
use tantivy::directory::MmapDirectory;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, DisjunctionMaxQuery, FuzzyTermQuery, Occur, Query,
    TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Score, SegmentOrdinal,
    SegmentReader, TantivyDocument, Term,
};

use crate::search::highlight::{self, allowed_typos, is_prefix_word, match_terms};
use crate::search::normalize::{self, COMPANY_FORM_WORDS, NumberQuery, QueryTerms};
use crate::search::{
    FACETS, Filters, Hit, SearchDoc, SearchError, SearchIndex, SearchQuery, SearchResults,
};

/// The writer's memory budget (shared by its threads).
const WRITER_MEMORY_BYTES: usize = 24_000_000;
/// The schema version: [`TantivyIndex::open`] keeps the index in a
/// subdirectory named after it, so a changed schema starts a new, empty index
/// (the application reindexes an empty index) instead of failing to open.
/// v2: string fast fields without zstd-compressed dictionary blocks (a v1
/// index may hold some, which this build cannot read).
const SCHEMA_DIR: &str = "schema-v2";
/// Earlier versions' directories, removed on open.
const OLD_SCHEMA_DIRS: [&str; 1] = ["schema-v1"];

/// What a query word scores, by how it matched, in one group of fields.
#[derive(Debug, Clone, Copy)]
struct Weights {
    exact: Score,
    prefix: Score,
    one_typo: Score,
    two_typos: Score,
}

/// The name (without company-form words): any match here outranks any match
/// elsewhere.
const TITLE: Weights = Weights {
    exact: 100.0,
    prefix: 60.0,
    one_typo: 30.0,
    two_typos: 20.0,
};
/// CVR, P-numbers, addresses, contact persons.
const MAIN: Weights = Weights {
    exact: 10.0,
    prefix: 6.0,
    one_typo: 3.0,
    two_typos: 2.0,
};
/// Industry, consultant, free text.
const MINOR: Weights = Weights {
    exact: 5.0,
    prefix: 3.0,
    one_typo: 1.5,
    two_typos: 1.0,
};
/// Company-form words of the name: matched exactly or as a prefix only.
const FORM: Weights = Weights {
    exact: 1.0,
    prefix: 0.5,
    one_typo: 0.0,
    two_typos: 0.0,
};
/// The optional bonus of each company-form word of the query.
const FORM_BONUS: Score = 1.0;
/// An exact CVR or P-number match for a number query.
const NUMBER_EXACT: Score = 1000.0;

/// Field names.
const ID: &str = "id";
const DOC: &str = "doc";
const TITLE_SORT: &str = "title_sort";
const ACTIVE: &str = "active";

#[derive(Debug, Clone, Copy)]
struct Fields {
    id: Field,
    doc: Field,
    title_sort: Field,
    active: Field,
    title: Field,
    form: Field,
    cvr: Field,
    p_numbers: Field,
    addresses: Field,
    persons: Field,
    industry: Field,
    consultant: Field,
    text: Field,
    /// The facet/filter fields, in [`FACETS`] order.
    facets: [Field; 6],
}

impl Fields {
    /// The searchable text fields and their weights.
    fn searchable(&self) -> [(Field, Weights); 9] {
        [
            (self.title, TITLE),
            (self.cvr, MAIN),
            (self.p_numbers, MAIN),
            (self.addresses, MAIN),
            (self.persons, MAIN),
            (self.industry, MINOR),
            (self.consultant, MINOR),
            (self.text, MINOR),
            (self.form, FORM),
        ]
    }

    fn facet(&self, name: &str) -> Option<Field> {
        FACETS
            .iter()
            .position(|f| *f == name)
            .and_then(|i| self.facets.get(i).copied())
    }
}

fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let terms = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_fieldnorms(false)
            .set_index_option(IndexRecordOption::Basic),
    );
    let id = b.add_text_field(ID, STRING | STORED | FAST);
    let doc = b.add_text_field(DOC, STORED);
    let title_sort = b.add_text_field(TITLE_SORT, FAST);
    let active = b.add_bool_field(ACTIVE, INDEXED | FAST);
    let mut text = |name: &str| b.add_text_field(name, terms.clone());
    let title = text("t_title");
    let form = text("t_form");
    let cvr = text("t_cvr");
    let p_numbers = text("t_p_numbers");
    let addresses = text("t_addresses");
    let persons = text("t_persons");
    let industry = text("t_industry");
    let consultant = text("t_consultant");
    let text_field = text("t_text");
    let facets = FACETS.map(|name| b.add_text_field(name, STRING | FAST));
    let fields = Fields {
        id,
        doc,
        title_sort,
        active,
        title,
        form,
        cvr,
        p_numbers,
        addresses,
        persons,
        industry,
        consultant,
        text: text_field,
        facets,
    };
    (b.build(), fields)
}

fn failed(context: &str) -> impl Fn(tantivy::TantivyError) -> SearchError + '_ {
    move |e| SearchError::Failed(format!("tantivy {context}: {e}"))
}

/// The tantivy backend. Cheap to clone; clones share the index.
#[derive(Clone)]
pub struct TantivyIndex {
    inner: Arc<Inner>,
}

struct Inner {
    fields: Fields,
    writer: Mutex<IndexWriter>,
    reader: IndexReader,
}

impl std::fmt::Debug for TantivyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TantivyIndex")
            .field("docs", &self.num_docs())
            .finish()
    }
}

impl TantivyIndex {
    /// Creates or opens the index under `dir` (e.g. `data_dir/search`; the
    /// files go in a schema-versioned subdirectory of it). Fails if another
    /// process holds the index's writer lock.
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        for old in OLD_SCHEMA_DIRS {
            let old = dir.join(old);
            if old.exists() {
                tracing::info!(dir = %old.display(), "removing the search index of an earlier version");
                if let Err(e) = std::fs::remove_dir_all(&old) {
                    tracing::warn!(error = %e, "could not remove the earlier search index");
                }
            }
        }
        let path = dir.join(SCHEMA_DIR);
        std::fs::create_dir_all(&path)
            .map_err(|e| SearchError::Failed(format!("creating {}: {e}", path.display())))?;
        let directory = MmapDirectory::open(&path)
            .map_err(|e| SearchError::Failed(format!("opening {}: {e}", path.display())))?;
        let (schema, fields) = build_schema();
        let index = Index::open_or_create(directory, schema).map_err(failed("open"))?;
        Self::with_index(index, fields)
    }

    /// A fresh index in memory (tests).
    pub fn in_ram() -> Result<Self, SearchError> {
        let (schema, fields) = build_schema();
        let index = Index::builder()
            .schema(schema)
            .create_in_ram()
            .map_err(failed("create"))?;
        Self::with_index(index, fields)
    }

    fn with_index(mut index: Index, fields: Fields) -> Result<Self, SearchError> {
        // A search's segments are collected in parallel, one thread per
        // core: the broad queries that count every facet over most of a
        // million documents take about half as long.
        index
            .set_default_multithread_executor()
            .map_err(failed("executor"))?;
        let writer = index
            .writer_with_num_threads(1, WRITER_MEMORY_BYTES)
            .map_err(failed("writer"))?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(failed("reader"))?;
        Ok(Self {
            inner: Arc::new(Inner {
                fields,
                writer: Mutex::new(writer),
                reader,
            }),
        })
    }

    /// Number of documents in the index (0 after a schema change: reindex).
    pub fn num_docs(&self) -> u64 {
        self.inner.reader.searcher().num_docs()
    }

    /// Runs blocking tantivy work off the async threads.
    async fn blocking<T, F>(&self, work: F) -> Result<T, SearchError>
    where
        T: Send + 'static,
        F: FnOnce(&Inner) -> Result<T, SearchError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || work(&inner))
            .await
            .map_err(|e| SearchError::Failed(format!("search task: {e}")))?
    }
}

impl Inner {
    fn lock_writer(&self) -> MutexGuard<'_, IndexWriter> {
        // A panic while holding the lock leaves nothing half-done that a
        // rollback or the next commit can't handle.
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Applies write operations, commits and reloads the reader (while still
    /// holding the writer, so the write is visible when this returns).
    fn write(
        &self,
        ops: impl FnOnce(&IndexWriter, &Fields) -> Result<(), SearchError>,
    ) -> Result<(), SearchError> {
        let mut writer = self.lock_writer();
        let result = ops(&writer, &self.fields)
            .and_then(|()| writer.commit().map(drop).map_err(failed("commit")));
        if let Err(e) = result {
            // Drop the half-applied batch so a later commit doesn't publish it.
            let _ = writer.rollback();
            return Err(e);
        }
        self.reader.reload().map_err(failed("reload"))
    }

    fn upsert(&self, docs: &[SearchDoc]) -> Result<(), SearchError> {
        let prepared = docs
            .iter()
            .map(|d| Ok((d.id.clone(), to_tantivy(&self.fields, d)?)))
            .collect::<Result<Vec<_>, SearchError>>()?;
        self.write(|writer, fields| {
            for (id, doc) in prepared {
                writer.delete_term(Term::from_field_text(fields.id, &id));
                writer.add_document(doc).map_err(failed("add"))?;
            }
            Ok(())
        })
    }

    fn delete(&self, ids: &[String]) -> Result<(), SearchError> {
        self.write(|writer, fields| {
            for id in ids {
                writer.delete_term(Term::from_field_text(fields.id, id));
            }
            Ok(())
        })
    }

    fn clear(&self) -> Result<(), SearchError> {
        self.write(|writer, _| {
            writer
                .delete_all_documents()
                .map(drop)
                .map_err(failed("clear"))
        })
    }

    fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        let terms = match_terms(&query.q);
        let tantivy_query = build_query(&self.fields, &terms, &query.filters);
        let searcher = self.reader.searcher();

        let num_docs = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
        let end = query.offset.saturating_add(query.limit).min(num_docs);
        let top = (query.offset < end).then(|| {
            TopDocs::for_doc_range(query.offset..end).order_by((
                (SortBySimilarityScore, Order::Desc),
                (SortByString::for_field(TITLE_SORT), Order::Asc),
                (SortByString::for_field(ID), Order::Asc),
            ))
        });
        let facet_counter = FacetCounter;
        let (top, total, facet_counts) = searcher
            .search(&tantivy_query, &(top, Count, facet_counter))
            .map_err(failed("search"))?;

        let mut hits = Vec::new();
        for ((score, _, _), address) in top.unwrap_or_default() {
            let doc = self.load(&searcher, address)?;
            let highlights = highlight::highlight_terms(&doc, &terms);
            hits.push(Hit {
                doc,
                score,
                highlights,
            });
        }

        let facets = FACETS
            .iter()
            .zip(facet_counts)
            .map(|(name, counts)| {
                let mut pairs: Vec<(String, u64)> = counts.into_iter().collect();
                pairs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                ((*name).to_string(), pairs)
            })
            .collect::<BTreeMap<_, _>>();
        Ok(SearchResults {
            total,
            hits,
            facets,
        })
    }

    fn load(
        &self,
        searcher: &tantivy::Searcher,
        address: DocAddress,
    ) -> Result<SearchDoc, SearchError> {
        let stored: TantivyDocument = searcher.doc(address).map_err(failed("load"))?;
        let json = stored
            .get_first(self.fields.doc)
            .and_then(|v| v.as_str())
            .ok_or_else(|| SearchError::Failed("tantivy: stored document missing".into()))?;
        serde_json::from_str(json)
            .map_err(|e| SearchError::Failed(format!("tantivy: stored document: {e}")))
    }
}

/// Adds each distinct token once.
fn add_tokens<'a>(
    doc: &mut TantivyDocument,
    field: Field,
    tokens: impl IntoIterator<Item = &'a String>,
) {
    let mut seen: Vec<&str> = Vec::new();
    for t in tokens {
        if !seen.contains(&t.as_str()) {
            seen.push(t);
            doc.add_text(field, t);
        }
    }
}

/// Tokens of a number field: its words and its digits run together (so
/// "1015 0817" is also "10150817").
fn number_tokens(value: &str) -> Vec<String> {
    let mut tokens = normalize::tokens(value);
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    if !digits.is_empty() && !tokens.contains(&digits) {
        tokens.push(digits);
    }
    tokens
}

fn to_tantivy(f: &Fields, d: &SearchDoc) -> Result<TantivyDocument, SearchError> {
    let json = serde_json::to_string(d)
        .map_err(|e| SearchError::Failed(format!("serialising {}: {e}", d.id)))?;
    let mut doc = TantivyDocument::new();
    doc.add_text(f.id, &d.id);
    doc.add_text(f.doc, json);
    doc.add_text(f.title_sort, normalize::fold(&d.title));
    doc.add_bool(f.active, d.active);

    let (form, title): (Vec<String>, Vec<String>) = normalize::tokens(&d.title)
        .into_iter()
        .partition(|t| COMPANY_FORM_WORDS.contains(&t.as_str()));
    add_tokens(&mut doc, f.title, &title);
    let form_label = d
        .company_form
        .as_deref()
        .map(normalize::tokens)
        .unwrap_or_default();
    add_tokens(&mut doc, f.form, form.iter().chain(&form_label));

    let many = |values: &[String], tokenize: fn(&str) -> Vec<String>| -> Vec<String> {
        values.iter().flat_map(|v| tokenize(v)).collect()
    };
    let one = |value: &Option<String>| value.as_deref().map(normalize::tokens).unwrap_or_default();
    add_tokens(
        &mut doc,
        f.cvr,
        &d.cvr.as_deref().map(number_tokens).unwrap_or_default(),
    );
    add_tokens(&mut doc, f.p_numbers, &many(&d.p_numbers, number_tokens));
    add_tokens(
        &mut doc,
        f.addresses,
        &many(&d.addresses, normalize::tokens),
    );
    add_tokens(&mut doc, f.persons, &many(&d.persons, normalize::tokens));
    add_tokens(
        &mut doc,
        f.industry,
        one(&d.industry_text).iter().chain(&one(&d.industry_code)),
    );
    add_tokens(&mut doc, f.consultant, &one(&d.consultant));
    add_tokens(&mut doc, f.text, &one(&d.text));

    let [kind, district, section, size, consultant_id, segments] = f.facets;
    let mut code = |field: Field, value: Option<&str>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            doc.add_text(field, v);
        }
    };
    code(kind, d.kind.map(|k| k.as_str()));
    code(district, d.district.as_deref());
    code(section, d.section.as_deref());
    code(size, d.size.as_deref());
    code(
        consultant_id,
        d.consultant_id.map(|c| c.to_string()).as_deref(),
    );
    let mut seen: Vec<&str> = Vec::new();
    for s in &d.segments {
        if !seen.contains(&s.as_str()) {
            seen.push(s);
            code(segments, Some(s));
        }
    }
    Ok(doc)
}

fn scored(query: impl Query + 'static, score: Score) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(Box::new(query), score))
}

/// One query word against every searchable field; scores the best match.
fn word_query(fields: &Fields, word: &str, prefix: bool) -> Box<dyn Query> {
    let typos = allowed_typos(word);
    let is_number = word.chars().all(|c| c.is_ascii_digit());
    let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
    for (field, w) in fields.searchable() {
        let number_field = field == fields.cvr || field == fields.p_numbers;
        if number_field && !is_number {
            continue;
        }
        let term = Term::from_field_text(field, word);
        alternatives.push(scored(
            TermQuery::new(term.clone(), IndexRecordOption::Basic),
            w.exact,
        ));
        if prefix {
            alternatives.push(scored(
                FuzzyTermQuery::new_prefix(term.clone(), 0, true),
                w.prefix,
            ));
        }
        if typos >= 1 && w.one_typo > 0.0 {
            alternatives.push(scored(
                FuzzyTermQuery::new(term.clone(), 1, true),
                w.one_typo,
            ));
        }
        if typos >= 2 && w.two_typos > 0.0 {
            alternatives.push(scored(FuzzyTermQuery::new(term, 2, true), w.two_typos));
        }
    }
    Box::new(DisjunctionMaxQuery::new(alternatives))
}

fn build_query(fields: &Fields, terms: &QueryTerms, filters: &Filters) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();

    let words: Vec<Box<dyn Query>> = terms
        .words
        .iter()
        .enumerate()
        .map(|(i, w)| word_query(fields, w, is_prefix_word(terms, i)))
        .collect();
    match &terms.number {
        Some(number) => {
            // The number matched as a word anywhere, or as the CVR/P-number.
            let mut any: Vec<(Occur, Box<dyn Query>)> =
                words.into_iter().map(|q| (Occur::Should, q)).collect();
            let exact = |field: Field, digits: &str| {
                scored(
                    TermQuery::new(
                        Term::from_field_text(field, digits),
                        IndexRecordOption::Basic,
                    ),
                    NUMBER_EXACT,
                )
            };
            match number {
                NumberQuery::Cvr(d) => any.push((Occur::Should, exact(fields.cvr, d))),
                NumberQuery::PNumber(d) => any.push((Occur::Should, exact(fields.p_numbers, d))),
                NumberQuery::Digits(d) => {
                    for field in [fields.cvr, fields.p_numbers] {
                        let term = Term::from_field_text(field, d);
                        any.push((
                            Occur::Should,
                            scored(FuzzyTermQuery::new_prefix(term, 0, true), MAIN.prefix),
                        ));
                    }
                }
            }
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        None => {
            clauses.extend(words.into_iter().map(|q| (Occur::Must, q)));
            for form in &terms.form_words {
                let term = Term::from_field_text(fields.form, form);
                clauses.push((
                    Occur::Should,
                    scored(TermQuery::new(term, IndexRecordOption::Basic), FORM_BONUS),
                ));
            }
        }
    }
    if !clauses.iter().any(|(occur, _)| *occur == Occur::Must) {
        clauses.push((Occur::Must, scored(AllQuery, 0.0)));
    }

    let filter_values: [(&str, Option<String>); 6] = [
        ("kind", filters.kind.map(|k| k.as_str().to_string())),
        ("district", filters.district.clone()),
        ("section", filters.section.clone()),
        ("size", filters.size.clone()),
        (
            "consultant_id",
            filters.consultant_id.map(|c| c.to_string()),
        ),
        ("segments", filters.segment.clone()),
    ];
    for (name, value) in filter_values {
        if let (Some(field), Some(value)) = (fields.facet(name), value) {
            let term = Term::from_field_text(field, &value);
            clauses.push((
                Occur::Must,
                scored(TermQuery::new(term, IndexRecordOption::Basic), 0.0),
            ));
        }
    }
    Box::new(BooleanQuery::new(clauses))
}

/// Counts the values of the [`FACETS`] fast fields over the matching
/// documents: per segment by term ordinal, merged by value.
struct FacetCounter;

struct SegmentFacetCounter {
    columns: Vec<Option<(StrColumn, Vec<u64>)>>,
}

type FacetFruit = Vec<HashMap<String, u64>>;

impl Collector for FacetCounter {
    type Fruit = FacetFruit;
    type Child = SegmentFacetCounter;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounter> {
        let mut columns = Vec::with_capacity(FACETS.len());
        for name in FACETS {
            let column = segment.fast_fields().str(name)?;
            columns.push(column.map(|c| {
                let counts = vec![0; c.num_terms()];
                (c, counts)
            }));
        }
        Ok(SegmentFacetCounter { columns })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        segment_fruits: Vec<tantivy::Result<FacetFruit>>,
    ) -> tantivy::Result<FacetFruit> {
        let mut merged: FacetFruit = vec![HashMap::new(); FACETS.len()];
        for fruit in segment_fruits {
            for (into, from) in merged.iter_mut().zip(fruit?) {
                for (value, count) in from {
                    *into.entry(value).or_insert(0) += count;
                }
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = tantivy::Result<FacetFruit>;

    fn collect(&mut self, doc: DocId, _: Score) {
        for (column, counts) in self.columns.iter_mut().flatten() {
            for ord in column.term_ords(doc) {
                if let Some(c) = usize::try_from(ord).ok().and_then(|o| counts.get_mut(o)) {
                    *c += 1;
                }
            }
        }
    }

    fn harvest(self) -> tantivy::Result<FacetFruit> {
        let mut fruit = Vec::with_capacity(self.columns.len());
        for column in self.columns {
            let mut values = HashMap::new();
            if let Some((column, counts)) = column {
                let mut value = String::new();
                for (ord, count) in counts.into_iter().enumerate() {
                    if count > 0 && column.ord_to_str(ord as u64, &mut value)? {
                        values.insert(value.clone(), count);
                    }
                }
            }
            fruit.push(values);
        }
        Ok(fruit)
    }
}

#[async_trait::async_trait]
impl SearchIndex for TantivyIndex {
    fn name(&self) -> &'static str {
        "tantivy"
    }

    async fn upsert(&self, docs: &[SearchDoc]) -> Result<(), SearchError> {
        if docs.is_empty() {
            return Ok(());
        }
        let docs = docs.to_vec();
        self.blocking(move |inner| inner.upsert(&docs)).await
    }

    async fn delete(&self, ids: &[String]) -> Result<(), SearchError> {
        if ids.is_empty() {
            return Ok(());
        }
        let ids = ids.to_vec();
        self.blocking(move |inner| inner.delete(&ids)).await
    }

    async fn clear(&self) -> Result<(), SearchError> {
        self.blocking(|inner| inner.clear()).await
    }

    async fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        let query = query.clone();
        self.blocking(move |inner| inner.search(&query)).await
    }

    async fn ping(&self) -> Result<(), SearchError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn business(id: i32, title: &str) -> SearchDoc {
        SearchDoc {
            id: SearchDoc::doc_id(crate::search::DocKind::Business, id),
            kind: Some(crate::search::DocKind::Business),
            record_id: id,
            title: title.into(),
            active: true,
            ..SearchDoc::default()
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

    fn ids(r: &SearchResults) -> Vec<&str> {
        r.hits.iter().map(|h| h.doc.id.as_str()).collect()
    }

    #[tokio::test]
    async fn ties_break_by_title_then_id_across_segments() {
        let index = TantivyIndex::in_ram().expect("index");
        // Separate commits make separate segments.
        index
            .upsert(&[business(3, "Bager B")])
            .await
            .expect("upsert");
        index
            .upsert(&[business(1, "Bager C")])
            .await
            .expect("upsert");
        index
            .upsert(&[business(2, "Bager A"), business(4, "Bager A")])
            .await
            .expect("upsert");
        let r = index.search(&query("bager ")).await.expect("search");
        assert_eq!(
            ids(&r),
            vec!["business:2", "business:4", "business:3", "business:1"]
        );
        let r = index.search(&query("")).await.expect("search");
        assert_eq!(
            ids(&r),
            vec!["business:2", "business:4", "business:3", "business:1"]
        );
    }

    #[tokio::test]
    async fn reopens_from_disk() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let index = TantivyIndex::open(dir.path()).expect("open");
            index
                .upsert(&[business(1, "Havnens Hotel A/S")])
                .await
                .expect("upsert");
        }
        let index = TantivyIndex::open(dir.path()).expect("reopen");
        assert_eq!(index.num_docs(), 1);
        let r = index.search(&query("havnens")).await.expect("search");
        assert_eq!(ids(&r), vec!["business:1"]);
        assert_eq!(r.hits[0].doc.title, "Havnens Hotel A/S");
    }

    #[tokio::test]
    async fn paging_beyond_the_end_and_zero_limit() {
        let index = TantivyIndex::in_ram().expect("index");
        index
            .upsert(&[business(1, "Alfa"), business(2, "Beta")])
            .await
            .expect("upsert");
        for (offset, limit) in [(0, 0), (5, 10), (usize::MAX, usize::MAX), (1, usize::MAX)] {
            let r = index
                .search(&SearchQuery {
                    q: String::new(),
                    filters: Filters::default(),
                    offset,
                    limit,
                })
                .await
                .expect("search");
            assert_eq!(r.total, 2);
            assert!(r.hits.len() <= 1, "{offset} {limit}");
        }
    }

    /// Generated businesses for the speed test.
    fn generated(n: usize) -> Vec<SearchDoc> {
        const FIRST: [&str; 12] = [
            "Nørrebro",
            "Havnens",
            "Østerbro",
            "Valby",
            "Amager",
            "Christianshavns",
            "Vesterbro",
            "Sydhavn",
            "Bispebjerg",
            "Ågade",
            "Kødbyens",
            "Nordisk",
        ];
        const SECOND: [&str; 10] = [
            "Bageri",
            "Hotel",
            "Kaffebar",
            "Maskinfabrik",
            "Tandklinik",
            "Boghandel",
            "Bryghus",
            "Cykler",
            "Biotek",
            "Malerfirma",
        ];
        const FORMS: [&str; 4] = ["ApS", "A/S", "I/S", ""];
        const PEOPLE: [&str; 8] = [
            "Mette Hansen",
            "Jens Kofoed",
            "Søren Aagaard",
            "Ida Nørgaard",
            "Kim Larsen",
            "Pia Lund",
            "Ole Jensen",
            "Maja Eriksen",
        ];
        const STREETS: [&str; 6] = [
            "Nørrebrogade",
            "Østerbrogade",
            "Istedgade",
            "Amagerbrogade",
            "Valby Langgade",
            "Ørestads Boulevard",
        ];
        const DISTRICTS: [&str; 5] = [
            "norrebro",
            "osterbro",
            "vesterbro_kongens_enghave",
            "amager_ost",
            "valby",
        ];
        const SEGMENTS: [&str; 4] = ["tourism", "retail", "tech", "green_transition"];
        (0..n)
            .map(|i| {
                let form = FORMS[i % 4];
                let mut d = business(i32::try_from(i).unwrap_or(i32::MAX), "");
                d.title = format!("{} {} {} {i}", FIRST[i % 12], SECOND[(i / 12) % 10], form);
                d.company_form = (!form.is_empty()).then(|| form.to_string());
                d.cvr = Some(format!("{:08}", 10_000_000 + i * 7));
                d.p_numbers = vec![format!("{:010}", 1_000_000_000 + i * 3)];
                d.addresses = vec![format!("{} {}, 2200 København N", STREETS[i % 6], i % 200)];
                d.persons = vec![PEOPLE[i % 8].to_string()];
                d.district = Some(DISTRICTS[i % 5].to_string());
                d.size = Some(["1-4", "5-9", "10-19"][i % 3].to_string());
                d.section = Some(["C", "G", "I", "M"][i % 4].to_string());
                d.segments = vec![
                    SEGMENTS[i % 4].to_string(),
                    SEGMENTS[(i / 4) % 4].to_string(),
                ];
                d.consultant_id = Some(i32::try_from(i % 40).unwrap_or(0));
                d.consultant = Some(format!("Konsulent {}", i % 40));
                d
            })
            .collect()
    }

    /// `cargo test --release -- --ignored speed --nocapture`
    /// (`SEARCH_BENCH_DOCS` sets the number of documents, 100,000 by default).
    #[tokio::test(flavor = "multi_thread")]
    #[ignore = "speed test: run in release with --ignored --nocapture"]
    async fn speed_over_generated_docs() {
        let n: usize = std::env::var("SEARCH_BENCH_DOCS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(100_000);
        let dir = tempfile::tempdir().expect("tempdir");
        let index = TantivyIndex::open(dir.path()).expect("open");
        let started = std::time::Instant::now();
        for chunk in generated(n).chunks(50_000) {
            index.upsert(chunk).await.expect("upsert");
        }
        println!("indexed {n} docs in {:?}", started.elapsed());
        let cases: [(&str, Filters); 9] = [
            ("", Filters::default()),
            ("bageri", Filters::default()),
            ("nørreb", Filters::default()),
            ("havnens hotel a/s", Filters::default()),
            ("kafebar ", Filters::default()),
            ("maskimfabrek ", Filters::default()),
            ("mette hansen", Filters::default()),
            ("10000070", Filters::default()),
            (
                "bager",
                Filters {
                    district: Some("valby".into()),
                    segment: Some("tech".into()),
                    ..Filters::default()
                },
            ),
        ];
        for (q, filters) in cases {
            let query = SearchQuery {
                q: q.into(),
                filters,
                offset: 0,
                limit: 20,
            };
            let mut times = Vec::new();
            let mut total = 0;
            for _ in 0..7 {
                let t = std::time::Instant::now();
                total = index.search(&query).await.expect("search").total;
                times.push(t.elapsed());
            }
            times.sort();
            println!(
                "{q:>22?}: {total:>7} matches, median {:?}, max {:?}",
                times[3], times[6]
            );
        }
    }
}
