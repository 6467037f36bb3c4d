//! Terminal tabs: one per opened device, each an xterm.js terminal on its own WebSocket.

mod pane;
pub mod shortcuts;
mod tabs;
#[cfg(feature = "hydrate")]
mod xterm;

pub use tabs::{TabStatus, TerminalTabs, Terminals};
