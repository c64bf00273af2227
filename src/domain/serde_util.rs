//! Serde glue shared by the domain types.
//!
//! Deserialising always goes through the type's parser, so a value that arrives as JSON or
//! as a form field gets exactly the same validation as one typed into the UI. Numeric
//! identifiers (CVR, P-number, ...) also accept a JSON number, because other systems (the
//! CVR register among them) send them as numbers.

use std::fmt;

use serde::Deserializer;
use serde::de::{self, Visitor};

use crate::domain::DomainError;

type FromStrFn<T> = fn(&str) -> Result<T, DomainError>;
type FromIntFn<T> = fn(u64) -> Result<T, DomainError>;

struct ParseVisitor<T> {
    from_str: FromStrFn<T>,
    from_int: Option<FromIntFn<T>>,
}

impl<T> Visitor<'_> for ParseVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.from_int.is_some() {
            f.write_str("a string or a non-negative integer")
        } else {
            f.write_str("a string")
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.from_str)(v).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        match self.from_int {
            Some(from_int) => from_int(v).map_err(E::custom),
            None => Err(E::invalid_type(de::Unexpected::Unsigned(v), &self)),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        match u64::try_from(v) {
            Ok(u) => self.visit_u64(u),
            Err(_) => Err(E::invalid_value(de::Unexpected::Signed(v), &self)),
        }
    }
}

/// Deserialises a string through `from_str`.
pub(crate) fn deserialize_str<'de, D, T>(
    deserializer: D,
    from_str: FromStrFn<T>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    deserializer.deserialize_str(ParseVisitor {
        from_str,
        from_int: None,
    })
}

/// Deserialises a string through `from_str` or an integer through `from_int`.
pub(crate) fn deserialize_str_or_int<'de, D, T>(
    deserializer: D,
    from_str: FromStrFn<T>,
    from_int: FromIntFn<T>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    deserializer.deserialize_any(ParseVisitor {
        from_str,
        from_int: Some(from_int),
    })
}
