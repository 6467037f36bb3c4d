use sea_orm_migration::{prelude::*, schema::*};

/// The heartbeat persists each live session's byte counters and last activity, so an end
/// recorded by crash recovery says how long the session lasted and what moved, at least up
/// to the last heartbeat.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for column in [
            big_integer(TerminalSessions::BytesIn).default(0).to_owned(),
            big_integer(TerminalSessions::BytesOut)
                .default(0)
                .to_owned(),
            timestamp_with_time_zone_null(TerminalSessions::LastActivityAt),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(TerminalSessions::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            TerminalSessions::BytesIn,
            TerminalSessions::BytesOut,
            TerminalSessions::LastActivityAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(TerminalSessions::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum TerminalSessions {
    Table,
    BytesIn,
    BytesOut,
    LastActivityAt,
}
