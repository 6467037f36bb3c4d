//! Terminal tabs and the split view: one tab per opened device (a terminal, or its files),
//! shown in the panes of a grid of up to 4 × 4.

#[cfg(feature = "hydrate")]
mod addons;
mod broadcast;
mod grid;
#[cfg(feature = "hydrate")]
mod keys;
#[cfg(feature = "hydrate")]
mod look;
mod pane;
mod panes;
mod retry;
mod search;
mod settings;
pub mod shortcuts;
mod strip;
mod tabs;
mod workspace;
#[cfg(feature = "hydrate")]
mod xterm;

pub use tabs::{TabStatus, TerminalTabs};
pub use workspace::Terminals;
