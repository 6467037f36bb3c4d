use sea_orm_migration::{prelude::*, schema::*};

/// Each user's terminal workspace (split layout, splitter positions, which device sat
/// where), kept on the server so it follows them to another browser. One row per user,
/// removed with the user.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(UserWorkspaces::Table)
                    .if_not_exists()
                    .col(big_integer(UserWorkspaces::UserId).primary_key())
                    // JSON of `models::workspace::WorkspaceLayout`, validated before it is stored.
                    .col(text(UserWorkspaces::Layout))
                    .col(big_integer(UserWorkspaces::UpdatedMicros))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UserWorkspaces::Table, UserWorkspaces::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(UserWorkspaces::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum UserWorkspaces {
    Table,
    UserId,
    Layout,
    UpdatedMicros,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
