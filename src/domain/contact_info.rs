use crate::domain::DomainError;

/// An email address that is plausible enough to send to.
///
/// The check is deliberately practical rather than a full RFC 5322 parser: it rejects the
/// typos people actually make (missing '@', missing domain, spaces) and anything that could
/// break or inject into a mail header (control characters, commas, angle brackets), while
/// accepting international domain names such as "blomsterbutik.dk" or "kø.dk". The domain
/// is lowercased so addresses compare equal however they were typed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EmailAddress(String);

/// Longest address that fits in SMTP's forward-path.
const EMAIL_MAX: usize = 254;
/// Longest local part allowed by SMTP.
const LOCAL_MAX: usize = 64;
/// Longest DNS label.
const LABEL_MAX: usize = 63;

impl EmailAddress {
    pub fn parse(s: &str) -> Result<EmailAddress, DomainError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(DomainError::Required);
        }
        if s.chars().count() > EMAIL_MAX {
            return Err(DomainError::TooLong { max: EMAIL_MAX });
        }
        let (local, domain) = s.split_once('@').ok_or(DomainError::EmailFormat)?;
        if domain.contains('@') || !valid_local(local) {
            return Err(DomainError::EmailFormat);
        }
        let domain = domain.to_lowercase();
        if !valid_domain(&domain) {
            return Err(DomainError::EmailFormat);
        }
        Ok(EmailAddress(format!("{local}@{domain}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after '@' (lowercase), e.g. to group contacts by company domain.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
    }
}

fn valid_local(local: &str) -> bool {
    !local.is_empty()
        && local.chars().count() <= LOCAL_MAX
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| {
            !c.is_whitespace()
                && !c.is_control()
                && !matches!(
                    c,
                    '"' | '(' | ')' | ',' | ':' | ';' | '<' | '>' | '[' | ']' | '\\'
                )
        })
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let labels_ok = labels.iter().all(|label| {
        !label.is_empty()
            && label.chars().count() <= LABEL_MAX
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| {
                c.is_ascii_lowercase()
                    || c.is_ascii_digit()
                    || c == '-'
                    || (!c.is_ascii() && c.is_alphanumeric())
            })
    });
    // A top-level domain is never all digits; "name@1.2" is a typo, not an address.
    let tld_ok = labels
        .last()
        .is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()));
    labels_ok && tld_ok
}

value_type! { EmailAddress, display: "{}", as_str }

/// A phone number in one canonical form, so the same number typed in different ways is
/// stored once and can be dialled from the list: Danish numbers as "+45 12 34 56 78",
/// foreign numbers as "+" and the digits ("+4915123456789").
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

/// E.164 allows at most 15 digits including the country code.
const PHONE_MAX_DIGITS: usize = 15;
const PHONE_MIN_DIGITS: usize = 7;

impl Phone {
    /// Parses a phone number. Spaces, '-', '.', '(' and ')' are ignored; "+45" or "0045" in
    /// front of a Danish number is optional; foreign numbers need "+" or "00" and the
    /// country code. A trunk "(0)" after the country code ("+46 (0)8 ...") is dropped, as
    /// it is not dialled from abroad.
    pub fn parse(s: &str) -> Result<Phone, DomainError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(DomainError::Required);
        }
        let s = if s.starts_with('+') || s.starts_with("00") {
            s.replace("(0)", "")
        } else {
            s.to_owned()
        };
        let mut digits = String::new();
        let mut plus = false;
        for c in s.chars() {
            match c {
                '0'..='9' => {
                    // "00" + 15 digits is the longest meaningful input.
                    if digits.len() > PHONE_MAX_DIGITS + 2 {
                        return Err(DomainError::PhoneFormat);
                    }
                    digits.push(c);
                }
                '+' if !plus && digits.is_empty() => plus = true,
                ' ' | '-' | '(' | ')' | '.' => {}
                _ => return Err(DomainError::PhoneFormat),
            }
        }
        let international = if plus {
            Some(digits.as_str())
        } else {
            digits.strip_prefix("00")
        };
        match international {
            Some(rest) => match rest.strip_prefix("45") {
                Some(danish) if danish.len() == 8 => Ok(Phone(format_danish(danish))),
                Some(_) => Err(DomainError::PhoneFormat),
                None => {
                    if (PHONE_MIN_DIGITS..=PHONE_MAX_DIGITS).contains(&rest.len())
                        && !rest.starts_with('0')
                    {
                        Ok(Phone(format!("+{rest}")))
                    } else {
                        Err(DomainError::PhoneFormat)
                    }
                }
            },
            None if digits.len() == 8 => Ok(Phone(format_danish(&digits))),
            None => Err(DomainError::PhoneFormat),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// "12345678" -> "+45 12 34 56 78". The input is 8 ASCII digits.
fn format_danish(digits: &str) -> String {
    let mut out = String::from("+45");
    for (i, c) in digits.chars().enumerate() {
        if i % 2 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

value_type! { Phone, display: "{}", as_str }

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn email_rejects_bad_input() {
        let long_local = format!("{}@example.dk", "a".repeat(65));
        let too_long = format!("{}@{}.dk", "a".repeat(60), "b".repeat(200));
        let long_label = format!("a@{}.dk", "b".repeat(64));
        let cases: Vec<(&str, DomainError, &str)> = vec![
            ("", DomainError::Required, "empty"),
            ("   ", DomainError::Required, "whitespace"),
            ("plainaddress", DomainError::EmailFormat, "no @"),
            ("@example.dk", DomainError::EmailFormat, "empty local part"),
            ("anna@", DomainError::EmailFormat, "empty domain"),
            (
                "anna@@example.dk",
                DomainError::EmailFormat,
                "two @ in a row",
            ),
            ("anna@b@example.dk", DomainError::EmailFormat, "two @"),
            (
                "anna@localhost",
                DomainError::EmailFormat,
                "no dot in domain",
            ),
            ("anna@.example.dk", DomainError::EmailFormat, "leading dot"),
            ("anna@example.dk.", DomainError::EmailFormat, "trailing dot"),
            ("anna@example..dk", DomainError::EmailFormat, "empty label"),
            (
                "anna@-example.dk",
                DomainError::EmailFormat,
                "label starts with -",
            ),
            (
                "anna@exam_ple.dk",
                DomainError::EmailFormat,
                "underscore in domain",
            ),
            ("anna@example.123", DomainError::EmailFormat, "numeric tld"),
            (
                "an na@example.dk",
                DomainError::EmailFormat,
                "space in local part",
            ),
            (
                "anna@exa mple.dk",
                DomainError::EmailFormat,
                "space in domain",
            ),
            ("anna\n@example.dk", DomainError::EmailFormat, "newline"),
            (
                "anna@example.dk\r\nBcc: x@y.dk",
                DomainError::EmailFormat,
                "header injection",
            ),
            ("a,b@example.dk", DomainError::EmailFormat, "comma"),
            (
                "<anna@example.dk>",
                DomainError::EmailFormat,
                "angle brackets",
            ),
            (
                ".anna@example.dk",
                DomainError::EmailFormat,
                "local starts with dot",
            ),
            (
                "anna.@example.dk",
                DomainError::EmailFormat,
                "local ends with dot",
            ),
            (
                "an..na@example.dk",
                DomainError::EmailFormat,
                "double dot in local",
            ),
            ("anna@example.😀", DomainError::EmailFormat, "emoji tld"),
            ("anna@😀.dk", DomainError::EmailFormat, "emoji domain"),
            (&long_local, DomainError::EmailFormat, "local part over 64"),
            (
                &too_long,
                DomainError::TooLong { max: 254 },
                "over 254 chars",
            ),
            (&long_label, DomainError::EmailFormat, "label over 63"),
        ];
        for (input, want, why) in cases {
            assert_eq!(EmailAddress::parse(input), Err(want), "{why}: {input:?}");
        }
    }

    #[test]
    fn email_accepts_and_normalises() {
        let cases = [
            ("anna@example.dk", "anna@example.dk", "example.dk"),
            (
                "  Anna.Hansen@Example.DK ",
                "Anna.Hansen@example.dk",
                "example.dk",
            ),
            ("info+crm@sub.kk.dk", "info+crm@sub.kk.dk", "sub.kk.dk"),
            ("jens@blomster-ø.dk", "jens@blomster-ø.dk", "blomster-ø.dk"),
            ("søren@KØBENHAVN.dk", "søren@københavn.dk", "københavn.dk"),
            (
                "o'brien@example.co.uk",
                "o'brien@example.co.uk",
                "example.co.uk",
            ),
            ("x@1.dk", "x@1.dk", "1.dk"),
        ];
        for (input, want, domain) in cases {
            let e = EmailAddress::parse(input).unwrap();
            assert_eq!(e.as_str(), want);
            assert_eq!(e.domain(), domain);
            assert_eq!(e.to_string(), want);
        }
        let e: EmailAddress = serde_json::from_str("\"A@B.DK\"").unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), "\"A@b.dk\"");
        assert!(serde_json::from_str::<EmailAddress>("\"nope\"").is_err());
    }

    #[test]
    fn phone_rejects_bad_input() {
        let cases: &[(&str, DomainError, &str)] = &[
            ("", DomainError::Required, "empty"),
            ("abc", DomainError::PhoneFormat, "letters"),
            (
                "1234567",
                DomainError::PhoneFormat,
                "7 digits without country",
            ),
            (
                "123456789",
                DomainError::PhoneFormat,
                "9 digits without country",
            ),
            (
                "+45 1234567",
                DomainError::PhoneFormat,
                "Danish with 7 digits",
            ),
            (
                "+45 123456789",
                DomainError::PhoneFormat,
                "Danish with 9 digits",
            ),
            ("+49 123", DomainError::PhoneFormat, "foreign too short"),
            ("+1234567890123456", DomainError::PhoneFormat, "16 digits"),
            (
                "99999999999999999999",
                DomainError::PhoneFormat,
                "overflow-length",
            ),
            ("++4512345678", DomainError::PhoneFormat, "two plus signs"),
            ("12+345678", DomainError::PhoneFormat, "plus in the middle"),
            ("+0123456789", DomainError::PhoneFormat, "country code 0"),
            (
                "12 34 56 78 ext 9",
                DomainError::PhoneFormat,
                "extension text",
            ),
            ("1234567😀", DomainError::PhoneFormat, "emoji"),
            (
                "１２３４５６７８",
                DomainError::PhoneFormat,
                "full-width digits",
            ),
            ("12/34/56/78", DomainError::PhoneFormat, "slashes"),
            ("tlf. 12345678", DomainError::PhoneFormat, "prefix text"),
            ("+", DomainError::PhoneFormat, "only plus"),
        ];
        for (input, want, why) in cases {
            assert_eq!(Phone::parse(input), Err(want.clone()), "{why}: {input:?}");
        }
    }

    #[test]
    fn phone_accepts_and_normalises() {
        let cases = [
            ("12345678", "+45 12 34 56 78"),
            ("12 34 56 78", "+45 12 34 56 78"),
            ("+45 12 34 56 78", "+45 12 34 56 78"),
            ("+4512345678", "+45 12 34 56 78"),
            ("0045 12345678", "+45 12 34 56 78"),
            ("(+45) 12-34-56-78", "+45 12 34 56 78"),
            ("33.66.33.66", "+45 33 66 33 66"),
            ("+49 151 2345 6789", "+4915123456789"),
            ("0049 151 23456789", "+4915123456789"),
            ("+46 (0)8 123 456", "+468123456"),
            ("+1 (212) 555-0100", "+12125550100"),
        ];
        for (input, want) in cases {
            let p = Phone::parse(input).unwrap();
            assert_eq!(p.as_str(), want, "{input:?}");
            assert_eq!(p.to_string(), want);
        }
        let p: Phone = serde_json::from_str("\"33 66 33 66\"").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"+45 33 66 33 66\"");
    }

    #[test]
    fn serde_round_trip_and_validation() {
        use crate::domain::serde_util::assert_serde;

        let email = EmailAddress::parse("Anna@Example.DK").unwrap();
        assert_serde(
            &email,
            "\"Anna@example.dk\"",
            &[
                ("\"anna@localhost\"", DomainError::EmailFormat),
                (
                    "\"anna@example.dk\\r\\nBcc: x@y.dk\"",
                    DomainError::EmailFormat,
                ),
                ("\"\"", DomainError::Required),
            ],
        );
        let phone = Phone::parse("+49 151 2345 6789").unwrap();
        assert_serde(
            &phone,
            "\"+4915123456789\"",
            &[
                ("\"1234567\"", DomainError::PhoneFormat),
                ("\"++4512345678\"", DomainError::PhoneFormat),
                ("\"\"", DomainError::Required),
            ],
        );
        // Text values are strings: a JSON number is not read as a phone number.
        assert!(serde_json::from_str::<Phone>("12345678").is_err());
        assert!(serde_json::from_str::<EmailAddress>("1").is_err());
    }
}
