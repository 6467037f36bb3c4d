use sea_orm::entity::prelude::*;

/// One audit row. `id` is assigned by the audit writer, because each row's hash covers it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// Microseconds since the Unix epoch, UTC.
    pub ts_micros: i64,
    pub username: String,
    pub action: String,
    pub source_ip: Option<String>,
    pub detail: String,
    pub device_id: Option<i64>,
    pub session_id: Option<String>,
    pub outcome: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    /// Why a session ended or an action failed: an `AuditReason` code.
    pub reason: Option<String>,
    /// On AUDIT_PRUNED: the hash of the newest deleted row, which the oldest kept row links to.
    pub checkpoint: Option<String>,
    /// On AUDIT_SEAL: HMAC-SHA256 (hex) over the sealed head's id and hash.
    pub seal: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
