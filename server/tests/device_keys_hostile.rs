//! Pasted keys that name their own KDF cost: refused with a field message before any
//! derivation runs, so a few requests cannot stall (or abort) the server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use std::time::Duration;

use common::devices::{create, invalid_fields, ssh_keygen};
use common::spawn_app;
use data_encoding::BASE64_MIME;
use serde_json::json;

fn key_device(name: &str, private_key: &str, passphrase: &str) -> serde_json::Value {
    json!({"name": name, "host": "10.0.0.5", "port": 22, "username": "deploy",
           "auth_type": "private_key",
           "key": {"paste": {"private_key": private_key, "passphrase": passphrase}}})
}

/// An ssh-keygen key with its bcrypt round count rewritten, as an attacker would.
fn with_bcrypt_rounds(key: &str, rounds: u32) -> String {
    let body: String = key.lines().filter(|l| !l.starts_with("-----")).collect();
    let mut der = BASE64_MIME.decode(body.as_bytes()).unwrap();
    // magic(15) | cipher string | kdf name string | kdf options: len, salt string, rounds
    let mut at = 15;
    for _ in 0..2 {
        let len = u32::from_be_bytes(der[at..at + 4].try_into().unwrap()) as usize;
        at += 4 + len;
    }
    at += 4; // the options' length
    let salt_len = u32::from_be_bytes(der[at..at + 4].try_into().unwrap()) as usize;
    at += 4 + salt_len;
    der[at..at + 4].copy_from_slice(&rounds.to_be_bytes());
    format!(
        "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----\n",
        BASE64_MIME.encode(&der)
    )
}

#[tokio::test]
async fn a_key_asking_for_billions_of_bcrypt_rounds_is_refused_at_once() {
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let key = ssh_keygen(&["-t", "ed25519", "-a", "16"], "pass phrase");
    // The same key at its own 16 rounds is fine.
    let res = create(app.addr, &token, key_device("plain", &key, "pass phrase")).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let hostile = with_bcrypt_rounds(&key, 0xFFFF_FFFF);
    let res = tokio::time::timeout(
        Duration::from_secs(60),
        create(
            app.addr,
            &token,
            key_device("hostile", &hostile, "pass phrase"),
        ),
    )
    .await
    .expect("the server derived with the key's own cost");
    assert_eq!(invalid_fields(&res), ["private_key"]);
    assert!(
        res.body.contains("bcrypt rounds 4294967295"),
        "{}",
        res.body
    );
}

#[tokio::test]
async fn a_putty_key_asking_for_terabytes_of_argon2_memory_is_refused() {
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let ppk = "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: aes256-cbc\n\
               Comment: hostile\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAIA\n\
               AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\nKey-Derivation: Argon2id\n\
               Argon2-Memory: 4294967295\nArgon2-Passes: 1\nArgon2-Parallelism: 1\n\
               Argon2-Salt: 00112233445566778899aabbccddeeff\nPrivate-Lines: 1\n\
               AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n\
               Private-MAC: 00\n";
    let res = tokio::time::timeout(
        Duration::from_secs(60),
        create(app.addr, &token, key_device("putty", ppk, "pw")),
    )
    .await
    .expect("the server derived with the key's own cost");
    assert_eq!(invalid_fields(&res), ["private_key"]);
    assert!(res.body.contains("Argon2 memory"), "{}", res.body);
    // The server is still here and answering.
    let res = create(
        app.addr,
        &token,
        common::devices::password_device("after", "pw"),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
}
