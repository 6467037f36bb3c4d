//! CloudShell server: wires config, database and services into the axum router.
//! `main.rs` only parses arguments and calls in here, so tests boot exactly what ships.
// Deep Leptos view types need more than the default type-recursion budget.
#![recursion_limit = "256"]

pub mod access;
pub mod archive;
pub mod cli;
pub mod data_dir;
pub mod edge;
pub mod export;
pub mod headers;
pub mod health;
pub mod heartbeat;
pub mod login_reports;
pub mod middleware;
pub mod node;
pub mod pwa;
pub mod retention;
pub mod revocation_poll;
pub mod router;
pub mod sealing;
pub mod secret_key;
pub mod serve;
pub mod session_watch;
pub mod startup;
pub mod state;
pub mod terminal;
pub mod terminal_flow;
pub mod terminal_loop;
pub mod transfers;
pub mod upload;

pub use router::build_router;
pub use startup::{Prepared, prepare};
pub use state::AppState;
