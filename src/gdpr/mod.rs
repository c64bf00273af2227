//! Data protection for contact persons: everything held about one person
//! (by email address or id) as JSON, erasing them everywhere — the
//! database, the search index (through the sync queue, so both backends)
//! and unsent emails — and the retention purge (`retention`). Audit entries
//! of these actions hold counts, never the personal values.
pub mod handlers;
pub mod retention;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use entity::{
    audit_event, business, contact, contact_person, need_event, outbox_email, recruitment_need,
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, ExprTrait, Func},
};
use serde::Serialize;
use serde_json::json;

use crate::app::{Command, Error, Result, UnitOfWork};
use crate::domain::{AuditAction, AuditEntity, DomainError, EmailAddress};
use crate::search::DocKind;

/// What erased text is replaced with.
pub const ERASED: &str = "[slettet]";

/// Whom a request is about: an email address (every contact person with
/// it, and whatever was sent to it) or one contact person's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Email(String),
    Person(i32),
}

impl Subject {
    pub fn parse(s: &str) -> std::result::Result<Subject, DomainError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(DomainError::Required);
        }
        if s.chars().all(|c| c.is_ascii_digit()) {
            return s
                .parse::<i32>()
                .map(Subject::Person)
                .map_err(|_| DomainError::PersonUnknown);
        }
        EmailAddress::parse(s).map(|e| Subject::Email(e.as_str().to_lowercase()))
    }

    pub fn as_text(&self) -> String {
        match self {
            Subject::Email(e) => e.clone(),
            Subject::Person(id) => id.to_string(),
        }
    }
}

/// The contact persons a subject names, and the email addresses to look for.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub persons: Vec<contact_person::Model>,
    pub emails: Vec<String>,
    /// Their name and addresses as patterns, compiled once (see [`needles`]).
    patterns: Vec<regex::Regex>,
}

impl Found {
    fn new(persons: Vec<contact_person::Model>, emails: Vec<String>) -> Self {
        let mut f = Found {
            persons,
            emails,
            patterns: Vec::new(),
        };
        f.patterns = needles(&f);
        f
    }
}

pub async fn resolve<C: ConnectionTrait>(db: &C, subject: &Subject) -> Result<Found, DbErr> {
    let persons = match subject {
        Subject::Person(id) => contact_person::Entity::find_by_id(*id).all(db).await?,
        Subject::Email(e) => {
            contact_person::Entity::find()
                .filter(ExprTrait::eq(
                    Func::lower(Expr::col(contact_person::Column::Email)),
                    e.clone(),
                ))
                .all(db)
                .await?
        }
    };
    let mut emails: BTreeSet<String> = persons
        .iter()
        .filter_map(|p| p.email.as_deref().map(str::to_lowercase))
        .collect();
    if let Subject::Email(e) = subject {
        emails.insert(e.clone());
    }
    Ok(Found::new(persons, emails.into_iter().collect()))
}

/// The person's name (at least 3 letters) and email addresses, as
/// whole words in any case: "Ole" finds "OLE" but not "Skole" or "Olesen".
fn needles(found: &Found) -> Vec<regex::Regex> {
    found
        .persons
        .iter()
        .map(|p| p.name.trim().to_string())
        .filter(|n| n.chars().count() >= 3)
        .chain(found.emails.iter().cloned())
        .filter_map(|n| {
            regex::RegexBuilder::new(&format!(r"(?:^|\b){}(?:\b|$)", regex::escape(&n)))
                .case_insensitive(true)
                .build()
                .ok()
        })
        .collect()
}

/// Whether `text` names the person.
fn names(text: &str, found: &Found) -> bool {
    found.patterns.iter().any(|r| r.is_match(text))
}

/// `text` with the person's name and email addresses replaced.
fn redact(text: &str, found: &Found) -> String {
    let mut out = text.to_string();
    for r in &found.patterns {
        out = r.replace_all(&out, ERASED).into_owned();
    }
    out
}

/// Everything held about a person, for their request (art. 15).
#[derive(Debug, Serialize)]
pub struct Export {
    pub subject: String,
    pub generated_at: DateTime<Utc>,
    pub contact_persons: Vec<PersonRecord>,
    pub contacts_naming_them: Vec<ContactRecord>,
    pub needs_submitted: Vec<NeedRecord>,
    pub emails: Vec<EmailRecord>,
    pub audit_entries: Vec<AuditRecord>,
}

#[derive(Debug, Serialize)]
pub struct PersonRecord {
    pub id: i32,
    pub business_id: i32,
    pub business_name: Option<String>,
    pub name: String,
    pub role: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub primary: bool,
}

#[derive(Debug, Serialize)]
pub struct ContactRecord {
    pub id: i32,
    pub business_id: i32,
    pub channel: String,
    pub occurred_at: DateTime<Utc>,
    pub subject: String,
    pub notes: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct NeedRecord {
    pub id: i32,
    pub reference: String,
    pub company_name: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    pub job_title: String,
    pub free_text: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The pipeline's notes on the need.
    pub notes: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct EmailRecord {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub body_text: String,
}

#[derive(Debug, Serialize)]
pub struct AuditRecord {
    pub id: i32,
    pub at: DateTime<Utc>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i32>,
}

/// The rows that hold the person: what an export shows and an erasure
/// removes.
struct Held {
    contacts: Vec<contact::Model>,
    needs: Vec<recruitment_need::Model>,
    emails: Vec<outbox_email::Model>,
}

async fn held<C: ConnectionTrait>(db: &C, found: &Found) -> Result<Held, DbErr> {
    let businesses: Vec<i32> = found.persons.iter().map(|p| p.business_id).collect();
    let contacts: Vec<contact::Model> = if businesses.is_empty() {
        Vec::new()
    } else {
        contact::Entity::find()
            .filter(contact::Column::BusinessId.is_in(businesses.clone()))
            .order_by_asc(contact::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .filter(|c| {
                names(&c.subject, found) || c.notes.as_deref().is_some_and(|n| names(n, found))
            })
            .collect()
    };
    let mut needs: Vec<recruitment_need::Model> = if found.emails.is_empty() {
        Vec::new()
    } else {
        recruitment_need::Entity::find()
            .filter(
                Func::lower(Expr::col(recruitment_need::Column::ContactEmail))
                    .is_in(found.emails.clone()),
            )
            .all(db)
            .await?
    };
    // A need naming the person at their business, without their address.
    for p in &found.persons {
        for n in recruitment_need::Entity::find()
            .filter(recruitment_need::Column::BusinessId.eq(p.business_id))
            .all(db)
            .await?
        {
            if n.contact_name.eq_ignore_ascii_case(&p.name) && !needs.iter().any(|x| x.id == n.id) {
                needs.push(n);
            }
        }
    }
    needs.sort_by_key(|n| n.id);
    let emails = if found.emails.is_empty() {
        Vec::new()
    } else {
        outbox_email::Entity::find()
            .filter(
                Func::lower(Expr::col(outbox_email::Column::Recipient)).is_in(found.emails.clone()),
            )
            .order_by_asc(outbox_email::Column::Id)
            .all(db)
            .await?
    };
    Ok(Held {
        contacts,
        needs,
        emails,
    })
}

/// Everything held about the subject, as the export shows it.
pub async fn export<C: ConnectionTrait>(
    db: &C,
    subject: &Subject,
    now: DateTime<Utc>,
) -> Result<Option<Export>, DbErr> {
    let found = resolve(db, subject).await?;
    let h = held(db, &found).await?;
    if found.persons.is_empty() && h.needs.is_empty() && h.emails.is_empty() {
        return Ok(None);
    }
    let person_ids: Vec<i32> = found.persons.iter().map(|p| p.id).collect();
    let need_ids: Vec<i32> = h.needs.iter().map(|n| n.id).collect();
    let mut audit = Vec::new();
    for (entity, ids) in [
        (AuditEntity::ContactPerson, person_ids),
        (AuditEntity::Need, need_ids),
    ] {
        if ids.is_empty() {
            continue;
        }
        audit.extend(
            audit_event::Entity::find()
                .filter(audit_event::Column::Entity.eq(entity.as_str()))
                .filter(audit_event::Column::EntityId.is_in(ids))
                .order_by_asc(audit_event::Column::Id)
                .all(db)
                .await?,
        );
    }
    let mut notes: std::collections::HashMap<i32, Vec<String>> = std::collections::HashMap::new();
    if !h.needs.is_empty() {
        for ev in need_event::Entity::find()
            .filter(need_event::Column::NeedId.is_in(h.needs.iter().map(|n| n.id)))
            .order_by_asc(need_event::Column::Id)
            .all(db)
            .await?
        {
            if let Some(n) = ev.note {
                notes.entry(ev.need_id).or_default().push(n);
            }
        }
    }
    let business_names: std::collections::HashMap<i32, String> = business::Entity::find()
        .filter(business::Column::Id.is_in(found.persons.iter().map(|p| p.business_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b.name))
        .collect();
    Ok(Some(Export {
        subject: subject.as_text(),
        generated_at: now,
        contact_persons: found
            .persons
            .iter()
            .map(|p| PersonRecord {
                id: p.id,
                business_id: p.business_id,
                business_name: business_names.get(&p.business_id).cloned(),
                name: p.name.clone(),
                role: p.role.clone(),
                email: p.email.clone(),
                phone: p.phone.clone(),
                primary: p.is_primary,
            })
            .collect(),
        contacts_naming_them: h
            .contacts
            .into_iter()
            .map(|c| ContactRecord {
                id: c.id,
                business_id: c.business_id,
                channel: c.channel,
                occurred_at: c.occurred_at,
                subject: c.subject,
                notes: c.notes,
            })
            .collect(),
        needs_submitted: h
            .needs
            .into_iter()
            .map(|n| NeedRecord {
                id: n.id,
                reference: n.reference,
                company_name: n.company_name,
                contact_name: n.contact_name,
                contact_email: n.contact_email,
                contact_phone: n.contact_phone,
                job_title: n.job_title,
                free_text: n.free_text,
                created_at: n.created_at,
                notes: notes.remove(&n.id).unwrap_or_default(),
            })
            .collect(),
        emails: h
            .emails
            .into_iter()
            .map(|e| EmailRecord {
                id: e.id,
                recipient: e.recipient,
                subject: e.subject,
                status: e.status,
                created_at: e.created_at,
                sent_at: e.sent_at,
                body_text: e.body_text,
            })
            .collect(),
        audit_entries: audit
            .into_iter()
            .map(|a| AuditRecord {
                id: a.id,
                at: a.at,
                action: a.action,
                entity: a.entity,
                entity_id: a.entity_id,
            })
            .collect(),
    }))
}

/// An export was made: who asked, and how much it held (not the values).
pub struct RecordExport {
    pub counts: serde_json::Value,
}

#[async_trait::async_trait]
impl Command for RecordExport {
    type Output = ();

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<()> {
        uow.audit(
            AuditAction::Export,
            AuditEntity::ContactPerson,
            None,
            self.counts.clone(),
        );
        Ok(())
    }
}

/// What an erasure did, in counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Erased {
    pub persons: usize,
    pub contacts: usize,
    pub needs: usize,
    pub emails_deleted: usize,
    pub emails_redacted: usize,
}

/// Erases the subject everywhere: their contact person rows, their name
/// and address in contacts, needs and sent emails, and every unsent email
/// to them; the businesses' and needs' search documents are rebuilt.
pub struct ErasePerson {
    pub subject: Subject,
}

#[async_trait::async_trait]
impl Command for ErasePerson {
    type Output = Erased;

    async fn run(&self, uow: &mut UnitOfWork<'_>) -> Result<Erased> {
        let tx = uow.tx();
        let found = resolve(tx, &self.subject).await?;
        let h = held(tx, &found).await?;
        if found.persons.is_empty() && h.needs.is_empty() && h.emails.is_empty() {
            return Err(Error::invalid("q", DomainError::PersonUnknown));
        }
        let mut done = Erased::default();
        let h_need_ids: Vec<i32> = h.needs.iter().map(|n| n.id).collect();
        for c in h.contacts {
            let mut am: contact::ActiveModel = c.clone().into();
            am.subject = Set(redact(&c.subject, &found));
            am.notes = Set(c.notes.as_deref().map(|n| redact(n, &found)));
            am.update(tx).await?;
            done.contacts += 1;
        }
        for n in h.needs {
            let id = n.id;
            let mut am: recruitment_need::ActiveModel = n.clone().into();
            am.contact_name = Set(ERASED.into());
            am.contact_email = Set(String::new());
            am.contact_phone = Set(None);
            am.free_text = Set(n.free_text.as_deref().map(|t| redact(t, &found)));
            am.update(tx).await?;
            uow.reindex(DocKind::Need, id);
            done.needs += 1;
        }
        for e in h.emails {
            // Anything not sent (pending, failed, dead, cancelled) goes:
            // a retry must not send an emptied email.
            let unsent = e.status != crate::email::outbox::SENT;
            if unsent {
                outbox_email::Entity::delete_by_id(e.id).exec(tx).await?;
                done.emails_deleted += 1;
            } else {
                let mut am: outbox_email::ActiveModel = e.clone().into();
                am.recipient = Set(ERASED.into());
                am.subject = Set(redact(&e.subject, &found));
                am.body_text = Set(String::new());
                am.body_html = Set(String::new());
                am.last_error = Set(None);
                am.update(tx).await?;
                done.emails_redacted += 1;
            }
        }
        // Pipeline notes on their needs, and other emails (a consultant's
        // digest) that name them.
        let need_ids: Vec<i32> = h_need_ids.clone();
        if !need_ids.is_empty() {
            for ev in need_event::Entity::find()
                .filter(need_event::Column::NeedId.is_in(need_ids))
                .all(tx)
                .await?
            {
                if let Some(note) = ev.note.as_deref().filter(|n| names(n, &found)) {
                    let mut am: need_event::ActiveModel = ev.clone().into();
                    am.note = Set(Some(redact(note, &found)));
                    am.update(tx).await?;
                }
            }
        }
        for e in outbox_email::Entity::find()
            .filter(outbox_email::Column::Status.eq(crate::email::outbox::SENT))
            .all(tx)
            .await?
        {
            if names(&e.body_text, &found) || names(&e.subject, &found) {
                let mut am: outbox_email::ActiveModel = e.clone().into();
                am.subject = Set(redact(&e.subject, &found));
                am.body_text = Set(redact(&e.body_text, &found));
                am.body_html = Set(redact(&e.body_html, &found));
                am.update(tx).await?;
                done.emails_redacted += 1;
            }
        }
        // A business whose own address is the person's.
        for b in business::Entity::find()
            .filter(business::Column::Email.is_not_null())
            .filter(business::Column::Id.is_in(found.persons.iter().map(|p| p.business_id)))
            .all(tx)
            .await?
        {
            if b.email
                .as_deref()
                .is_some_and(|e| found.emails.contains(&e.to_lowercase()))
            {
                let mut am: business::ActiveModel = b.clone().into();
                am.email = Set(None);
                am.update(tx).await?;
                uow.reindex(DocKind::Business, b.id);
            }
        }
        let ids: Vec<i32> = found.persons.iter().map(|p| p.id).collect();
        if !ids.is_empty() {
            contact_person::Entity::delete_many()
                .filter(contact_person::Column::Id.is_in(ids))
                .exec(tx)
                .await?;
        }
        done.persons = found.persons.len();
        let mut businesses: Vec<i32> = found.persons.iter().map(|p| p.business_id).collect();
        businesses.dedup();
        for b in businesses {
            uow.reindex(DocKind::Business, b);
        }
        uow.audit(
            AuditAction::Erase,
            AuditEntity::ContactPerson,
            None,
            json!(done),
        );
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_is_an_email_address_or_an_id() {
        assert_eq!(
            Subject::parse(" Mette@Example.DK "),
            Ok(Subject::Email("mette@example.dk".into()))
        );
        assert_eq!(Subject::parse("42"), Ok(Subject::Person(42)));
        assert!(Subject::parse("").is_err());
        assert!(Subject::parse("99999999999999").is_err());
        assert!(Subject::parse("ikke en adresse").is_err());
    }

    #[test]
    fn redaction_replaces_the_name_and_address_in_any_case() {
        let found = Found::new(
            vec![contact_person::Model {
                id: 1,
                business_id: 1,
                name: "Mette Holm".into(),
                role: None,
                email: None,
                phone: None,
                is_primary: false,
            }],
            vec!["mette@havn.dk".into()],
        );
        assert_eq!(
            redact("Talte med METTE HOLM (Mette@Havn.dk) om mette holm", &found),
            "Talte med [slettet] ([slettet]) om [slettet]"
        );
        assert!(names("ring til mette holm", &found));
        assert!(!names("ring til Mads", &found));
        // Whole words only, and no loop when the name is in the stand-in.
        let ette = Found::new(
            vec![contact_person::Model {
                name: "Ette".into(),
                ..found.persons[0].clone()
            }],
            vec![],
        );
        assert_eq!(
            redact("Ette og Mette, ette", &ette),
            "[slettet] og Mette, [slettet]"
        );
    }
}
