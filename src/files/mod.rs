//! The file manager's server side: SFTP sessions (`sessions`), listing and changes (`ops`), folder archives (`archive`, `tar`),
//! and their errors. The streamed transfers are the server crate's routes.

pub mod archive;
mod error;
pub mod ops;
pub mod sessions;
pub mod tar;

pub use crate::models::files::FileError;
pub use sessions::{FileSession, FileSessions, OpenError};
