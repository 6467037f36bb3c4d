//! The file manager's server side: SFTP sessions (`sessions`), listing and changes (`ops`),
//! and their errors. The streamed transfers are the server crate's routes.

mod error;
pub mod ops;
pub mod sessions;

pub use crate::models::files::FileError;
pub use sessions::{FileSession, FileSessions, OpenError};
