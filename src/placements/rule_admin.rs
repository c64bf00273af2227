//! The admins' page for the placement rules: the versions, and a form that
//! adds one (prefilled with the version in force).
use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, post, web};
use entity::placement_rule;
use sea_orm::{EntityTrait, QueryOrder};

use super::commands::AddRuleVersion;
use crate::app::{Invalid, clock::format_date};
use crate::domain::{DomainError, required_text};
use crate::web::{
    AppState,
    auth::{Admin, Staff},
    error::AppError,
    fields::{Field, FieldErrors, first_error, messages},
    form::{Form, FormData},
    render::{html_status, see_other},
};

/// The number fields: (name, label key, 1..=max).
const NUMBERS: [(&str, &str, i32); 7] = [
    ("wage_subsidy_private_months", "rules_private_months", 60),
    ("wage_subsidy_public_months", "rules_public_months", 60),
    ("trial_weeks_short", "rules_trial_short", 104),
    ("trial_weeks_long", "rules_trial_long", 104),
    ("per_ordinary_up_to", "rules_per_up_to", 1000),
    ("threshold", "rules_threshold", 100_000),
    ("per_ordinary_beyond", "rules_per_beyond", 1000),
];

fn parse(f: &FormData) -> Result<AddRuleVersion, Invalid> {
    let mut e = Invalid::new();
    let valid_from = e.check(
        "valid_from",
        crate::contacts::parse_date(f.get("valid_from")).ok_or(DomainError::DateFormat),
    );
    let source = e.check("source", required_text(f.get("source"), 1000));
    let n: Vec<Option<i32>> = NUMBERS
        .iter()
        .map(|(name, _, max)| {
            e.check(
                name,
                f.get(name)
                    .trim()
                    .parse::<i32>()
                    .ok()
                    .filter(|v| (1..=*max).contains(v))
                    .ok_or(DomainError::UnknownValue),
            )
        })
        .collect();
    e.into_result(|| {
        Some(AddRuleVersion {
            valid_from: valid_from?,
            source: source?,
            wage_subsidy_private_months: n[0]?,
            wage_subsidy_public_months: n[1]?,
            trial_weeks_short: n[2]?,
            trial_weeks_long: n[3]?,
            per_ordinary_up_to: n[4]?,
            threshold: n[5]?,
            per_ordinary_beyond: n[6]?,
        })
    })
}

async fn page(
    state: &AppState,
    staff: &Staff,
    values: Option<BTreeMap<&'static str, String>>,
    errors: &FieldErrors,
    status: u16,
) -> Result<HttpResponse, AppError> {
    let versions = placement_rule::Entity::find()
        .order_by_desc(placement_rule::Column::ValidFrom)
        .order_by_desc(placement_rule::Column::Id)
        .all(&state.db)
        .await?;
    let values = values.unwrap_or_else(|| {
        let mut v = BTreeMap::new();
        if let Some(r) = versions.first() {
            v.insert("source", r.source.clone());
            for (name, n) in [
                ("wage_subsidy_private_months", r.wage_subsidy_private_months),
                ("wage_subsidy_public_months", r.wage_subsidy_public_months),
                ("trial_weeks_short", r.trial_weeks_short),
                ("trial_weeks_long", r.trial_weeks_long),
                ("per_ordinary_up_to", r.per_ordinary_up_to),
                ("threshold", r.threshold),
                ("per_ordinary_beyond", r.per_ordinary_beyond),
            ] {
                v.insert(name, n.to_string());
            }
        }
        v
    });
    let t = |k: &str| staff.t(k);
    let mut fields = vec![
        Field::new("valid_from", t("rules_valid_from"), "date").required(),
        Field::new("source", t("rules_source"), "textarea").required(),
    ];
    fields.extend(
        NUMBERS
            .iter()
            .map(|(name, label, _)| Field::new(name, t(label), "number").required()),
    );
    let fields: Vec<Field> = fields
        .into_iter()
        .map(|f| f.fill(&values, errors))
        .collect();
    let rows: Vec<(String, String, Vec<i32>)> = versions
        .iter()
        .map(|r| {
            (
                format_date(r.valid_from),
                r.source.clone(),
                vec![
                    r.wage_subsidy_private_months,
                    r.wage_subsidy_public_months,
                    r.trial_weeks_short,
                    r.trial_weeks_long,
                    r.per_ordinary_up_to,
                    r.threshold,
                    r.per_ordinary_beyond,
                ],
            )
        })
        .collect();
    let headers: Vec<&str> = NUMBERS.iter().map(|(_, label, _)| t(label)).collect();
    let mut ctx = staff.context();
    ctx.insert("versions", &rows);
    ctx.insert("headers", &headers);
    ctx.insert("first_error", &first_error(&fields));
    ctx.insert("fields", &fields);
    let body = state
        .templates
        .render(staff.lang, "admin/placement_rules.html", &ctx)?;
    Ok(html_status(status, body))
}

#[get("/admin/placement-rules")]
async fn show(state: web::Data<AppState>, staff: Admin) -> Result<HttpResponse, AppError> {
    page(&state, &staff, None, &FieldErrors::new(), 200).await
}

#[post("/admin/placement-rules")]
async fn add(
    state: web::Data<AppState>,
    staff: Admin,
    Form(f): Form,
) -> Result<HttpResponse, AppError> {
    let result = state.app.run_parsed(staff.actor(), parse(&f)).await;
    match result {
        Ok(_) => {
            staff.flash("rules_saved");
            Ok(see_other("/admin/placement-rules"))
        }
        Err(e) => {
            let invalid = e.field_errors().ok_or(e)?;
            let mut values: BTreeMap<&'static str, String> = NUMBERS
                .iter()
                .map(|(name, _, _)| (*name, f.get(name).to_string()))
                .collect();
            values.insert("valid_from", f.get("valid_from").to_string());
            values.insert("source", f.get("source").to_string());
            page(
                &state,
                &staff,
                Some(values),
                &messages(&invalid, staff.lang),
                422,
            )
            .await
        }
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(show).service(add);
}
