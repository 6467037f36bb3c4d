//! Password change and brute-force protection, through the real router.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use cloudshell::db::entities::audit_log;
use common::http::Request;
use std::time::Duration;

use cloudshell::auth::password::Argon2Pool;
use cloudshell::auth::throttle::Limits;
use common::{ADMIN_PASSWORD, TestApp, spawn_app, spawn_app_adjusted, spawn_app_configured};
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
    Request::login("admin", password).send(app.addr).await
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
async fn five_failures_block_with_429_retry_after_and_refusals_cost_no_database() {
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
    // Refusals are not written one by one.
    for _ in 0..20 {
        assert_eq!(login(&app, ADMIN_PASSWORD).await.status, 429);
    }
    assert_eq!(actions(&app).await.len(), log.len());
    // And they need no database at all, whatever cookie they carry.
    app.state.db.clone().close().await.unwrap();
    for cookie in [None, Some("cloudshell_session=stale-or-forged")] {
        let mut req = Request::login("admin", ADMIN_PASSWORD);
        if let Some(c) = cookie {
            req = req.header("Cookie", c);
        }
        assert_eq!(req.send(app.addr).await.status, 429);
    }
}

fn short_blocks() -> Limits {
    Limits {
        first_block: Duration::from_secs(1),
        ..Limits::default()
    }
}

#[tokio::test]
async fn one_login_blocked_entry_per_block_counts_the_refusals() {
    let app = spawn_app_adjusted(|state| {
        state.auth = state.auth.clone().with_throttle_limits(short_blocks());
    })
    .await;
    for _ in 0..5 {
        assert_eq!(login(&app, "wrong-password-x").await.status, 401);
    }
    for _ in 0..12 {
        assert_eq!(login(&app, ADMIN_PASSWORD).await.status, 429);
    }
    app.state.auth.report_blocks().await;
    assert!(
        !actions(&app)
            .await
            .iter()
            .any(|(a, _)| a == "LOGIN_BLOCKED"),
        "not while the block lasts"
    );
    tokio::time::sleep(Duration::from_millis(1100)).await; // the block's own length
    app.state.auth.report_blocks().await;
    app.state.auth.report_blocks().await;
    let blocked: Vec<String> = actions(&app)
        .await
        .into_iter()
        .filter(|(a, _)| a == "LOGIN_BLOCKED")
        .map(|(_, d)| d)
        .collect();
    assert_eq!(
        blocked,
        ["Refused 12 login attempt(s) while this username from this address was blocked for 1s"]
    );
    assert_eq!(login(&app, ADMIN_PASSWORD).await.status, 200, "over");
}

#[tokio::test]
async fn parallel_wrong_logins_from_one_address_get_at_most_five_401s() {
    let app = spawn_app().await;
    let calls: Vec<_> = (0..40)
        .map(|_| {
            let addr = app.addr;
            tokio::spawn(
                async move { Request::login("admin", "parallel-guess-1").send(addr).await },
            )
        })
        .collect();
    let mut statuses = Vec::new();
    for call in calls {
        let res = call.await.unwrap();
        if res.status == 429 {
            assert!(res.header("retry-after").is_some());
        }
        statuses.push(res.status);
    }
    let unauthorized = statuses.iter().filter(|s| **s == 401).count();
    assert!(unauthorized <= 5, "{statuses:?}");
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        40 - unauthorized
    );
}

async fn login_from(app: &TestApp, client: &str, password: &str) -> common::http::Response {
    Request::login("admin", password)
        .header("x-forwarded-for", client)
        .send(app.addr)
        .await
}

#[tokio::test]
async fn failures_from_other_addresses_never_lock_the_admin_out() {
    // Short delays, so the attackers' own slowed attempts keep the test quick.
    let app = spawn_app_configured(&[("TRUSTED_PROXIES", "127.0.0.1/32")], |state| {
        state.auth = state.auth.clone().with_throttle_limits(Limits {
            first_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(300),
            ..Limits::default()
        });
    })
    .await;
    // Six attackers, five guesses each: every one of them is blocked.
    for attacker in 0..6 {
        let from = format!("203.0.113.{attacker}");
        for _ in 0..5 {
            assert_eq!(login_from(&app, &from, "guess-guess-1").await.status, 401);
        }
        assert_eq!(login_from(&app, &from, ADMIN_PASSWORD).await.status, 429);
    }
    // The admin, from an address that has not failed: slowed down a little, never refused.
    let started = std::time::Instant::now();
    let res = login_from(&app, "192.0.2.50", ADMIN_PASSWORD).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "the username is slowed down"
    );
}

#[tokio::test]
async fn password_checks_beyond_capacity_are_refused_at_once_with_503() {
    let app = spawn_app_adjusted(|state| {
        state.auth = state
            .auth
            .clone()
            .with_argon2_pool(Argon2Pool::new(1, 1))
            .with_throttle_limits(Limits {
                per_address: 100,
                ..Limits::default()
            });
    })
    .await;
    let addr = app.addr;
    let calls: Vec<_> = (0..12)
        .map(|i| {
            tokio::spawn(async move {
                Request::post_form(
                    "/api/auth/login",
                    &[("username", &format!("nobody{i}")), ("password", "x-x-x-x")],
                )
                .send(addr)
                .await
            })
        })
        .collect();
    let mut busy = 0;
    for call in calls {
        let res = call.await.unwrap();
        match res.status {
            401 => {}
            503 => {
                assert_eq!(res.header("retry-after"), Some("2"));
                assert!(res.body.contains("Busy"), "{}", res.body);
                busy += 1;
            }
            other => panic!("{other}: {}", res.body),
        }
    }
    assert!(busy > 0, "some were over capacity");
}

#[tokio::test]
async fn usernames_with_control_characters_or_over_64_characters_are_refused() {
    let app = spawn_app().await;
    for name in [
        "a\u{0}b".to_owned(),
        "evil\r\nadmin".to_owned(),
        "x".repeat(65),
    ] {
        let res = Request::login(&name, "whatever-pw").send(app.addr).await;
        assert_eq!(res.status, 400, "{name:?}: {}", res.body);
    }
    assert!(actions(&app).await.is_empty(), "nothing counted or stored");
    // And they cost no attempt: the admin is not blocked.
    assert_eq!(login(&app, ADMIN_PASSWORD).await.status, 200);
}

#[tokio::test]
async fn wrong_current_passwords_share_the_login_throttle() {
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let new = "a-brand-new-password";
    for _ in 0..5 {
        assert_eq!(
            change(&app, &token, "wrong-current-pw", new, new).await,
            400
        );
    }
    assert_eq!(change(&app, &token, ADMIN_PASSWORD, new, new).await, 429);
    assert_eq!(login(&app, ADMIN_PASSWORD).await.status, 429, "same key");
}
