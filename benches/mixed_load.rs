//! Mixed load against a running `erhverv serve` (BENCHMARKS.md, "Mixed
//! load"): consultants signed in with their own accounts browse the
//! business list with filters, search, open businesses and log contacts,
//! while businesses send the public recruitment form, all at once, as fast
//! as the server answers (no think time). Reports requests/s and p50/p99
//! per kind of request, the errors (anything but the expected status), and
//! the server's peak resident memory when given its process id.
//!
//! `benches/mixed_load.sh` seeds the demo data, starts the server and runs
//! this; by hand:
//!
//! ```sh
//! cargo bench --bench mixed_load -- http://127.0.0.1:18095 --consultants 40 --public 4 --seconds 60 --pid PID
//! ```
//!
//! The consultants are the demo's: `konsulent`, then `k001` … (password
//! `erhverv-demo`). The server must allow the form's pace from one address
//! (`ERHVERV_NEED_SUBMISSIONS_PER_HOUR`, `ERHVERV_NEED_MIN_FILL_SECONDS=0`).
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng, rngs::StdRng};

const DISTRICTS: [&str; 10] = [
    "indre_by",
    "osterbro",
    "norrebro",
    "vesterbro_kongens_enghave",
    "valby",
    "vanlose",
    "bronshoj_husum",
    "bispebjerg",
    "amager_ost",
    "amager_vest",
];

/// What consultants type into the search box.
const QUERIES: [&str; 16] = [
    "hotel",
    "bageri",
    "tømrer",
    "restaurant",
    "rengøring",
    "københavn",
    "café",
    "frisør",
    "byg",
    "nørrebrogade",
    "vesterbro",
    "it",
    "hotel a/s",
    "amagerbrogade",
    "2300",
    "konsulent",
];

#[derive(Default)]
struct Stats {
    latencies: BTreeMap<&'static str, Vec<Duration>>,
    errors: BTreeMap<&'static str, Vec<String>>,
}

impl Stats {
    /// A success's time counts in the percentiles; an error is counted apart.
    fn record(&mut self, kind: &'static str, took: Duration, error: Option<String>) {
        match error {
            None => self.latencies.entry(kind).or_default().push(took),
            Some(e) => self.errors.entry(kind).or_default().push(e),
        }
    }
}

struct Args {
    url: String,
    consultants: usize,
    public: usize,
    seconds: u64,
    pid: Option<u32>,
}

fn args() -> Args {
    let mut a = Args {
        url: String::new(),
        consultants: 40,
        public: 4,
        seconds: 60,
        pid: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().expect("a value after the flag");
        match arg.as_str() {
            "--consultants" => a.consultants = value().parse().expect("a number"),
            "--public" => a.public = value().parse().expect("a number"),
            "--seconds" => a.seconds = value().parse().expect("a number"),
            "--pid" => a.pid = Some(value().parse().expect("a process id")),
            "--bench" => {}
            url if url.starts_with("http") => a.url = url.trim_end_matches('/').to_string(),
            other => panic!("unknown argument {other}"),
        }
    }
    assert!(
        !a.url.is_empty(),
        "usage: mixed_load URL [--consultants N] [--public N] [--seconds S] [--pid PID]"
    );
    a
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(1)
        .build()
        .expect("client")
}

fn csrf_in(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

/// One timed request: its body, or why it is an error.
async fn timed(
    stats: &Mutex<Stats>,
    kind: &'static str,
    want: u16,
    req: reqwest::RequestBuilder,
) -> Option<String> {
    let started = Instant::now();
    let outcome = match req.send().await {
        Ok(res) => {
            let status = res.status().as_u16();
            match res.text().await {
                Ok(body) if status == want => Ok(body),
                Ok(_) => Err(format!("status {status}")),
                Err(e) => Err(format!("body: {e}")),
            }
        }
        Err(e) => Err(format!("request: {e}")),
    };
    let took = started.elapsed();
    let mut s = stats.lock().unwrap_or_else(|e| e.into_inner());
    match outcome {
        Ok(body) => {
            s.record(kind, took, None);
            Some(body)
        }
        Err(e) => {
            s.record(kind, took, Some(e));
            None
        }
    }
}

async fn consultant(
    url: String,
    username: String,
    deadline: Instant,
    seed: u64,
    stats: Arc<Mutex<Stats>>,
) {
    let c = client();
    let mut rng = StdRng::seed_from_u64(seed);
    let Some(page) = timed(&stats, "sign-in page", 200, c.get(format!("{url}/login"))).await else {
        return;
    };
    let token = csrf_in(&page).unwrap_or_default();
    let form = [
        ("csrf_token", token.as_str()),
        ("username", username.as_str()),
        ("password", "erhverv-demo"),
        ("next", "/"),
    ];
    if timed(
        &stats,
        "sign-in",
        303,
        c.post(format!("{url}/login")).form(&form),
    )
    .await
    .is_none()
    {
        return;
    }
    let id_link = regex::Regex::new(r#"href="/businesses/(\d+)""#).expect("regex");
    let mut ids: Vec<u32> = vec![1];
    while Instant::now() < deadline {
        let roll: u32 = rng.random_range(0..100);
        if roll < 35 {
            let district = DISTRICTS[rng.random_range(0..DISTRICTS.len())];
            let page = rng.random_range(1..=5);
            let list = format!("{url}/businesses?district={district}&sort=name&page={page}");
            if let Some(body) = timed(&stats, "business list (filter)", 200, c.get(list)).await {
                let found: Vec<u32> = id_link
                    .captures_iter(&body)
                    .filter_map(|m| m[1].parse().ok())
                    .collect();
                if !found.is_empty() {
                    ids = found;
                }
            }
        } else if roll < 60 {
            let q = QUERIES[rng.random_range(0..QUERIES.len())];
            let search = c.get(format!("{url}/search")).query(&[("q", q)]);
            timed(&stats, "search", 200, search).await;
        } else if roll < 85 {
            let id = ids[rng.random_range(0..ids.len())];
            timed(
                &stats,
                "business page",
                200,
                c.get(format!("{url}/businesses/{id}")),
            )
            .await;
        } else {
            let id = ids[rng.random_range(0..ids.len())];
            let Some(form_page) = timed(
                &stats,
                "contact form",
                200,
                c.get(format!("{url}/businesses/{id}/contacts/new")),
            )
            .await
            else {
                continue;
            };
            let token = csrf_in(&form_page).unwrap_or_default();
            let now = chrono::Utc::now()
                .with_timezone(&chrono_tz::Europe::Copenhagen)
                .format("%Y-%m-%dT%H:%M")
                .to_string();
            let form = [
                ("csrf_token", token.as_str()),
                ("channel", "phone"),
                ("occurred_at", now.as_str()),
                ("subject", "Opfølgning på rekrutteringsbehov"),
                ("notes", "Talte med indehaveren om løntilskud og fleksjob."),
                ("outcome", "information"),
                ("follow_up_on", ""),
            ];
            timed(
                &stats,
                "log contact",
                303,
                c.post(format!("{url}/businesses/{id}/contacts"))
                    .form(&form),
            )
            .await;
        }
    }
}

async fn business(url: String, n: usize, deadline: Instant, stats: Arc<Mutex<Stats>>) {
    let c = client();
    let mut i = 0u64;
    while Instant::now() < deadline {
        i += 1;
        let Some(page) = timed(
            &stats,
            "public form page",
            200,
            c.get(format!("{url}/rekruttering")),
        )
        .await
        else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let token = csrf_in(&page).unwrap_or_default();
        let idem = format!("load{n}x{i}x{}", std::process::id());
        let form = [
            ("csrf_token", token.as_str()),
            ("cvr", "DK 2425 6790"),
            ("company_name", "Åbent Værksted"),
            ("contact_name", "Søren Ærø"),
            ("contact_email", "soeren@aabentvaerksted.dk"),
            ("contact_phone", "20 30 40 50"),
            ("job_title", "Tømrer"),
            ("positions", "2"),
            ("hours_per_week", "37"),
            ("start_date", "2027-03-01"),
            ("employment", "permanent"),
            ("workplace_address", "Amagerbrogade 100, 2300 København S"),
            ("qualifications", "Svendebrev"),
            ("languages", "Dansk eller engelsk"),
            ("free_text", ""),
            ("website", ""),
            ("idem", idem.as_str()),
            ("action", "submit"),
        ];
        timed(
            &stats,
            "public form sent",
            303,
            c.post(format!("{url}/rekruttering")).form(&form),
        )
        .await;
    }
}

/// The server's resident memory now, in KiB (Linux).
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let a = args();
    let stats = Arc::new(Mutex::new(Stats::default()));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(a.seconds);
    let mut tasks = Vec::new();
    for n in 0..a.consultants {
        let username = if n == 0 {
            "konsulent".to_string()
        } else {
            format!("k{n:03}")
        };
        tasks.push(tokio::spawn(consultant(
            a.url.clone(),
            username,
            deadline,
            n as u64,
            stats.clone(),
        )));
    }
    for n in 0..a.public {
        tasks.push(tokio::spawn(business(
            a.url.clone(),
            n,
            deadline,
            stats.clone(),
        )));
    }
    let peak = Arc::new(Mutex::new(0u64));
    let sampler = a.pid.map(|pid| {
        let peak = peak.clone();
        tokio::spawn(async move {
            while Instant::now() < deadline {
                if let Some(kib) = rss_kib(pid) {
                    let mut p = peak.lock().unwrap_or_else(|e| e.into_inner());
                    *p = (*p).max(kib);
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        })
    });
    for t in tasks {
        let _ = t.await;
    }
    if let Some(s) = sampler {
        let _ = s.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let stats = stats.lock().unwrap_or_else(|e| e.into_inner());
    println!(
        "{} consultants, {} businesses sending the form, {:.0} s against {}",
        a.consultants, a.public, elapsed, a.url
    );
    println!("| request | count | per s | p50 ms | p99 ms | max ms | errors |");
    println!("|---|---|---|---|---|---|---|");
    let mut total = 0usize;
    let mut errors = 0usize;
    let mut kinds: Vec<&'static str> = stats
        .latencies
        .keys()
        .chain(stats.errors.keys())
        .copied()
        .collect();
    kinds.sort();
    kinds.dedup();
    let none = Vec::new();
    for kind in kinds {
        let mut sorted = stats.latencies.get(kind).unwrap_or(&none).clone();
        sorted.sort();
        let errs = stats.errors.get(kind).map_or(0, Vec::len);
        total += sorted.len();
        errors += errs;
        println!(
            "| {kind} | {} | {:.0} | {} | {} | {} | {errs} |",
            sorted.len(),
            sorted.len() as f64 / elapsed,
            ms(percentile(&sorted, 0.5)),
            ms(percentile(&sorted, 0.99)),
            ms(*sorted.last().unwrap_or(&Duration::ZERO)),
        );
    }
    println!(
        "| **all** | {} | **{:.0}** | | | | **{errors}** |",
        total + errors,
        (total + errors) as f64 / elapsed
    );
    if a.pid.is_some() {
        println!(
            "peak resident memory of the server: {:.1} MiB",
            *peak.lock().unwrap_or_else(|e| e.into_inner()) as f64 / 1024.0
        );
    }
    for (kind, errs) in &stats.errors {
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for e in errs {
            *kinds.entry(e.as_str()).or_default() += 1;
        }
        println!("errors of {kind}: {kinds:?}");
    }
}
