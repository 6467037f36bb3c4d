//! Boots the real router on 127.0.0.1:0 with a fresh DATA_DIR and a real SQLite file.
#![allow(dead_code)]

pub mod http;

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

pub fn config_for(dir: &TempDir, extra: &[(&str, &str)]) -> Config {
    let mut vars: HashMap<String, String> = HashMap::new();
    vars.insert("DATA_DIR".into(), dir.path().display().to_string());
    vars.insert("ADMIN_PASSWORD".into(), ADMIN_PASSWORD.into());
    for (k, v) in extra {
        vars.insert((*k).into(), (*v).into());
    }
    Config::from_lookup(|k| vars.get(k).cloned()).expect("test config")
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    let data_dir = tempfile::tempdir().expect("tempdir");
    spawn_in(data_dir, extra).await
}

/// Starts a server on an existing DATA_DIR (to test what a restart keeps).
pub async fn spawn_in(data_dir: TempDir, extra: &[(&str, &str)]) -> TestApp {
    let config = config_for(&data_dir, extra);
    let options = LeptosOptions::builder()
        .output_name("cloudshell")
        .site_root(data_dir.path().join("site").display().to_string())
        .site_pkg_dir("pkg")
        .build();
    let state = server::prepare(&config, options)
        .await
        .expect("prepare")
        .state;
    let app = server::build_router(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .expect("serve");
    });
    TestApp {
        addr,
        state,
        data_dir,
        server,
    }
}

impl TestApp {
    /// Stops the server and closes its database, keeping DATA_DIR for a restart.
    pub async fn stop(self) -> TempDir {
        self.server.abort();
        let _ = self.server.await;
        let _ = self.state.db.close().await;
        self.data_dir
    }

    /// Logs in as the seeded admin and returns the session token.
    pub async fn login_admin(&self) -> String {
        let res = http::Request::post_form(
            "/api/auth/login",
            &[("username", "admin"), ("password", ADMIN_PASSWORD)],
        )
        .send(self.addr)
        .await;
        assert_eq!(res.status, 200, "login failed: {}", res.body);
        res.session_cookie().expect("session cookie")
    }
}
