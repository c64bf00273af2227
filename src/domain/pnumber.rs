use crate::domain::DomainError;

/// A P-number, the identifier of a production unit (one workplace address of a business).
///
/// Only the shape is checked (10 digits, not starting with 0): unlike CVR numbers, not all
/// P-numbers in the register carry a valid check digit, so a checksum test would reject
/// real ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PNumber(u64);

impl PNumber {
    /// Parses a P-number; surrounding whitespace and spaces between the digits are
    /// accepted ("1012 345 678").
    pub fn parse(s: &str) -> Result<PNumber, DomainError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(DomainError::Required);
        }
        let mut value: u64 = 0;
        let mut digits = 0usize;
        for c in s.chars() {
            match c {
                '0'..='9' => {
                    digits += 1;
                    if digits > 10 {
                        return Err(DomainError::PNumberFormat);
                    }
                    value = value * 10 + u64::from(u32::from(c) - u32::from('0'));
                }
                ' ' => {}
                _ => return Err(DomainError::PNumberFormat),
            }
        }
        if digits != 10 {
            return Err(DomainError::PNumberFormat);
        }
        PNumber::from_u64(value)
    }

    /// Validates a P-number that arrives as a number.
    pub fn from_u64(n: u64) -> Result<PNumber, DomainError> {
        if (1_000_000_000..=9_999_999_999).contains(&n) {
            Ok(PNumber(n))
        } else {
            Err(DomainError::PNumberFormat)
        }
    }

    pub fn value(self) -> u64 {
        self.0
    }
}

value_type! {
    PNumber,
    display: "{}", value,
    from_int: PNumber::from_u64, too_large: DomainError::PNumberFormat,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_input() {
        let cases: &[(&str, DomainError, &str)] = &[
            ("", DomainError::Required, "empty"),
            (" \t", DomainError::Required, "whitespace"),
            ("abcdefghij", DomainError::PNumberFormat, "letters"),
            ("123456789", DomainError::PNumberFormat, "9 digits"),
            ("12345678901", DomainError::PNumberFormat, "11 digits"),
            ("0123456789", DomainError::PNumberFormat, "leading zero"),
            (
                "99999999999999999999",
                DomainError::PNumberFormat,
                "overflow",
            ),
            (
                "184467440737095516160",
                DomainError::PNumberFormat,
                "u64 overflow",
            ),
            ("1012-345-678", DomainError::PNumberFormat, "hyphens"),
            ("101234567😀", DomainError::PNumberFormat, "emoji"),
            ("1012345678ø", DomainError::PNumberFormat, "multi-byte char"),
            (
                "１０１２３４５６７８",
                DomainError::PNumberFormat,
                "full-width digits",
            ),
            ("-1012345678", DomainError::PNumberFormat, "negative"),
        ];
        for (input, want, why) in cases {
            assert_eq!(PNumber::parse(input), Err(want.clone()), "{why}: {input:?}");
        }
    }

    #[test]
    fn accepts_good_input() {
        let cases = [
            ("1012345678", 1_012_345_678),
            (" 1012345678 ", 1_012_345_678),
            ("1012 345 678", 1_012_345_678),
            ("9999999999", 9_999_999_999),
            ("1000000000", 1_000_000_000),
        ];
        for (input, want) in cases {
            let p = PNumber::parse(input).unwrap();
            assert_eq!(p.value(), want);
            assert_eq!(p.to_string(), want.to_string());
        }
        assert_eq!(
            PNumber::from_u64(999_999_999),
            Err(DomainError::PNumberFormat)
        );
        assert_eq!(
            PNumber::from_u64(10_000_000_000),
            Err(DomainError::PNumberFormat)
        );
        let json = serde_json::to_string(&PNumber::from_u64(1_012_345_678).unwrap()).unwrap();
        assert_eq!(json, "\"1012345678\"");
        let back: PNumber = serde_json::from_str("1012345678").unwrap();
        assert_eq!(back.value(), 1_012_345_678);
    }

    #[test]
    fn serde_round_trip_and_validation() {
        let p = PNumber::parse("1012 345 678").unwrap();
        crate::domain::serde_util::assert_serde(
            &p,
            "\"1012345678\"",
            &[
                ("\"0123456789\"", DomainError::PNumberFormat),
                ("\"1012-345-678\"", DomainError::PNumberFormat),
                ("999999999", DomainError::PNumberFormat),
                ("18446744073709551615", DomainError::PNumberFormat),
                ("\"\"", DomainError::Required),
            ],
        );
    }
}
