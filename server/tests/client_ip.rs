//! The recorded client IP cannot be forged through headers, through the real router.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use cloudshell::db::entities::web_session;
use common::http::Request;
use common::{ADMIN_PASSWORD, TestApp, spawn_app, spawn_app_with};
use sea_orm::EntityTrait;

async fn login_with_xff(app: &TestApp, xff: &str) -> Option<String> {
    let res = Request::post_form(
        "/api/auth/login",
        &[("username", "admin"), ("password", ADMIN_PASSWORD)],
    )
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
