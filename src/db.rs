//! Database connection: SQLite in the data directory by default (WAL,
//! foreign keys, busy timeout), PostgreSQL when configured.
use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};
use secrecy::ExposeSecret;

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
        });
    let db = Database::connect(opts)
        .await
        .context("connecting to the database")?;
    Ok(db)
}

pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None).await.context("running migrations")
}

/// Begins a transaction that will write. On SQLite it takes the write lock
/// at BEGIN (IMMEDIATE), so a read-then-write transaction never fails with
/// SQLITE_BUSY half-way; it waits for the busy timeout instead.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let mut options = TransactionOptions::default();
    if db.get_database_backend() == DbBackend::Sqlite {
        options.sqlite_transaction_mode = Some(SqliteTransactionMode::Immediate);
    }
    db.begin_with_options(options).await
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

pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared("SELECT 1").await.map(|_| ())
}
