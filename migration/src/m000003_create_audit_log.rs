use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .if_not_exists()
                    // Assigned by the single audit writer in commit order, not by the database,
                    // because each row's hash covers its id.
                    .col(big_integer(AuditLog::Id).primary_key())
                    // Microseconds since the Unix epoch, UTC: exact, sortable, same on every backend.
                    .col(big_integer(AuditLog::TsMicros))
                    .col(string_len(AuditLog::Username, 64))
                    .col(string_len(AuditLog::Action, 64))
                    .col(string_len_null(AuditLog::SourceIp, 45))
                    .col(text(AuditLog::Detail))
                    .col(big_integer_null(AuditLog::DeviceId))
                    .col(string_len_null(AuditLog::SessionId, 64))
                    .col(string_len_null(AuditLog::Outcome, 16))
                    .col(char_len(AuditLog::PrevHash, 64))
                    .col(char_len(AuditLog::Hash, 64))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_audit_log_ts", AuditLog::TsMicros),
            ("idx_audit_log_username", AuditLog::Username),
            ("idx_audit_log_action", AuditLog::Action),
            ("idx_audit_log_source_ip", AuditLog::SourceIp),
            ("idx_audit_log_session", AuditLog::SessionId),
        ] {
            // Each index ends in the key, so filtered keyset pages are index range scans.
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(AuditLog::Table)
                        .col(col)
                        .col(AuditLog::Id)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditLog::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    TsMicros,
    Username,
    Action,
    SourceIp,
    Detail,
    DeviceId,
    SessionId,
    Outcome,
    PrevHash,
    Hash,
}
