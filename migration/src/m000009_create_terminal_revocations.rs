use sea_orm_migration::{prelude::*, schema::*};

/// "End this user's terminals", for every replica: logout, password change and disabled
/// users add a row, and each server polls for rows newer than the last it saw.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TerminalRevocations::Table)
                    .if_not_exists()
                    .col(
                        big_integer(TerminalRevocations::Id)
                            .primary_key()
                            .auto_increment(),
                    )
                    .col(string_len(TerminalRevocations::Username, 64))
                    // An AuditReason code: why the terminals end.
                    .col(string_len(TerminalRevocations::Reason, 64))
                    // Microseconds since the epoch, by the writer's clock; only for cleanup.
                    .col(big_integer(TerminalRevocations::CreatedMicros))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TerminalRevocations::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum TerminalRevocations {
    Table,
    Id,
    Username,
    Reason,
    CreatedMicros,
}
