//! Schemas the derives cannot know: the code lists as `enum`s (so a
//! generated client gets the allowed values and a fuzzer sends them), for
//! required and for optional (nullable) fields.
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};

use crate::domain::{
    CompanyForm, ContactChannel, ContactOutcome, District, EndReason, IndustrySection, NeedStatus,
    PlacementKind, PlacementStatus, Segment, SizeBand, TargetGroup, UpdateInterval,
};

fn codes(values: Vec<&'static str>, nullable: bool) -> Object {
    let mut v: Vec<serde_json::Value> = values.into_iter().map(Into::into).collect();
    let ty = if nullable {
        v.push(serde_json::Value::Null);
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    };
    ObjectBuilder::new()
        .schema_type(ty)
        .enum_values(Some(v))
        .build()
}

macro_rules! code_schemas {
    ($($name:ident, $opt:ident => $list:expr;)*) => {$(
        pub fn $name() -> Object {
            codes($list, false)
        }
        pub fn $opt() -> Object {
            codes($list, true)
        }
    )*};
}

code_schemas! {
    district, district_opt => District::ALL.iter().map(|x| x.as_str()).collect();
    section, section_opt => IndustrySection::ALL.iter().map(|x| x.as_str()).collect();
    size, size_opt => SizeBand::ALL.iter().map(|x| x.as_str()).collect();
    segment, segment_opt => Segment::ALL.iter().map(|x| x.as_str()).collect();
    company_form, company_form_opt => CompanyForm::ALL.iter().map(|x| x.as_str()).collect();
    need_status, need_status_opt => NeedStatus::ALL.iter().map(|x| x.as_str()).collect();
    placement_kind, placement_kind_opt => PlacementKind::ALL.iter().map(|x| x.as_str()).collect();
    target_group, target_group_opt => TargetGroup::ALL.iter().map(|x| x.as_str()).collect();
    placement_status, placement_status_opt => PlacementStatus::ALL.iter().map(|x| x.as_str()).collect();
    end_reason, end_reason_opt => EndReason::ALL.iter().map(|x| x.as_str()).collect();
    channel, channel_opt => ContactChannel::ALL.iter().map(|x| x.as_str()).collect();
    outcome, outcome_opt => ContactOutcome::ALL.iter().map(|x| x.as_str()).collect();
    update_every, update_every_opt => UpdateInterval::ALL.iter().map(|x| x.as_str()).collect();
    list_status, list_status_opt => vec!["active", "ceased", "all"];
    need_source, need_source_opt => crate::recruitment::pipeline::SOURCES.to_vec();
    employment, employment_opt => vec!["permanent", "temporary"];
}

/// The list of segment codes (a body's `segments`).
pub fn segments() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(segment())
        .build()
}
