//! The placement rules, as data: maximum durations by kind and target
//! group, and the proportionality rule (rimelighedskravet) per workplace.
//! The version in force on a placement's start date applies.
use chrono::{Days, Months, NaiveDate};
use entity::{business, p_unit, placement, placement_rule};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use crate::domain::{PlacementKind, PlacementStatus, RuleBreach, TargetGroup};

/// The version of the rules in force on `day`.
pub async fn in_force<C: ConnectionTrait>(
    db: &C,
    day: NaiveDate,
) -> Result<Option<placement_rule::Model>, DbErr> {
    placement_rule::Entity::find()
        .filter(placement_rule::Column::ValidFrom.lte(day))
        .order_by_desc(placement_rule::Column::ValidFrom)
        .order_by_desc(placement_rule::Column::Id)
        .one(db)
        .await
}

/// How long a placement of this kind may last: (amount, in weeks), or
/// None for no limit (fleksjob).
pub fn max_duration(
    r: &placement_rule::Model,
    kind: PlacementKind,
    group: TargetGroup,
) -> Option<(i32, bool)> {
    match kind {
        PlacementKind::Fleksjob => None,
        PlacementKind::WageSubsidyPrivate => Some((r.wage_subsidy_private_months, false)),
        PlacementKind::WageSubsidyPublic => Some((r.wage_subsidy_public_months, false)),
        PlacementKind::WorkTrial => match group {
            TargetGroup::Dagpengemodtager | TargetGroup::Jobparat => {
                Some((r.trial_weeks_short, true))
            }
            _ => Some((r.trial_weeks_long, true)),
        },
    }
}

/// The last day a placement starting on `start` may run.
fn last_allowed_day(start: NaiveDate, max: i32, weeks: bool) -> Option<NaiveDate> {
    let max = u32::try_from(max).ok()?;
    let after = if weeks {
        start.checked_add_days(Days::new(u64::from(max) * 7))?
    } else {
        start.checked_add_months(Months::new(max))?
    };
    after.pred_opt()
}

/// The duration rule: a planned end after the last allowed day breaks it.
pub fn check_duration(
    r: &placement_rule::Model,
    kind: PlacementKind,
    group: TargetGroup,
    start: NaiveDate,
    end: Option<NaiveDate>,
) -> Option<RuleBreach> {
    let (max, weeks) = max_duration(r, kind, group)?;
    let end = end?;
    let last = last_allowed_day(start, max, weeks)?;
    (end > last).then(|| RuleBreach::TooLong {
        kind,
        max,
        weeks,
        planned_days: (end - start).num_days() + 1,
        source: r.source.clone(),
    })
}

/// How many people a workplace with `ordinary` ordinary employees may have
/// in løntilskud and virksomhedspraktik together: one per
/// `per_ordinary_up_to` up to `threshold` employees (always at least one),
/// plus one per `per_ordinary_beyond` beyond it.
pub fn allowed(r: &placement_rule::Model, ordinary: i32) -> i32 {
    let ordinary = ordinary.max(0);
    let up_to = ordinary.min(r.threshold) / r.per_ordinary_up_to.max(1);
    let beyond = (ordinary - r.threshold).max(0) / r.per_ordinary_beyond.max(1);
    up_to.max(1) + beyond
}

/// A workplace: a P-unit, or the business itself for placements without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workplace {
    PUnit(i32),
    Business(i32),
}

/// The ordinary employees of a workplace: the P-unit's count, else the
/// business's; None when neither is known.
pub async fn ordinary_employees<C: ConnectionTrait>(
    db: &C,
    business_id: i32,
    p_unit_id: Option<i32>,
) -> Result<Option<i32>, DbErr> {
    if let Some(pid) = p_unit_id
        && let Some(n) = p_unit::Entity::find_by_id(pid)
            .one(db)
            .await?
            .and_then(|p| p.employees)
    {
        return Ok(Some(n));
    }
    Ok(business::Entity::find_by_id(business_id)
        .one(db)
        .await?
        .and_then(|b| b.employees))
}

/// Open placements that count for the proportionality rule at `place`
/// whose period overlaps [start, end] (an open end runs on), other than
/// `except`. An open placement past its planned end still takes its place
/// until someone closes it.
pub async fn placed_at<C: ConnectionTrait>(
    db: &C,
    place: Workplace,
    start: NaiveDate,
    end: Option<NaiveDate>,
    except: Option<i32>,
    today: NaiveDate,
) -> Result<i32, DbErr> {
    let mut q = placement::Entity::find()
        .filter(placement::Column::Status.is_in([
            PlacementStatus::Planned.as_str(),
            PlacementStatus::Active.as_str(),
        ]))
        .filter(
            placement::Column::Kind.is_in(
                PlacementKind::ALL
                    .iter()
                    .filter(|k| k.counts_for_proportionality())
                    .map(|k| k.as_str()),
            ),
        );
    q = match place {
        Workplace::PUnit(id) => q.filter(placement::Column::PUnitId.eq(id)),
        Workplace::Business(id) => q
            .filter(placement::Column::BusinessId.eq(id))
            .filter(placement::Column::PUnitId.is_null()),
    };
    if let Some(id) = except {
        q = q.filter(placement::Column::Id.ne(id));
    }
    let rows = q.all(db).await?;
    let overlaps = |p: &placement::Model| {
        let p_end = p.ended_on.or(p.planned_end).filter(|e| *e >= today);
        let starts_before_we_end = end.is_none_or(|e| p.start_date <= e);
        let ends_after_we_start = p_end.is_none_or(|pe| pe >= start);
        starts_before_we_end && ends_after_we_start
    };
    Ok(rows.iter().filter(|p| overlaps(p)).count() as i32)
}

/// The proportionality rule for one more placement at a workplace.
#[allow(clippy::too_many_arguments)]
pub async fn check_capacity<C: ConnectionTrait>(
    db: &C,
    r: &placement_rule::Model,
    kind: PlacementKind,
    business_id: i32,
    p_unit_id: Option<i32>,
    start: NaiveDate,
    end: Option<NaiveDate>,
    except: Option<i32>,
    today: NaiveDate,
) -> Result<Option<RuleBreach>, DbErr> {
    if !kind.counts_for_proportionality() {
        return Ok(None);
    }
    let Some(ordinary) = ordinary_employees(db, business_id, p_unit_id).await? else {
        return Ok(None);
    };
    let place = match p_unit_id {
        Some(id) => Workplace::PUnit(id),
        None => Workplace::Business(business_id),
    };
    let placed = placed_at(db, place, start, end, except, today).await? + 1;
    let allowed = allowed(r, ordinary);
    Ok((placed > allowed).then(|| RuleBreach::OverCapacity {
        ordinary,
        allowed,
        placed,
        source: r.source.clone(),
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn rules() -> placement_rule::Model {
        placement_rule::Model {
            id: 1,
            valid_from: NaiveDate::from_ymd_opt(2019, 1, 1).unwrap(),
            source: "LAB".into(),
            wage_subsidy_private_months: 6,
            wage_subsidy_public_months: 4,
            trial_weeks_short: 4,
            trial_weeks_long: 13,
            per_ordinary_up_to: 5,
            threshold: 50,
            per_ordinary_beyond: 10,
            created_by: None,
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn the_proportionality_rule_at_its_boundaries() {
        let r = rules();
        for (ordinary, want) in [
            (0, 1),
            (4, 1),
            (5, 1),
            (6, 1),
            (9, 1),
            (10, 2),
            (49, 9),
            (50, 10),
            (51, 10),
            (59, 10),
            (60, 11),
            (100, 15),
        ] {
            assert_eq!(allowed(&r, ordinary), want, "{ordinary} ordinary employees");
        }
    }

    #[test]
    fn each_duration_by_kind_employer_and_target_group() {
        let r = rules();
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let start = d(2026, 1, 15);
        use PlacementKind::*;
        use TargetGroup::*;
        for (kind, group, last_ok) in [
            (WageSubsidyPrivate, Jobparat, d(2026, 7, 14)),
            (WageSubsidyPublic, Jobparat, d(2026, 5, 14)),
            (WorkTrial, Dagpengemodtager, d(2026, 2, 11)),
            (WorkTrial, Jobparat, d(2026, 2, 11)),
            (WorkTrial, Aktivitetsparat, d(2026, 4, 15)),
            (WorkTrial, Sygemeldt, d(2026, 4, 15)),
            (WorkTrial, Oevrige, d(2026, 4, 15)),
        ] {
            assert_eq!(
                check_duration(&r, kind, group, start, Some(last_ok)),
                None,
                "{kind:?} {group:?} may end {last_ok}"
            );
            let late = last_ok.succ_opt().unwrap();
            assert!(
                matches!(
                    check_duration(&r, kind, group, start, Some(late)),
                    Some(RuleBreach::TooLong { .. })
                ),
                "{kind:?} {group:?} may not end {late}"
            );
        }
        let years = d(2040, 1, 1);
        assert_eq!(
            check_duration(&r, Fleksjob, Oevrige, start, Some(years)),
            None
        );
    }
}
