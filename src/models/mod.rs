//! Typed models shared by the server and the WASM UI.

pub mod auth;

pub use auth::{Role, SessionInfo};
