use sea_orm_migration::{prelude::*, schema::*};

/// Terminal settings (font, scrollback, cursor, theme, copy on select, bell) join the
/// workspace a user keeps on the server. Existing rows have none: the defaults apply.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(UserWorkspaces::Table)
                    .add_column(text_null(UserWorkspaces::TerminalSettings))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(UserWorkspaces::Table)
                    .drop_column(UserWorkspaces::TerminalSettings)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum UserWorkspaces {
    Table,
    TerminalSettings,
}
