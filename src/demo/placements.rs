//! Demo placements: about 1,500 open ones across the kinds, with realistic
//! durations, some small workplaces at their limit under the
//! proportionality rule, and a history of ended ones. The citizen is a
//! made-up case reference. Deterministic for a seed.
use chrono::{Duration, Months, Utc};
use entity::{business, p_unit, placement};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, ExprTrait},
};

use crate::db;
use crate::domain::{EndReason, PlacementKind, PlacementStatus, TargetGroup};

/// At most this many open placements, whatever the number of businesses.
const MAX_OPEN: usize = 1_500;

pub async fn seed(
    db: &DatabaseConnection,
    seed: u64,
    business_ids: &[i32],
    consultant_ids: &[i32],
) -> anyhow::Result<usize> {
    if business_ids.is_empty() || consultant_ids.is_empty() {
        return Ok(0);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x706c_6163_6521);
    let open = (business_ids.len() * 75 / 1000).clamp(1, MAX_OPEN);
    let closed = open / 3;
    // Businesses with employees, where placements happen.
    // (A range, not a list of ids: a million ids are more variables than
    // SQLite takes in one statement.)
    let (lo, hi) = (
        business_ids.iter().min().copied().unwrap_or(0),
        business_ids.iter().max().copied().unwrap_or(0),
    );
    let employers: Vec<business::Model> = business::Entity::find()
        .filter(business::Column::Id.between(lo, hi))
        .filter(business::Column::Employees.gte(2))
        .order_by_asc(business::Column::Id)
        .all(db)
        .await?;
    if employers.is_empty() {
        return Ok(0);
    }
    let today = crate::app::Clock::system().today();
    let now = Utc::now();
    let mut rows = Vec::with_capacity(open + closed);
    let mut at_limit: Vec<i32> = Vec::new();
    for n in 0..(open + closed) {
        let b = &employers[rng.random_range(0..employers.len())];
        let kind = match rng.random_range(0..100) {
            0..=54 => PlacementKind::Fleksjob,
            55..=69 => PlacementKind::WageSubsidyPrivate,
            70..=79 => PlacementKind::WageSubsidyPublic,
            _ => PlacementKind::WorkTrial,
        };
        let group = TargetGroup::ALL[rng.random_range(0..TargetGroup::ALL.len())];
        let is_open = n < open;
        // Open placements started up to two years ago (flex jobs) or
        // recently (time-limited ones), some start within the month; closed
        // ones started up to three years ago.
        let start = if is_open {
            match kind {
                PlacementKind::Fleksjob => today - Duration::days(rng.random_range(-20..730)),
                PlacementKind::WorkTrial => today - Duration::days(rng.random_range(-20..20)),
                _ => today - Duration::days(rng.random_range(-20..100)),
            }
        } else {
            today - Duration::days(rng.random_range(120..1100))
        };
        let planned_end = match kind {
            PlacementKind::Fleksjob => None,
            PlacementKind::WageSubsidyPrivate => start
                .checked_add_months(Months::new(rng.random_range(3..=6)))
                .and_then(|d| d.pred_opt()),
            PlacementKind::WageSubsidyPublic => start
                .checked_add_months(Months::new(rng.random_range(2..=4)))
                .and_then(|d| d.pred_opt()),
            PlacementKind::WorkTrial => {
                let max = match group {
                    TargetGroup::Dagpengemodtager | TargetGroup::Jobparat => 4,
                    _ => 13,
                };
                Some(start + Duration::days(rng.random_range(2..=max) * 7 - 1))
            }
        };
        let (status, ended_on, reason) = if is_open {
            match planned_end {
                // Over by now: most were closed on time, a few were not.
                Some(end) if end < today && rng.random_range(0..10) > 0 => {
                    (PlacementStatus::Completed, Some(end), None)
                }
                _ if start > today => (PlacementStatus::Planned, None, None),
                _ => (PlacementStatus::Active, None, None),
            }
        } else {
            match rng.random_range(0..10) {
                0..=5 => (
                    PlacementStatus::Completed,
                    planned_end.or(Some(start + Duration::days(400))),
                    None,
                ),
                6..=8 => {
                    let r = EndReason::ALL[rng.random_range(0..EndReason::ALL.len())];
                    (
                        PlacementStatus::EndedEarly,
                        Some(start + Duration::days(rng.random_range(10..60))),
                        Some(r),
                    )
                }
                _ => (PlacementStatus::Cancelled, None, None),
            }
        };
        if is_open && kind.counts_for_proportionality() && b.employees.is_some_and(|e| e <= 10) {
            at_limit.push(b.id);
        }
        let hours = match kind {
            PlacementKind::Fleksjob => {
                rng.random_range(8..=30) * 100 + [0, 50][rng.random_range(0..2)]
            }
            _ => 3700,
        };
        rows.push(placement::ActiveModel {
            business_id: Set(b.id),
            // Filled in below, once the workplaces chosen are known.
            p_unit_id: Set(None),
            kind: Set(kind.as_str().into()),
            case_ref: Set(Some(format!(
                "KBH-{}-{:05}",
                start.format("%Y"),
                10_000 + n
            ))),
            target_group: Set(group.as_str().into()),
            start_date: Set(start),
            planned_end: Set(planned_end),
            ended_on: Set(ended_on),
            hours_centi: Set(Some(hours)),
            status: Set(status.as_str().into()),
            end_reason: Set(reason.map(|r| r.as_str().into())),
            consultant_id: Set(consultant_ids[rng.random_range(0..consultant_ids.len())]),
            need_id: Set(None),
            notes: Set(None),
            override_reason: Set(None),
            check_in_queued: Set(!is_open || start < today - Duration::days(28)),
            anonymised_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
    }
    // Each placement at its business's first P-unit, if it has one.
    let mut chosen: Vec<i32> = rows
        .iter()
        .filter_map(|r| r.business_id.clone().take())
        .collect();
    chosen.sort_unstable();
    chosen.dedup();
    let mut first_unit: std::collections::HashMap<i32, i32> = std::collections::HashMap::new();
    for part in chosen.chunks(500) {
        for u in p_unit::Entity::find()
            .filter(p_unit::Column::BusinessId.is_in(part.to_vec()))
            .order_by_asc(p_unit::Column::Id)
            .all(db)
            .await?
        {
            first_unit.entry(u.business_id).or_insert(u.id);
        }
    }
    for r in &mut rows {
        if let Some(b) = r.business_id.clone().take() {
            r.p_unit_id = Set(first_unit.get(&b).copied());
        }
    }
    let count = rows.len();
    let tx = db::begin_write(db).await?;
    for chunk in rows.chunks(500) {
        placement::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&*tx)
            .await?;
    }
    // The small workplaces with time-limited placements know their head
    // count, so their capacity shows at (or near) the limit.
    at_limit.sort_unstable();
    at_limit.dedup();
    for part in at_limit.chunks(500) {
        p_unit::Entity::update_many()
            .col_expr(
                p_unit::Column::Employees,
                Expr::col(p_unit::Column::Employees).if_null(5),
            )
            .filter(p_unit::Column::BusinessId.is_in(part.to_vec()))
            .exec(&*tx)
            .await?;
    }
    tx.commit().await?;
    Ok(count)
}
