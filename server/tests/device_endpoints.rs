//! A device's stored secrets belong to its endpoint (user@host:port): changing the endpoint
//! without re-entering them drops them, and a ciphertext left under another endpoint (a
//! database edit) does not decrypt.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use cloudshell::db::entities::device;
use common::devices::{create, invalid_fields, update};
use common::sessions::reason_of;
use common::spawn_app;
use common::sshd::{self, Sshd};
use common::term::Term;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::json;

fn password_device(port: u16, password: Option<&str>) -> serde_json::Value {
    let mut input = json!({"name": "web01", "host": "127.0.0.1", "port": port,
                           "username": sshd::USER, "auth_type": "password"});
    if let Some(p) = password {
        input["password"] = json!(p);
    }
    input
}

#[tokio::test]
async fn a_new_endpoint_needs_the_secret_again_and_a_moved_ciphertext_does_not_decrypt() {
    let sshd = Sshd::start().await;
    // Another machine the password must never reach.
    let elsewhere = Sshd::start().await;
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let res = create(
        app.addr,
        &token,
        password_device(sshd.port, Some(&sshd::password())),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let id = res.json()["id"].as_i64().unwrap();

    // Through the API: moving it elsewhere without the password is refused with a message.
    let res = update(app.addr, &token, id, password_device(elsewhere.port, None)).await;
    assert_eq!(invalid_fields(&res), ["password"]);
    assert!(res.body.contains("not sent there"), "{}", res.body);
    // Renaming alone keeps it.
    let mut renamed = password_device(sshd.port, None);
    renamed["name"] = json!("web01-renamed");
    let res = update(app.addr, &token, id, renamed).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["has_password"], true);

    // Behind the API's back: the row's port changed in the database. The ciphertext is bound
    // to the old endpoint, so nothing is decrypted, and nothing is sent anywhere.
    let row = device::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let mut moved = row.into_active_model();
    moved.port = Set(i32::from(elsewhere.port));
    moved.update(&app.state.db).await.unwrap();
    Term::attach(app.addr, &token, id)
        .await
        .expect_error()
        .await;
    let failed = common::devices::audit_rows(&app, "SESSION_FAILED").await;
    assert_eq!(reason_of(&failed[0]), "decrypt_failed");
}

#[tokio::test]
async fn a_key_device_moved_needs_its_key_again_and_keeps_it_when_not_moved() {
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let key = json!({"paste": {"private_key": sshd.client_key}});
    let input = |host: &str, key: serde_json::Value| {
        json!({"name": "keyed", "host": host, "port": sshd.port, "username": sshd::USER,
               "auth_type": "private_key", "key": key})
    };
    let res = create(app.addr, &token, input("127.0.0.1", key.clone())).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let id = res.json()["id"].as_i64().unwrap();
    let res = update(app.addr, &token, id, input("10.0.0.9", json!("keep"))).await;
    assert_eq!(invalid_fields(&res), ["private_key"]);
    // Re-entered in the same request, the move is fine, and the log says what changed.
    let res = update(app.addr, &token, id, input("10.0.0.9", key)).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["has_key"], true);
    let updated = common::devices::audit_rows(&app, "DEVICE_UPDATED").await;
    assert!(
        updated[0].detail.contains("private key"),
        "{}",
        updated[0].detail
    );
}
