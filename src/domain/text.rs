use std::borrow::Cow;

use crate::domain::DomainError;

/// Validates a required free-text field (a name, a job title, a note).
///
/// Whitespace around the text is trimmed, Windows and old Mac line breaks become `\n` so
/// stored text is uniform, and other control characters are rejected: they are invisible
/// in the UI, break CSV exports and can smuggle escape sequences into logs. `max_chars`
/// counts characters, not bytes, so "æøå" costs the same as "abc".
pub fn required_text(s: &str, max_chars: usize) -> Result<String, DomainError> {
    let normalised = if s.contains('\r') {
        Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(s)
    };
    let trimmed = normalised.trim();
    if trimmed.is_empty() {
        return Err(DomainError::Required);
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(DomainError::ControlCharacter);
    }
    if trimmed.chars().count() > max_chars {
        return Err(DomainError::TooLong { max: max_chars });
    }
    // No CPR number is stored anywhere: refused in every free-text field,
    // before it can reach the database, the index, an email or a log.
    if super::looks_like_cpr(trimmed) {
        return Err(DomainError::LooksLikeCpr);
    }
    Ok(trimmed.to_owned())
}

/// Like [`required_text`], but an empty (or all-whitespace) field is `None`, so optional
/// fields are never stored as empty strings.
pub fn optional_text(s: &str, max_chars: usize) -> Result<Option<String>, DomainError> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    required_text(s, max_chars).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cpr_number_is_refused_in_any_text() {
        assert_eq!(
            required_text("Ring til borger 010190-1234", 100),
            Err(DomainError::LooksLikeCpr)
        );
        assert_eq!(
            optional_text("0101901234", 100),
            Err(DomainError::LooksLikeCpr)
        );
        assert!(required_text("Tlf. 20 30 40 50, mødes 01-01-2027", 100).is_ok());
    }

    #[test]
    fn rejects_bad_input() {
        let cases: &[(&str, usize, DomainError, &str)] = &[
            ("", 10, DomainError::Required, "empty"),
            (" \t\r\n ", 10, DomainError::Required, "only whitespace"),
            (
                "abcdefghijk",
                10,
                DomainError::TooLong { max: 10 },
                "11 chars",
            ),
            (
                "æøåæøåæøåæø",
                10,
                DomainError::TooLong { max: 10 },
                "11 multi-byte chars",
            ),
            (
                "😀😀😀",
                2,
                DomainError::TooLong { max: 2 },
                "emoji count as one each",
            ),
            ("a\u{0}b", 10, DomainError::ControlCharacter, "NUL"),
            (
                "a\u{1b}[31mb",
                20,
                DomainError::ControlCharacter,
                "terminal escape",
            ),
            ("a\u{7f}b", 10, DomainError::ControlCharacter, "DEL"),
            ("a\u{85}b", 10, DomainError::ControlCharacter, "C1 control"),
            ("a\u{c}b", 10, DomainError::ControlCharacter, "form feed"),
        ];
        for (input, max, want, why) in cases {
            assert_eq!(
                required_text(input, *max),
                Err(want.clone()),
                "{why}: {input:?}"
            );
        }
    }

    #[test]
    fn accepts_and_normalises() {
        let cases: &[(&str, usize, &str)] = &[
            ("  Hansen ApS  ", 50, "Hansen ApS"),
            ("æøåæøåæøåæ", 10, "æøåæøåæøåæ"),
            ("line 1\r\nline 2", 50, "line 1\nline 2"),
            ("line 1\rline 2", 50, "line 1\nline 2"),
            ("a\tb", 50, "a\tb"),
            ("😀", 1, "😀"),
            ("\n\nnote\n\n", 50, "note"),
        ];
        for (input, max, want) in cases {
            assert_eq!(
                required_text(input, *max).as_deref(),
                Ok(*want),
                "{input:?}"
            );
        }
    }

    #[test]
    fn optional() {
        assert_eq!(optional_text("", 5), Ok(None));
        assert_eq!(optional_text("  \r\n", 5), Ok(None));
        assert_eq!(optional_text(" x ", 5), Ok(Some("x".to_owned())));
        assert_eq!(
            optional_text("abcdef", 5),
            Err(DomainError::TooLong { max: 5 })
        );
        assert_eq!(
            optional_text("a\u{0}", 5),
            Err(DomainError::ControlCharacter)
        );
    }
}
