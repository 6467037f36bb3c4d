//! The device inventory through the real router, a real SQLite (or PostgreSQL) database and
//! keys made by the real `ssh-keygen`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use cloudshell::db::entities::device;
use cloudshell::devices::DeviceError;
use cloudshell::models::DeviceView;
use cloudshell::vault::VaultError;
use common::devices::{
    audit_rows, create, invalid_fields, list, password_device, ssh_keygen, update,
};
use common::http::Request;
use common::{spawn_app, spawn_in};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::json;

fn view(body: &str) -> DeviceView {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[tokio::test]
async fn create_list_update_delete_each_audited() {
    let app = spawn_app().await;
    let token = app.login_admin().await;

    let res = create(
        app.addr,
        &token,
        password_device("web01", "s3cret-device-pw"),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let created = view(&res.body);
    assert!(created.has_password && !created.has_key);
    assert!(!res.body.contains("s3cret-device-pw"));
    let row = device::Entity::find_by_id(created.id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let stored = row.password_enc.clone().unwrap();
    assert!(stored.starts_with("v2:") && !stored.contains("s3cret"));

    let listed: Vec<DeviceView> = serde_json::from_str(&list(app.addr, &token).await.body).unwrap();
    assert_eq!(listed, vec![created.clone()]);

    // Moving it to another host and port without the password is refused: the stored
    // password is for the old endpoint only.
    let mut edit = password_device("web01", "");
    edit["host"] = json!("web01.example.org");
    edit["port"] = json!(2222);
    assert_eq!(
        invalid_fields(&update(app.addr, &token, created.id, edit.clone()).await),
        ["password"]
    );
    // With the password entered again, the move is saved.
    edit["password"] = json!("another-pw-42");
    let res = update(app.addr, &token, created.id, edit).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let updated = view(&res.body);
    assert_eq!(updated.target(), "deploy@web01.example.org:2222");
    assert!(updated.has_password);
    let moved = device::Entity::find_by_id(created.id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .password_enc
        .unwrap();

    // A rename with no password keeps the stored one, byte for byte.
    let res = update(
        app.addr,
        &token,
        created.id,
        json!({"name": "web02", "host": "web01.example.org", "port": 2222,
               "username": "deploy", "auth_type": "password"}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let row = device::Entity::find_by_id(created.id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.password_enc.as_deref(), Some(moved.as_str()));

    let res = Request::post_form("/api/devices/delete", &[("id", &created.id.to_string())])
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(list(app.addr, &token).await.body, "[]");
    let again = Request::post_form("/api/devices/delete", &[("id", &created.id.to_string())])
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(again.status, 404);

    let details = |rows: Vec<cloudshell::db::entities::audit_log::Model>| {
        rows.into_iter()
            .map(|r| {
                assert_eq!(r.username, "admin");
                assert_eq!(r.source_ip.as_deref(), Some("127.0.0.1"));
                assert_eq!(r.device_id, Some(created.id));
                r.detail
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        details(audit_rows(&app, "DEVICE_CREATED").await),
        ["Created device web01 (deploy@10.0.0.5:22, password)"]
    );
    assert_eq!(
        details(audit_rows(&app, "DEVICE_UPDATED").await),
        [
            "Updated device web01: host, port, password",
            "Updated device web02 (was web01): name"
        ]
    );
    assert_eq!(
        details(audit_rows(&app, "DEVICE_DELETED").await),
        ["Deleted device web02 (deploy@web01.example.org:2222)"]
    );
}

#[tokio::test]
async fn invalid_input_gets_field_errors() {
    let app = spawn_app().await;
    let token = app.login_admin().await;

    let bad = json!({"name": "", "host": "bad host!", "port": 70000, "username": "two words",
                     "auth_type": "keyboard_interactive"});
    assert_eq!(
        invalid_fields(&create(app.addr, &token, bad).await),
        ["name", "host", "port", "username"]
    );
    let mut no_password = password_device("web01", "");
    no_password["password"] = json!(null);
    assert_eq!(
        invalid_fields(&create(app.addr, &token, no_password).await),
        ["password"]
    );
    assert_eq!(
        create(app.addr, &token, password_device("web01", "pw"))
            .await
            .status,
        200
    );
    assert_eq!(
        invalid_fields(&create(app.addr, &token, password_device("WEB01", "pw")).await),
        ["name"]
    );
    let key = |private_key: &str, passphrase: Option<&str>| {
        json!({"name": "k", "host": "::1", "port": 22, "username": "u", "auth_type": "private_key",
               "key": {"paste": {"private_key": private_key, "passphrase": passphrase}}})
    };
    assert_eq!(
        invalid_fields(&create(app.addr, &token, key("not a key", None)).await),
        ["private_key"]
    );
    let locked = ssh_keygen(&["-t", "ed25519"], "open sesame");
    assert_eq!(
        invalid_fields(&create(app.addr, &token, key(&locked, None)).await),
        ["passphrase"]
    );
    assert_eq!(
        invalid_fields(&create(app.addr, &token, key(&locked, Some("wrong"))).await),
        ["passphrase"]
    );
    let huge = "A".repeat(20_000);
    assert_eq!(
        invalid_fields(&create(app.addr, &token, key(&huge, None)).await),
        ["private_key"]
    );
    let missing = json!({"name": "k", "host": "::1", "port": 22, "username": "u",
                         "auth_type": "private_key"});
    assert_eq!(
        invalid_fields(&create(app.addr, &token, missing).await),
        ["private_key"]
    );
    // Malformed JSON and unknown devices are clean 4xx answers, not crashes.
    let garbage = Request::post_json("/api/devices/create", &json!({"input": 42}))
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(garbage.status, 400, "{}", garbage.body);
    let res = update(app.addr, &token, 9999, password_device("x", "pw")).await;
    assert_eq!(res.status, 404);
    // Nothing was created by the refused requests.
    assert_eq!(audit_rows(&app, "DEVICE_CREATED").await.len(), 1);
    let anonymous = Request::get("/api/devices").send(app.addr).await;
    assert_eq!(anonymous.status, 401);
}

#[tokio::test]
async fn keys_pasted_or_generated_are_stored_encrypted_and_decrypt() {
    let app = spawn_app().await;
    let token = app.login_admin().await;

    // A passphrase-protected OpenSSH key and an RSA key in PEM (PKCS#1), as users paste them.
    let locked = ssh_keygen(&["-t", "ed25519"], "open sesame");
    let res = create(
        app.addr,
        &token,
        json!({"name": "pasted", "host": "10.0.0.6", "port": 22, "username": "u",
               "auth_type": "private_key",
               "key": {"paste": {"private_key": locked, "passphrase": "open sesame"}}}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let pasted = view(&res.body);
    assert!(pasted.has_key && !pasted.has_password);
    assert!(
        pasted
            .public_key
            .as_deref()
            .unwrap()
            .starts_with("ssh-ed25519 ")
    );
    let (_, creds) = app.state.devices.credentials(pasted.id).await.unwrap();
    assert_eq!(creds.private_key.unwrap().expose().trim(), locked.trim());
    assert_eq!(creds.passphrase.unwrap().expose(), "open sesame");

    let pem = ssh_keygen(&["-t", "rsa", "-b", "2048", "-m", "PEM"], "");
    assert!(pem.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    let res = create(
        app.addr,
        &token,
        json!({"name": "pem", "host": "10.0.0.7", "port": 22, "username": "u",
               "auth_type": "private_key", "key": {"paste": {"private_key": pem}}}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);

    // Generated on create (Ed25519), then replaced through the endpoint (RSA-4096).
    let res = create(
        app.addr,
        &token,
        json!({"name": "gen", "host": "10.0.0.8", "port": 22, "username": "u",
               "auth_type": "private_key", "key": {"generate": {"algorithm": "ed25519"}}}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let generated = view(&res.body);
    let public = generated.public_key.clone().unwrap();
    assert!(public.starts_with("ssh-ed25519 ") && public.ends_with(" cloudshell@gen"));
    let (_, creds) = app.state.devices.credentials(generated.id).await.unwrap();
    let private = creds.private_key.unwrap();
    assert!(private.expose().contains("BEGIN OPENSSH PRIVATE KEY"));
    assert_eq!(
        cloudshell::ssh::keys::check_private_key(&private, None).unwrap(),
        public
    );

    let res = Request::post_form(
        "/api/devices/generate-key",
        &[("id", &generated.id.to_string()), ("algorithm", "rsa4096")],
    )
    .cookie(&token)
    .send(app.addr)
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let rsa = view(&res.body);
    assert!(rsa.public_key.as_deref().unwrap().starts_with("ssh-rsa "));
    assert!(!res.body.contains("PRIVATE KEY"));

    let generated_rows = audit_rows(&app, "KEY_GENERATED").await;
    let details: Vec<&str> = generated_rows.iter().map(|r| r.detail.as_str()).collect();
    assert_eq!(details.len(), 2);
    assert!(
        details[0].starts_with("Generated Ed25519 key for gen: SHA256:"),
        "{details:?}"
    );
    assert!(
        details[1].starts_with("Generated RSA-4096 key for gen: SHA256:"),
        "{details:?}"
    );
    assert!(
        generated_rows
            .iter()
            .all(|r| r.device_id == Some(generated.id))
    );
}

#[tokio::test]
async fn a_ciphertext_moved_to_another_row_does_not_decrypt() {
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let a = view(
        &create(app.addr, &token, password_device("a", "password-of-a"))
            .await
            .body,
    );
    let b = view(
        &create(app.addr, &token, password_device("b", "password-of-b"))
            .await
            .body,
    );
    let row_a = device::Entity::find_by_id(a.id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let row_b = device::Entity::find_by_id(b.id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let mut moved = row_b.into_active_model();
    moved.password_enc = Set(row_a.password_enc.clone());
    moved.update(&app.state.db).await.unwrap();

    let (_, creds) = app.state.devices.credentials(a.id).await.unwrap();
    assert_eq!(creds.password.unwrap().expose(), "password-of-a");
    let err = app.state.devices.credentials(b.id).await.unwrap_err();
    assert!(
        matches!(err, DeviceError::Vault(VaultError::Decrypt)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_changed_secret_key_gives_a_clear_error() {
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let dev = view(
        &create(app.addr, &token, password_device("a", "password-of-a"))
            .await
            .body,
    );
    let dir = app.stop().await;

    let restarted = spawn_in(dir, &[("SECRET_KEY", "a-different-secret-key-0123456789")]).await;
    let err = restarted
        .state
        .devices
        .credentials(dev.id)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "credentials cannot be decrypted; was SECRET_KEY changed?"
    );
    // The inventory itself still works: nothing there needs the key.
    let token = restarted.login_admin().await;
    assert_eq!(list(restarted.addr, &token).await.status, 200);
}
