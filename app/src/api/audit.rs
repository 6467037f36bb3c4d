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

    current_session()?;
    match query::page(&db()?, &filter, cursor, limit).await {
        Ok(page) => Ok(page),
        Err(AuditError::InvalidFilter(msg)) => Err(fail(AppError::BadRequest(msg.to_owned()))),
        Err(e) => Err(internal("audit page", e)),
    }
}

/// `GET /api/audit/verify`: recomputes the hash chain; intact, or the first broken id.
#[server(prefix = "/api", endpoint = "audit/verify", input = GetUrl)]
pub async fn verify_audit_chain() -> Result<VerifyReport, AppError> {
    use super::ssr::{current_session, db, internal};

    current_session()?;
    cloudshell::audit::verify::verify(&db()?)
        .await
        .map_err(|e| internal("audit verify", e))
}
