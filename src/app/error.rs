//! Errors as data. A command never returns a sentence: it returns what went
//! wrong (which field, which rule, which existing record), and the front end
//! — an HTML form in the user's language, later a JSON body — says it.
use sea_orm::{DbErr, SqlErr};

use crate::domain::DomainError;

/// A record another one collides with, so the message can link to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordRef {
    Business(i32),
    User(i32),
    Need(i32),
}

impl RecordRef {
    /// Where the record is shown.
    pub fn url(self) -> String {
        match self {
            RecordRef::Business(id) => format!("/businesses/{id}"),
            RecordRef::User(_) => "/admin/users".to_string(),
            RecordRef::Need(id) => format!("/needs/{id}"),
        }
    }
}

/// One rule a field broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub error: DomainError,
}

/// Collects field errors while a form or request body is parsed, so every
/// mistake is reported at once instead of the first one only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn new() -> Self {
        Invalid(Vec::new())
    }

    /// Records the error of `result` against `field`, giving its value.
    pub fn check<T>(&mut self, field: &'static str, result: Result<T, DomainError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(error) => {
                self.add(field, error);
                None
            }
        }
    }

    pub fn add(&mut self, field: &'static str, error: DomainError) {
        // The first error of a field is the one shown.
        if !self.has(field) {
            self.0.push(FieldError { field, error });
        }
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing was wrong.
    pub fn into_result<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, Invalid> {
        if self.is_empty()
            && let Some(v) = value()
        {
            return Ok(v);
        }
        if self.is_empty() {
            // A value missing without an error recorded is a parser bug;
            // still an answer, not a panic.
            return Err(Invalid(vec![FieldError {
                field: "",
                error: DomainError::Required,
            }]));
        }
        Err(self)
    }

    pub fn single(field: &'static str, error: DomainError) -> Self {
        Invalid(vec![FieldError { field, error }])
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }
}

/// What a command can answer besides its result. Every area's commands use
/// this one shape, so both front ends render every area's errors the same
/// way; what is particular to an area is in the field errors' rules.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    /// A unique value (CVR, P-number, username …) that another record has.
    #[error("conflict on {field}")]
    Conflict {
        field: &'static str,
        error: DomainError,
        existing: Option<RecordRef>,
    },
    #[error("invalid input")]
    Invalid(Invalid),
    #[error("forbidden")]
    Forbidden,
    /// The record changed since the caller read it (`If-Match` on the
    /// API): nothing was written.
    #[error("the record changed since it was read")]
    Stale,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl Error {
    pub fn invalid(field: &'static str, error: DomainError) -> Self {
        Error::Invalid(Invalid::single(field, error))
    }

    /// The existing business a conflict is with, for the form's link.
    pub fn existing_business(&self) -> Option<i32> {
        match self {
            Error::Conflict {
                existing: Some(RecordRef::Business(b)),
                ..
            } => Some(*b),
            _ => None,
        }
    }

    /// The field errors to show on the form, a conflict included.
    pub fn field_errors(&self) -> Option<Invalid> {
        match self {
            Error::Invalid(i) => Some(i.clone()),
            Error::Conflict { field, error, .. } => Some(Invalid::single(field, error.clone())),
            _ => None,
        }
    }
}

impl From<Invalid> for Error {
    fn from(i: Invalid) -> Self {
        Error::Invalid(i)
    }
}

impl From<DbErr> for Error {
    /// A unique key taken by a concurrent write, which no check before the
    /// insert can exclude under READ COMMITTED, is a conflict, not a 500;
    /// the commands that own such a key turn it into one with its field
    /// and the existing record (see `is_unique_violation`).
    fn from(e: DbErr) -> Self {
        if is_unique_violation(&e) {
            return Error::Conflict {
                field: "",
                error: DomainError::AlreadyExists,
                existing: None,
            };
        }
        Error::Unexpected(anyhow::Error::new(e).context("database"))
    }
}

pub fn is_unique_violation(e: &DbErr) -> bool {
    matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
