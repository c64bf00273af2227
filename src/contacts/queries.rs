use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{business, contact};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::domain::{ContactChannel, ContactOutcome};

pub struct NewContact {
    pub business_id: i32,
    pub channel: ContactChannel,
    pub occurred_at: DateTime<Utc>,
    pub subject: String,
    pub notes: Option<String>,
    pub outcome: ContactOutcome,
    pub follow_up_on: Option<NaiveDate>,
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
