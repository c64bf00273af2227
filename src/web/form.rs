//! Form bodies parsed by hand from `application/x-www-form-urlencoded`, so a
//! hostile or malformed body never fails deserialisation with a bare 400:
//! every field is a string that the domain types then parse. The extractor
//! also checks the CSRF token against the session.
use std::future::Future;
use std::pin::Pin;

use actix_session::SessionExt;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use futures_util::StreamExt;

use crate::web::{auth, error::AppError};

/// Largest form body accepted (the longest field is a note of a few KiB).
const LIMIT: usize = 256 * 1024;

#[derive(Debug, Default, Clone)]
pub struct FormData {
    pairs: Vec<(String, String)>,
}

impl FormData {
    pub fn parse(bytes: &[u8]) -> Self {
        FormData {
            pairs: form_urlencoded::parse(bytes).into_owned().collect(),
        }
    }

    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        FormData { pairs }
    }

    /// Whether `name` was sent at all (perhaps empty).
    pub fn has(&self, name: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == name)
    }

    /// The first value of `name`, or "" when absent.
    pub fn get(&self, name: &str) -> &str {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// An idempotency token: taken as it is when it is a clean token
    /// (1–64 ASCII letters and digits), otherwise None — never rewritten,
    /// so two different tokens can't become one.
    pub fn token(&self, name: &str) -> Option<String> {
        let t = self.get(name);
        (!t.is_empty() && t.len() <= 64 && t.chars().all(|c| c.is_ascii_alphanumeric()))
            .then(|| t.to_string())
    }

    /// An optional id field (a select's value): empty is none.
    pub fn optional_id(&self, name: &str) -> Result<Option<i32>, crate::domain::DomainError> {
        crate::businesses::opt(self.get(name), |s| {
            s.trim()
                .parse::<i32>()
                .map_err(|_| crate::domain::DomainError::UnknownValue)
        })
    }

    pub fn checked(&self, name: &str) -> bool {
        matches!(self.get(name), "on" | "true" | "1" | "ja" | "yes")
    }
}

/// A form posted with a valid CSRF token.
pub struct Form(pub FormData);

/// Constant-time comparison, so the token can't be guessed byte by byte.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Reads at most LIMIT bytes: a huge body is refused while it streams in,
/// not after it has been buffered.
async fn read_body(mut payload: Payload) -> Result<FormData, AppError> {
    let mut bytes = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| AppError::BadRequest)?;
        if bytes.len() + chunk.len() > LIMIT {
            return Err(AppError::TooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(FormData::parse(&bytes))
}

/// How a posted form's CSRF token compared with its session's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Csrf {
    Valid,
    /// The request came without a session (no cookie, or an expired one).
    NoSession,
    /// A session, and a token that isn't its own.
    Wrong,
}

impl FromRequest for Form {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let fut = Unchecked::from_request(req, payload);
        Box::pin(async move {
            match fut.await? {
                Unchecked(data, Csrf::Valid) => Ok(Form(data)),
                _ => Err(AppError::Csrf),
            }
        })
    }
}

/// A form and how its CSRF token compared, for a handler that answers a
/// failed check itself (the public form shows the person's values again
/// instead of an error page).
pub struct Unchecked(pub FormData, pub Csrf);

impl FromRequest for Unchecked {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // Read now, before a later extractor (`Visitor`) gives a visitor
        // without a session a new token.
        let expected = req.get_session().get::<String>(auth::CSRF).ok().flatten();
        let payload = payload.take();
        Box::pin(async move {
            let data = read_body(payload).await?;
            let check = match expected {
                Some(t) if same(&t, data.get("csrf_token")) => Csrf::Valid,
                Some(_) => Csrf::Wrong,
                None => Csrf::NoSession,
            };
            Ok(Unchecked(data, check))
        })
    }
}

/// Query-string parameters, parsed leniently: unknown or malformed values are
/// ignored by the caller instead of failing the request.
/// A date field: dd-mm-yyyy as the administration writes it, or
/// yyyy-mm-dd from a date input.
pub fn date(s: &str) -> Result<chrono::NaiveDate, crate::domain::DomainError> {
    crate::contacts::parse_date(s).ok_or(crate::domain::DomainError::DateFormat)
}

/// A date field that must be filled in.
pub fn required_date(s: &str) -> Result<chrono::NaiveDate, crate::domain::DomainError> {
    if s.trim().is_empty() {
        Err(crate::domain::DomainError::Required)
    } else {
        date(s)
    }
}

pub fn query(req: &HttpRequest) -> FormData {
    FormData::parse(req.query_string().as_bytes())
}
