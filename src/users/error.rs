use sea_orm::DbErr;

/// What can go wrong managing users and groups. `Display` texts are for the server log; the
/// server-function layer maps each to a fixed message.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("not found")]
    NotFound,
    /// The change would leave no active admin.
    #[error("the last active admin")]
    LastAdmin,
    /// A field was refused: (field, message for people).
    #[error("invalid {0}: {1}")]
    Invalid(&'static str, &'static str),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("auth: {0}")]
    Auth(#[from] crate::auth::AuthError),
}
