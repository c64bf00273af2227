//! Layered settings: built-in defaults < optional `erhverv.toml` < `ERHVERV_*`
//! environment variables < command-line flags. Secrets are wrapped so they
//! never end up in a log line or a `Debug` print.
use std::path::{Path, PathBuf};

use anyhow::Context;
use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Settings {
    /// Where the SQLite database, the session key and other local state live.
    pub data_dir: PathBuf,
    /// Address to listen on; port 0 picks a free port.
    pub bind: String,
    /// `postgres://…` to use PostgreSQL; unset means SQLite in `data_dir`.
    #[serde(skip_serializing)]
    pub database_url: Option<SecretString>,
    /// Maximum database connections in the pool.
    pub db_max_connections: u32,
    /// SQLite page cache per connection, in MiB. Bulk imports of a million
    /// rows need the indexes' pages in memory; the import command raises it.
    pub sqlite_cache_mib: u32,
    /// Mark the session cookie `Secure` (HTTPS only). On in production;
    /// `demo` turns it off for plain-HTTP local runs unless set explicitly.
    pub cookie_secure: Option<bool>,
    /// 64-byte session key as 128 hex characters; unset means a key
    /// generated once and kept in `data_dir/session.key`.
    #[serde(skip_serializing)]
    pub session_key: Option<SecretString>,
    /// How long a sign-in lasts.
    pub session_hours: u32,
    /// Reverse proxies (addresses or networks) whose `Forwarded` /
    /// `X-Forwarded-For` header names the client; from anyone else the
    /// header is ignored.
    pub trusted_proxies: Vec<String>,
    /// Minutes a session may go unused before it ends.
    pub session_idle_minutes: u32,
    /// Failed sign-ins allowed per client address within 15 minutes.
    pub login_attempts: u32,
    /// Years without activity after which a business's contact persons are
    /// removed (`gdpr purge`).
    pub gdpr_inactive_years: u32,
    /// Years after which a need's contact details are removed.
    pub need_contact_years: u32,
    /// Months after which a sent email's body is removed.
    pub email_body_months: u32,
    /// Requests one API token may make per minute (then 429).
    pub api_requests_per_minute: u32,
    /// Log format: `pretty` or `json`.
    pub log_format: String,
    /// Largest accepted upload (CSV import), in MiB.
    pub max_upload_mib: usize,
    /// Meilisearch server (`MEILI_URL`); unset means the embedded tantivy
    /// index in `data_dir/search`.
    pub meili_url: Option<String>,
    /// Meilisearch API key (`MEILI_KEY`).
    #[serde(skip_serializing)]
    pub meili_key: Option<SecretString>,
    /// Meilisearch index name.
    pub meili_index: String,
    /// `smtp://host:port`, `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS) or `smtps://user:pass@host:465`; unset means `.eml` files
    /// in `data_dir/outbox`.
    #[serde(skip_serializing)]
    pub smtp_url: Option<SecretString>,
    /// The sender of every email.
    pub mail_from: String,
    /// The portal's public address, for links in emails (default: the
    /// bound address).
    pub app_url: Option<String>,
    /// First retry delay after a temporary failure; doubles each attempt.
    pub outbox_base_delay_ms: u64,
    /// Longest delay between attempts.
    pub outbox_max_delay_ms: u64,
    /// Attempts that reach a mail server before an email is given up (dead).
    pub outbox_max_attempts: i32,
    /// Emails sent at the same time (and SMTP connections in the pool).
    pub outbox_concurrency: usize,
    /// How often to try while no mail server is reachable.
    pub outbox_probe_ms: u64,
    /// How long a worker's claim on an email lasts: if its process dies
    /// mid-send, another instance sends the email after this.
    pub outbox_lease_seconds: u64,
    /// How long the list pages and signed-in sessions read from the
    /// database may be served from memory. A change this instance, another
    /// instance (PostgreSQL) or the command line commits drops them at
    /// once; this bounds changes made outside the application. 0 turns
    /// these caches off.
    pub read_cache_seconds: u64,
    /// Run the delivery worker and the digest scheduler in this process.
    pub outbox_worker: bool,
    /// Local (Copenhagen) hour from which weekday digests go out.
    pub digest_hour: u32,
    /// Public recruitment-form submissions per client address per hour.
    pub need_submissions_per_hour: u32,
    /// Seconds a person needs at least to fill in the public form; faster
    /// submissions are treated as bots.
    pub need_min_fill_seconds: i64,
    /// Receipts of the public form to one email address per 24 hours;
    /// needs beyond it are stored, their receipt is not sent.
    pub need_receipts_per_address: u32,
    /// Receipts of the public form for one CVR number per 24 hours.
    pub need_receipts_per_cvr: u32,
    /// Service promise: first contact within this many working days.
    pub need_first_contact_days: u32,
    /// Service promise: candidates or an answer within this many working days.
    pub need_answer_days: u32,
    /// The team's shared address, told about each new need from the form
    /// (they arrive unassigned).
    pub team_email: Option<String>,
    /// The business council's address: the quarterly report goes there.
    pub council_email: Option<String>,
    /// Weeks after a placement's start that the business's contact person
    /// gets a check-in email.
    pub placement_checkin_weeks: u32,
    /// The case system's reference format, as a regular expression the
    /// whole reference must match (default: 6-20 letters, digits, dashes).
    pub case_ref_pattern: String,
    /// Years after a placement ended that `gdpr purge` anonymises it.
    pub placement_retention_years: u32,
    /// OpenID Connect sign-in (the municipality's identity provider, e.g.
    /// Microsoft Entra ID): the issuer URL, from which the provider's
    /// endpoints and keys are discovered. Unset means local passwords only.
    pub oidc_issuer: Option<String>,
    /// The portal's client (application) id at the provider.
    pub oidc_client_id: Option<String>,
    /// The client secret.
    #[serde(skip_serializing)]
    pub oidc_client_secret: Option<SecretString>,
    /// Where the provider sends the browser back (default:
    /// `app_url` + `/login/oidc/callback`); registered at the provider.
    pub oidc_redirect_url: Option<String>,
    /// The ID token's claim with the person's groups or app roles (Entra
    /// ID: `groups` with group object ids, or `roles`).
    pub oidc_role_claim: String,
    /// Values of that claim that make someone an admin, a consultant, or a
    /// council member (the highest role wins; none: no access).
    pub oidc_admin_groups: Vec<String>,
    pub oidc_consultant_groups: Vec<String>,
    pub oidc_council_groups: Vec<String>,
    /// Who may sign in with a local password: `all`, `admins` (break-glass
    /// admin accounts; the default when `oidc_issuer` is set) or `off`.
    pub local_sign_in: Option<LocalSignIn>,
    /// Where "now" comes from: the system clock, or in tests a fixed one.
    /// Not a setting a file or the environment can change.
    #[serde(skip)]
    pub clock: crate::app::Clock,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./data"),
            bind: "127.0.0.1:8080".into(),
            database_url: None,
            db_max_connections: 8,
            sqlite_cache_mib: 8,
            cookie_secure: None,
            session_key: None,
            session_hours: 10,
            session_idle_minutes: 60,
            trusted_proxies: Vec::new(),
            login_attempts: 10,
            api_requests_per_minute: 600,
            gdpr_inactive_years: 5,
            need_contact_years: 3,
            email_body_months: 6,
            log_format: "pretty".into(),
            max_upload_mib: 256,
            meili_url: None,
            meili_key: None,
            meili_index: "erhverv".into(),
            smtp_url: None,
            mail_from: "Københavns Kommune Erhverv <erhverv@kk.dk>".into(),
            app_url: None,
            outbox_base_delay_ms: 30_000,
            outbox_max_delay_ms: 60_000,
            outbox_max_attempts: 10,
            outbox_concurrency: 16,
            outbox_probe_ms: 5_000,
            outbox_worker: true,
            outbox_lease_seconds: 300,
            read_cache_seconds: 2,
            digest_hour: 7,
            need_submissions_per_hour: 20,
            need_min_fill_seconds: 3,
            need_receipts_per_address: 3,
            need_receipts_per_cvr: 10,
            need_first_contact_days: 1,
            need_answer_days: 5,
            team_email: None,
            council_email: None,
            placement_checkin_weeks: 4,
            placement_retention_years: 5,
            case_ref_pattern: crate::domain::DEFAULT_CASE_REF_PATTERN.into(),
            oidc_issuer: None,
            oidc_client_id: None,
            oidc_client_secret: None,
            oidc_redirect_url: None,
            oidc_role_claim: "groups".into(),
            oidc_admin_groups: Vec::new(),
            oidc_consultant_groups: Vec::new(),
            oidc_council_groups: Vec::new(),
            local_sign_in: None,
            clock: crate::app::Clock::system(),
        }
    }
}

impl Settings {
    /// Reads the layers. `file` is the TOML file; a missing file is fine.
    pub fn load(file: &Path) -> anyhow::Result<Settings> {
        let mut fig = Figment::from(Serialized::defaults(Settings::default()));
        if file.exists() {
            fig = fig.merge(Toml::file(file));
        }
        // The conventional DATABASE_URL works too; ERHVERV_DATABASE_URL wins.
        fig = fig
            .merge(
                Env::raw()
                    .only(&["DATABASE_URL"])
                    .map(|_| "database_url".into()),
            )
            .merge(Env::raw().only(&["MEILI_URL"]).map(|_| "meili_url".into()))
            .merge(Env::raw().only(&["MEILI_KEY"]).map(|_| "meili_key".into()))
            .merge(Env::raw().only(&["SMTP_URL"]).map(|_| "smtp_url".into()))
            .merge(Env::prefixed("ERHVERV_"));
        fig.extract().context("reading configuration")
    }

    pub fn cookie_secure(&self) -> bool {
        self.cookie_secure.unwrap_or(true)
    }

    /// Whether staff sign in with the identity provider.
    pub fn oidc_enabled(&self) -> bool {
        self.oidc_issuer
            .as_deref()
            .is_some_and(|s| !s.trim().is_empty())
    }

    /// Who may use a local password: everyone without an identity
    /// provider, break-glass admins with one, unless set.
    pub fn local_sign_in(&self) -> LocalSignIn {
        self.local_sign_in.unwrap_or(if self.oidc_enabled() {
            LocalSignIn::Admins
        } else {
            LocalSignIn::All
        })
    }
}

/// Who may sign in with a local password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LocalSignIn {
    All,
    /// Admin accounts only (break-glass, when the provider is down).
    Admins,
    Off,
}
