//! `/api/audit*`: pages of the audit log and chain verification. Export is a streamed route
//! in the server crate (`GET /api/audit/export`).

use cloudshell::models::{AuditFilter, AuditPage, PageCursor, VerifyReport};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use crate::error::AppError;

/// `GET /api/audit`: newest first, keyset paginated, filtered. Needs a session.
#[server(prefix = "/api", endpoint = "audit", input = GetUrl)]
pub async fn list_audit(
    #[server(default)] filter: AuditFilter,
    #[server(default)] cursor: PageCursor,
    #[server(default)] limit: u32,
) -> Result<AuditPage, AppError> {
    use super::ssr::{current_session, db, fail, internal};
    use cloudshell::audit::{AuditError, query};

    let session = current_session()?;
    let mut filter = filter;
    // An operator sees their own entries only, whatever the filter asks.
    session.audit_scope(&mut filter);
    match query::page(&db()?, &filter, cursor, limit).await {
        Ok(page) => Ok(page),
        Err(AuditError::InvalidFilter(msg)) => Err(fail(AppError::BadRequest(msg.to_owned()))),
        Err(e) => Err(internal("audit page", e)),
    }
}

/// `GET /api/audit/verify`: checks the entries added since the last check (the server checks
/// every entry once at startup), and every seal among them. `full=true` rechecks everything
/// from the oldest entry, for admins only: at a million entries that takes seconds.
#[server(prefix = "/api", endpoint = "audit/verify", input = GetUrl)]
pub async fn verify_audit_chain(#[server(default)] full: bool) -> Result<VerifyReport, AppError> {
    use super::ssr::{internal, require};
    use cloudshell::audit::verify::Verifier;
    use cloudshell::models::Role;

    let session = require(Role::reads_whole_audit_log).await?;
    let verifier = use_context::<std::sync::Arc<Verifier>>()
        .ok_or_else(|| internal("context", "Verifier not provided"))?;
    let report = if full {
        // Rechecking everything takes seconds at a million entries: admins only.
        if session.role != Role::Admin {
            return super::ssr::refuse(None).await;
        }
        verifier.check_all().await
    } else {
        verifier.check_new().await
    };
    report.map_err(|e| match e {
        // The startup check is still running (or retrying): a moment, not a failure.
        cloudshell::audit::AuditError::NotYetVerified => super::ssr::busy(),
        other => internal("audit verify", other),
    })
}
