//! Placements of citizens at businesses (fleksjob, løntilskud,
//! virksomhedspraktik), the versioned rules they are checked against, and
//! the number of ordinary employees of a P-unit (the proportionality rule).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Placement {
    Table,
    Id,
    BusinessId,
    PUnitId,
    Kind,
    CaseRef,
    TargetGroup,
    StartDate,
    PlannedEnd,
    EndedOn,
    HoursCenti,
    Status,
    EndReason,
    ConsultantId,
    NeedId,
    Notes,
    OverrideReason,
    CheckInQueued,
    AnonymisedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PlacementRule {
    Table,
    Id,
    ValidFrom,
    Source,
    WageSubsidyPrivateMonths,
    WageSubsidyPublicMonths,
    TrialWeeksShort,
    TrialWeeksLong,
    PerOrdinaryUpTo,
    Threshold,
    PerOrdinaryBeyond,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PUnit {
    Table,
    Employees,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Placement::Table)
                    .col(pk_auto(Placement::Id))
                    .col(integer(Placement::BusinessId))
                    .col(integer_null(Placement::PUnitId))
                    .col(string(Placement::Kind))
                    // Null once anonymised (retention).
                    .col(string_null(Placement::CaseRef))
                    .col(string(Placement::TargetGroup))
                    .col(date(Placement::StartDate))
                    .col(date_null(Placement::PlannedEnd))
                    .col(date_null(Placement::EndedOn))
                    .col(integer_null(Placement::HoursCenti))
                    .col(string(Placement::Status))
                    .col(string_null(Placement::EndReason))
                    .col(integer(Placement::ConsultantId))
                    .col(integer_null(Placement::NeedId))
                    .col(text_null(Placement::Notes))
                    .col(text_null(Placement::OverrideReason))
                    .col(boolean(Placement::CheckInQueued).default(false))
                    .col(timestamp_with_time_zone_null(Placement::AnonymisedAt))
                    .col(timestamp_with_time_zone(Placement::CreatedAt))
                    .col(timestamp_with_time_zone(Placement::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Placement::Table, Placement::BusinessId)
                            .to(Alias::new("business"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Placement::Table, Placement::PUnitId)
                            .to(Alias::new("p_unit"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Placement::Table, Placement::ConsultantId)
                            .to(Alias::new("app_user"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Placement::Table, Placement::NeedId)
                            .to(Alias::new("recruitment_need"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .take(),
            )
            .await?;
        for (name, cols) in [
            (
                "ix_placement_business",
                vec![Placement::BusinessId, Placement::Status],
            ),
            (
                "ix_placement_p_unit",
                vec![Placement::PUnitId, Placement::Status],
            ),
            (
                "ix_placement_consultant",
                vec![Placement::ConsultantId, Placement::Status],
            ),
            (
                "ix_placement_status_start",
                vec![Placement::Status, Placement::StartDate],
            ),
            ("ix_placement_need", vec![Placement::NeedId]),
        ] {
            let mut ix = Index::create();
            ix.name(name).table(Placement::Table);
            for c in cols {
                ix.col(c);
            }
            manager.create_index(ix).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(PlacementRule::Table)
                    .col(pk_auto(PlacementRule::Id))
                    .col(date(PlacementRule::ValidFrom))
                    .col(text(PlacementRule::Source))
                    .col(integer(PlacementRule::WageSubsidyPrivateMonths))
                    .col(integer(PlacementRule::WageSubsidyPublicMonths))
                    .col(integer(PlacementRule::TrialWeeksShort))
                    .col(integer(PlacementRule::TrialWeeksLong))
                    .col(integer(PlacementRule::PerOrdinaryUpTo))
                    .col(integer(PlacementRule::Threshold))
                    .col(integer(PlacementRule::PerOrdinaryBeyond))
                    .col(integer_null(PlacementRule::CreatedBy))
                    .col(timestamp_with_time_zone(PlacementRule::CreatedAt))
                    .take(),
            )
            .await?;
        // The rules in force since the employment reform of 2019 (lov om en
        // aktiv beskæftigelsesindsats, LBK nr 701 af 22/05/2022).
        // Literals, not bound values: both databases read them as a date
        // and a timestamp.
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO placement_rule (valid_from, source, wage_subsidy_private_months, \
                 wage_subsidy_public_months, trial_weeks_short, trial_weeks_long, \
                 per_ordinary_up_to, threshold, per_ordinary_beyond, created_at) VALUES \
                 ('2019-01-01', 'Lov om en aktiv beskæftigelsesindsats: løntilskud højst 6 måneder \
                 hos private og 4 hos offentlige arbejdsgivere, virksomhedspraktik højst 4 uger \
                 (dagpengemodtagere og jobparate) eller 13 uger (øvrige); rimelighedskravet: \
                 1 pr. 5 ordinært ansatte op til 50, derefter 1 pr. 10', 6, 4, 4, 13, 5, 50, 10, \
                 '2019-01-01 00:00:00+00:00')",
            )
            .await?;
        // The receipt's confirmation link looks its need up by token.
        manager
            .create_index(
                Index::create()
                    .name("ix_recruitment_need_confirm_token")
                    .table(Alias::new("recruitment_need"))
                    .col(Alias::new("confirm_token"))
                    .take(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(PUnit::Table)
                    .add_column(integer_null(PUnit::Employees))
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Placement::Table).if_exists().take())
            .await?;
        manager
            .drop_table(Table::drop().table(PlacementRule::Table).if_exists().take())
            .await
    }
}
