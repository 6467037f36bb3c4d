//! CloudShell core.
//!
//! Always compiled (server and WASM alike): the typed models both sides share and pure logic
//! (validation, formatting). Behind the `ssr` feature: the server services. No Leptos here.

pub mod csp;
pub mod format;
pub mod models;
#[cfg(feature = "ssr")]
pub mod origin;
pub mod secret;
pub mod validation;

#[cfg(feature = "ssr")]
pub mod audit;
#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod client_ip;
#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod devices;
#[cfg(feature = "ssr")]
pub mod files;
#[cfg(feature = "ssr")]
pub mod permissions;
#[cfg(feature = "ssr")]
pub mod request;
#[cfg(feature = "ssr")]
pub mod ssh;
#[cfg(feature = "ssr")]
pub mod terminal;
#[cfg(feature = "ssr")]
pub mod users;
#[cfg(feature = "ssr")]
pub mod vault;
#[cfg(feature = "ssr")]
pub mod workspace;
