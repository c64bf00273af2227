//! Keeping the index in step with the database: every write that changes a
//! searchable record enqueues a `search_sync` row in its own transaction; a
//! background worker applies the rows in batches and deletes them only after
//! the index accepted them. So a write never waits for (or fails with) the
//! search backend, and after an outage or a crash the queue simply drains.
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::Utc;
use entity::{business, recruitment_need, search_sync};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use tokio::sync::Notify;

use crate::search::{DocKind, SearchDoc, SearchError, SearchIndex, docs};

/// Entries applied per batch.
const BATCH: u64 = 500;

/// After applying a batch, how long to wait for more changes before the
/// next one.
const GATHER: Duration = Duration::from_millis(250);

/// What a `search_sync` row asks of the index, stored as a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyncOp {
    /// (Re)build the record's document from the database.
    Upsert,
    /// Remove the record's document.
    Delete,
}

impl SyncOp {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncOp::Upsert => "upsert",
            SyncOp::Delete => "delete",
        }
    }

    /// An unknown code is a delete: the worker then removes a document it
    /// cannot rebuild rather than keep a stale one.
    pub fn parse(code: &str) -> SyncOp {
        match code {
            "upsert" => SyncOp::Upsert,
            _ => SyncOp::Delete,
        }
    }
}

/// Enqueues index changes for these records (inside the caller's
/// transaction).
pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    kind: DocKind,
    ids: &[i32],
    op: SyncOp,
) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    for part in ids.chunks(1000) {
        search_sync::Entity::insert_many(part.iter().map(|id| search_sync::ActiveModel {
            doc_id: Set(SearchDoc::doc_id(kind, *id)),
            op: Set(op.as_str().to_string()),
            created_at: Set(now),
            ..Default::default()
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// How far the index is behind the database.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Lag {
    pub pending: u64,
    pub oldest_seconds: i64,
}

pub async fn lag(db: &DatabaseConnection) -> Result<Lag, DbErr> {
    let pending = search_sync::Entity::find().count(db).await?;
    let oldest = search_sync::Entity::find()
        .order_by_asc(search_sync::Column::Id)
        .one(db)
        .await?
        .map(|e| (Utc::now() - e.created_at).num_seconds().max(0))
        .unwrap_or(0);
    Ok(Lag {
        pending,
        oldest_seconds: oldest,
    })
}

/// The search backend plus what the web layer needs to know about it.
pub struct SearchService {
    pub index: Arc<dyn SearchIndex>,
    wake: Notify,
    available: AtomicBool,
}

impl SearchService {
    pub fn new(index: Arc<dyn SearchIndex>) -> Arc<Self> {
        Arc::new(Self {
            index,
            wake: Notify::new(),
            available: AtomicBool::new(true),
        })
    }

    /// Call after committing a write that enqueued changes: the worker
    /// applies them right away instead of at its next poll.
    pub fn changed(&self) {
        self.wake.notify_one();
    }

    /// False after the worker failed to reach the backend, until it succeeds.
    pub fn is_available(&self) -> bool {
        self.available.load(Ordering::Relaxed)
    }

    fn set_available(&self, up: bool) {
        let was = self.available.swap(up, Ordering::Relaxed);
        if was != up {
            if up {
                tracing::info!(
                    backend = self.index.name(),
                    "search backend reachable again"
                );
            } else {
                tracing::warn!(
                    backend = self.index.name(),
                    "search backend unavailable; changes are queued"
                );
            }
        }
    }

    /// Applies one batch of queued changes. Returns how many entries were
    /// applied (0 when the queue is empty).
    pub async fn apply_batch(&self, db: &DatabaseConnection) -> Result<usize, SyncError> {
        // Several instances on one PostgreSQL: one applies a batch at a
        // time (the others wait their turn), so a record's older version
        // read by one can't be pushed after a newer one pushed by another.
        let turn = if db.get_database_backend() == sea_orm::DbBackend::Postgres {
            let tx = sea_orm::TransactionTrait::begin(db).await?;
            if !crate::db::try_lock_key(&tx, "search_sync").await? {
                return Ok(0);
            }
            Some(tx)
        } else {
            None
        };
        let applied = self.apply_entries(db).await;
        if let Some(tx) = turn {
            tx.rollback().await?;
        }
        applied
    }

    async fn apply_entries(&self, db: &DatabaseConnection) -> Result<usize, SyncError> {
        let entries = search_sync::Entity::find()
            .order_by_asc(search_sync::Column::Id)
            .limit(BATCH)
            .all(db)
            .await?;
        if entries.is_empty() {
            return Ok(0);
        }
        // The last operation per document wins.
        let mut last: BTreeMap<&str, SyncOp> = BTreeMap::new();
        for e in &entries {
            last.insert(e.doc_id.as_str(), SyncOp::parse(&e.op));
        }
        let mut upserts: BTreeMap<DocKind, Vec<i32>> = BTreeMap::new();
        let mut deletes = Vec::new();
        for (doc_id, op) in &last {
            let target = doc_id
                .split_once(':')
                .and_then(|(kind, id)| Some((DocKind::parse(kind)?, id.parse::<i32>().ok()?)));
            match (target, *op) {
                (Some((kind, id)), SyncOp::Upsert) => upserts.entry(kind).or_default().push(id),
                _ => deletes.push(doc_id.to_string()),
            }
        }
        let mut docs = Vec::new();
        for (kind, ids) in &upserts {
            let found = documents(db, *kind, ids).await?;
            // A record that no longer exists is removed from the index.
            for id in ids {
                if !found.iter().any(|d| d.record_id == *id) {
                    deletes.push(SearchDoc::doc_id(*kind, *id));
                }
            }
            docs.extend(found);
        }
        if !docs.is_empty() {
            self.index.upsert(&docs).await?;
        }
        if !deletes.is_empty() {
            self.index.delete(&deletes).await?;
        }
        let ids: Vec<i64> = entries.iter().map(|e| e.id).collect();
        // Through the writers' queue, so it never makes a request wait.
        let tx = crate::db::begin_write(db).await?;
        search_sync::Entity::delete_many()
            .filter(search_sync::Column::Id.is_in(ids))
            .exec(&tx)
            .await?;
        tx.commit().await?;
        Ok(entries.len())
    }

    /// The background worker: applies queued changes as they come, retrying
    /// with backoff while the backend is unreachable.
    pub fn spawn_worker(self: &Arc<Self>, db: DatabaseConnection) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            let mut backoff = Duration::from_millis(250);
            loop {
                match this.apply_batch(&db).await {
                    Ok(0) => {
                        backoff = Duration::from_millis(250);
                        // Woken by a local write, or polling for writes made
                        // by other processes (the import command).
                        let _ =
                            tokio::time::timeout(Duration::from_millis(500), this.wake.notified())
                                .await;
                    }
                    Ok(n) => {
                        this.set_available(true);
                        backoff = Duration::from_millis(250);
                        // Under a stream of writes, let the next changes
                        // gather for a moment: one index commit for many
                        // changes instead of one each, at the cost of up to
                        // GATHER more before a change is searchable.
                        if (n as u64) < BATCH {
                            tokio::time::sleep(GATHER).await;
                        }
                    }
                    Err(SyncError::Search(SearchError::Unavailable(e))) => {
                        this.set_available(false);
                        tracing::debug!(error = %e, "search sync waiting for the backend");
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(Duration::from_secs(10));
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "search sync failed; retrying");
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(Duration::from_secs(10));
                    }
                }
            }
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// The documents of these records of one kind.
async fn documents(
    db: &DatabaseConnection,
    kind: DocKind,
    ids: &[i32],
) -> Result<Vec<SearchDoc>, DbErr> {
    match kind {
        DocKind::Business => docs::businesses(db, ids).await,
        DocKind::Need => docs::needs(db, ids).await,
        // No initiatives are kept yet.
        DocKind::Initiative => Ok(Vec::new()),
    }
}

/// The ids of the next `limit` records of a kind after `after`, in order.
async fn ids_after(
    db: &DatabaseConnection,
    kind: DocKind,
    after: i32,
    limit: u64,
) -> Result<Vec<i32>, DbErr> {
    async fn of<E: EntityTrait>(
        db: &DatabaseConnection,
        id: E::Column,
        after: i32,
        limit: u64,
    ) -> Result<Vec<i32>, DbErr> {
        E::find()
            .select_only()
            .column(id)
            .filter(id.gt(after))
            .order_by_asc(id)
            .limit(limit)
            .into_tuple()
            .all(db)
            .await
    }
    match kind {
        DocKind::Business => of::<business::Entity>(db, business::Column::Id, after, limit).await,
        DocKind::Need => {
            of::<recruitment_need::Entity>(db, recruitment_need::Column::Id, after, limit).await
        }
        DocKind::Initiative => Ok(Vec::new()),
    }
}

/// Sends every document of the database to `index` in batches of 1,000
/// (the search-sync queue is left as it is); the number sent.
pub async fn load_all(
    db: &DatabaseConnection,
    index: &dyn SearchIndex,
    total: u64,
    progress: &impl Fn(u64, u64),
) -> Result<u64, SyncError> {
    let mut done = 0u64;
    for kind in DocKind::ALL {
        let mut after = 0i32;
        loop {
            let ids = ids_after(db, kind, after, 1000).await?;
            let Some(last) = ids.last().copied() else {
                break;
            };
            let docs = documents(db, kind, &ids).await?;
            index.upsert(&docs).await?;
            done += ids.len() as u64;
            after = last;
            progress(done, total);
        }
    }
    Ok(done)
}

/// Rebuilds the index from the database. `progress(done, total)` is called
/// after each batch.
pub async fn reindex(
    db: &DatabaseConnection,
    index: &dyn SearchIndex,
    progress: impl Fn(u64, u64),
) -> Result<u64, SyncError> {
    // Running instances' workers wait while the index is rebuilt (on
    // PostgreSQL; with SQLite a reindex runs with the server stopped or on
    // its own index), so none pushes an older version after the rebuild.
    let turn = sea_orm::TransactionTrait::begin(db).await?;
    crate::db::lock_key(&turn, "search_sync").await?;
    // Entries queued before this point are covered by the rebuild.
    let covered = search_sync::Entity::find()
        .order_by_desc(search_sync::Column::Id)
        .one(db)
        .await?
        .map(|e| e.id);
    let total = business::Entity::find().count(db).await?
        + recruitment_need::Entity::find().count(db).await?;
    index.clear().await?;
    let done = load_all(db, index, total, &progress).await?;
    if let Some(max) = covered {
        search_sync::Entity::delete_many()
            .filter(search_sync::Column::Id.lte(max))
            .exec(db)
            .await?;
    }
    turn.rollback().await?;
    Ok(done)
}
