//! Persistence for businesses: the filtered list, the detail page's reads,
//! and the create/update transaction.
use std::collections::HashMap;

use entity::{app_user, business, business_segment, contact, contact_person, p_unit};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Query,
};

use crate::app::cache::Generational;
use crate::domain::{District, IndustrySection, Segment, SizeBand};
use crate::web::form::FormData;

pub const PAGE_SIZE: u64 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsultantFilter {
    Is(i32),
    Unassigned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Status {
    #[default]
    Active,
    Ceased,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Name,
    NameDesc,
    Cvr,
    Updated,
}

impl Sort {
    pub const ALL: [(Sort, &'static str, &'static str); 4] = [
        (Sort::Name, "name", "sort_name"),
        (Sort::NameDesc, "-name", "sort_name_desc"),
        (Sort::Cvr, "cvr", "sort_cvr"),
        (Sort::Updated, "-updated", "sort_updated"),
    ];

    pub fn code(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(s, _, _)| *s == self)
            .map(|(_, c, _)| *c)
            .unwrap_or("name")
    }
}

/// The list page's filters, parsed leniently from the query string: a value
/// that isn't a known code is ignored rather than failing the page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub district: Option<District>,
    pub section: Option<IndustrySection>,
    pub size: Option<SizeBand>,
    pub consultant: Option<ConsultantFilter>,
    pub segment: Option<Segment>,
    pub status: Status,
    pub sort: Sort,
    pub page: u64,
}

impl ListFilter {
    pub fn from_query(q: &FormData, me: i32) -> Self {
        ListFilter {
            district: District::parse(q.get("district")).ok(),
            section: IndustrySection::parse(q.get("section")).ok(),
            size: SizeBand::parse(q.get("size")).ok(),
            consultant: match q.get("consultant") {
                "me" => Some(ConsultantFilter::Is(me)),
                "none" => Some(ConsultantFilter::Unassigned),
                s => s.parse().ok().map(ConsultantFilter::Is),
            },
            segment: Segment::parse(q.get("segment")).ok(),
            status: match q.get("status") {
                "ceased" => Status::Ceased,
                "all" => Status::All,
                _ => Status::Active,
            },
            sort: Sort::ALL
                .iter()
                .find(|(_, c, _)| *c == q.get("sort"))
                .map(|(s, _, _)| *s)
                .unwrap_or_default(),
            page: q.get("page").parse().unwrap_or(1).clamp(1, 1_000_000),
        }
    }

    /// The query string for this filter at another page.
    pub fn to_query(&self, page: u64) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(d) = self.district {
            pairs.push(("district", d.as_str().into()));
        }
        if let Some(s) = self.section {
            pairs.push(("section", s.as_str().into()));
        }
        if let Some(s) = self.size {
            pairs.push(("size", s.as_str().into()));
        }
        match self.consultant {
            Some(ConsultantFilter::Is(id)) => pairs.push(("consultant", id.to_string())),
            Some(ConsultantFilter::Unassigned) => pairs.push(("consultant", "none".into())),
            None => {}
        }
        if let Some(s) = self.segment {
            pairs.push(("segment", s.as_str().into()));
        }
        match self.status {
            Status::Active => {}
            Status::Ceased => pairs.push(("status", "ceased".into())),
            Status::All => pairs.push(("status", "all".into())),
        }
        if self.sort != Sort::Name {
            pairs.push(("sort", self.sort.code().into()));
        }
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

pub struct ListPage {
    pub rows: std::sync::Arc<Vec<business::Model>>,
    pub total: u64,
}

/// The list page's reads: the totals per filter and the pages of rows, kept
/// until a business is written (see [`crate::app::cache`]). Counting a
/// filter that matches 100,000 of a million businesses costs milliseconds,
/// and a page of rows a query, on every page view, while both change only
/// when businesses do. Another process's writes arrive as notifications on
/// PostgreSQL, and from the command line on SQLite as a noted change
/// (`crate::app::ExternalWrites`).
pub struct ListCache {
    counts: Generational<String, u64>,
    pages: Generational<String, std::sync::Arc<Vec<business::Model>>>,
    /// The page's content as rendered, per language, person and query.
    contents: Generational<String, std::sync::Arc<str>>,
}

impl ListCache {
    /// Pages are kept at most `ttl` (`read_cache_seconds`); totals 30 s.
    pub fn new(ttl: std::time::Duration) -> Self {
        ListCache {
            counts: Generational::new(std::time::Duration::from_secs(30), 10_000),
            pages: Generational::new(ttl, 2_000),
            contents: Generational::new(ttl, 2_000),
        }
    }

    pub fn content(&self, key: &String) -> Option<std::sync::Arc<str>> {
        self.contents.get(key)
    }

    /// Take before reading what the content shows.
    pub fn content_generation(&self) -> u64 {
        self.contents.generation()
    }

    pub fn put_content(&self, key: String, content: std::sync::Arc<str>, generation: u64) {
        self.contents.put(key, content, generation);
    }

    /// Call after committing a change to businesses.
    pub fn invalidate(&self) {
        self.counts.invalidate();
        self.pages.invalidate();
        self.contents.invalidate();
    }
}

/// The businesses that pass the list's filters, unordered: the list page,
/// the API's list and the CSV export share it.
pub fn filtered(f: &ListFilter) -> sea_orm::Select<business::Entity> {
    // A business merged into another is out of every list.
    let mut q = business::Entity::find().filter(business::Column::MergedInto.is_null());
    if let Some(d) = f.district {
        q = q.filter(business::Column::District.eq(d.as_str()));
    }
    if let Some(s) = f.section {
        q = q.filter(business::Column::IndustrySection.eq(s.as_str()));
    }
    if let Some(s) = f.size {
        q = q.filter(business::Column::SizeBand.eq(s.as_str()));
    }
    match f.consultant {
        Some(ConsultantFilter::Is(id)) => q = q.filter(business::Column::ConsultantId.eq(id)),
        Some(ConsultantFilter::Unassigned) => {
            q = q.filter(business::Column::ConsultantId.is_null())
        }
        None => {}
    }
    if let Some(s) = f.segment {
        q = q.filter(
            business::Column::Id.in_subquery(
                Query::select()
                    .column(business_segment::Column::BusinessId)
                    .from(business_segment::Entity)
                    .and_where(business_segment::Column::Segment.eq(s.as_str()))
                    .to_owned(),
            ),
        );
    }
    match f.status {
        Status::Active => q = q.filter(business::Column::Active.eq(true)),
        Status::Ceased => q = q.filter(business::Column::Active.eq(false)),
        Status::All => {}
    }
    q
}

/// One page of businesses and the total count. Each filter column has an
/// index that leads with it and continues with the sort key, so a filtered
/// page reads an index range instead of scanning the table.
pub async fn list(
    db: &DatabaseConnection,
    f: &ListFilter,
    cache: &ListCache,
) -> Result<ListPage, DbErr> {
    let q = filtered(f);
    // The count depends on the filters only, not on the page or the sort.
    let key = ListFilter {
        page: 1,
        sort: Sort::Name,
        ..f.clone()
    }
    .to_query(1);
    let total = match cache.counts.get(&key) {
        Some(n) => n,
        None => {
            let generation = cache.counts.generation();
            let n = q.clone().count(db).await?;
            cache.counts.put(key, n, generation);
            n
        }
    };
    let key = f.to_query(f.page);
    if let Some(rows) = cache.pages.get(&key) {
        return Ok(ListPage { rows, total });
    }
    let generation = cache.pages.generation();
    let q = match f.sort {
        Sort::Name => q
            .order_by_asc(business::Column::SortName)
            .order_by_asc(business::Column::Id),
        Sort::NameDesc => q
            .order_by_desc(business::Column::SortName)
            .order_by_desc(business::Column::Id),
        Sort::Cvr => q.order_by_asc(business::Column::Cvr),
        Sort::Updated => q
            .order_by_desc(business::Column::UpdatedAt)
            .order_by_desc(business::Column::Id),
    };
    let rows = std::sync::Arc::new(
        q.offset((f.page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
            .all(db)
            .await?,
    );
    cache.pages.put(key, rows.clone(), generation);
    Ok(ListPage { rows, total })
}

pub struct Detail {
    pub business: business::Model,
    pub segments: Vec<String>,
    pub p_units: Vec<p_unit::Model>,
    pub persons: Vec<contact_person::Model>,
    pub contacts: Vec<contact::Model>,
}

pub async fn detail(db: &DatabaseConnection, id: i32) -> Result<Option<Detail>, DbErr> {
    let Some(business) = business::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let segments = segments_of(db, id).await?;
    let p_units = p_unit::Entity::find()
        .filter(p_unit::Column::BusinessId.eq(id))
        .order_by_asc(p_unit::Column::PNumber)
        .all(db)
        .await?;
    let persons = contact_person::Entity::find()
        .filter(contact_person::Column::BusinessId.eq(id))
        .order_by_desc(contact_person::Column::IsPrimary)
        .order_by_asc(contact_person::Column::Name)
        .all(db)
        .await?;
    let contacts = contact::Entity::find()
        .filter(contact::Column::BusinessId.eq(id))
        .order_by_desc(contact::Column::OccurredAt)
        .limit(200)
        .all(db)
        .await?;
    Ok(Some(Detail {
        business,
        segments,
        p_units,
        persons,
        contacts,
    }))
}

pub async fn segments_of<C: ConnectionTrait>(db: &C, id: i32) -> Result<Vec<String>, DbErr> {
    Ok(business_segment::Entity::find()
        .filter(business_segment::Column::BusinessId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.segment)
        .collect())
}

/// Businesses after (`sort_name`, `id`) in name order, as one row-value
/// comparison: both databases read it as a range of the name index,
/// where `a > x OR (a = x AND b > y)` may not be.
pub fn after_in_name_order(sort_name: &str, id: i32) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, ExprTrait};
    Expr::tuple([
        Expr::col(business::Column::SortName),
        Expr::col(business::Column::Id),
    ])
    .gt(Expr::tuple([
        Expr::val(sort_name.to_string()),
        Expr::val(id),
    ]))
}

/// The segments of each of these businesses.
pub async fn segments_by_business<C: ConnectionTrait>(
    db: &C,
    ids: &[i32],
) -> Result<HashMap<i32, Vec<String>>, DbErr> {
    let mut out: HashMap<i32, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    for s in business_segment::Entity::find()
        .filter(business_segment::Column::BusinessId.is_in(ids.to_vec()))
        .all(db)
        .await?
    {
        out.entry(s.business_id).or_default().push(s.segment);
    }
    for v in out.values_mut() {
        v.sort();
    }
    Ok(out)
}

/// The business with this CVR number; for one merged into another, the
/// one it was merged into (where its records are).
pub async fn find_by_cvr<C: ConnectionTrait>(
    db: &C,
    cvr: u32,
) -> Result<Option<business::Model>, DbErr> {
    let found = business::Entity::find()
        .filter(business::Column::Cvr.eq(cvr as i32))
        .one(db)
        .await?;
    match found.as_ref().and_then(|b| b.merged_into) {
        Some(kept) => business::Entity::find_by_id(kept).one(db).await,
        None => Ok(found),
    }
}

/// Display names of users by id (consultant columns).
pub async fn user_names<C: ConnectionTrait>(
    db: &C,
    ids: impl IntoIterator<Item = i32>,
) -> Result<HashMap<i32, String>, DbErr> {
    let ids: Vec<i32> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

pub async fn set_segments<C: ConnectionTrait>(
    db: &C,
    id: i32,
    segments: &[Segment],
) -> Result<(), DbErr> {
    business_segment::Entity::delete_many()
        .filter(business_segment::Column::BusinessId.eq(id))
        .exec(db)
        .await?;
    if !segments.is_empty() {
        business_segment::Entity::insert_many(segments.iter().map(|s| {
            business_segment::ActiveModel {
                business_id: Set(id),
                segment: Set(s.as_str().into()),
            }
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// Counts of active businesses per district, for the overview page.
pub async fn count_by_district(
    db: &DatabaseConnection,
) -> Result<Vec<(Option<String>, i64)>, DbErr> {
    business::Entity::find()
        .select_only()
        .column(business::Column::District)
        .column_as(business::Column::Id.count(), "n")
        .filter(business::Column::Active.eq(true))
        .filter(business::Column::MergedInto.is_null())
        .group_by(business::Column::District)
        .into_tuple::<(Option<String>, i64)>()
        .all(db)
        .await
}
