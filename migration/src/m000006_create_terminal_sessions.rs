use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TerminalSessions::Table)
                    .if_not_exists()
                    // The session_id shared by SESSION_STARTED and SESSION_ENDED.
                    .col(string_len(TerminalSessions::Id, 36).primary_key())
                    .col(string_len(TerminalSessions::Username, 64))
                    .col(big_integer(TerminalSessions::DeviceId))
                    .col(string_len(TerminalSessions::DeviceName, 64))
                    .col(string_len(TerminalSessions::Endpoint, 300))
                    .col(string_len(TerminalSessions::ClientIp, 45))
                    .col(timestamp_with_time_zone(TerminalSessions::StartedAt))
                    .col(timestamp_with_time_zone_null(TerminalSessions::EndedAt))
                    .col(string_len_null(TerminalSessions::EndReason, 64))
                    // Which server process owns the session, and when it last said so:
                    // replicas sharing one PostgreSQL end each other's dead sessions.
                    .col(string_len(TerminalSessions::NodeId, 64))
                    .col(timestamp_with_time_zone(TerminalSessions::HeartbeatAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_terminal_sessions_open")
                    .table(TerminalSessions::Table)
                    .col(TerminalSessions::EndedAt)
                    .col(TerminalSessions::HeartbeatAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TerminalSessions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum TerminalSessions {
    Table,
    Id,
    Username,
    DeviceId,
    DeviceName,
    Endpoint,
    ClientIp,
    StartedAt,
    EndedAt,
    EndReason,
    NodeId,
    HeartbeatAt,
}
