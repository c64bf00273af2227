//! The quarterly report: the dashboard's summary (tracks at a glance, the
//! key figures against their targets, the quarter's status updates) by
//! email to the council's address, through the outbox, once per quarter.
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::DatabaseConnection;
use serde::Serialize;
use tera::Context;

use super::commands::QueueQuarterlyReport;
use super::figures::FigureCache;
use super::queries;
use crate::app::{Actor, App};
use crate::domain::{DomainError, InitiativeStatus, Lang};

/// A calendar quarter, such as 2026Q4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quarter {
    pub year: i32,
    pub q: u32,
}

impl Quarter {
    /// `2026Q4`, `2026-Q4` or `2026q4`.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let s = s.trim().to_ascii_uppercase().replace('-', "");
        let (y, q) = s.split_once('Q').ok_or(DomainError::UnknownValue)?;
        let year: i32 = y.parse().map_err(|_| DomainError::UnknownValue)?;
        let q: u32 = q.parse().map_err(|_| DomainError::UnknownValue)?;
        if !(2000..=2100).contains(&year) || !(1..=4).contains(&q) {
            return Err(DomainError::UnknownValue);
        }
        Ok(Quarter { year, q })
    }

    pub fn containing(d: NaiveDate) -> Self {
        Quarter {
            year: d.year(),
            q: d.month0() / 3 + 1,
        }
    }

    /// The last quarter that has ended by `today`: what a report is about.
    pub fn last_complete(today: NaiveDate) -> Self {
        let this = Self::containing(today);
        if this.q == 1 {
            Quarter {
                year: this.year - 1,
                q: 4,
            }
        } else {
            Quarter {
                year: this.year,
                q: this.q - 1,
            }
        }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, (self.q - 1) * 3 + 1, 1).unwrap_or_default()
    }

    /// The day after the quarter.
    pub fn end(self) -> NaiveDate {
        let (y, m) = if self.q == 4 {
            (self.year + 1, 1)
        } else {
            (self.year, self.q * 3 + 1)
        };
        NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default()
    }

    pub fn code(self) -> String {
        format!("{}Q{}", self.year, self.q)
    }

    pub fn label(self, lang: Lang) -> String {
        match lang {
            Lang::Da => format!("{}. kvartal {}", self.q, self.year),
            Lang::En => format!("Q{} {}", self.q, self.year),
        }
    }
}

fn local_midnight(d: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    d.and_hms_opt(0, 0, 0)
        .and_then(|t| crate::app::clock::TZ.from_local_datetime(&t).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

#[derive(Serialize)]
struct FigureLine {
    name: String,
    latest: String,
    target: String,
    state: &'static str,
}

/// What pressing the button (or running the command) did.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Queued,
    AlreadyQueued,
}

/// Renders the report for `quarter` and queues it to `recipient`.
#[allow(clippy::too_many_arguments)]
pub async fn queue(
    app: &App,
    db: &DatabaseConnection,
    templates: &crate::email::render::EmailTemplates,
    figures: &FigureCache,
    first_contact_days: u32,
    app_url: &str,
    recipient: &str,
    quarter: Quarter,
    actor: Actor,
) -> anyhow::Result<Outcome> {
    let lang = Lang::Da;
    let now = app.clock.now();
    let today = app.clock.today();
    let tracks = queries::track_summaries(db, lang, now, false).await?;
    let statuses: Vec<&str> = InitiativeStatus::ALL
        .iter()
        .map(|s| s.label(lang))
        .collect();
    let figs = queries::figure_views(db, figures, first_contact_days, lang, today, false, None)
        .await?
        .into_iter()
        .map(|f| FigureLine {
            latest: f
                .latest
                .map(|v| format!("{v} ({})", f.latest_date.unwrap_or_default()))
                .unwrap_or_else(|| "–".into()),
            target: f
                .target
                .map(|t| format!("{t} {}", f.target_date.unwrap_or_default()))
                .unwrap_or_else(|| "–".into()),
            state: f.state_label,
            name: f.name,
        })
        .collect::<Vec<_>>();
    let period = (
        local_midnight(quarter.first_day()),
        local_midnight(quarter.end()),
    );
    let updates = queries::updates(db, lang, None, Some(period), 30).await?;
    let mut ctx = Context::new();
    ctx.insert("lang", lang.as_str());
    ctx.insert("quarter", &quarter.label(lang));
    ctx.insert("tracks", &tracks);
    ctx.insert("statuses", &statuses);
    ctx.insert("figures", &figs);
    ctx.insert("updates", &updates);
    ctx.insert("app_url", app_url);
    ctx.insert("total", &tracks.iter().map(|t| t.total).sum::<usize>());
    ctx.insert("stale", &tracks.iter().map(|t| t.stale).sum::<usize>());
    ctx.insert(
        "late",
        &tracks.iter().map(|t| t.late_milestones).sum::<usize>(),
    );
    let r = templates.render("quarterly_report", &ctx)?;
    let email = crate::email::outbox::NewEmail {
        recipient: recipient.to_string(),
        template: "quarterly_report".into(),
        lang: lang.as_str().into(),
        subject: r.subject,
        body_text: r.text,
        body_html: r.html,
        // Set by the command from the quarter.
        idempotency_key: String::new(),
        case_related: false,
        business_id: None,
        created_by: actor.user_id(),
        send_at: now,
    };
    let cmd = QueueQuarterlyReport {
        quarter: quarter.code(),
        email,
    };
    Ok(if app.run(actor, cmd).await? {
        Outcome::Queued
    } else {
        Outcome::AlreadyQueued
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn quarters_parse_and_the_report_is_about_the_last_one_ended() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(Quarter::parse("2026Q4"), Ok(Quarter { year: 2026, q: 4 }));
        assert_eq!(
            Quarter::parse(" 2026-q1 "),
            Ok(Quarter { year: 2026, q: 1 })
        );
        for bad in ["2026Q5", "2026", "Q4", "26Q4x", "2026Q0", ""] {
            assert!(Quarter::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Quarter::last_complete(d(2026, 12, 1)).code(), "2026Q3");
        assert_eq!(Quarter::last_complete(d(2027, 2, 1)).code(), "2026Q4");
        let q = Quarter::parse("2026Q4").unwrap();
        assert_eq!((q.first_day(), q.end()), (d(2026, 10, 1), d(2027, 1, 1)));
        assert_eq!(q.label(Lang::Da), "4. kvartal 2026");
    }
}
