use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
    Username,
    DisplayName,
    Email,
    Role,
    PasswordHash,
    Disabled,
    CreatedAt,
}

#[derive(DeriveIden)]
enum UserSession {
    Table,
    Id,
    UserId,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    Id,
    At,
    UserId,
    Action,
    Entity,
    EntityId,
    Detail,
}

#[derive(DeriveIden)]
enum Business {
    Table,
    Id,
    Cvr,
    Name,
    SortName,
    CompanyForm,
    Street,
    PostalCode,
    City,
    District,
    IndustryCode,
    IndustrySection,
    Employees,
    SizeBand,
    Active,
    AdvertisingProtected,
    ConsultantId,
    Email,
    Phone,
    Notes,
    Source,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BusinessSegment {
    Table,
    BusinessId,
    Segment,
}

#[derive(DeriveIden)]
enum PUnit {
    Table,
    Id,
    BusinessId,
    PNumber,
    Street,
    PostalCode,
    City,
}

#[derive(DeriveIden)]
enum ContactPerson {
    Table,
    Id,
    BusinessId,
    Name,
    Role,
    Email,
    Phone,
    IsPrimary,
}

#[derive(DeriveIden)]
enum Contact {
    Table,
    Id,
    BusinessId,
    UserId,
    Channel,
    OccurredAt,
    Subject,
    Notes,
    Outcome,
    FollowUpOn,
    FollowUpDone,
    CreatedAt,
}

fn fk_business(
    table: impl IntoIden + 'static,
    col: impl IntoIden + 'static,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Business::Table, Business::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden + 'static,
    cols: Vec<Alias>,
) -> Result<(), DbErr> {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for c in cols {
        stmt.col(c);
    }
    manager.create_index(stmt).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AppUser::Table)
                    .col(pk_auto(AppUser::Id))
                    .col(string_uniq(AppUser::Username))
                    .col(string(AppUser::DisplayName))
                    .col(string_null(AppUser::Email))
                    .col(string(AppUser::Role))
                    .col(string(AppUser::PasswordHash))
                    .col(boolean(AppUser::Disabled).default(false))
                    .col(timestamp_with_time_zone(AppUser::CreatedAt))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UserSession::Table)
                    .col(string(UserSession::Id).primary_key())
                    .col(integer(UserSession::UserId))
                    .col(timestamp_with_time_zone(UserSession::CreatedAt))
                    .col(timestamp_with_time_zone(UserSession::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UserSession::Table, UserSession::UserId)
                            .to(AppUser::Table, AppUser::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        index(
            manager,
            "ix_user_session_user",
            UserSession::Table,
            vec![Alias::new("user_id")],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditEvent::Table)
                    .col(pk_auto(AuditEvent::Id))
                    .col(timestamp_with_time_zone(AuditEvent::At))
                    .col(integer_null(AuditEvent::UserId))
                    .col(string(AuditEvent::Action))
                    .col(string(AuditEvent::Entity))
                    .col(integer_null(AuditEvent::EntityId))
                    .col(text_null(AuditEvent::Detail))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Business::Table)
                    .col(pk_auto(Business::Id))
                    .col(integer_uniq(Business::Cvr))
                    .col(string(Business::Name))
                    .col(string(Business::SortName))
                    .col(string(Business::CompanyForm))
                    .col(string_null(Business::Street))
                    .col(integer_null(Business::PostalCode))
                    .col(string_null(Business::City))
                    .col(string_null(Business::District))
                    .col(integer_null(Business::IndustryCode))
                    .col(string_null(Business::IndustrySection))
                    .col(integer_null(Business::Employees))
                    .col(string_null(Business::SizeBand))
                    .col(boolean(Business::Active).default(true))
                    .col(boolean(Business::AdvertisingProtected).default(false))
                    .col(integer_null(Business::ConsultantId))
                    .col(string_null(Business::Email))
                    .col(string_null(Business::Phone))
                    .col(text_null(Business::Notes))
                    .col(string(Business::Source))
                    .col(timestamp_with_time_zone(Business::CreatedAt))
                    .col(timestamp_with_time_zone(Business::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Business::Table, Business::ConsultantId)
                            .to(AppUser::Table, AppUser::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .take(),
            )
            .await?;
        // The list page always filters on status (active by default) and
        // sorts by name: one index per filter column, then status, then the
        // sort key, so a filtered page and its count are one index range.
        for (name, col) in [
            ("ix_business_district", "district"),
            ("ix_business_section", "industry_section"),
            ("ix_business_size", "size_band"),
            ("ix_business_consultant", "consultant_id"),
        ] {
            index(
                manager,
                name,
                Business::Table,
                vec![
                    Alias::new(col),
                    Alias::new("active"),
                    Alias::new("sort_name"),
                    Alias::new("id"),
                ],
            )
            .await?;
        }
        index(
            manager,
            "ix_business_active",
            Business::Table,
            vec![
                Alias::new("active"),
                Alias::new("sort_name"),
                Alias::new("id"),
            ],
        )
        .await?;
        index(
            manager,
            "ix_business_sort_name",
            Business::Table,
            vec![Alias::new("sort_name"), Alias::new("id")],
        )
        .await?;
        index(
            manager,
            "ix_business_updated",
            Business::Table,
            vec![Alias::new("updated_at"), Alias::new("id")],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(BusinessSegment::Table)
                    .col(integer(BusinessSegment::BusinessId))
                    .col(string(BusinessSegment::Segment))
                    .primary_key(
                        Index::create()
                            .col(BusinessSegment::BusinessId)
                            .col(BusinessSegment::Segment),
                    )
                    .foreign_key(&mut fk_business(
                        BusinessSegment::Table,
                        BusinessSegment::BusinessId,
                    ))
                    .take(),
            )
            .await?;
        index(
            manager,
            "ix_business_segment_segment",
            BusinessSegment::Table,
            vec![Alias::new("segment"), Alias::new("business_id")],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(PUnit::Table)
                    .col(pk_auto(PUnit::Id))
                    .col(integer(PUnit::BusinessId))
                    .col(big_integer_uniq(PUnit::PNumber))
                    .col(string_null(PUnit::Street))
                    .col(integer_null(PUnit::PostalCode))
                    .col(string_null(PUnit::City))
                    .foreign_key(&mut fk_business(PUnit::Table, PUnit::BusinessId))
                    .take(),
            )
            .await?;
        index(
            manager,
            "ix_p_unit_business",
            PUnit::Table,
            vec![Alias::new("business_id")],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(ContactPerson::Table)
                    .col(pk_auto(ContactPerson::Id))
                    .col(integer(ContactPerson::BusinessId))
                    .col(string(ContactPerson::Name))
                    .col(string_null(ContactPerson::Role))
                    .col(string_null(ContactPerson::Email))
                    .col(string_null(ContactPerson::Phone))
                    .col(boolean(ContactPerson::IsPrimary).default(false))
                    .foreign_key(&mut fk_business(
                        ContactPerson::Table,
                        ContactPerson::BusinessId,
                    ))
                    .take(),
            )
            .await?;
        index(
            manager,
            "ix_contact_person_business",
            ContactPerson::Table,
            vec![Alias::new("business_id")],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(Contact::Table)
                    .col(pk_auto(Contact::Id))
                    .col(integer(Contact::BusinessId))
                    .col(integer(Contact::UserId))
                    .col(string(Contact::Channel))
                    .col(timestamp_with_time_zone(Contact::OccurredAt))
                    .col(string(Contact::Subject))
                    .col(text_null(Contact::Notes))
                    .col(string(Contact::Outcome))
                    .col(date_null(Contact::FollowUpOn))
                    .col(boolean(Contact::FollowUpDone).default(false))
                    .col(timestamp_with_time_zone(Contact::CreatedAt))
                    .foreign_key(&mut fk_business(Contact::Table, Contact::BusinessId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Contact::Table, Contact::UserId)
                            .to(AppUser::Table, AppUser::Id),
                    )
                    .take(),
            )
            .await?;
        index(
            manager,
            "ix_contact_business",
            Contact::Table,
            vec![Alias::new("business_id"), Alias::new("occurred_at")],
        )
        .await?;
        index(
            manager,
            "ix_contact_user",
            Contact::Table,
            vec![Alias::new("user_id"), Alias::new("occurred_at")],
        )
        .await?;
        index(
            manager,
            "ix_contact_occurred",
            Contact::Table,
            vec![Alias::new("occurred_at")],
        )
        .await?;
        index(
            manager,
            "ix_contact_followup",
            Contact::Table,
            vec![
                Alias::new("user_id"),
                Alias::new("follow_up_done"),
                Alias::new("follow_up_on"),
            ],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "contact",
            "contact_person",
            "p_unit",
            "business_segment",
            "business",
            "audit_event",
            "user_session",
            "app_user",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(t)).if_exists().take())
                .await?;
        }
        Ok(())
    }
}
