//! Live terminal sessions: the registry that records each start and, exactly once, each end,
//! in `terminal_sessions` and the audit log, whichever way the session ends.

pub mod broadcast;
mod kind;
pub mod limits;
pub mod liveness;
mod reason;
mod recovery;
mod registry;
pub mod revocations;

pub use kind::SessionKind;
pub use reason::EndReason;
pub use recovery::Orphans;
pub use registry::{LiveSession, SessionRegistry, StopSignal, random_id};
pub use revocations::Revocations;
