//! Typed models shared by the server and the WASM UI.

pub mod audit;
pub mod auth;
pub mod device;

pub use audit::{
    AuditAction, AuditEntry, AuditFilter, AuditOutcome, AuditPage, PageCursor, VerifyReport,
};
pub use auth::{Role, SessionInfo};
