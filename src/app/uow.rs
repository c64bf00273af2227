//! The unit of work: one write transaction and everything that must happen
//! with it. A command changes rows through [`UnitOfWork::tx`] and says what
//! else its change means — an audit event, a search document to rebuild, an
//! email to send, a cached figure that is now wrong — and the unit of work
//! writes the audit and sync rows in the same transaction, commits once, and
//! only then wakes the workers and drops the caches.
use chrono::{DateTime, Utc};
use entity::audit_event;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait};

use crate::domain::{AuditAction, AuditEntity};
use crate::search::{DocKind, sync::SyncOp};

/// Who is acting: a signed-in user, the public (the recruitment form), or
/// the system (a worker, or the CLI run by an operator without a user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    User(i32),
    Public,
    System,
    /// Another system, calling the API with this token (by id).
    Token(i32),
}

impl Actor {
    pub fn user_id(&self) -> Option<i32> {
        match self {
            Actor::User(id) => Some(*id),
            _ => None,
        }
    }

    pub fn token_id(&self) -> Option<i32> {
        match self {
            Actor::Token(id) => Some(*id),
            _ => None,
        }
    }
}

/// An audit event as a command states it. `detail` is structured and holds
/// no personal values: field names, ids, codes and counts only.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub action: AuditAction,
    pub entity: AuditEntity,
    pub entity_id: Option<i32>,
    pub detail: serde_json::Value,
}

/// Caches that a committed change makes stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cache {
    /// The business list's totals and pages. Also dropped by every change
    /// that rebuilds a business's search document, which each change to a
    /// business does.
    BusinessList,
    /// The list of consultants (users).
    Consultants,
    /// The live key figures (contacts, needs, placements changed).
    Figures,
    /// Signed-in sessions and their users (a session ended, a user
    /// disabled or changed).
    Sessions,
}

impl Cache {
    pub const ALL: [Cache; 4] = [
        Cache::BusinessList,
        Cache::Consultants,
        Cache::Figures,
        Cache::Sessions,
    ];

    /// Its name in the notifications other instances listen to.
    pub fn as_str(self) -> &'static str {
        match self {
            Cache::BusinessList => "business_list",
            Cache::Consultants => "consultants",
            Cache::Figures => "figures",
            Cache::Sessions => "sessions",
        }
    }

    pub fn parse(s: &str) -> Option<Cache> {
        Cache::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// The PostgreSQL channel on which a commit tells the other instances which
/// of their caches it made stale (`NOTIFY` is delivered on commit).
pub const CACHE_CHANNEL: &str = "erhverv_caches";

/// What to do once the transaction is committed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Effects {
    pub search: bool,
    pub mail: bool,
    pub caches: Vec<Cache>,
}

impl Effects {
    pub fn merge(&mut self, other: Effects) {
        self.search |= other.search;
        self.mail |= other.mail;
        for c in other.caches {
            if !self.caches.contains(&c) {
                self.caches.push(c);
            }
        }
    }
}

pub struct UnitOfWork<'t> {
    tx: &'t DatabaseTransaction,
    actor: Actor,
    now: DateTime<Utc>,
    /// The mail domain, for Message-IDs of queued emails.
    mail_domain: &'t str,
    audit: Vec<AuditEvent>,
    sync: Vec<(DocKind, i32, SyncOp)>,
    effects: Effects,
}

impl<'t> UnitOfWork<'t> {
    pub fn new(
        tx: &'t DatabaseTransaction,
        actor: Actor,
        now: DateTime<Utc>,
        mail_domain: &'t str,
    ) -> Self {
        UnitOfWork {
            tx,
            actor,
            now,
            mail_domain,
            audit: Vec::new(),
            sync: Vec::new(),
            effects: Effects::default(),
        }
    }

    /// The transaction the command's statements run in.
    pub fn tx(&self) -> &'t DatabaseTransaction {
        self.tx
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The moment of this change (one per unit of work, from the clock).
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// The Copenhagen date of this change.
    pub fn today(&self) -> chrono::NaiveDate {
        super::clock::local_date(self.now)
    }

    pub fn audit(
        &mut self,
        action: AuditAction,
        entity: AuditEntity,
        entity_id: Option<i32>,
        detail: serde_json::Value,
    ) {
        self.audit.push(AuditEvent {
            action,
            entity,
            entity_id,
            detail,
        });
    }

    /// The record's search document is to be rebuilt.
    pub fn reindex(&mut self, kind: DocKind, id: i32) {
        self.sync.push((kind, id, SyncOp::Upsert));
    }

    /// The record's search document is to be removed.
    pub fn unindex(&mut self, kind: DocKind, id: i32) {
        self.sync.push((kind, id, SyncOp::Delete));
    }

    pub fn invalidate(&mut self, cache: Cache) {
        if !self.effects.caches.contains(&cache) {
            self.effects.caches.push(cache);
        }
    }

    /// Queues an email in the outbox, in this transaction; the mailer is
    /// woken after the commit. False when its idempotency key was queued
    /// before (nothing new written).
    pub async fn email(&mut self, email: crate::email::outbox::NewEmail) -> Result<bool, DbErr> {
        let queued = crate::email::outbox::enqueue(self.tx, email, self.mail_domain).await?;
        self.effects.mail |= queued;
        Ok(queued)
    }

    /// The outbox has rows to look at again (a retry), though none was
    /// queued through [`UnitOfWork::email`].
    pub fn wake_mailer(&mut self) {
        self.effects.mail = true;
    }

    /// Writes what was collected into the transaction; the caller commits.
    pub(crate) async fn flush(mut self) -> Result<Effects, DbErr> {
        if !self.audit.is_empty() {
            let user_id = self.actor.user_id();
            let api_token_id = self.actor.token_id();
            let at = self.now;
            audit_event::Entity::insert_many(self.audit.drain(..).map(|e| {
                audit_event::ActiveModel {
                    at: Set(at),
                    user_id: Set(user_id),
                    action: Set(e.action.as_str().to_string()),
                    entity: Set(e.entity.as_str().to_string()),
                    entity_id: Set(e.entity_id),
                    detail: Set((!e.detail.is_null()).then(|| e.detail.to_string())),
                    api_token_id: Set(api_token_id),
                    ..Default::default()
                }
            }))
            .exec_without_returning(self.tx)
            .await?;
        }
        // The last operation per document wins (as the worker applies
        // them); one entry each.
        let mut last: Vec<(DocKind, i32, SyncOp)> = Vec::new();
        for (kind, id, op) in self.sync.drain(..) {
            last.retain(|(k, i, _)| !(*k == kind && *i == id));
            last.push((kind, id, op));
        }
        for kind in DocKind::ALL {
            for op in [SyncOp::Upsert, SyncOp::Delete] {
                let ids: Vec<i32> = last
                    .iter()
                    .filter(|(k, _, o)| *k == kind && *o == op)
                    .map(|(_, id, _)| *id)
                    .collect();
                if !ids.is_empty() {
                    crate::search::sync::enqueue(self.tx, kind, &ids, op).await?;
                    self.effects.search = true;
                    if kind == DocKind::Business {
                        self.invalidate(Cache::BusinessList);
                    }
                }
            }
        }
        if !self.effects.caches.is_empty()
            && self.tx.get_database_backend() == sea_orm::DbBackend::Postgres
        {
            let names: Vec<&str> = self.effects.caches.iter().map(|c| c.as_str()).collect();
            self.tx
                .execute_raw(sea_orm::Statement::from_sql_and_values(
                    sea_orm::DbBackend::Postgres,
                    "SELECT pg_notify($1, $2)",
                    [CACHE_CHANNEL.into(), names.join(",").into()],
                ))
                .await?;
        }
        Ok(self.effects)
    }
}
