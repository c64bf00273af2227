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
    pub business_counts: Option<Arc<crate::businesses::queries::CountCache>>,
    pub consultants: Option<Arc<crate::users::ConsultantCache>>,
    pub figures: Option<Arc<crate::initiatives::figures::FigureCache>>,
}

/// Runs commands: owns the database, the writer and the clock.
pub struct App {
    pub db: DatabaseConnection,
    pub clock: Clock,
    /// Started on the first batched command (only the public form uses it).
    writer: std::sync::OnceLock<Writer>,
    mail_domain: Arc<str>,
    wake: Wakers,
}

impl App {
    pub fn new(
        db: DatabaseConnection,
        clock: Clock,
        mail_domain: &str,
        wake: Wakers,
    ) -> std::io::Result<Self> {
        let writer = std::sync::OnceLock::new();
        Ok(App {
            db,
            clock,
            writer,
            mail_domain: mail_domain.into(),
            wake,
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
        for cache in effects.caches {
            match cache {
                Cache::BusinessCounts => {
                    if let Some(c) = &self.wake.business_counts {
                        c.invalidate();
                    }
                }
                Cache::Consultants => {
                    if let Some(c) = &self.wake.consultants {
                        c.invalidate();
                    }
                }
                Cache::Figures => {
                    if let Some(c) = &self.wake.figures {
                        c.invalidate();
                    }
                }
            }
        }
    }
}
