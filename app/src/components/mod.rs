pub mod header;
pub mod session_badge;
