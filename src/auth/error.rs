use sea_orm::DbErr;

/// What can go wrong in authentication. `Display` texts are for logs, not for the browser:
/// the server-function layer maps these to its own messages.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Wrong username or password; deliberately does not say which.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// The right password for an account an admin disabled.
    #[error("account disabled")]
    Disabled,
    /// No session, an unknown token, or an expired one.
    #[error("not authenticated")]
    Unauthenticated,
    /// Too many failed logins from this IP or for this username.
    #[error("login blocked for {retry_after_secs}s")]
    Blocked { retry_after_secs: u64 },
    /// Too many password checks are already running or waiting; try again shortly.
    #[error("password hashing is at capacity")]
    Busy,
    /// The current password given for a password change is wrong.
    #[error("wrong current password")]
    WrongPassword,
    #[error("password policy: {0}")]
    Policy(#[from] crate::validation::PasswordPolicyError),
    #[error("invalid input: {0}")]
    Invalid(&'static str),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("audit: {0}")]
    Audit(#[from] crate::audit::AuditError),
    #[error("background task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}
