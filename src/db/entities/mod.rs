//! sea-orm entities. Server-side only; they convert into the shared models with `From`.

pub mod access_group;
pub mod access_group_device;
pub mod access_group_member;
pub mod audit_log;
pub mod device;
pub mod host_key;
pub mod terminal_revocation;
pub mod terminal_session;
pub mod user;
pub mod user_workspace;
pub mod web_session;
