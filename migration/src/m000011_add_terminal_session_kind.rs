use sea_orm_migration::{prelude::*, schema::*};

/// File-manager (SFTP) sessions are registered beside terminals, so the same heartbeat,
/// revocation and crash recovery end them; `kind` says which one a row is. Existing rows
/// are terminals.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(TerminalSessions::Table)
                    .add_column(string(TerminalSessions::Kind).default("terminal"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(TerminalSessions::Table)
                    .drop_column(TerminalSessions::Kind)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum TerminalSessions {
    Table,
    Kind,
}
