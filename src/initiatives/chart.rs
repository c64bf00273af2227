//! Charts of an initiative's key figures, drawn on the server as inline SVG
//! (the pages run no JavaScript, and the Content-Security-Policy allows no
//! inline style, so only presentation attributes are used), and the
//! judgement of a key figure against its target from its trend.
//!
//! Nothing here panics on odd data: no points, one point, equal values,
//! negative values; values that are not finite (NaN, infinite) are skipped.
use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};

use crate::domain::{Direction, FigureTrack, Lang};

/// One line or one stack of bars.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Series {
    pub label: String,
    pub points: Vec<(NaiveDate, f64)>,
}

/// What to draw.
#[derive(Debug, Clone, Copy)]
pub struct Chart<'a> {
    /// Unique on the page, used for the `<title>`/`<desc>` ids: e.g. "fig-3".
    pub id: &'a str,
    pub title: &'a str,
    /// The text alternative's longer description (written by the caller,
    /// e.g. "Seneste værdi 74 (31.12.2025); mål 60 inden 31.12.2027; ikke på
    /// rette spor").
    pub desc: &'a str,
    pub series: &'a [Series],
    /// A horizontal target line at this value, drawn to the target date when
    /// that lies within the plotted dates, else across the whole plot.
    pub target: Option<(f64, Option<NaiveDate>)>,
    /// The series as stacked bars per date (all series share the same dates);
    /// false: lines with dots.
    pub stacked: bool,
    /// The language of the axis labels (month names, number format).
    pub lang: Lang,
    /// The target line's label, e.g. "Mål 60" / "Target 60".
    pub target_label: &'a str,
}

/// The series' colours, in order (all at least 4.5:1 against white). The
/// first four are those of the placements chart and of `.swatch.k0`–`k3`
/// in static/style.css.
pub const COLOURS: [&str; 6] = [
    "#1f5f99", "#2e8540", "#b35c00", "#6f3d8c", "#a4343a", "#00798c",
];

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
/// Space for the y axis' labels at least; more when they are long.
const MIN_LEFT: f64 = 48.0;
const RIGHT: f64 = 16.0;
const BOTTOM: f64 = 24.0;
/// Lines: the first and last dots keep this far from the plot's edges.
const INSET: f64 = 8.0;
/// Rough width of a character at font-size 11, to keep labels apart.
const CHAR_W: f64 = 6.2;
const TEXT: &str = "#333";
const GRID: &str = "#ddd";
const AXIS: &str = "#999";
const FONT: &str = "system-ui, -apple-system, 'Segoe UI', sans-serif";
/// At most this many dates get a label on the x axis.
const MAX_X_LABELS: usize = 8;
/// Longest series label shown in full in the legend.
const LEGEND_CHARS: usize = 40;
/// The trend is the least-squares line through at most this many points.
const TREND_POINTS: usize = 12;

/// The chart as inline SVG markup.
pub fn svg(chart: &Chart) -> String {
    let id = escape(chart.id);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" class=\"chart\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(chart.title),
        escape(chart.desc)
    );
    let series: Vec<Vec<(NaiveDate, f64)>> =
        chart.series.iter().map(|s| clean(&s.points)).collect();
    let mut dates: Vec<NaiveDate> = series.iter().flatten().map(|(d, _)| *d).collect();
    dates.sort_unstable();
    dates.dedup();
    let (Some(&first), Some(&last)) = (dates.first(), dates.last()) else {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" font-family=\"{FONT}\" font-size=\"24\" fill=\"{TEXT}\" text-anchor=\"middle\">–</text></svg>",
            WIDTH / 2.0,
            HEIGHT / 2.0 + 8.0
        );
        return out;
    };
    let period = Period::of(&dates);
    let target = chart.target.filter(|(v, _)| v.is_finite());

    // Stacked: the values per date and series (several points of a series on
    // one date add up).
    let stacks: Vec<Vec<f64>> = if chart.stacked {
        dates
            .iter()
            .map(|d| {
                series
                    .iter()
                    .map(|s| s.iter().filter(|(p, _)| p == d).map(|(_, v)| v).sum())
                    .collect()
            })
            .collect()
    } else {
        Vec::new()
    };

    // The y axis covers every value (every stack's ends) and the target.
    let values: Vec<f64> = if chart.stacked {
        stacks
            .iter()
            .flat_map(|s| {
                let up: f64 = s.iter().filter(|v| **v > 0.0).sum();
                let down: f64 = s.iter().filter(|v| **v < 0.0).sum();
                [up, down]
            })
            .collect()
    } else {
        series.iter().flatten().map(|(_, v)| *v).collect()
    };
    let (lo, hi) = values
        .iter()
        .chain(target.as_ref().map(|(v, _)| v))
        .fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    let scale = Scale::nice(lo, hi);
    let ticks: Vec<(f64, String)> = (0..=scale.intervals)
        .map(|i| {
            let v = scale.min + scale.step * i as f64;
            (v, format_value(v, chart.lang))
        })
        .collect();
    let widest_tick = ticks.iter().map(|(_, t)| text_width(t)).fold(0.0, f64::max);

    let left = MIN_LEFT.max(widest_tick + 10.0);
    let right = WIDTH - RIGHT;
    let legend = if chart.series.len() > 1 {
        Legend::lay_out(chart.series, left, right)
    } else {
        Legend::default()
    };
    let top = if legend.rows > 0 {
        12.0 + 16.0 * legend.rows as f64 + 6.0
    } else {
        14.0
    };
    let bottom = HEIGHT - BOTTOM;
    let y_of = |v: f64| {
        let span = scale.max - scale.min;
        let v = v.clamp(scale.min, scale.max);
        let share = if span > 0.0 {
            (v - scale.min) / span
        } else {
            0.0
        };
        bottom - (bottom - top) * share
    };

    let _ = write!(out, "<g font-family=\"{FONT}\" font-size=\"11\">");

    // Gridlines with their values, and the zero line.
    for (v, label) in &ticks {
        let y = y_of(*v);
        let _ = write!(
            out,
            "<line x1=\"{left:.1}\" x2=\"{right:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"{GRID}\" stroke-width=\"1\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"{TEXT}\" text-anchor=\"end\">{label}</text>",
            left - 6.0,
            y + 4.0
        );
    }
    let zero = y_of(0.0);
    let _ = write!(
        out,
        "<line x1=\"{left:.1}\" x2=\"{right:.1}\" y1=\"{zero:.1}\" y2=\"{zero:.1}\" stroke=\"{AXIS}\" stroke-width=\"1\"/>"
    );

    // Where the dates are: lines by the day; bars in equal slots.
    let slot = (right - left) / dates.len() as f64;
    let span_days = (last - first).num_days() as f64;
    let x_of_day = |d: NaiveDate| {
        if span_days > 0.0 {
            left + INSET + (right - left - 2.0 * INSET) * (d - first).num_days() as f64 / span_days
        } else {
            (left + right) / 2.0
        }
    };
    let x_of = |i: usize, d: NaiveDate| {
        if chart.stacked {
            left + slot * (i as f64 + 0.5)
        } else {
            x_of_day(d)
        }
    };

    // Date labels: at most MAX_X_LABELS, evenly by index, never overlapping
    // or repeating the one before.
    let every = dates.len().div_ceil(MAX_X_LABELS).max(1);
    let mut previous: Option<(f64, f64, String)> = None;
    for (i, d) in dates.iter().enumerate().step_by(every) {
        let label = period.axis_label(*d, chart.lang);
        let x = x_of(i, *d);
        let w = text_width(&label);
        if let Some((px, pw, pl)) = &previous
            && (*pl == label || x - px < (pw + w) / 2.0 + 8.0)
        {
            continue;
        }
        let _ = write!(
            out,
            "<text x=\"{x:.1}\" y=\"{:.1}\" fill=\"{TEXT}\" text-anchor=\"middle\">{}</text>",
            HEIGHT - 8.0,
            escape(&label)
        );
        previous = Some((x, w, label));
    }

    // The data.
    let hover = |k: usize, d: NaiveDate, v: f64| {
        let label = chart.series.get(k).map_or("", |s| s.label.as_str());
        let when = period.long_label(d, chart.lang);
        let value = format_value(v, chart.lang);
        if label.is_empty() {
            escape(&format!("{when} {value}"))
        } else {
            escape(&format!("{label}: {when} {value}"))
        }
    };
    if chart.stacked {
        let bar = (slot * 0.7).min(48.0);
        for (i, (d, stack)) in dates.iter().zip(&stacks).enumerate() {
            let x = x_of(i, *d) - bar / 2.0;
            let (mut up, mut down) = (0.0_f64, 0.0_f64);
            for (k, v) in stack.iter().enumerate() {
                let (from, to) = if *v > 0.0 {
                    up += v;
                    (up - v, up)
                } else if *v < 0.0 {
                    down += v;
                    (down - v, down)
                } else {
                    continue;
                };
                let (y1, y2) = (y_of(from), y_of(to));
                let _ = write!(
                    out,
                    "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{}</title></rect>",
                    y1.min(y2),
                    (y1 - y2).abs(),
                    colour(k),
                    hover(k, *d, *v)
                );
            }
        }
    } else {
        for (k, points) in series.iter().enumerate() {
            if points.is_empty() {
                continue;
            }
            let c = colour(k);
            let coords: Vec<String> = points
                .iter()
                .map(|(d, v)| format!("{:.1},{:.1}", x_of_day(*d), y_of(*v)))
                .collect();
            let _ = write!(
                out,
                "<polyline fill=\"none\" stroke=\"{c}\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\" points=\"{}\"/>",
                coords.join(" ")
            );
            for (d, v) in points {
                let _ = write!(
                    out,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{c}\" stroke=\"#fff\" stroke-width=\"1\"><title>{}</title></circle>",
                    x_of_day(*d),
                    y_of(*v),
                    hover(k, *d, *v)
                );
            }
        }
    }

    // The target: a dashed line to the target date (when plotted), labelled
    // at its right end, above the line unless that is off the plot.
    if let Some((value, date)) = target {
        let y = y_of(value);
        let end = match date {
            Some(d) if first <= d && d <= last => {
                if chart.stacked {
                    let i = dates.iter().filter(|p| **p <= d).count();
                    left + slot * i as f64
                } else {
                    x_of_day(d)
                }
            }
            _ => right,
        };
        let _ = write!(
            out,
            "<line x1=\"{left:.1}\" x2=\"{end:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"{TEXT}\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>"
        );
        if !chart.target_label.is_empty() {
            let w = text_width(chart.target_label);
            let (x, anchor) = if end - left >= w + 4.0 {
                (end, "end")
            } else {
                (end + 4.0, "start")
            };
            let ty = if y - top >= 14.0 { y - 4.0 } else { y + 13.0 };
            // On a white ground, to stay legible over bars and lines.
            let bx = if anchor == "end" {
                x - w - 3.0
            } else {
                x - 3.0
            };
            let _ = write!(
                out,
                "<rect x=\"{bx:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"14\" fill=\"#fff\" fill-opacity=\"0.85\"/><text x=\"{x:.1}\" y=\"{ty:.1}\" fill=\"{TEXT}\" text-anchor=\"{anchor}\">{}</text>",
                ty - 10.5,
                w + 6.0,
                escape(chart.target_label)
            );
        }
    }

    // The legend, above the plot, so the chart stands alone when printed.
    for item in &legend.items {
        let _ = write!(
            out,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"{TEXT}\">{}</text>",
            item.x,
            item.y,
            colour(item.series),
            item.x + 14.0,
            item.y + 9.0,
            escape(&item.label)
        );
    }

    out.push_str("</g></svg>");
    out
}

/// A key figure's state against its target, from its trend.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub track: FigureTrack,
    pub latest: Option<(NaiveDate, f64)>,
    /// latest minus the value before it.
    pub change: Option<f64>,
    /// The trend's value on the target date (today when there is none or it
    /// has passed): the least-squares line through the last up to 12 points,
    /// by day; the latest value when there is no line (one point, or all on
    /// one date). Given whenever there are points and a target.
    pub projected: Option<f64>,
}

/// Judges a key figure: Reached when the latest value meets the target, else
/// OnTrack or OffTrack by whether the trend meets it on the target date (or
/// today, when there is no target date or it has passed).
pub fn assess(
    points: &[(NaiveDate, f64)],
    direction: Direction,
    target: Option<f64>,
    target_date: Option<NaiveDate>,
    today: NaiveDate,
) -> Assessment {
    let points = clean(points);
    let Some(&latest) = points.last() else {
        return Assessment {
            track: FigureTrack::NoData,
            latest: None,
            change: None,
            projected: None,
        };
    };
    let change = points
        .len()
        .checked_sub(2)
        .and_then(|i| points.get(i))
        .map(|(_, before)| latest.1 - before);
    let Some(target) = target.filter(|t| t.is_finite()) else {
        return Assessment {
            track: FigureTrack::NoTarget,
            latest: Some(latest),
            change,
            projected: None,
        };
    };
    let meets = |v: f64| match direction {
        Direction::Higher => v >= target,
        Direction::Lower => v <= target,
    };
    let when = target_date.filter(|d| *d >= today).unwrap_or(today);
    let recent = points
        .get(points.len().saturating_sub(TREND_POINTS)..)
        .unwrap_or_default();
    let projected = trend_at(recent, when).unwrap_or(latest.1);
    let track = if meets(latest.1) {
        FigureTrack::Reached
    } else if meets(projected) {
        FigureTrack::OnTrack
    } else {
        FigureTrack::OffTrack
    };
    Assessment {
        track,
        latest: Some(latest),
        change,
        projected: Some(projected),
    }
}

/// "1.234,5" (Da) or "1,234.5" (En): at most one decimal (rounded half away
/// from zero), none when the value is whole; "–" for a value that is not a
/// number.
pub fn format_value(v: f64, lang: Lang) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let (thousands, decimal) = match lang {
        Lang::Da => ('.', ','),
        Lang::En => (',', '.'),
    };
    // Beyond 1e15 there are no decimals left to show (and tenths could
    // overflow).
    let (whole, tenth) = if v.abs() < 1e15 {
        let tenths = (v.abs() * 10.0).round();
        ((tenths / 10.0).trunc(), (tenths % 10.0) as u8)
    } else {
        (v.abs().round(), 0)
    };
    let digits = format!("{whole:.0}");
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 3);
    if v < 0.0 && (whole > 0.0 || tenth > 0) {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(thousands);
        }
        out.push(c);
    }
    if tenth > 0 {
        out.push(decimal);
        out.push(char::from(b'0' + tenth.min(9)));
    }
    out
}

/// The points with a finite value, by date.
fn clean(points: &[(NaiveDate, f64)]) -> Vec<(NaiveDate, f64)> {
    let mut points: Vec<(NaiveDate, f64)> = points
        .iter()
        .copied()
        .filter(|(_, v)| v.is_finite())
        .collect();
    points.sort_by_key(|(d, _)| *d);
    points
}

/// The least-squares line through the points (x: days since the first),
/// evaluated on `when`; None without a line.
fn trend_at(points: &[(NaiveDate, f64)], when: NaiveDate) -> Option<f64> {
    let first = points.first()?.0;
    let n = points.len() as f64;
    let days = |d: NaiveDate| (d - first).num_days() as f64;
    let mean_x = points.iter().map(|(d, _)| days(*d)).sum::<f64>() / n;
    let mean_y = points.iter().map(|(_, v)| v).sum::<f64>() / n;
    let (sxx, sxy) = points.iter().fold((0.0, 0.0), |(sxx, sxy), (d, v)| {
        let dx = days(*d) - mean_x;
        (sxx + dx * dx, sxy + dx * (v - mean_y))
    });
    if sxx <= 0.0 {
        return None;
    }
    let value = mean_y + sxy / sxx * (days(when) - mean_x);
    value.is_finite().then_some(value)
}

/// The y axis: from `min` to `max` in `intervals` steps of `step`.
struct Scale {
    min: f64,
    max: f64,
    step: f64,
    intervals: usize,
}

impl Scale {
    /// The smallest round step (1, 2, 2.5 or 5 times a power of ten, 0.1 at
    /// least, no quarter below 25) that covers `lo..=hi` and 0 in at most five
    /// steps.
    fn nice(lo: f64, hi: f64) -> Scale {
        // Beyond ±1e300 the range could overflow.
        let lo = lo.clamp(-1e300, 0.0);
        let hi = hi.clamp(0.0, 1e300);
        let hi = if hi > lo { hi } else { lo + 1.0 };
        let range = hi - lo;
        if !range.is_finite() {
            return Scale {
                min: lo,
                max: hi,
                step: hi,
                intervals: 1,
            };
        }
        let mut power = ((range / 5.0).log10().floor() as i32).max(-1);
        for _ in 0..8 {
            let base = 10_f64.powi(power);
            for (m, from_power) in [(1.0, -1), (2.0, -1), (2.5, 1), (5.0, -1)] {
                if power < from_power {
                    continue;
                }
                let step = m * base;
                let min = (lo / step).floor() * step;
                let max = (hi / step).ceil() * step;
                let intervals = ((max - min) / step).round();
                if intervals <= 5.0 && max.is_finite() && min.is_finite() {
                    return Scale {
                        min,
                        max,
                        step,
                        intervals: intervals.max(1.0) as usize,
                    };
                }
            }
            power += 1;
        }
        Scale {
            min: lo,
            max: hi,
            step: range,
            intervals: 1,
        }
    }
}

/// How far apart the dates are, for their labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Period {
    /// All on 31 December (or all on 1 January): "2024".
    Year,
    /// At most one a month, all on the first or all on the last day: "jan 26".
    Month,
    Day,
}

impl Period {
    /// `dates` sorted, without repeats.
    fn of(dates: &[NaiveDate]) -> Period {
        let last_of_month = |d: &NaiveDate| d.succ_opt().is_none_or(|n| n.day() == 1);
        if dates.iter().all(|d| d.month() == 12 && d.day() == 31)
            || dates.iter().all(|d| d.month() == 1 && d.day() == 1)
        {
            Period::Year
        } else if (dates.iter().all(|d| d.day() == 1) || dates.iter().all(last_of_month))
            && dates
                .windows(2)
                .all(|w| (w[0].year(), w[0].month()) != (w[1].year(), w[1].month()))
        {
            Period::Month
        } else {
            Period::Day
        }
    }

    /// On the x axis: "2024", or "jan 26" / "Jan 26".
    fn axis_label(self, d: NaiveDate, lang: Lang) -> String {
        match self {
            Period::Year => d.year().to_string(),
            Period::Month | Period::Day => {
                format!("{} {:02}", month_name(d, lang), d.year().rem_euclid(100))
            }
        }
    }

    /// In a point's title: "2024", "jan 2026", "31.12.2025" / "31 Dec 2025".
    fn long_label(self, d: NaiveDate, lang: Lang) -> String {
        match (self, lang) {
            (Period::Year, _) => d.year().to_string(),
            (Period::Month, _) => format!("{} {}", month_name(d, lang), d.year()),
            (Period::Day, Lang::Da) => d.format("%d.%m.%Y").to_string(),
            (Period::Day, Lang::En) => {
                format!("{} {} {}", d.day(), month_name(d, lang), d.year())
            }
        }
    }
}

fn month_name(d: NaiveDate, lang: Lang) -> &'static str {
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
    names.get(d.month0() as usize).copied().unwrap_or("")
}

/// The legend's entries, placed left to right, wrapping to more rows.
#[derive(Default)]
struct Legend {
    items: Vec<LegendItem>,
    rows: usize,
}

struct LegendItem {
    series: usize,
    label: String,
    x: f64,
    y: f64,
}

impl Legend {
    fn lay_out(series: &[Series], left: f64, right: f64) -> Legend {
        let mut items = Vec::with_capacity(series.len());
        let (mut x, mut row) = (left, 0_usize);
        for (k, s) in series.iter().enumerate() {
            let label = if s.label.chars().count() > LEGEND_CHARS {
                let mut short: String = s.label.chars().take(LEGEND_CHARS - 1).collect();
                short.push('…');
                short
            } else {
                s.label.clone()
            };
            let width = 14.0 + text_width(&label);
            if x > left && x + width > right {
                x = left;
                row += 1;
            }
            items.push(LegendItem {
                series: k,
                label,
                x,
                y: 8.0 + 16.0 * row as f64,
            });
            x += width + 16.0;
        }
        let rows = if items.is_empty() { 0 } else { row + 1 };
        Legend { items, rows }
    }
}

fn colour(k: usize) -> &'static str {
    COLOURS.get(k % COLOURS.len()).copied().unwrap_or(TEXT)
}

fn text_width(s: &str) -> f64 {
    s.chars().count() as f64 * CHAR_W
}

/// Text for SVG markup: the five special characters escaped, and the
/// control characters XML does not allow dropped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn line(label: &str, points: &[(NaiveDate, f64)]) -> Series {
        Series {
            label: label.to_string(),
            points: points.to_vec(),
        }
    }

    fn chart<'a>(series: &'a [Series], target: Option<(f64, Option<NaiveDate>)>) -> Chart<'a> {
        Chart {
            id: "fig-3",
            title: "Virksomheder i kontakt",
            desc: "Seneste værdi 74",
            series,
            target,
            stacked: false,
            lang: Lang::Da,
            target_label: "Mål 60",
        }
    }

    fn count(haystack: &str, needle: &str) -> usize {
        haystack.matches(needle).count()
    }

    // --- assess ---

    #[test]
    fn no_points_is_no_data() {
        let a = assess(&[], Direction::Higher, Some(10.0), None, d(2026, 1, 1));
        assert_eq!(
            a,
            Assessment {
                track: FigureTrack::NoData,
                latest: None,
                change: None,
                projected: None
            }
        );
        // Only values that are not numbers: no data either.
        let a = assess(
            &[(d(2025, 1, 1), f64::NAN), (d(2025, 2, 1), f64::INFINITY)],
            Direction::Higher,
            Some(10.0),
            None,
            d(2026, 1, 1),
        );
        assert_eq!(a.track, FigureTrack::NoData);
    }

    #[test]
    fn no_target_still_gives_latest_and_change() {
        let a = assess(
            &[(d(2025, 1, 31), 10.0), (d(2025, 2, 28), 14.0)],
            Direction::Higher,
            None,
            Some(d(2027, 1, 1)),
            d(2026, 1, 1),
        );
        assert_eq!(a.track, FigureTrack::NoTarget);
        assert_eq!(a.latest, Some((d(2025, 2, 28), 14.0)));
        assert_eq!(a.change, Some(4.0));
        assert_eq!(a.projected, None);
    }

    #[test]
    fn latest_meeting_the_target_is_reached() {
        // Falling, but the latest value already meets the target.
        let a = assess(
            &[(d(2025, 1, 1), 90.0), (d(2025, 6, 1), 80.0)],
            Direction::Higher,
            Some(80.0),
            Some(d(2027, 1, 1)),
            d(2025, 7, 1),
        );
        assert_eq!(a.track, FigureTrack::Reached);
        assert_eq!(a.change, Some(-10.0));
        let a = assess(
            &[(d(2025, 1, 1), 90.0), (d(2025, 6, 1), 55.0)],
            Direction::Lower,
            Some(60.0),
            None,
            d(2025, 7, 1),
        );
        assert_eq!(a.track, FigureTrack::Reached);
    }

    #[test]
    fn rising_trend_reaching_the_target_in_time_is_on_track() {
        // +10 a month (by day: 31 then 30 days), 50 by 1 March; target 100 by
        // 1 August: the line gives about 100.
        let points = [
            (d(2025, 1, 1), 30.0),
            (d(2025, 2, 1), 40.0),
            (d(2025, 3, 1), 50.0),
        ];
        let a = assess(
            &points,
            Direction::Higher,
            Some(95.0),
            Some(d(2025, 8, 1)),
            d(2025, 3, 10),
        );
        assert_eq!(a.track, FigureTrack::OnTrack);
        let p = a.projected.unwrap();
        assert!((p - 101.6).abs() < 0.1, "{p}");
        // The same trend, but the target date is too soon.
        let a = assess(
            &points,
            Direction::Higher,
            Some(95.0),
            Some(d(2025, 5, 1)),
            d(2025, 3, 10),
        );
        assert_eq!(a.track, FigureTrack::OffTrack);
    }

    #[test]
    fn flat_or_falling_trend_is_off_track() {
        let a = assess(
            &[
                (d(2025, 1, 1), 50.0),
                (d(2025, 2, 1), 48.0),
                (d(2025, 3, 1), 47.0),
            ],
            Direction::Higher,
            Some(60.0),
            Some(d(2030, 1, 1)),
            d(2025, 3, 10),
        );
        assert_eq!(a.track, FigureTrack::OffTrack);
        assert!(a.projected.unwrap() < 47.0);
    }

    #[test]
    fn lower_is_better_ranking_is_judged_by_its_projection() {
        // DI's ranking 83 → 74 in a year: -9 a year.
        let points = [(d(2023, 12, 31), 83.0), (d(2024, 12, 31), 74.0)];
        let today = d(2025, 3, 1);
        // Three more years at -9: about 47, below 60.
        let a = assess(
            &points,
            Direction::Lower,
            Some(60.0),
            Some(d(2027, 12, 31)),
            today,
        );
        assert_eq!(a.track, FigureTrack::OnTrack);
        assert!((a.projected.unwrap() - 47.0).abs() < 0.5);
        assert_eq!(a.change, Some(-9.0));
        // One more year: 65, not yet 60.
        let a = assess(
            &points,
            Direction::Lower,
            Some(60.0),
            Some(d(2025, 12, 31)),
            today,
        );
        assert_eq!(a.track, FigureTrack::OffTrack);
        assert!((a.projected.unwrap() - 65.0).abs() < 0.5);
        // Getting worse: off track whatever the date.
        let worse = [(d(2023, 12, 31), 74.0), (d(2024, 12, 31), 83.0)];
        let a = assess(
            &worse,
            Direction::Lower,
            Some(60.0),
            Some(d(2040, 1, 1)),
            today,
        );
        assert_eq!(a.track, FigureTrack::OffTrack);
    }

    #[test]
    fn a_passed_or_missing_target_date_judges_the_trend_today() {
        let points = [(d(2025, 1, 1), 10.0), (d(2025, 1, 11), 20.0)]; // +1 a day
        let today = d(2025, 1, 21);
        for date in [None, Some(d(2024, 6, 1))] {
            let a = assess(&points, Direction::Higher, Some(25.0), date, today);
            assert_eq!(a.track, FigureTrack::OnTrack, "{date:?}");
            assert!((a.projected.unwrap() - 30.0).abs() < 1e-9);
        }
    }

    #[test]
    fn one_point_projects_itself() {
        let a = assess(
            &[(d(2025, 1, 1), 10.0)],
            Direction::Higher,
            Some(20.0),
            Some(d(2030, 1, 1)),
            d(2025, 2, 1),
        );
        assert_eq!(a.track, FigureTrack::OffTrack);
        assert_eq!(a.projected, Some(10.0));
        assert_eq!(a.change, None);
    }

    #[test]
    fn unsorted_input_is_sorted_and_nan_skipped() {
        let a = assess(
            &[
                (d(2025, 3, 1), 50.0),
                (d(2025, 4, 1), f64::NAN),
                (d(2025, 1, 1), 30.0),
                (d(2025, 2, 1), 40.0),
                (d(2025, 5, 1), f64::NEG_INFINITY),
            ],
            Direction::Higher,
            Some(95.0),
            Some(d(2025, 8, 1)),
            d(2025, 3, 10),
        );
        assert_eq!(a.latest, Some((d(2025, 3, 1), 50.0)));
        assert_eq!(a.change, Some(10.0));
        assert_eq!(a.track, FigureTrack::OnTrack);
    }

    #[test]
    fn the_trend_uses_the_last_twelve_points() {
        // A long fall, then twelve months rising 1 a month.
        let mut points: Vec<(NaiveDate, f64)> = (1..=12)
            .map(|m| (d(2023, m, 1), 100.0 - m as f64 * 5.0))
            .collect();
        points.extend((1..=12).map(|m| (d(2024, m, 1), 10.0 + m as f64)));
        let a = assess(
            &points,
            Direction::Higher,
            Some(30.0),
            Some(d(2025, 12, 1)),
            d(2025, 1, 1),
        );
        assert_eq!(a.track, FigureTrack::OnTrack);
        assert!(
            (a.projected.unwrap() - 34.0).abs() < 0.5,
            "{:?}",
            a.projected
        );
    }

    // --- format_value ---

    #[test]
    fn values_are_formatted_per_language() {
        assert_eq!(format_value(1234.5, Lang::Da), "1.234,5");
        assert_eq!(format_value(1234.5, Lang::En), "1,234.5");
        assert_eq!(format_value(74.0, Lang::Da), "74");
        assert_eq!(format_value(74.0, Lang::En), "74");
        // Half away from zero.
        assert_eq!(format_value(-3.25, Lang::Da), "-3,3");
        assert_eq!(format_value(-3.25, Lang::En), "-3.3");
        assert_eq!(format_value(2.25, Lang::En), "2.3");
        assert_eq!(format_value(0.0, Lang::Da), "0");
        assert_eq!(format_value(-0.04, Lang::Da), "0");
        assert_eq!(format_value(999.96, Lang::Da), "1.000");
        assert_eq!(format_value(1_234_567.0, Lang::Da), "1.234.567");
        assert_eq!(format_value(-1_234_567.0, Lang::En), "-1,234,567");
        assert_eq!(format_value(123.0, Lang::En), "123");
        assert_eq!(format_value(f64::NAN, Lang::Da), "–");
        assert_eq!(format_value(1e300, Lang::En).len(), 301 + 100);
    }

    // --- svg ---

    #[test]
    fn the_svg_is_labelled_by_its_title_and_description() {
        let s = [line("A", &[(d(2025, 1, 31), 1.0), (d(2025, 2, 28), 2.0)])];
        let svg = svg(&chart(&s, None));
        assert!(svg.starts_with(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 640 240\" role=\"img\" aria-labelledby=\"fig-3-title fig-3-desc\" class=\"chart\"><title id=\"fig-3-title\">Virksomheder i kontakt</title><desc id=\"fig-3-desc\">Seneste værdi 74</desc>"
        ));
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("style="));
    }

    #[test]
    fn text_is_escaped() {
        let s = [
            line("a<b>", &[(d(2025, 1, 31), 1.0)]),
            line("\"x\" & 'y'", &[(d(2025, 1, 31), 2.0)]),
        ];
        let mut c = chart(&s, Some((3.0, None)));
        c.title = "Mål <&> 'x'";
        c.desc = "a \"b\" & c";
        c.target_label = "<Mål>";
        let svg = svg(&c);
        assert!(svg.contains("<title id=\"fig-3-title\">Mål &lt;&amp;&gt; &#39;x&#39;</title>"));
        assert!(svg.contains("<desc id=\"fig-3-desc\">a &quot;b&quot; &amp; c</desc>"));
        assert!(svg.contains("&lt;Mål&gt;</text>"));
        assert!(svg.contains("a&lt;b&gt;</text>"));
        assert!(svg.contains("&quot;x&quot; &amp; &#39;y&#39;</text>"));
        assert!(!svg.contains("<&>") && !svg.contains("<b>") && !svg.contains("<Mål>"));
    }

    #[test]
    fn lines_have_one_polyline_per_series_and_a_dot_per_point() {
        let s = [
            line(
                "A",
                &[
                    (d(2025, 1, 31), 1.0),
                    (d(2025, 2, 28), 2.0),
                    (d(2025, 3, 31), 3.0),
                ],
            ),
            line(
                "B",
                &[
                    (d(2025, 1, 31), 4.0),
                    (d(2025, 2, 28), f64::NAN),
                    (d(2025, 3, 31), 6.0),
                ],
            ),
        ];
        let svg = svg(&chart(&s, None));
        assert_eq!(count(&svg, "<polyline"), 2);
        assert_eq!(count(&svg, "<circle"), 5);
        assert_eq!(count(&svg, "fill=\"none\" stroke=\"#1f5f99\""), 1);
        assert_eq!(count(&svg, "fill=\"none\" stroke=\"#2e8540\""), 1);
        assert!(svg.contains("<title>A: feb 2025 2</title>"));
        assert!(svg.contains("<title>B: mar 2025 6</title>"));
        // Month labels on the x axis.
        assert!(svg.contains(">jan 25</text>") && svg.contains(">mar 25</text>"));
        // Two series: a legend.
        assert_eq!(count(&svg, "width=\"10\" height=\"10\""), 2);
        assert!(svg.contains(">A</text>") && svg.contains(">B</text>"));
    }

    #[test]
    fn one_series_has_no_legend() {
        let s = [line("A", &[(d(2025, 1, 31), 1.0), (d(2025, 2, 28), 2.0)])];
        let svg = svg(&chart(&s, None));
        assert!(!svg.contains("<rect"));
    }

    #[test]
    fn stacked_bars_have_a_rect_per_non_zero_segment() {
        let dates = [d(2025, 1, 1), d(2025, 2, 1)];
        let s = [
            line("Fleksjob", &[(dates[0], 2.0), (dates[1], 0.0)]),
            line("Praktik", &[(dates[0], 3.0), (dates[1], 1.0)]),
        ];
        let mut c = chart(&s, None);
        c.stacked = true;
        let svg = svg(&c);
        assert_eq!(count(&svg, "<polyline"), 0);
        assert_eq!(count(&svg, "<circle"), 0);
        // Three segments and two legend swatches.
        assert_eq!(count(&svg, "<rect"), 5);
        assert_eq!(count(&svg, "</rect>"), 3);
        assert!(svg.contains("<title>Praktik: feb 2025 1</title></rect>"));
        assert!(!svg.contains("Fleksjob: feb 2025"));
    }

    #[test]
    fn stacked_bars_sit_on_each_other() {
        let s = [
            line("a", &[(d(2025, 1, 1), 2.0)]),
            line("b", &[(d(2025, 1, 1), 3.0)]),
        ];
        let mut c = chart(&s, None);
        c.stacked = true;
        let svg = svg(&c);
        // Parse the two segments' y and height: the upper one ends where the
        // lower one starts.
        let rects: Vec<(f64, f64)> = svg
            .split("<rect ")
            .skip(1)
            .filter(|r| r.contains("</title>"))
            .map(|r| {
                let attr = |name: &str| -> f64 {
                    let from = r.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
                    let len = r[from..].find('"').unwrap();
                    r[from..from + len].parse().unwrap()
                };
                (attr("y"), attr("height"))
            })
            .collect();
        assert_eq!(rects.len(), 2);
        let (lower, upper) = (rects[0], rects[1]);
        assert!((upper.0 + upper.1 - lower.0).abs() < 0.11, "{rects:?}");
        assert!((upper.1 / lower.1 - 1.5).abs() < 0.01, "{rects:?}");
    }

    #[test]
    fn the_target_is_a_dashed_line_only_when_given() {
        let s = [line("A", &[(d(2025, 1, 31), 1.0), (d(2025, 12, 31), 2.0)])];
        let without = svg(&chart(&s, None));
        assert!(!without.contains("stroke-dasharray"));
        assert!(!without.contains("Mål 60"));
        let with = svg(&chart(&s, Some((60.0, Some(d(2027, 12, 31))))));
        assert_eq!(count(&with, "stroke-dasharray=\"6 4\""), 1);
        assert!(with.contains(">Mål 60</text>"));
        // The axis reaches the target.
        assert!(with.contains(">60</text>"));
        // A target that is not a number is left out.
        let nan = svg(&chart(&s, Some((f64::NAN, None))));
        assert!(!nan.contains("stroke-dasharray"));
    }

    #[test]
    fn the_target_line_ends_at_a_plotted_target_date() {
        let s = [line(
            "A",
            &[
                (d(2025, 1, 1), 1.0),
                (d(2025, 1, 11), 2.0),
                (d(2025, 1, 21), 3.0),
            ],
        )];
        let dashed_end = |svg: &str| -> f64 {
            let line = svg
                .split("<line ")
                .find(|l| l.contains("dasharray"))
                .unwrap();
            let from = line.find("x2=\"").unwrap() + 4;
            let len = line[from..].find('"').unwrap();
            line[from..from + len].parse().unwrap()
        };
        let beyond = svg(&chart(&s, Some((2.5, Some(d(2026, 1, 1))))));
        assert_eq!(dashed_end(&beyond), 624.0);
        let within = svg(&chart(&s, Some((2.5, Some(d(2025, 1, 11))))));
        let middle = (48.0 + 624.0) / 2.0;
        assert!((dashed_end(&within) - middle).abs() < 0.11);
    }

    #[test]
    fn yearly_figures_are_labelled_by_year() {
        let s = [line(
            "Placering",
            &[(d(2024, 12, 31), 74.0), (d(2023, 12, 31), 83.0)],
        )];
        let mut c = chart(&s, Some((60.0, Some(d(2027, 12, 31)))));
        c.lang = Lang::En;
        let svg = svg(&c);
        assert!(svg.contains(">2023</text>") && svg.contains(">2024</text>"));
        assert!(svg.contains("<title>Placering: 2024 74</title>"));
        assert!(!svg.contains("Dec"));
    }

    #[test]
    fn at_most_eight_dates_are_labelled() {
        let points: Vec<(NaiveDate, f64)> = (0..36)
            .map(|i| (d(2023 + i / 12, (i % 12) as u32 + 1, 1), i as f64))
            .collect();
        let s = [line("A", &points)];
        let svg = svg(&chart(&s, None));
        let labels = svg.matches("text-anchor=\"middle\"").count();
        assert!((4..=8).contains(&labels), "{labels}");
        assert!(svg.contains(">jan 23</text>"));
    }

    #[test]
    fn the_y_axis_starts_at_zero_or_the_lowest_value() {
        let s = [line("A", &[(d(2025, 1, 1), 40.0), (d(2025, 2, 1), 50.0)])];
        let svg1 = svg(&chart(&s, None));
        assert!(svg1.contains(">0</text>") && svg1.contains(">50</text>"));
        let s = [line("A", &[(d(2025, 1, 1), -3.0), (d(2025, 2, 1), 7.0)])];
        let svg2 = svg(&chart(&s, None));
        assert!(
            svg2.contains(">-4</text>") || svg2.contains(">-5</text>"),
            "{svg2}"
        );
        assert!(svg2.contains(">0</text>"));
    }

    #[test]
    fn empty_data_gives_a_valid_svg_with_a_dash() {
        for series in [
            vec![],
            vec![line("A", &[])],
            vec![line("A", &[(d(2025, 1, 1), f64::NAN)])],
        ] {
            for stacked in [false, true] {
                let mut c = chart(&series, Some((60.0, None)));
                c.stacked = stacked;
                let svg = svg(&c);
                assert!(svg.contains("aria-labelledby=\"fig-3-title fig-3-desc\""));
                assert!(svg.contains("<title id=\"fig-3-title\">"));
                assert!(svg.contains("text-anchor=\"middle\">–</text></svg>"));
                assert!(!svg.contains("<polyline"));
            }
        }
    }

    #[test]
    fn odd_data_does_not_panic() {
        let one = [line("A", &[(d(2025, 6, 1), 5.0)])];
        let equal = [line("A", &[(d(2025, 1, 1), 0.0), (d(2025, 2, 1), 0.0)])];
        let negative = [line("A", &[(d(2025, 1, 1), -5.0), (d(2025, 2, 1), -7.5)])];
        let huge = [line(
            "A",
            &[(d(2025, 1, 1), f64::MAX), (d(2025, 2, 1), f64::MIN)],
        )];
        let tiny = [line(
            "A",
            &[(d(2025, 1, 1), 1e-300), (d(2025, 2, 1), 2e-300)],
        )];
        let same_day = [line("A", &[(d(2025, 1, 1), 1.0), (d(2025, 1, 1), 2.0)])];
        let extremes = [line("A", &[(NaiveDate::MIN, 1.0), (NaiveDate::MAX, 2.0)])];
        for s in [
            &one[..],
            &equal,
            &negative,
            &huge,
            &tiny,
            &same_day,
            &extremes,
        ] {
            for stacked in [false, true] {
                for target in [
                    None,
                    Some((3.0, Some(d(2025, 1, 15)))),
                    Some((f64::INFINITY, None)),
                ] {
                    let mut c = chart(s, target);
                    c.stacked = stacked;
                    let svg = svg(&c);
                    assert!(svg.ends_with("</g></svg>"));
                    assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
                }
            }
            assess(
                &s[0].points,
                Direction::Lower,
                Some(1.0),
                Some(d(2026, 1, 1)),
                d(2025, 1, 1),
            );
        }
        let single = svg(&chart(&one, Some((10.0, None))));
        assert_eq!(count(&single, "<polyline"), 1);
        assert_eq!(count(&single, "<circle"), 1);
    }
}
