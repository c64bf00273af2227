//! The initiatives' and key figures' commands. Audit entries name fields,
//! ids and codes only; the texts of status updates stay in their table.
use chrono::NaiveDate;
use entity::{
    app_user, business, initiative, initiative_business, initiative_milestone, initiative_update,
    key_figure, key_figure_value, strategy_track,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter,
    sea_query::OnConflict,
};
use serde_json::json;

use crate::app::{Command, Error, Invalid, Result, UnitOfWork};
use crate::businesses::commands::changed_columns;
use crate::domain::{
    AuditAction, AuditEntity, Direction, DomainError, FigureSource, InitiativeStatus, Role,
    UpdateInterval,
};

/// An initiative as the form gives it, parsed.
#[derive(Debug, Clone)]
pub struct InitiativeInput {
    pub track_id: i32,
    pub title: String,
    pub description: Option<String>,
    pub owner_id: i32,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub interval: UpdateInterval,
    pub is_public: bool,
}

async fn check_track_and_owner(
    uow: &UnitOfWork<'_>,
    track_id: Option<i32>,
    owner_id: Option<i32>,
) -> Result<()> {
    let tx = uow.tx();
    let mut invalid = Invalid::new();
    if let Some(t) = track_id
        && strategy_track::Entity::find_by_id(t)
            .one(tx)
            .await?
            .is_none()
    {
        invalid.add("track_id", DomainError::UnknownValue);
    }
    if let Some(o) = owner_id {
        let owner = app_user::Entity::find_by_id(o).one(tx).await?;
        let editor = owner.is_some_and(|u| {
            !u.disabled && matches!(Role::parse(&u.role), Ok(Role::Admin | Role::Consultant))
        });
        if !editor {
            invalid.add("owner_id", DomainError::UnknownConsultant);
        }
    }
    if invalid.is_empty() {
        Ok(())
    } else {
        Err(invalid.into())
    }
}

/// Creates (`id` None; status "not started", no update yet) or changes an
/// initiative. Its status changes only through [`PostStatusUpdate`].
pub struct SaveInitiative {
    pub id: Option<i32>,
    pub input: InitiativeInput,
    /// The version the caller read (the API's `If-Match`).
    pub if_match: Option<String>,
}

#[async_trait::async_trait]
impl Command for SaveInitiative {
    type Output = i32;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<i32> {
        let p = &self.input;
        check_track_and_owner(uow, Some(p.track_id), Some(p.owner_id)).await?;
        let tx = uow.tx();
        let now = uow.now();
        let existing = match self.id {
            Some(id) => Some(
                crate::app::for_update(tx, initiative::Entity::find_by_id(id))
                    .one(tx)
                    .await?
                    .ok_or(Error::NotFound)?,
            ),
            None => None,
        };
        if let (Some(row), Some(expected)) = (&existing, &self.if_match)
            && crate::app::version_of(row) != *expected
        {
            return Err(Error::Stale);
        }
        let row = initiative::Model {
            id: existing.as_ref().map_or(0, |e| e.id),
            track_id: p.track_id,
            title: p.title.clone(),
            description: p.description.clone(),
            owner_id: p.owner_id,
            start_date: p.start_date,
            end_date: p.end_date,
            status: existing.as_ref().map_or_else(
                || InitiativeStatus::NotStarted.as_str().to_string(),
                |e| e.status.clone(),
            ),
            update_every_days: p.interval.days(),
            is_public: p.is_public,
            last_update_at: existing.as_ref().and_then(|e| e.last_update_at),
            created_at: existing.as_ref().map_or(now, |e| e.created_at),
            updated_at: now,
        };
        match existing {
            None => {
                let mut am: initiative::ActiveModel = row.into();
                am.id = sea_orm::ActiveValue::NotSet;
                let saved = am.insert(tx).await?;
                uow.audit(
                    AuditAction::Create,
                    AuditEntity::Initiative,
                    Some(saved.id),
                    json!({ "track": p.track_id, "public": p.is_public }),
                );
                Ok(saved.id)
            }
            Some(old) => {
                let changed = changed_columns(&old, &row);
                let am: initiative::ActiveModel = row.into();
                am.reset_all().update(tx).await?;
                uow.audit(
                    AuditAction::Update,
                    AuditEntity::Initiative,
                    Some(old.id),
                    json!({ "changed": changed }),
                );
                Ok(old.id)
            }
        }
    }
}

async fn find_initiative(uow: &UnitOfWork<'_>, id: i32) -> Result<initiative::Model> {
    let tx = uow.tx();
    crate::app::for_update(tx, initiative::Entity::find_by_id(id))
        .one(tx)
        .await?
        .ok_or(Error::NotFound)
}

/// A dated status update by the acting user: it becomes the initiative's
/// status and restarts its update rhythm.
pub struct PostStatusUpdate {
    pub initiative_id: i32,
    pub status: InitiativeStatus,
    pub text: String,
}

#[async_trait::async_trait]
impl Command for PostStatusUpdate {
    type Output = i32;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<i32> {
        let user = uow.actor().user_id().ok_or(Error::Forbidden)?;
        let old = find_initiative(uow, self.initiative_id).await?;
        let now = uow.now();
        let tx = uow.tx();
        let update = initiative_update::ActiveModel {
            initiative_id: Set(old.id),
            user_id: Set(user),
            status: Set(self.status.as_str().into()),
            text: Set(self.text.clone()),
            at: Set(now),
            ..Default::default()
        }
        .insert(tx)
        .await?;
        let from = old.status.clone();
        let mut am: initiative::ActiveModel = old.into();
        am.status = Set(self.status.as_str().into());
        am.last_update_at = Set(Some(now));
        am.updated_at = Set(now);
        am.update(tx).await?;
        uow.audit(
            AuditAction::StatusUpdate,
            AuditEntity::Initiative,
            Some(self.initiative_id),
            json!({ "update": update.id, "from": from, "to": self.status.as_str() }),
        );
        Ok(update.id)
    }
}

/// A milestone added to an initiative.
pub struct AddMilestone {
    pub initiative_id: i32,
    pub title: String,
    pub due_on: NaiveDate,
}

#[async_trait::async_trait]
impl Command for AddMilestone {
    type Output = i32;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<i32> {
        let init = find_initiative(uow, self.initiative_id).await?;
        let row = initiative_milestone::ActiveModel {
            initiative_id: Set(init.id),
            title: Set(self.title.clone()),
            due_on: Set(self.due_on),
            done_on: Set(None),
            ..Default::default()
        }
        .insert(uow.tx())
        .await?;
        uow.audit(
            AuditAction::Update,
            AuditEntity::Initiative,
            Some(init.id),
            json!({ "milestone_added": row.id }),
        );
        Ok(row.id)
    }
}

/// A milestone marked done on a date, or (None) not done after all.
pub struct SetMilestoneDone {
    pub initiative_id: i32,
    pub milestone_id: i32,
    pub done_on: Option<NaiveDate>,
}

#[async_trait::async_trait]
impl Command for SetMilestoneDone {
    type Output = ();

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<()> {
        let tx = uow.tx();
        let m = initiative_milestone::Entity::find_by_id(self.milestone_id)
            .one(tx)
            .await?
            .filter(|m| m.initiative_id == self.initiative_id)
            .ok_or(Error::NotFound)?;
        let mut am: initiative_milestone::ActiveModel = m.into();
        am.done_on = Set(self.done_on);
        am.update(tx).await?;
        uow.audit(
            AuditAction::Update,
            AuditEntity::Initiative,
            Some(self.initiative_id),
            json!({ "milestone": self.milestone_id, "done": self.done_on.is_some() }),
        );
        Ok(())
    }
}

/// A business taking part in an initiative (found by its CVR number);
/// linking it twice is linking it once.
pub struct LinkBusiness {
    pub initiative_id: i32,
    pub cvr: crate::domain::Cvr,
}

#[async_trait::async_trait]
impl Command for LinkBusiness {
    type Output = i32;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<i32> {
        let init = find_initiative(uow, self.initiative_id).await?;
        let tx = uow.tx();
        let b = business::Entity::find()
            .filter(business::Column::Cvr.eq(self.cvr.value() as i32))
            .one(tx)
            .await?
            .ok_or_else(|| Error::invalid("cvr", DomainError::CvrUnknown))?;
        let row = initiative_business::ActiveModel {
            initiative_id: Set(init.id),
            business_id: Set(b.id),
            ..Default::default()
        };
        let inserted = initiative_business::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    initiative_business::Column::InitiativeId,
                    initiative_business::Column::BusinessId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(tx)
            .await?;
        if inserted > 0 {
            uow.audit(
                AuditAction::Update,
                AuditEntity::Initiative,
                Some(init.id),
                json!({ "business_linked": b.id }),
            );
        }
        Ok(b.id)
    }
}

/// A business no longer linked to an initiative.
pub struct UnlinkBusiness {
    pub initiative_id: i32,
    pub business_id: i32,
}

#[async_trait::async_trait]
impl Command for UnlinkBusiness {
    type Output = ();

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<()> {
        let gone = initiative_business::Entity::delete_many()
            .filter(initiative_business::Column::InitiativeId.eq(self.initiative_id))
            .filter(initiative_business::Column::BusinessId.eq(self.business_id))
            .exec(uow.tx())
            .await?;
        if gone.rows_affected == 0 {
            return Err(Error::NotFound);
        }
        uow.audit(
            AuditAction::Update,
            AuditEntity::Initiative,
            Some(self.initiative_id),
            json!({ "business_unlinked": self.business_id }),
        );
        Ok(())
    }
}

/// A key figure as the form gives it, parsed.
#[derive(Debug, Clone)]
pub struct FigureInput {
    pub name_da: String,
    pub name_en: String,
    pub unit_da: String,
    pub unit_en: String,
    pub direction: Direction,
    pub target: Option<f64>,
    pub target_date: Option<NaiveDate>,
    pub track_id: Option<i32>,
    pub initiative_id: Option<i32>,
    pub is_public: bool,
}

/// Creates a typed-in key figure (`id` None) or changes a figure's name,
/// unit, target and links; where a figure's values come from never changes.
pub struct SaveFigure {
    pub id: Option<i32>,
    pub input: FigureInput,
}

#[async_trait::async_trait]
impl Command for SaveFigure {
    type Output = i32;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<i32> {
        let p = &self.input;
        check_track_and_owner(uow, p.track_id, None).await?;
        let tx = uow.tx();
        if let Some(i) = p.initiative_id
            && initiative::Entity::find_by_id(i).one(tx).await?.is_none()
        {
            return Err(Error::invalid("initiative_id", DomainError::UnknownValue));
        }
        let existing = match self.id {
            Some(id) => Some(
                key_figure::Entity::find_by_id(id)
                    .one(tx)
                    .await?
                    .ok_or(Error::NotFound)?,
            ),
            None => None,
        };
        let position = match &existing {
            Some(e) => e.position,
            None => {
                use sea_orm::QuerySelect;
                let max: Option<i32> = key_figure::Entity::find()
                    .select_only()
                    .column_as(key_figure::Column::Position.max(), "m")
                    .into_tuple()
                    .one(tx)
                    .await?
                    .flatten();
                max.map_or(0, |m| m + 1)
            }
        };
        let code = existing.as_ref().map_or_else(
            || {
                format!(
                    "kf_{}",
                    crate::web::auth::random_token().get(..12).unwrap_or("x")
                )
            },
            |e| e.code.clone(),
        );
        let row = key_figure::Model {
            id: existing.as_ref().map_or(0, |e| e.id),
            code,
            name_da: p.name_da.clone(),
            name_en: p.name_en.clone(),
            unit_da: p.unit_da.clone(),
            unit_en: p.unit_en.clone(),
            direction: p.direction.as_str().into(),
            target: p.target,
            target_date: p.target_date,
            track_id: p.track_id,
            initiative_id: p.initiative_id,
            source: existing.as_ref().map_or_else(
                || FigureSource::Manual.as_str().to_string(),
                |e| e.source.clone(),
            ),
            is_public: p.is_public,
            position,
        };
        match existing {
            None => {
                let mut am: key_figure::ActiveModel = row.into();
                am.id = sea_orm::ActiveValue::NotSet;
                let saved = am.insert(tx).await?;
                uow.audit(
                    AuditAction::Create,
                    AuditEntity::KeyFigure,
                    Some(saved.id),
                    json!({ "public": p.is_public }),
                );
                Ok(saved.id)
            }
            Some(old) => {
                let changed = changed_columns(&old, &row);
                let am: key_figure::ActiveModel = row.into();
                am.reset_all().update(tx).await?;
                uow.audit(
                    AuditAction::Update,
                    AuditEntity::KeyFigure,
                    Some(old.id),
                    json!({ "changed": changed }),
                );
                Ok(old.id)
            }
        }
    }
}

/// A typed-in value of a key figure on a date; a second value for the
/// same date replaces the first. Computed figures take no values.
pub struct RecordFigureValue {
    pub figure_id: i32,
    pub on_date: NaiveDate,
    pub value: f64,
}

#[async_trait::async_trait]
impl Command for RecordFigureValue {
    type Output = ();

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<()> {
        let tx = uow.tx();
        let figure = key_figure::Entity::find_by_id(self.figure_id)
            .one(tx)
            .await?
            .ok_or(Error::NotFound)?;
        if FigureSource::parse(&figure.source) != Ok(FigureSource::Manual) {
            return Err(Error::invalid("value", DomainError::FigureIsComputed));
        }
        let row = key_figure_value::ActiveModel {
            key_figure_id: Set(figure.id),
            on_date: Set(self.on_date),
            value: Set(self.value),
            created_by: Set(uow.actor().user_id()),
            created_at: Set(uow.now()),
            ..Default::default()
        };
        key_figure_value::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    key_figure_value::Column::KeyFigureId,
                    key_figure_value::Column::OnDate,
                ])
                .update_columns([
                    key_figure_value::Column::Value,
                    key_figure_value::Column::CreatedBy,
                    key_figure_value::Column::CreatedAt,
                ])
                .to_owned(),
            )
            .exec_without_returning(tx)
            .await?;
        uow.audit(
            AuditAction::Update,
            AuditEntity::KeyFigure,
            Some(figure.id),
            json!({ "value_on": self.on_date.to_string() }),
        );
        Ok(())
    }
}

/// The quarterly report to the council's address, once per quarter: a
/// second press finds the first by its idempotency key and queues nothing.
pub struct QueueQuarterlyReport {
    pub quarter: String,
    pub email: crate::email::outbox::NewEmail,
}

#[async_trait::async_trait]
impl Command for QueueQuarterlyReport {
    /// Whether it was queued now (false: it was already).
    type Output = bool;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<bool> {
        let mut mail = self.email.clone();
        mail.idempotency_key = format!("quarterly_report:{}", self.quarter);
        let queued = uow.email(mail).await?;
        if queued {
            uow.audit(
                AuditAction::ScheduleEmail,
                AuditEntity::Email,
                None,
                json!({ "template": "quarterly_report", "quarter": self.quarter }),
            );
        }
        Ok(queued)
    }
}
