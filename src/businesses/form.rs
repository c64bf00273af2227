//! Parsing the business form into domain types; a field that doesn't parse
//! becomes a message next to that field, in the user's language.
use std::collections::BTreeMap;

use crate::domain::{
    CompanyForm, Cvr, District, EmailAddress, IndustryCode, IndustrySection, Lang, Phone,
    PostalCode, Segment, SizeBand, optional_text, required_text,
};
use crate::web::form::FormData;

pub type FieldErrors = BTreeMap<&'static str, String>;

/// A validated business, ready to store. Derived values (district, industry
/// section, size band) are computed here, once.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessInput {
    pub cvr: Cvr,
    pub name: String,
    pub company_form: CompanyForm,
    pub street: Option<String>,
    pub postal_code: Option<PostalCode>,
    pub city: Option<String>,
    pub industry_code: Option<IndustryCode>,
    pub employees: Option<u32>,
    pub size: Option<SizeBand>,
    pub active: bool,
    pub advertising_protected: bool,
    pub consultant_id: Option<i32>,
    pub email: Option<EmailAddress>,
    pub phone: Option<Phone>,
    pub notes: Option<String>,
    pub segments: Vec<Segment>,
}

impl BusinessInput {
    pub fn district(&self) -> Option<District> {
        self.postal_code
            .and_then(|p| p.district(self.street.as_deref()))
    }

    pub fn section(&self) -> Option<IndustrySection> {
        self.industry_code.map(|c| c.section())
    }

    pub fn size_band(&self) -> Option<SizeBand> {
        self.employees.map(SizeBand::from_employees).or(self.size)
    }

    /// Parses the posted form. `consultants` are the ids a business may be
    /// assigned to.
    pub fn parse(f: &FormData, lang: Lang, consultants: &[i32]) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut field = |name: &'static str, msg: String| {
            errors.entry(name).or_insert(msg);
        };
        let cvr = Cvr::parse(f.get("cvr"))
            .map_err(|e| field("cvr", e.message(lang)))
            .ok();
        let name = required_text(f.get("name"), 200)
            .map_err(|e| field("name", e.message(lang)))
            .ok();
        let company_form = CompanyForm::parse(f.get("company_form"))
            .map_err(|e| field("company_form", e.message(lang)))
            .ok();
        let street = optional_text(f.get("street"), 200)
            .map_err(|e| field("street", e.message(lang)))
            .ok()
            .flatten();
        let postal_code = opt(f.get("postal_code"), PostalCode::parse)
            .map_err(|e| field("postal_code", e.message(lang)))
            .ok()
            .flatten();
        let city = optional_text(f.get("city"), 100)
            .map_err(|e| field("city", e.message(lang)))
            .ok()
            .flatten();
        let industry_code = opt(f.get("industry_code"), IndustryCode::parse)
            .map_err(|e| field("industry_code", e.message(lang)))
            .ok()
            .flatten();
        let employees = match f.get("employees").trim() {
            "" => None,
            s => match s.parse::<u32>() {
                Ok(n) if n <= 1_000_000 => Some(n),
                _ => {
                    field(
                        "employees",
                        crate::domain::DomainError::EmployeesFormat.message(lang),
                    );
                    None
                }
            },
        };
        let size = opt(f.get("size"), SizeBand::parse)
            .map_err(|e| field("size", e.message(lang)))
            .ok()
            .flatten();
        let consultant_id = match f.get("consultant_id").trim() {
            "" => None,
            s => match s.parse::<i32>() {
                Ok(id) if consultants.contains(&id) => Some(id),
                _ => {
                    field(
                        "consultant_id",
                        crate::domain::DomainError::UnknownValue.message(lang),
                    );
                    None
                }
            },
        };
        let email = opt(f.get("email"), EmailAddress::parse)
            .map_err(|e| field("email", e.message(lang)))
            .ok()
            .flatten();
        let phone = opt(f.get("phone"), Phone::parse)
            .map_err(|e| field("phone", e.message(lang)))
            .ok()
            .flatten();
        let notes = optional_text(f.get("notes"), 5000)
            .map_err(|e| field("notes", e.message(lang)))
            .ok()
            .flatten();
        let mut segments = Vec::new();
        for s in f.all("segments") {
            match Segment::parse(s) {
                Ok(seg) if !segments.contains(&seg) => segments.push(seg),
                Ok(_) => {}
                Err(e) => field("segments", e.message(lang)),
            }
        }
        match (cvr, name, company_form) {
            (Some(cvr), Some(name), Some(company_form)) if errors.is_empty() => Ok(BusinessInput {
                cvr,
                name,
                company_form,
                street,
                postal_code,
                city,
                industry_code,
                employees,
                size,
                active: f.checked("active"),
                advertising_protected: f.checked("advertising_protected"),
                consultant_id,
                email,
                phone,
                notes,
                segments,
            }),
            _ => Err(errors),
        }
    }
}

/// An optional field: empty means None, anything else must parse.
pub fn opt<T, E>(s: &str, parse: impl Fn(&str) -> Result<T, E>) -> Result<Option<T>, E> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        parse(s).map(Some)
    }
}
