//! The file manager: a device's files in a tab, over an SFTP session on the server. Listing
//! and changes go through the `/api/files/*` server functions; transfers are streamed plain
//! routes (`/api/transfers/*`): uploads through XMLHttpRequest for their progress, downloads
//! through the browser's own download manager.

mod delete;
mod dialogs;
mod dropped;
mod icons;
mod listing;
mod manager;
mod state;
mod toolbar;
mod transfers;
mod upload;
mod view_model;

pub use manager::FileManager;

/// The folder glyph used for "browse files" and on file-manager tabs.
pub fn folder_icon() -> impl leptos::IntoView {
    icons::kind(cloudshell::models::files::FileKind::Dir)
}
