use crate::domain::Lang;

/// Why a value was rejected. There is one variant per reason so that callers (and tests)
/// can tell the reasons apart, and every variant has a sentence a user can act on in both
/// languages via [`DomainError::message`]. `Display` gives the English sentence, which is
/// what ends up in logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message(Lang::En))]
pub enum DomainError {
    /// The field was empty (or only whitespace).
    Required,
    /// The text is longer than `max` characters.
    TooLong { max: usize },
    /// The text contains control characters other than line breaks and tabs.
    ControlCharacter,
    /// A CVR number that is not 8 digits (or contains other characters).
    CvrFormat,
    /// A CVR number that starts with 0; no CVR number does.
    CvrLeadingZero,
    /// A CVR number whose modulus-11 check fails, usually a typo.
    CvrChecksum,
    /// A P-number that is not 10 digits or starts with 0.
    PNumberFormat,
    /// A P-number already registered to another business (a production unit belongs to
    /// exactly one business).
    PNumberTaken,
    /// A postal code that is not 4 digits.
    PostalCodeFormat,
    /// A 4-digit postal code outside the Danish range 1000-9990.
    PostalCodeRange,
    /// A malformed email address.
    EmailFormat,
    /// A phone number that is neither Danish (8 digits) nor international (+ and 7-15 digits).
    PhoneFormat,
    /// An industry code that is not 6 digits.
    IndustryCodeFormat,
    /// An industry code whose first two digits are not a DB07 division.
    IndustryCodeUnknown,
    /// A code that is not in a code list (district, segment, role, ...).
    UnknownValue,
    /// A company form text that is not recognised.
    CompanyFormUnknown,
    /// A number of employees that is neither a number nor an interval.
    EmployeesFormat,
    /// A yes/no field with another value.
    YesNoFormat,
    /// A field in a UTF-8 file that is not valid UTF-8.
    InvalidEncoding,
    /// A row with a different number of fields than the header.
    FieldCount { expected: usize, found: usize },
    /// A row so long that the file is almost certainly broken (e.g. an unclosed quote).
    RecordTooLong { max_bytes: usize },
    /// The file could not be read further (the reason is the I/O error's text).
    ReadFailed(String),
    /// A unique value another record already has (the caller links to it).
    AlreadyExists,
    /// A CVR number that another business in the registry has.
    CvrTaken,
    /// The CVR number identifies a business; an edit cannot change it.
    CvrCannotChange,
    /// A username another staff account has.
    UsernameTaken,
    /// A username with other characters than a-z, 0-9, `.`, `-`, `_`, or not 2-40 long.
    UsernameInvalid,
    /// A password shorter than 10 characters.
    PasswordTooShort,
    /// A consultant id that is not an enabled consultant or admin.
    UnknownConsultant,
    /// A date that is not dd-mm-yyyy (or yyyy-mm-dd from a date input).
    DateFormat,
    /// A date and time that is not dd-mm-yyyy hh:mm.
    DateTimeFormat,
    /// A moment that has not happened yet where a past one is asked for.
    InFuture,
    /// An end date before the start date.
    EndBeforeStart,
    /// A temporary position without its end date.
    EndDateMissing,
    /// A follow-up date before the contact it follows up.
    FollowUpBeforeContact,
    /// A number of positions outside 1-500.
    PositionsRange,
    /// Hours per week outside 1-60.
    HoursRange,
    /// A time of day that is not hh:mm.
    TimeFormat,
    /// A moment that has passed where a future one is asked for.
    InPast,
    /// No contact person with an email address chosen as the recipient.
    RecipientMissing,
    /// No known template chosen.
    TemplateMissing,
    /// Mail that is not case-related to a business with advertising protection.
    AdvertisingProtected,
    /// Text that looks like a CPR number, in a placement's field.
    LooksLikeCpr,
    /// A case reference that is not 6-20 letters, digits and dashes.
    CaseRefFormat,
    /// Hours per week that are not a number above 0 and at most 60.
    HoursFormat,
    /// A placement rule that the placement would break, with the numbers;
    /// saving it needs an override reason.
    RuleBroken(crate::domain::RuleBreach),
    /// A need status change the pipeline does not allow (codes of both statuses).
    StatusChangeNotAllowed {
        from: &'static str,
        to: &'static str,
    },
    /// A number that is not a decimal number (Danish or English notation).
    NumberFormat,
    /// A value typed for a key figure the portal computes from its records.
    FigureIsComputed,
    /// A business chosen by a CVR number the registry does not have.
    CvrUnknown,
    /// The current password given to change it is not the current one.
    PasswordWrong,
    /// A new password that is easy to guess (common, local or personal).
    PasswordWeak,
    /// The new password typed twice differently.
    PasswordMismatch,
    /// A business cannot be merged into itself.
    MergeWithItself,
    /// The business kept by this merge was merged into another since.
    MergeUndoOrder,
    /// No contact person has that email address or id (the GDPR search).
    PersonUnknown,
}

impl DomainError {
    /// A stable code for machines (the API's `fields[].code`): the
    /// variant's name in snake case, `too_long`, `cvr_checksum` ….
    pub fn code(&self) -> String {
        let debug = format!("{self:?}");
        let name = debug
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or_default();
        let mut out = String::with_capacity(name.len() + 4);
        for (i, c) in name.chars().enumerate() {
            if c.is_ascii_uppercase() {
                if i > 0 {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    }

    /// A complete sentence for the user, in Danish or English.
    pub fn message(&self, lang: Lang) -> String {
        use DomainError as E;
        let (da, en): (String, String) = match self {
            E::Required => ("Feltet skal udfyldes.".into(), "This field is required.".into()),
            E::TooLong { max } => (
                format!("Teksten må højst være {max} tegn."),
                format!("The text must be at most {max} characters."),
            ),
            E::ControlCharacter => (
                "Teksten indeholder ugyldige kontroltegn.".into(),
                "The text contains invalid control characters.".into(),
            ),
            E::CvrFormat => (
                "CVR-nummeret skal være 8 cifre.".into(),
                "The CVR number must be 8 digits.".into(),
            ),
            E::CvrLeadingZero => (
                "CVR-nummeret kan ikke begynde med 0.".into(),
                "The CVR number cannot start with 0.".into(),
            ),
            E::CvrChecksum => (
                "CVR-nummeret er ikke gyldigt (kontrolcifferet passer ikke). Tjek for tastefejl."
                    .into(),
                "The CVR number is not valid (the check digit does not match). Check for typos."
                    .into(),
            ),
            E::PNumberFormat => (
                "P-nummeret skal være 10 cifre og kan ikke begynde med 0.".into(),
                "The P-number must be 10 digits and cannot start with 0.".into(),
            ),
            E::PNumberTaken => (
                "P-nummeret er allerede registreret på en anden virksomhed.".into(),
                "The P-number is already registered to another business.".into(),
            ),
            E::PostalCodeFormat => (
                "Postnummeret skal være 4 cifre.".into(),
                "The postal code must be 4 digits.".into(),
            ),
            E::PostalCodeRange => (
                "Postnummeret skal være et dansk postnummer mellem 1000 og 9990.".into(),
                "The postal code must be a Danish postal code between 1000 and 9990.".into(),
            ),
            E::EmailFormat => (
                "E-mailadressen er ikke gyldig. Skriv den som navn@eksempel.dk.".into(),
                "The email address is not valid. Write it as name@example.com.".into(),
            ),
            E::PhoneFormat => (
                "Telefonnummeret skal være 8 cifre eller et udenlandsk nummer, der begynder med +."
                    .into(),
                "The phone number must be 8 digits, or a foreign number starting with +.".into(),
            ),
            E::IndustryCodeFormat => (
                "Branchekoden skal være 6 cifre (DB07), fx 561010.".into(),
                "The industry code must be 6 digits (DB07), e.g. 561010.".into(),
            ),
            E::IndustryCodeUnknown => (
                "Branchekoden findes ikke i Dansk Branchekode (DB07).".into(),
                "The industry code does not exist in the Danish industry codes (DB07).".into(),
            ),
            E::UnknownValue => (
                "Værdien er ikke en af de tilladte muligheder.".into(),
                "The value is not one of the allowed options.".into(),
            ),
            E::CompanyFormUnknown => (
                "Virksomhedsformen kendes ikke. Brug fx A/S, ApS, I/S eller Enkeltmandsvirksomhed."
                    .into(),
                "The company form is not recognised. Use e.g. A/S, ApS, I/S or Enkeltmandsvirksomhed."
                    .into(),
            ),
            E::EmployeesFormat => (
                "Antal ansatte skal være et tal (fx 12) eller et interval (fx 10-19).".into(),
                "The number of employees must be a number (e.g. 12) or an interval (e.g. 10-19)."
                    .into(),
            ),
            E::YesNoFormat => (
                "Værdien skal være ja eller nej.".into(),
                "The value must be yes or no.".into(),
            ),
            E::InvalidEncoding => (
                "Feltet indeholder tegn, der ikke er gyldig UTF-8.".into(),
                "The field contains characters that are not valid UTF-8.".into(),
            ),
            E::FieldCount { expected, found } => (
                format!("Rækken har {found} felter, men overskriften har {expected}."),
                format!("The row has {found} fields, but the header has {expected}."),
            ),
            E::RecordTooLong { max_bytes } => (
                format!(
                    "Rækken er længere end {max_bytes} byte. Filen er sandsynligvis beskadiget (fx et anførselstegn, der ikke er lukket)."
                ),
                format!(
                    "The row is longer than {max_bytes} bytes. The file is probably damaged (e.g. a quotation mark that is not closed)."
                ),
            ),
            E::ReadFailed(reason) => (
                format!("Filen kunne ikke læses færdig: {reason}"),
                format!("The file could not be read to the end: {reason}"),
            ),
            E::AlreadyExists => (
                "Værdien er allerede registreret på en anden post.".into(),
                "The value is already registered on another record.".into(),
            ),
            E::CvrTaken => (
                "En virksomhed med dette CVR-nummer findes allerede.".into(),
                "A business with this CVR number already exists.".into(),
            ),
            E::CvrCannotChange => (
                "CVR-nummeret kan ikke ændres.".into(),
                "The CVR number cannot be changed.".into(),
            ),
            E::UsernameTaken => (
                "Brugernavnet er optaget.".into(),
                "The username is taken.".into(),
            ),
            E::UsernameInvalid => (
                "Brugernavnet må kun indeholde små bogstaver, tal, punktum, bindestreg og understreg (2–40 tegn).".into(),
                "The username may only contain lower-case letters, digits, dot, hyphen and underscore (2–40 characters).".into(),
            ),
            E::PasswordTooShort => (
                "Adgangskoden skal være mindst 10 tegn.".into(),
                "The password must be at least 10 characters.".into(),
            ),
            E::UnknownConsultant => (
                "Vælg en aktiv konsulent fra listen.".into(),
                "Choose an active consultant from the list.".into(),
            ),
            E::DateFormat => (
                "Angiv en dato som dd-mm-åååå.".into(),
                "Give a date as dd-mm-yyyy.".into(),
            ),
            E::DateTimeFormat => (
                "Angiv dato og klokkeslæt som dd-mm-åååå tt:mm.".into(),
                "Give the date and time as dd-mm-yyyy hh:mm.".into(),
            ),
            E::InFuture => (
                "Tidspunktet ligger i fremtiden.".into(),
                "The time is in the future.".into(),
            ),
            E::EndBeforeStart => (
                "Slutdatoen ligger før startdatoen.".into(),
                "The end date is before the start date.".into(),
            ),
            E::EndDateMissing => (
                "Angiv hvornår den midlertidige ansættelse slutter.".into(),
                "Give the end date of the temporary employment.".into(),
            ),
            E::FollowUpBeforeContact => (
                "Opfølgningen kan ikke ligge før kontakten.".into(),
                "The follow-up cannot be before the contact.".into(),
            ),
            E::PositionsRange => (
                "Angiv et antal mellem 1 og 500.".into(),
                "Give a number between 1 and 500.".into(),
            ),
            E::HoursRange => (
                "Angiv timer pr. uge mellem 1 og 60.".into(),
                "Give hours per week between 1 and 60.".into(),
            ),
            E::TimeFormat => (
                "Angiv klokkeslæt som tt:mm.".into(),
                "Give the time as hh:mm.".into(),
            ),
            E::InPast => (
                "Tidspunktet er passeret.".into(),
                "That time has passed.".into(),
            ),
            E::RecipientMissing => (
                "Vælg en kontaktperson med e-mailadresse.".into(),
                "Choose a contact person with an email address.".into(),
            ),
            E::TemplateMissing => (
                "Vælg en skabelon.".into(),
                "Choose a template.".into(),
            ),
            E::AdvertisingProtected => (
                "Virksomheden er reklamebeskyttet: kun sagsrelaterede e-mails kan sendes.".into(),
                "The business has advertising protection: only case-related emails can be sent.".into(),
            ),
            E::LooksLikeCpr => (
                "Feltet ligner et CPR-nummer. Skriv aldrig CPR-numre eller andre oplysninger, der identificerer borgeren – brug sagsreferencen fra sagssystemet.".into(),
                "This looks like a CPR number. Never write CPR numbers or anything else that identifies the citizen – use the case reference from the case system.".into(),
            ),
            E::CaseRefFormat => (
                "Sagsreferencen skal være 6–20 bogstaver, tal og bindestreger, som i sagssystemet.".into(),
                "The case reference must be 6–20 letters, digits and dashes, as in the case system.".into(),
            ),
            E::HoursFormat => (
                "Angiv timer pr. uge som et tal over 0 og højst 60, fx 37 eller 12,5.".into(),
                "Give hours per week as a number above 0 and at most 60, e.g. 37 or 12.5.".into(),
            ),
            E::RuleBroken(b) => (
                format!("{} Angiv en begrundelse for at gemme alligevel.", b.message(Lang::Da)),
                format!("{} Give a reason to save it anyway.", b.message(Lang::En)),
            ),
            E::NumberFormat => (
                "Angiv et tal, fx 74 eller 12,5.".into(),
                "Give a number, e.g. 74 or 12.5.".into(),
            ),
            E::FigureIsComputed => (
                "Nøgletallet beregnes af portalen ud fra dens registreringer og kan ikke indtastes.".into(),
                "This key figure is computed by the portal from its records and cannot be typed in.".into(),
            ),
            E::PasswordWrong => (
                "Den nuværende adgangskode er forkert.".into(),
                "The current password is wrong.".into(),
            ),
            E::PasswordWeak => (
                "Adgangskoden er for let at gætte. Brug fx tre-fire tilfældige ord; undgå navne, årstal og ord som København og erhverv.".into(),
                "The password is too easy to guess. Use e.g. three or four random words; avoid names, years and words such as Copenhagen.".into(),
            ),
            E::PasswordMismatch => (
                "De to nye adgangskoder er ikke ens.".into(),
                "The two new passwords differ.".into(),
            ),
            E::MergeUndoOrder => (
                "Virksomheden, der blev beholdt, er siden lagt sammen med en anden. Fortryd den sammenlægning først.".into(),
                "The business kept has since been merged into another. Undo that merge first.".into(),
            ),
            E::MergeWithItself => (
                "Vælg to forskellige virksomheder at lægge sammen.".into(),
                "Choose two different businesses to merge.".into(),
            ),
            E::PersonUnknown => (
                "Ingen kontaktperson har den e-mailadresse eller det id.".into(),
                "No contact person has that email address or id.".into(),
            ),
            E::CvrUnknown => (
                "Ingen virksomhed i registret har det CVR-nummer.".into(),
                "No business in the registry has that CVR number.".into(),
            ),
            E::StatusChangeNotAllowed { from, to } => {
                let name = |code: &str, lang| {
                    crate::domain::NeedStatus::parse(code)
                        .map(|s| s.label(lang).to_string())
                        .unwrap_or_else(|_| code.to_string())
                };
                (
                    format!(
                        "Et behov kan ikke skifte fra «{}» til «{}».",
                        name(from, Lang::Da),
                        name(to, Lang::Da)
                    ),
                    format!(
                        "A need cannot change from “{}” to “{}”.",
                        name(from, Lang::En),
                        name(to, Lang::En)
                    ),
                )
            }
        };
        match lang {
            Lang::Da => da,
            Lang::En => en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_sentences_in_both_languages() {
        let all = [
            DomainError::Required,
            DomainError::TooLong { max: 10 },
            DomainError::ControlCharacter,
            DomainError::CvrFormat,
            DomainError::CvrLeadingZero,
            DomainError::CvrChecksum,
            DomainError::PNumberFormat,
            DomainError::PNumberTaken,
            DomainError::PostalCodeFormat,
            DomainError::PostalCodeRange,
            DomainError::EmailFormat,
            DomainError::PhoneFormat,
            DomainError::IndustryCodeFormat,
            DomainError::IndustryCodeUnknown,
            DomainError::UnknownValue,
            DomainError::CompanyFormUnknown,
            DomainError::EmployeesFormat,
            DomainError::YesNoFormat,
            DomainError::InvalidEncoding,
            DomainError::FieldCount {
                expected: 3,
                found: 2,
            },
            DomainError::RecordTooLong { max_bytes: 1024 },
            DomainError::ReadFailed("disk gone".into()),
            DomainError::AlreadyExists,
            DomainError::CvrTaken,
            DomainError::CvrCannotChange,
            DomainError::UsernameTaken,
            DomainError::UsernameInvalid,
            DomainError::PasswordTooShort,
            DomainError::UnknownConsultant,
            DomainError::DateFormat,
            DomainError::DateTimeFormat,
            DomainError::InFuture,
            DomainError::EndBeforeStart,
            DomainError::EndDateMissing,
            DomainError::FollowUpBeforeContact,
            DomainError::PositionsRange,
            DomainError::HoursRange,
            DomainError::TimeFormat,
            DomainError::InPast,
            DomainError::RecipientMissing,
            DomainError::TemplateMissing,
            DomainError::AdvertisingProtected,
            DomainError::LooksLikeCpr,
            DomainError::CaseRefFormat,
            DomainError::HoursFormat,
            DomainError::RuleBroken(crate::domain::RuleBreach::OverCapacity {
                ordinary: 12,
                allowed: 2,
                placed: 3,
                source: "Lov".into(),
            }),
            DomainError::StatusChangeNotAllowed {
                from: "filled",
                to: "new",
            },
            DomainError::NumberFormat,
            DomainError::FigureIsComputed,
            DomainError::CvrUnknown,
            DomainError::PasswordWrong,
            DomainError::PasswordWeak,
            DomainError::PasswordMismatch,
            DomainError::MergeWithItself,
            DomainError::MergeUndoOrder,
            DomainError::PersonUnknown,
        ];
        for e in &all {
            let code = e.code();
            assert!(
                !code.is_empty() && code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{code}"
            );
        }
        assert_eq!(DomainError::TooLong { max: 5 }.code(), "too_long");
        assert_eq!(DomainError::CvrChecksum.code(), "cvr_checksum");
        for e in all {
            let da = e.message(Lang::Da);
            let en = e.message(Lang::En);
            assert!(
                da.ends_with('.') || da.ends_with("gone") || da.ends_with(")."),
                "{da}"
            );
            assert_ne!(da, en, "{e:?} must be translated");
            assert_eq!(e.to_string(), en);
        }
        assert_eq!(
            DomainError::CvrFormat.message(Lang::Da),
            "CVR-nummeret skal være 8 cifre."
        );
        assert_eq!(
            DomainError::CvrFormat.to_string(),
            "The CVR number must be 8 digits."
        );
    }
}
