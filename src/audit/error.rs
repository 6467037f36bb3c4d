use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("the audit writer has stopped")]
    WriterStopped,
    /// Not on disk within the deadline; the event is still queued and will be written.
    #[error("the audit log did not confirm the event in time")]
    Delayed,
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("reading the seal anchor: {0}")]
    Anchor(String),
    #[error("invalid filter: {0}")]
    InvalidFilter(&'static str),
}
