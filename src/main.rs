//! The `erhverv` command line: serve the portal, run the demo, migrate, seed,
//! import businesses and manage users.
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use erhverv::{config::Settings, db, demo, domain::Role, import, startup::Application, users};

/// mimalloc: the request path allocates a lot of small strings from many
/// threads (actix workers, tokio, SQLite connection threads); glibc's
/// per-thread arenas made the resident memory grow well past what is in use.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "erhverv",
    version,
    about = "Business-service portal and CRM of Copenhagen Municipality"
)]
struct Cli {
    /// Data directory (SQLite database, session key, uploads)
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Configuration file
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        default_value = "erhverv.toml"
    )]
    config: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the data directory, migrate, fill an empty database with demo data, and serve
    Demo {
        #[arg(long, value_name = "ADDR:PORT")]
        bind: Option<String>,
        /// Number of demo businesses
        #[arg(long, default_value_t = 20_000)]
        businesses: usize,
    },
    /// Serve the portal
    Serve {
        #[arg(long, value_name = "ADDR:PORT")]
        bind: Option<String>,
    },
    /// Run database migrations
    Migrate,
    /// Fill an empty database with deterministic demo data
    Seed {
        #[arg(long, default_value_t = 20_000)]
        businesses: usize,
        #[arg(long, default_value_t = demo::DEFAULT_SEED)]
        seed: u64,
    },
    /// Write a demo CSV in the CVR register's shape (for import tests and benchmarks)
    DemoCsv {
        /// Output file
        file: PathBuf,
        #[arg(long, default_value_t = 20_000)]
        businesses: usize,
        #[arg(long, default_value_t = demo::DEFAULT_SEED)]
        seed: u64,
    },
    /// Import businesses from a CSV file (CVR register shape; upsert by CVR number)
    Import { file: PathBuf },
    /// Rebuild the search index (tantivy or Meilisearch) from the database
    Reindex,
    /// Benchmark: search latency over a fixed set of realistic queries
    BenchSearch {
        /// Times each query is run
        #[arg(long, default_value_t = 20)]
        rounds: usize,
        /// Also send the same queries straight to this Meilisearch server
        /// (MEILI_KEY for its key), after loading the same documents into
        /// its index `erhverv_bench`: the two engines in one run
        #[arg(long, value_name = "URL")]
        compare_meili: Option<String>,
        /// Also send them end to end through this running portal's
        /// /api/v1/search, with the API token in ERHVERV_BENCH_TOKEN
        #[arg(long, value_name = "URL")]
        portal: Option<String>,
    },
    /// The email outbox: `status`, `retry ID`, `send-due`
    Outbox {
        #[command(subcommand)]
        action: OutboxAction,
    },
    /// Manage staff users
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Data protection: `purge` anonymises placements past retention and
    /// removes contact persons, needs' contact details and sent email
    /// bodies past theirs
    Gdpr {
        #[command(subcommand)]
        action: GdprAction,
    },
    /// Reports: `quarterly` emails the dashboard's summary to the council
    Report {
        #[command(subcommand)]
        action: ReportAction,
    },
}

#[derive(Subcommand)]
enum ReportAction {
    /// Queue the quarterly report to `council_email` through the outbox,
    /// once per quarter (a second run for the same quarter queues nothing)
    Quarterly {
        /// The quarter, e.g. 2026Q4 (default: the last quarter that has ended)
        #[arg(long)]
        quarter: Option<String>,
    },
}

#[derive(Subcommand)]
enum GdprAction {
    /// Anonymise placements that ended more than `placement_retention_years`
    /// ago (case reference and notes removed, counts kept); remove contact
    /// persons of businesses without activity for `gdpr_inactive_years`,
    /// needs' contact details after `need_contact_years` and sent email
    /// bodies after `email_body_months`
    Purge {
        /// Only list what would be anonymised
        #[arg(long)]
        dry_run: bool,
        /// Years after the end (default: the `placement_retention_years` setting)
        #[arg(long)]
        years: Option<u32>,
    },
}

#[derive(Subcommand)]
enum OutboxAction {
    /// Counts by status, and the emails that failed or were given up
    Status,
    /// Put a failed or dead email back in the queue
    Retry { id: i64 },
    /// Send every email that is due now, then exit
    SendDue,
}

#[derive(Subcommand)]
enum UserAction {
    /// Add a user; the password is read from standard input
    Add {
        username: String,
        #[arg(long, value_parser = ["admin", "consultant", "council"])]
        role: String,
        /// Display name (defaults to the username)
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        email: Option<String>,
    },
    /// List users
    List,
    /// Disable a user and end all of the user's sessions
    Disable { username: String },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut settings = Settings::load(&cli.config)?;
    if let Some(dir) = cli.data_dir {
        settings.data_dir = dir;
    }
    erhverv::telemetry::init(&settings.log_format);
    match cli.command {
        Command::Demo { bind, businesses } => {
            if let Some(b) = bind {
                settings.bind = b;
            }
            // Plain HTTP on a laptop: a Secure cookie would never come back.
            settings.cookie_secure.get_or_insert(false);
            let conn = db::connect(&settings).await?;
            db::migrate(&conn).await?;
            if demo::is_empty(&conn).await? {
                eprintln!("Genererer demodata ({businesses} virksomheder) …");
                let started = std::time::Instant::now();
                demo::seed(
                    &conn,
                    businesses,
                    demo::DEFAULT_SEED,
                    std::io::stderr().is_terminal(),
                )
                .await?;
                eprintln!("Demodata klar på {:.1} s.", started.elapsed().as_secs_f64());
            }
            let app = Application::build(settings, Some(conn)).await?;
            println!("erhverv kører på {}", app.url());
            println!("Demo-logins (adgangskode «{}»):", demo::DEMO_PASSWORD);
            println!("  admin      – administrator");
            println!("  konsulent  – virksomhedskonsulent");
            println!("  raad       – Erhvervsrådet (kun læseadgang)");
            std::io::stdout().flush().ok();
            app.run_until_stopped().await?;
        }
        Command::Serve { bind } => {
            if let Some(b) = bind {
                settings.bind = b;
            }
            let app = Application::build(settings, None).await?;
            println!("erhverv kører på {}", app.url());
            std::io::stdout().flush().ok();
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            let conn = db::connect(&settings).await?;
            db::migrate(&conn).await?;
            println!("migrations applied");
        }
        Command::Seed { businesses, seed } => {
            let conn = db::connect(&settings).await?;
            db::migrate(&conn).await?;
            let started = std::time::Instant::now();
            demo::seed(&conn, businesses, seed, std::io::stderr().is_terminal()).await?;
            println!(
                "seeded {businesses} businesses in {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
        Command::DemoCsv {
            file,
            businesses,
            seed,
        } => {
            let out = std::io::BufWriter::new(
                std::fs::File::create(&file)
                    .with_context(|| format!("creating {}", file.display()))?,
            );
            let n = demo::generator::write_cvr_csv(
                demo::generator::businesses(seed, businesses, demo::CONSULTANTS),
                out,
                b';',
            )?;
            println!("wrote {n} rows to {}", file.display());
        }
        Command::Import { file } => return import_file(&settings, &file).await,
        Command::Reindex => {
            let conn = db::connect(&settings).await?;
            db::migrate(&conn).await?;
            // The settings first (a fresh server has no index yet): searches
            // sort on a field only they make sortable.
            erhverv::search::apply_settings(&settings).await?;
            let index = erhverv::search::open(&settings).await?;
            if let Some(meili) = settings.meili_url.as_ref() {
                tracing::info!(url = %meili, "reindexing into Meilisearch");
            }
            let pb = if std::io::stderr().is_terminal() {
                indicatif::ProgressBar::new(0)
            } else {
                indicatif::ProgressBar::hidden()
            };
            pb.set_style(
                indicatif::ProgressStyle::with_template("indeks [{bar:40}] {pos}/{len} ({eta})")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            let started = std::time::Instant::now();
            let n = erhverv::search::sync::reindex(&conn, index.as_ref(), |done, total| {
                pb.set_length(total);
                pb.set_position(done);
            })
            .await?;
            pb.finish_and_clear();
            println!(
                "reindexed {n} businesses into {} in {:.1} s",
                index.name(),
                started.elapsed().as_secs_f64()
            );
        }
        Command::User { action } => return user(&settings, action).await,
        Command::Outbox { action } => return outbox(&settings, action).await,
        Command::Gdpr {
            action: GdprAction::Purge { dry_run, years },
        } => {
            use erhverv::gdpr::retention as gdpr;
            use erhverv::placements::retention;
            let conn = db::connect(&settings).await?;
            db::migrate(&conn).await?;
            let clock = erhverv::app::Clock::system();
            let years = years.unwrap_or(settings.placement_retention_years);
            let cutoff = retention::cutoff(clock.today(), years);
            let cutoffs = gdpr::Cutoffs::of(&settings, clock.now());
            if dry_run {
                let ids = retention::due(&conn, cutoff).await?;
                let due = gdpr::due(&conn, cutoffs).await?;
                println!("dry run: nothing is changed");
                println!(
                    "{} placements ended before {cutoff} would be anonymised: {ids:?}",
                    ids.len()
                );
                println!(
                    "{} contact persons of businesses without activity since {} would be removed",
                    due.persons.len(),
                    cutoffs.inactive_since.date_naive()
                );
                println!(
                    "{} needs from before {} would lose their contact details",
                    due.needs.len(),
                    cutoffs.needs_before.date_naive()
                );
                println!(
                    "{} emails sent before {} would lose their bodies",
                    due.emails.len(),
                    cutoffs.emails_before.date_naive()
                );
            } else {
                let app = erhverv::app::App::for_cli(&conn)?;
                let cmd = retention::AnonymisePlacements { cutoff };
                let n = app.run(erhverv::app::Actor::System, cmd).await?;
                println!("anonymised {n} placements ended before {cutoff}");
                let d = app
                    .run(erhverv::app::Actor::System, gdpr::Purge { cutoffs })
                    .await?;
                println!(
                    "removed {} contact persons, the contact details of {} needs and the bodies of {} sent emails",
                    d.persons.len(),
                    d.needs.len(),
                    d.emails.len()
                );
            }
        }
        Command::Report {
            action: ReportAction::Quarterly { quarter },
        } => return quarterly_report(&settings, quarter.as_deref()).await,
        Command::BenchSearch {
            rounds,
            compare_meili,
            portal,
        } => {
            let index = erhverv::search::open(&settings).await?;
            let report = erhverv::search::bench::run(index.as_ref(), rounds).await?;
            println!("{report}");
            if let Some(url) = portal {
                let token = std::env::var("ERHVERV_BENCH_TOKEN")
                    .context("--portal needs an API token in ERHVERV_BENCH_TOKEN")?;
                println!(
                    "{}",
                    erhverv::search::bench::run_portal(&url, &token, rounds).await?
                );
            }
            if let Some(url) = compare_meili {
                use secrecy::ExposeSecret;
                let key = settings
                    .meili_key
                    .as_ref()
                    .map(|k| k.expose_secret().to_string());
                let meili =
                    erhverv::search::meili::MeiliIndex::new(&url, key.as_deref(), "erhverv_bench")
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                meili
                    .ensure_settings()
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                let conn = db::connect(&settings).await?;
                let started = std::time::Instant::now();
                erhverv::search::SearchIndex::clear(&meili)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                let n = erhverv::search::sync::load_all(&conn, &meili, 0, &|_, _| {}).await?;
                println!(
                    "loaded {n} documents into Meilisearch at {url} in {:.1} s",
                    started.elapsed().as_secs_f64()
                );
                let report = erhverv::search::bench::run(&meili, rounds).await?;
                println!("{report}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn quarterly_report(settings: &Settings, quarter: Option<&str>) -> anyhow::Result<ExitCode> {
    use erhverv::initiatives::report::{self, Outcome, Quarter};
    let clock = erhverv::app::Clock::system();
    let quarter = match quarter {
        None => Quarter::last_complete(clock.today()),
        Some(q) => match Quarter::parse(q) {
            Ok(q) => q,
            Err(_) => {
                eprintln!("error: {q:?} is not a quarter; give it as 2026Q4");
                return Ok(ExitCode::from(2));
            }
        },
    };
    let Some(recipient) = settings.council_email.clone() else {
        eprintln!(
            "error: no council_email configured (ERHVERV_COUNCIL_EMAIL or council_email in the configuration file)"
        );
        return Ok(ExitCode::from(2));
    };
    let conn = db::connect(settings).await?;
    db::migrate(&conn).await?;
    let app = erhverv::app::App::for_cli(&conn)?;
    let templates = erhverv::email::render::EmailTemplates::load()?;
    let app_url = settings
        .app_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", settings.bind));
    let outcome = report::queue(
        &app,
        &conn,
        &templates,
        &Default::default(),
        settings.need_first_contact_days,
        &app_url,
        &recipient,
        quarter,
        erhverv::app::Actor::System,
    )
    .await?;
    match outcome {
        Outcome::Queued => println!(
            "the quarterly report for {} is queued to {}",
            quarter.code(),
            erhverv::email::domain_of(&recipient)
        ),
        Outcome::AlreadyQueued => println!(
            "the quarterly report for {} was queued before; nothing more is sent",
            quarter.code()
        ),
    }
    Ok(ExitCode::SUCCESS)
}

async fn import_file(settings: &Settings, file: &PathBuf) -> anyhow::Result<ExitCode> {
    let f = match std::fs::File::open(file) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", file.display());
            return Ok(ExitCode::FAILURE);
        }
    };
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    // One writer does the work: give it a page cache that holds the upper
    // levels of a million-row table's indexes (a first load builds its
    // indexes at the end, by sorting, see `import::bulk`).
    let mut settings = settings.clone();
    settings.db_max_connections = 2;
    settings.sqlite_cache_mib = settings.sqlite_cache_mib.max(64);
    let settings = &settings;
    let conn = db::connect(settings).await?;
    db::migrate(&conn).await?;
    let reader = import::Counting::new(std::io::BufReader::with_capacity(256 * 1024, f));
    let read = reader.read.clone();
    let pb = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(size)
    } else {
        indicatif::ProgressBar::hidden()
    };
    pb.set_style(
        indicatif::ProgressStyle::with_template("[{bar:40}] {bytes}/{total_bytes} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let ticker = {
        let pb = pb.clone();
        tokio::spawn(async move {
            loop {
                pb.set_position(read.load(std::sync::atomic::Ordering::Relaxed));
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        })
    };
    let app = erhverv::app::App::for_cli(&conn)?;
    let result = import::run(&app, reader, erhverv::domain::Lang::Da, None, 20, true).await;
    ticker.abort();
    pb.finish_and_clear();
    match result {
        Ok(summary) => {
            if !summary.unknown_headings.is_empty() {
                eprintln!(
                    "ukendte kolonner (ignoreret): {}",
                    summary.unknown_headings.join(", ")
                );
            }
            for e in &summary.errors {
                eprintln!("{e}");
            }
            if summary.invalid as usize > summary.errors.len() {
                eprintln!(
                    "… og {} flere ugyldige rækker",
                    summary.invalid as usize - summary.errors.len()
                );
            }
            println!("{}", summary.line());
            Ok(ExitCode::SUCCESS)
        }
        Err(import::ImportFailure::Unreadable(msg)) => {
            eprintln!("error: {}: {msg}", file.display());
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}

async fn outbox(settings: &Settings, action: OutboxAction) -> anyhow::Result<ExitCode> {
    use erhverv::email::{Mailer, outbox};
    let conn = db::connect(settings).await?;
    db::migrate(&conn).await?;
    match action {
        OutboxAction::Status => {
            let c = outbox::counts(&conn).await?;
            println!(
                "pending {}  failed {}  dead {}  sent {}  cancelled {}",
                c.pending, c.failed, c.dead, c.sent, c.cancelled
            );
            for r in outbox::problems(&conn).await? {
                if r.status == outbox::PENDING {
                    continue;
                }
                println!(
                    "#{:<6} {:<7} {:<24} attempts {:<2} {}",
                    r.id,
                    r.status,
                    erhverv::email::domain_of(&r.recipient),
                    r.attempts,
                    r.last_error.unwrap_or_default()
                );
            }
        }
        OutboxAction::Retry { id } => {
            let app = erhverv::app::App::for_cli(&conn)?;
            let cmd = erhverv::email::commands::RetryEmail { email_id: id };
            if app.run(erhverv::app::Actor::System, cmd).await? {
                println!("#{id} queued again");
            } else {
                eprintln!("error: #{id} is not a failed or dead email");
                return Ok(ExitCode::FAILURE);
            }
        }
        OutboxAction::SendDue => {
            let app_url = settings
                .app_url
                .clone()
                .unwrap_or_else(|| format!("http://{}", settings.bind));
            let mailer = Mailer::from_settings(settings, app_url)?;
            let mut total = erhverv::email::Pass::default();
            loop {
                let p = mailer.send_due(&conn).await?;
                total.sent += p.sent;
                total.retried += p.retried;
                total.dead += p.dead;
                total.unreachable += p.unreachable;
                if p.sent + p.retried + p.dead + p.unreachable == 0 || p.unreachable > 0 {
                    break;
                }
            }
            println!(
                "sent {}, deferred {}, dead {}, waiting for the server {}",
                total.sent, total.retried, total.dead, total.unreachable
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn user(settings: &Settings, action: UserAction) -> anyhow::Result<ExitCode> {
    let conn = db::connect(settings).await?;
    db::migrate(&conn).await?;
    match action {
        UserAction::Add {
            username,
            role,
            name,
            email,
        } => {
            let username = match users::parse_username(&username) {
                Ok(u) => u,
                Err(_) => {
                    eprintln!("error: a username is 2–40 characters: a–z, 0–9, '.', '-', '_'");
                    return Ok(ExitCode::FAILURE);
                }
            };
            let role = Role::parse(&role).map_err(|e| anyhow::anyhow!("{e}"))?;
            let email = match email {
                Some(e) => Some(
                    erhverv::domain::EmailAddress::parse(&e)
                        .map_err(|e| anyhow::anyhow!("{e}"))?
                        .as_str()
                        .to_string(),
                ),
                None => None,
            };
            if std::io::stdin().is_terminal() {
                eprint!("Adgangskode for {username}: ");
            }
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            let new = users::NewUser {
                display_name: name.unwrap_or_else(|| username.clone()),
                username,
                email,
                role,
            };
            match users::create_with_password(&conn, &new, password, None).await? {
                Ok(u) => println!("created user {} ({})", u.username, u.role),
                Err(users::UserError::Taken) => {
                    eprintln!("error: the username {} is taken", new.username);
                    return Ok(ExitCode::FAILURE);
                }
                Err(_) => {
                    eprintln!("error: the password must be at least 10 characters");
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        UserAction::List => {
            for u in users::list(&conn).await? {
                println!(
                    "{:<20} {:<11} {:<9} {}",
                    u.username,
                    u.role,
                    if u.disabled { "disabled" } else { "active" },
                    u.display_name
                );
            }
        }
        UserAction::Disable { username } => {
            match users::set_disabled(&conn, &username, true, None).await? {
                Some(_) => println!("disabled {username}; all of the user's sessions have ended"),
                None => {
                    eprintln!("error: no user {username}");
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
