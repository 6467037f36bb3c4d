//! The installable app's files are public, and the service worker lists what the site serves.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use common::http::Request;
use common::spawn_in;

#[tokio::test]
async fn service_worker_manifest_and_offline_page_need_no_session() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::write(site.join("pkg/cloudshell.js"), "export {}").unwrap();
    std::fs::write(site.join("pkg/cloudshell.wasm"), b"\0asm").unwrap();
    let public = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../public");
    for file in ["manifest.webmanifest", "offline.html"] {
        std::fs::copy(public.join(file), site.join(file)).unwrap();
    }
    let app = spawn_in(dir, &[]).await;

    let sw = Request::get("/sw.js").send(app.addr).await;
    assert_eq!(sw.status, 200, "{}", sw.body);
    assert_eq!(
        sw.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(sw.header("cache-control"), Some("no-cache"));
    assert!(
        sw.body.contains(
            r#"const ASSETS = ["/manifest.webmanifest","/offline.html","/pkg/cloudshell.js","/pkg/cloudshell.wasm"];"#
        ),
        "{}",
        sw.body
    );
    assert!(!sw.body.contains("__VERSION__"));

    let manifest = Request::get("/manifest.webmanifest").send(app.addr).await;
    assert_eq!(manifest.status, 200);
    assert_eq!(
        manifest.header("content-type"),
        Some("application/manifest+json")
    );
    assert_eq!(manifest.json()["display"], "standalone");
    let offline = Request::get("/offline.html").send(app.addr).await;
    assert_eq!(offline.status, 200);
    assert!(offline.body.contains("CloudShell cannot reach its server"));
}
