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
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
