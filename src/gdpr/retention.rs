//! The retention purge (`erhverv gdpr purge`, and the admin page): contact
//! persons of businesses with no activity for `gdpr_inactive_years`, the
//! contact details of needs older than `need_contact_years`, and the
//! bodies of emails sent more than `email_body_months` ago. Placements
//! have their own rule (`placements::retention`).
use chrono::{DateTime, Months, Utc};
use entity::{business, contact, contact_person, outbox_email, placement, recruitment_need};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait, Query},
};
use serde::Serialize;
use serde_json::json;

use crate::app::{Command, Result, UnitOfWork};
use crate::config::Settings;
use crate::domain::{AuditAction, AuditEntity};
use crate::search::DocKind;

/// The moments before which each kind of data is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cutoffs {
    /// A business with no activity since then loses its contact persons.
    pub inactive_since: DateTime<Utc>,
    /// Needs created before then lose their contact details.
    pub needs_before: DateTime<Utc>,
    /// Emails sent before then lose their bodies.
    pub emails_before: DateTime<Utc>,
}

impl Cutoffs {
    pub fn of(settings: &Settings, now: DateTime<Utc>) -> Self {
        let back = |months: u32| {
            now.checked_sub_months(Months::new(months))
                .unwrap_or(DateTime::<Utc>::MIN_UTC)
        };
        // A setting of 0 would make "now" the cutoff and purge everything:
        // at least one year, or one month.
        Cutoffs {
            inactive_since: back(Ord::max(settings.gdpr_inactive_years, 1).saturating_mul(12)),
            needs_before: back(Ord::max(settings.need_contact_years, 1).saturating_mul(12)),
            emails_before: back(Ord::max(settings.email_body_months, 1)),
        }
    }
}

/// What is due, by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Due {
    pub persons: Vec<i32>,
    pub needs: Vec<i32>,
    pub emails: Vec<i64>,
}

impl Due {
    pub fn is_empty(&self) -> bool {
        self.persons.is_empty() && self.needs.is_empty() && self.emails.is_empty()
    }
}

pub async fn due<C: ConnectionTrait>(db: &C, c: Cutoffs) -> std::result::Result<Due, DbErr> {
    // Active since the cutoff: changed, contacted, a need, a placement.
    let recent = |col: contact::Column| {
        Query::select()
            .column(contact::Column::BusinessId)
            .from(contact::Entity)
            .and_where(Expr::col(col).gte(c.inactive_since))
            .to_owned()
    };
    let inactive = Query::select()
        .column(business::Column::Id)
        .from(business::Entity)
        .and_where(Expr::col(business::Column::UpdatedAt).lt(c.inactive_since))
        .and_where(
            Expr::col(business::Column::Id).not_in_subquery(recent(contact::Column::OccurredAt)),
        )
        .and_where(
            Expr::col(business::Column::Id).not_in_subquery(
                Query::select()
                    .column(recruitment_need::Column::BusinessId)
                    .from(recruitment_need::Entity)
                    .and_where(Expr::col(recruitment_need::Column::CreatedAt).gte(c.inactive_since))
                    .and_where(Expr::col(recruitment_need::Column::BusinessId).is_not_null())
                    .to_owned(),
            ),
        )
        // A placement changed since, or still running (a flex job can run
        // untouched for years), is activity.
        .and_where(
            Expr::col(business::Column::Id).not_in_subquery(
                Query::select()
                    .column(placement::Column::BusinessId)
                    .from(placement::Entity)
                    .cond_where(
                        sea_orm::Condition::any()
                            .add(Expr::col(placement::Column::UpdatedAt).gte(c.inactive_since))
                            .add(Expr::col(placement::Column::Status).is_in([
                                crate::domain::PlacementStatus::Planned.as_str(),
                                crate::domain::PlacementStatus::Active.as_str(),
                            ]))
                            .add(
                                Expr::col(placement::Column::EndedOn)
                                    .gte(c.inactive_since.date_naive()),
                            ),
                    )
                    .to_owned(),
            ),
        )
        // So is a follow-up still to do.
        .and_where(
            Expr::col(business::Column::Id).not_in_subquery(
                Query::select()
                    .column(contact::Column::BusinessId)
                    .from(contact::Entity)
                    .and_where(Expr::col(contact::Column::FollowUpOn).is_not_null())
                    .and_where(Expr::col(contact::Column::FollowUpDone).eq(false))
                    .to_owned(),
            ),
        )
        .to_owned();
    let persons: Vec<i32> = contact_person::Entity::find()
        .select_only()
        .column(contact_person::Column::Id)
        .filter(contact_person::Column::BusinessId.in_subquery(inactive))
        .into_tuple()
        .all(db)
        .await?;
    let needs: Vec<i32> = recruitment_need::Entity::find()
        .select_only()
        .column(recruitment_need::Column::Id)
        .filter(recruitment_need::Column::CreatedAt.lt(c.needs_before))
        .filter(recruitment_need::Column::ContactEmail.ne(""))
        .into_tuple()
        .all(db)
        .await?;
    let emails: Vec<i64> = outbox_email::Entity::find()
        .select_only()
        .column(outbox_email::Column::Id)
        .filter(outbox_email::Column::Status.eq(crate::email::outbox::SENT))
        .filter(outbox_email::Column::SentAt.lt(c.emails_before))
        .filter(outbox_email::Column::BodyText.ne(""))
        .into_tuple()
        .all(db)
        .await?;
    Ok(Due {
        persons,
        needs,
        emails,
    })
}

/// Removes what is due (see [`due`]); answers what it removed.
pub struct Purge {
    pub cutoffs: Cutoffs,
}

#[async_trait::async_trait]
impl Command for Purge {
    type Output = Due;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<Due> {
        let tx = uow.tx();
        let d = due(tx, self.cutoffs).await?;
        for part in d.persons.chunks(500) {
            let businesses: Vec<i32> = contact_person::Entity::find()
                .select_only()
                .column(contact_person::Column::BusinessId)
                .filter(contact_person::Column::Id.is_in(part.to_vec()))
                .distinct()
                .into_tuple()
                .all(tx)
                .await?;
            contact_person::Entity::delete_many()
                .filter(contact_person::Column::Id.is_in(part.to_vec()))
                .exec(tx)
                .await?;
            // Their names leave the businesses' search documents.
            for b in businesses {
                uow.reindex(DocKind::Business, b);
            }
        }
        for part in d.needs.chunks(500) {
            recruitment_need::Entity::update_many()
                .col_expr(
                    recruitment_need::Column::ContactName,
                    Expr::value(super::ERASED),
                )
                .col_expr(recruitment_need::Column::ContactEmail, Expr::value(""))
                .col_expr(
                    recruitment_need::Column::ContactPhone,
                    Expr::value(Option::<String>::None),
                )
                .filter(recruitment_need::Column::Id.is_in(part.to_vec()))
                .exec(tx)
                .await?;
            for id in part {
                uow.reindex(DocKind::Need, *id);
            }
        }
        for part in d.emails.chunks(500) {
            outbox_email::Entity::update_many()
                .col_expr(outbox_email::Column::BodyText, Expr::value(""))
                .col_expr(outbox_email::Column::BodyHtml, Expr::value(""))
                .filter(outbox_email::Column::Id.is_in(part.to_vec()))
                .exec(tx)
                .await?;
        }
        uow.audit(
            AuditAction::Purge,
            AuditEntity::ContactPerson,
            None,
            json!({
                "persons": d.persons.len(),
                "needs": d.needs.len(),
                "email_bodies": d.emails.len(),
            }),
        );
        Ok(d)
    }
}
