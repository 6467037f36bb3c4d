//! Password change and brute-force protection, through the real router.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use cloudshell::db::entities::audit_log;
use common::http::Request;
use common::{ADMIN_PASSWORD, TestApp, spawn_app};
use sea_orm::EntityTrait;

async fn actions(app: &TestApp) -> Vec<(String, String)> {
    app.state.auditor.flush().await.unwrap();
    audit_log::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.action, r.detail))
        .collect()
}

async fn change(app: &TestApp, token: &str, current: &str, new: &str, confirm: &str) -> u16 {
    Request::post_form(
        "/api/auth/change-password",
        &[
            ("current_password", current),
            ("new_password", new),
            ("confirm_password", confirm),
        ],
    )
    .cookie(token)
    .send(app.addr)
    .await
    .status
}

async fn login(app: &TestApp, password: &str) -> common::http::Response {
    Request::post_form(
        "/api/auth/login",
        &[("username", "admin"), ("password", password)],
    )
    .send(app.addr)
    .await
}

#[tokio::test]
async fn change_password_keeps_this_session_and_revokes_the_others() {
    let app = spawn_app().await;
    let mine = app.login_admin().await;
    let other = app.login_admin().await;
    let new = "a-brand-new-password";

    assert_eq!(change(&app, &mine, "wrong-current-pw", new, new).await, 400);
    assert_eq!(
        change(&app, &mine, ADMIN_PASSWORD, "short", "short").await,
        400
    );
    assert_eq!(
        change(&app, &mine, ADMIN_PASSWORD, ADMIN_PASSWORD, ADMIN_PASSWORD).await,
        400
    );
    assert_eq!(
        change(&app, &mine, ADMIN_PASSWORD, new, "different-confirm").await,
        400
    );
    assert_eq!(change(&app, &mine, ADMIN_PASSWORD, new, new).await, 200);

    let me = Request::get("/api/auth/me")
        .cookie(&mine)
        .send(app.addr)
        .await;
    assert_eq!(me.status, 200, "the current session survives");
    let them = Request::get("/api/auth/me")
        .cookie(&other)
        .send(app.addr)
        .await;
    assert_eq!(them.status, 401, "other sessions are revoked");
    assert_eq!(login(&app, ADMIN_PASSWORD).await.status, 401);
    assert_eq!(login(&app, new).await.status, 200);

    let log = actions(&app).await;
    let failed: Vec<&str> = log
        .iter()
        .filter(|(a, _)| a == "PASSWORD_CHANGE_FAILED")
        .map(|(_, d)| d.as_str())
        .collect();
    assert_eq!(failed.len(), 4);
    assert_eq!(failed[0], "Wrong current password");
    assert!(
        log.iter().any(|(a, d)| a == "PASSWORD_CHANGED"
            && d == "Changed password; signed out 1 other session(s)")
    );
    assert!(
        log.iter()
            .all(|(_, d)| !d.contains(new) && !d.contains(ADMIN_PASSWORD))
    );
}

#[tokio::test]
async fn change_password_needs_a_session() {
    let app = spawn_app().await;
    let res = Request::post_form("/api/auth/change-password", &[])
        .send(app.addr)
        .await;
    assert_eq!(res.status, 401);
}

#[tokio::test]
async fn five_failures_block_with_429_retry_after_and_an_audit_entry() {
    let app = spawn_app().await;
    for _ in 0..5 {
        assert_eq!(login(&app, "wrong-password-x").await.status, 401);
    }
    // Blocked now, even with the right password.
    let blocked = login(&app, ADMIN_PASSWORD).await;
    assert_eq!(blocked.status, 429, "{}", blocked.body);
    let retry: u64 = blocked.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert!(blocked.body.contains("TooManyRequests"));

    let log = actions(&app).await;
    assert_eq!(log.iter().filter(|(a, _)| a == "LOGIN_FAILED").count(), 5);
    assert!(log[4].1.contains("blocked for 60s"), "{:?}", log[4]);
    assert_eq!(log.last().unwrap().0, "LOGIN_BLOCKED");
}
