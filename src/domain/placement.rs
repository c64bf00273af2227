//! Placements: their kinds, target groups and statuses, the case reference
//! that stands for the citizen, and hours per week.
use crate::domain::DomainError;

code_list! {
    /// What kind of placement.
    pub enum PlacementKind {
        Fleksjob = "fleksjob", "Fleksjob", "Flex job";
        WageSubsidyPrivate = "loentilskud_privat", "Løntilskud, privat arbejdsgiver", "Wage subsidy, private employer";
        WageSubsidyPublic = "loentilskud_offentlig", "Løntilskud, offentlig arbejdsgiver", "Wage subsidy, public employer";
        WorkTrial = "virksomhedspraktik", "Virksomhedspraktik", "Work trial";
    }
}

impl PlacementKind {
    /// Løntilskud and virksomhedspraktik count towards the
    /// proportionality rule (rimelighedskravet); fleksjob does not.
    pub fn counts_for_proportionality(self) -> bool {
        self != PlacementKind::Fleksjob
    }
}

code_list! {
    /// The reform's target groups.
    pub enum TargetGroup {
        Dagpengemodtager = "dagpengemodtager", "Dagpengemodtager", "Unemployment benefit recipient";
        Jobparat = "jobparat", "Jobparat", "Job-ready";
        Aktivitetsparat = "aktivitetsparat", "Aktivitetsparat", "Activity-ready";
        Sygemeldt = "sygemeldt", "Sygemeldt", "On sick leave";
        Oevrige = "oevrige", "Øvrige", "Others";
    }
}

code_list! {
    /// Where a placement has got to.
    pub enum PlacementStatus {
        Planned = "planned", "Planlagt", "Planned";
        Active = "active", "Aktiv", "Active";
        EndedEarly = "ended_early", "Afbrudt før tid", "Ended early";
        Completed = "completed", "Afsluttet", "Completed";
        Cancelled = "cancelled", "Annulleret", "Cancelled";
    }
}

impl PlacementStatus {
    /// Planned and active placements take a place at the workplace.
    pub fn is_open(self) -> bool {
        matches!(self, PlacementStatus::Planned | PlacementStatus::Active)
    }
}

code_list! {
    /// Why a placement ended before its planned end.
    pub enum EndReason {
        OrdinaryJob = "ordinary_job", "Ordinært job", "Ordinary job";
        Education = "education", "Uddannelse", "Education";
        Health = "health", "Helbred", "Health";
        EmployerEnded = "employer_ended", "Arbejdsgiveren stoppede", "Ended by the employer";
        CitizenEnded = "citizen_ended", "Borgeren stoppede", "Ended by the citizen";
        Other = "other", "Andet", "Other";
    }
}

/// A placement rule a placement would break, with the numbers a consultant
/// needs to see, and where the rule comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleBreach {
    /// Longer than the kind (and target group) may last.
    TooLong {
        kind: PlacementKind,
        max: i32,
        /// The maximum is in weeks (work trials), else months.
        weeks: bool,
        planned_days: i64,
        source: String,
    },
    /// More people in løntilskud and virksomhedspraktik at the workplace
    /// than the proportionality rule allows.
    OverCapacity {
        ordinary: i32,
        allowed: i32,
        /// With this placement.
        placed: i32,
        source: String,
    },
}

impl RuleBreach {
    pub fn message(&self, lang: crate::domain::Lang) -> String {
        use crate::domain::Lang;
        match (self, lang) {
            (
                RuleBreach::TooLong {
                    kind,
                    max,
                    weeks,
                    planned_days,
                    source,
                },
                Lang::Da,
            ) => format!(
                "{} må højst vare {max} {} (kilde: {source}); den planlagte varer {planned_days} dage.",
                kind.label(lang),
                if *weeks { "uger" } else { "måneder" }
            ),
            (
                RuleBreach::TooLong {
                    kind,
                    max,
                    weeks,
                    planned_days,
                    source,
                },
                Lang::En,
            ) => format!(
                "{} may last at most {max} {} (source: {source}); this one is planned for {planned_days} days.",
                kind.label(lang),
                if *weeks { "weeks" } else { "months" }
            ),
            (
                RuleBreach::OverCapacity {
                    ordinary,
                    allowed,
                    placed,
                    source,
                },
                Lang::Da,
            ) => format!(
                "Rimelighedskravet: med {ordinary} ordinært ansatte må arbejdsstedet have {allowed} i løntilskud og virksomhedspraktik; med denne bliver det {placed} (kilde: {source})."
            ),
            (
                RuleBreach::OverCapacity {
                    ordinary,
                    allowed,
                    placed,
                    source,
                },
                Lang::En,
            ) => format!(
                "Proportionality rule: with {ordinary} ordinary employees the workplace may have {allowed} in wage subsidy and work trials; with this one it would be {placed} (source: {source})."
            ),
        }
    }
}

/// The citizen, as the case system's pseudonymous reference: letters,
/// digits and dashes, 6-20 characters (the default pattern). Never a CPR
/// number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRef(String);

/// The case reference format unless configured otherwise.
pub const DEFAULT_CASE_REF_PATTERN: &str = "^[A-Za-z0-9-]{6,20}$";

impl CaseRef {
    /// Parses with the default pattern.
    pub fn parse(s: &str) -> Result<CaseRef, DomainError> {
        Self::parse_with(s, None)
    }

    /// Parses with the configured pattern (None: the default). A CPR-like
    /// number is refused whatever the pattern allows.
    pub fn parse_with(s: &str, pattern: Option<&regex::Regex>) -> Result<CaseRef, DomainError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(DomainError::Required);
        }
        if crate::domain::looks_like_cpr(s) {
            return Err(DomainError::LooksLikeCpr);
        }
        let ok = match pattern {
            Some(p) => p.is_match(s),
            None => {
                (6..=20).contains(&s.chars().count())
                    && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            }
        };
        if ok {
            Ok(CaseRef(s.to_uppercase()))
        } else {
            Err(DomainError::CaseRefFormat)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Hours per week, in hundredths: "37", "37,5" (Danish comma) or "37.5";
/// more than 0 and at most 60.
pub fn parse_hours(s: &str) -> Result<i32, DomainError> {
    let s = s.trim().replace(',', ".");
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s.as_str(), ""),
    };
    let digits = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
    if !digits(whole) || (!frac.is_empty() && (!digits(frac) || frac.len() > 2)) {
        return Err(DomainError::HoursFormat);
    }
    let w: i32 = whole.parse().map_err(|_| DomainError::HoursFormat)?;
    let f: i32 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}")
            .parse()
            .map_err(|_| DomainError::HoursFormat)?
    };
    let centi = w.checked_mul(100).and_then(|x| x.checked_add(f));
    match centi {
        Some(c) if c > 0 && c <= 6000 => Ok(c),
        _ => Err(DomainError::HoursFormat),
    }
}

/// Hours in hundredths as a Danish decimal: 3750 → "37,5".
pub fn format_hours(centi: i32, lang: crate::domain::Lang) -> String {
    let sep = match lang {
        crate::domain::Lang::Da => ',',
        crate::domain::Lang::En => '.',
    };
    let (w, f) = (centi / 100, centi % 100);
    match f {
        0 => w.to_string(),
        f if f % 10 == 0 => format!("{w}{sep}{}", f / 10),
        f => format!("{w}{sep}{f:02}"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn case_references_are_pseudonymous_references_never_cpr_numbers() {
        assert_eq!(
            CaseRef::parse(" kbh-2024-00123 ").map(|c| c.0),
            Ok("KBH-2024-00123".into())
        );
        assert_eq!(
            CaseRef::parse("010190-1234"),
            Err(DomainError::LooksLikeCpr)
        );
        assert_eq!(CaseRef::parse("0101901234"), Err(DomainError::LooksLikeCpr));
        assert_eq!(CaseRef::parse("AB12"), Err(DomainError::CaseRefFormat));
        assert_eq!(
            CaseRef::parse("Søren Hansen"),
            Err(DomainError::CaseRefFormat)
        );
        assert_eq!(CaseRef::parse(""), Err(DomainError::Required));
    }

    #[test]
    fn a_configured_pattern_decides_the_format_but_never_admits_a_cpr_number() {
        let p = regex::Regex::new("^SAG[0-9]{6}$").unwrap();
        assert!(CaseRef::parse_with("SAG123456", Some(&p)).is_ok());
        assert_eq!(
            CaseRef::parse_with("KBH-2024-00123", Some(&p)),
            Err(DomainError::CaseRefFormat)
        );
        let any = regex::Regex::new(".*").unwrap();
        assert_eq!(
            CaseRef::parse_with("010190-1234", Some(&any)),
            Err(DomainError::LooksLikeCpr)
        );
        let default = regex::Regex::new(DEFAULT_CASE_REF_PATTERN).unwrap();
        for s in ["KBH-2024-00123", "AB12", "Søren Hansen", "ABCDEF"] {
            assert_eq!(
                CaseRef::parse_with(s, Some(&default)).is_ok(),
                CaseRef::parse(s).is_ok(),
                "{s}"
            );
        }
    }

    #[test]
    fn hours_take_a_danish_comma() {
        assert_eq!(parse_hours("37"), Ok(3700));
        assert_eq!(parse_hours("37,5"), Ok(3750));
        assert_eq!(parse_hours("12.25"), Ok(1225));
        for bad in ["0", "61", "abc", "1,234", "-3", ""] {
            assert_eq!(parse_hours(bad), Err(DomainError::HoursFormat), "{bad}");
        }
        assert_eq!(format_hours(3750, crate::domain::Lang::Da), "37,5");
        assert_eq!(format_hours(1225, crate::domain::Lang::En), "12.25");
        assert_eq!(format_hours(3700, crate::domain::Lang::Da), "37");
    }
}
