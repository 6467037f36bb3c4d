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
    /// The full check each start runs has not completed yet; quick checks build on it.
    #[error("the audit chain has not been fully verified since the server started")]
    NotYetVerified,
    #[error("invalid filter: {0}")]
    InvalidFilter(&'static str),
}
