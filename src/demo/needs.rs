//! Demo recruitment needs: about one business in forty has told us of a need
//! in the last 90 days, by the public form or to a consultant. Older needs
//! have moved through the pipeline (with their history); recent ones are
//! new or in progress, some of them overdue. Deterministic for a seed.
use chrono::{Duration, TimeZone, Utc};
use chrono_tz::Europe::Copenhagen;
use entity::{business, contact_person, need_event, recruitment_need};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};

use crate::db;

/// At most this many demo needs, whatever the number of businesses.
const MAX_NEEDS: usize = 2_000;

/// Job titles by DB07 section letter; `None` for any section.
const JOBS: [(Option<&str>, &[&str]); 9] = [
    (
        Some("I"),
        &[
            "Tjener",
            "Kok",
            "Opvasker",
            "Receptionist",
            "Rengøringsassistent",
            "Barista",
        ],
    ),
    (
        Some("C"),
        &[
            "Bagermedhjælper",
            "Produktionsmedarbejder",
            "Maskinoperatør",
        ],
    ),
    (
        Some("F"),
        &[
            "Tømrer",
            "Murer",
            "Elektriker",
            "Malersvend",
            "Byggepladsmedhjælper",
        ],
    ),
    (
        Some("G"),
        &["Butiksassistent", "Lagermedarbejder", "Salgsassistent"],
    ),
    (
        Some("H"),
        &["Chauffør", "Lagermedarbejder", "Pakkeriassistent"],
    ),
    (
        Some("Q"),
        &[
            "Social- og sundhedshjælper",
            "Pædagogmedhjælper",
            "Køkkenmedhjælper",
        ],
    ),
    (
        Some("J"),
        &["IT-supporter", "Junior udvikler", "Kundeservicemedarbejder"],
    ),
    (
        Some("N"),
        &["Rengøringsassistent", "Servicemedarbejder", "Vicevært"],
    ),
    (
        None,
        &[
            "Kontorassistent",
            "Kundeservicemedarbejder",
            "Pakkeriassistent",
        ],
    ),
];

const QUALIFICATIONS: [&str; 6] = [
    "Ingen særlige krav; oplæring på stedet",
    "Erfaring fra branchen er et plus",
    "Kørekort B",
    "Hygiejnebevis",
    "Svendebrev",
    "Gerne erfaring med kundekontakt",
];

const LANGUAGES: [&str; 4] = [
    "Dansk",
    "Dansk eller engelsk",
    "Engelsk",
    "Dansk på mellemniveau",
];

const FREE_TEXT: [&str; 5] = [
    "Vi kan starte med en virksomhedspraktik.",
    "Mulighed for fleksible arbejdstider.",
    "Vi har gode erfaringer med løntilskud.",
    "Arbejdet foregår mest om morgenen.",
    "",
];

fn jobs_for(section: Option<&str>) -> &'static [&'static str] {
    JOBS.iter()
        .find(|(s, _)| s.is_some() && *s == section)
        .or_else(|| JOBS.iter().find(|(s, _)| s.is_none()))
        .map(|(_, jobs)| *jobs)
        .unwrap_or(&["Medarbejder"])
}

fn pick<'a>(rng: &mut ChaCha8Rng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

/// Where a need of this age has got to, and the statuses it passed through.
fn history(rng: &mut ChaCha8Rng, age_days: i64) -> Vec<&'static str> {
    let mut steps = vec!["new"];
    if age_days < 2 && rng.random_bool(0.7) {
        return steps;
    }
    steps.push("in_progress");
    if age_days < 6 && rng.random_bool(0.6) {
        return steps;
    }
    if rng.random_bool(0.08) {
        steps.push("withdrawn");
        return steps;
    }
    steps.push("candidates_proposed");
    if age_days < 20 && rng.random_bool(0.5) {
        return steps;
    }
    steps.push(match rng.random_range(0..10) {
        0..=5 => "filled",
        6..=7 => "partly_filled",
        _ => "closed_without_hire",
    });
    steps
}

const NOTES: [(&str, &str); 6] = [
    ("in_progress", "Ringet op; behovet er afklaret"),
    ("candidates_proposed", "To kandidater sendt til samtale"),
    ("filled", "Stillingen er besat"),
    ("partly_filled", "Én af stillingerne er besat"),
    (
        "closed_without_hire",
        "Ingen egnede kandidater i denne omgang",
    ),
    ("withdrawn", "Virksomheden har trukket behovet tilbage"),
];

/// Adds demo needs for some of `business_ids` (and their search entries).
pub async fn seed(
    db: &DatabaseConnection,
    seed: u64,
    business_ids: &[i32],
    consultant_ids: &[i32],
) -> anyhow::Result<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6e65_6564_7321);
    let wanted = (business_ids.len() / 40).clamp(1, MAX_NEEDS);
    let mut chosen: Vec<i32> = (0..wanted)
        .filter_map(|_| business_ids.get(rng.random_range(0..business_ids.len().max(1))))
        .copied()
        .collect();
    chosen.sort_unstable();
    chosen.dedup();
    let businesses = business::Entity::find()
        .filter(business::Column::Id.is_in(chosen.clone()))
        .order_by_asc(business::Column::Id)
        .all(db)
        .await?;
    let persons = contact_person::Entity::find()
        .filter(contact_person::Column::BusinessId.is_in(chosen))
        .filter(contact_person::Column::IsPrimary.eq(true))
        .all(db)
        .await?;
    let now = Utc::now();
    let today = now.with_timezone(&Copenhagen).date_naive();
    let tx = db::begin_write(db).await?;
    // Ages skewed to the recent weeks, where most of the open work is; the
    // oldest first, so references grow with time as real ones do.
    let mut plan: Vec<(&business::Model, i64, i64)> = businesses
        .iter()
        .map(|b| {
            // Half in the last three months (the open work), half spread
            // over two years (the dashboard's history).
            let r: f64 = rng.random();
            let age = if rng.random_bool(0.5) {
                r * r * 90.0
            } else {
                r * 730.0
            };
            (b, age as i64, rng.random_range(0..600i64))
        })
        .collect();
    plan.sort_by_key(|(_, age, minutes)| std::cmp::Reverse(age * 1440 + minutes));
    let mut ids = Vec::new();
    for (i, (b, age_days, minutes)) in plan.into_iter().enumerate() {
        let created_at = now - Duration::days(age_days) - Duration::minutes(minutes);
        let person = persons.iter().find(|p| p.business_id == b.id);
        let contact_email = person
            .and_then(|p| p.email.clone())
            .or_else(|| b.email.clone())
            .unwrap_or_else(|| format!("job{}@example.dk", b.cvr));
        let steps = history(&mut rng, age_days);
        let status = *steps.last().unwrap_or(&"new");
        let from_form = rng.random_bool(0.6);
        let consultant = b.consultant_id.or_else(|| {
            consultant_ids
                .get(rng.random_range(0..consultant_ids.len().max(1)))
                .copied()
        });
        // New needs from the form wait for someone to take them.
        let assigned = if status == "new" && from_form {
            None
        } else {
            consultant
        };
        let permanent = rng.random_bool(0.7);
        let start = today + Duration::days(rng.random_range(7..60) - age_days);
        let row = recruitment_need::ActiveModel {
            reference: Set(format!("pending-demo-{i}")),
            business_id: Set(Some(b.id)),
            cvr: Set(b.cvr),
            company_name: Set(b.name.clone()),
            contact_name: Set(person
                .map(|p| p.name.clone())
                .unwrap_or_else(|| "Kontaktperson".into())),
            contact_email: Set(contact_email),
            contact_phone: Set(person
                .and_then(|p| p.phone.clone())
                .or_else(|| b.phone.clone())),
            job_title: Set(pick(&mut rng, jobs_for(b.industry_section.as_deref())).to_string()),
            positions: Set(rng.random_range(1..=4)),
            hours_per_week: Set(Some(
                *[37, 37, 30, 25, 15]
                    .get(rng.random_range(0..5))
                    .unwrap_or(&37),
            )),
            start_date: Set(Some(start)),
            permanent: Set(permanent),
            temporary_until: Set(
                (!permanent).then(|| start + Duration::days(rng.random_range(60..240)))
            ),
            workplace_address: Set(b.street.as_ref().map(|s| match (b.postal_code, &b.city) {
                (Some(p), Some(c)) => format!("{s}, {p} {c}"),
                _ => s.clone(),
            })),
            qualifications: Set(Some(pick(&mut rng, &QUALIFICATIONS).to_string())),
            languages: Set(Some(pick(&mut rng, &LANGUAGES).to_string())),
            open_flex_job: Set(rng.random_bool(0.3)),
            open_wage_subsidy: Set(rng.random_bool(0.25)),
            open_work_trial: Set(rng.random_bool(0.2)),
            free_text: Set(Some(pick(&mut rng, &FREE_TEXT).to_string()).filter(|t| !t.is_empty())),
            lang: Set(if rng.random_bool(0.15) { "en" } else { "da" }.into()),
            status: Set(status.into()),
            source: Set(if from_form {
                "form"
            } else {
                pick(&mut rng, &["phone", "phone", "visit", "email"])
            }
            .into()),
            assigned_to: Set(assigned),
            idempotency_key: Set(format!("demo-{seed}-{i}")),
            confirm_token: Set(crate::web::auth::random_token()),
            email_confirmed: Set(from_form && rng.random_bool(0.7)),
            created_at: Set(created_at),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
        let created_day = Copenhagen
            .from_utc_datetime(&created_at.naive_utc())
            .date_naive();
        let mut am: recruitment_need::ActiveModel = row.clone().into();
        am.reference = Set(crate::recruitment::reference(
            chrono::Datelike::year(&created_day),
            row.id,
        ));
        am.update(&tx).await?;
        // The history: one event per step after "new". Most first contacts
        // keep the service promise (within the working day or the next);
        // the later steps are spread over the need's age.
        let span = (now - created_at).num_minutes().max(2);
        let first = if rng.random_bool(0.85) {
            rng.random_range(30..20 * 60)
        } else {
            rng.random_range(30 * 60..120 * 60)
        }
        .min(span / 2);
        let n = steps.len() as i64;
        for (k, step) in steps.iter().enumerate().skip(1) {
            // A need is settled within about two months.
            let window = (span - first).min(rng.random_range(10..60) * 24 * 60);
            let later = window * (k as i64 - 1) / (n - 1).max(1);
            let at = created_at + Duration::minutes(first + later);
            need_event::ActiveModel {
                need_id: Set(row.id),
                user_id: Set(assigned),
                status: Set(step.to_string()),
                note: Set(NOTES
                    .iter()
                    .find(|(s, _)| s == step)
                    .map(|(_, note)| note.to_string())),
                at: Set(at),
                ..Default::default()
            }
            .insert(&tx)
            .await?;
        }
        ids.push(row.id);
    }
    crate::search::sync::enqueue(
        &tx,
        crate::search::DocKind::Need,
        &ids,
        crate::search::sync::SyncOp::Upsert,
    )
    .await?;
    tx.commit().await?;
    Ok(ids.len())
}
