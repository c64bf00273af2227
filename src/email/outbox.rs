//! The outbox table: enqueue (inside the caller's transaction), claim due
//! rows, record the outcome of a delivery attempt.
use chrono::{DateTime, Duration, Utc};
use entity::outbox_email;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
};
use serde::Serialize;

/// Where an email in the outbox is, stored as a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Waiting for its time (or for the worker).
    Pending,
    /// An attempt failed; another is due at `next_attempt_at`.
    Failed,
    Sent,
    /// Given up (refused for good, or out of attempts); an admin can retry.
    Dead,
    /// Cancelled by a consultant before it went.
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Pending,
        Status::Failed,
        Status::Sent,
        Status::Dead,
        Status::Cancelled,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Failed => "failed",
            Status::Sent => "sent",
            Status::Dead => "dead",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn parse(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == code)
    }
}

pub const PENDING: &str = Status::Pending.as_str();
pub const FAILED: &str = Status::Failed.as_str();
pub const SENT: &str = Status::Sent.as_str();
pub const DEAD: &str = Status::Dead.as_str();
pub const CANCELLED: &str = Status::Cancelled.as_str();

/// A rendered email, ready to queue.
#[derive(Debug, Clone)]
pub struct NewEmail {
    pub recipient: String,
    pub template: String,
    pub lang: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub idempotency_key: String,
    pub case_related: bool,
    pub business_id: Option<i32>,
    pub created_by: Option<i32>,
    /// When to send it (now for immediate mail).
    pub send_at: DateTime<Utc>,
}

/// Queues an email in the caller's transaction. Returns false when an email
/// with the same idempotency key was already queued (nothing is added).
pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    email: NewEmail,
    mail_domain: &str,
) -> Result<bool, DbErr> {
    let now = Utc::now();
    // The Message-ID is derived from the idempotency key, so it is stable
    // for the row across retries and known before the insert.
    let message_id = format!(
        "<{}@{mail_domain}>",
        message_local_part(&email.idempotency_key)
    );
    let res = outbox_email::Entity::insert(outbox_email::ActiveModel {
        recipient: Set(email.recipient),
        template: Set(email.template),
        lang: Set(email.lang),
        subject: Set(email.subject),
        body_text: Set(email.body_text),
        body_html: Set(email.body_html),
        status: Set(PENDING.into()),
        attempts: Set(0),
        next_attempt_at: Set(email.send_at),
        last_error: Set(None),
        idempotency_key: Set(email.idempotency_key),
        message_id: Set(message_id),
        case_related: Set(email.case_related),
        business_id: Set(email.business_id),
        created_by: Set(email.created_by),
        claimed_until: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        ..Default::default()
    })
    .on_conflict(crate::db::keep_existing(
        outbox_email::Column::IdempotencyKey,
    ))
    .exec_without_returning(db)
    .await?;
    Ok(res > 0)
}

/// A Message-ID local part from the key: letters, digits, dots and dashes,
/// plus a hash so distinct keys never collide after the character filter.
fn message_local_part(key: &str) -> String {
    let clean: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '.'
            }
        })
        .take(64)
        .collect();
    // FNV-1a: stable across builds and platforms.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{clean}.{h:016x}")
}

/// Claims up to `n` due rows for `lease`. On PostgreSQL the rows are
/// selected `FOR UPDATE SKIP LOCKED`, so several instances never claim the
/// same row; on SQLite the single writer gives the same guarantee.
pub async fn claim_due(
    db: &DatabaseConnection,
    n: u64,
    lease: Duration,
) -> Result<Vec<outbox_email::Model>, DbErr> {
    let now = Utc::now();
    let until = now + lease;
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "UPDATE outbox_email SET claimed_until = $1 WHERE id IN (\
               SELECT id FROM outbox_email \
               WHERE status IN ('pending', 'failed') AND next_attempt_at <= $2 \
                 AND (claimed_until IS NULL OR claimed_until < $2) \
               ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) \
             RETURNING *"
        }
        _ => {
            "UPDATE outbox_email SET claimed_until = ? WHERE id IN (\
               SELECT id FROM outbox_email \
               WHERE status IN ('pending', 'failed') AND next_attempt_at <= ? \
                 AND (claimed_until IS NULL OR claimed_until < ?) \
               ORDER BY next_attempt_at, id LIMIT ?) \
             RETURNING *"
        }
    };
    let values: Vec<sea_orm::Value> = match backend {
        DbBackend::Postgres => vec![until.into(), now.into(), (n as i64).into()],
        _ => vec![until.into(), now.into(), now.into(), (n as i64).into()],
    };
    // Through the writers' queue (see `db::begin_write`).
    let tx = crate::db::begin_write(db).await?;
    let mut rows = outbox_email::Entity::find()
        .from_raw_sql(Statement::from_sql_and_values(backend, sql, values))
        .all(&tx)
        .await?;
    tx.commit().await?;
    rows.sort_by_key(|r| (r.next_attempt_at, r.id));
    Ok(rows)
}

/// Marks claimed rows sent (one statement for a whole batch), in the
/// caller's transaction.
pub async fn mark_sent<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    outbox_email::Entity::update_many()
        .col_expr(outbox_email::Column::Status, SENT.into())
        .col_expr(outbox_email::Column::SentAt, now.into())
        .col_expr(
            outbox_email::Column::ClaimedUntil,
            Option::<DateTime<Utc>>::None.into(),
        )
        .col_expr(
            outbox_email::Column::LastError,
            Option::<String>::None.into(),
        )
        .col_expr(
            outbox_email::Column::Attempts,
            sea_orm::sea_query::Expr::col(outbox_email::Column::Attempts).add(1),
        )
        .filter(outbox_email::Column::Id.is_in(ids.to_vec()))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a failed attempt: `failed` with the next attempt at `retry_at`,
/// or `dead` when `retry_at` is None. `count` is false for failures that
/// never reached a mail server (they don't use up the attempt budget).
pub async fn mark_failed<C: ConnectionTrait>(
    db: &C,
    id: i64,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
    count: bool,
) -> Result<(), DbErr> {
    let status = if retry_at.is_some() { FAILED } else { DEAD };
    let mut q = outbox_email::Entity::update_many()
        .col_expr(outbox_email::Column::Status, status.into())
        .col_expr(
            outbox_email::Column::LastError,
            Some(error.chars().take(1000).collect::<String>()).into(),
        )
        .col_expr(
            outbox_email::Column::ClaimedUntil,
            Option::<DateTime<Utc>>::None.into(),
        );
    if let Some(at) = retry_at {
        q = q.col_expr(outbox_email::Column::NextAttemptAt, at.into());
    }
    if count {
        q = q.col_expr(
            outbox_email::Column::Attempts,
            sea_orm::sea_query::Expr::col(outbox_email::Column::Attempts).add(1),
        );
    }
    q.filter(outbox_email::Column::Id.eq(id)).exec(db).await?;
    Ok(())
}

/// Puts a failed or dead email back in the queue, due now.
pub async fn retry<C: ConnectionTrait>(db: &C, id: i64, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let res = outbox_email::Entity::update_many()
        .col_expr(outbox_email::Column::Status, PENDING.into())
        .col_expr(outbox_email::Column::NextAttemptAt, now.into())
        .col_expr(
            outbox_email::Column::ClaimedUntil,
            Option::<DateTime<Utc>>::None.into(),
        )
        .filter(outbox_email::Column::Id.eq(id))
        .filter(outbox_email::Column::Status.is_in([FAILED, DEAD]))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Cancels a scheduled email that hasn't gone yet.
pub async fn cancel<C: ConnectionTrait>(
    db: &C,
    id: i64,
    business_id: i32,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = outbox_email::Entity::update_many()
        .col_expr(outbox_email::Column::Status, CANCELLED.into())
        .filter(outbox_email::Column::Id.eq(id))
        .filter(outbox_email::Column::BusinessId.eq(business_id))
        .filter(outbox_email::Column::Status.eq(PENDING))
        .filter(
            sea_orm::Condition::any()
                .add(outbox_email::Column::ClaimedUntil.is_null())
                .add(outbox_email::Column::ClaimedUntil.lt(now)),
        )
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct Counts {
    pub pending: u64,
    pub failed: u64,
    pub sent: u64,
    pub dead: u64,
    pub cancelled: u64,
}

pub async fn counts(db: &DatabaseConnection) -> Result<Counts, DbErr> {
    let rows: Vec<(String, i64)> = outbox_email::Entity::find()
        .select_only()
        .column(outbox_email::Column::Status)
        .column_as(outbox_email::Column::Id.count(), "n")
        .group_by(outbox_email::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let mut c = Counts::default();
    for (status, n) in rows {
        let n = n as u64;
        match status.as_str() {
            PENDING => c.pending = n,
            FAILED => c.failed = n,
            SENT => c.sent = n,
            DEAD => c.dead = n,
            CANCELLED => c.cancelled = n,
            _ => {}
        }
    }
    Ok(c)
}

/// Emails that need an admin's eye: not yet sent, or given up.
pub async fn problems(db: &DatabaseConnection) -> Result<Vec<outbox_email::Model>, DbErr> {
    outbox_email::Entity::find()
        .filter(outbox_email::Column::Status.is_in([PENDING, FAILED, DEAD]))
        .order_by_desc(outbox_email::Column::Id)
        .limit(300)
        .all(db)
        .await
}

pub async fn for_business(
    db: &DatabaseConnection,
    business_id: i32,
) -> Result<Vec<outbox_email::Model>, DbErr> {
    outbox_email::Entity::find()
        .filter(outbox_email::Column::BusinessId.eq(business_id))
        .order_by_desc(outbox_email::Column::NextAttemptAt)
        .limit(100)
        .all(db)
        .await
}

pub async fn pending_count(db: &DatabaseConnection) -> Result<u64, DbErr> {
    outbox_email::Entity::find()
        .filter(outbox_email::Column::Status.is_in([PENDING, FAILED]))
        .count(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::message_local_part;

    #[test]
    fn message_ids_are_stable_and_distinct() {
        assert_eq!(
            message_local_part("followup:1:abc"),
            message_local_part("followup:1:abc")
        );
        assert_ne!(message_local_part("a/b"), message_local_part("a.b"));
        assert!(
            message_local_part("digest:7:2026-11-27")
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        );
    }
}
