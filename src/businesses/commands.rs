//! The registry's commands: a business, its P-units and contact persons.
use entity::{business, contact_person, p_unit};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, Iterable, ModelTrait, QueryFilter,
};
use serde_json::json;

use super::form::BusinessInput;
use super::{patch, queries};
use crate::app::{Cache, Command, Error, RecordRef, Result, UnitOfWork};
use crate::domain::{
    AuditAction, AuditEntity, DomainError, EmailAddress, PNumber, Phone, PostalCode,
};
use crate::search::DocKind;

/// The names of the columns whose values differ: what the audit log says
/// of an update (never the values themselves).
pub fn changed_columns<M: ModelTrait>(old: &M, new: &M) -> Vec<String>
where
    <M::Entity as EntityTrait>::Column: Iterable,
{
    use sea_orm::IdenStatic;
    <M::Entity as EntityTrait>::Column::iter()
        .filter(|c| old.get(*c) != new.get(*c))
        .map(|c| c.as_str().to_string())
        .filter(|c| c != "updated_at")
        .collect()
}

/// Creates a business (`id` None) or updates one, with its segments.
pub struct SaveBusiness {
    pub id: Option<i32>,
    pub input: BusinessInput,
    /// The version the caller read (the API's `If-Match`): an update of a
    /// business that has changed since is refused with [`Error::Stale`].
    pub if_match: Option<String>,
}

/// A business's version as the API's `ETag` shows it: a digest of its row
/// and segments, so any change to what an update replaces changes it.
pub fn version_of(row: &business::Model, segments: &[String]) -> String {
    let mut segments = segments.to_vec();
    segments.sort();
    crate::app::version_of(&(row, segments))
}

#[async_trait::async_trait]
impl Command for SaveBusiness {
    type Output = i32;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<i32> {
        let tx = uow.tx();
        let input = &self.input;
        let now = uow.now();
        let cvr_taken = |existing: i32| Error::Conflict {
            field: "cvr",
            error: DomainError::CvrTaken,
            existing: Some(RecordRef::Business(existing)),
        };
        let (id, changed) = match self.id {
            None => {
                let mut m = patch::blank(input.cvr, "manual", now);
                input.patch().apply(&mut m);
                let am = patch::to_active(m, None);
                // Insert-if-absent: of simultaneous creations of one CVR
                // number exactly one inserts, on either database; the
                // others find the winner and say so.
                let inserted = business::Entity::insert(am)
                    .on_conflict(crate::db::keep_existing(business::Column::Cvr))
                    .exec_without_returning(tx)
                    .await?;
                let row = queries::find_by_cvr(tx, input.cvr.value())
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("the new business is not there"))?;
                if inserted == 0 {
                    return Err(cvr_taken(row.id));
                }
                (row.id, None)
            }
            Some(id) => {
                let row = crate::app::for_update(tx, business::Entity::find_by_id(id))
                    .one(tx)
                    .await?
                    .ok_or(Error::NotFound)?;
                if let Some(expected) = &self.if_match {
                    let segments = queries::segments_of(tx, id).await?;
                    if version_of(&row, &segments) != *expected {
                        return Err(Error::Stale);
                    }
                }
                // The CVR number identifies the business; it is not edited.
                if row.cvr as u32 != input.cvr.value() {
                    return Err(Error::invalid("cvr", DomainError::CvrCannotChange));
                }
                let mut m = row.clone();
                input.patch().apply(&mut m);
                m.updated_at = now;
                let changed = changed_columns(&row, &m);
                patch::to_active(m, Some(id)).update(tx).await?;
                (id, Some(changed))
            }
        };
        let old_segments = queries::segments_of(tx, id).await?;
        queries::set_segments(tx, id, &input.segments).await?;
        let mut changed = changed;
        let new_segments: Vec<&str> = input.segments.iter().map(|s| s.as_str()).collect();
        if let Some(c) = &mut changed
            && old_segments.iter().map(String::as_str).collect::<Vec<_>>() != new_segments
        {
            c.push("segments".into());
        }
        uow.reindex(DocKind::Business, id);
        uow.invalidate(Cache::BusinessList);
        match changed {
            None => uow.audit(
                AuditAction::Create,
                AuditEntity::Business,
                Some(id),
                json!({"source": "manual"}),
            ),
            Some(fields) => uow.audit(
                AuditAction::Update,
                AuditEntity::Business,
                Some(id),
                json!({ "changed": fields }),
            ),
        }
        Ok(id)
    }
}

/// The business must exist (a P-unit or person is added to it).
async fn existing_business(uow: &UnitOfWork<'_>, id: i32) -> Result<()> {
    // A business merged into another takes no new records.
    business::Entity::find_by_id(id)
        .one(uow.tx())
        .await?
        .filter(|b| b.merged_into.is_none())
        .map(|_| ())
        .ok_or(Error::NotFound)
}

pub struct AddPUnit {
    pub business_id: i32,
    pub p_number: PNumber,
    pub street: Option<String>,
    pub postal_code: Option<PostalCode>,
    pub city: Option<String>,
    /// Ordinary employees at this workplace (the proportionality rule).
    pub employees: Option<i32>,
}

#[async_trait::async_trait]
impl Command for AddPUnit {
    type Output = i32;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<i32> {
        existing_business(uow, self.business_id).await?;
        let tx = uow.tx();
        let p = self.p_number.value() as i64;
        // Insert-if-absent, as for a business's CVR number.
        let inserted = p_unit::Entity::insert(p_unit::ActiveModel {
            business_id: Set(self.business_id),
            p_number: Set(p),
            street: Set(self.street.clone()),
            postal_code: Set(self.postal_code.map(|p| i32::from(p.value()))),
            city: Set(self.city.clone()),
            employees: Set(self.employees),
            ..Default::default()
        })
        .on_conflict(crate::db::keep_existing(p_unit::Column::PNumber))
        .exec_without_returning(tx)
        .await?;
        let row = p_unit::Entity::find()
            .filter(p_unit::Column::PNumber.eq(p))
            .one(tx)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the new P-unit is not there"))?;
        if inserted == 0 {
            return Err(Error::Conflict {
                field: "p_number",
                error: DomainError::PNumberTaken,
                existing: Some(RecordRef::Business(row.business_id)),
            });
        }
        child_changed(
            uow,
            AuditAction::Create,
            AuditEntity::PUnit,
            self.business_id,
            row.id,
        );
        Ok(row.id)
    }
}

/// A P-unit or contact person changed: the audit event, and the business's
/// search document (it holds their addresses and names).
fn child_changed(
    uow: &mut UnitOfWork<'_>,
    action: AuditAction,
    entity: AuditEntity,
    business_id: i32,
    child_id: i32,
) {
    uow.audit(
        action,
        entity,
        Some(child_id),
        json!({ "business": business_id }),
    );
    uow.reindex(DocKind::Business, business_id);
}

/// A P-unit or contact person of a business.
#[derive(Debug, Clone, Copy)]
pub enum Child {
    PUnit(i32),
    ContactPerson(i32),
}

/// Removes a P-unit or contact person from its business.
pub struct RemoveChild {
    pub business_id: i32,
    pub child: Child,
}

#[async_trait::async_trait]
impl Command for RemoveChild {
    type Output = ();

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<()> {
        let (entity, id, removed) = match self.child {
            Child::PUnit(id) => (
                AuditEntity::PUnit,
                id,
                p_unit::Entity::delete_many()
                    .filter(p_unit::Column::Id.eq(id))
                    .filter(p_unit::Column::BusinessId.eq(self.business_id))
                    .exec(uow.tx())
                    .await?,
            ),
            Child::ContactPerson(id) => (
                AuditEntity::ContactPerson,
                id,
                contact_person::Entity::delete_many()
                    .filter(contact_person::Column::Id.eq(id))
                    .filter(contact_person::Column::BusinessId.eq(self.business_id))
                    .exec(uow.tx())
                    .await?,
            ),
        };
        if removed.rows_affected == 0 {
            return Err(Error::NotFound);
        }
        child_changed(uow, AuditAction::Delete, entity, self.business_id, id);
        Ok(())
    }
}

pub struct AddContactPerson {
    pub business_id: i32,
    pub name: String,
    pub role: Option<String>,
    pub email: Option<EmailAddress>,
    pub phone: Option<Phone>,
    pub primary: bool,
}

#[async_trait::async_trait]
impl Command for AddContactPerson {
    type Output = i32;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<i32> {
        existing_business(uow, self.business_id).await?;
        let tx = uow.tx();
        if self.primary {
            // One primary contact per business.
            contact_person::Entity::update_many()
                .col_expr(
                    contact_person::Column::IsPrimary,
                    sea_orm::sea_query::Expr::value(false),
                )
                .filter(contact_person::Column::BusinessId.eq(self.business_id))
                .exec(tx)
                .await?;
        }
        let row = contact_person::ActiveModel {
            business_id: Set(self.business_id),
            name: Set(self.name.clone()),
            role: Set(self.role.clone()),
            email: Set(self.email.as_ref().map(|e| e.as_str().to_string())),
            phone: Set(self.phone.as_ref().map(|p| p.as_str().to_string())),
            is_primary: Set(self.primary),
            ..Default::default()
        }
        .insert(tx)
        .await?;
        child_changed(
            uow,
            AuditAction::Create,
            AuditEntity::ContactPerson,
            self.business_id,
            row.id,
        );
        Ok(row.id)
    }
}
