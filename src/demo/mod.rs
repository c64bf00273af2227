//! Demo data: realistic, deterministic synthetic Copenhagen businesses,
//! contact persons, two years of contacts, recruitment needs in every state
//! of the pipeline and demo users for each role.
//! Every generated value goes through the same domain parsers as user input.
pub mod generator;
mod initiatives;
mod names;
mod needs;
mod placements;

use std::collections::HashMap;

use anyhow::Context;
use chrono::{TimeZone, Utc};
use chrono_tz::Europe::Copenhagen;
use entity::{app_user, business, business_segment, contact, contact_person, p_unit};
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect,
};

use crate::businesses::{BusinessInput, patch};
use crate::domain::{
    CompanyForm, ContactChannel, ContactOutcome, Cvr, EmailAddress, IndustryCode, PNumber, Phone,
    PostalCode, Role, Segment,
};
use crate::{db, web::auth};

/// The password of every demo user (printed by `erhverv demo`).
pub const DEMO_PASSWORD: &str = "erhverv-demo";
pub const DEFAULT_SEED: u64 = 2026;
pub const CONSULTANTS: usize = 40;
const CHUNK: usize = 500;

pub async fn is_empty(db: &DatabaseConnection) -> anyhow::Result<bool> {
    Ok(business::Entity::find().count(db).await? == 0
        && app_user::Entity::find().count(db).await? == 0)
}

fn progress(len: u64, what: &str, show: bool) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{msg:>14} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}

/// Seeds users, `n` businesses and their contacts into an empty database.
pub async fn seed(
    db: &DatabaseConnection,
    n: usize,
    seed: u64,
    show_progress: bool,
) -> anyhow::Result<()> {
    if business::Entity::find().count(db).await? > 0 {
        anyhow::bail!("the database already has businesses; seed only fills an empty database");
    }
    let consultant_ids = seed_users(db).await?;
    // Bulk inserts into empty tables: their indexes are built at the end.
    crate::import::bulk::defer(
        db,
        &[
            "business",
            "business_segment",
            "p_unit",
            "contact_person",
            "contact",
        ],
    )
    .await?;
    let business_ids = seed_businesses(db, n, seed, &consultant_ids, show_progress).await?;
    seed_contacts(db, seed, &business_ids, &consultant_ids, show_progress).await?;
    crate::import::bulk::restore(db).await?;
    needs::seed(db, seed, &business_ids, &consultant_ids).await?;
    placements::seed(db, seed, &business_ids, &consultant_ids).await?;
    initiatives::seed(db, seed, &business_ids, &consultant_ids).await?;
    seed_duplicates(db, &business_ids).await?;
    db::analyze(db).await?;
    Ok(())
}

/// A few duplicates, as a registry gets them: a business entered again
/// (from the public form) under its name in capitals and without its
/// company form, at the same address. The duplicates page finds them.
async fn seed_duplicates(db: &DatabaseConnection, business_ids: &[i32]) -> anyhow::Result<()> {
    let now = Utc::now();
    let step = (business_ids.len() / 8).max(1);
    let tx = db::begin_write(db).await?;
    for id in business_ids.iter().step_by(step).take(8) {
        let Some(b) = business::Entity::find_by_id(*id).one(&tx).await? else {
            continue;
        };
        if b.street.is_none() || b.postal_code.is_none() {
            continue;
        }
        // A free CVR number: the next valid one that nobody has.
        let mut cvr = None;
        for k in 1..500u32 {
            let n = (b.cvr as u32).wrapping_add(k * 7_919) % 89_999_999 + 10_000_000;
            if let Ok(c) = Cvr::parse(&format!("{n:08}"))
                && business::Entity::find()
                    .filter(business::Column::Cvr.eq(n as i32))
                    .one(&tx)
                    .await?
                    .is_none()
            {
                cvr = Some(c);
                break;
            }
        }
        let Some(cvr) = cvr else { continue };
        let forms = ["ApS", "A/S", "I/S", "IVS", "K/S", "P/S"];
        let mut words: Vec<&str> = b.name.split_whitespace().collect();
        if words.len() > 1 && words.last().is_some_and(|w| forms.contains(w)) {
            words.pop();
        }
        let mut m = patch::blank(cvr, "form", now);
        m.name = words.join(" ").to_uppercase();
        m.sort_name = m.name.to_lowercase();
        m.company_form = b.company_form.clone();
        m.street = b.street.clone();
        m.postal_code = b.postal_code;
        m.city = b.city.clone();
        m.district = b.district.clone();
        business::Entity::insert(patch::to_active(m, None))
            .exec_without_returning(&tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Creates the demo users (or finds them); returns the consultants' ids in
/// generator order.
async fn seed_users(db: &DatabaseConnection) -> anyhow::Result<Vec<i32>> {
    let users = generator::users(CONSULTANTS);
    // argon2 is slow by design: hash on the blocking pool, two at a time.
    let mut hashes = Vec::with_capacity(users.len());
    for chunk in users.chunks(users.len().div_ceil(2).max(1)) {
        let n = chunk.len();
        hashes.push(tokio::task::spawn_blocking(move || {
            (0..n)
                .map(|_| auth::hash_password(DEMO_PASSWORD))
                .collect::<Result<Vec<_>, _>>()
        }));
    }
    let mut all_hashes = Vec::new();
    for h in hashes {
        all_hashes.extend(h.await??);
    }
    let tx = db::begin_write(db).await?;
    let mut consultants = Vec::new();
    for (u, hash) in users.iter().zip(all_hashes) {
        let role = Role::parse(u.role).map_err(|e| anyhow::anyhow!("demo user role: {e}"))?;
        let existing = app_user::Entity::find()
            .filter(app_user::Column::Username.eq(&u.username))
            .one(&tx)
            .await?;
        let id = match existing {
            Some(e) => e.id,
            None => {
                let new = crate::users::NewUser {
                    username: u.username.clone(),
                    display_name: u.display_name.clone(),
                    email: EmailAddress::parse(&u.email)
                        .ok()
                        .map(|e| e.as_str().to_string()),
                    role,
                };
                crate::users::insert_demo_user(&tx, &new, hash).await?.id
            }
        };
        if role == Role::Consultant {
            consultants.push(id);
        }
    }
    tx.commit().await?;
    Ok(consultants)
}

fn input_of(b: &generator::SeedBusiness, consultant_ids: &[i32]) -> anyhow::Result<BusinessInput> {
    Ok(BusinessInput {
        cvr: Cvr::from_u32(b.cvr).map_err(|e| anyhow::anyhow!("seed CVR {}: {e}", b.cvr))?,
        name: b.name.clone(),
        company_form: CompanyForm::parse(b.company_form).map_err(|e| anyhow::anyhow!("{e}"))?,
        street: Some(b.street.clone()),
        postal_code: Some(
            PostalCode::parse(&b.postal_code.to_string()).map_err(|e| anyhow::anyhow!("{e}"))?,
        ),
        city: Some(b.city.clone()),
        industry_code: Some(
            IndustryCode::from_u32(b.industry_code).map_err(|e| anyhow::anyhow!("{e}"))?,
        ),
        employees: Some(b.employees),
        size: None,
        active: b.active,
        advertising_protected: b.advertising_protected,
        consultant_id: b.consultant.and_then(|i| consultant_ids.get(i).copied()),
        email: b.email.as_deref().and_then(|e| EmailAddress::parse(e).ok()),
        phone: b.phone.as_deref().and_then(|p| Phone::parse(p).ok()),
        notes: b.notes.clone(),
        segments: b
            .segments
            .iter()
            .filter_map(|s| Segment::parse(s).ok())
            .collect(),
    })
}

async fn seed_businesses(
    db: &DatabaseConnection,
    n: usize,
    seed: u64,
    consultant_ids: &[i32],
    show: bool,
) -> anyhow::Result<Vec<i32>> {
    let pb = progress(n as u64, "virksomheder", show);
    let mut ids = Vec::with_capacity(n);
    let mut iter = generator::businesses(seed, n, consultant_ids.len()).peekable();
    let now = Utc::now();
    while iter.peek().is_some() {
        let chunk: Vec<generator::SeedBusiness> = iter.by_ref().take(CHUNK).collect();
        let tx = db::begin_write(db).await?;
        let mut rows = Vec::with_capacity(chunk.len());
        let mut inputs = Vec::with_capacity(chunk.len());
        for b in &chunk {
            let input = input_of(b, consultant_ids)?;
            let mut m = patch::blank(input.cvr, "seed", now);
            input.patch().apply(&mut m);
            rows.push(patch::to_active(m, None));
            inputs.push(input);
        }
        business::Entity::insert_many(rows)
            .exec_without_returning(&tx)
            .await?;
        let cvrs: Vec<i32> = chunk.iter().map(|b| b.cvr as i32).collect();
        let by_cvr: HashMap<i32, i32> = business::Entity::find()
            .select_only()
            .column(business::Column::Cvr)
            .column(business::Column::Id)
            .filter(business::Column::Cvr.is_in(cvrs))
            .into_tuple::<(i32, i32)>()
            .all(&tx)
            .await?
            .into_iter()
            .collect();
        let mut segs = Vec::new();
        let mut units = Vec::new();
        let mut persons = Vec::new();
        for (b, input) in chunk.iter().zip(&inputs) {
            let id = *by_cvr
                .get(&(b.cvr as i32))
                .context("seeded business not found")?;
            ids.push(id);
            for s in &input.segments {
                segs.push(business_segment::ActiveModel {
                    business_id: Set(id),
                    segment: Set(s.as_str().into()),
                });
            }
            for p in &b.p_units {
                let Ok(pn) = PNumber::parse(&p.p_number.to_string()) else {
                    continue;
                };
                units.push(p_unit::ActiveModel {
                    business_id: Set(id),
                    p_number: Set(pn.value() as i64),
                    street: Set(Some(p.street.clone())),
                    postal_code: Set(Some(i32::from(p.postal_code))),
                    city: Set(Some(p.city.clone())),
                    ..Default::default()
                });
            }
            for p in &b.persons {
                persons.push(contact_person::ActiveModel {
                    business_id: Set(id),
                    name: Set(p.name.clone()),
                    role: Set(Some(p.role.clone())),
                    email: Set(p
                        .email
                        .as_deref()
                        .and_then(|e| EmailAddress::parse(e).ok())
                        .map(|e| e.as_str().to_string())),
                    phone: Set(p
                        .phone
                        .as_deref()
                        .and_then(|x| Phone::parse(x).ok())
                        .map(|x| x.as_str().to_string())),
                    is_primary: Set(p.primary),
                    ..Default::default()
                });
            }
        }
        let chunk_ids = &ids[ids.len() - chunk.len()..];
        crate::search::sync::enqueue(
            &tx,
            crate::search::DocKind::Business,
            chunk_ids,
            crate::search::sync::SyncOp::Upsert,
        )
        .await?;
        if !segs.is_empty() {
            business_segment::Entity::insert_many(segs)
                .exec_without_returning(&tx)
                .await?;
        }
        for part in units.chunks(CHUNK) {
            p_unit::Entity::insert_many(part.to_vec())
                .exec_without_returning(&tx)
                .await?;
        }
        for part in persons.chunks(CHUNK) {
            contact_person::Entity::insert_many(part.to_vec())
                .exec_without_returning(&tx)
                .await?;
        }
        tx.commit().await?;
        pb.inc(chunk.len() as u64);
    }
    pb.finish_and_clear();
    Ok(ids)
}

async fn seed_contacts(
    db: &DatabaseConnection,
    seed: u64,
    business_ids: &[i32],
    consultant_ids: &[i32],
    show: bool,
) -> anyhow::Result<()> {
    let today = Utc::now().with_timezone(&Copenhagen).date_naive();
    let mut iter =
        generator::contacts(seed, business_ids.len(), consultant_ids.len(), today).peekable();
    let pb = progress((business_ids.len() * 3) as u64, "kontakter", show);
    let now = Utc::now();
    while iter.peek().is_some() {
        let chunk: Vec<generator::SeedContact> = iter.by_ref().take(CHUNK * 2).collect();
        let rows: Vec<contact::ActiveModel> = chunk
            .iter()
            .filter_map(|c| {
                let at = Copenhagen
                    .from_local_datetime(&c.occurred_at)
                    .earliest()?
                    .with_timezone(&Utc);
                Some(contact::ActiveModel {
                    business_id: Set(*business_ids.get(c.business)?),
                    user_id: Set(*consultant_ids.get(c.consultant)?),
                    channel: Set(ContactChannel::parse(c.channel).ok()?.as_str().into()),
                    occurred_at: Set(at),
                    subject: Set(c.subject.clone()),
                    notes: Set(c.notes.clone()),
                    outcome: Set(ContactOutcome::parse(c.outcome).ok()?.as_str().into()),
                    follow_up_on: Set(c.follow_up_on),
                    follow_up_done: Set(c.follow_up_done),
                    created_at: Set(now),
                    ..Default::default()
                })
            })
            .collect();
        let tx = db::begin_write(db).await?;
        if !rows.is_empty() {
            contact::Entity::insert_many(rows)
                .exec_without_returning(&tx)
                .await?;
        }
        tx.commit().await?;
        pb.inc(chunk.len() as u64);
    }
    pb.finish_and_clear();
    Ok(())
}
