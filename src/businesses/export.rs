//! `GET /businesses/export.csv`: the business list as filtered on screen,
//! for Danish Excel, streamed: rows are read 1,000 at a time in name order
//! (keyset paging on name and id) and written as they come, so a million
//! rows never sit in memory.
use actix_web::{HttpRequest, HttpResponse, get, web};
use entity::business;
use futures_util::{StreamExt, stream};
use sea_orm::{QueryFilter, QueryOrder, QuerySelect};

use super::queries::{self, ListFilter};
use crate::domain::{CompanyForm, District, IndustrySection, Lang, SizeBand};
use crate::web::{
    AppState, auth::CaseWorker, csv_export::neutralise, error::AppError, form::query,
};

const CHUNK: u64 = 1000;

const HEADER: [&str; 15] = [
    "CVR",
    "Navn",
    "Virksomhedsform",
    "Adresse",
    "Postnr.",
    "By",
    "Bydel",
    "Branchekode",
    "Branche",
    "Ansatte",
    "Størrelse",
    "Aktiv",
    "Reklamebeskyttet",
    "Konsulent",
    "Segmenter",
];

fn record(b: &business::Model, consultant: &str, segments: &[String], lang: Lang) -> Vec<String> {
    let s = |o: &Option<String>| o.clone().unwrap_or_default();
    let yes = |v: bool| if v { "Ja" } else { "Nej" }.to_string();
    vec![
        format!("{:08}", b.cvr),
        b.name.clone(),
        CompanyForm::parse(&b.company_form)
            .map(|f| f.label(lang).to_string())
            .unwrap_or_else(|_| b.company_form.clone()),
        s(&b.street),
        b.postal_code.map(|p| p.to_string()).unwrap_or_default(),
        s(&b.city),
        b.district
            .as_deref()
            .and_then(|d| District::parse(d).ok())
            .map(|d| d.label(lang).to_string())
            .unwrap_or_default(),
        b.industry_code
            .map(|c| format!("{c:06}"))
            .unwrap_or_default(),
        b.industry_section
            .as_deref()
            .and_then(|x| IndustrySection::parse(x).ok())
            .map(|x| x.label(lang).to_string())
            .unwrap_or_default(),
        b.employees.map(|n| n.to_string()).unwrap_or_default(),
        b.size_band
            .as_deref()
            .and_then(|x| SizeBand::parse(x).ok())
            .map(|x| x.label(lang).to_string())
            .unwrap_or_default(),
        yes(b.active),
        yes(b.advertising_protected),
        consultant.to_string(),
        segments.join(", "),
    ]
}

/// One chunk as CSV bytes (the BOM and header before the first).
fn write_chunk(rows: &[Vec<String>], first: bool) -> Result<web::Bytes, csv::Error> {
    let mut out = Vec::with_capacity(rows.len() * 160 + 200);
    if first {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(&mut out);
        if first {
            w.write_record(HEADER)?;
        }
        for r in rows {
            w.write_record(r.iter().map(|c| neutralise(c)))?;
        }
        w.flush()?;
    }
    Ok(web::Bytes::from(out))
}

/// The next chunk after `last` (sort name and id), as CSV.
async fn next_chunk(
    state: &AppState,
    filter: &ListFilter,
    last: Option<(String, i32)>,
    lang: Lang,
) -> Result<Option<(web::Bytes, Option<(String, i32)>)>, AppError> {
    let mut q = queries::filtered(filter);
    if let Some((name, id)) = &last {
        q = q.filter(queries::after_in_name_order(name, *id));
    }
    let rows = q
        .order_by_asc(business::Column::SortName)
        .order_by_asc(business::Column::Id)
        .limit(CHUNK)
        .all(&state.db)
        .await?;
    if rows.is_empty() && last.is_some() {
        return Ok(None);
    }
    let ids: Vec<i32> = rows.iter().map(|b| b.id).collect();
    let segments = queries::segments_by_business(&state.db, &ids).await?;
    let names = queries::user_names(&state.db, rows.iter().filter_map(|b| b.consultant_id)).await?;
    let records: Vec<Vec<String>> = rows
        .iter()
        .map(|b| {
            let c = b
                .consultant_id
                .and_then(|id| names.get(&id))
                .map(String::as_str)
                .unwrap_or("");
            let s = segments.get(&b.id).map(Vec::as_slice).unwrap_or(&[]);
            record(b, c, s, lang)
        })
        .collect();
    let bytes =
        write_chunk(&records, last.is_none()).map_err(|e| AppError::Unexpected(e.into()))?;
    // A short chunk is the last one; an empty list still gets its header.
    let next = if rows.len() as u64 == CHUNK {
        rows.last().map(|b| (b.sort_name.clone(), b.id))
    } else {
        None
    };
    Ok(Some((bytes, next)))
}

#[get("/businesses/export.csv")]
async fn export(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: CaseWorker,
) -> Result<HttpResponse, AppError> {
    let filter = ListFilter::from_query(&query(&req), staff.id);
    let lang = staff.lang;
    let day = state.app.clock.today().format("%Y-%m-%d");
    // The first chunk is read before answering, so a failing query is an
    // error page and not a cut-off file.
    let Some((first, next)) = next_chunk(&state, &filter, None, lang).await? else {
        return Err(AppError::NotFound);
    };
    enum Step {
        Next((String, i32)),
        Done,
    }
    let start = match next {
        Some(n) => Step::Next(n),
        None => Step::Done,
    };
    let rest = stream::unfold(start, move |step| {
        let state = state.clone();
        let filter = filter.clone();
        async move {
            let Step::Next(last) = step else {
                return None;
            };
            match next_chunk(&state, &filter, Some(last), lang).await {
                Ok(Some((bytes, next))) => Some((
                    Ok::<_, actix_web::Error>(bytes),
                    next.map_or(Step::Done, Step::Next),
                )),
                Ok(None) => None,
                Err(e) => {
                    // The file ends short; the log says why (no personal data).
                    tracing::error!(error = %e, "business export failed part-way");
                    Some((
                        Err(actix_web::error::ErrorInternalServerError("export failed")),
                        Step::Done,
                    ))
                }
            }
        }
    });
    let body = stream::once(async move { Ok::<_, actix_web::Error>(first) }).chain(rest);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "content-disposition",
            format!("attachment; filename=\"virksomheder-{day}.csv\""),
        ))
        .streaming(body))
}
