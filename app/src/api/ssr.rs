//! Server-side helpers shared by the server functions: request context and error mapping.

use axum::http::{HeaderValue, StatusCode, header::SET_COOKIE, request::Parts};
use cloudshell::audit::Actor;
use cloudshell::auth::{AuthService, CurrentSession};
use cloudshell::devices::{DeviceError, DeviceService};
use cloudshell::models::Role;
use cloudshell::request::RequestMeta;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use crate::error::AppError;

/// Sets the HTTP status that matches `err` and returns it, for `Err(fail(...))`.
pub fn fail(err: AppError) -> AppError {
    if let Some(res) = use_context::<ResponseOptions>() {
        res.set_status(
            StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    err
}

/// 503 with `Retry-After`: the password checks are at capacity; nothing was done.
pub fn busy() -> AppError {
    const RETRY_AFTER_SECS: u64 = 2;
    set_header("retry-after", &RETRY_AFTER_SECS.to_string());
    fail(AppError::Busy {
        retry_after_secs: RETRY_AFTER_SECS,
    })
}

/// An error from a service: the audit log not confirming in time is a 503 the user can
/// retry (the event is still written); anything else is internal.
pub fn auth_failure(context: &'static str, err: cloudshell::auth::AuthError) -> AppError {
    use cloudshell::audit::AuditError;
    use cloudshell::auth::AuthError;
    match err {
        AuthError::Audit(AuditError::Delayed) => {
            tracing::error!(%context, "audit log did not confirm in time");
            set_header("retry-after", "5");
            fail(AppError::AuditDelayed)
        }
        other => internal(context, other),
    }
}

/// Logs an unexpected error with its context and returns the generic `Internal` error.
pub fn internal(context: &'static str, err: impl std::fmt::Display) -> AppError {
    tracing::error!(%context, error = %err, "server function failed");
    fail(AppError::Internal)
}

fn parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| internal("request", "no request parts in context"))
}

/// The caller's session, as resolved by the server's auth middleware.
pub fn current_session() -> Result<CurrentSession, AppError> {
    parts()?
        .extensions
        .get::<CurrentSession>()
        .cloned()
        .ok_or_else(|| fail(AppError::Unauthorized))
}

/// Client IP and TLS flag, as resolved by the server's middleware.
pub fn request_meta() -> Result<RequestMeta, AppError> {
    parts()?
        .extensions
        .get::<RequestMeta>()
        .copied()
        .ok_or_else(|| internal("request", "no request meta in extensions"))
}

pub fn db() -> Result<sea_orm::DatabaseConnection, AppError> {
    use_context::<sea_orm::DatabaseConnection>()
        .ok_or_else(|| internal("context", "DatabaseConnection not provided"))
}

/// The audit log's writer, provided to every server function.
pub fn auditor() -> Result<cloudshell::audit::Auditor, AppError> {
    use_context::<cloudshell::audit::Auditor>()
        .ok_or_else(|| internal("context", "Auditor not provided"))
}

pub fn devices() -> Result<DeviceService, AppError> {
    use_context::<DeviceService>().ok_or_else(|| internal("context", "DeviceService not provided"))
}

/// The caller as the audit log names them: their username and client IP.
pub fn actor() -> Result<Actor, AppError> {
    let session = current_session()?;
    let meta = request_meta()?;
    Ok(Actor::new(session.username, meta.client_ip))
}

/// Field errors and a missing device go back as they are; anything else is logged as internal.
pub fn device_error(context: &'static str, err: DeviceError) -> AppError {
    match err {
        DeviceError::Invalid(errors) => fail(AppError::Invalid(errors)),
        DeviceError::NotFound => fail(AppError::NotFound),
        DeviceError::Busy => busy(),
        other => internal(context, other),
    }
}

/// Ends the user's live terminal sessions (on logout and password change): here at once,
/// and on every other replica through a revocation they poll for.
pub async fn end_terminals(username: &str, reason: cloudshell::terminal::EndReason) {
    if let Some(terminals) = use_context::<cloudshell::terminal::SessionRegistry>() {
        terminals.stop_user(username, reason);
    }
    if let Some(revocations) = use_context::<cloudshell::terminal::Revocations>()
        && let Err(e) = revocations.publish(username, reason).await
    {
        tracing::error!(error = %e, "publishing a terminal revocation failed");
    }
}

pub fn permissions() -> Result<cloudshell::permissions::Permissions, AppError> {
    use_context::<cloudshell::permissions::Permissions>()
        .ok_or_else(|| internal("context", "Permissions not provided"))
}

pub fn users() -> Result<cloudshell::users::UserService, AppError> {
    use_context::<cloudshell::users::UserService>()
        .ok_or_else(|| internal("context", "UserService not provided"))
}

/// The caller, if their role passes `allowed`; otherwise ACCESS_DENIED (rate-limited) and 403.
pub async fn require(allowed: fn(Role) -> bool) -> Result<CurrentSession, AppError> {
    let session = current_session()?;
    if allowed(session.role) {
        return Ok(session);
    }
    refuse(None).await
}

/// The caller, if they may use `device_id` (their role and access groups); otherwise
/// ACCESS_DENIED (rate-limited) and 403, as for a device that does not exist, so an operator
/// cannot probe which ids exist.
pub async fn require_device(device_id: i64) -> Result<CurrentSession, AppError> {
    let session = current_session()?;
    let allowed = permissions()?
        .may_use_device(session.user_id, session.role, device_id)
        .await
        .map_err(|e| internal("access check", e))?;
    if allowed {
        return Ok(session);
    }
    refuse(Some(device_id)).await
}

/// ACCESS_DENIED (rate-limited) for the caller on this route, and 403.
pub async fn refuse<T>(device_id: Option<i64>) -> Result<T, AppError> {
    let route = parts()?.uri.path().to_owned();
    permissions()?.denied(&actor()?, &route, device_id).await;
    Err(fail(AppError::Forbidden))
}

pub fn auth_service() -> Result<AuthService, AppError> {
    use_context::<AuthService>().ok_or_else(|| internal("context", "AuthService not provided"))
}

pub fn set_cookie(value: &str) {
    if let (Some(res), Ok(v)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(value),
    ) {
        res.append_header(SET_COOKIE, v);
    }
}

/// The page's Content-Security-Policy, naming the nonce Leptos put on its inline scripts.
pub fn set_page_policy() {
    if let Some(nonce) = leptos::nonce::use_nonce() {
        set_header(
            "content-security-policy",
            &cloudshell::csp::policy(Some(&nonce)),
        );
    }
}

pub fn set_header(name: &'static str, value: &str) {
    if let (Some(res), Ok(v)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(value),
    ) {
        res.insert_header(axum::http::HeaderName::from_static(name), v);
    }
}
