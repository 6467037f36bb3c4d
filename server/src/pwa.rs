//! The service worker, built once at startup from the files the site actually serves, so its
//! cache name changes whenever any of them does and browsers pick up a new build on their
//! next load.

use std::path::Path;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use sha2::{Digest, Sha256};

use crate::state::AppState;

const TEMPLATE: &str = include_str!("../assets/sw.js");

/// Folders under the site root whose every file is precached.
const ASSET_DIRS: &[&str] = &["pkg", "xterm", "icons"];
/// Single files precached beside them.
const ASSET_FILES: &[&str] = &[
    "favicon.svg",
    "manifest.webmanifest",
    "offline.html",
    "offline.js",
];

/// Every precached URL path with the bytes behind it, sorted so the version is stable.
fn collect_assets(site_root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut assets = Vec::new();
    for dir in ASSET_DIRS {
        let Ok(entries) = std::fs::read_dir(site_root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let (Some(name), true) = (path.file_name().and_then(|n| n.to_str()), path.is_file())
            else {
                continue;
            };
            // TypeScript declarations sit beside the bundle but are never loaded.
            if name.ends_with(".d.ts") {
                continue;
            }
            if let Ok(bytes) = std::fs::read(&path) {
                assets.push((format!("/{dir}/{name}"), bytes));
            }
        }
    }
    for file in ASSET_FILES {
        if let Ok(bytes) = std::fs::read(site_root.join(file)) {
            assets.push((format!("/{file}"), bytes));
        }
    }
    assets.sort_by(|a, b| a.0.cmp(&b.0));
    assets
}

/// The worker's source: the template with this build's version and asset list filled in.
pub fn service_worker_source(site_root: &Path) -> String {
    let assets = collect_assets(site_root);
    let mut hash = Sha256::new();
    hash.update(env!("CARGO_PKG_VERSION").as_bytes());
    for (url, bytes) in &assets {
        hash.update(url.as_bytes());
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(bytes);
    }
    let digest = hash.finalize();
    let version: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let urls: Vec<&str> = assets.iter().map(|(url, _)| url.as_str()).collect();
    let list = serde_json::to_string(&urls).unwrap_or_else(|_| "[]".to_owned());
    TEMPLATE
        .replace("__VERSION__", &version)
        .replace("__ASSETS__", &list)
}

/// `GET /sw.js`. `no-cache` makes the browser check for a new worker on every load.
pub async fn service_worker(State(state): State<AppState>) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        state.service_worker.to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, body) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, body).unwrap();
        }
        dir
    }

    fn version(source: &str) -> &str {
        source
            .split("const VERSION = \"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
    }

    #[test]
    fn lists_served_assets_and_changes_version_with_their_bytes() {
        let old = site(&[
            ("pkg/cloudshell.js", "a"),
            ("pkg/cloudshell.d.ts", "types"),
            ("icons/icon-192.png", "png"),
            ("offline.html", "<p>offline</p>"),
            ("private.txt", "not an asset"),
        ]);
        let source = service_worker_source(old.path());
        assert!(source.contains(
            r#"const ASSETS = ["/icons/icon-192.png","/offline.html","/pkg/cloudshell.js"];"#
        ));
        assert!(!source.contains("__"));
        assert_eq!(version(&source).len(), 16);
        assert_eq!(service_worker_source(old.path()), source);

        let new = site(&[
            ("pkg/cloudshell.js", "b"),
            ("icons/icon-192.png", "png"),
            ("offline.html", "<p>offline</p>"),
        ]);
        assert_ne!(
            version(&service_worker_source(new.path())),
            version(&source)
        );
    }
}
