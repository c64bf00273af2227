//! One way to change a business's columns. A business is written by the
//! registry form, by the import and by the public recruitment form; each
//! says which columns it sets in a [`BusinessPatch`], and applying the patch
//! derives the rest (sort name, district, industry section, size band)
//! from what the row holds afterwards, the same way for all three.
use chrono::{DateTime, Utc};
use entity::business;

use crate::domain::{CompanyForm, Cvr, EmailAddress, IndustryCode, Phone, PostalCode, SizeBand};

/// Changes to a business. `None` leaves a column as it is; `Some(None)`
/// empties an optional one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BusinessPatch {
    pub name: Option<String>,
    pub company_form: Option<CompanyForm>,
    pub street: Option<Option<String>>,
    pub postal_code: Option<Option<PostalCode>>,
    pub city: Option<Option<String>>,
    pub industry_code: Option<Option<IndustryCode>>,
    pub employees: Option<Option<u32>>,
    /// The size band as given; an exact number of employees decides it.
    pub size: Option<Option<SizeBand>>,
    pub active: Option<bool>,
    pub advertising_protected: Option<bool>,
    pub consultant_id: Option<Option<i32>>,
    pub email: Option<Option<EmailAddress>>,
    pub phone: Option<Option<Phone>>,
    pub notes: Option<Option<String>>,
}

/// A business row not stored yet: only its CVR number, where it came from
/// (`manual`, `import`, `form`) and when. Apply a patch to fill it in.
pub fn blank(cvr: Cvr, source: &str, now: DateTime<Utc>) -> business::Model {
    business::Model {
        id: 0,
        cvr: cvr.value() as i32,
        name: String::new(),
        sort_name: String::new(),
        company_form: CompanyForm::Andet.as_str().into(),
        street: None,
        postal_code: None,
        city: None,
        district: None,
        industry_code: None,
        industry_section: None,
        employees: None,
        size_band: None,
        active: true,
        advertising_protected: false,
        consultant_id: None,
        email: None,
        phone: None,
        notes: None,
        source: source.into(),
        created_at: now,
        updated_at: now,
        merged_into: None,
    }
}

impl BusinessPatch {
    /// Applies the changes and derives the dependent columns.
    pub fn apply(&self, m: &mut business::Model) {
        if let Some(name) = &self.name {
            m.name = name.clone();
        }
        if let Some(f) = self.company_form {
            m.company_form = f.as_str().into();
        }
        if let Some(s) = &self.street {
            m.street = s.clone();
        }
        if let Some(p) = self.postal_code {
            m.postal_code = p.map(|p| i32::from(p.value()));
        }
        if let Some(c) = &self.city {
            m.city = c.clone();
        }
        if let Some(c) = self.industry_code {
            m.industry_code = c.map(|c| c.value() as i32);
        }
        if let Some(s) = self.size {
            m.size_band = s.map(|s| s.as_str().into());
        }
        if let Some(n) = self.employees {
            m.employees = n.map(|n| n as i32);
            // An exact number of employees decides the band.
            if let Some(n) = n {
                m.size_band = Some(SizeBand::from_employees(n).as_str().into());
            }
        }
        if let Some(a) = self.active {
            m.active = a;
        }
        if let Some(a) = self.advertising_protected {
            m.advertising_protected = a;
        }
        if let Some(c) = self.consultant_id {
            m.consultant_id = c;
        }
        if let Some(e) = &self.email {
            m.email = e.as_ref().map(|e| e.as_str().into());
        }
        if let Some(p) = &self.phone {
            m.phone = p.as_ref().map(|p| p.as_str().into());
        }
        if let Some(n) = &self.notes {
            m.notes = n.clone();
        }
        derive(m);
    }
}

/// The columns that follow from others.
fn derive(m: &mut business::Model) {
    m.sort_name = m.name.to_lowercase();
    let postal = m
        .postal_code
        .and_then(|p| u16::try_from(p).ok())
        .and_then(|p| PostalCode::from_u16(p).ok());
    m.district = postal
        .and_then(|p| p.district(m.street.as_deref()))
        .map(|d| d.as_str().into());
    m.industry_section = m
        .industry_code
        .and_then(|c| u32::try_from(c).ok())
        .and_then(|c| IndustryCode::from_u32(c).ok())
        .map(|c| c.section().as_str().into());
}

/// The row as an insert (no id) or, with `id` set, as a full update.
pub fn to_active(m: business::Model, id: Option<i32>) -> business::ActiveModel {
    use sea_orm::ActiveValue::{NotSet, Set};
    business::ActiveModel {
        id: id.map_or(NotSet, Set),
        cvr: Set(m.cvr),
        name: Set(m.name),
        sort_name: Set(m.sort_name),
        company_form: Set(m.company_form),
        street: Set(m.street),
        postal_code: Set(m.postal_code),
        city: Set(m.city),
        district: Set(m.district),
        industry_code: Set(m.industry_code),
        industry_section: Set(m.industry_section),
        employees: Set(m.employees),
        size_band: Set(m.size_band),
        active: Set(m.active),
        advertising_protected: Set(m.advertising_protected),
        consultant_id: Set(m.consultant_id),
        email: Set(m.email),
        phone: Set(m.phone),
        notes: Set(m.notes),
        source: Set(m.source),
        created_at: Set(m.created_at),
        updated_at: Set(m.updated_at),
        merged_into: Set(m.merged_into),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn applying_a_patch_derives_sort_name_district_section_and_size() {
        let mut m = blank(Cvr::parse("24256790").unwrap(), "manual", Utc::now());
        BusinessPatch {
            name: Some("Åbent Værksted".into()),
            street: Some(Some("Amagerbrogade 100".into())),
            postal_code: Some(Some(PostalCode::parse("2300").unwrap())),
            industry_code: Some(Some(IndustryCode::parse("960210").unwrap())),
            employees: Some(Some(12)),
            size: Some(Some(SizeBand::parse("0").unwrap())),
            ..Default::default()
        }
        .apply(&mut m);
        assert_eq!(m.sort_name, "åbent værksted");
        assert_eq!(m.district.as_deref(), Some("amager_ost"));
        assert_eq!(m.industry_section.as_deref(), Some("S"));
        assert_eq!(
            m.size_band.as_deref(),
            Some("10-19"),
            "the exact number decides"
        );
        // A later patch without an address keeps the district; emptying
        // the postal code empties it.
        BusinessPatch {
            name: Some("Åbent Værksted ApS".into()),
            ..Default::default()
        }
        .apply(&mut m);
        assert_eq!(m.district.as_deref(), Some("amager_ost"));
        BusinessPatch {
            postal_code: Some(None),
            ..Default::default()
        }
        .apply(&mut m);
        assert_eq!(m.district, None);
    }
}
