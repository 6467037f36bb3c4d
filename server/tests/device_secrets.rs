//! Device secrets never leave the vault: not in API responses, not in the audit log, not in
//! the server's log. The whole log is captured at TRACE level while secrets pass through.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use common::devices::{create, list, ssh_keygen, update};
use common::http::Request;
use common::log_capture::Captured;
use common::spawn_app;
use serde_json::json;

#[tokio::test]
async fn secrets_appear_in_no_response_audit_entry_or_log_line() {
    let log = Captured::install();

    let app = spawn_app().await;
    let token = app.login_admin().await;
    let password = "PW-canary-7f3a9e";
    let new_password = "PW-canary-second-b81c";
    let passphrase = "PP-canary-91bc44";
    let key = ssh_keygen(&["-t", "ed25519"], passphrase);
    // A line of the key's base64 body: long enough that it cannot appear by chance.
    let key_line = key.lines().nth(2).expect("key body").to_owned();

    let mut bodies = Vec::new();
    let res = create(
        app.addr,
        &token,
        json!({"name": "pw", "host": "10.0.0.5", "port": 22, "username": "u",
               "auth_type": "password", "password": password}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let pw_id = res.json()["id"].as_i64().unwrap();
    bodies.push(res.body);
    let res = update(
        app.addr,
        &token,
        pw_id,
        json!({"name": "pw", "host": "10.0.0.5", "port": 22, "username": "u",
               "auth_type": "keyboard_interactive", "password": new_password}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    bodies.push(res.body);
    let res = create(
        app.addr,
        &token,
        json!({"name": "key", "host": "10.0.0.6", "port": 22, "username": "u",
               "auth_type": "private_key",
               "key": {"paste": {"private_key": key, "passphrase": passphrase}}}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let key_id = res.json()["id"].as_i64().unwrap();
    bodies.push(res.body);
    // A refused request echoes nothing either.
    let res = create(
        app.addr,
        &token,
        json!({"name": "bad", "host": "10.0.0.6", "port": 22, "username": "u",
               "auth_type": "private_key",
               "key": {"paste": {"private_key": key, "passphrase": "PP-canary-wrong"}}}),
    )
    .await;
    assert_eq!(res.status, 422);
    bodies.push(res.body);
    let res = Request::post_form(
        "/api/devices/generate-key",
        &[("id", &key_id.to_string()), ("algorithm", "ed25519")],
    )
    .cookie(&token)
    .send(app.addr)
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    bodies.push(res.body);
    bodies.push(list(app.addr, &token).await.body);
    // The generated key, read back through the vault, must not have surfaced anywhere either.
    let (_, creds) = app.state.devices.credentials(key_id).await.unwrap();
    let generated = creds.private_key.unwrap().expose().to_owned();
    let generated_line = generated.lines().nth(2).expect("generated body").to_owned();

    app.state.auditor.flush().await.unwrap();
    let audit = Request::get("/api/audit?limit=500")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(audit.status, 200);
    let export = Request::get("/api/audit/export?format=ndjson")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert!(export.body.contains("DEVICE_CREATED") && export.body.contains("KEY_GENERATED"));

    let captured = log.text();
    // The capture really holds the server's log (so this test can fail).
    assert!(captured.contains("device created"), "log was not captured");
    let canaries = [
        password,
        new_password,
        passphrase,
        "PP-canary-wrong",
        key_line.as_str(),
        generated_line.as_str(),
        "PRIVATE KEY",
    ];
    for (place, text) in bodies
        .iter()
        .map(|b| ("response", b.as_str()))
        .chain([
            ("audit page", audit.body.as_str()),
            ("audit export", export.body.as_str()),
        ])
        .chain([("server log", captured.as_str())])
    {
        for canary in canaries {
            assert!(!text.contains(canary), "{place} contains {canary:?}");
        }
    }
}
