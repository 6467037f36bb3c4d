//! SSH: private keys (parse, generate) and the host-key trust store. The terminal's russh
//! client builds on these.

pub mod client;
pub mod destination;
pub mod host_keys;
pub mod key_cost;
pub mod key_work;
pub mod keys;

pub use host_keys::{HostKeyError, HostKeyStore, HostKeyVerdict, PresentedKey};
pub use keys::{GeneratedKey, KeyError};
