use crate::domain::{DomainError, Lang};

/// A Danish industry code (Dansk Branchekode 2007, DB07): 6 digits, the first two of which
/// are a NACE division. Holding one means the division exists, so [`IndustryCode::section`]
/// always has an answer and statistics per section never meet an unknown code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IndustryCode(u32);

code_list! {
    /// The 21 DB07 sections (A-U), the coarse grouping used in reports to the business
    /// council.
    pub enum IndustrySection {
        A = "A", "Landbrug, skovbrug og fiskeri", "Agriculture, forestry and fishing";
        B = "B", "Råstofindvinding", "Mining and quarrying";
        C = "C", "Industri", "Manufacturing";
        D = "D", "Energiforsyning", "Electricity, gas, steam and air conditioning supply";
        E = "E", "Vandforsyning og renovation", "Water supply, sewerage and waste management";
        F = "F", "Bygge og anlæg", "Construction";
        G = "G", "Handel", "Wholesale and retail trade";
        H = "H", "Transport", "Transportation and storage";
        I = "I", "Hoteller og restauranter", "Accommodation and food service";
        J = "J", "Information og kommunikation", "Information and communication";
        K = "K", "Finansiering og forsikring", "Financial and insurance activities";
        L = "L", "Ejendomshandel og udlejning", "Real estate activities";
        M = "M", "Videnservice", "Professional, scientific and technical activities";
        N = "N", "Rejsebureauer, rengøring og anden operationel service", "Administrative and support service activities";
        O = "O", "Offentlig administration, forsvar og socialsikring", "Public administration and defence";
        P = "P", "Undervisning", "Education";
        Q = "Q", "Sundhed og socialvæsen", "Human health and social work";
        R = "R", "Kultur, forlystelser og sport", "Arts, entertainment and recreation";
        S = "S", "Andre serviceydelser", "Other service activities";
        T = "T", "Private husholdninger med ansat medhjælp", "Households as employers";
        U = "U", "Ekstraterritoriale organisationer", "Extraterritorial organisations";
    }
}

impl IndustrySection {
    /// The section letter, e.g. for compact tables.
    pub fn letter(self) -> char {
        self.as_str().chars().next().unwrap_or('?')
    }

    /// The section of a two-digit NACE division, or `None` if no such division exists
    /// (04, 34, 40, 44, 48, 54, 57, 67, 76, 83 and 89 are gaps in NACE Rev. 2).
    pub fn from_division(division: u32) -> Option<IndustrySection> {
        use IndustrySection as S;
        Some(match division {
            1..=3 => S::A,
            5..=9 => S::B,
            10..=33 => S::C,
            35 => S::D,
            36..=39 => S::E,
            41..=43 => S::F,
            45..=47 => S::G,
            49..=53 => S::H,
            55 | 56 => S::I,
            58..=63 => S::J,
            64..=66 => S::K,
            68 => S::L,
            69..=75 => S::M,
            77..=82 => S::N,
            84 => S::O,
            85 => S::P,
            86..=88 => S::Q,
            90..=93 => S::R,
            94..=96 => S::S,
            97 | 98 => S::T,
            99 => S::U,
            _ => return None,
        })
    }
}

/// Titles of the DB07 codes most common among Copenhagen businesses, so lists and forms
/// can show a name without a call to the register. Codes not in the table show as the
/// number only.
const TITLES: &[(u32, &str, &str)] = &[
    (107120, "Bagerier, brødfabrikker mv.", "Bakeries"),
    (110500, "Fremstilling af øl", "Manufacture of beer"),
    (181200, "Anden trykning", "Other printing"),
    (
        211000,
        "Fremstilling af farmaceutiske råvarer",
        "Manufacture of basic pharmaceutical products",
    ),
    (
        212000,
        "Fremstilling af farmaceutiske præparater",
        "Manufacture of pharmaceutical preparations",
    ),
    (
        412000,
        "Opførelse af bygninger",
        "Construction of buildings",
    ),
    (432100, "El-installation", "Electrical installation"),
    (
        432200,
        "VVS- og blikkenslagerforretninger",
        "Plumbing, heat and air-conditioning installation",
    ),
    (
        433200,
        "Tømrer- og bygningssnedkervirksomhed",
        "Joinery installation",
    ),
    (433410, "Malerforretninger", "Painting"),
    (
        452010,
        "Autoreparationsværksteder mv.",
        "Repair of motor vehicles",
    ),
    (471110, "Supermarkeder", "Supermarkets"),
    (471120, "Discountforretninger", "Discount stores"),
    (471130, "Minimarkeder og kiosker", "Mini-markets and kiosks"),
    (
        472400,
        "Bagerforretninger",
        "Retail sale of bread and cakes",
    ),
    (476100, "Boghandel", "Retail sale of books"),
    (477110, "Detailhandel med tøj", "Retail sale of clothing"),
    (477300, "Apoteker", "Dispensing chemists"),
    (493200, "Taxikørsel", "Taxi operation"),
    (494100, "Vejgodstransport", "Freight transport by road"),
    (
        532000,
        "Andre post- og kurertjenester",
        "Other postal and courier activities",
    ),
    (551010, "Hoteller", "Hotels"),
    (
        552000,
        "Ferieboliger og anden kortvarig indkvartering",
        "Holiday and other short-stay accommodation",
    ),
    (553000, "Campingpladser", "Camping grounds"),
    (561010, "Restauranter", "Restaurants"),
    (
        561020,
        "Pizzeriaer, grillbarer, isbarer mv.",
        "Pizzerias, grill bars, ice cream bars etc.",
    ),
    (562100, "Event catering", "Event catering"),
    (
        562900,
        "Anden restaurationsvirksomhed",
        "Other food service activities",
    ),
    (
        563000,
        "Caféer, værtshuse, diskoteker mv.",
        "Cafés, bars and nightclubs",
    ),
    (581100, "Udgivelse af bøger", "Book publishing"),
    (581300, "Udgivelse af aviser", "Publishing of newspapers"),
    (
        582100,
        "Udgivelse af computerspil",
        "Publishing of computer games",
    ),
    (
        582900,
        "Anden udgivelse af software",
        "Other software publishing",
    ),
    (
        591100,
        "Produktion af film, video og tv-programmer",
        "Film, video and TV programme production",
    ),
    (
        591200,
        "Efterbehandling af film, video og tv-programmer",
        "Film, video and TV post-production",
    ),
    (
        592000,
        "Indspilning af lydoptagelser og udgivelse af musik",
        "Sound recording and music publishing",
    ),
    (620100, "Computerprogrammering", "Computer programming"),
    (
        620200,
        "Konsulentbistand vedrørende informationsteknologi",
        "Computer consultancy",
    ),
    (
        620900,
        "Andre serviceydelser i forbindelse med informationsteknologi",
        "Other information technology service activities",
    ),
    (
        631100,
        "Databehandling, webhosting og lignende serviceydelser",
        "Data processing, hosting and related activities",
    ),
    (631200, "Webportaler", "Web portals"),
    (641900, "Anden pengeinstitutvirksomhed", "Banking"),
    (
        642020,
        "Ikke-finansielle holdingselskaber",
        "Non-financial holding companies",
    ),
    (
        682040,
        "Udlejning af erhvervsejendomme",
        "Renting of commercial property",
    ),
    (683110, "Ejendomsmæglere", "Real estate agencies"),
    (691000, "Juridisk bistand", "Legal activities"),
    (
        692000,
        "Bogføring og revision; skatterådgivning",
        "Accounting, auditing and tax consultancy",
    ),
    (
        701000,
        "Hovedsæders virksomhed",
        "Activities of head offices",
    ),
    (
        702100,
        "Public relations og kommunikation",
        "Public relations and communication",
    ),
    (
        702200,
        "Virksomhedsrådgivning og anden rådgivning om driftsledelse",
        "Business and other management consultancy",
    ),
    (711100, "Arkitektvirksomhed", "Architectural activities"),
    (
        711210,
        "Rådgivende ingeniørvirksomhed",
        "Consulting engineering",
    ),
    (
        721000,
        "Forskning og udvikling inden for naturvidenskab og teknik",
        "Research and development in natural sciences and engineering",
    ),
    (
        721100,
        "Forskning og udvikling inden for bioteknologi",
        "Research and development in biotechnology",
    ),
    (
        721900,
        "Anden forskning inden for naturvidenskab og teknik",
        "Other research in natural sciences and engineering",
    ),
    (
        722000,
        "Forskning og udvikling inden for samfundsvidenskab og humaniora",
        "Research and development in social sciences and humanities",
    ),
    (731100, "Reklamebureauer", "Advertising agencies"),
    (
        732000,
        "Markedsanalyse og offentlig meningsmåling",
        "Market research and public opinion polling",
    ),
    (
        741000,
        "Specialiseret designvirksomhed",
        "Specialised design activities",
    ),
    (742000, "Fotografisk virksomhed", "Photographic activities"),
    (
        743000,
        "Oversættelse og tolkning",
        "Translation and interpretation",
    ),
    (782000, "Vikarbureauer", "Temporary employment agencies"),
    (791100, "Rejsebureauer", "Travel agencies"),
    (
        799000,
        "Andre reservationstjenester",
        "Other reservation services",
    ),
    (
        801000,
        "Private vagt- og sikkerhedstjenester",
        "Private security activities",
    ),
    (
        811000,
        "Kombinerede serviceydelser",
        "Combined facilities support activities",
    ),
    (
        812100,
        "Almindelig rengøring i bygninger",
        "General cleaning of buildings",
    ),
    (
        812200,
        "Anden rengøring af bygninger samt industriel rengøring",
        "Other building and industrial cleaning",
    ),
    (813000, "Landskabspleje", "Landscape service activities"),
    (
        823000,
        "Organisering af kongresser og messer",
        "Organisation of conventions and trade shows",
    ),
    (855900, "Anden undervisning i.a.n.", "Other education"),
    (
        862100,
        "Alment praktiserende læger",
        "General medical practice",
    ),
    (862300, "Tandlæger", "Dental practice"),
    (
        869090,
        "Sundhedsvæsen i øvrigt i.a.n.",
        "Other human health activities",
    ),
    (
        873000,
        "Plejehjem",
        "Residential care for the elderly and disabled",
    ),
    (
        881000,
        "Hjemmehjælp og ikke-institutionel social omsorg for ældre og handicappede",
        "Social work without accommodation for the elderly and disabled",
    ),
    (889120, "Vuggestuer", "Nurseries"),
    (889130, "Børnehaver", "Kindergartens"),
    (
        889910,
        "Foreninger, legater og fonde med sygdomsbekæmpende, sociale og velgørende formål",
        "Charitable and social associations and foundations",
    ),
    (900100, "Udøvende kunstnere", "Performing arts"),
    (900300, "Kunstnerisk skaben", "Artistic creation"),
    (
        900400,
        "Drift af teatre, koncertsale og lignende",
        "Operation of arts facilities",
    ),
    (910100, "Biblioteker og arkiver", "Libraries and archives"),
    (910200, "Museer", "Museums"),
    (931300, "Fitnesscentre", "Fitness facilities"),
    (
        932900,
        "Andre forlystelser og fritidsaktiviteter",
        "Other amusement and recreation activities",
    ),
    (
        941100,
        "Erhvervs- og arbejdsgiverorganisationer",
        "Business and employers' organisations",
    ),
    (
        949900,
        "Andre organisationer og foreninger i.a.n.",
        "Other membership organisations",
    ),
    (960210, "Frisørsaloner", "Hairdressing"),
    (960220, "Skønhedssaloner", "Beauty treatment"),
    (
        960900,
        "Andre personlige serviceydelser i.a.n.",
        "Other personal service activities",
    ),
    (999999, "Uoplyst", "Unknown"),
];

impl IndustryCode {
    /// Parses a DB07 code; spaces and dots between the digits are accepted, because the
    /// register shows codes as "56.10.10".
    pub fn parse(s: &str) -> Result<IndustryCode, DomainError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(DomainError::Required);
        }
        let mut value: u32 = 0;
        let mut digits = 0usize;
        for c in s.chars() {
            match c {
                '0'..='9' => {
                    digits += 1;
                    if digits > 6 {
                        return Err(DomainError::IndustryCodeFormat);
                    }
                    value = value * 10 + (u32::from(c) - u32::from('0'));
                }
                ' ' | '.' => {}
                _ => return Err(DomainError::IndustryCodeFormat),
            }
        }
        if digits != 6 {
            return Err(DomainError::IndustryCodeFormat);
        }
        IndustryCode::from_u32(value)
    }

    /// Validates a code that arrives as a number (leading zeros are lost there, so
    /// 11100 means "011100").
    pub fn from_u32(n: u32) -> Result<IndustryCode, DomainError> {
        if n > 999_999 {
            return Err(DomainError::IndustryCodeFormat);
        }
        match IndustrySection::from_division(n / 10_000) {
            Some(_) => Ok(IndustryCode(n)),
            None => Err(DomainError::IndustryCodeUnknown),
        }
    }

    pub fn value(self) -> u32 {
        self.0
    }

    /// The two-digit NACE division (e.g. 56 for restaurants).
    pub fn division(self) -> u32 {
        self.0 / 10_000
    }

    pub fn section(self) -> IndustrySection {
        // The constructor guarantees a known division; the fallback is never used.
        IndustrySection::from_division(self.division()).unwrap_or(IndustrySection::U)
    }

    /// The title of the code if it is one of the common codes we know by name.
    pub fn title(self, lang: Lang) -> Option<&'static str> {
        TITLES
            .iter()
            .find(|(code, _, _)| *code == self.0)
            .map(|(_, da, en)| lang.pick(da, en))
    }
}

value_type! {
    IndustryCode,
    display: "{:06}", value,
    from_int: IndustryCode::from_u32, too_large: DomainError::IndustryCodeFormat,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_input() {
        let cases: &[(&str, DomainError, &str)] = &[
            ("", DomainError::Required, "empty"),
            ("abcdef", DomainError::IndustryCodeFormat, "letters"),
            ("56101", DomainError::IndustryCodeFormat, "5 digits"),
            ("5610100", DomainError::IndustryCodeFormat, "7 digits"),
            ("56-10-10", DomainError::IndustryCodeFormat, "hyphens"),
            (
                "561010 Restauranter",
                DomainError::IndustryCodeFormat,
                "with title",
            ),
            (
                "99999999999999999999",
                DomainError::IndustryCodeFormat,
                "overflow",
            ),
            ("000000", DomainError::IndustryCodeUnknown, "division 00"),
            ("040000", DomainError::IndustryCodeUnknown, "division 04"),
            ("341000", DomainError::IndustryCodeUnknown, "division 34"),
            ("401000", DomainError::IndustryCodeUnknown, "division 40"),
            ("571000", DomainError::IndustryCodeUnknown, "division 57"),
            ("891000", DomainError::IndustryCodeUnknown, "division 89"),
            ("56101😀", DomainError::IndustryCodeFormat, "emoji"),
            (
                "５６１０１０",
                DomainError::IndustryCodeFormat,
                "full-width digits",
            ),
            (
                "56.10.1ø",
                DomainError::IndustryCodeFormat,
                "multi-byte char",
            ),
        ];
        for (input, want, why) in cases {
            assert_eq!(
                IndustryCode::parse(input),
                Err(want.clone()),
                "{why}: {input:?}"
            );
        }
        assert_eq!(
            IndustryCode::from_u32(1_000_000),
            Err(DomainError::IndustryCodeFormat)
        );
        assert_eq!(
            IndustryCode::from_u32(40_000),
            Err(DomainError::IndustryCodeUnknown)
        );
    }

    #[test]
    fn accepts_and_classifies() {
        let cases = [
            ("561010", 561_010, IndustrySection::I, "561010"),
            ("56.10.10", 561_010, IndustrySection::I, "561010"),
            (" 56 10 10 ", 561_010, IndustrySection::I, "561010"),
            ("011100", 11_100, IndustrySection::A, "011100"),
            ("620100", 620_100, IndustrySection::J, "620100"),
            ("212000", 212_000, IndustrySection::C, "212000"),
            ("412000", 412_000, IndustrySection::F, "412000"),
            ("999999", 999_999, IndustrySection::U, "999999"),
            ("970000", 970_000, IndustrySection::T, "970000"),
        ];
        for (input, value, section, shown) in cases {
            let code = IndustryCode::parse(input).unwrap();
            assert_eq!(code.value(), value);
            assert_eq!(code.section(), section);
            assert_eq!(code.to_string(), shown);
        }
        let json = serde_json::to_string(&IndustryCode::parse("011100").unwrap()).unwrap();
        assert_eq!(json, "\"011100\"");
        let back: IndustryCode = serde_json::from_str("11100").unwrap();
        assert_eq!(back.to_string(), "011100");
    }

    #[test]
    fn sections_cover_every_division_once() {
        let mut divisions = 0;
        for d in 0..=100 {
            if IndustrySection::from_division(d).is_some() {
                divisions += 1;
            }
        }
        // NACE Rev. 2 / DB07 has 88 divisions.
        assert_eq!(divisions, 88);
        assert_eq!(IndustrySection::ALL.len(), 21);
        for s in IndustrySection::ALL {
            assert_eq!(IndustrySection::parse(s.as_str()), Ok(*s));
            assert_eq!(s.letter().to_string(), s.as_str());
            assert_ne!(s.label(Lang::Da), s.label(Lang::En));
        }
        assert_eq!(
            IndustrySection::I.label(Lang::Da),
            "Hoteller og restauranter"
        );
        assert_eq!(IndustrySection::parse("i"), Ok(IndustrySection::I));
        for bad in ["", "V", "AA", "Ø", "1"] {
            assert_eq!(
                IndustrySection::parse(bad),
                Err(DomainError::UnknownValue),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn title_table() {
        assert!(TITLES.len() >= 60, "{}", TITLES.len());
        for pair in TITLES.windows(2) {
            assert!(pair[0].0 < pair[1].0, "sorted and unique: {}", pair[1].0);
        }
        for (code, da, en) in TITLES {
            let c = IndustryCode::from_u32(*code).unwrap();
            assert_eq!(c.title(Lang::Da), Some(*da));
            assert_eq!(c.title(Lang::En), Some(*en));
        }
        let restaurant = IndustryCode::parse("561010").unwrap();
        assert_eq!(restaurant.title(Lang::Da), Some("Restauranter"));
        assert_eq!(restaurant.title(Lang::En), Some("Restaurants"));
        assert_eq!(IndustryCode::parse("011100").unwrap().title(Lang::Da), None);
    }

    #[test]
    fn serde_round_trip_and_validation() {
        // A section A code keeps its leading zero as a string.
        let code = IndustryCode::from_u32(11_100).unwrap();
        crate::domain::serde_util::assert_serde(
            &code,
            "\"011100\"",
            &[
                ("\"040000\"", DomainError::IndustryCodeUnknown),
                ("40000", DomainError::IndustryCodeUnknown),
                ("1000000", DomainError::IndustryCodeFormat),
                ("\"56-10-10\"", DomainError::IndustryCodeFormat),
                ("\"\"", DomainError::Required),
            ],
        );
    }
}
