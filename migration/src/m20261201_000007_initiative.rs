//! The business strategy's tracks, its initiatives (owners, milestones,
//! linked businesses, a log of status updates), key figures with their
//! dated values, and the seed: the strategy's themes and the DI ranking.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum StrategyTrack {
    Table,
    Id,
    Code,
    NameDa,
    NameEn,
    Position,
}

#[derive(DeriveIden)]
enum Initiative {
    Table,
    Id,
    TrackId,
    Title,
    Description,
    OwnerId,
    StartDate,
    EndDate,
    Status,
    UpdateEveryDays,
    IsPublic,
    LastUpdateAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum InitiativeMilestone {
    Table,
    Id,
    InitiativeId,
    Title,
    DueOn,
    DoneOn,
}

#[derive(DeriveIden)]
enum InitiativeBusiness {
    Table,
    Id,
    InitiativeId,
    BusinessId,
}

#[derive(DeriveIden)]
enum InitiativeUpdate {
    Table,
    Id,
    InitiativeId,
    UserId,
    Status,
    Text,
    At,
}

#[derive(DeriveIden)]
enum KeyFigure {
    Table,
    Id,
    Code,
    NameDa,
    NameEn,
    UnitDa,
    UnitEn,
    Direction,
    Target,
    TargetDate,
    TrackId,
    InitiativeId,
    Source,
    IsPublic,
    Position,
}

#[derive(DeriveIden)]
enum KeyFigureValue {
    Table,
    Id,
    KeyFigureId,
    OnDate,
    Value,
    CreatedBy,
    CreatedAt,
}

fn fk(
    from: (impl IntoIden, impl IntoIden),
    to: &str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(Alias::new(to), Alias::new("id"))
        .on_delete(on_delete)
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StrategyTrack::Table)
                    .col(pk_auto(StrategyTrack::Id))
                    .col(string_uniq(StrategyTrack::Code))
                    .col(string(StrategyTrack::NameDa))
                    .col(string(StrategyTrack::NameEn))
                    .col(integer(StrategyTrack::Position))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Initiative::Table)
                    .col(pk_auto(Initiative::Id))
                    .col(integer(Initiative::TrackId))
                    .col(string(Initiative::Title))
                    .col(text_null(Initiative::Description))
                    .col(integer(Initiative::OwnerId))
                    .col(date(Initiative::StartDate))
                    .col(date_null(Initiative::EndDate))
                    .col(string(Initiative::Status))
                    .col(integer(Initiative::UpdateEveryDays).default(30))
                    .col(boolean(Initiative::IsPublic).default(false))
                    .col(timestamp_with_time_zone_null(Initiative::LastUpdateAt))
                    .col(timestamp_with_time_zone(Initiative::CreatedAt))
                    .col(timestamp_with_time_zone(Initiative::UpdatedAt))
                    .foreign_key(&mut fk(
                        (Initiative::Table, Initiative::TrackId),
                        "strategy_track",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        (Initiative::Table, Initiative::OwnerId),
                        "app_user",
                        ForeignKeyAction::Restrict,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(InitiativeMilestone::Table)
                    .col(pk_auto(InitiativeMilestone::Id))
                    .col(integer(InitiativeMilestone::InitiativeId))
                    .col(string(InitiativeMilestone::Title))
                    .col(date(InitiativeMilestone::DueOn))
                    .col(date_null(InitiativeMilestone::DoneOn))
                    .foreign_key(&mut fk(
                        (
                            InitiativeMilestone::Table,
                            InitiativeMilestone::InitiativeId,
                        ),
                        "initiative",
                        ForeignKeyAction::Cascade,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(InitiativeBusiness::Table)
                    .col(pk_auto(InitiativeBusiness::Id))
                    .col(integer(InitiativeBusiness::InitiativeId))
                    .col(integer(InitiativeBusiness::BusinessId))
                    .foreign_key(&mut fk(
                        (InitiativeBusiness::Table, InitiativeBusiness::InitiativeId),
                        "initiative",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (InitiativeBusiness::Table, InitiativeBusiness::BusinessId),
                        "business",
                        ForeignKeyAction::Cascade,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(InitiativeUpdate::Table)
                    .col(pk_auto(InitiativeUpdate::Id))
                    .col(integer(InitiativeUpdate::InitiativeId))
                    .col(integer(InitiativeUpdate::UserId))
                    .col(string(InitiativeUpdate::Status))
                    .col(text(InitiativeUpdate::Text))
                    .col(timestamp_with_time_zone(InitiativeUpdate::At))
                    .foreign_key(&mut fk(
                        (InitiativeUpdate::Table, InitiativeUpdate::InitiativeId),
                        "initiative",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (InitiativeUpdate::Table, InitiativeUpdate::UserId),
                        "app_user",
                        ForeignKeyAction::Restrict,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(KeyFigure::Table)
                    .col(pk_auto(KeyFigure::Id))
                    .col(string_uniq(KeyFigure::Code))
                    .col(string(KeyFigure::NameDa))
                    .col(string(KeyFigure::NameEn))
                    .col(string(KeyFigure::UnitDa))
                    .col(string(KeyFigure::UnitEn))
                    .col(string(KeyFigure::Direction))
                    .col(double_null(KeyFigure::Target))
                    .col(date_null(KeyFigure::TargetDate))
                    .col(integer_null(KeyFigure::TrackId))
                    .col(integer_null(KeyFigure::InitiativeId))
                    // `manual`, or the live figure computed from the records.
                    .col(string(KeyFigure::Source))
                    .col(boolean(KeyFigure::IsPublic).default(false))
                    .col(integer(KeyFigure::Position))
                    .foreign_key(&mut fk(
                        (KeyFigure::Table, KeyFigure::TrackId),
                        "strategy_track",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        (KeyFigure::Table, KeyFigure::InitiativeId),
                        "initiative",
                        ForeignKeyAction::SetNull,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(KeyFigureValue::Table)
                    .col(pk_auto(KeyFigureValue::Id))
                    .col(integer(KeyFigureValue::KeyFigureId))
                    .col(date(KeyFigureValue::OnDate))
                    .col(double(KeyFigureValue::Value))
                    .col(integer_null(KeyFigureValue::CreatedBy))
                    .col(timestamp_with_time_zone(KeyFigureValue::CreatedAt))
                    .foreign_key(&mut fk(
                        (KeyFigureValue::Table, KeyFigureValue::KeyFigureId),
                        "key_figure",
                        ForeignKeyAction::Cascade,
                    ))
                    .take(),
            )
            .await?;
        for (name, table, cols, unique) in [
            (
                "ix_initiative_track",
                Initiative::Table.into_iden(),
                vec![Initiative::TrackId.into_iden()],
                false,
            ),
            (
                "ix_initiative_owner",
                Initiative::Table.into_iden(),
                vec![Initiative::OwnerId.into_iden()],
                false,
            ),
            (
                "ix_milestone_initiative",
                InitiativeMilestone::Table.into_iden(),
                vec![InitiativeMilestone::InitiativeId.into_iden()],
                false,
            ),
            (
                "ux_initiative_business",
                InitiativeBusiness::Table.into_iden(),
                vec![
                    InitiativeBusiness::InitiativeId.into_iden(),
                    InitiativeBusiness::BusinessId.into_iden(),
                ],
                true,
            ),
            (
                "ix_initiative_update",
                InitiativeUpdate::Table.into_iden(),
                vec![
                    InitiativeUpdate::InitiativeId.into_iden(),
                    InitiativeUpdate::At.into_iden(),
                ],
                false,
            ),
            (
                "ix_initiative_update_at",
                InitiativeUpdate::Table.into_iden(),
                vec![InitiativeUpdate::At.into_iden()],
                false,
            ),
            (
                "ux_key_figure_value",
                KeyFigureValue::Table.into_iden(),
                vec![
                    KeyFigureValue::KeyFigureId.into_iden(),
                    KeyFigureValue::OnDate.into_iden(),
                ],
                true,
            ),
        ] {
            let mut ix = Index::create();
            ix.name(name).table(table);
            for c in cols {
                ix.col(c);
            }
            if unique {
                ix.unique();
            }
            manager.create_index(ix).await?;
        }
        let db = manager.get_connection();
        // The themes of Københavns Kommunes Erhvervsstrategi 2024-27 and the
        // administration's other business work.
        let tracks = [
            ("rammevilkaar", "Gode rammevilkår", "Framework conditions"),
            ("servicekultur", "Servicekultur", "Service culture"),
            (
                "arbejdskraft",
                "Kvalificeret arbejdskraft",
                "Skilled labour",
            ),
            (
                "byudvikling",
                "Plads til virksomheder i byudviklingen",
                "Room for businesses in urban development",
            ),
            ("groen_omstilling", "Grøn omstilling", "Green transition"),
            (
                "international_konkurrenceevne",
                "International konkurrenceevne",
                "International competitiveness",
            ),
            ("turisme", "Turisme", "Tourism"),
            ("ivaerksaetteri", "Iværksætteri", "Entrepreneurship"),
            ("innovation", "Innovation", "Innovation"),
            (
                "internationale_talenter",
                "Internationale talenter",
                "International talent",
            ),
            (
                "kultur_kreative",
                "Kultur- og kreative erhverv",
                "Cultural and creative industries",
            ),
            (
                "socialoekonomi",
                "Socialøkonomiske virksomheder",
                "Social-economy businesses",
            ),
        ];
        for (i, (code, da, en)) in tracks.iter().enumerate() {
            db.execute_unprepared(&format!(
                "INSERT INTO strategy_track (code, name_da, name_en, position) VALUES ('{code}', '{da}', '{en}', {i})"
            ))
            .await?;
        }
        // Key figures: the DI ranking (typed in once a year) and the live
        // figures the portal computes from its own records. Targets are left
        // for the administration to set.
        let figures = [
            (
                "di_erhvervsvenlighed",
                "Placering i DI's undersøgelse af erhvervsvenlighed",
                "Rank in DI's business-friendliness survey",
                "plads",
                "rank",
                "lower",
                "manual",
                "rammevilkaar",
            ),
            (
                "businesses_in_contact",
                "Virksomheder i kontakt de seneste 12 måneder",
                "Businesses in contact in the last 12 months",
                "virksomheder",
                "businesses",
                "higher",
                "businesses_in_contact",
                "servicekultur",
            ),
            (
                "contacts_per_month",
                "Kontakter pr. måned",
                "Contacts per month",
                "kontakter",
                "contacts",
                "higher",
                "contacts_per_month",
                "servicekultur",
            ),
            (
                "needs_received",
                "Modtagne rekrutteringsbehov pr. måned",
                "Recruitment needs received per month",
                "behov",
                "needs",
                "higher",
                "needs_received",
                "arbejdskraft",
            ),
            (
                "needs_answered_in_time",
                "Rekrutteringsbehov besvaret inden for servicemålet",
                "Recruitment needs answered within the service promise",
                "%",
                "%",
                "higher",
                "needs_answered_in_time",
                "servicekultur",
            ),
            (
                "positions_filled",
                "Besatte stillinger pr. måned",
                "Positions filled per month",
                "stillinger",
                "positions",
                "higher",
                "positions_filled",
                "arbejdskraft",
            ),
            (
                "active_placements",
                "Aktive placeringer",
                "Active placements",
                "placeringer",
                "placements",
                "higher",
                "active_placements",
                "arbejdskraft",
            ),
        ];
        // SQL text literals: a quote doubled.
        let q = |s: &str| s.replace('\'', "''");
        for (i, (code, da, en, unit_da, unit_en, dir, source, track)) in figures.iter().enumerate()
        {
            let (da, en) = (q(da), q(en));
            db.execute_unprepared(&format!(
                "INSERT INTO key_figure (code, name_da, name_en, unit_da, unit_en, direction, source, \
                 track_id, is_public, position) SELECT '{code}', '{da}', '{en}', '{unit_da}', \
                 '{unit_en}', '{dir}', '{source}', id, {public}, {i} FROM strategy_track WHERE code = '{track}'",
                public = if *source == "manual" { "TRUE" } else { "FALSE" },
            ))
            .await?;
        }
        // DI's ranking of the 98 municipalities: no. 83 in 2024, no. 74 in 2025.
        for (date, value) in [("2024-12-31", 83.0), ("2025-12-31", 74.0)] {
            db.execute_unprepared(&format!(
                "INSERT INTO key_figure_value (key_figure_id, on_date, value, created_at) \
                 SELECT id, '{date}', {value}, '{date} 00:00:00+00:00' FROM key_figure \
                 WHERE code = 'di_erhvervsvenlighed'"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "key_figure_value",
            "key_figure",
            "initiative_update",
            "initiative_business",
            "initiative_milestone",
            "initiative",
            "strategy_track",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(t)).if_exists().take())
                .await?;
        }
        Ok(())
    }
}
