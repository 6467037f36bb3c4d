//! Server functions: thin wrappers that authenticate, call one core service and map its error.
//! Every endpoint is explicit under `/api/` and listed in docs/api.md.

pub mod audit;
pub mod auth;
pub mod broadcast;
pub mod devices;
pub mod files;
pub mod users;
pub mod workspace;

#[cfg(feature = "ssr")]
pub mod ssr;
