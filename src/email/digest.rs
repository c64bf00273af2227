//! Every weekday morning each consultant gets one email listing their due
//! and overdue follow-ups — none when there is nothing. The idempotency key
//! (`digest:{user}:{date}`) makes it once a day however many instances run.
use std::sync::Arc;
use std::time::Duration;

use chrono::{Datelike, NaiveDate, Timelike, Utc, Weekday};
use chrono_tz::Europe::Copenhagen;
use entity::{app_user, business, contact};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use tera::Context;

use super::{Mailer, outbox};
use crate::domain::Role;

#[derive(Serialize)]
struct Item {
    business_id: i32,
    business: String,
    subject: String,
    due: String,
    overdue: bool,
}

/// Queues today's digests; returns how many were newly queued.
#[derive(Serialize)]
struct NeedItem {
    id: i32,
    reference: String,
    company: String,
    job: String,
    due: String,
}

/// The consultant's assigned recruitment needs whose service promise is
/// broken (first contact or answer past its working-day deadline).
async fn overdue_needs(
    db: &DatabaseConnection,
    user_id: i32,
    today: NaiveDate,
    first: u32,
    answer: u32,
) -> anyhow::Result<Vec<NeedItem>> {
    let needs = entity::recruitment_need::Entity::find()
        .filter(entity::recruitment_need::Column::AssignedTo.eq(user_id))
        .filter(entity::recruitment_need::Column::Status.is_in(["new", "in_progress"]))
        .all(db)
        .await?;
    Ok(needs
        .into_iter()
        .filter_map(|n| {
            let received = n.created_at.with_timezone(&Copenhagen).date_naive();
            let (_, due) = crate::recruitment::deadline(&n.status, received, first, answer)?;
            (due < today).then(|| NeedItem {
                id: n.id,
                reference: n.reference,
                company: n.company_name,
                job: format!("{} × {}", n.positions, n.job_title),
                due: crate::app::clock::format_date(due),
            })
        })
        .collect())
}

#[derive(Serialize)]
struct PlacementItem {
    id: i32,
    business: String,
    kind: &'static str,
    end: String,
    /// Past its planned end and still open.
    past: bool,
}

/// The consultant's open placements ending within 14 days or past their
/// planned end. No case reference: the email says where to look, not who.
async fn placements_due(
    db: &DatabaseConnection,
    user_id: i32,
    today: NaiveDate,
) -> anyhow::Result<Vec<PlacementItem>> {
    use crate::domain::{Lang, PlacementKind, PlacementStatus};
    use entity::placement;
    let rows = placement::Entity::find()
        .filter(placement::Column::ConsultantId.eq(user_id))
        .filter(placement::Column::Status.is_in([
            PlacementStatus::Planned.as_str(),
            PlacementStatus::Active.as_str(),
        ]))
        .filter(placement::Column::PlannedEnd.lte(today + chrono::Duration::days(14)))
        .order_by_asc(placement::Column::PlannedEnd)
        .find_also_related(business::Entity)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(p, b)| {
            let end = p.planned_end?;
            Some(PlacementItem {
                id: p.id,
                business: b.map(|b| b.name).unwrap_or_default(),
                kind: PlacementKind::parse(&p.kind).map_or("", |k| k.label(Lang::Da)),
                end: crate::app::clock::format_date(end),
                past: end < today,
            })
        })
        .collect())
}

#[derive(Serialize)]
struct InitiativeItem {
    id: i32,
    title: String,
    last: String,
}

/// The user's initiatives whose status update is due by the end of
/// `today` (past their update interval, not finished).
async fn stale_initiatives(
    db: &DatabaseConnection,
    user_id: i32,
    today: NaiveDate,
) -> anyhow::Result<Vec<InitiativeItem>> {
    use chrono::TimeZone;
    let end_of_day = today
        .and_hms_opt(23, 59, 59)
        .and_then(|t| Copenhagen.from_local_datetime(&t).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default();
    let mine = entity::initiative::Entity::find()
        .filter(entity::initiative::Column::OwnerId.eq(user_id))
        .order_by_asc(entity::initiative::Column::Title)
        .all(db)
        .await?;
    Ok(mine
        .into_iter()
        .filter(|i| crate::initiatives::queries::is_stale(i, end_of_day))
        .map(|i| InitiativeItem {
            id: i.id,
            last: i
                .last_update_at
                .map(crate::app::clock::format_local)
                .unwrap_or_else(|| "–".into()),
            title: i.title,
        })
        .collect())
}

pub async fn enqueue_digests(
    db: &DatabaseConnection,
    mailer: &Mailer,
    today: NaiveDate,
) -> anyhow::Result<usize> {
    let consultants = app_user::Entity::find()
        .filter(app_user::Column::Disabled.eq(false))
        .filter(app_user::Column::Role.is_in([Role::Consultant.as_str(), Role::Admin.as_str()]))
        .filter(app_user::Column::Email.is_not_null())
        .all(db)
        .await?;
    let mut emails = Vec::new();
    for user in consultants {
        let Some(email) = user.email.clone() else {
            continue;
        };
        let due = contact::Entity::find()
            .filter(contact::Column::UserId.eq(user.id))
            .filter(contact::Column::FollowUpDone.eq(false))
            .filter(contact::Column::FollowUpOn.lte(today))
            .order_by_asc(contact::Column::FollowUpOn)
            .find_also_related(business::Entity)
            .all(db)
            .await?;
        let needs = overdue_needs(
            db,
            user.id,
            today,
            mailer.need_first_contact_days,
            mailer.need_answer_days,
        )
        .await?;
        let placements = placements_due(db, user.id, today).await?;
        let initiatives = stale_initiatives(db, user.id, today).await?;
        if due.is_empty() && needs.is_empty() && placements.is_empty() && initiatives.is_empty() {
            continue;
        }
        let items: Vec<Item> = due
            .iter()
            .filter_map(|(c, b)| {
                let d = c.follow_up_on?;
                Some(Item {
                    business_id: c.business_id,
                    business: b.as_ref().map(|b| b.name.clone()).unwrap_or_default(),
                    subject: c.subject.clone(),
                    due: crate::app::clock::format_date(d),
                    overdue: d < today,
                })
            })
            .collect();
        let mut ctx = Context::new();
        ctx.insert("lang", "da");
        ctx.insert("consultant_name", &user.display_name);
        ctx.insert("count", &items.len());
        ctx.insert("overdue", &items.iter().filter(|i| i.overdue).count());
        ctx.insert("items", &items);
        ctx.insert("needs", &needs);
        ctx.insert("placements", &placements);
        ctx.insert("initiatives", &initiatives);
        ctx.insert("app_url", &mailer.app_url);
        let r = mailer.templates.render("digest", &ctx)?;
        let new = outbox::NewEmail {
            recipient: email,
            template: "digest".into(),
            lang: "da".into(),
            subject: r.subject,
            body_text: r.text,
            body_html: r.html,
            idempotency_key: format!("digest:{}:{today}", user.id),
            case_related: true,
            business_id: None,
            created_by: None,
            send_at: Utc::now(),
        };
        emails.push(new);
    }
    // All of the day's digests in one transaction, with their audit entry.
    let app = crate::app::App::new(
        db.clone(),
        crate::app::Clock::system(),
        &mailer.domain,
        Default::default(),
    )?;
    let queued = app
        .run(
            crate::app::Actor::System,
            super::commands::QueueDigests { emails },
        )
        .await?;
    if queued > 0 {
        mailer.changed();
        tracing::info!(digests = queued, "morning digests queued");
    }
    Ok(queued)
}

/// Whether the digest is due at this local time: a weekday, from `hour`.
pub fn is_digest_time(local: chrono::DateTime<chrono_tz::Tz>, hour: u32) -> bool {
    !matches!(local.weekday(), Weekday::Sat | Weekday::Sun) && local.hour() >= hour
}

pub fn spawn_scheduler(
    mailer: Arc<Mailer>,
    db: DatabaseConnection,
    hour: u32,
    clock: crate::app::Clock,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut done_for: Option<NaiveDate> = None;
        loop {
            let local = clock.local_now();
            let today = local.date_naive();
            if done_for != Some(today) && is_digest_time(local, hour) {
                match enqueue_digests(&db, &mailer, today).await {
                    Ok(_) => done_for = Some(today),
                    Err(e) => tracing::error!(error = format!("{e:#}"), "queuing digests failed"),
                }
            }
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn digests_go_on_weekday_mornings_only() {
        let at = |d: u32, h: u32| {
            Copenhagen
                .with_ymd_and_hms(2026, 11, d, h, 5, 0)
                .single()
                .expect("valid")
        };
        assert!(is_digest_time(at(27, 7), 7), "Friday 07:05");
        assert!(!is_digest_time(at(27, 6), 7), "Friday 06:05");
        assert!(!is_digest_time(at(28, 9), 7), "Saturday");
        assert!(!is_digest_time(at(29, 9), 7), "Sunday");
        assert!(is_digest_time(at(30, 12), 7), "Monday noon");
        // Across the changes to and from summer time: 07:05 on the wall
        // clock, whatever the offset (the clock gives Copenhagen time).
        let c = crate::app::Clock::fixed(
            chrono::DateTime::parse_from_rfc3339("2026-03-30T05:05:00Z")
                .expect("t")
                .with_timezone(&Utc),
        );
        assert!(
            is_digest_time(c.local_now(), 7),
            "Monday after spring forward, 07:05 CEST"
        );
        c.set(
            chrono::DateTime::parse_from_rfc3339("2026-03-30T04:55:00Z")
                .expect("t")
                .with_timezone(&Utc),
        );
        assert!(!is_digest_time(c.local_now(), 7), "06:55 CEST");
        c.set(
            chrono::DateTime::parse_from_rfc3339("2026-10-26T06:05:00Z")
                .expect("t")
                .with_timezone(&Utc),
        );
        assert!(
            is_digest_time(c.local_now(), 7),
            "Monday after fall back, 07:05 CET"
        );
        c.set(
            chrono::DateTime::parse_from_rfc3339("2026-10-26T05:55:00Z")
                .expect("t")
                .with_timezone(&Utc),
        );
        assert!(!is_digest_time(c.local_now(), 7), "06:55 CET");
    }
}
