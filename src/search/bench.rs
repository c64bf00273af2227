//! `erhverv bench-search`: latency of a fixed set of realistic queries —
//! typos, prefixes, Danish spellings, CVR numbers, filters — run one at a
//! time against the configured index. Figures go into BENCHMARKS.md.
use std::time::Instant;

use crate::search::{DocKind, Filters, SearchIndex, SearchQuery};

/// (query, district filter, segment filter)
const QUERIES: &[(&str, Option<&str>, Option<&str>)] = &[
    ("nørrebro bageri", None, None),
    ("norrebro bagri", None, None),
    ("oerestad", None, None),
    ("vesterbro", None, None),
    ("kaffe", Some("indre_by"), None),
    ("frisør", None, None),
    ("frisor", Some("norrebro"), None),
    ("restaurant", None, Some("tourism")),
    ("restarant", None, None),
    ("hotel a/s", None, None),
    ("aps", None, None),
    ("rengøring", Some("valby"), None),
    ("rengoring", None, None),
    ("arkitekt", None, Some("creative_industries")),
    ("konsulent", None, None),
    ("amagerbrogade", None, None),
    ("jensen", None, None),
    ("mette hansen", None, None),
    ("nør", None, None),
    ("vest", None, None),
    ("kbh", None, None),
    ("software", None, Some("tech")),
    ("life science", None, None),
    ("bio", None, Some("life_science")),
    ("tømrer", None, None),
    ("vvs", Some("bronshoj_husum"), None),
    ("12345674", None, None),
    ("1015", None, None),
    ("", Some("amager_vest"), None),
    ("", None, None),
];

pub async fn run(index: &dyn SearchIndex, rounds: usize) -> anyhow::Result<String> {
    let mut times = Vec::with_capacity(QUERIES.len() * rounds);
    let mut hits = 0usize;
    // One warm-up pass, not measured.
    for round in 0..=rounds {
        for (q, district, segment) in QUERIES {
            let query = SearchQuery {
                q: q.to_string(),
                filters: Filters {
                    kind: Some(DocKind::Business),
                    district: district.map(str::to_string),
                    segment: segment.map(str::to_string),
                    ..Default::default()
                },
                offset: 0,
                limit: 20,
            };
            let started = Instant::now();
            let r = index
                .search(&query)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let took = started.elapsed();
            if round > 0 {
                times.push(took.as_secs_f64() * 1000.0);
                hits += r.total;
            }
        }
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    Ok(format!(
        "{} queries ({} distinct × {rounds} rounds, one at a time, 20 hits + all facets each) on {}: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {} total matches",
        times.len(),
        QUERIES.len(),
        index.name(),
        pct(0.5),
        pct(0.99),
        times.last().copied().unwrap_or(0.0),
        hits
    ))
}

/// The same queries end to end through a running portal's
/// `GET /api/v1/search` (HTTP, the token's checks, the audit entry, JSON),
/// one at a time, with an API token that may read businesses.
pub async fn run_portal(base: &str, token: &str, rounds: usize) -> anyhow::Result<String> {
    let http = openidconnect::reqwest::Client::builder()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()?;
    anyhow::ensure!(rounds > 0, "--rounds must be at least 1");
    let base = base.trim_end_matches('/');
    let mut times = Vec::with_capacity(QUERIES.len() * rounds);
    let mut hits = 0u64;
    for round in 0..=rounds {
        for (q, district, segment) in QUERIES {
            let mut params: Vec<(&str, &str)> = vec![("kind", "business")];
            if !q.is_empty() {
                params.push(("q", q));
            }
            if let Some(d) = district {
                params.push(("district", d));
            }
            if let Some(s) = segment {
                params.push(("segment", s));
            }
            let started = Instant::now();
            let res = http
                .get(format!("{base}/api/v1/search"))
                .query(&params)
                .bearer_auth(token)
                .send()
                .await?;
            let status = res.status();
            let body: serde_json::Value = serde_json::from_slice(&res.bytes().await?)?;
            let took = started.elapsed();
            anyhow::ensure!(status.is_success(), "{q:?}: {status} {body}");
            if round > 0 {
                times.push(took.as_secs_f64() * 1000.0);
                hits += body["total"].as_u64().unwrap_or(0);
            }
        }
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    Ok(format!(
        "{} queries end to end through {base}/api/v1/search (one at a time): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {} total matches",
        times.len(),
        pct(0.5),
        pct(0.99),
        times.last().copied().unwrap_or(0.0),
        hits
    ))
}
