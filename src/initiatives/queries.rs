//! Reads of the initiatives: stale and late marking, the per-track
//! summary, the latest status updates, and key figures ready to show.
use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{initiative, initiative_milestone, initiative_update, key_figure, strategy_track};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;

use super::chart::{self, Chart, Series};
use super::figures::{self, FigureCache};
use crate::app::clock::{format_date, format_local};
use crate::domain::{
    ContactChannel, Direction, FigureSource, InitiativeStatus, Lang, NeedStatus, PlacementKind,
};

fn status_of(code: &str) -> InitiativeStatus {
    InitiativeStatus::parse(code).unwrap_or(InitiativeStatus::NotStarted)
}

/// No status update (or, before the first, no creation) within the
/// initiative's update interval, and it is not finished.
pub fn is_stale(i: &initiative::Model, now: DateTime<Utc>) -> bool {
    let last = i.last_update_at.unwrap_or(i.created_at);
    !status_of(&i.status).is_finished()
        && last + Duration::days(i64::from(i.update_every_days)) < now
}

/// Past its due date and not done, in an initiative still running.
pub fn is_late(
    m: &initiative_milestone::Model,
    status: InitiativeStatus,
    today: NaiveDate,
) -> bool {
    m.done_on.is_none() && m.due_on < today && !status.is_finished()
}

#[derive(Debug, Clone, Serialize)]
pub struct Track {
    pub id: i32,
    pub code: String,
    pub name: String,
}

pub async fn tracks<C: ConnectionTrait>(db: &C, lang: Lang) -> Result<Vec<Track>, DbErr> {
    Ok(strategy_track::Entity::find()
        .order_by_asc(strategy_track::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|t| Track {
            id: t.id,
            code: t.code,
            name: match lang {
                Lang::Da => t.name_da,
                Lang::En => t.name_en,
            },
        })
        .collect())
}

/// Status at a glance for one track.
#[derive(Debug, Serialize)]
pub struct TrackSummary {
    pub code: String,
    pub name: String,
    /// Per [`InitiativeStatus::ALL`].
    pub counts: Vec<usize>,
    pub total: usize,
    pub late_milestones: usize,
    pub stale: usize,
}

/// Late milestones per initiative.
pub async fn late_milestones<C: ConnectionTrait>(
    db: &C,
    initiatives: &[initiative::Model],
    today: NaiveDate,
) -> Result<HashMap<i32, usize>, DbErr> {
    let status: HashMap<i32, InitiativeStatus> = initiatives
        .iter()
        .map(|i| (i.id, status_of(&i.status)))
        .collect();
    let open = initiative_milestone::Entity::find()
        .filter(initiative_milestone::Column::DoneOn.is_null())
        .filter(initiative_milestone::Column::DueOn.lt(today))
        .filter(initiative_milestone::Column::InitiativeId.is_in(status.keys().copied()))
        .all(db)
        .await?;
    let mut out: HashMap<i32, usize> = HashMap::new();
    for m in open {
        if let Some(s) = status.get(&m.initiative_id)
            && is_late(&m, *s, today)
        {
            *out.entry(m.initiative_id).or_default() += 1;
        }
    }
    Ok(out)
}

/// Every track with its initiatives counted by status, late milestones
/// and stale initiatives (`public_only`: the public initiatives only).
pub async fn track_summaries<C: ConnectionTrait>(
    db: &C,
    lang: Lang,
    now: DateTime<Utc>,
    public_only: bool,
) -> Result<Vec<TrackSummary>, DbErr> {
    let mut select = initiative::Entity::find();
    if public_only {
        select = select.filter(initiative::Column::IsPublic.eq(true));
    }
    let all = select.all(db).await?;
    let late = late_milestones(db, &all, crate::app::clock::local_date(now)).await?;
    Ok(tracks(db, lang)
        .await?
        .into_iter()
        .map(|t| {
            let mine: Vec<&initiative::Model> = all.iter().filter(|i| i.track_id == t.id).collect();
            TrackSummary {
                counts: InitiativeStatus::ALL
                    .iter()
                    .map(|s| mine.iter().filter(|i| status_of(&i.status) == *s).count())
                    .collect(),
                total: mine.len(),
                late_milestones: mine.iter().filter_map(|i| late.get(&i.id)).sum(),
                stale: mine.iter().filter(|i| is_stale(i, now)).count(),
                code: t.code,
                name: t.name,
            }
        })
        .collect())
}

#[derive(Debug, Serialize)]
pub struct UpdateRow {
    pub initiative_id: i32,
    pub initiative: String,
    pub who: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub at: String,
    pub text: String,
}

/// Status updates, newest first: of one initiative, or of all since a
/// moment, at most `limit`.
pub async fn updates<C: ConnectionTrait>(
    db: &C,
    lang: Lang,
    initiative_id: Option<i32>,
    period: Option<(DateTime<Utc>, DateTime<Utc>)>,
    limit: u64,
) -> Result<Vec<UpdateRow>, DbErr> {
    let mut select = initiative_update::Entity::find()
        .order_by_desc(initiative_update::Column::At)
        .order_by_desc(initiative_update::Column::Id)
        .limit(limit);
    if let Some(id) = initiative_id {
        select = select.filter(initiative_update::Column::InitiativeId.eq(id));
    }
    if let Some((from, to)) = period {
        select = select
            .filter(initiative_update::Column::At.gte(from))
            .filter(initiative_update::Column::At.lt(to));
    }
    let rows = select.all(db).await?;
    let names = crate::businesses::queries::user_names(db, rows.iter().map(|u| u.user_id)).await?;
    let titles: HashMap<i32, String> = initiative::Entity::find()
        .select_only()
        .column(initiative::Column::Id)
        .column(initiative::Column::Title)
        .filter(initiative::Column::Id.is_in(rows.iter().map(|u| u.initiative_id)))
        .into_tuple::<(i32, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|u| {
            let s = status_of(&u.status);
            UpdateRow {
                initiative_id: u.initiative_id,
                initiative: titles.get(&u.initiative_id).cloned().unwrap_or_default(),
                who: names.get(&u.user_id).cloned().unwrap_or_default(),
                status: s.as_str(),
                status_label: s.label(lang),
                at: format_local(u.at),
                text: u.text,
            }
        })
        .collect())
}

/// A key figure ready for a page: chart, table and state against target.
#[derive(Debug, Serialize)]
pub struct FigureView {
    pub id: i32,
    pub name: String,
    pub unit: String,
    pub source: &'static str,
    pub computed: bool,
    pub is_public: bool,
    pub direction: &'static str,
    pub track: Option<String>,
    pub target: Option<String>,
    pub target_date: Option<String>,
    pub latest: Option<String>,
    pub latest_date: Option<String>,
    pub change: Option<String>,
    pub state: &'static str,
    pub state_label: &'static str,
    pub svg: String,
    /// The table beside the chart: the first column's heading, the series'
    /// names (and a total when stacked), and per date the values.
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<String>)>,
    /// For the CSV: the dates as ISO text and the raw values.
    #[serde(skip)]
    pub raw: Vec<(String, Vec<Option<f64>>)>,
}

fn series_label(source: FigureSource, code: &str, lang: Lang) -> Option<&'static str> {
    match source {
        FigureSource::ContactsPerMonth => ContactChannel::parse(code).ok().map(|c| c.label(lang)),
        FigureSource::NeedsReceived => NeedStatus::parse(code).ok().map(|s| s.label(lang)),
        FigureSource::ActivePlacements => PlacementKind::parse(code).ok().map(|k| k.label(lang)),
        _ => None,
    }
}

pub fn figure_view(
    f: &key_figure::Model,
    series: Vec<Series>,
    lang: Lang,
    today: NaiveDate,
    tracks: &HashMap<i32, String>,
) -> FigureView {
    let source = FigureSource::parse(&f.source).unwrap_or(FigureSource::Manual);
    let direction = Direction::parse(&f.direction).unwrap_or(Direction::Higher);
    let (name, unit) = match lang {
        Lang::Da => (f.name_da.clone(), f.unit_da.clone()),
        Lang::En => (f.name_en.clone(), f.unit_en.clone()),
    };
    let stacked = series.len() > 1;
    let series: Vec<Series> = series
        .into_iter()
        .map(|s| Series {
            label: series_label(source, &s.label, lang)
                .map(str::to_string)
                .unwrap_or_else(|| name.clone()),
            points: s.points,
        })
        .collect();
    // The figure's value per date: the sum of its series.
    let mut dates: Vec<NaiveDate> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|(d, _)| *d))
        .collect();
    dates.sort();
    dates.dedup();
    let value_at = |s: &Series, d: NaiveDate| s.points.iter().find(|(x, _)| *x == d).map(|p| p.1);
    let totals: Vec<(NaiveDate, f64)> = dates
        .iter()
        .map(|d| (*d, series.iter().filter_map(|s| value_at(s, *d)).sum()))
        .collect();
    let a = chart::assess(&totals, direction, f.target, f.target_date, today);
    let show = |v: f64| {
        if unit == "%" {
            format!("{} %", chart::format_value(v, lang))
        } else {
            chart::format_value(v, lang)
        }
    };
    let live = source != FigureSource::Manual;
    let date_text = |d: NaiveDate| {
        if live {
            crate::placements::month_label(d, lang)
        } else {
            format_date(d)
        }
    };
    let state = a.track;
    let mut desc = match &a.latest {
        Some((d, v)) => match lang {
            Lang::Da => format!("Seneste værdi {} ({}).", show(*v), date_text(*d)),
            Lang::En => format!("Latest value {} ({}).", show(*v), date_text(*d)),
        },
        None => state.label(lang).to_string(),
    };
    if let Some(t) = f.target {
        let by = f.target_date.map(format_date).unwrap_or_default();
        desc.push_str(&match lang {
            Lang::Da => format!(" Mål {} {by}.", show(t)),
            Lang::En => format!(" Target {} {by}.", show(t)),
        });
    }
    desc.push(' ');
    desc.push_str(state.label(lang));
    desc.push('.');
    let target_label = f
        .target
        .map(|t| match lang {
            Lang::Da => format!("Mål {}", chart::format_value(t, lang)),
            Lang::En => format!("Target {}", chart::format_value(t, lang)),
        })
        .unwrap_or_default();
    let id = format!("fig-{}", f.id);
    let svg = chart::svg(&Chart {
        id: &id,
        title: &name,
        desc: &desc,
        series: &series,
        target: f.target.map(|t| (t, f.target_date)),
        stacked,
        lang,
        target_label: &target_label,
    });
    let first = match (live, lang) {
        (true, Lang::Da) => "Måned",
        (true, Lang::En) => "Month",
        (false, Lang::Da) => "Dato",
        (false, Lang::En) => "Date",
    };
    let mut columns = vec![first.to_string()];
    columns.extend(series.iter().map(|s| s.label.clone()));
    if stacked {
        columns.push(match lang {
            Lang::Da => "I alt".into(),
            Lang::En => "Total".into(),
        });
    }
    let mut rows = Vec::new();
    let mut raw = Vec::new();
    for (d, total) in &totals {
        let mut values: Vec<Option<f64>> = series.iter().map(|s| value_at(s, *d)).collect();
        if stacked {
            values.push(Some(*total));
        }
        rows.push((
            date_text(*d),
            values
                .iter()
                .map(|v| v.map(show).unwrap_or_else(|| "–".into()))
                .collect(),
        ));
        let iso = if live {
            d.format("%Y-%m").to_string()
        } else {
            d.format("%Y-%m-%d").to_string()
        };
        raw.push((iso, values));
    }
    FigureView {
        id: f.id,
        source: source.label(lang),
        computed: live,
        is_public: f.is_public,
        direction: direction.label(lang),
        track: f.track_id.and_then(|t| tracks.get(&t).cloned()),
        target: f.target.map(show),
        target_date: f.target_date.map(format_date),
        latest: a.latest.map(|(_, v)| show(v)),
        latest_date: a.latest.map(|(d, _)| date_text(d)),
        change: a.change.map(|c| {
            let s = show(c);
            if c > 0.0 { format!("+{s}") } else { s }
        }),
        state: state.as_str(),
        state_label: state.label(lang),
        svg,
        columns,
        rows,
        raw,
        name,
        unit,
    }
}

/// Where a figure's values come from: typed in, or the live computation.
pub fn values_of(
    f: &key_figure::Model,
    live: &figures::Live,
    manual: &HashMap<i32, Vec<(NaiveDate, f64)>>,
) -> Vec<Series> {
    match FigureSource::parse(&f.source) {
        Ok(FigureSource::Manual) | Err(_) => vec![Series {
            label: String::new(),
            points: manual.get(&f.id).cloned().unwrap_or_default(),
        }],
        Ok(s) => live.get(&s).cloned().unwrap_or_default(),
    }
}

/// Key figures ready to show, in their order (`public_only`: those marked
/// public; `only`: these ids).
pub async fn figure_views<C: ConnectionTrait>(
    db: &C,
    cache: &FigureCache,
    first_contact_days: u32,
    lang: Lang,
    today: NaiveDate,
    public_only: bool,
    only: Option<Vec<i32>>,
) -> Result<Vec<FigureView>, DbErr> {
    let mut select = key_figure::Entity::find().order_by_asc(key_figure::Column::Position);
    if public_only {
        select = select.filter(key_figure::Column::IsPublic.eq(true));
    }
    if let Some(ids) = only {
        select = select.filter(key_figure::Column::Id.is_in(ids));
    }
    let found = select.all(db).await?;
    let live = cache.get(db, today, first_contact_days).await?;
    let manual = figures::manual_values(db, found.iter().map(|f| f.id).collect()).await?;
    let names: HashMap<i32, String> = tracks(db, lang)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    Ok(found
        .iter()
        .map(|f| figure_view(f, values_of(f, &live, &manual), lang, today, &names))
        .collect())
}
