//! The file manager's icons: inline SVG in the current colour, so they need no font.

use cloudshell::models::files::FileKind;
use leptos::prelude::*;

fn icon(path: &'static str) -> impl IntoView {
    view! {
        <svg viewBox="0 0 24 24" width="15" height="15" aria-hidden="true">
            <path d=path fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" stroke-linecap="round" />
        </svg>
    }
}

pub const FOLDER: &str =
    "M3 6a1 1 0 0 1 1-1h5l2 2h9a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1z";
const FILE: &str = "M6 3h8l4 4v14H6zM14 3v4h4";
const LINK: &str =
    "M10 14a4 4 0 0 0 6 0l3-3a4 4 0 0 0-6-6l-1 1M14 10a4 4 0 0 0-6 0l-3 3a4 4 0 0 0 6 6l1-1";
const OTHER: &str = "M5 5h14v14H5z";
const DOWNLOAD: &str = "M12 4v11M7 10l5 5 5-5M5 20h14";
const RENAME: &str = "M4 20h4L19 9l-4-4L4 16v4zM14 6l4 4";
const LOCK: &str = "M6 11h12v9H6zM8 11V8a4 4 0 0 1 8 0v3";
const DELETE: &str = "M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13";
const UP: &str = "M12 19V5M6 11l6-6 6 6";
const REFRESH: &str = "M20 12a8 8 0 1 1-2.3-5.6M20 4v5h-5";
const HOME: &str = "M4 11l8-7 8 7M6 9v11h12V9";

pub fn kind(kind: FileKind) -> impl IntoView {
    icon(match kind {
        FileKind::Dir => FOLDER,
        FileKind::File => FILE,
        FileKind::Symlink => LINK,
        FileKind::Other => OTHER,
    })
}

pub fn download() -> impl IntoView {
    icon(DOWNLOAD)
}
pub fn rename() -> impl IntoView {
    icon(RENAME)
}
pub fn lock() -> impl IntoView {
    icon(LOCK)
}
pub fn delete() -> impl IntoView {
    icon(DELETE)
}
pub fn up() -> impl IntoView {
    icon(UP)
}
pub fn refresh() -> impl IntoView {
    icon(REFRESH)
}
pub fn home() -> impl IntoView {
    icon(HOME)
}
