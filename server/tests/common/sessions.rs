//! Shared steps of the terminal tests: devices on the test sshd, and waiting for the log.

use std::time::Duration;

use cloudshell::db::entities::audit_log;
use serde_json::json;
use tokio::time::Instant;

use super::TestApp;
use super::devices::{audit_rows, create};
use super::sshd::{self, Sshd};

pub async fn password_device(app: &TestApp, token: &str, sshd: &Sshd, password: &str) -> i64 {
    let res = create(
        app.addr,
        token,
        json!({"name": "box", "host": "127.0.0.1", "port": sshd.port,
               "username": sshd::USER, "auth_type": "password", "password": password}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()["id"].as_i64().unwrap()
}

/// Polls the audit log until it holds `n` entries of `action` (returned oldest first), or
/// fails after `within`.
pub async fn await_audit_count(
    app: &TestApp,
    action: &str,
    n: usize,
    within: Duration,
) -> Vec<audit_log::Model> {
    let until = Instant::now() + within;
    loop {
        let rows = audit_rows(app, action).await;
        if rows.len() >= n {
            return rows;
        }
        assert!(
            Instant::now() < until,
            "{n} x {action} not recorded within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// The first entry of `action`, waiting for it up to `within`.
pub async fn await_audit(app: &TestApp, action: &str, within: Duration) -> audit_log::Model {
    await_audit_count(app, action, 1, within).await.remove(0)
}

pub async fn keyed_device(app: &TestApp, token: &str, sshd: &Sshd) -> i64 {
    let res = create(
        app.addr,
        token,
        json!({"name": "keyed", "host": "127.0.0.1", "port": sshd.port,
               "username": sshd::USER, "auth_type": "private_key",
               "key": {"paste": {"private_key": sshd.client_key}}}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()["id"].as_i64().unwrap()
}

/// The reason code, from its column.
pub fn reason_of(row: &audit_log::Model) -> String {
    row.reason.clone().unwrap_or_default()
}
