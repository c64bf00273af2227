//! The placements' commands. Placements are never indexed for search, and
//! their audit entries name fields and ids only — never a case reference
//! or a note.
use chrono::NaiveDate;
use entity::{p_unit, placement, recruitment_need};
use sea_orm::{ActiveModelTrait, EntityTrait};
use serde_json::json;

use super::rules;
use crate::app::{Command, Error, Invalid, Result, UnitOfWork};
use crate::businesses::commands::changed_columns;
use crate::domain::{
    AuditAction, AuditEntity, CaseRef, DomainError, EndReason, PlacementKind, PlacementStatus,
    TargetGroup,
};

/// A placement as the form (or later the API) gives it, parsed.
#[derive(Debug, Clone)]
pub struct PlacementInput {
    pub business_id: i32,
    pub p_unit_id: Option<i32>,
    pub kind: PlacementKind,
    pub case_ref: CaseRef,
    pub target_group: TargetGroup,
    pub start_date: NaiveDate,
    pub planned_end: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    pub hours_centi: Option<i32>,
    pub status: PlacementStatus,
    pub end_reason: Option<EndReason>,
    pub consultant_id: i32,
    pub need_id: Option<i32>,
    pub notes: Option<String>,
}

/// Creates (`id` None) or updates a placement. A placement that would
/// break a rule in force on its start date is refused with the rule's
/// numbers, unless `override_reason` says why it is saved anyway (audited).
pub struct SavePlacement {
    pub id: Option<i32>,
    pub input: PlacementInput,
    pub override_reason: Option<String>,
    /// The check-in email to the business's contact person, rendered
    /// before; queued when the placement is new and open.
    pub check_in: Option<crate::email::outbox::NewEmail>,
    /// The version the caller read (the API's `If-Match`).
    pub if_match: Option<String>,
}

#[async_trait::async_trait]
impl Command for SavePlacement {
    type Output = i32;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<i32> {
        // The dashboard's live figures count these.
        uow.invalidate(crate::app::Cache::Figures);
        let tx = uow.tx();
        let p = &self.input;
        let mut invalid = Invalid::new();
        if entity::business::Entity::find_by_id(p.business_id)
            .one(tx)
            .await?
            .is_none_or(|b| b.merged_into.is_some())
        {
            invalid.add("business_id", DomainError::UnknownValue);
        }
        if let Some(pid) = p.p_unit_id {
            let unit = p_unit::Entity::find_by_id(pid).one(tx).await?;
            if unit.is_none_or(|u| u.business_id != p.business_id) {
                invalid.add("p_unit_id", DomainError::UnknownValue);
            }
        }
        if let Some(nid) = p.need_id {
            let need = recruitment_need::Entity::find_by_id(nid).one(tx).await?;
            if need.is_none_or(|n| n.business_id != Some(p.business_id)) {
                invalid.add("need_id", DomainError::UnknownValue);
            }
        }
        if !invalid.is_empty() {
            return Err(invalid.into());
        }
        let mut breaches = Vec::new();
        if p.status.is_open()
            && let Some(r) = rules::in_force(tx, p.start_date).await?
        {
            if let Some(b) =
                rules::check_duration(&r, p.kind, p.target_group, p.start_date, p.planned_end)
            {
                breaches.push(("planned_end", "duration", b));
            }
            if let Some(b) = rules::check_capacity(
                tx,
                &r,
                p.kind,
                p.business_id,
                p.p_unit_id,
                p.start_date,
                p.planned_end,
                self.id,
                uow.today(),
            )
            .await?
            {
                breaches.push(("p_unit_id", "proportionality", b));
            }
        }
        if !breaches.is_empty() && self.override_reason.is_none() {
            let mut invalid = Invalid::new();
            for (field, _, b) in &breaches {
                invalid.add(field, DomainError::RuleBroken(b.clone()));
            }
            return Err(invalid.into());
        }
        let now = uow.now();
        let existing = match self.id {
            Some(id) => Some(
                crate::app::for_update(tx, placement::Entity::find_by_id(id))
                    .one(tx)
                    .await?
                    .filter(|row| row.anonymised_at.is_none())
                    .ok_or(Error::NotFound)?,
            ),
            None => None,
        };
        if let (Some(row), Some(expected)) = (&existing, &self.if_match)
            && crate::app::version_of(row) != *expected
        {
            return Err(Error::Stale);
        }
        let row = placement::Model {
            id: existing.as_ref().map_or(0, |e| e.id),
            business_id: p.business_id,
            p_unit_id: p.p_unit_id,
            kind: p.kind.as_str().into(),
            case_ref: Some(p.case_ref.as_str().into()),
            target_group: p.target_group.as_str().into(),
            start_date: p.start_date,
            planned_end: p.planned_end,
            ended_on: p.ended_on,
            hours_centi: p.hours_centi,
            status: p.status.as_str().into(),
            end_reason: p.end_reason.map(|r| r.as_str().into()),
            consultant_id: p.consultant_id,
            need_id: p.need_id,
            notes: p.notes.clone(),
            override_reason: if breaches.is_empty() {
                existing.as_ref().and_then(|e| e.override_reason.clone())
            } else {
                self.override_reason.clone()
            },
            check_in_queued: existing.as_ref().is_some_and(|e| e.check_in_queued),
            anonymised_at: None,
            created_at: existing.as_ref().map_or(now, |e| e.created_at),
            updated_at: now,
        };
        let id = match &existing {
            None => {
                let mut am: placement::ActiveModel = row.clone().into();
                am.id = sea_orm::ActiveValue::NotSet;
                let mut saved = am.insert(tx).await?;
                if let Some(mail) = &self.check_in
                    && p.status.is_open()
                {
                    let mut mail = mail.clone();
                    mail.idempotency_key = format!("placement_checkin:{}", saved.id);
                    if uow.email(mail).await? {
                        let mut am: placement::ActiveModel = saved.clone().into();
                        am.check_in_queued = sea_orm::ActiveValue::Set(true);
                        saved = am.update(tx).await?;
                    }
                }
                uow.audit(
                    AuditAction::Create,
                    AuditEntity::Placement,
                    Some(saved.id),
                    json!({ "business": p.business_id, "kind": p.kind.as_str(), "status": p.status.as_str() }),
                );
                saved.id
            }
            Some(old) => {
                let changed = changed_columns(old, &row);
                let am: placement::ActiveModel = row.clone().into();
                let am = am.reset_all();
                am.update(tx).await?;
                uow.audit(
                    AuditAction::Update,
                    AuditEntity::Placement,
                    Some(old.id),
                    json!({ "changed": changed, "status": p.status.as_str() }),
                );
                old.id
            }
        };
        if !breaches.is_empty() {
            let rules: Vec<&str> = breaches.iter().map(|(_, rule, _)| *rule).collect();
            uow.audit(
                AuditAction::Override,
                AuditEntity::Placement,
                Some(id),
                json!({ "rules": rules }),
            );
        }
        Ok(id)
    }
}

/// Placement rows were shown (a page, a list, an export): who saw which,
/// in the audit log. Being placed can be health data; every read counts.
pub struct RecordPlacementReads {
    pub ids: Vec<i32>,
    /// `detail`, `list` or `export`.
    pub view: &'static str,
}

#[async_trait::async_trait]
impl Command for RecordPlacementReads {
    type Output = ();

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<()> {
        if self.ids.is_empty() {
            return Ok(());
        }
        let single = match self.ids.as_slice() {
            [one] => Some(*one),
            _ => None,
        };
        uow.audit(
            AuditAction::Read,
            AuditEntity::Placement,
            single,
            json!({ "view": self.view, "ids": self.ids }),
        );
        Ok(())
    }
}

/// A new version of the placement rules, in force from `valid_from`.
/// Versions are added, never changed: a placement is always judged by the
/// version in force on its start date.
pub struct AddRuleVersion {
    pub valid_from: NaiveDate,
    pub source: String,
    pub wage_subsidy_private_months: i32,
    pub wage_subsidy_public_months: i32,
    pub trial_weeks_short: i32,
    pub trial_weeks_long: i32,
    pub per_ordinary_up_to: i32,
    pub threshold: i32,
    pub per_ordinary_beyond: i32,
}

#[async_trait::async_trait]
impl Command for AddRuleVersion {
    type Output = i32;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<i32> {
        use sea_orm::ActiveValue::Set;
        let row = entity::placement_rule::ActiveModel {
            valid_from: Set(self.valid_from),
            source: Set(self.source.clone()),
            wage_subsidy_private_months: Set(self.wage_subsidy_private_months),
            wage_subsidy_public_months: Set(self.wage_subsidy_public_months),
            trial_weeks_short: Set(self.trial_weeks_short),
            trial_weeks_long: Set(self.trial_weeks_long),
            per_ordinary_up_to: Set(self.per_ordinary_up_to),
            threshold: Set(self.threshold),
            per_ordinary_beyond: Set(self.per_ordinary_beyond),
            created_by: Set(uow.actor().user_id()),
            created_at: Set(uow.now()),
            ..Default::default()
        }
        .insert(uow.tx())
        .await?;
        uow.audit(
            AuditAction::Create,
            AuditEntity::PlacementRule,
            Some(row.id),
            json!({ "valid_from": self.valid_from.to_string() }),
        );
        Ok(row.id)
    }
}
