//! Typed models shared by the server and the WASM UI.

pub mod audit;
pub mod auth;
pub mod device;
pub mod device_api;
pub mod terminal;

pub use audit::{
    AuditAction, AuditEntry, AuditFilter, AuditOutcome, AuditPage, PageCursor, VerifyReport,
};
pub use auth::{Role, SessionInfo};
pub use device::{DeviceFields, FieldError, SshAuthType};
pub use device_api::{DeviceInput, DeviceView, HostKeyView, KeyAlgorithm, KeyInput};
