//! Duplicate businesses: finding them, merging two (every contact, person,
//! P-unit, need, placement, follow-up, email and initiative link moves to
//! the business kept), and undoing a merge from its audit entry.
//!
//! The merged business is not deleted: it is marked `merged_into` and
//! leaves every list, count and the search index. `business_merge` records
//! exactly which rows moved and which empty fields of the kept business
//! were filled from it, so an undo puts back only those.
use std::collections::{BTreeMap, HashMap};

use entity::{
    business, business_merge, business_segment, contact, contact_person, initiative_business,
    outbox_email, p_unit, placement, recruitment_need,
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, Statement,
    sea_query::{Expr, ExprTrait, Func},
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::app::{Cache, Command, Error, Result, UnitOfWork};
use crate::domain::{AuditAction, AuditEntity, DomainError};
use crate::search::DocKind;

/// What a merge moved, to undo it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    /// Row ids per table that moved from the merged business to the kept one.
    pub rows: BTreeMap<String, Vec<i64>>,
    /// Columns of the kept business that were empty and got the merged
    /// one's value (column, value as stored).
    pub filled: BTreeMap<String, serde_json::Value>,
    /// Segments the kept business got from the merged one.
    pub segments_added: Vec<String>,
    /// The merged business's segments (restored on undo).
    pub segments_of_merged: Vec<String>,
    /// Initiative links of the merged business to initiatives the kept one
    /// was already linked to (dropped; restored on undo).
    pub links_dropped: Vec<i32>,
    /// The merged business's `active` before the merge.
    pub was_active: bool,
}

impl Moved {
    pub fn count(&self) -> usize {
        self.rows.values().map(Vec::len).sum()
    }
}

/// The tables with a business id whose rows move, by name.
const TABLES: [&str; 7] = [
    "p_unit",
    "contact_person",
    "contact",
    "recruitment_need",
    "placement",
    "outbox_email",
    "initiative_business",
];

async fn ids_of<C: ConnectionTrait>(db: &C, table: &str, business: i32) -> Result<Vec<i64>> {
    macro_rules! ids {
        ($entity:ident) => {
            $entity::Entity::find()
                .filter($entity::Column::BusinessId.eq(business))
                .all(db)
                .await?
                .into_iter()
                .map(|r| i64::from(r.id))
                .collect()
        };
    }
    Ok(match table {
        "p_unit" => ids!(p_unit),
        "contact_person" => ids!(contact_person),
        "contact" => ids!(contact),
        "recruitment_need" => ids!(recruitment_need),
        "placement" => ids!(placement),
        "initiative_business" => ids!(initiative_business),
        "outbox_email" => outbox_email::Entity::find()
            .filter(outbox_email::Column::BusinessId.eq(business))
            .all(db)
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect(),
        _ => Vec::new(),
    })
}

/// Moves these rows of `table` to business `to` (only those still at `from`).
async fn move_rows<C: ConnectionTrait>(
    db: &C,
    table: &str,
    ids: &[i64],
    from: i32,
    to: i32,
) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    if ids.len() > 500 {
        for part in ids.chunks(500) {
            Box::pin(move_rows(db, table, part, from, to)).await?;
        }
        return Ok(());
    }
    let ids32: Vec<i32> = ids.iter().filter_map(|i| i32::try_from(*i).ok()).collect();
    macro_rules! mv {
        ($entity:ident, $ids:expr) => {{
            $entity::Entity::update_many()
                .col_expr($entity::Column::BusinessId, Expr::value(to))
                .filter($entity::Column::Id.is_in($ids))
                .filter($entity::Column::BusinessId.eq(from))
                .exec(db)
                .await?;
        }};
    }
    match table {
        "p_unit" => mv!(p_unit, ids32),
        "contact_person" => mv!(contact_person, ids32),
        "contact" => mv!(contact, ids32),
        "recruitment_need" => mv!(recruitment_need, ids32),
        "placement" => mv!(placement, ids32),
        "initiative_business" => mv!(initiative_business, ids32),
        "outbox_email" => mv!(outbox_email, ids.to_vec()),
        _ => {}
    }
    Ok(())
}

/// The columns an empty field of the kept business takes from the merged one.
fn fill(
    kept: &mut business::Model,
    merged: &business::Model,
) -> BTreeMap<String, serde_json::Value> {
    let mut filled = BTreeMap::new();
    macro_rules! take {
        ($($col:ident),*) => {$(
            if kept.$col.is_none() && merged.$col.is_some() {
                kept.$col = merged.$col.clone();
                filled.insert(stringify!($col).to_string(), json!(merged.$col));
            }
        )*};
    }
    take!(
        street,
        postal_code,
        city,
        district,
        industry_code,
        industry_section,
        employees,
        size_band,
        consultant_id,
        email,
        phone,
        notes
    );
    filled
}

/// Merges business `merge` into business `keep`.
pub struct MergeBusinesses {
    pub keep: i32,
    pub merge: i32,
}

#[async_trait::async_trait]
impl Command for MergeBusinesses {
    /// The merge's id (for its undo).
    type Output = i32;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<i32> {
        if self.keep == self.merge {
            return Err(Error::invalid("merge", DomainError::MergeWithItself));
        }
        let tx = uow.tx();
        let lock = |id: i32| async move {
            crate::app::for_update(tx, business::Entity::find_by_id(id))
                .one(tx)
                .await?
                .filter(|b| b.merged_into.is_none())
                .ok_or(Error::NotFound)
        };
        // Locked in id order, so two merges of one pair at once can't deadlock.
        let (kept, merged) = if self.keep < self.merge {
            let k = lock(self.keep).await?;
            (k, lock(self.merge).await?)
        } else {
            let m = lock(self.merge).await?;
            (lock(self.keep).await?, m)
        };
        let mut moved = Moved {
            was_active: merged.active,
            ..Default::default()
        };
        // Initiative links the kept business has already: dropped, not doubled.
        let kept_links: Vec<i32> = initiative_business::Entity::find()
            .filter(initiative_business::Column::BusinessId.eq(kept.id))
            .all(tx)
            .await?
            .into_iter()
            .map(|l| l.initiative_id)
            .collect();
        let doubled: Vec<initiative_business::Model> = initiative_business::Entity::find()
            .filter(initiative_business::Column::BusinessId.eq(merged.id))
            .filter(initiative_business::Column::InitiativeId.is_in(kept_links))
            .all(tx)
            .await?;
        if !doubled.is_empty() {
            initiative_business::Entity::delete_many()
                .filter(initiative_business::Column::Id.is_in(doubled.iter().map(|l| l.id)))
                .exec(tx)
                .await?;
            moved.links_dropped = doubled.iter().map(|l| l.initiative_id).collect();
        }
        for table in TABLES {
            let ids = ids_of(tx, table, merged.id).await?;
            move_rows(tx, table, &ids, merged.id, kept.id).await?;
            if !ids.is_empty() {
                moved.rows.insert(table.to_string(), ids);
            }
        }
        // Segments: the kept business gets the merged one's too.
        let kept_segments = super::queries::segments_of(tx, kept.id).await?;
        let merged_segments = super::queries::segments_of(tx, merged.id).await?;
        moved.segments_added = merged_segments
            .iter()
            .filter(|s| !kept_segments.contains(s))
            .cloned()
            .collect();
        moved.segments_of_merged = merged_segments;
        business_segment::Entity::delete_many()
            .filter(business_segment::Column::BusinessId.eq(merged.id))
            .exec(tx)
            .await?;
        if !moved.segments_added.is_empty() {
            business_segment::Entity::insert_many(moved.segments_added.iter().map(|s| {
                business_segment::ActiveModel {
                    business_id: Set(kept.id),
                    segment: Set(s.clone()),
                }
            }))
            .exec_without_returning(tx)
            .await?;
        }
        let mut k = kept.clone();
        moved.filled = fill(&mut k, &merged);
        k.updated_at = uow.now();
        super::patch::to_active(k, Some(kept.id)).update(tx).await?;
        let mut m = merged.clone();
        m.merged_into = Some(kept.id);
        m.active = false;
        m.updated_at = uow.now();
        super::patch::to_active(m, Some(merged.id))
            .update(tx)
            .await?;
        let record = business_merge::ActiveModel {
            kept_id: Set(kept.id),
            merged_id: Set(merged.id),
            moved: Set(serde_json::to_string(&moved).map_err(anyhow::Error::from)?),
            at: Set(uow.now()),
            user_id: Set(uow.actor().user_id()),
            ..Default::default()
        }
        .insert(tx)
        .await?;
        uow.reindex(DocKind::Business, kept.id);
        uow.unindex(DocKind::Business, merged.id);
        // The needs' documents name their business.
        for id in moved.rows.get("recruitment_need").into_iter().flatten() {
            if let Ok(id) = i32::try_from(*id) {
                uow.reindex(DocKind::Need, id);
            }
        }
        uow.invalidate(Cache::BusinessList);
        uow.invalidate(Cache::Figures);
        let counts: BTreeMap<&String, usize> =
            moved.rows.iter().map(|(t, ids)| (t, ids.len())).collect();
        uow.audit(
            AuditAction::Merge,
            AuditEntity::Business,
            Some(kept.id),
            json!({
                "merge": record.id,
                "merged": merged.id,
                "moved": counts,
                "filled": moved.filled.keys().collect::<Vec<_>>(),
            }),
        );
        Ok(record.id)
    }
}

/// Undoes a merge: the rows that moved go back, the filled fields are
/// emptied again (where they still hold the merged business's value), and
/// the merged business is back in the lists and the index.
pub struct UndoMerge {
    pub merge_id: i32,
}

#[async_trait::async_trait]
impl Command for UndoMerge {
    type Output = i32;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<i32> {
        let tx = uow.tx();
        let record = crate::app::for_update(tx, business_merge::Entity::find_by_id(self.merge_id))
            .one(tx)
            .await?
            .filter(|r| r.undone_at.is_none())
            .ok_or(Error::NotFound)?;
        let moved: Moved = serde_json::from_str(&record.moved).map_err(anyhow::Error::from)?;
        let kept = crate::app::for_update(tx, business::Entity::find_by_id(record.kept_id))
            .one(tx)
            .await?
            .ok_or(Error::NotFound)?;
        // The kept business was merged on since: its rows (and these) are
        // elsewhere now; that merge is undone first.
        if kept.merged_into.is_some() {
            return Err(Error::invalid("merge", DomainError::MergeUndoOrder));
        }
        let merged = crate::app::for_update(tx, business::Entity::find_by_id(record.merged_id))
            .one(tx)
            .await?
            .filter(|b| b.merged_into == Some(record.kept_id))
            .ok_or(Error::NotFound)?;
        for (table, ids) in &moved.rows {
            move_rows(tx, table, ids, kept.id, merged.id).await?;
        }
        for initiative in &moved.links_dropped {
            initiative_business::ActiveModel {
                initiative_id: Set(*initiative),
                business_id: Set(merged.id),
                ..Default::default()
            }
            .insert(tx)
            .await?;
        }
        if !moved.segments_added.is_empty() {
            business_segment::Entity::delete_many()
                .filter(business_segment::Column::BusinessId.eq(kept.id))
                .filter(business_segment::Column::Segment.is_in(moved.segments_added.clone()))
                .exec(tx)
                .await?;
        }
        if !moved.segments_of_merged.is_empty() {
            business_segment::Entity::insert_many(moved.segments_of_merged.iter().map(|s| {
                business_segment::ActiveModel {
                    business_id: Set(merged.id),
                    segment: Set(s.clone()),
                }
            }))
            .exec_without_returning(tx)
            .await?;
        }
        // A filled field is emptied only if it still holds what it got.
        let mut k = kept.clone();
        let now_json = |col: &str, m: &business::Model| -> serde_json::Value {
            match col {
                "street" => json!(m.street),
                "postal_code" => json!(m.postal_code),
                "city" => json!(m.city),
                "district" => json!(m.district),
                "industry_code" => json!(m.industry_code),
                "industry_section" => json!(m.industry_section),
                "employees" => json!(m.employees),
                "size_band" => json!(m.size_band),
                "consultant_id" => json!(m.consultant_id),
                "email" => json!(m.email),
                "phone" => json!(m.phone),
                "notes" => json!(m.notes),
                _ => serde_json::Value::Null,
            }
        };
        for (col, value) in &moved.filled {
            if now_json(col, &kept) != *value {
                continue;
            }
            match col.as_str() {
                "street" => k.street = None,
                "postal_code" => k.postal_code = None,
                "city" => k.city = None,
                "district" => k.district = None,
                "industry_code" => k.industry_code = None,
                "industry_section" => k.industry_section = None,
                "employees" => k.employees = None,
                "size_band" => k.size_band = None,
                "consultant_id" => k.consultant_id = None,
                "email" => k.email = None,
                "phone" => k.phone = None,
                "notes" => k.notes = None,
                _ => {}
            }
        }
        k.updated_at = uow.now();
        super::patch::to_active(k, Some(kept.id)).update(tx).await?;
        let mut m = merged.clone();
        m.merged_into = None;
        m.active = moved.was_active;
        m.updated_at = uow.now();
        super::patch::to_active(m, Some(merged.id))
            .update(tx)
            .await?;
        let mut r: business_merge::ActiveModel = record.clone().into();
        r.undone_at = Set(Some(uow.now()));
        r.update(tx).await?;
        uow.reindex(DocKind::Business, kept.id);
        uow.reindex(DocKind::Business, merged.id);
        for id in moved.rows.get("recruitment_need").into_iter().flatten() {
            if let Ok(id) = i32::try_from(*id) {
                uow.reindex(DocKind::Need, id);
            }
        }
        uow.invalidate(Cache::BusinessList);
        uow.invalidate(Cache::Figures);
        uow.audit(
            AuditAction::Unmerge,
            AuditEntity::Business,
            Some(merged.id),
            json!({ "merge": record.id, "kept": kept.id, "moved_back": moved.count() }),
        );
        Ok(merged.id)
    }
}

/// Why two businesses look like one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Reason {
    /// The same name (folded, company form aside) at the same address.
    NameAndAddress,
    /// The same email domain (not a free-mail one) and postal code.
    EmailDomain,
}

impl Reason {
    pub fn key(self) -> &'static str {
        match self {
            Reason::NameAndAddress => "dup_name_address",
            Reason::EmailDomain => "dup_email_domain",
        }
    }
}

/// A group of businesses that are likely one.
#[derive(Debug, Clone)]
pub struct Group {
    pub reason: Reason,
    pub members: Vec<business::Model>,
}

/// Domains many unrelated businesses share: no sign of a duplicate.
const FREE_MAIL: [&str; 12] = [
    "gmail.com",
    "hotmail.com",
    "hotmail.dk",
    "outlook.com",
    "outlook.dk",
    "live.dk",
    "live.com",
    "yahoo.com",
    "yahoo.dk",
    "icloud.com",
    "mail.dk",
    "jubii.dk",
];

/// A name as compared: folded (æ/ae, ø/oe, å/aa, case) and without its
/// company form, so "Havnens Hotel" and "HAVNENS HOTEL ApS" are one.
pub fn name_key(name: &str) -> String {
    let folded = crate::search::normalize::fold(name);
    let forms = [
        "aps", "as", "a/s", "is", "i/s", "ivs", "ks", "k/s", "ps", "p/s", "amba", "smba",
    ];
    folded
        .split_whitespace()
        .filter(|w| !forms.contains(w))
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Debug, FromQueryResult)]
struct Key {
    a: Option<String>,
    b: Option<i32>,
}

/// Likely duplicates, at most `limit` groups of each kind. Addresses and
/// email domains are grouped in the database; names are compared here,
/// within an address only.
pub async fn find(db: &sea_orm::DatabaseConnection, limit: usize) -> Result<Vec<Group>, DbErr> {
    let backend = db.get_database_backend();
    let mut groups = Vec::new();
    // Same address (street and postal code), then the same name within it.
    let shared: Vec<Key> = Key::find_by_statement(Statement::from_string(
        backend,
        "SELECT lower(street) AS a, postal_code AS b FROM business \
         WHERE merged_into IS NULL AND street IS NOT NULL AND postal_code IS NOT NULL \
         GROUP BY lower(street), postal_code HAVING COUNT(*) > 1 LIMIT 2000",
    ))
    .all(db)
    .await?;
    for key in shared {
        let (Some(street), Some(postal)) = (key.a, key.b) else {
            continue;
        };
        let at: Vec<business::Model> = business::Entity::find()
            .filter(business::Column::MergedInto.is_null())
            .filter(business::Column::PostalCode.eq(postal))
            .filter(ExprTrait::eq(
                Func::lower(Expr::col(business::Column::Street)),
                street,
            ))
            .all(db)
            .await?;
        let mut by_name: HashMap<String, Vec<business::Model>> = HashMap::new();
        for b in at {
            by_name.entry(name_key(&b.name)).or_default().push(b);
        }
        for (_, mut members) in by_name {
            if members.len() > 1 && groups.len() < limit {
                members.sort_by_key(|b| b.id);
                groups.push(Group {
                    reason: Reason::NameAndAddress,
                    members,
                });
            }
        }
    }
    // Same email domain and postal code.
    let position = match backend {
        sea_orm::DbBackend::Postgres => "strpos(email, '@')",
        _ => "instr(email, '@')",
    };
    let free = FREE_MAIL
        .iter()
        .map(|d| format!("'{d}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let domains: Vec<Key> = Key::find_by_statement(Statement::from_string(
        backend,
        format!(
            "SELECT lower(substr(email, {position} + 1)) AS a, postal_code AS b FROM business \
             WHERE merged_into IS NULL AND email IS NOT NULL AND postal_code IS NOT NULL \
             AND {position} > 0 AND lower(substr(email, {position} + 1)) NOT IN ({free}) \
             GROUP BY lower(substr(email, {position} + 1)), postal_code HAVING COUNT(*) > 1 \
             LIMIT {limit}"
        ),
    ))
    .all(db)
    .await?;
    for key in domains {
        let (Some(domain), Some(postal)) = (key.a, key.b) else {
            continue;
        };
        let mut members: Vec<business::Model> = business::Entity::find()
            .filter(business::Column::MergedInto.is_null())
            .filter(business::Column::PostalCode.eq(postal))
            .filter(business::Column::Email.is_not_null())
            .all(db)
            .await?
            .into_iter()
            .filter(|b| {
                b.email
                    .as_deref()
                    .and_then(|e| e.rsplit_once('@'))
                    .is_some_and(|(_, d)| d.eq_ignore_ascii_case(&domain))
            })
            .collect();
        members.sort_by_key(|b| b.id);
        // Already listed for the same name and address: once is enough.
        let ids: Vec<i32> = members.iter().map(|b| b.id).collect();
        let listed = groups
            .iter()
            .any(|g| g.members.iter().map(|b| b.id).collect::<Vec<_>>() == ids);
        if members.len() > 1 && !listed {
            groups.push(Group {
                reason: Reason::EmailDomain,
                members,
            });
        }
    }
    Ok(groups)
}

/// Contact persons that are likely one person: the same email address, or
/// the same name at one business.
#[derive(Debug, Clone)]
pub struct PersonGroup {
    /// `dup_person_email` or `dup_person_name`.
    pub reason: &'static str,
    pub members: Vec<contact_person::Model>,
}

pub async fn find_persons(
    db: &sea_orm::DatabaseConnection,
    limit: usize,
) -> Result<Vec<PersonGroup>, DbErr> {
    let backend = db.get_database_backend();
    let mut out = Vec::new();
    let emails: Vec<Key> = Key::find_by_statement(Statement::from_string(
        backend,
        format!(
            "SELECT lower(email) AS a, CAST(NULL AS INTEGER) AS b FROM contact_person WHERE email IS NOT NULL \
             GROUP BY lower(email) HAVING COUNT(*) > 1 LIMIT {limit}"
        ),
    ))
    .all(db)
    .await?;
    for key in emails {
        let Some(email) = key.a else { continue };
        let members = contact_person::Entity::find()
            .filter(ExprTrait::eq(
                Func::lower(Expr::col(contact_person::Column::Email)),
                email,
            ))
            .all(db)
            .await?;
        out.push(PersonGroup {
            reason: "dup_person_email",
            members,
        });
    }
    let names: Vec<Key> = Key::find_by_statement(Statement::from_string(
        backend,
        format!(
            "SELECT lower(name) AS a, business_id AS b FROM contact_person \
             GROUP BY lower(name), business_id HAVING COUNT(*) > 1 LIMIT {limit}"
        ),
    ))
    .all(db)
    .await?;
    for key in names {
        let (Some(name), Some(business)) = (key.a, key.b) else {
            continue;
        };
        let members: Vec<contact_person::Model> = contact_person::Entity::find()
            .filter(contact_person::Column::BusinessId.eq(business))
            .filter(ExprTrait::eq(
                Func::lower(Expr::col(contact_person::Column::Name)),
                name,
            ))
            .all(db)
            .await?;
        let ids: Vec<i32> = members.iter().map(|p| p.id).collect();
        if !out
            .iter()
            .any(|g| g.members.iter().map(|p| p.id).collect::<Vec<_>>() == ids)
        {
            out.push(PersonGroup {
                reason: "dup_person_name",
                members,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_compare_folded_and_without_their_company_form() {
        use super::name_key;
        assert_eq!(name_key("Havnens Hotel ApS"), name_key("HAVNENS HOTEL"));
        assert_eq!(name_key("Ærø Bageri A/S"), name_key("Aeroe Bageri"));
        assert_ne!(name_key("Havnens Hotel"), name_key("Havnens Café"));
    }
}
