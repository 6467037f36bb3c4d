//! Helpers for the device tests: requests, audit rows, and keys made by the real ssh-keygen.

use std::net::SocketAddr;
use std::process::Command;

use cloudshell::db::entities::audit_log;
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::{Value, json};

use super::TestApp;
use super::http::{Request, Response};

pub fn password_device(name: &str, password: &str) -> Value {
    json!({
        "name": name, "host": "10.0.0.5", "port": 22, "username": "deploy",
        "auth_type": "password", "password": password
    })
}

pub async fn create(addr: SocketAddr, token: &str, input: Value) -> Response {
    Request::post_json("/api/devices/create", &json!({ "input": input }))
        .cookie(token)
        .send(addr)
        .await
}

pub async fn update(addr: SocketAddr, token: &str, id: i64, input: Value) -> Response {
    Request::post_json("/api/devices/update", &json!({ "id": id, "input": input }))
        .cookie(token)
        .send(addr)
        .await
}

pub async fn list(addr: SocketAddr, token: &str) -> Response {
    Request::get("/api/devices").cookie(token).send(addr).await
}

/// The field names of a 422's field errors.
pub fn invalid_fields(res: &Response) -> Vec<String> {
    assert_eq!(res.status, 422, "{}", res.body);
    res.json()["Invalid"]
        .as_array()
        .expect("field errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Every audit row of `action`, oldest first, after the writer has flushed.
pub async fn audit_rows(app: &TestApp, action: &str) -> Vec<audit_log::Model> {
    app.state.auditor.flush().await.expect("flush");
    audit_log::Entity::find()
        .order_by_asc(audit_log::Column::Id)
        .all(&app.state.db)
        .await
        .expect("audit rows")
        .into_iter()
        .filter(|r| r.action == action)
        .collect()
}

/// A private key written by `ssh-keygen`, as a user would paste it.
pub fn ssh_keygen(kind: &[&str], passphrase: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("key");
    let status = Command::new("ssh-keygen")
        .args(kind)
        .args(["-q", "-N", passphrase, "-C", "test@cloudshell", "-f"])
        .arg(&path)
        .status()
        .expect("ssh-keygen (openssh-client) must be installed");
    assert!(status.success());
    std::fs::read_to_string(&path).expect("key file")
}
