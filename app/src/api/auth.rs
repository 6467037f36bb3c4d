//! `/api/auth/*`: login, logout, who am I.

use cloudshell::models::{MySessions, SessionInfo};
use cloudshell::secret::SecretString;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use crate::error::AppError;

/// `POST /api/auth/login` (form-encoded `username`, `password`): sets the session cookie.
#[server(prefix = "/api", endpoint = "auth/login")]
pub async fn login(
    // Defaults, so a missing field reaches the check below and gets a 400, not a decode error.
    #[server(default)] username: String,
    #[server(default)] password: SecretString,
) -> Result<SessionInfo, AppError> {
    use super::ssr::{
        auth_failure, auth_service, busy, fail, request_meta, set_cookie, set_header,
    };
    use cloudshell::auth::{AuthError, cookie};

    let meta = request_meta()?;
    let username = username.trim().to_owned();
    if username.is_empty() || password.is_empty() {
        return Err(fail(AppError::BadRequest(
            "Enter both a username and a password.".to_owned(),
        )));
    }
    // Refused at the boundary, before it is counted, hashed, stored or logged.
    if !cloudshell::validation::plausible_username(&username) {
        return Err(fail(AppError::BadRequest(
            "A username has at most 64 letters, digits and . _ @ -".to_owned(),
        )));
    }
    match auth_service()?
        .login(&username, password, meta.client_ip)
        .await
    {
        Ok(session) => {
            set_cookie(&cookie::session_cookie(&session.token, meta.is_tls));
            tracing::info!(user = %session.info.username, ip = %meta.client_ip, "login");
            Ok(session.info)
        }
        Err(AuthError::InvalidCredentials) => {
            tracing::info!(user = %username, ip = %meta.client_ip, "login failed");
            Err(fail(AppError::InvalidCredentials))
        }
        Err(AuthError::Blocked { retry_after_secs }) => {
            // Not logged per attempt: a refusal must stay cheap; the audit gets one summary.
            set_header("retry-after", &retry_after_secs.to_string());
            Err(fail(AppError::TooManyRequests { retry_after_secs }))
        }
        Err(AuthError::Disabled) => {
            tracing::info!(user = %username, ip = %meta.client_ip, "login refused: account disabled");
            Err(fail(AppError::AccountDisabled))
        }
        Err(AuthError::Busy) => Err(busy()),
        Err(e) => Err(auth_failure("login", e)),
    }
}

/// `POST /api/auth/logout`: revokes the session server-side and clears the cookie.
#[server(prefix = "/api", endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    use super::ssr::{auth_failure, auth_service, current_session, request_meta, set_cookie};
    use cloudshell::auth::cookie;

    let session = current_session()?;
    let meta = request_meta()?;
    auth_service()?
        .logout(&session, meta.client_ip)
        .await
        .map_err(|e| auth_failure("logout", e))?;
    set_cookie(&cookie::clear_session_cookie(meta.is_tls));
    super::ssr::end_terminals(
        &session.username,
        cloudshell::terminal::EndReason::LoggedOut,
    )
    .await;
    tracing::info!(user = %session.username, ip = %meta.client_ip, "logout");
    Ok(())
}

/// `GET /api/auth/me`: the logged-in user and when the session expires (UTC).
/// Polling it does not count as activity, so it never keeps a session alive by itself.
#[server(prefix = "/api", endpoint = "auth/me", input = GetUrl)]
pub async fn me() -> Result<SessionInfo, AppError> {
    Ok(super::ssr::current_session()?.info())
}

/// `POST /api/auth/keep-alive`: like any request that is not `me`, it extends the session
/// (the server's gate does that before this runs); answers with the new expiry.
#[server(prefix = "/api", endpoint = "auth/keep-alive")]
pub async fn keep_alive() -> Result<SessionInfo, AppError> {
    Ok(super::ssr::current_session()?.info())
}

/// `POST /api/auth/change-password` (form-encoded `current_password`, `new_password`,
/// `confirm_password`). Keeps this session, signs out the user's others.
#[server(prefix = "/api", endpoint = "auth/change-password")]
pub async fn change_password(
    #[server(default)] current_password: SecretString,
    #[server(default)] new_password: SecretString,
    #[server(default)] confirm_password: SecretString,
) -> Result<(), AppError> {
    use super::ssr::{auth_failure, auth_service, current_session, fail, request_meta};
    use cloudshell::auth::AuthError;

    let session = current_session()?;
    let meta = request_meta()?;
    match auth_service()?
        .change_password(
            &session,
            current_password,
            new_password,
            confirm_password,
            meta.client_ip,
        )
        .await
    {
        Ok(()) => {
            super::ssr::end_terminals(
                &session.username,
                cloudshell::terminal::EndReason::PasswordChanged,
            )
            .await;
            Ok(())
        }
        Err(AuthError::WrongPassword) => Err(fail(AppError::BadRequest(
            "The current password is wrong.".to_owned(),
        ))),
        Err(AuthError::Blocked { retry_after_secs }) => {
            super::ssr::set_header("retry-after", &retry_after_secs.to_string());
            Err(fail(AppError::TooManyRequests { retry_after_secs }))
        }
        Err(AuthError::Busy) => Err(super::ssr::busy()),
        Err(AuthError::Policy(p)) => Err(fail(AppError::BadRequest(p.to_string()))),
        Err(AuthError::Unauthenticated) => Err(fail(AppError::Unauthorized)),
        Err(e) => Err(auth_failure("change password", e)),
    }
}

/// `GET /api/auth/sessions`: the caller's signed-in browsers and open sessions.
#[server(prefix = "/api", endpoint = "auth/sessions", input = GetUrl)]
pub async fn list_my_sessions() -> Result<MySessions, AppError> {
    use super::ssr::{auth_failure, auth_service, current_session};
    let me = current_session()?;
    auth_service()?
        .my_sessions(&me)
        .await
        .map_err(|e| auth_failure("my sessions", e))
}

/// `POST /api/auth/sign-out-others`: ends every other web session of the caller, and with
/// them their terminals. Returns how many were signed out.
#[server(prefix = "/api", endpoint = "auth/sign-out-others")]
pub async fn sign_out_others() -> Result<u64, AppError> {
    use super::ssr::{auth_failure, auth_service, current_session, request_meta};
    let me = current_session()?;
    let meta = request_meta()?;
    auth_service()?
        .sign_out_others(&me, meta.client_ip)
        .await
        .map_err(|e| auth_failure("sign out others", e))
}
