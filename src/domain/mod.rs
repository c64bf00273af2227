//! Validated domain types ("parse, don't validate").
//!
//! Every value that comes in from a form, a URL or an import file is parsed into one of
//! these types at the edge of the system, so the rest of the code can rely on it being
//! valid and normalised. Errors are [`DomainError`]s, which carry a user-facing sentence
//! in Danish and English because both staff and international businesses see them.

#[macro_use]
mod macros;

mod audit;
mod contact_info;
mod cpr;
mod cvr;
mod error;
mod industry;
mod initiative;
mod kinds;
mod lang;
mod need;
mod placement;
mod pnumber;
mod postal;
mod serde_util;
mod text;

pub use audit::{ApiArea, AuditAction, AuditEntity};
pub use contact_info::{EmailAddress, Phone};
pub use cpr::looks_like_cpr;
pub use cvr::Cvr;
pub use error::DomainError;
pub use industry::{IndustryCode, IndustrySection};
pub use initiative::{
    Direction, FigureSource, FigureTrack, InitiativeStatus, UpdateInterval, parse_number,
};
pub use kinds::{CompanyForm, ContactChannel, ContactOutcome, Role, Segment, SizeBand};
pub use lang::Lang;
pub use need::NeedStatus;
pub use placement::{
    CaseRef, DEFAULT_CASE_REF_PATTERN, EndReason, PlacementKind, PlacementStatus, RuleBreach,
    TargetGroup, format_hours, parse_hours,
};
pub use pnumber::PNumber;
pub use postal::{District, PostalCode};
pub use text::{optional_text, required_text};
