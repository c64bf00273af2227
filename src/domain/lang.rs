use serde::{Deserialize, Serialize};

/// The two languages the system speaks: staff work in Danish, while many of the businesses
/// that submit recruitment needs are international and need English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Da,
    En,
}

impl Lang {
    pub const ALL: &'static [Lang] = &[Lang::Da, Lang::En];

    /// Parses a language code. Case and a region subtag are ignored ("en-GB" is English)
    /// so the value of an `Accept-Language` entry or a `?lang=` parameter can be passed
    /// straight in.
    pub fn parse(s: &str) -> Option<Lang> {
        let primary = s.trim().split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("da") {
            Some(Lang::Da)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The ISO 639-1 code, as used in URLs, cookies and the `lang` attribute of pages.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Da => "da",
            Lang::En => "en",
        }
    }

    /// Picks the Danish or English variant of a text; keeps the many two-language
    /// tables in this module short.
    pub(crate) fn pick(self, da: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Da => da,
            Lang::En => en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_language_codes() {
        let cases = [
            ("da", Some(Lang::Da)),
            ("en", Some(Lang::En)),
            (" DA ", Some(Lang::Da)),
            ("en-GB", Some(Lang::En)),
            ("da_DK", Some(Lang::Da)),
            ("", None),
            ("de", None),
            ("dansk", None),
            ("æø", None),
        ];
        for (input, want) in cases {
            assert_eq!(Lang::parse(input), want, "input {input:?}");
        }
        for lang in Lang::ALL {
            assert_eq!(Lang::parse(lang.as_str()), Some(*lang));
        }
        assert_eq!(Lang::default(), Lang::Da);
    }
}
