//! Host-key trust on first use: learn, match, mismatch, forget, each audited.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use cloudshell::audit::Actor;
use cloudshell::models::{HostKeyView, Role};
use cloudshell::secret::SecretString;
use cloudshell::ssh::{HostKeyError, HostKeyVerdict, PresentedKey};
use common::devices::{audit_rows, create, password_device};
use common::http::Request;
use common::spawn_app;

fn key(fingerprint: &str) -> PresentedKey {
    PresentedKey {
        algorithm: "ssh-ed25519".into(),
        fingerprint: fingerprint.into(),
    }
}

#[tokio::test]
async fn learn_match_mismatch_forget() {
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let dev: cloudshell::models::DeviceView = serde_json::from_str(
        &create(app.addr, &token, password_device("web01", "pw"))
            .await
            .body,
    )
    .unwrap();
    let store = app.state.devices.host_keys();
    let actor = Actor::new("admin", "127.0.0.1".parse().unwrap());
    let first = key("SHA256:firstfirstfirstfirstfirstfirstfirstfirst12");
    let other = key("SHA256:otherotherotherotherotherotherotherother12");

    let host_key = |token: String| async move {
        let res = Request::get(&format!("/api/devices/host-key?id={}", dev.id))
            .cookie(&token)
            .send(app.addr)
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        serde_json::from_str::<Option<HostKeyView>>(&res.body).unwrap()
    };
    assert_eq!(host_key(token.clone()).await, None);

    // First contact learns; the same key again matches, also when the host is spelled otherwise.
    let verdict = store
        .check(&actor, Some(dev.id), "10.0.0.5", 22, &first)
        .await
        .unwrap();
    assert_eq!(verdict, HostKeyVerdict::Learned);
    let verdict = store
        .check(&actor, Some(dev.id), "10.0.0.5.", 22, &first)
        .await
        .unwrap();
    assert_eq!(verdict, HostKeyVerdict::Matched);
    let shown = host_key(token.clone()).await.expect("stored key");
    assert_eq!(
        (shown.algorithm.as_str(), shown.fingerprint.as_str()),
        ("ssh-ed25519", first.fingerprint.as_str())
    );

    // Another port is another endpoint.
    let verdict = store
        .check(&actor, None, "10.0.0.5", 2222, &other)
        .await
        .unwrap();
    assert_eq!(verdict, HostKeyVerdict::Learned);

    // A different key is refused, with both fingerprints in the message.
    let err = store
        .check(&actor, Some(dev.id), "10.0.0.5", 22, &other)
        .await
        .unwrap_err();
    let HostKeyError::Mismatch {
        stored, presented, ..
    } = &err
    else {
        panic!("expected a mismatch, got {err:?}");
    };
    assert_eq!((stored, presented), (&first, &other));
    let message = err.to_string();
    assert!(message.contains(&first.fingerprint) && message.contains(&other.fingerprint));

    // Only an admin may forget; afterwards the next key is learned anew.
    app.state
        .auth
        .create_user(
            "operator",
            SecretString::new("operator-password-1"),
            Role::Operator,
        )
        .await
        .unwrap();
    let login = Request::post_form(
        "/api/auth/login",
        &[
            ("username", "operator"),
            ("password", "operator-password-1"),
        ],
    )
    .send(app.addr)
    .await;
    let operator = login.session_cookie().expect("operator session");
    let forget = |token: String| async move {
        Request::post_form(
            "/api/devices/forget-host-key",
            &[("id", &dev.id.to_string())],
        )
        .cookie(&token)
        .send(app.addr)
        .await
    };
    assert_eq!(forget(operator).await.status, 403);
    let res = forget(token.clone()).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(host_key(token.clone()).await, None);
    let verdict = store
        .check(&actor, Some(dev.id), "10.0.0.5", 22, &other)
        .await
        .unwrap();
    assert_eq!(verdict, HostKeyVerdict::Learned);

    let details = |rows: Vec<cloudshell::db::entities::audit_log::Model>| {
        rows.into_iter().map(|r| r.detail).collect::<Vec<_>>()
    };
    assert_eq!(
        details(audit_rows(&app, "HOST_KEY_LEARNED").await),
        [
            format!(
                "Learned host key of 10.0.0.5:22: ssh-ed25519 {}",
                first.fingerprint
            ),
            format!(
                "Learned host key of 10.0.0.5:2222: ssh-ed25519 {}",
                other.fingerprint
            ),
            format!(
                "Learned host key of 10.0.0.5:22: ssh-ed25519 {}",
                other.fingerprint
            ),
        ]
    );
    let mismatches = audit_rows(&app, "HOST_KEY_MISMATCH").await;
    assert_eq!(mismatches.len(), 1);
    assert_eq!(mismatches[0].outcome.as_deref(), Some("failure"));
    assert_eq!(mismatches[0].device_id, Some(dev.id));
    assert_eq!(
        mismatches[0].detail,
        format!(
            "Refused 10.0.0.5:22: host key changed from ssh-ed25519 {} to ssh-ed25519 {}",
            first.fingerprint, other.fingerprint
        )
    );
    assert_eq!(
        details(audit_rows(&app, "HOST_KEY_FORGOTTEN").await),
        [format!(
            "Forgot host key of web01 (10.0.0.5:22): ssh-ed25519 {}",
            first.fingerprint
        )]
    );
}
