//! The application layer: every change of data is a command of its area,
//! run by [`App`] in one [`UnitOfWork`]. Commands take typed inputs and know
//! nothing of the web (no request, form, session or language), so the HTML
//! handlers, the CLI and the workers — and later the JSON API — call the
//! same code and get the same errors as data.
//!
//! The flow of every write:
//! ```text
//! handler: role (extractor) → CSRF → parse into domain types
//!   → app.run(actor, Command { .. })
//!       begin (SQLite: the writer's turn, BEGIN IMMEDIATE)
//!       command: rows + uow.audit(..) + uow.reindex(..) + uow.email(..) + uow.invalidate(..)
//!       flush: audit rows + search-sync rows, in the same transaction
//!       commit once
//!       wake the search worker / the mailer, drop stale caches
//!   → 303, or the form again with the errors in the user's language
//! ```
pub mod cache;
pub mod clock;
pub mod error;
mod uow;

use std::sync::Arc;

use sea_orm::{DatabaseConnection, TransactionTrait};

pub use clock::Clock;
pub use error::{Error, FieldError, Invalid, RecordRef, Result};
pub use uow::{Actor, AuditEvent, Cache, Effects, UnitOfWork};

use crate::db::{self, Writer};

/// `SELECT … FOR UPDATE` on PostgreSQL, for a row a command reads and then
/// changes; SQLite's write transactions are serialised already.
pub fn for_update<E: sea_orm::EntityTrait>(
    db: &impl sea_orm::ConnectionTrait,
    select: sea_orm::Select<E>,
) -> sea_orm::Select<E> {
    use sea_orm::QuerySelect;
    match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => select.lock_exclusive(),
        _ => select,
    }
}

/// A record's version as the API's `ETag` shows it: a digest of what is
/// stored (any change changes it), checked again by the command that
/// updates it (`If-Match`).
pub fn version_of(parts: &impl std::fmt::Debug) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("{parts:?}").as_bytes());
    hex::encode(&digest[..12])
}

/// A change of data with typed input. `run` may be called more than once
/// for one request (a group commit that failed is re-run job by job), so it
/// borrows its input.
#[async_trait::async_trait]
pub trait Command: Send + Sync {
    type Output: Send;
    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<Self::Output>;
}

/// What a commit wakes and invalidates. Each part is optional: the CLI has
/// no workers in its process (the service's workers poll the tables too).
#[derive(Default, Clone)]
pub struct Wakers {
    pub search: Option<Arc<crate::search::SearchService>>,
    pub mailer: Option<Arc<crate::email::Mailer>>,
    pub business_list: Option<Arc<crate::businesses::queries::ListCache>>,
    pub consultants: Option<Arc<crate::users::ConsultantCache>>,
    pub figures: Option<Arc<crate::initiatives::figures::FigureCache>>,
    pub sessions: Option<Arc<crate::web::auth::SessionCache>>,
}

/// Runs commands: owns the database, the writer and the clock.
pub struct App {
    pub db: DatabaseConnection,
    pub clock: Clock,
    /// Started on the first batched command (only the public form uses it).
    writer: std::sync::OnceLock<Writer>,
    mail_domain: Arc<str>,
    wake: Wakers,
    /// SQLite: where a process without caches notes its changes for the
    /// service (see [`ExternalWrites`]).
    external: Option<ExternalWrites>,
}

/// On SQLite the command line writes the service's database file from
/// another process, which no notification reaches. After committing a
/// change that the service's caches hold, such a process (one without
/// caches of its own) appends the caches' names to a file beside the
/// database; the service looks at that file's size and time on every
/// signed-in request (one `stat`) and drops every cache when it changed. So
/// a user disabled from the command line is signed out at once there too.
pub struct ExternalWrites {
    path: std::path::PathBuf,
    seen: std::sync::Mutex<Option<(std::time::SystemTime, u64)>>,
}

impl ExternalWrites {
    fn new(db: &DatabaseConnection) -> Option<Self> {
        let file = db::sqlite_file(db)?;
        let mut path = file.into_os_string();
        path.push("-changes");
        let path = std::path::PathBuf::from(path);
        let seen = std::sync::Mutex::new(Self::stamp(&path));
        Some(ExternalWrites { path, seen })
    }

    fn stamp(path: &std::path::Path) -> Option<(std::time::SystemTime, u64)> {
        let m = std::fs::metadata(path).ok()?;
        Some((m.modified().ok()?, m.len()))
    }

    /// Notes a committed change (the process without caches).
    fn note(&self, caches: &[Cache]) {
        use std::io::Write;
        let line: Vec<&str> = caches.iter().map(|c| c.as_str()).collect();
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .and_then(|mut f| {
                // Kept small: emptied now and then (a change of size too).
                if f.metadata()?.len() > 64 * 1024 {
                    f.set_len(0)?;
                }
                writeln!(f, "{}", line.join(","))
            });
        if let Err(e) = written {
            tracing::warn!(error = %e, file = %self.path.display(), "noting a change for the service");
        }
    }

    /// True when another process noted a change since the last look.
    fn changed(&self) -> bool {
        let now = Self::stamp(&self.path);
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if *seen == now {
            return false;
        }
        *seen = now;
        true
    }
}

impl App {
    pub fn new(
        db: DatabaseConnection,
        clock: Clock,
        mail_domain: &str,
        wake: Wakers,
    ) -> std::io::Result<Self> {
        let writer = std::sync::OnceLock::new();
        let external = ExternalWrites::new(&db);
        Ok(App {
            db,
            clock,
            writer,
            mail_domain: mail_domain.into(),
            wake,
            external,
        })
    }

    fn writer(&self) -> Result<&Writer> {
        if let Some(w) = self.writer.get() {
            return Ok(w);
        }
        let w = Writer::start(&self.db)
            .map_err(|e| anyhow::Error::new(e).context("starting the database writer"))?;
        // Two first callers at once: one writer is kept, the other dropped.
        Ok(self.writer.get_or_init(|| w))
    }

    /// For the command line: no workers to wake in this process.
    pub fn for_cli(db: &DatabaseConnection) -> std::io::Result<Self> {
        App::new(
            db.clone(),
            Clock::system(),
            "erhverv.local",
            Wakers::default(),
        )
    }

    pub fn wakers(&self) -> &Wakers {
        &self.wake
    }

    /// Runs `cmd` in its own write transaction: all of it is kept or none.
    pub async fn run<C: Command>(&self, actor: Actor, cmd: C) -> Result<C::Output> {
        let tx = db::begin_write(&self.db).await?;
        // The moment of the change: once this writer has its turn.
        let mut uow = UnitOfWork::new(&tx, actor, self.clock.now(), &self.mail_domain);
        let out = match cmd.run(&mut uow).await {
            Ok(out) => out,
            Err(e) => {
                // Nothing of the command, and none of its audit entries, is
                // kept; rolled back before the next writer's turn.
                drop(uow);
                let _ = tx.rollback().await;
                return Err(e);
            }
        };
        let effects = uow.flush().await?;
        tx.commit().await?;
        self.after_commit(effects);
        Ok(out)
    }

    /// Runs a command whose input parsed, or answers with the parse's
    /// field errors: the one way a form handler calls a command.
    pub async fn run_parsed<C: Command>(
        &self,
        actor: Actor,
        cmd: std::result::Result<C, Invalid>,
    ) -> Result<C::Output> {
        match cmd {
            Ok(cmd) => self.run(actor, cmd).await,
            Err(invalid) => Err(invalid.into()),
        }
    }

    /// Like [`App::run`], through the SQLite writer, which commits the
    /// commands waiting at that moment together (group commit; on
    /// PostgreSQL each runs alone as in `run`). Each command runs inside a
    /// savepoint, so one that fails is undone alone and the others stay.
    pub async fn run_batched<C>(&self, actor: Actor, cmd: C) -> Result<C::Output>
    where
        C: Command + 'static,
        C::Output: 'static,
    {
        let cmd = Arc::new(cmd);
        let domain = self.mail_domain.clone();
        let clock = self.clock.clone();
        let job: db::WriteJob<Result<(C::Output, Effects)>> = Box::new(move |tx| {
            let cmd = cmd.clone();
            let domain = domain.clone();
            let actor = actor.clone();
            let now = clock.now();
            Box::pin(async move {
                let sp = tx.begin().await?;
                let mut uow = UnitOfWork::new(&sp, actor, now, &domain);
                match cmd.run(&mut uow).await {
                    Ok(out) => {
                        let effects = uow.flush().await?;
                        sp.commit().await?;
                        Ok(Ok((out, effects)))
                    }
                    Err(e) => {
                        drop(uow);
                        sp.rollback().await?;
                        Ok(Err(e))
                    }
                }
            })
        });
        let (out, effects) = self.writer()?.batch(job).await??;
        self.after_commit(effects);
        Ok(out)
    }

    fn after_commit(&self, effects: Effects) {
        if effects.search
            && let Some(s) = &self.wake.search
        {
            s.changed();
        }
        if effects.mail
            && let Some(m) = &self.wake.mailer
        {
            m.changed();
        }
        if !effects.caches.is_empty()
            && !self.wake.has_caches()
            && let Some(external) = &self.external
        {
            external.note(&effects.caches);
        }
        for cache in effects.caches {
            self.invalidate(cache);
        }
    }

    /// Drops every cache if another process (the command line, on SQLite)
    /// committed a change since the last look. Call before reading from a
    /// cache that such a change could make wrong.
    pub fn notice_external_writes(&self) {
        if self.wake.has_caches()
            && let Some(external) = &self.external
            && external.changed()
        {
            for cache in Cache::ALL {
                self.invalidate(cache);
            }
        }
    }

    /// Drops what `cache` holds in this process.
    pub fn invalidate(&self, cache: Cache) {
        self.wake.invalidate(cache);
    }
}

impl Wakers {
    fn has_caches(&self) -> bool {
        self.business_list.is_some() || self.sessions.is_some()
    }

    /// Drops what `cache` holds in this process.
    pub fn invalidate(&self, cache: Cache) {
        match cache {
            Cache::BusinessList => {
                if let Some(c) = &self.business_list {
                    c.invalidate();
                }
            }
            Cache::Consultants => {
                if let Some(c) = &self.consultants {
                    c.invalidate();
                }
                // The list shows consultants' names and offers them.
                if let Some(c) = &self.business_list {
                    c.invalidate();
                }
            }
            Cache::Figures => {
                if let Some(c) = &self.figures {
                    c.invalidate();
                }
            }
            Cache::Sessions => {
                if let Some(c) = &self.sessions {
                    c.invalidate();
                }
            }
        }
    }
}

/// Listens, on PostgreSQL, for the caches other instances' commits made
/// stale ([`uow::CACHE_CHANNEL`]) and drops them here. Whenever the
/// listening connection is (re)made, every cache is dropped: notifications
/// sent while it was down are lost. Runs until the process ends; nothing to
/// do on SQLite, where one process serves (the command line's writes are
/// noticed through [`ExternalWrites`]).
pub async fn listen(db: DatabaseConnection, caches: Wakers) {
    use sea_orm::sqlx::postgres::PgListener;
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return;
    }
    // A pool of its own: the listener keeps its connection.
    let options = (*db.get_postgres_connection_pool().connect_options()).clone();
    let pool = sea_orm::sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_lazy_with(options);
    let mut pause = std::time::Duration::from_millis(100);
    loop {
        let listener = match PgListener::connect_with(&pool).await {
            Ok(mut l) => match l.listen(uow::CACHE_CHANNEL).await {
                Ok(()) => Some(l),
                Err(e) => {
                    tracing::warn!(error = %e, "listening for cache notifications");
                    None
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, "connecting to listen for cache notifications");
                None
            }
        };
        let Some(mut listener) = listener else {
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(std::time::Duration::from_secs(10));
            continue;
        };
        pause = std::time::Duration::from_millis(100);
        for cache in Cache::ALL {
            caches.invalidate(cache);
        }
        loop {
            // A connection that died without a word (no reset) would wait
            // here for ever: after a quiet minute it is asked for an answer.
            let next =
                match tokio::time::timeout(std::time::Duration::from_secs(60), listener.try_recv())
                    .await
                {
                    Ok(next) => next,
                    Err(_) => {
                        let ping = tokio::time::timeout(
                            std::time::Duration::from_secs(10),
                            sea_orm::sqlx::query("SELECT 1").execute(&mut listener),
                        )
                        .await;
                        if matches!(ping, Ok(Ok(_))) {
                            continue;
                        }
                        tracing::warn!("the cache notification connection stopped answering");
                        break;
                    }
                };
            match next {
                Ok(Some(n)) => {
                    for cache in n.payload().split(',').filter_map(Cache::parse) {
                        caches.invalidate(cache);
                    }
                }
                // The connection was lost: listen again, then start over.
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "cache notifications interrupted");
                    break;
                }
            }
        }
    }
}
