//! The one error type at the server-function boundary: typed, serializable, with a status.
//! Its texts are what the browser shows; internal details are logged on the server instead.

use cloudshell::models::FieldError;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Your session has ended. Please log in again.")]
    Unauthorized,
    #[error("Invalid username or password.")]
    InvalidCredentials,
    #[error("{0}")]
    BadRequest(String),
    /// Input that failed validation, one message per field; the form shows each by its field.
    #[error("Some fields need attention.")]
    Invalid(Vec<FieldError>),
    #[error("Not found. It may have been deleted; refresh the list.")]
    NotFound,
    /// The role or the access groups do not allow it.
    #[error("Your account does not have access to that. Ask an admin if you need it.")]
    Forbidden,
    /// The right password for an account an admin disabled.
    #[error("This account is disabled. Ask an admin to enable it.")]
    AccountDisabled,
    /// The change would leave CloudShell without an active admin.
    #[error("This is the last active admin. Make another user admin first.")]
    LastAdmin,
    /// A state change that did not come from the CloudShell page (another site, or a client
    /// that sends no Origin).
    #[error("This request did not come from the CloudShell page. Reload it and try again.")]
    CrossSite,
    /// The audit log did not confirm the action in time; it will still be recorded.
    #[error("The audit log is not keeping up, so this was not confirmed. Try again in a moment.")]
    AuditDelayed,
    /// The account still has its generated first password.
    #[error("Choose your own password first: this account still has its generated one.")]
    PasswordChangeRequired,
    #[error("Too many attempts. Try again in {}.", crate::error::wait_text(*retry_after_secs))]
    TooManyRequests { retry_after_secs: u64 },
    /// The server is at capacity for this kind of work (password checks); nothing was done.
    #[error("The server is busy. Try again in a few seconds.")]
    Busy { retry_after_secs: u64 },
    #[error(
        "Something went wrong on the server. Try again; if it keeps happening, check the server log."
    )]
    Internal,
    /// A file-manager operation failed; the text says what to do next.
    #[error("{0}")]
    Files(cloudshell::models::files::FileError),
    /// A connection to a device could not be opened; one of the connection's fixed texts.
    #[error("{0}")]
    CannotConnect(String),
    /// The request did not complete (network down, server restarting, bad response).
    #[error("Cannot reach the server. Check your connection and try again.")]
    Transport,
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthorized | AppError::InvalidCredentials => 401,
            AppError::BadRequest(_) => 400,
            AppError::Invalid(_) => 422,
            AppError::NotFound => 404,
            AppError::Forbidden
            | AppError::CrossSite
            | AppError::PasswordChangeRequired
            | AppError::AccountDisabled => 403,
            AppError::LastAdmin => 409,
            AppError::TooManyRequests { .. } => 429,
            AppError::Busy { .. } | AppError::AuditDelayed => 503,
            AppError::Internal | AppError::Transport => 500,
            AppError::Files(e) => e.status(),
            AppError::CannotConnect(_) => 502,
        }
    }
}

impl AppError {
    /// The message for one form field, if the server refused that field.
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Invalid(errors) => errors
                .iter()
                .find(|e| e.field == name)
                .map(|e| e.message.clone()),
            _ => None,
        }
    }
}

/// `M:SS` for a wait of up to an hour, as the login page counts it down.
pub fn wait_text(secs: u64) -> String {
    format!("{}:{:02}", secs / 60, secs % 60)
}

fn malformed() -> AppError {
    AppError::BadRequest("The request was malformed.".to_owned())
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Malformed arguments are the caller's fault; say so without echoing internals.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => malformed(),
            // On the server this is a request body that does not decode; in the browser it
            // is a response that does not, which is a transport problem.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(_) => malformed(),
            _ => AppError::Transport,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(AppError::Unauthorized.status(), 401);
        assert_eq!(AppError::InvalidCredentials.status(), 401);
        assert_eq!(AppError::BadRequest("x".into()).status(), 400);
        assert_eq!(
            AppError::TooManyRequests {
                retry_after_secs: 3
            }
            .status(),
            429
        );
        assert_eq!(AppError::Internal.status(), 500);
        assert_eq!(AppError::Invalid(vec![]).status(), 422);
        assert_eq!(AppError::NotFound.status(), 404);
        assert_eq!(AppError::Forbidden.status(), 403);
        assert_eq!(
            AppError::Busy {
                retry_after_secs: 2
            }
            .status(),
            503
        );
    }

    #[test]
    fn the_wait_reads_as_minutes_and_seconds() {
        let e = AppError::TooManyRequests {
            retry_after_secs: 58,
        };
        assert_eq!(e.to_string(), "Too many attempts. Try again in 0:58.");
        assert_eq!(wait_text(3600), "60:00");
    }

    #[test]
    fn credential_errors_do_not_say_which_part_was_wrong() {
        let text = AppError::InvalidCredentials.to_string().to_lowercase();
        assert!(text.contains("username or password"));
    }
}
