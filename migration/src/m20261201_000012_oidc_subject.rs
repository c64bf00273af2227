//! Staff who sign in with the municipality's identity provider: an account
//! is linked to the provider's issuer and stable subject id (never matched
//! by email), unique per provider.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AppUser {
    Table,
    OidcIssuer,
    OidcSubject,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(AppUser::Table)
                    .add_column(string_len_null(AppUser::OidcIssuer, 255))
                    .take(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AppUser::Table)
                    .add_column(string_len_null(AppUser::OidcSubject, 255))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_app_user_oidc_subject")
                    .table(AppUser::Table)
                    .col(AppUser::OidcIssuer)
                    .col(AppUser::OidcSubject)
                    .unique()
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ux_app_user_oidc_subject")
                    .table(AppUser::Table)
                    .to_owned(),
            )
            .await?;
        for col in [AppUser::OidcSubject, AppUser::OidcIssuer] {
            manager
                .alter_table(Table::alter().table(AppUser::Table).drop_column(col).take())
                .await?;
        }
        Ok(())
    }
}
