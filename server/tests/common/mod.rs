//! Boots the real router on 127.0.0.1:0 with a fresh DATA_DIR and a real SQLite file.
#![allow(dead_code)]

pub mod devices;
pub mod files;
pub mod http;
pub mod log_capture;
pub mod process;
pub mod roles;
pub mod sessions;
pub mod sshd;
pub mod term;

use std::collections::HashMap;
use std::net::SocketAddr;

use cloudshell::config::Config;
use leptos::config::LeptosOptions;
use server::AppState;
use tempfile::TempDir;

pub const ADMIN_PASSWORD: &str = "integration-admin-pass";

pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    pub data_dir: TempDir,
    server: tokio::task::JoinHandle<()>,
}

/// Set to a PostgreSQL admin URL to run the integration tests against PostgreSQL; each test
/// then gets its own fresh database. Unset, every test uses a SQLite file in its DATA_DIR.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// Creates a fresh PostgreSQL database named after the (random) DATA_DIR and returns its URL.
async fn fresh_postgres_database(admin_url: &str, dir: &TempDir) -> String {
    use sea_orm::ConnectionTrait;
    let suffix: String = dir
        .path()
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let name = format!("cloudshell_test_{suffix}");
    let admin = sea_orm::Database::connect(admin_url)
        .await
        .expect("connect TEST_DATABASE_URL");
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create test database");
    admin.close().await.ok();
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(admin_url);
    format!("{base}/{name}")
}

pub fn config_for(dir: &TempDir, extra: &[(&str, &str)]) -> Config {
    let mut vars: HashMap<String, String> = HashMap::new();
    vars.insert("DATA_DIR".into(), dir.path().display().to_string());
    if let Ok(url) = std::fs::read_to_string(dir.path().join("database-url")) {
        vars.insert("DATABASE_URL".into(), url);
    }
    vars.insert("ADMIN_PASSWORD".into(), ADMIN_PASSWORD.into());
    // The test sshd listens on loopback, which devices may not reach by default.
    vars.insert("DEVICE_ALLOW_CIDRS".into(), "127.0.0.1/32".into());
    for (k, v) in extra {
        vars.insert((*k).into(), (*v).into());
    }
    Config::from_lookup(|k| vars.get(k).cloned()).expect("test config")
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    spawn_in(fresh_data_dir().await, extra).await
}

/// A new DATA_DIR; on PostgreSQL runs, with a fresh database remembered in it, so a
/// restart (or a second process) on the same DATA_DIR finds the same database.
pub async fn fresh_data_dir() -> TempDir {
    let data_dir = tempfile::tempdir().expect("tempdir");
    if let Some(admin) = postgres_admin_url() {
        let url = fresh_postgres_database(&admin, &data_dir).await;
        std::fs::write(data_dir.path().join("database-url"), url).expect("write url");
    }
    data_dir
}

/// Starts a server on an existing DATA_DIR (to test what a restart keeps).
pub async fn spawn_in(data_dir: TempDir, extra: &[(&str, &str)]) -> TestApp {
    spawn_in_with(data_dir, extra, |_| {}).await
}

/// A fresh server whose state `adjust` may change first (short timeouts, say).
pub async fn spawn_app_adjusted(adjust: impl FnOnce(&mut AppState)) -> TestApp {
    spawn_app_configured(&[], adjust).await
}

/// A fresh server with extra configuration whose state `adjust` may change first.
pub async fn spawn_app_configured(
    extra: &[(&str, &str)],
    adjust: impl FnOnce(&mut AppState),
) -> TestApp {
    let data_dir = tempfile::tempdir().expect("tempdir");
    if let Some(admin) = postgres_admin_url() {
        let url = fresh_postgres_database(&admin, &data_dir).await;
        std::fs::write(data_dir.path().join("database-url"), url).expect("write url");
    }
    spawn_in_with(data_dir, extra, adjust).await
}

pub async fn spawn_in_with(
    data_dir: TempDir,
    extra: &[(&str, &str)],
    adjust: impl FnOnce(&mut AppState),
) -> TestApp {
    let config = config_for(&data_dir, extra);
    let options = LeptosOptions::builder()
        .output_name("cloudshell")
        .site_root(data_dir.path().join("site").display().to_string())
        .site_pkg_dir("pkg")
        .build();
    let mut state = server::prepare(&config, options)
        .await
        .expect("prepare")
        .state;
    adjust(&mut state);
    let app = server::build_router(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(server::serve::run(
        listener,
        app,
        server::serve::Limits::default(),
        std::future::pending(),
    ));
    TestApp {
        addr,
        state,
        data_dir,
        server,
    }
}

impl TestApp {
    /// Seals the head (as the server does every few minutes), then checks the whole chain.
    /// Tests that backdate events seal first: a running server's unsealed rows are young.
    pub async fn seal_and_verify(&self) -> cloudshell::models::VerifyReport {
        self.state
            .sealer
            .seal(&self.state.auditor)
            .await
            .expect("seal");
        self.state.verifier.check_all().await.expect("verify")
    }

    /// Takes the audit table away (renames it), so every audit write fails until
    /// `bring_audit_table_back`: the database is up but refuses the log.
    pub async fn take_audit_table_away(&self) {
        use sea_orm::ConnectionTrait;
        self.state
            .db
            .execute_unprepared("ALTER TABLE audit_log RENAME TO audit_log_away")
            .await
            .expect("rename audit_log away");
    }

    pub async fn bring_audit_table_back(&self) {
        use sea_orm::ConnectionTrait;
        self.state
            .db
            .execute_unprepared("ALTER TABLE audit_log_away RENAME TO audit_log")
            .await
            .expect("rename audit_log back");
    }

    /// Stops the server and closes its database, keeping DATA_DIR for a restart.
    pub async fn stop(self) -> TempDir {
        self.server.abort();
        let _ = self.server.await;
        let _ = self.state.db.close().await;
        self.data_dir
    }

    /// Logs in as the seeded admin and returns the session token.
    pub async fn login_admin(&self) -> String {
        let res = http::Request::login("admin", ADMIN_PASSWORD)
            .send(self.addr)
            .await;
        assert_eq!(res.status, 200, "login failed: {}", res.body);
        res.session_cookie().expect("session cookie")
    }
}
