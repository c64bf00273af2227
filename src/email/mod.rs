//! Email follow-up: a durable outbox written in the same transaction as the
//! change that causes the email, a delivery worker (at least once, with
//! exponential backoff; permanent refusals and exhausted attempts end as
//! `dead` and are shown to admins), SMTP and file transports, templates,
//! scheduled follow-ups and the consultants' morning digest.
//!
//! Logs name the recipient's domain, never the address.
pub mod commands;
pub mod digest;
mod handlers;
pub mod outbox;
pub mod render;
pub mod transport;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use entity::outbox_email;
use futures_util::StreamExt;
use lettre::{Message, message::Mailbox, message::MultiPart};
use sea_orm::DatabaseConnection;
use secrecy::ExposeSecret;
use tokio::sync::Notify;

pub use handlers::{routes, send_time};
use transport::{SendError, Transport};

use crate::config::Settings;

/// A mail server's error text with every address in it cut to its domain
/// (`550 <…@example.dk> unknown`): servers repeat the recipient, and the
/// text goes into logs and onto the admin page.
pub fn redact_addresses(text: &str) -> String {
    static ADDRESS: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"[A-Za-z0-9._%+!#$&'*/=?^`{|}~-]+@([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)")
            .ok()
    });
    match ADDRESS.as_ref() {
        Some(re) => re.replace_all(text, "…@$1").into_owned(),
        // The pattern is fixed; should it ever fail to compile, say nothing.
        None => "(error text withheld)".to_string(),
    }
}

/// The domain part of an address, for logs.
pub fn domain_of(address: &str) -> &str {
    address.rsplit_once('@').map(|(_, d)| d).unwrap_or("?")
}

#[derive(Debug, Clone)]
pub struct OutboxConfig {
    pub base_delay: Duration,
    pub max_delay: Duration,
    pub max_attempts: i32,
    pub concurrency: usize,
    pub batch: u64,
    /// How often to try again while no mail server is reachable.
    pub probe: Duration,
    /// How long a claim lasts before another worker may take the row.
    pub lease: Duration,
}

pub struct Mailer {
    pub transport: Transport,
    pub templates: render::EmailTemplates,
    pub from: Mailbox,
    /// Domain of the Message-IDs.
    pub domain: String,
    /// The portal's public address, for links in emails.
    pub app_url: String,
    pub config: OutboxConfig,
    /// Service promises for recruitment needs (for the digest).
    pub need_first_contact_days: u32,
    pub need_answer_days: u32,
    /// The team's shared address: told about new needs nobody is assigned to.
    pub team_email: Option<String>,
    wake: Notify,
}

/// What one pass of the worker did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub sent: u64,
    pub retried: u64,
    pub dead: u64,
    /// Rows put back because no server could be reached.
    pub unreachable: u64,
}

impl Mailer {
    pub fn from_settings(settings: &Settings, app_url: String) -> anyhow::Result<Arc<Mailer>> {
        let transport = match &settings.smtp_url {
            Some(url) => Transport::smtp(
                url.expose_secret(),
                Duration::from_secs(10),
                settings.outbox_concurrency as u32,
            )?,
            None => Transport::file(settings.data_dir.join("outbox"))?,
        };
        let from: Mailbox = settings
            .mail_from
            .parse()
            .map_err(|e| anyhow::anyhow!("mail_from is not an address: {e}"))?;
        let domain = from.email.domain().to_string();
        Ok(Arc::new(Mailer {
            transport,
            templates: render::EmailTemplates::load()?,
            from,
            domain,
            app_url,
            config: OutboxConfig {
                base_delay: Duration::from_millis(settings.outbox_base_delay_ms),
                max_delay: Duration::from_millis(settings.outbox_max_delay_ms),
                max_attempts: settings.outbox_max_attempts,
                concurrency: settings.outbox_concurrency.max(1),
                batch: 200,
                probe: Duration::from_millis(settings.outbox_probe_ms),
                lease: Duration::from_secs(settings.outbox_lease_seconds.max(1)),
            },
            need_first_contact_days: settings.need_first_contact_days,
            need_answer_days: settings.need_answer_days,
            team_email: settings.team_email.clone(),
            wake: Notify::new(),
        }))
    }

    /// Call after committing a transaction that queued mail.
    pub fn changed(&self) {
        self.wake.notify_one();
    }

    pub fn build_message(&self, row: &outbox_email::Model) -> Result<Message, String> {
        let to: Mailbox = row
            .recipient
            .parse()
            .map_err(|e| format!("recipient: {e}"))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(row.subject.clone())
            .message_id(Some(row.message_id.clone()))
            .multipart(MultiPart::alternative_plain_html(
                row.body_text.clone(),
                row.body_html.clone(),
            ))
            .map_err(|e| format!("building the message: {e}"))
    }

    /// The delay before attempt number `attempts + 1`.
    fn backoff(&self, attempts: i32) -> Duration {
        let factor = 2u32.saturating_pow(attempts.clamp(0, 20) as u32);
        self.config
            .base_delay
            .saturating_mul(factor)
            .min(self.config.max_delay)
    }

    /// Claims one batch of due emails and delivers them, several at a time.
    pub async fn send_due(&self, db: &DatabaseConnection) -> Result<Pass, sea_orm::DbErr> {
        let lease =
            chrono::Duration::from_std(self.config.lease).unwrap_or(chrono::Duration::minutes(5));
        let rows = outbox::claim_due(db, self.config.batch, lease).await?;
        let mut pass = Pass::default();
        if rows.is_empty() {
            return Ok(pass);
        }
        let results: Vec<(outbox_email::Model, Result<(), SendError>)> =
            futures_util::stream::iter(rows)
                .map(|row| async move {
                    let result = match self.build_message(&row) {
                        Ok(msg) => {
                            self.transport
                                .send(&msg, &format!("{}-{}", row.id, row.attempts))
                                .await
                        }
                        Err(e) => Err(SendError::Permanent(e)),
                    };
                    (row, result)
                })
                .buffer_unordered(self.config.concurrency)
                .collect()
                .await;
        let mut sent = Vec::new();
        let mut failed = Vec::new();
        let failure = |id, error: &str, retry_at, count| commands::Failure {
            id,
            error: error.to_string(),
            retry_at,
            count,
        };
        for (row, result) in results {
            let domain = domain_of(&row.recipient);
            let result = result.map_err(|e| e.map(|text| redact_addresses(&text)));
            match result {
                Ok(()) => {
                    tracing::info!(outbox_id = row.id, domain, template = %row.template, "email sent");
                    sent.push(row.id);
                    pass.sent += 1;
                }
                Err(SendError::Permanent(e)) => {
                    failed.push(failure(row.id, &e, None, true));
                    tracing::warn!(outbox_id = row.id, domain, error = %e, "email refused for good; dead");
                    pass.dead += 1;
                }
                Err(SendError::Transient(e)) => {
                    let attempts = row.attempts + 1;
                    if attempts >= self.config.max_attempts {
                        failed.push(failure(row.id, &e, None, true));
                        tracing::warn!(outbox_id = row.id, domain, attempts, error = %e, "email out of attempts; dead");
                        pass.dead += 1;
                    } else {
                        let at = Utc::now()
                            + chrono::Duration::from_std(self.backoff(row.attempts))
                                .unwrap_or_default();
                        failed.push(failure(row.id, &e, Some(at), true));
                        tracing::info!(outbox_id = row.id, domain, attempts, error = %e, "email deferred");
                        pass.retried += 1;
                    }
                }
                Err(SendError::Unreachable(e)) => {
                    let at = Utc::now()
                        + chrono::Duration::from_std(self.config.probe).unwrap_or_default();
                    failed.push(failure(row.id, &e, Some(at), false));
                    pass.unreachable += 1;
                }
            }
        }
        // One transaction for the pass's outcomes, with its audit entries.
        let app =
            crate::app::App::for_cli(db).map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
        let cmd = commands::RecordDeliveries { sent, failed };
        app.run(crate::app::Actor::System, cmd)
            .await
            .map_err(|e| sea_orm::DbErr::Custom(format!("{e:#}")))?;
        if pass.unreachable > 0 {
            tracing::warn!(
                emails = pass.unreachable,
                "no mail server reachable; emails wait"
            );
        }
        Ok(pass)
    }

    /// The background delivery worker.
    pub fn spawn_worker(self: &Arc<Self>, db: DatabaseConnection) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                match this.send_due(&db).await {
                    Ok(p) if p.sent + p.retried + p.dead > 0 && p.unreachable == 0 => continue,
                    Ok(p) if p.unreachable > 0 => tokio::time::sleep(this.config.probe).await,
                    Ok(_) => {
                        // Idle: woken by new mail, or polling for mail that
                        // became due (scheduled follow-ups, retries).
                        let _ =
                            tokio::time::timeout(Duration::from_millis(500), this.wake.notified())
                                .await;
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "outbox worker: database error");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        })
    }
}

#[cfg(test)]
mod redact_tests {
    use super::redact_addresses;

    #[test]
    fn addresses_in_server_errors_are_cut_to_their_domain() {
        assert_eq!(
            redact_addresses(
                "550 5.1.1 <soeren.aeroe@aabentvaerksted.dk>: Recipient address rejected"
            ),
            "550 5.1.1 <…@aabentvaerksted.dk>: Recipient address rejected"
        );
        assert_eq!(
            redact_addresses("421 try again later"),
            "421 try again later"
        );
        assert_eq!(
            redact_addresses("a@b.dk and c.d+x@mail.e.org"),
            "…@b.dk and …@mail.e.org"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::domain_of;

    #[test]
    fn logs_get_only_the_domain() {
        assert_eq!(domain_of("mette.hansen@example.dk"), "example.dk");
        assert_eq!(domain_of("no-at-sign"), "?");
    }
}
