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

/// Deserialises a string through `from_str`, or, given `from_int`, also an integer through
/// `from_int`.
pub(crate) fn deserialize<'de, D, T>(
    deserializer: D,
    from_str: FromStrFn<T>,
    from_int: Option<FromIntFn<T>>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    let visitor = ParseVisitor { from_str, from_int };
    if from_int.is_some() {
        deserializer.deserialize_any(visitor)
    } else {
        deserializer.deserialize_str(visitor)
    }
}

/// Narrows an integer from a deserialiser to the argument type of `from_int` (`too_large`
/// when it does not fit) and validates it with `from_int`.
pub(crate) fn narrow<N: TryFrom<u64>, T>(
    n: u64,
    too_large: DomainError,
    from_int: fn(N) -> Result<T, DomainError>,
) -> Result<T, DomainError> {
    N::try_from(n).map_err(|_| too_large).and_then(from_int)
}

/// Checks that `value` serialises to exactly `json` and back, and that each JSON text in
/// `invalid` is rejected with its domain error (so deserialising went through the parser).
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) fn assert_serde<T>(value: &T, json: &str, invalid: &[(&str, DomainError)])
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + fmt::Debug,
{
    assert_eq!(serde_json::to_string(value).unwrap(), json);
    assert_eq!(&serde_json::from_str::<T>(json).unwrap(), value, "{json}");
    for (bad, want) in invalid {
        let err = serde_json::from_str::<T>(bad).unwrap_err().to_string();
        assert!(err.starts_with(&want.to_string()), "{bad}: {err}");
    }
}
