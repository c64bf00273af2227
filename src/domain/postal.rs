use crate::domain::DomainError;

/// A Danish postal code (1000-9990).
///
/// Kept as a number because the district of an address and whether it lies in Copenhagen
/// are decided from postal-code ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PostalCode(u16);

code_list! {
    /// Copenhagen Municipality's ten districts (bydele), used to plan outreach and report
    /// per part of the city.
    pub enum District {
        IndreBy = "indre_by", "Indre By", "Indre By";
        Osterbro = "osterbro", "Østerbro", "Østerbro";
        Norrebro = "norrebro", "Nørrebro", "Nørrebro";
        VesterbroKongensEnghave = "vesterbro_kongens_enghave", "Vesterbro/Kongens Enghave", "Vesterbro/Kongens Enghave";
        Valby = "valby", "Valby", "Valby";
        Vanlose = "vanlose", "Vanløse", "Vanløse";
        BronshojHusum = "bronshoj_husum", "Brønshøj-Husum", "Brønshøj-Husum";
        Bispebjerg = "bispebjerg", "Bispebjerg", "Bispebjerg";
        AmagerOst = "amager_ost", "Amager Øst", "Amager Øst";
        AmagerVest = "amager_vest", "Amager Vest", "Amager Vest";
    }
}

/// Streets with postal code 2300 that lie in Amager Vest; the rest of 2300 is Amager Øst.
/// Written in the normalised form produced by [`normalise_street`].
const AMAGER_VEST_STREETS_2300: &[&str] = &[
    "islands brygge",
    "oerestads boulevard",
    "arne jacobsens alle",
    "artillerivej",
    "vejlands alle",
    "hannemanns alle",
    "richard mortensens vej",
    "njalsgade",
    "kaj munks vej",
    "amager faelledvej",
    "sundholmsvej",
    "center boulevard",
    "oerestad",
];

impl PostalCode {
    /// Parses a 4-digit Danish postal code (surrounding whitespace is ignored).
    pub fn parse(s: &str) -> Result<PostalCode, DomainError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(DomainError::Required);
        }
        if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::PostalCodeFormat);
        }
        let n = s
            .parse::<u16>()
            .map_err(|_| DomainError::PostalCodeFormat)?;
        PostalCode::from_u16(n)
    }

    /// Validates a postal code that arrives as a number.
    pub fn from_u16(n: u16) -> Result<PostalCode, DomainError> {
        if (1000..=9990).contains(&n) {
            Ok(PostalCode(n))
        } else {
            Err(DomainError::PostalCodeRange)
        }
    }

    pub fn value(self) -> u16 {
        self.0
    }

    /// The Copenhagen district of an address, or `None` outside Copenhagen Municipality
    /// (Frederiksberg included). Postal code 2300 is split between Amager Øst and Amager
    /// Vest, so the street (house number and the rest of the address may be included) is
    /// needed to tell them apart; without it, 2300 counts as Amager Øst.
    pub fn district(self, street: Option<&str>) -> Option<District> {
        match self.0 {
            1050..=1499 => Some(District::IndreBy),
            1500..=1799 | 2450 => Some(District::VesterbroKongensEnghave),
            2100 | 2150 => Some(District::Osterbro),
            2200 => Some(District::Norrebro),
            2300 => {
                let in_vest = street.is_some_and(|s| {
                    let name = normalise_street(s);
                    AMAGER_VEST_STREETS_2300.contains(&name.as_str())
                });
                Some(if in_vest {
                    District::AmagerVest
                } else {
                    District::AmagerOst
                })
            }
            2400 => Some(District::Bispebjerg),
            2500 => Some(District::Valby),
            2700 => Some(District::BronshojHusum),
            2720 => Some(District::Vanlose),
            _ => None,
        }
    }

    /// Whether the postal code belongs to Copenhagen Municipality.
    pub fn is_copenhagen(self) -> bool {
        self.district(None).is_some()
    }
}

/// Reduces an address line to a comparable street name: the part before the house number,
/// lowercased, with æ/ø/å/é spelled out in ASCII and punctuation collapsed to single
/// spaces, so "Arne Jacobsens Allé 7, 3." and "ARNE JACOBSENS ALLE" compare equal.
fn normalise_street(s: &str) -> String {
    let before_number = s.split(|c: char| c.is_ascii_digit() || c == ',').next();
    let mut out = String::new();
    let mut pending_space = false;
    for c in before_number
        .unwrap_or_default()
        .chars()
        .flat_map(char::to_lowercase)
    {
        let replacement: &str = match c {
            'æ' => "ae",
            'ø' => "oe",
            'å' => "aa",
            'é' | 'è' => "e",
            _ => "",
        };
        if !replacement.is_empty() || c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            if replacement.is_empty() {
                out.push(c);
            } else {
                out.push_str(replacement);
            }
        } else {
            pending_space = true;
        }
    }
    out
}

value_type! {
    PostalCode,
    display: "{:04}", value,
    from_int: PostalCode::from_u16, too_large: DomainError::PostalCodeRange,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::Lang;

    #[test]
    fn rejects_bad_input() {
        let cases: &[(&str, DomainError, &str)] = &[
            ("", DomainError::Required, "empty"),
            ("abcd", DomainError::PostalCodeFormat, "letters"),
            ("210", DomainError::PostalCodeFormat, "3 digits"),
            ("21000", DomainError::PostalCodeFormat, "5 digits"),
            ("0999", DomainError::PostalCodeRange, "below 1000"),
            ("0000", DomainError::PostalCodeRange, "zeros"),
            ("9999", DomainError::PostalCodeRange, "above 9990"),
            (
                "99999999999999999999",
                DomainError::PostalCodeFormat,
                "overflow",
            ),
            ("2 100", DomainError::PostalCodeFormat, "space inside"),
            ("DK-2100", DomainError::PostalCodeFormat, "country prefix"),
            ("+210", DomainError::PostalCodeFormat, "plus sign"),
            (
                "21ø",
                DomainError::PostalCodeFormat,
                "multi-byte char, 4 bytes",
            ),
            ("2😀", DomainError::PostalCodeFormat, "emoji"),
            (
                "２１００",
                DomainError::PostalCodeFormat,
                "full-width digits",
            ),
        ];
        for (input, want, why) in cases {
            assert_eq!(
                PostalCode::parse(input),
                Err(want.clone()),
                "{why}: {input:?}"
            );
        }
    }

    #[test]
    fn accepts_good_input() {
        for (input, want) in [
            ("2100", 2100),
            (" 1050 ", 1050),
            ("9990", 9990),
            ("1000", 1000),
        ] {
            let p = PostalCode::parse(input).unwrap();
            assert_eq!(p.value(), want);
            assert_eq!(p.to_string(), want.to_string());
        }
        let json = serde_json::to_string(&PostalCode::parse("2300").unwrap()).unwrap();
        assert_eq!(json, "\"2300\"");
        let back: PostalCode = serde_json::from_str("2300").unwrap();
        assert_eq!(back.value(), 2300);
        assert!(serde_json::from_str::<PostalCode>("70000").is_err());
    }

    #[test]
    fn districts() {
        let cases: &[(u16, Option<&str>, Option<District>)] = &[
            (1050, None, Some(District::IndreBy)),
            (1499, None, Some(District::IndreBy)),
            (1500, None, Some(District::VesterbroKongensEnghave)),
            (1799, None, Some(District::VesterbroKongensEnghave)),
            (1800, None, None),
            (2000, None, None),
            (2100, None, Some(District::Osterbro)),
            (2150, None, Some(District::Osterbro)),
            (2200, None, Some(District::Norrebro)),
            (2300, None, Some(District::AmagerOst)),
            (2300, Some("Holmbladsgade 12"), Some(District::AmagerOst)),
            (
                2300,
                Some("Islands Brygge 43, 2. th"),
                Some(District::AmagerVest),
            ),
            (2300, Some("ISLANDS  BRYGGE 1"), Some(District::AmagerVest)),
            (
                2300,
                Some("Arne Jacobsens Allé 7"),
                Some(District::AmagerVest),
            ),
            (
                2300,
                Some("arne jacobsens alle 7"),
                Some(District::AmagerVest),
            ),
            (
                2300,
                Some("Ørestads Boulevard 80"),
                Some(District::AmagerVest),
            ),
            (
                2300,
                Some("Amager Fælledvej 56"),
                Some(District::AmagerVest),
            ),
            (2300, Some("Ørestad"), Some(District::AmagerVest)),
            (2300, Some("Islands Bryggevej 2"), Some(District::AmagerOst)),
            (2300, Some(""), Some(District::AmagerOst)),
            (2300, Some("😀 12"), Some(District::AmagerOst)),
            (2400, None, Some(District::Bispebjerg)),
            (2450, None, Some(District::VesterbroKongensEnghave)),
            (2500, None, Some(District::Valby)),
            (2700, None, Some(District::BronshojHusum)),
            (2720, None, Some(District::Vanlose)),
            (2730, None, None),
            (2770, None, None),
            (8000, None, None),
        ];
        for (code, street, want) in cases {
            let p = PostalCode::from_u16(*code).unwrap();
            assert_eq!(p.district(*street), *want, "{code} {street:?}");
            assert_eq!(p.is_copenhagen(), p.district(None).is_some());
        }
        assert!(PostalCode::parse("2300").unwrap().is_copenhagen());
        assert!(!PostalCode::parse("2000").unwrap().is_copenhagen());
    }

    #[test]
    fn district_code_list() {
        assert_eq!(District::ALL.len(), 10);
        for d in District::ALL {
            assert_eq!(District::parse(d.as_str()), Ok(*d));
            assert_eq!(d.label(Lang::Da), d.label(Lang::En));
        }
        assert_eq!(District::Osterbro.label(Lang::Da), "Østerbro");
        assert_eq!(District::BronshojHusum.label(Lang::En), "Brønshøj-Husum");
        assert_eq!(District::parse("Amager_Vest"), Ok(District::AmagerVest));
        for bad in ["", "østerbro", "amager", "indre by", "😀"] {
            assert_eq!(
                District::parse(bad),
                Err(DomainError::UnknownValue),
                "{bad:?}"
            );
        }
        assert_eq!(
            serde_json::to_string(&District::VesterbroKongensEnghave).unwrap(),
            "\"vesterbro_kongens_enghave\""
        );
        let d: District = serde_json::from_str("\"valby\"").unwrap();
        assert_eq!(d, District::Valby);
        assert!(serde_json::from_str::<District>("\"Valby Syd\"").is_err());
    }

    #[test]
    fn serde_round_trip_and_validation() {
        let p = PostalCode::from_u16(1050).unwrap();
        crate::domain::serde_util::assert_serde(
            &p,
            "\"1050\"",
            &[
                ("\"0999\"", DomainError::PostalCodeRange),
                ("9999", DomainError::PostalCodeRange),
                ("65536", DomainError::PostalCodeRange),
                ("\"21 00\"", DomainError::PostalCodeFormat),
                ("\"\"", DomainError::Required),
            ],
        );
    }
}
