//! The recorded client IP cannot be forged through headers, through the real router.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use cloudshell::db::entities::web_session;
use common::http::Request;
use common::{ADMIN_PASSWORD, TestApp, spawn_app, spawn_app_with};
use sea_orm::EntityTrait;

async fn login_with_xff(app: &TestApp, xff: &str) -> Option<String> {
    let res = Request::login("admin", ADMIN_PASSWORD)
        .header("X-Forwarded-For", xff)
        .send(app.addr)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    web_session::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .client_ip
}

#[tokio::test]
async fn forged_x_forwarded_for_from_an_untrusted_peer_is_ignored() {
    let app = spawn_app().await;
    let ip = login_with_xff(&app, "203.0.113.66").await;
    assert_eq!(ip.as_deref(), Some("127.0.0.1"));
}

#[tokio::test]
async fn a_trusted_proxy_chain_yields_the_real_client() {
    let app = spawn_app_with(&[("TRUSTED_PROXIES", "127.0.0.1/32, 10.0.0.0/8")]).await;
    let ip = login_with_xff(&app, "6.6.6.6, 203.0.113.9, 10.1.1.1").await;
    assert_eq!(ip.as_deref(), Some("203.0.113.9"));
}

/// A failed login with these extra headers; returns the source IP its audit entry recorded.
async fn failed_login_ip(app: &TestApp, headers: &[(&'static str, &str)]) -> String {
    let mut req = Request::login("victim", "wrong-password-1");
    for (k, v) in headers {
        req = req.header(k, *v);
    }
    assert_eq!(req.send(app.addr).await.status, 401);
    app.state.auditor.flush().await.unwrap();
    cloudshell::db::entities::audit_log::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .find(|e| e.action == "LOGIN_FAILED")
        .and_then(|e| e.source_ip)
        .unwrap()
}

#[tokio::test]
async fn an_unreadable_forwarding_header_never_falls_through_to_another() {
    let app = spawn_app_with(&[("TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    // The probe: a non-ASCII X-Forwarded-For to which nginx appended the real client, and the
    // attacker's own Forwarded. The attacker's choice was recorded before.
    let ip = failed_login_ip(
        &app,
        &[
            ("X-Forwarded-For", "\u{e9}, 203.0.113.9"),
            ("Forwarded", "for=198.51.100.77"),
        ],
    )
    .await;
    assert_eq!(ip, "203.0.113.9");
    // Nothing readable at all: the walk stops at the trusted proxy itself.
    let ip = failed_login_ip(
        &app,
        &[
            ("X-Forwarded-For", "\u{e9}"),
            ("Forwarded", "for=198.51.100.77"),
        ],
    )
    .await;
    assert_eq!(ip, "127.0.0.1");
}

#[tokio::test]
async fn forged_x_real_ip_and_forwarded_behind_an_nginx_style_proxy_are_ignored() {
    let app = spawn_app_with(&[("TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    // nginx sets X-Forwarded-For; the client added X-Real-IP and Forwarded of its own.
    let ip = failed_login_ip(
        &app,
        &[
            ("X-Forwarded-For", "198.51.100.9"),
            ("X-Real-IP", "6.6.6.6"),
            ("Forwarded", "for=6.6.6.7"),
        ],
    )
    .await;
    assert_eq!(ip, "198.51.100.9");
    // With CLIENT_IP_HEADER=x-real-ip only that header counts, and X-Forwarded-For is ignored.
    let app = spawn_app_with(&[
        ("TRUSTED_PROXIES", "127.0.0.1/32"),
        ("CLIENT_IP_HEADER", "x-real-ip"),
    ])
    .await;
    let ip = failed_login_ip(
        &app,
        &[
            ("X-Real-IP", "198.51.100.10"),
            ("X-Forwarded-For", "6.6.6.6"),
        ],
    )
    .await;
    assert_eq!(ip, "198.51.100.10");
}
