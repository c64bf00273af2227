//! Retention: placements that ended more than N years ago keep their
//! counts (kind, dates, workplace) but lose everything about the citizen —
//! the case reference, the notes and any override reason.
use chrono::{Months, NaiveDate};
use entity::placement;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::json;

use crate::app::{Command, Result, UnitOfWork};
use crate::domain::{AuditAction, AuditEntity, PlacementStatus};

/// The last day of an ended placement counts: ended_on, else its planned
/// end, else its start.
fn closed() -> [&'static str; 3] {
    [
        PlacementStatus::EndedEarly.as_str(),
        PlacementStatus::Completed.as_str(),
        PlacementStatus::Cancelled.as_str(),
    ]
}

/// The day before which an ended placement is due for anonymisation.
pub fn cutoff(today: NaiveDate, years: u32) -> NaiveDate {
    today
        .checked_sub_months(Months::new(years.saturating_mul(12)))
        .unwrap_or(NaiveDate::MIN)
}

/// The ids of the closed, not yet anonymised placements whose last day was
/// before `cutoff`.
pub async fn due<C: ConnectionTrait>(
    db: &C,
    cutoff: NaiveDate,
) -> std::result::Result<Vec<i32>, DbErr> {
    let rows = placement::Entity::find()
        .filter(placement::Column::Status.is_in(closed()))
        .filter(placement::Column::AnonymisedAt.is_null())
        .filter(placement::Column::StartDate.lt(cutoff))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|p| p.ended_on.or(p.planned_end).unwrap_or(p.start_date) < cutoff)
        .map(|p| p.id)
        .collect())
}

/// Anonymises the placements due (see [`due`]); returns their number.
pub struct AnonymisePlacements {
    pub cutoff: NaiveDate,
}

#[async_trait::async_trait]
impl Command for AnonymisePlacements {
    type Output = usize;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<usize> {
        let ids = due(uow.tx(), self.cutoff).await?;
        for part in ids.chunks(500) {
            placement::Entity::update_many()
                .col_expr(
                    placement::Column::CaseRef,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(
                    placement::Column::Notes,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(
                    placement::Column::OverrideReason,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(
                    placement::Column::AnonymisedAt,
                    Expr::value(Some(uow.now())),
                )
                .filter(placement::Column::Id.is_in(part.to_vec()))
                .exec(uow.tx())
                .await?;
        }
        if !ids.is_empty() {
            uow.audit(
                AuditAction::Anonymise,
                AuditEntity::Placement,
                None,
                json!({ "count": ids.len(), "ended_before": self.cutoff.to_string(), "ids": ids }),
            );
        }
        Ok(ids.len())
    }
}
