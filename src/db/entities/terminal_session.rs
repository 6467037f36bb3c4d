use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "terminal_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub username: String,
    pub device_id: i64,
    pub device_name: String,
    pub endpoint: String,
    pub client_ip: String,
    pub started_at: TimeDateTimeWithTimeZone,
    pub ended_at: Option<TimeDateTimeWithTimeZone>,
    pub end_reason: Option<String>,
    pub node_id: String,
    pub heartbeat_at: TimeDateTimeWithTimeZone,
    /// As of the last heartbeat.
    pub bytes_in: i64,
    pub bytes_out: i64,
    pub last_activity_at: Option<TimeDateTimeWithTimeZone>,
    /// "terminal" or "sftp" (`terminal::SessionKind`).
    pub kind: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
