//! Login, logout, session expiry and the request gate, through the real router and SQLite.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use cloudshell::db::entities::web_session;
use common::http::Request;
use common::{ADMIN_PASSWORD, spawn_app};
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};
use time::{Duration, OffsetDateTime};

#[tokio::test]
async fn login_ok_sets_a_strict_http_only_cookie_and_me_answers() {
    let app = spawn_app().await;
    let res = Request::login("admin", ADMIN_PASSWORD).send(app.addr).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let set_cookie = res.all("set-cookie").join("\n");
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    assert!(
        !set_cookie.contains("Secure"),
        "plain HTTP must not set Secure: {set_cookie}"
    );
    assert_eq!(res.json()["username"], "admin");

    let token = res.session_cookie().expect("cookie");
    // Only the hash is stored.
    let rows = web_session::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_ne!(rows[0].token_hash, token);

    let me = Request::get("/api/auth/me")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(me.status, 200, "{}", me.body);
    let body = me.json();
    assert_eq!(body["username"], "admin");
    assert_eq!(body["role"], "admin");
    let expires = OffsetDateTime::parse(
        body["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let ttl = expires - OffsetDateTime::now_utc();
    assert!(
        ttl > Duration::hours(7) && ttl <= Duration::hours(8),
        "{ttl}"
    );
    assert_eq!(expires.offset(), time::UtcOffset::UTC);
}

#[tokio::test]
async fn bad_credentials_get_401_with_one_generic_message() {
    let app = spawn_app().await;
    let wrong_pw = Request::login("admin", "not-the-password")
        .send(app.addr)
        .await;
    let no_user = Request::login("nobody", ADMIN_PASSWORD)
        .send(app.addr)
        .await;
    assert_eq!(wrong_pw.status, 401);
    assert_eq!(no_user.status, 401);
    assert_eq!(
        wrong_pw.body, no_user.body,
        "must not reveal which part was wrong"
    );
    assert!(wrong_pw.session_cookie().is_none());
    assert_eq!(
        web_session::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn malformed_login_is_a_400_not_a_crash() {
    let app = spawn_app().await;
    let res = Request::post_form("/api/auth/login", &[("username", "admin")])
        .send(app.addr)
        .await;
    assert_eq!(res.status, 400, "{}", res.body);
    let res = Request::post_form("/api/auth/login", &[("username", ""), ("password", "")])
        .send(app.addr)
        .await;
    assert_eq!(res.status, 400, "{}", res.body);
}

#[tokio::test]
async fn logout_revokes_the_session_server_side() {
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let res = Request::post_form("/api/auth/logout", &[])
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(
        res.all("set-cookie")
            .iter()
            .any(|c| c.contains("Max-Age=0"))
    );

    // The old cookie, replayed, no longer works anywhere.
    let me = Request::get("/api/auth/me")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(me.status, 401);
    let page = Request::get("/").cookie(&token).send(app.addr).await;
    assert_eq!(page.status, 303);
    assert_eq!(page.header("location"), Some("/login"));
    assert_eq!(
        web_session::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn expired_sessions_are_rejected_and_removed() {
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let row = web_session::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let mut active: web_session::ActiveModel = row.into();
    active.expires_at = Set(OffsetDateTime::now_utc() - Duration::seconds(1));
    active.update(&app.state.db).await.unwrap();

    let me = Request::get("/api/auth/me")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(me.status, 401);
    assert!(me.all("set-cookie").iter().any(|c| c.contains("Max-Age=0")));
    assert_eq!(
        web_session::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn activity_extends_the_session_but_polling_me_does_not() {
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let set_expiry = |minutes: i64| {
        let db = app.state.db.clone();
        async move {
            let row = web_session::Entity::find().one(&db).await.unwrap().unwrap();
            let mut active: web_session::ActiveModel = row.into();
            active.expires_at = Set(OffsetDateTime::now_utc() + Duration::minutes(minutes));
            active.update(&db).await.unwrap();
        }
    };
    let expiry = || {
        let db = app.state.db.clone();
        async move {
            web_session::Entity::find()
                .one(&db)
                .await
                .unwrap()
                .unwrap()
                .expires_at
                - OffsetDateTime::now_utc()
        }
    };

    set_expiry(60).await;
    let me = Request::get("/api/auth/me")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(me.status, 200);
    assert!(
        expiry().await < Duration::minutes(61),
        "polling /me must not extend"
    );

    let page = Request::get("/").cookie(&token).send(app.addr).await;
    assert_eq!(page.status, 200);
    assert!(
        expiry().await > Duration::hours(7),
        "activity must extend the session"
    );

    // "Stay signed in" extends a session about to end, and answers with the new expiry.
    set_expiry(3).await;
    let kept = Request::post_form("/api/auth/keep-alive", &[])
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(kept.status, 200, "{}", kept.body);
    assert!(expiry().await > Duration::hours(7));
    let answered = OffsetDateTime::parse(
        kept.json()["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(answered - OffsetDateTime::now_utc() > Duration::hours(7));
}

#[tokio::test]
async fn the_gate_redirects_pages_and_refuses_api_calls_without_a_session() {
    let app = spawn_app().await;
    let page = Request::get("/").send(app.addr).await;
    assert_eq!(page.status, 303);
    assert_eq!(page.header("location"), Some("/login"));
    let deep = Request::get("/some/page").send(app.addr).await;
    assert_eq!(deep.status, 303);

    let me = Request::get("/api/auth/me").send(app.addr).await;
    assert_eq!(me.status, 401);
    assert_eq!(me.json(), serde_json::json!("Unauthorized"));
    let logout = Request::post_form("/api/auth/logout", &[])
        .send(app.addr)
        .await;
    assert_eq!(logout.status, 401);
    let forged = Request::get("/api/auth/me")
        .cookie("forged-token")
        .send(app.addr)
        .await;
    assert_eq!(forged.status, 401);

    let login_page = Request::get("/login").send(app.addr).await;
    assert_eq!(login_page.status, 200);
    assert!(login_page.body.contains("Sign in"), "{}", login_page.body);
}

#[tokio::test]
async fn a_logged_in_user_sees_the_dashboard_and_skips_the_login_page() {
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let page = Request::get("/").cookie(&token).send(app.addr).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("CloudShell"));
    assert!(
        page.body.contains(">admin<"),
        "username in the header: {}",
        page.body
    );
    assert!(page.body.contains("Logout"));

    let login = Request::get("/login").cookie(&token).send(app.addr).await;
    assert_eq!(login.status, 303);
    assert_eq!(login.header("location"), Some("/"));
}

#[tokio::test]
async fn health_reports_status_version_uptime_and_database() {
    let app = spawn_app().await;
    // Anonymous: the status and nothing else.
    let res = Request::get("/api/health").send(app.addr).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json(), serde_json::json!({"status": "ok"}));
    let token = app.login_admin().await;
    let res = Request::get("/api/health")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(res.status, 200);
    let body = res.json();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert!(body["uptime_seconds"].is_u64());
}

#[tokio::test]
async fn health_says_degraded_when_the_database_is_gone() {
    let app = spawn_app().await;
    app.state.db.clone().close().await.unwrap();
    let res = Request::get("/api/health").send(app.addr).await;
    assert_eq!(res.status, 503);
    assert_eq!(res.json(), serde_json::json!({"status": "degraded"}));
}
