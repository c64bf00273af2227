//! Counts of placements per kind per month, as a table and a chart drawn
//! on the server (SVG, no JavaScript). Counts only: the council may see them.
use actix_web::{HttpResponse, get, web};
use chrono::{Datelike, Months, NaiveDate};
use entity::placement;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;

use crate::domain::{Lang, PlacementKind, PlacementStatus};
use crate::web::{AppState, auth::Staff, error::AppError};

/// Months shown, the current one last.
const MONTHS: u32 = 12;

#[derive(Serialize)]
struct MonthRow {
    label: String,
    counts: Vec<i64>,
    total: i64,
}

/// Placements running at some time in each of the last months, per kind
/// (cancelled ones never ran).
fn per_month(
    rows: &[(String, NaiveDate, Option<NaiveDate>)],
    today: NaiveDate,
    lang: Lang,
) -> Vec<MonthRow> {
    let first_of = |d: NaiveDate| d.with_day(1).unwrap_or(d);
    let this_month = first_of(today);
    (0..MONTHS)
        .rev()
        .filter_map(|back| {
            let start = this_month.checked_sub_months(Months::new(back))?;
            let end = start.checked_add_months(Months::new(1))?.pred_opt()?;
            let counts: Vec<i64> = PlacementKind::ALL
                .iter()
                .map(|k| {
                    rows.iter()
                        .filter(|(kind, s, e)| {
                            kind == k.as_str() && *s <= end && e.is_none_or(|e| e >= start)
                        })
                        .count() as i64
                })
                .collect();
            Some(MonthRow {
                label: month_label(start, lang),
                total: counts.iter().sum(),
                counts,
            })
        })
        .collect()
}

pub fn month_label(d: NaiveDate, lang: Lang) -> String {
    const DA: [&str; 12] = [
        "jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
    ];
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let names = match lang {
        Lang::Da => DA,
        Lang::En => EN,
    };
    let m = names[d.month0() as usize];
    format!("{m} {}", d.year() % 100)
}

/// Colours of the kinds; the legend's `.swatch.kN` in static/style.css match.
const COLOURS: [&str; 4] = ["#1f5f99", "#2e8540", "#b35c00", "#6f3d8c"];

/// A stacked bar per month. Numbers and our own labels only, so the markup
/// is built here; every bar has a `<title>` for screen readers and hover.
fn chart(months: &[MonthRow], kinds: &[&str], title: &str) -> String {
    let (w, h, left, bottom, top) = (720.0_f64, 260.0_f64, 40.0, 30.0, 10.0);
    let max = months.iter().map(|m| m.total).max().unwrap_or(0).max(1) as f64;
    let plot_h = h - bottom - top;
    let slot = (w - left) / months.len().max(1) as f64;
    let bar = slot * 0.7;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"chart-title\" class=\"chart\"><title id=\"chart-title\">{title}</title>"
    );
    for step in 0..=4 {
        let v = (max * step as f64 / 4.0).round();
        let y = top + plot_h - plot_h * v / max;
        svg.push_str(&format!(
            "<line x1=\"{left}\" x2=\"{w}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{v}</text>",
            left - 4.0,
            y + 4.0
        ));
    }
    for (i, m) in months.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let mut y = top + plot_h;
        for (k, n) in m.counts.iter().enumerate() {
            if *n == 0 {
                continue;
            }
            let hgt = plot_h * *n as f64 / max;
            y -= hgt;
            svg.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{hgt:.1}\" fill=\"{}\"><title>{}: {} {n}</title></rect>",
                COLOURS[k % COLOURS.len()],
                m.label,
                kinds.get(k).copied().unwrap_or("")
            ));
        }
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
            x + bar / 2.0,
            h - bottom + 16.0,
            m.label
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[get("/placements/stats")]
async fn stats(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, AppError> {
    let rows: Vec<(String, NaiveDate, Option<NaiveDate>, Option<NaiveDate>)> =
        placement::Entity::find()
            .select_only()
            .column(placement::Column::Kind)
            .column(placement::Column::StartDate)
            .column(placement::Column::EndedOn)
            .column(placement::Column::PlannedEnd)
            .filter(placement::Column::Status.ne(PlacementStatus::Cancelled.as_str()))
            .into_tuple()
            .all(&state.db)
            .await?;
    let rows: Vec<(String, NaiveDate, Option<NaiveDate>)> = rows
        .into_iter()
        .map(|(k, s, ended, planned)| (k, s, ended.or(planned)))
        .collect();
    let lang = staff.lang;
    let months = per_month(&rows, state.app.clock.today(), lang);
    let kinds: Vec<&str> = PlacementKind::ALL.iter().map(|k| k.label(lang)).collect();
    // Colours from the stylesheet (.swatch.k0 …): the Content-Security-Policy
    // allows no inline style.
    let legend: Vec<&str> = kinds.clone();
    let mut ctx = staff.context();
    ctx.insert("months", &months);
    ctx.insert("kinds", &kinds);
    ctx.insert("legend", &legend);
    ctx.insert(
        "chart",
        &chart(&months, &kinds, staff.t("placements_stats")),
    );
    state.templates.page(lang, "placements/stats.html", &ctx)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(stats);
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_placement_counts_in_every_month_it_runs() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let rows = vec![
            ("fleksjob".to_string(), d(2026, 10, 15), None),
            (
                "virksomhedspraktik".to_string(),
                d(2026, 11, 2),
                Some(d(2026, 11, 27)),
            ),
        ];
        let months = per_month(&rows, d(2026, 12, 1), Lang::Da);
        assert_eq!(months.len(), 12);
        let last3: Vec<(&str, i64)> = months[9..]
            .iter()
            .map(|m| (m.label.as_str(), m.total))
            .collect();
        assert_eq!(last3, [("okt 26", 1), ("nov 26", 2), ("dec 26", 1)]);
        let svg = chart(&months, &["a", "b", "c", "d"], "t");
        assert!(svg.starts_with("<svg") && svg.contains("<title>nov 26: d 1</title>"));
    }
}
