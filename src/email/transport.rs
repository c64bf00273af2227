//! Where mail goes: SMTP (lettre, pooled, with timeouts) or `.eml` files in
//! the data directory (the default for `demo`, so a person can open what
//! would have been sent).
use std::path::PathBuf;
use std::time::Duration;

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor, transport::smtp::PoolConfig,
};

/// How an attempt failed, which decides what happens to the row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// 5xx: the server refused for good. The email is dead.
    Permanent(String),
    /// 4xx, a broken conversation, a timeout: try again later.
    Transient(String),
    /// No mail server could be reached: the email waits without using up
    /// its attempts, and the worker slows down until the server is back.
    Unreachable(String),
}

impl SendError {
    /// The same kind of error with its text changed.
    pub fn map(self, f: impl FnOnce(String) -> String) -> SendError {
        match self {
            SendError::Permanent(t) => SendError::Permanent(f(t)),
            SendError::Transient(t) => SendError::Transient(f(t)),
            SendError::Unreachable(t) => SendError::Unreachable(f(t)),
        }
    }
}

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(PathBuf),
}

impl Transport {
    /// `smtp://host:port` (plain), `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS) or `smtps://user:pass@host:465` (implicit TLS).
    pub fn smtp(url: &str, timeout: Duration, pool_size: u32) -> anyhow::Result<Transport> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("SMTP_URL is not usable: {e}"))?
            .timeout(Some(timeout))
            .pool_config(
                PoolConfig::new()
                    .max_size(pool_size)
                    .idle_timeout(Duration::from_secs(60)),
            )
            .build();
        Ok(Transport::Smtp(transport))
    }

    pub fn file(dir: PathBuf) -> anyhow::Result<Transport> {
        std::fs::create_dir_all(&dir)?;
        Ok(Transport::File(dir))
    }

    pub fn name(&self) -> &'static str {
        match self {
            Transport::Smtp(_) => "smtp",
            Transport::File(_) => "file",
        }
    }

    pub async fn send(&self, message: &Message, file_stem: &str) -> Result<(), SendError> {
        match self {
            Transport::Smtp(smtp) => match smtp.send(message.clone()).await {
                Ok(_) => Ok(()),
                // A pooled connection the server closed while idle fails
                // the first use: try once more on a fresh connection.
                Err(e)
                    if !(e.is_permanent()
                        || e.is_transient()
                        || e.is_timeout()
                        || e.is_response()) =>
                {
                    match smtp.send(message.clone()).await {
                        Ok(_) => Ok(()),
                        Err(e) => Err(classify(&e)),
                    }
                }
                Err(e) => Err(classify(&e)),
            },
            Transport::File(dir) => {
                let path = dir.join(format!("{file_stem}.eml"));
                let bytes = message.formatted();
                tokio::fs::write(&path, bytes)
                    .await
                    .map_err(|e| SendError::Unreachable(format!("writing {}: {e}", path.display())))
            }
        }
    }
}

fn classify(e: &lettre::transport::smtp::Error) -> SendError {
    let text = e.to_string();
    if e.is_permanent() {
        SendError::Permanent(text)
    } else if e.is_transient() || e.is_response() || e.is_timeout() {
        SendError::Transient(text)
    } else {
        SendError::Unreachable(text)
    }
}
