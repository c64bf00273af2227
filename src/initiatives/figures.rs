//! Key figures: the typed-in ones' values, and the live ones computed from
//! the records every time (cached until a command changes what they count).
//!
//! The live figures, per calendar month (Copenhagen time), the last
//! [`MONTHS`] months:
//! - businesses in contact: distinct businesses with a logged contact in
//!   the 12 months up to and including the month (this month: so far);
//! - contacts per month, by kind (channel);
//! - recruitment needs received per month, by their status now;
//! - answered within the service promise: of the needs received in the
//!   month whose first-contact deadline has passed or that were answered,
//!   the share whose status first left "new" on or before the deadline;
//! - positions filled: the positions of needs first marked filled in the
//!   month;
//! - active placements by type: planned or running on the month's last day
//!   (this month: today), cancelled ones never.
//!
//! Months that are still running are left out of the per-month flows so a
//! half month does not read as a fall.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use entity::{contact, key_figure_value, need_event, placement, recruitment_need};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::chart::Series;
use crate::app::clock::local_date;
use crate::domain::{ContactChannel, FigureSource, NeedStatus, PlacementKind, PlacementStatus};

/// Months a live figure goes back.
pub const MONTHS: u32 = 24;

/// The first day of each of the last `n` months, the month of `today` last.
pub fn months(today: NaiveDate, n: u32) -> Vec<NaiveDate> {
    let first = today.with_day(1).unwrap_or(today);
    (0..n)
        .rev()
        .filter_map(|back| first.checked_sub_months(Months::new(back)))
        .collect()
}

fn month_end(first: NaiveDate) -> NaiveDate {
    first
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(first)
}

/// Whole months between the months of `from` and `to` (negative: before).
fn month_index(from: NaiveDate, to: NaiveDate) -> i64 {
    i64::from(to.year() - from.year()) * 12 + i64::from(to.month()) - i64::from(from.month())
}

/// Whether the figure counts something per month (a flow) rather than a
/// state on a day.
pub fn is_flow(source: FigureSource) -> bool {
    matches!(
        source,
        FigureSource::ContactsPerMonth
            | FigureSource::NeedsReceived
            | FigureSource::NeedsAnsweredInTime
            | FigureSource::PositionsFilled
    )
}

/// Series of a live figure, labelled by code (a channel, a status, a kind;
/// empty for a single series).
pub type Live = HashMap<FigureSource, Vec<Series>>;

/// Every live figure, computed from the records as they are on `today`.
pub async fn compute<C: ConnectionTrait>(
    db: &C,
    today: NaiveDate,
    first_contact_days: u32,
) -> Result<Live, DbErr> {
    let all = months(today, MONTHS);
    let complete: Vec<NaiveDate> = all[..all.len().saturating_sub(1)].to_vec();
    let mut out = Live::new();
    let (in_contact, per_channel) = contacts(db, today, &all).await?;
    out.insert(FigureSource::BusinessesInContact, vec![in_contact]);
    out.insert(
        FigureSource::ContactsPerMonth,
        per_channel
            .into_iter()
            .map(|mut s| {
                s.points.truncate(complete.len());
                s
            })
            .collect(),
    );
    let needs = needs(db, today, &complete, first_contact_days).await?;
    out.insert(FigureSource::NeedsReceived, needs.received);
    out.insert(FigureSource::NeedsAnsweredInTime, vec![needs.in_time]);
    out.insert(FigureSource::PositionsFilled, vec![needs.filled]);
    out.insert(
        FigureSource::ActivePlacements,
        placements(db, today, &all).await?,
    );
    Ok(out)
}

/// Businesses in contact (12-month window) and contacts per channel.
async fn contacts<C: ConnectionTrait>(
    db: &C,
    today: NaiveDate,
    all: &[NaiveDate],
) -> Result<(Series, Vec<Series>), DbErr> {
    let Some(&first) = all.first() else {
        return Ok((series(""), Vec::new()));
    };
    // The window of the first month reaches 11 months further back.
    let base = first.checked_sub_months(Months::new(11)).unwrap_or(first);
    let since = base
        .pred_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
        .unwrap_or_default();
    let rows: Vec<(i32, String, DateTime<Utc>)> = contact::Entity::find()
        .select_only()
        .column(contact::Column::BusinessId)
        .column(contact::Column::Channel)
        .column(contact::Column::OccurredAt)
        .filter(contact::Column::OccurredAt.gte(since))
        .into_tuple()
        .all(db)
        .await?;
    let mut masks: HashMap<i32, u64> = HashMap::new();
    let mut per_channel: HashMap<&'static str, Vec<f64>> = ContactChannel::ALL
        .iter()
        .map(|c| (c.as_str(), vec![0.0; all.len()]))
        .collect();
    for (business, channel, at) in rows {
        let day = local_date(at);
        if day > today {
            continue;
        }
        let i = month_index(base, day);
        if !(0..64).contains(&i) {
            continue;
        }
        *masks.entry(business).or_default() |= 1 << i;
        let m = i - 11;
        if m >= 0
            && let Some(counts) = ContactChannel::parse(&channel)
                .ok()
                .and_then(|c| per_channel.get_mut(c.as_str()))
            && let Some(n) = counts.get_mut(m as usize)
        {
            *n += 1.0;
        }
    }
    let mut in_contact = series("");
    for (m, month) in all.iter().enumerate() {
        // Base months m ..= m + 11.
        let window: u64 = ((1u64 << 12) - 1) << m;
        let n = masks.values().filter(|mask| **mask & window != 0).count();
        in_contact.points.push((*month, n as f64));
    }
    let by_channel = ContactChannel::ALL
        .iter()
        .map(|c| Series {
            label: c.as_str().to_string(),
            points: all
                .iter()
                .copied()
                .zip(per_channel.remove(c.as_str()).unwrap_or_default())
                .collect(),
        })
        .collect();
    Ok((in_contact, by_channel))
}

fn series(label: &str) -> Series {
    Series {
        label: label.to_string(),
        points: Vec::new(),
    }
}

struct NeedFigures {
    received: Vec<Series>,
    in_time: Series,
    filled: Series,
}

async fn needs<C: ConnectionTrait>(
    db: &C,
    today: NaiveDate,
    complete: &[NaiveDate],
    first_contact_days: u32,
) -> Result<NeedFigures, DbErr> {
    let mut received: HashMap<&'static str, Vec<f64>> = NeedStatus::ALL
        .iter()
        .map(|s| (s.as_str(), vec![0.0; complete.len()]))
        .collect();
    let mut eligible = vec![0u32; complete.len()];
    let mut in_time = vec![0u32; complete.len()];
    let mut filled = vec![0.0; complete.len()];
    let month_of = |d: NaiveDate| -> Option<usize> {
        let first = *complete.first()?;
        let i = month_index(first, d);
        (0..complete.len() as i64)
            .contains(&i)
            .then_some(i as usize)
    };
    let since = complete
        .first()
        .and_then(|d| d.pred_opt())
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
        .unwrap_or_default();
    let needs: Vec<(i32, String, i32, DateTime<Utc>)> = recruitment_need::Entity::find()
        .select_only()
        .column(recruitment_need::Column::Id)
        .column(recruitment_need::Column::Status)
        .column(recruitment_need::Column::Positions)
        .column(recruitment_need::Column::CreatedAt)
        .into_tuple()
        .all(db)
        .await?;
    // The first moment each need left "new", and was first marked filled.
    let events: Vec<(i32, String, DateTime<Utc>)> = need_event::Entity::find()
        .select_only()
        .column(need_event::Column::NeedId)
        .column(need_event::Column::Status)
        .column(need_event::Column::At)
        .filter(need_event::Column::Status.ne(NeedStatus::New.as_str()))
        .order_by_asc(need_event::Column::At)
        .into_tuple()
        .all(db)
        .await?;
    let mut answered: HashMap<i32, NaiveDate> = HashMap::new();
    let mut filled_on: HashMap<i32, NaiveDate> = HashMap::new();
    for (need, status, at) in events {
        answered.entry(need).or_insert_with(|| local_date(at));
        if status == NeedStatus::Filled.as_str() {
            filled_on.entry(need).or_insert_with(|| local_date(at));
        }
    }
    let positions: HashMap<i32, i32> = needs.iter().map(|(id, _, p, _)| (*id, *p)).collect();
    for (id, status, _, created) in &needs {
        if *created < since {
            continue;
        }
        let got = local_date(*created);
        let Some(m) = month_of(got) else { continue };
        if let Some(counts) = NeedStatus::parse(status)
            .ok()
            .and_then(|s| received.get_mut(s.as_str()))
        {
            counts[m] += 1.0;
        }
        let due = crate::recruitment::calendar::add_working_days(got, first_contact_days);
        match answered.get(id) {
            Some(a) => {
                eligible[m] += 1;
                if *a <= due {
                    in_time[m] += 1;
                }
            }
            None if due < today => eligible[m] += 1,
            None => {}
        }
    }
    for (need, day) in &filled_on {
        if let Some(m) = month_of(*day) {
            filled[m] += f64::from(positions.get(need).copied().unwrap_or(0));
        }
    }
    let received = NeedStatus::ALL
        .iter()
        .map(|s| Series {
            label: s.as_str().to_string(),
            points: complete
                .iter()
                .copied()
                .zip(received.remove(s.as_str()).unwrap_or_default())
                .collect(),
        })
        .collect();
    let mut share = series("");
    for (m, month) in complete.iter().enumerate() {
        if eligible[m] > 0 {
            let pct = f64::from(in_time[m]) * 100.0 / f64::from(eligible[m]);
            share.points.push((*month, (pct * 10.0).round() / 10.0));
        }
    }
    Ok(NeedFigures {
        received,
        in_time: share,
        filled: Series {
            label: String::new(),
            points: complete.iter().copied().zip(filled).collect(),
        },
    })
}

async fn placements<C: ConnectionTrait>(
    db: &C,
    today: NaiveDate,
    all: &[NaiveDate],
) -> Result<Vec<Series>, DbErr> {
    type Row = (String, NaiveDate, Option<NaiveDate>, Option<NaiveDate>);
    let rows: Vec<Row> = placement::Entity::find()
        .select_only()
        .column(placement::Column::Kind)
        .column(placement::Column::StartDate)
        .column(placement::Column::EndedOn)
        .column(placement::Column::PlannedEnd)
        .filter(placement::Column::Status.ne(PlacementStatus::Cancelled.as_str()))
        .into_tuple()
        .all(db)
        .await?;
    let days: Vec<NaiveDate> = all.iter().map(|m| month_end(*m).min(today)).collect();
    Ok(PlacementKind::ALL
        .iter()
        .map(|k| Series {
            label: k.as_str().to_string(),
            points: all
                .iter()
                .zip(&days)
                .map(|(month, day)| {
                    let n = rows
                        .iter()
                        .filter(|(kind, start, ended, planned)| {
                            kind == k.as_str()
                                && start <= day
                                && ended.or(*planned).is_none_or(|e| e >= *day)
                        })
                        .count();
                    (*month, n as f64)
                })
                .collect(),
        })
        .collect())
}

/// The typed-in values of these figures, by figure, oldest first.
pub async fn manual_values<C: ConnectionTrait>(
    db: &C,
    ids: Vec<i32>,
) -> Result<HashMap<i32, Vec<(NaiveDate, f64)>>, DbErr> {
    let rows = key_figure_value::Entity::find()
        .filter(key_figure_value::Column::KeyFigureId.is_in(ids))
        .order_by_asc(key_figure_value::Column::OnDate)
        .all(db)
        .await?;
    let mut out: HashMap<i32, Vec<(NaiveDate, f64)>> = HashMap::new();
    for r in rows {
        out.entry(r.key_figure_id)
            .or_default()
            .push((r.on_date, r.value));
    }
    Ok(out)
}

/// The live figures, reused until a command changes what they count (the
/// generation moves on), the day changes, or for at most `TTL` (writes by
/// another process).
/// Generation, day, when computed, the figures.
type Held = (u64, NaiveDate, Instant, Arc<Live>);

#[derive(Default)]
pub struct FigureCache {
    generation: std::sync::atomic::AtomicU64,
    held: Mutex<Option<Held>>,
}

impl FigureCache {
    const TTL: Duration = Duration::from_secs(60);

    pub fn invalidate(&self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    pub async fn get<C: ConnectionTrait>(
        &self,
        db: &C,
        today: NaiveDate,
        first_contact_days: u32,
    ) -> Result<Arc<Live>, DbErr> {
        let generation = self.generation.load(std::sync::atomic::Ordering::SeqCst);
        {
            let held = self.held.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((g, day, at, live)) = held.as_ref()
                && *g == generation
                && *day == today
                && at.elapsed() < Self::TTL
            {
                return Ok(live.clone());
            }
        }
        let live = Arc::new(compute(db, today, first_contact_days).await?);
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        *held = Some((generation, today, Instant::now(), live.clone()));
        Ok(live)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn months_end_with_this_one() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let m = months(d(2026, 11, 15), 24);
        assert_eq!(m.len(), 24);
        assert_eq!(m[0], d(2024, 12, 1));
        assert_eq!(m[23], d(2026, 11, 1));
        assert_eq!(month_index(d(2025, 12, 1), d(2026, 2, 27)), 2);
        assert_eq!(month_end(d(2026, 2, 1)), d(2026, 2, 28));
    }
}
