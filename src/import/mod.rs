//! Business import from CSV files in the CVR register's shape: upsert by CVR
//! number in chunks, each chunk one transaction, so a row is stored whole or
//! not at all and a crash loses at most the chunk in flight.
pub mod bulk;
mod handlers;
pub mod jobs;
pub mod parse;

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::Utc;
use entity::{business, p_unit};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect,
};
use serde::Serialize;

use crate::businesses::patch;
use crate::domain::{DomainError, Lang};
pub use handlers::routes;
use parse::{ImportReader, ImportRow, RowError};

/// The columns the import reads, as (Danish, English) headings. Headings are
/// matched without regard to case, spaces and punctuation; other spellings
/// the parser knows are listed in `parse.rs`.
pub const KNOWN_COLUMNS: [(&str, &str); 12] = [
    ("CVR-nummer", "cvr"),
    ("Navn", "name"),
    ("Virksomhedsform", "company_form"),
    ("Adresse", "address"),
    ("Postnr", "postal_code"),
    ("By", "city"),
    ("Branchekode", "industry_code"),
    ("Antal ansatte", "employees"),
    ("Reklamebeskyttet", "advertising_protected"),
    ("P-nummer", "p_number"),
    ("Email", "email"),
    ("Telefon", "phone"),
];

/// Rows parsed and stored together.
const CHUNK: usize = 1000;
/// Invalid rows kept for the report; the count covers all of them.
const MAX_REPORTED: usize = 1000;

#[derive(Debug, Default, Clone, Serialize)]
pub struct Summary {
    pub new: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub invalid: u64,
    pub errors: Vec<String>,
    pub unknown_headings: Vec<String>,
    pub encoding: String,
}

impl Summary {
    pub fn line(&self) -> String {
        format!(
            "imported: {} new, {} changed, {} unchanged, {} invalid",
            self.new, self.changed, self.unchanged, self.invalid
        )
    }
}

/// A reader that counts the bytes read, for progress bars.
pub struct Counting<R> {
    inner: R,
    pub read: Arc<AtomicU64>,
}

impl<R: Read> Counting<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            read: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    /// The file could not be read (at all, or past some line: then the
    /// rows before it are stored and the message says so).
    #[error("{0}")]
    Unreadable(String),
    #[error(transparent)]
    Unexpected(#[from] crate::app::Error),
}

impl From<sea_orm::DbErr> for ImportFailure {
    fn from(e: sea_orm::DbErr) -> Self {
        ImportFailure::Unexpected(e.into())
    }
}

/// A part of an import: whole chunks of parsed rows, stored in one
/// transaction. Its output is the part's counts.
pub struct ImportChunks {
    pub chunks: Vec<Vec<ImportRow>>,
    pub lang: Lang,
}

#[async_trait::async_trait]
impl crate::app::Command for ImportChunks {
    type Output = Summary;

    async fn run(&self, uow: &mut crate::app::UnitOfWork<'_>) -> crate::app::Result<Summary> {
        let mut part = Summary::default();
        for rows in &self.chunks {
            store_chunk(uow, rows, self.lang, &mut part).await?;
        }
        uow.audit(
            crate::domain::AuditAction::ImportChunk,
            crate::domain::AuditEntity::Business,
            None,
            serde_json::json!({
                "new": part.new,
                "changed": part.changed,
                "unchanged": part.unchanged,
                "invalid": part.invalid,
            }),
        );
        uow.invalidate(crate::app::Cache::BusinessList);
        Ok(part)
    }
}

/// The import's summary in the audit log, once it is over.
struct FinishImport {
    summary: serde_json::Value,
}

#[async_trait::async_trait]
impl crate::app::Command for FinishImport {
    type Output = ();

    async fn run(&self, uow: &mut crate::app::UnitOfWork<'_>) -> crate::app::Result<()> {
        uow.audit(
            crate::domain::AuditAction::Import,
            crate::domain::AuditEntity::Business,
            None,
            self.summary.clone(),
        );
        Ok(())
    }
}

/// Reads the whole file and stores its valid rows. `lang` is the language of
/// the row messages in the summary. Fails only when the file can't be read
/// at all (no header, no CVR column) or the database fails. With
/// `defer_indexes`, a first load into an empty database builds its indexes
/// at the end ([`bulk`]).
pub async fn run<R: Read + Send + 'static>(
    app: &crate::app::App,
    reader: R,
    lang: Lang,
    actor: Option<i32>,
    chunks_per_transaction: usize,
    defer_indexes: bool,
) -> Result<Summary, ImportFailure> {
    // CSV parsing is synchronous: it runs on a blocking thread and hands
    // chunks of parsed rows over a small channel (bounded memory).
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Result<ImportRow, RowError>>>(4);
    let (head_tx, head_rx) =
        tokio::sync::oneshot::channel::<Result<(Vec<String>, String), String>>();
    let parser = tokio::task::spawn_blocking(move || {
        let reader = match ImportReader::new(reader) {
            Ok(r) => r,
            Err(e) => {
                let _ = head_tx.send(Err(e.message(lang)));
                return;
            }
        };
        let _ = head_tx.send(Ok((
            reader.unknown_headings().to_vec(),
            reader.encoding().to_string(),
        )));
        let mut batch = Vec::with_capacity(CHUNK);
        for item in reader {
            batch.push(item);
            if batch.len() >= CHUNK && tx.blocking_send(std::mem::take(&mut batch)).is_err() {
                return;
            }
        }
        if !batch.is_empty() {
            let _ = tx.blocking_send(batch);
        }
    });
    let (unknown_headings, encoding) = match head_rx.await {
        Ok(Ok(h)) => h,
        Ok(Err(msg)) => return Err(ImportFailure::Unreadable(msg)),
        Err(_) => {
            return Err(ImportFailure::Unreadable(
                "the file could not be read".into(),
            ));
        }
    };
    let mut summary = Summary {
        unknown_headings,
        encoding,
        ..Default::default()
    };
    let deferred = defer_indexes && bulk::defer(&app.db, bulk::IMPORT_TABLES).await?;
    if deferred {
        tracing::info!("first load into an empty database: indexes are built at the end");
    }
    // Each transaction holds whole chunks: a row is stored whole or not at
    // all, and a crash loses at most the transaction in flight. Bulk imports
    // use several chunks per transaction: far fewer commits, each writing
    // the touched index pages once.
    let actor = actor.map_or(crate::app::Actor::System, crate::app::Actor::User);
    let mut pending: Vec<Vec<ImportRow>> = Vec::new();
    let mut unreadable = None;
    // Whatever happens below, the log says how far the import got.
    let stored: Result<(), ImportFailure> = async {
        while let Some(batch) = rx.recv().await {
            let mut rows = Vec::with_capacity(batch.len());
            for item in batch {
                match item {
                    Ok(row) => rows.push(row),
                    // The file cannot be read past here: what came before
                    // is stored, and the import says it stopped, not that
                    // it finished.
                    Err(e) if matches!(e.error, DomainError::ReadFailed(_)) => {
                        unreadable = Some(e.message(lang));
                        break;
                    }
                    Err(e) => summary.invalid_row(e.message(lang)),
                }
            }
            pending.push(rows);
            if pending.len() >= chunks_per_transaction.max(1) || unreadable.is_some() {
                let cmd = ImportChunks {
                    chunks: std::mem::take(&mut pending),
                    lang,
                };
                summary.add(app.run(actor.clone(), cmd).await?);
            }
            if unreadable.is_some() {
                break;
            }
        }
        if !pending.is_empty() {
            let cmd = ImportChunks {
                chunks: std::mem::take(&mut pending),
                lang,
            };
            summary.add(app.run(actor.clone(), cmd).await?);
        }
        Ok(())
    }
    .await;
    drop(rx);
    let _ = parser.await;
    if deferred {
        let built = bulk::restore(&app.db).await?;
        tracing::info!(indexes = built, "indexes built");
    }
    if summary.new + summary.changed > 0 {
        crate::db::analyze(&app.db).await?;
    }
    let finish = FinishImport {
        summary: serde_json::json!({
            "new": summary.new,
            "changed": summary.changed,
            "unchanged": summary.unchanged,
            "invalid": summary.invalid,
            "complete": unreadable.is_none() && stored.is_ok(),
        }),
    };
    app.run(actor, finish).await?;
    stored?;
    if let Some(msg) = unreadable {
        let stored = summary.new + summary.changed + summary.unchanged;
        return Err(ImportFailure::Unreadable(match lang {
            Lang::Da => format!("{msg} De {stored} rækker før fejlen er gemt."),
            Lang::En => format!("{msg} The {stored} rows before the error are stored."),
        }));
    }
    tracing::info!(
        new = summary.new,
        changed = summary.changed,
        unchanged = summary.unchanged,
        invalid = summary.invalid,
        "import finished"
    );
    Ok(summary)
}

impl Summary {
    /// Adds a part's counts.
    fn add(&mut self, part: Summary) {
        self.new += part.new;
        self.changed += part.changed;
        self.unchanged += part.unchanged;
        self.invalid += part.invalid;
        for e in part.errors {
            if self.errors.len() < MAX_REPORTED {
                self.errors.push(e);
            }
        }
    }

    fn invalid_row(&mut self, msg: String) {
        self.invalid += 1;
        if self.errors.len() < MAX_REPORTED {
            self.errors.push(msg);
        }
    }
}

/// The columns the import owns; an empty cell leaves the stored value alone.
fn merged(row: &ImportRow, old: Option<&business::Model>) -> business::Model {
    let mut m = old
        .cloned()
        .unwrap_or_else(|| patch::blank(row.cvr, "import", Utc::now()));
    row.patch().apply(&mut m);
    m
}

impl ImportRow {
    /// The columns the import owns; an empty cell leaves the stored value
    /// alone.
    fn patch(&self) -> patch::BusinessPatch {
        patch::BusinessPatch {
            name: Some(self.name.clone()),
            company_form: self.company_form,
            street: self.street.clone().map(Some),
            postal_code: self.postal_code.map(Some),
            city: self.city.clone().map(Some),
            industry_code: self.industry_code.map(Some),
            employees: self.employees.map(Some),
            size: self.size.map(Some),
            advertising_protected: Some(self.advertising_protected),
            email: self.email.clone().map(Some),
            phone: self.phone.clone().map(Some),
            ..Default::default()
        }
    }
}

async fn store_chunk(
    uow: &mut crate::app::UnitOfWork<'_>,
    rows: &[ImportRow],
    lang: Lang,
    summary: &mut Summary,
) -> crate::app::Result<()> {
    let tx = uow.tx();
    if rows.is_empty() {
        return Ok(());
    }
    // A CVR number twice in one file: the later row wins, as if imported
    // one after the other.
    let mut seen = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        seen.insert(r.cvr.value(), i);
    }
    let cvrs: Vec<i32> = seen.keys().map(|c| *c as i32).collect();
    let existing: HashMap<i32, business::Model> = business::Entity::find()
        .filter(business::Column::Cvr.is_in(cvrs.clone()))
        .all(tx)
        .await?
        .into_iter()
        .map(|b| (b.cvr, b))
        .collect();
    let pnums: Vec<i64> = rows
        .iter()
        .filter_map(|r| r.p_number.map(|p| p.value() as i64))
        .collect();
    let p_owner: HashMap<i64, i32> = if pnums.is_empty() {
        HashMap::new()
    } else {
        p_unit::Entity::find()
            .select_only()
            .column(p_unit::Column::PNumber)
            .column(p_unit::Column::BusinessId)
            .filter(p_unit::Column::PNumber.is_in(pnums))
            .into_tuple::<(i64, i32)>()
            .all(tx)
            .await?
            .into_iter()
            .collect()
    };
    let mut inserts = Vec::new();
    let mut new_p_units: Vec<(i32, p_unit::ActiveModel)> = Vec::new();
    let mut claimed: HashSet<i64> = HashSet::new();
    let mut touched: Vec<i32> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        if seen.get(&row.cvr.value()) != Some(&i) {
            // Superseded by a later row with the same CVR in this chunk.
            summary.unchanged += 1;
            continue;
        }
        let old = existing.get(&(row.cvr.value() as i32));
        // A P-number belongs to one business: a row that would move it is
        // refused whole.
        let mut p_new = None;
        if let Some(p) = row.p_number {
            let pv = p.value() as i64;
            match (p_owner.get(&pv), old) {
                (Some(owner), Some(b)) if *owner == b.id => {}
                (Some(_), _) => {
                    let e = RowError {
                        line: row.line,
                        field: Some("p_number"),
                        error: DomainError::PNumberTaken,
                        value: p.to_string(),
                    };
                    summary.invalid_row(e.message(lang));
                    continue;
                }
                (None, _) if claimed.insert(pv) => p_new = Some(pv),
                (None, _) => {}
            }
        }
        let want = merged(row, old);
        let p_am = p_new.map(|pv| p_unit::ActiveModel {
            p_number: Set(pv),
            street: Set(want.street.clone()),
            postal_code: Set(want.postal_code),
            city: Set(want.city.clone()),
            ..Default::default()
        });
        match old {
            None => {
                summary.new += 1;
                if let Some(p) = p_am {
                    new_p_units.push((want.cvr, p));
                }
                inserts.push(patch::to_active(want, None));
            }
            Some(old) => {
                if let Some(mut p) = p_am {
                    p.business_id = Set(old.id);
                    p_unit::Entity::insert(p)
                        .on_conflict(crate::db::keep_existing(p_unit::Column::PNumber))
                        .exec_without_returning(tx)
                        .await?;
                }
                if *old == want && p_new.is_none() {
                    summary.unchanged += 1;
                } else {
                    summary.changed += 1;
                    touched.push(old.id);
                    if *old != want {
                        let mut am = patch::to_active(want, Some(old.id));
                        am.updated_at = Set(Utc::now());
                        am.update(tx).await?;
                    }
                }
            }
        }
    }
    if !inserts.is_empty() {
        let new_cvrs: Vec<i32> = inserts
            .iter()
            .filter_map(|a| match &a.cvr {
                sea_orm::ActiveValue::Set(c) => Some(*c),
                _ => None,
            })
            .collect();
        // A business or P-unit created by a form at this very moment is
        // left as it is (it is read back below), not an error.
        business::Entity::insert_many(inserts)
            .on_conflict(crate::db::keep_existing(business::Column::Cvr))
            .exec_without_returning(tx)
            .await?;
        let ids: HashMap<i32, i32> = business::Entity::find()
            .select_only()
            .column(business::Column::Cvr)
            .column(business::Column::Id)
            .filter(business::Column::Cvr.is_in(new_cvrs))
            .into_tuple::<(i32, i32)>()
            .all(tx)
            .await?
            .into_iter()
            .collect();
        touched.extend(ids.values().copied());
        if !new_p_units.is_empty() {
            let units: Vec<p_unit::ActiveModel> = new_p_units
                .into_iter()
                .filter_map(|(cvr, mut p)| {
                    p.business_id = Set(*ids.get(&cvr)?);
                    Some(p)
                })
                .collect();
            p_unit::Entity::insert_many(units)
                .on_conflict(crate::db::keep_existing(p_unit::Column::PNumber))
                .exec_without_returning(tx)
                .await?;
        }
    }
    for id in touched {
        uow.reindex(crate::search::DocKind::Business, id);
    }
    Ok(())
}
