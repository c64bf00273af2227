//! sea-orm entities: plain data, one file per table. Validation lives in the
//! `erhverv` crate's domain types; rows here hold already-parsed values.
pub mod api_token;
pub mod app_user;
pub mod audit_event;
pub mod business;
pub mod business_merge;
pub mod business_segment;
pub mod contact;
pub mod contact_person;
pub mod initiative;
pub mod initiative_business;
pub mod initiative_milestone;
pub mod initiative_update;
pub mod key_figure;
pub mod key_figure_value;
pub mod need_event;
pub mod outbox_email;
pub mod p_unit;
pub mod placement;
pub mod placement_rule;
pub mod recruitment_need;
pub mod search_sync;
pub mod strategy_track;
pub mod user_session;
