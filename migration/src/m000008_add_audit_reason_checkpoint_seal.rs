use sea_orm_migration::{prelude::*, schema::*};

/// Structured audit facts get columns instead of prose: the reason code of a session end or a
/// failure, the chain hash a retention checkpoint vouches for, and the HMAC of a seal.
/// Existing rows keep NULLs, which the chain hash treats as absent, so they still verify.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for column in [
            string_len_null(AuditLog::Reason, 64),
            char_len_null(AuditLog::Checkpoint, 64),
            char_len_null(AuditLog::Seal, 64),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AuditLog::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [AuditLog::Reason, AuditLog::Checkpoint, AuditLog::Seal] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AuditLog::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Reason,
    Checkpoint,
    Seal,
}
