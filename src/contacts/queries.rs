use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{business, contact};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::domain::{ContactChannel, ContactOutcome};
use crate::{audit, db};

pub struct NewContact {
    pub business_id: i32,
    pub channel: ContactChannel,
    pub occurred_at: DateTime<Utc>,
    pub subject: String,
    pub notes: Option<String>,
    pub outcome: ContactOutcome,
    pub follow_up_on: Option<NaiveDate>,
}

/// Logs a contact with its audit event in one transaction. `None` when the
/// business does not exist.
pub async fn create(
    db: &DatabaseConnection,
    c: NewContact,
    user_id: i32,
) -> Result<Option<i32>, DbErr> {
    let tx = db::begin_write(db).await?;
    if business::Entity::find_by_id(c.business_id)
        .one(&tx)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    let row = contact::ActiveModel {
        business_id: Set(c.business_id),
        user_id: Set(user_id),
        channel: Set(c.channel.as_str().into()),
        occurred_at: Set(c.occurred_at),
        subject: Set(c.subject),
        notes: Set(c.notes),
        outcome: Set(c.outcome.as_str().into()),
        follow_up_on: Set(c.follow_up_on),
        follow_up_done: Set(false),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        Some(user_id),
        "create",
        "contact",
        Some(row.id),
        Some(format!("business {}", c.business_id)),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(row.id))
}

/// Open follow-ups of a user, earliest (most overdue) first.
pub async fn open_followups(
    db: &DatabaseConnection,
    user_id: i32,
) -> Result<Vec<(contact::Model, Option<business::Model>)>, DbErr> {
    contact::Entity::find()
        .filter(contact::Column::UserId.eq(user_id))
        .filter(contact::Column::FollowUpDone.eq(false))
        .filter(contact::Column::FollowUpOn.is_not_null())
        .order_by_asc(contact::Column::FollowUpOn)
        .order_by_asc(contact::Column::Id)
        .limit(500)
        .find_also_related(business::Entity)
        .all(db)
        .await
}

pub async fn mark_done(db: &DatabaseConnection, id: i32, user_id: i32) -> Result<bool, DbErr> {
    let tx = db::begin_write(db).await?;
    let res = contact::Entity::update_many()
        .col_expr(
            contact::Column::FollowUpDone,
            sea_orm::sea_query::Expr::value(true),
        )
        .filter(contact::Column::Id.eq(id))
        .filter(contact::Column::UserId.eq(user_id))
        .exec(&tx)
        .await?;
    if res.rows_affected == 1 {
        audit::record(
            &tx,
            Some(user_id),
            "follow_up_done",
            "contact",
            Some(id),
            None,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(res.rows_affected == 1)
}

pub const MINE_PAGE: u64 = 50;

pub async fn mine(
    db: &DatabaseConnection,
    user_id: i32,
    page: u64,
) -> Result<(Vec<(contact::Model, Option<business::Model>)>, u64), DbErr> {
    let q = contact::Entity::find().filter(contact::Column::UserId.eq(user_id));
    let total = q.clone().count(db).await?;
    let rows = q
        .order_by_desc(contact::Column::OccurredAt)
        .order_by_desc(contact::Column::Id)
        .offset((page - 1) * MINE_PAGE)
        .limit(MINE_PAGE)
        .find_also_related(business::Entity)
        .all(db)
        .await?;
    Ok((rows, total))
}

/// Contacts in the last 30 days (all staff) and the user's due follow-ups.
pub async fn overview_counts(db: &DatabaseConnection, user_id: i32) -> Result<(u64, u64), DbErr> {
    let since = Utc::now() - Duration::days(30);
    let recent = contact::Entity::find()
        .filter(contact::Column::OccurredAt.gte(since))
        .count(db)
        .await?;
    let today = crate::contacts::handlers::today();
    let due = contact::Entity::find()
        .filter(contact::Column::UserId.eq(user_id))
        .filter(contact::Column::FollowUpDone.eq(false))
        .filter(contact::Column::FollowUpOn.lte(today))
        .count(db)
        .await?;
    Ok((recent, due))
}
