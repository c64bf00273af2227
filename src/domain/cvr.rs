use crate::domain::DomainError;

/// A CVR number, the identifier of a business in the Central Business Register.
///
/// Holding a `Cvr` means the number has 8 digits, does not start with 0 and passes the
/// modulus-11 check, so a typo is caught when it is entered rather than when a lookup in
/// the register fails later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cvr(u32);

/// Weights of the modulus-11 check, most significant digit first.
const WEIGHTS: [u32; 8] = [2, 7, 6, 5, 4, 3, 2, 1];

impl Cvr {
    /// Parses a CVR number as people write it: surrounding whitespace, spaces or hyphens
    /// between the digits ("1234 5674", "12-34-56-74") and a "DK" VAT prefix ("DK12345674",
    /// "dk 12345674") are accepted.
    pub fn parse(s: &str) -> Result<Cvr, DomainError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(DomainError::Required);
        }
        let rest = match s.get(..2) {
            Some(prefix) if prefix.eq_ignore_ascii_case("dk") => s.get(2..).unwrap_or_default(),
            _ => s,
        };
        let mut value: u32 = 0;
        let mut digits = 0usize;
        for c in rest.chars() {
            match c {
                '0'..='9' => {
                    digits += 1;
                    if digits > 8 {
                        // Stop before the value could overflow.
                        return Err(DomainError::CvrFormat);
                    }
                    value = value * 10 + (u32::from(c) - u32::from('0'));
                }
                ' ' | '-' => {}
                _ => return Err(DomainError::CvrFormat),
            }
        }
        if digits != 8 {
            return Err(DomainError::CvrFormat);
        }
        Cvr::from_u32(value)
    }

    /// Validates a CVR number that arrives as a number (e.g. from the CVR register's API).
    pub fn from_u32(n: u32) -> Result<Cvr, DomainError> {
        if n > 99_999_999 {
            return Err(DomainError::CvrFormat);
        }
        if n < 10_000_000 {
            // Written with 8 digits the number would start with 0.
            return Err(DomainError::CvrLeadingZero);
        }
        if !weighted_sum(n).is_multiple_of(11) {
            return Err(DomainError::CvrChecksum);
        }
        Ok(Cvr(n))
    }

    /// The number as an integer, e.g. for storage.
    pub fn value(self) -> u32 {
        self.0
    }

    /// Completes 7 leading digits with the check digit that makes a valid CVR number.
    /// Used to generate test and demo data that passes validation. Returns `None` when
    /// `first7` is not 7 digits, or when no digit works (the check would need "10").
    pub fn with_check_digit(first7: u32) -> Option<Cvr> {
        if !(1_000_000..=9_999_999).contains(&first7) {
            return None;
        }
        let base = first7 * 10;
        let remainder = weighted_sum(base) % 11;
        let check = (11 - remainder) % 11;
        if check > 9 {
            return None;
        }
        Cvr::from_u32(base + check).ok()
    }
}

/// Weighted digit sum of an 8-digit number (at most 9 * 30 = 270, so no overflow).
fn weighted_sum(n: u32) -> u32 {
    let mut rest = n;
    let mut sum = 0;
    for weight in WEIGHTS.iter().rev() {
        sum += (rest % 10) * weight;
        rest /= 10;
    }
    sum
}

value_type! {
    Cvr,
    display: "{:08}", value,
    from_int: Cvr::from_u32, too_large: DomainError::CvrFormat,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_input() {
        let cases: &[(&str, DomainError, &str)] = &[
            ("", DomainError::Required, "empty"),
            ("   ", DomainError::Required, "only whitespace"),
            ("abcdefgh", DomainError::CvrFormat, "letters"),
            ("1234567", DomainError::CvrFormat, "7 digits"),
            ("123456789", DomainError::CvrFormat, "9 digits"),
            ("1234567a", DomainError::CvrFormat, "letter at the end"),
            ("12345675", DomainError::CvrChecksum, "wrong check digit"),
            ("10150818", DomainError::CvrChecksum, "typo in a known CVR"),
            ("01234567", DomainError::CvrLeadingZero, "leading zero"),
            ("00000000", DomainError::CvrLeadingZero, "all zeros"),
            ("99999999999999999999", DomainError::CvrFormat, "overflow"),
            ("DK", DomainError::CvrFormat, "only the prefix"),
            ("DK ", DomainError::CvrFormat, "prefix and a space"),
            ("DK 1234567", DomainError::CvrFormat, "prefix and 7 digits"),
            (
                "DKK12345674",
                DomainError::CvrFormat,
                "doubled prefix letter",
            ),
            (
                "12345674DK",
                DomainError::CvrFormat,
                "suffix instead of prefix",
            ),
            ("SE12345674", DomainError::CvrFormat, "other country prefix"),
            ("D", DomainError::CvrFormat, "single letter"),
            ("1234.5674", DomainError::CvrFormat, "dot separator"),
            ("1234_5674", DomainError::CvrFormat, "underscore"),
            (
                "１２３４５６７４",
                DomainError::CvrFormat,
                "full-width digits",
            ),
            ("1234567٤", DomainError::CvrFormat, "arabic-indic digit"),
            ("1234567😀", DomainError::CvrFormat, "emoji"),
            (
                "Dø12345674",
                DomainError::CvrFormat,
                "multi-byte char in prefix position",
            ),
            ("ø", DomainError::CvrFormat, "single multi-byte char"),
            ("+12345674", DomainError::CvrFormat, "plus sign"),
            (
                "1015 081 7 1",
                DomainError::CvrFormat,
                "9 digits with spaces",
            ),
            ("10150817\n10150817", DomainError::CvrFormat, "two numbers"),
        ];
        for (input, want, why) in cases {
            assert_eq!(Cvr::parse(input), Err(want.clone()), "{why}: {input:?}");
        }
    }

    #[test]
    fn accepts_and_normalises_good_input() {
        let cases = [
            ("10150817", 10_150_817),
            ("24256790", 24_256_790),
            ("25313763", 25_313_763),
            ("12345674", 12_345_674),
            (" 10150817 ", 10_150_817),
            ("1015 0817", 10_150_817),
            ("10 15 08 17", 10_150_817),
            ("10-15-08-17", 10_150_817),
            ("DK10150817", 10_150_817),
            ("dk10150817", 10_150_817),
            ("Dk 10150817", 10_150_817),
            ("DK-10150817", 10_150_817),
            ("\t24256790\n", 24_256_790),
        ];
        for (input, want) in cases {
            let cvr = Cvr::parse(input).unwrap();
            assert_eq!(cvr.value(), want, "{input:?}");
            assert_eq!(cvr.to_string(), want.to_string());
        }
    }

    #[test]
    fn from_u32_checks_range_and_checksum() {
        assert_eq!(Cvr::from_u32(10_150_817).unwrap().value(), 10_150_817);
        assert_eq!(Cvr::from_u32(0), Err(DomainError::CvrLeadingZero));
        assert_eq!(Cvr::from_u32(9_999_999), Err(DomainError::CvrLeadingZero));
        assert_eq!(Cvr::from_u32(100_000_000), Err(DomainError::CvrFormat));
        assert_eq!(Cvr::from_u32(u32::MAX), Err(DomainError::CvrFormat));
        assert_eq!(Cvr::from_u32(10_150_818), Err(DomainError::CvrChecksum));
    }

    #[test]
    fn check_digit_generation() {
        assert_eq!(
            Cvr::with_check_digit(1_015_081).unwrap().value(),
            10_150_817
        );
        assert_eq!(
            Cvr::with_check_digit(2_425_679).unwrap().value(),
            24_256_790
        );
        assert_eq!(Cvr::with_check_digit(999_999), None);
        assert_eq!(Cvr::with_check_digit(10_000_000), None);
        let mut valid = 0;
        for first7 in 1_000_000..1_002_000 {
            if let Some(cvr) = Cvr::with_check_digit(first7) {
                assert_eq!(cvr.value() / 10, first7);
                assert_eq!(Cvr::parse(&cvr.to_string()), Ok(cvr));
                valid += 1;
            }
        }
        // Roughly one prefix in eleven needs the impossible check digit 10.
        assert!(valid > 1_700 && valid < 1_900, "{valid}");
    }

    #[test]
    fn serde_as_eight_digit_string() {
        let cvr = Cvr::parse("10150817").unwrap();
        assert_eq!(serde_json::to_string(&cvr).unwrap(), "\"10150817\"");
        let back: Cvr = serde_json::from_str("\"DK 10150817\"").unwrap();
        assert_eq!(back, cvr);
        let from_number: Cvr = serde_json::from_str("10150817").unwrap();
        assert_eq!(from_number, cvr);
        assert!(serde_json::from_str::<Cvr>("\"10150818\"").is_err());
        assert!(serde_json::from_str::<Cvr>("-1").is_err());
        assert!(serde_json::from_str::<Cvr>("99999999999").is_err());
    }

    #[test]
    fn serde_round_trip_and_validation() {
        let cvr = Cvr::from_u32(24_256_790).unwrap();
        crate::domain::serde_util::assert_serde(
            &cvr,
            "\"24256790\"",
            &[
                ("\"24256791\"", DomainError::CvrChecksum),
                ("24256791", DomainError::CvrChecksum),
                ("\"01234567\"", DomainError::CvrLeadingZero),
                ("4294967296", DomainError::CvrFormat),
                ("\" \"", DomainError::Required),
            ],
        );
    }
}
