//! Structured logs via tracing. Handlers log ids and route patterns, never
//! names, emails, notes or query strings.
use tracing_subscriber::{EnvFilter, fmt};

pub fn init(format: &str) {
    let filter = EnvFilter::try_from_env("ERHVERV_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if format == "json" {
        builder.json().try_init()
    } else {
        builder.compact().try_init()
    };
}
