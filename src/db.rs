//! Database connection: SQLite in the data directory by default (WAL,
//! foreign keys, busy timeout), PostgreSQL when configured.
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use anyhow::Context;
use futures_util::future::BoxFuture;
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, ExecResult, QueryResult, SqliteTransactionMode, Statement, TransactionOptions,
    TransactionTrait,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};
use secrecy::ExposeSecret;
use tokio::sync::OwnedMutexGuard;

use crate::config::Settings;

pub fn database_url(settings: &Settings) -> String {
    match &settings.database_url {
        Some(url) => url.expose_secret().to_string(),
        None => format!(
            "sqlite://{}?mode=rwc",
            settings.data_dir.join("erhverv.db").display()
        ),
    }
}

pub async fn connect(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    let url = database_url(settings);
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("creating data directory {}", settings.data_dir.display()))?;
    }
    let cache_kib = format!("-{}", settings.sqlite_cache_mib.max(1) * 1024);
    let mut opts = ConnectOptions::new(url);
    opts.max_connections(settings.db_max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        // A ping before every acquire doubles the queries; ping only a
        // connection that sat idle.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .map_sqlx_sqlite_opts(move |o| {
            // WAL lets readers run beside the one writer; NORMAL sync in WAL
            // mode keeps every commit across a process crash (kill -9).
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("cache_size", cache_kib.clone())
                // Checkpoints run in the background (`checkpoints`), not in
                // whichever commit filled the log: that commit's request
                // paid for the checkpoint's writes and fsync.
                .pragma("wal_autocheckpoint", "0")
        });
    opts.map_sqlx_sqlite_pool_opts(|pool| {
        pool.after_connect(|conn, _| {
            Box::pin(async move {
                let mut handle = conn.lock_handle().await?;
                stable_query_plans(handle.as_raw_handle().as_ptr()).map_err(|rc| {
                    sea_orm::sqlx::Error::Protocol(format!("sqlite3_db_config: {rc}"))
                })
            })
        })
    });
    let db = Database::connect(opts)
        .await
        .context("connecting to the database")?;
    if db.get_database_backend() == DbBackend::Sqlite {
        tokio::spawn(checkpoints(db.clone()));
    }
    Ok(db)
}

/// Moves the SQLite write-ahead log into the database file every 250 ms,
/// without waiting for readers or blocking writers (PASSIVE), so the log
/// stays small and no request pays for it. Ends when the pool is closed.
async fn checkpoints(db: DatabaseConnection) {
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if db.get_sqlite_connection_pool().is_closed() {
            return;
        }
        if let Err(e) = db
            .execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)")
            .await
        {
            tracing::debug!(error = %e, "checkpoint");
        }
    }
}

/// Turns on SQLite's query planner stability guarantee for a connection.
/// Without it, a statement whose plan looked at a bound value (every
/// `LIMIT ?`, which sea-orm binds for `.one()` and paging) is marked expired
/// whenever its parameters are bound, and so parsed and planned again on
/// every execution: a cached statement saved nothing. Plans then depend on
/// the SQL and the statistics only, never on the values; the app uses no
/// `LIKE` on bound patterns, the other thing that guarantee turns off.
fn stable_query_plans(db: *mut libsqlite3_sys::sqlite3) -> Result<(), i32> {
    // SAFETY: `db` is the open connection sqlx holds locked for us;
    // SQLITE_DBCONFIG_ENABLE_QPSG takes an int and an optional int* out.
    let rc = unsafe {
        libsqlite3_sys::sqlite3_db_config(
            db,
            libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
            1 as std::ffi::c_int,
            std::ptr::null_mut::<std::ffi::c_int>(),
        )
    };
    if rc == libsqlite3_sys::SQLITE_OK {
        Ok(())
    } else {
        Err(rc)
    }
}

pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None).await.context("running migrations")?;
    // Indexes a killed first import had set aside.
    let built = crate::import::bulk::restore(db)
        .await
        .context("building the indexes a first import set aside")?;
    if built > 0 {
        tracing::warn!(
            indexes = built,
            "built indexes an interrupted import had set aside"
        );
    }
    Ok(())
}

/// One queue per SQLite database file: the writers of this process take
/// turns here, in arrival order, before they ask SQLite for its write lock.
static WRITE_TURNS: LazyLock<Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>> =
    LazyLock::new(Default::default);

/// The SQLite database's file name (`:memory:` for one in memory).
fn sqlite_name(db: &DatabaseConnection) -> Option<PathBuf> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return None;
    }
    Some(
        db.get_sqlite_connection_pool()
            .connect_options()
            .get_filename()
            .to_path_buf(),
    )
}

/// The SQLite database's file, if it is one.
pub fn sqlite_file(db: &DatabaseConnection) -> Option<PathBuf> {
    sqlite_name(db).filter(|f| f.as_os_str() != ":memory:")
}

fn write_turn(db: &DatabaseConnection) -> Option<Arc<tokio::sync::Mutex<()>>> {
    let file = sqlite_name(db)?;
    let mut turns = WRITE_TURNS.lock().unwrap_or_else(|e| e.into_inner());
    Some(turns.entry(file).or_default().clone())
}

/// A write transaction; on SQLite it also holds this process's turn to
/// write until it is committed, rolled back or dropped.
pub struct WriteTx {
    tx: DatabaseTransaction,
    // Dropped after `tx`: the next writer starts once this one has ended.
    _turn: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.tx.commit().await
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.tx.rollback().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.tx
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTx {
    fn get_database_backend(&self) -> DbBackend {
        self.tx.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.tx.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.tx.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.tx.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.tx.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.tx.support_returning()
    }
}

/// A job for [`Writer::batch`]: runs its statements in the transaction it is
/// given. It may be run more than once (see there), so it borrows its data.
pub type WriteJob<T> =
    Box<dyn for<'a> Fn(&'a DatabaseTransaction) -> BoxFuture<'a, Result<T, DbErr>> + Send + Sync>;

type AnyOut = Box<dyn std::any::Any + Send>;

struct Queued {
    job: WriteJob<AnyOut>,
    done: tokio::sync::oneshot::Sender<Result<AnyOut, DbErr>>,
}

/// Jobs committed together at most.
const MAX_BATCH: usize = 32;

/// The hot write transactions on SQLite go through one writer, on a thread
/// of its own, which commits the jobs waiting at that moment together (group
/// commit). Each job would otherwise hold the write lock for its own BEGIN
/// and COMMIT, and wait behind the other requests on an HTTP worker after
/// every statement. No job is answered before the commit that holds it. If
/// a batch fails, its jobs are run again one transaction each, so a job that
/// fails (a unique key taken by a double click) fails alone. PostgreSQL has
/// no such lock: there each job is its own transaction, run where it is.
pub struct Writer {
    db: DatabaseConnection,
    queue: Option<tokio::sync::mpsc::UnboundedSender<Queued>>,
}

impl Writer {
    pub fn start(db: &DatabaseConnection) -> std::io::Result<Writer> {
        if db.get_database_backend() != DbBackend::Sqlite {
            return Ok(Writer {
                db: db.clone(),
                queue: None,
            });
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (queue, jobs) = tokio::sync::mpsc::unbounded_channel::<Queued>();
        let conn = db.clone();
        // The thread ends when the writer (the sending side) is dropped.
        std::thread::Builder::new()
            .name("db-writer".into())
            .spawn(move || rt.block_on(serve(conn, jobs)))?;
        Ok(Writer {
            db: db.clone(),
            queue: Some(queue),
        })
    }

    /// Runs `job` in a write transaction and returns its result once that
    /// transaction is committed.
    pub async fn batch<T: Send + 'static>(&self, job: WriteJob<T>) -> Result<T, DbErr> {
        let Some(queue) = &self.queue else {
            return run_alone(&self.db, &job).await;
        };
        let (done, answer) = tokio::sync::oneshot::channel();
        let job: WriteJob<AnyOut> = Box::new(move |tx| {
            let fut = job(tx);
            Box::pin(async move { fut.await.map(|t| Box::new(t) as AnyOut) })
        });
        let stopped = || DbErr::Custom("the database writer has stopped".into());
        queue.send(Queued { job, done }).map_err(|_| stopped())?;
        let out = answer.await.map_err(|_| stopped())??;
        out.downcast::<T>()
            .map(|t| *t)
            .map_err(|_| DbErr::Custom("database writer: unexpected result type".into()))
    }
}

async fn run_alone<T>(db: &DatabaseConnection, job: &WriteJob<T>) -> Result<T, DbErr> {
    let mut outs = run_together(db, [job]).await?;
    outs.pop()
        .ok_or_else(|| DbErr::Custom("database writer: a job gave no result".into()))
}

async fn serve(db: DatabaseConnection, mut jobs: tokio::sync::mpsc::UnboundedReceiver<Queued>) {
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        if batch.len() > 1 {
            match run_together(&db, batch.iter().map(|q| &q.job)).await {
                Ok(outs) => {
                    for (queued, out) in batch.into_iter().zip(outs) {
                        let _ = queued.done.send(Ok(out));
                    }
                    continue;
                }
                Err(e) => {
                    tracing::debug!(error = %e, jobs = batch.len(), "batch failed; running its jobs one by one");
                }
            }
        }
        for queued in batch {
            let out = run_alone(&db, &queued.job).await;
            let _ = queued.done.send(out);
        }
    }
}

/// Runs the jobs in one transaction; all are kept or none.
async fn run_together<'j, T: 'j>(
    db: &DatabaseConnection,
    jobs: impl IntoIterator<Item = &'j WriteJob<T>>,
) -> Result<Vec<T>, DbErr> {
    let tx = begin_write(db).await?;
    let mut outs = Vec::new();
    for job in jobs {
        match job(&tx).await {
            Ok(out) => outs.push(out),
            Err(e) => {
                let _ = tx.rollback().await;
                return Err(e);
            }
        }
    }
    tx.commit().await?;
    Ok(outs)
}

/// Begins a transaction that will write. On SQLite it takes the write lock
/// at BEGIN (IMMEDIATE), so a read-then-write transaction never fails with
/// SQLITE_BUSY half-way. Writers in this process first queue for their turn
/// on an async lock: SQLite's own busy handler polls with sleeps growing to
/// 100 ms, which under many simultaneous writers made the slowest requests
/// wait far longer than the work ahead of them. Another process (the import
/// command) is still waited for by the busy timeout.
pub async fn begin_write(db: &DatabaseConnection) -> Result<WriteTx, DbErr> {
    let mut options = TransactionOptions::default();
    let turn = match write_turn(db) {
        Some(turn) => {
            options.sqlite_transaction_mode = Some(SqliteTransactionMode::Immediate);
            Some(turn.lock_owned().await)
        }
        None => None,
    };
    let tx = db.begin_with_options(options).await?;
    Ok(WriteTx { tx, _turn: turn })
}

/// Refreshes the query planner's statistics after bulk writes (seed,
/// import) and at start-up, so filtered list queries pick the right index.
pub async fn analyze(db: &DatabaseConnection) -> Result<(), DbErr> {
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            db.execute_unprepared("PRAGMA analysis_limit=2000; ANALYZE;")
                .await?;
        }
        _ => {
            db.execute_unprepared("ANALYZE").await?;
        }
    }
    Ok(())
}

/// Serialises the transactions that count and then write for one key (a
/// limit's "how many so far"): on PostgreSQL a transaction-scoped advisory
/// lock on the key; on SQLite every write transaction already takes the
/// one writer's turn.
pub async fn lock_key<C: ConnectionTrait>(tx: &C, key: &str) -> Result<(), DbErr> {
    if tx.get_database_backend() == DbBackend::Postgres {
        tx.execute_raw(sea_orm::Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtext($1))",
            [key.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Like [`lock_key`], without waiting: whether this transaction now holds
/// the key (always on SQLite, which has one process).
pub async fn try_lock_key<C: ConnectionTrait>(tx: &C, key: &str) -> Result<bool, DbErr> {
    if tx.get_database_backend() != DbBackend::Postgres {
        return Ok(true);
    }
    let row = tx
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_try_advisory_xact_lock(hashtext($1)) AS held",
            [key.into()],
        ))
        .await?;
    Ok(match row {
        Some(row) => row.try_get::<bool>("", "held")?,
        None => false,
    })
}

/// `ON CONFLICT (col) DO NOTHING`: insert-if-absent. Of simultaneous
/// inserts of one unique value exactly one is stored on either database;
/// the others insert nothing and read the winner back.
pub fn keep_existing<C: sea_orm::sea_query::IntoIden>(col: C) -> sea_orm::sea_query::OnConflict {
    sea_orm::sea_query::OnConflict::column(col)
        .do_nothing()
        .to_owned()
}

pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared("SELECT 1").await.map(|_| ())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Reads a connection's query planner stability flag.
    fn qpsg(db: *mut libsqlite3_sys::sqlite3) -> std::ffi::c_int {
        let mut on: std::ffi::c_int = -1;
        // SAFETY: as in `stable_query_plans`; -1 only reads the setting.
        unsafe {
            libsqlite3_sys::sqlite3_db_config(
                db,
                libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
                -1 as std::ffi::c_int,
                &mut on as *mut std::ffi::c_int,
            )
        };
        on
    }

    /// A new SQLite database in a temporary directory (kept with it).
    async fn temp_db() -> (tempfile::TempDir, DatabaseConnection) {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings {
            data_dir: dir.path().to_path_buf(),
            ..Settings::default()
        };
        let db = connect(&settings).await.unwrap();
        (dir, db)
    }

    /// Jobs sent together are committed together; one that fails (a taken
    /// unique key) fails alone and the others are kept.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_writer_commits_jobs_together_and_a_failing_one_alone() {
        let (_dir, db) = temp_db().await;
        db.execute_unprepared("CREATE TABLE t (x INTEGER NOT NULL UNIQUE)")
            .await
            .unwrap();
        let writer = std::sync::Arc::new(Writer::start(&db).unwrap());
        let insert = |x: i64| -> WriteJob<i64> {
            Box::new(move |tx| {
                Box::pin(async move {
                    tx.execute_raw(Statement::from_sql_and_values(
                        DbBackend::Sqlite,
                        "INSERT INTO t (x) VALUES (?)",
                        [x.into()],
                    ))
                    .await?;
                    Ok(x)
                })
            })
        };
        let values = [1i64, 2, 3, 2, 4, 5, 6, 7];
        let sends = values.iter().map(|x| {
            let writer = writer.clone();
            let job = insert(*x);
            tokio::spawn(async move { writer.batch(job).await })
        });
        let results: Vec<Result<i64, DbErr>> = futures_util::future::join_all(sends)
            .await
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(
            results.iter().filter(|r| r.is_err()).count(),
            1,
            "{results:?}"
        );
        let ok: Vec<i64> = results.into_iter().filter_map(Result::ok).collect();
        assert_eq!(ok.len(), 7);
        let rows = db
            .query_all_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT x FROM t ORDER BY x",
            ))
            .await
            .unwrap();
        let stored: Vec<i64> = rows
            .iter()
            .map(|r| r.try_get::<i64>("", "x").unwrap())
            .collect();
        assert_eq!(stored, vec![1, 2, 3, 4, 5, 6, 7], "every answered job kept");
    }

    #[tokio::test]
    async fn every_sqlite_connection_keeps_its_query_plans() {
        let (_dir, db) = temp_db().await;
        let pool = db.get_sqlite_connection_pool();
        // Two connections: the first one made and one made later.
        let mut first = pool.acquire().await.unwrap();
        let mut second = pool.acquire().await.unwrap();
        for conn in [&mut first, &mut second] {
            let mut handle = conn.lock_handle().await.unwrap();
            assert_eq!(qpsg(handle.as_raw_handle().as_ptr()), 1);
        }
    }
}
