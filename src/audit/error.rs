use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("the audit writer has stopped")]
    WriterStopped,
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("invalid filter: {0}")]
    InvalidFilter(&'static str),
}
