//! Parsing the business form into domain types; a field that doesn't parse
//! becomes a field error (translated where the form is rendered).
use super::commands::{AddContactPerson, AddPUnit};
use crate::app::Invalid;
use crate::domain::{
    CompanyForm, Cvr, District, DomainError, EmailAddress, IndustryCode, IndustrySection, PNumber,
    Phone, PostalCode, Segment, SizeBand, optional_text, required_text,
};
use crate::web::form::FormData;

pub use crate::web::fields::FieldErrors;

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
    /// The form sets every column it shows.
    pub fn patch(&self) -> super::patch::BusinessPatch {
        super::patch::BusinessPatch {
            name: Some(self.name.clone()),
            company_form: Some(self.company_form),
            street: Some(self.street.clone()),
            postal_code: Some(self.postal_code),
            city: Some(self.city.clone()),
            industry_code: Some(self.industry_code),
            employees: Some(self.employees),
            size: Some(self.size),
            active: Some(self.active),
            advertising_protected: Some(self.advertising_protected),
            consultant_id: Some(self.consultant_id),
            email: Some(self.email.clone()),
            phone: Some(self.phone.clone()),
            notes: Some(self.notes.clone()),
        }
    }

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
    /// assigned to. Every field's mistake is reported, not the first only.
    pub fn parse(f: &FormData, consultants: &[i32]) -> Result<Self, Invalid> {
        let mut e = Invalid::new();
        let cvr = e.check("cvr", Cvr::parse(f.get("cvr")));
        let name = e.check("name", required_text(f.get("name"), 200));
        let company_form = e.check("company_form", CompanyForm::parse(f.get("company_form")));
        let street = e
            .check("street", optional_text(f.get("street"), 200))
            .flatten();
        let postal_code = e
            .check("postal_code", opt(f.get("postal_code"), PostalCode::parse))
            .flatten();
        let city = e.check("city", optional_text(f.get("city"), 100)).flatten();
        let industry_code = e
            .check(
                "industry_code",
                opt(f.get("industry_code"), IndustryCode::parse),
            )
            .flatten();
        let employees = e
            .check(
                "employees",
                opt(f.get("employees"), |s| match s.trim().parse::<u32>() {
                    Ok(n) if n <= 1_000_000 => Ok(n),
                    _ => Err(DomainError::EmployeesFormat),
                }),
            )
            .flatten();
        let size = e
            .check("size", opt(f.get("size"), SizeBand::parse))
            .flatten();
        let consultant_id = e
            .check(
                "consultant_id",
                opt(f.get("consultant_id"), |s| match s.trim().parse::<i32>() {
                    Ok(id) if consultants.contains(&id) => Ok(id),
                    _ => Err(DomainError::UnknownConsultant),
                }),
            )
            .flatten();
        let email = e
            .check("email", opt(f.get("email"), EmailAddress::parse))
            .flatten();
        let phone = e
            .check("phone", opt(f.get("phone"), Phone::parse))
            .flatten();
        let notes = e
            .check("notes", optional_text(f.get("notes"), 5000))
            .flatten();
        let mut segments = Vec::new();
        for s in f.all("segments") {
            if let Some(seg) = e.check("segments", Segment::parse(s))
                && !segments.contains(&seg)
            {
                segments.push(seg);
            }
        }
        e.into_result(|| {
            Some(BusinessInput {
                cvr: cvr?,
                name: name?,
                company_form: company_form?,
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
            })
        })
    }
}

/// A P-unit as the business page's form (or the API) gives it.
pub fn parse_p_unit(f: &FormData, business_id: i32) -> Result<AddPUnit, Invalid> {
    let mut e = Invalid::new();
    let p_number = e.check("p_number", PNumber::parse(f.get("p_number")));
    let street = e.check("street", optional_text(f.get("street"), 200));
    let postal_code = e.check("postal_code", opt(f.get("postal_code"), PostalCode::parse));
    let city = e.check("city", optional_text(f.get("city"), 100));
    let employees = e.check(
        "employees",
        opt(f.get("employees"), |s| match s.trim().parse::<i32>() {
            Ok(n) if (0..=1_000_000).contains(&n) => Ok(n),
            _ => Err(DomainError::EmployeesFormat),
        }),
    );
    e.into_result(|| {
        Some(AddPUnit {
            business_id,
            p_number: p_number?,
            street: street?,
            postal_code: postal_code?,
            city: city?,
            employees: employees?,
        })
    })
}

/// A contact person as the business page's form (or the API) gives it.
pub fn parse_person(f: &FormData, business_id: i32) -> Result<AddContactPerson, Invalid> {
    let mut e = Invalid::new();
    let name = e.check("name", required_text(f.get("name"), 120));
    let role = e.check("role", optional_text(f.get("role"), 120));
    let email = e.check("email", opt(f.get("email"), EmailAddress::parse));
    let phone = e.check("phone", opt(f.get("phone"), Phone::parse));
    let primary = f.checked("primary");
    e.into_result(|| {
        Some(AddContactPerson {
            business_id,
            name: name?,
            role: role?,
            email: email?,
            phone: phone?,
            primary,
        })
    })
}

/// An optional field: empty means None, anything else must parse.
pub fn opt<T, E>(s: &str, parse: impl Fn(&str) -> Result<T, E>) -> Result<Option<T>, E> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        parse(s).map(Some)
    }
}
