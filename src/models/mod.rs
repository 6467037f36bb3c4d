//! Typed models shared by the server and the WASM UI.

pub mod audit;
pub mod audit_reason;
pub mod auth;
pub mod device;
pub mod device_api;
pub mod files;
pub mod terminal;
pub mod terminal_settings;
pub mod users;
pub mod workspace;

pub use audit::{
    AuditAction, AuditEntry, AuditFilter, AuditOutcome, AuditPage, ChainProblem, PageCursor,
    VerifyReport,
};
pub use audit_reason::AuditReason;
pub use auth::{MySessions, OpenSessionView, Role, SessionInfo, WebSessionView};
pub use device::{DeviceFields, FieldError, SshAuthType};
pub use device_api::{DeviceInput, DeviceView, HostKeyView, KeyAlgorithm, KeyInput};
