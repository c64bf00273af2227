//! Builds search documents from the database: the only source of truth.
use std::collections::HashMap;

use entity::{business, business_segment, contact_person, p_unit, recruitment_need};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::domain::{CompanyForm, IndustryCode, Lang};
use crate::search::{DocKind, SearchDoc};

fn address(street: Option<&str>, postal: Option<i32>, city: Option<&str>) -> Option<String> {
    let place = [postal.map(|p| p.to_string()), city.map(str::to_string)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    match (street, place.is_empty()) {
        (Some(s), false) => Some(format!("{s}, {place}")),
        (Some(s), true) => Some(s.to_string()),
        (None, false) => Some(place),
        (None, true) => None,
    }
}

/// The documents of these businesses (missing ids are simply absent).
pub async fn businesses<C: ConnectionTrait>(db: &C, ids: &[i32]) -> Result<Vec<SearchDoc>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // A merged business has no document (its rows are the kept one's).
    let rows = business::Entity::find()
        .filter(business::Column::Id.is_in(ids.to_vec()))
        .filter(business::Column::MergedInto.is_null())
        .all(db)
        .await?;
    let mut units: HashMap<i32, Vec<p_unit::Model>> = HashMap::new();
    for u in p_unit::Entity::find()
        .filter(p_unit::Column::BusinessId.is_in(ids.to_vec()))
        .all(db)
        .await?
    {
        units.entry(u.business_id).or_default().push(u);
    }
    let mut persons: HashMap<i32, Vec<String>> = HashMap::new();
    for p in contact_person::Entity::find()
        .filter(contact_person::Column::BusinessId.is_in(ids.to_vec()))
        .all(db)
        .await?
    {
        persons.entry(p.business_id).or_default().push(p.name);
    }
    let mut segments: HashMap<i32, Vec<String>> = HashMap::new();
    for s in business_segment::Entity::find()
        .filter(business_segment::Column::BusinessId.is_in(ids.to_vec()))
        .all(db)
        .await?
    {
        segments.entry(s.business_id).or_default().push(s.segment);
    }
    let consultant_ids: Vec<i32> = rows.iter().filter_map(|b| b.consultant_id).collect();
    let names = crate::businesses::queries::user_names(db, consultant_ids).await?;
    Ok(rows
        .into_iter()
        .map(|b| {
            let mut addresses: Vec<String> =
                address(b.street.as_deref(), b.postal_code, b.city.as_deref())
                    .into_iter()
                    .collect();
            let mut p_numbers = Vec::new();
            for u in units.remove(&b.id).unwrap_or_default() {
                p_numbers.push(format!("{:010}", u.p_number));
                if let Some(a) = address(u.street.as_deref(), u.postal_code, u.city.as_deref())
                    && !addresses.contains(&a)
                {
                    addresses.push(a);
                }
            }
            let industry = b
                .industry_code
                .and_then(|c| IndustryCode::from_u32(c as u32).ok());
            SearchDoc {
                id: SearchDoc::doc_id(DocKind::Business, b.id),
                kind: Some(DocKind::Business),
                record_id: b.id,
                company_form: CompanyForm::parse(&b.company_form)
                    .ok()
                    .and_then(|f| f.suffix().map(str::to_string)),
                title: b.name,
                cvr: Some(format!("{:08}", b.cvr)),
                p_numbers,
                addresses,
                district: b.district,
                industry_code: industry.map(|c| c.to_string()),
                industry_text: industry.and_then(|c| c.title(Lang::Da)).map(str::to_string),
                section: b.industry_section,
                size: b.size_band,
                segments: segments.remove(&b.id).unwrap_or_default(),
                persons: persons.remove(&b.id).unwrap_or_default(),
                consultant: b.consultant_id.and_then(|id| names.get(&id).cloned()),
                consultant_id: b.consultant_id,
                active: b.active,
                text: None,
                owner: None,
                reference: None,
                status: None,
            }
        })
        .collect())
}

/// The documents of these recruitment needs (missing ids are simply absent).
/// Title: the job title; owner: the business; text: the reference, the
/// company name, qualifications, languages and the free text. District,
/// industry section and size come from the linked business, so the search
/// filters work on needs too. "Active" means still open in the pipeline.
pub async fn needs<C: ConnectionTrait>(db: &C, ids: &[i32]) -> Result<Vec<SearchDoc>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = recruitment_need::Entity::find()
        .filter(recruitment_need::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?;
    let business_ids: Vec<i32> = rows.iter().filter_map(|n| n.business_id).collect();
    let businesses: HashMap<i32, business::Model> = if business_ids.is_empty() {
        HashMap::new()
    } else {
        business::Entity::find()
            .filter(business::Column::Id.is_in(business_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|b| (b.id, b))
            .collect()
    };
    let names =
        crate::businesses::queries::user_names(db, rows.iter().filter_map(|n| n.assigned_to))
            .await?;
    Ok(rows
        .into_iter()
        .map(|n| {
            let b = n.business_id.and_then(|id| businesses.get(&id));
            let text = [
                Some(n.reference.as_str()),
                Some(n.company_name.as_str()),
                n.qualifications.as_deref(),
                n.languages.as_deref(),
                n.free_text.as_deref(),
            ]
            .into_iter()
            .flatten()
            .filter(|t| !t.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n");
            SearchDoc {
                id: SearchDoc::doc_id(DocKind::Need, n.id),
                kind: Some(DocKind::Need),
                record_id: n.id,
                title: n.job_title,
                owner: Some(n.company_name),
                reference: Some(n.reference),
                status: Some(n.status.clone()),
                cvr: Some(format!("{:08}", n.cvr)),
                addresses: n.workplace_address.into_iter().collect(),
                district: b.and_then(|b| b.district.clone()),
                section: b.and_then(|b| b.industry_section.clone()),
                size: b.and_then(|b| b.size_band.clone()),
                persons: vec![n.contact_name],
                consultant: n.assigned_to.and_then(|id| names.get(&id).cloned()),
                consultant_id: n.assigned_to,
                active: !crate::recruitment::is_closed(&n.status),
                text: Some(text),
                ..Default::default()
            }
        })
        .collect())
}
