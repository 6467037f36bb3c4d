//! Secrets at rest: DATA_DIR is private, the generated admin password goes to a 0600 file
//! (never the log) and must be replaced at the first sign-in.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::http::Request;
use common::log_capture::Captured;
use common::{postgres_admin_url, spawn_in};

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn the_first_admin_password_is_a_private_file_and_must_be_replaced() {
    let log = Captured::install();
    // No ADMIN_PASSWORD: one is generated.
    let app = common::spawn_app_with(&[("ADMIN_PASSWORD", "")]).await;
    let data_path = app.data_dir.path().to_owned();

    assert_eq!(mode(&data_path), 0o700);
    let file = data_path.join("initial-admin-password");
    assert_eq!(mode(&file), 0o600);
    let password = std::fs::read_to_string(&file).unwrap();
    assert!(password.len() >= 12);
    if postgres_admin_url().is_none() {
        for name in [
            "cloudshell.db",
            "cloudshell.db-wal",
            "cloudshell.db-shm",
            "secret.key",
            "node-id",
        ] {
            let p = data_path.join(name);
            if p.exists() {
                assert_eq!(mode(&p), 0o600, "{name}");
            }
        }
        assert!(data_path.join("cloudshell.db").exists());
    }
    let text = log.text();
    assert!(
        text.contains("initial-admin-password"),
        "the log says where"
    );
    assert!(
        !text.contains(&password),
        "the password itself is never logged"
    );

    // First sign-in: only the password change is open.
    let res = Request::login("admin", &password).send(app.addr).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["must_change_password"], true);
    let token = res.session_cookie().unwrap();
    let devices = Request::get("/api/devices")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(devices.status, 403);
    assert!(
        devices.body.contains("PasswordChangeRequired"),
        "{}",
        devices.body
    );
    let audit = Request::get("/api/audit")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(audit.status, 403);
    let ws = Request::get("/ws/terminal/1")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(ws.status, 403);

    let new = "my-own-password-123";
    let changed = Request::post_form(
        "/api/auth/change-password",
        &[
            ("current_password", password.as_str()),
            ("new_password", new),
            ("confirm_password", new),
        ],
    )
    .cookie(&token)
    .send(app.addr)
    .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert!(!file.exists(), "the generated password's file goes with it");
    let devices = Request::get("/api/devices")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(devices.status, 200);
    let me = Request::get("/api/auth/me")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(me.json()["must_change_password"], false);
}

#[tokio::test]
async fn an_existing_world_readable_install_is_tightened_at_start() {
    let app = common::spawn_app().await;
    let dir = app.stop().await;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let key = dir.path().join("secret.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let app = spawn_in(dir, &[]).await;
    assert_eq!(mode(app.data_dir.path()), 0o700);
    assert_eq!(mode(&app.data_dir.path().join("secret.key")), 0o600);
}
