//! The web edge against cross-site requests: Origin and content type on every state change,
//! PUBLIC_URL, the `__Host-` cookie and the absolute session lifetime.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use cloudshell::db::entities::{device, web_session};
use common::http::{OriginHeader, Request};
use common::{ADMIN_PASSWORD, TestApp, spawn_app, spawn_app_with};
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};
use serde_json::json;

fn device_json(name: &str) -> serde_json::Value {
    json!({"input": {"name": name, "host": "127.0.0.1", "port": 22, "username": "x",
        "auth_type": "password", "password": "pw"}})
}

async fn device_count(app: &TestApp) -> u64 {
    device::Entity::find().count(&app.state.db).await.unwrap()
}

#[tokio::test]
async fn a_cross_site_text_plain_post_creates_nothing() {
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let body = device_json("csrf-victim").to_string();

    // What a form on another site can send: text/plain and its own Origin.
    let forged = Request::post_json("/api/devices/create", &device_json("csrf-victim"))
        .origin(OriginHeader::Custom("https://evil.example.com".into()))
        .cookie(&token);
    let mut forged = forged;
    forged.headers = vec![("Content-Type", "text/plain".to_owned())];
    forged.body = body.clone().into_bytes();
    let res = forged.send(app.addr).await;
    assert_eq!(res.status, 403, "{}", res.body);
    assert!(res.body.contains("CrossSite"), "{}", res.body);

    // Same site, wrong content type: refused too.
    let mut typed = Request::post_json("/api/devices/create", &json!({})).cookie(&token);
    typed.headers.retain(|(k, _)| *k != "Content-Type");
    typed
        .headers
        .push(("Content-Type", "text/plain".to_owned()));
    typed.body = body.into_bytes();
    assert_eq!(typed.send(app.addr).await.status, 415);

    // No Origin and no Sec-Fetch-Site: refused; a null Origin too.
    for origin in [OriginHeader::Omitted, OriginHeader::Custom("null".into())] {
        let res = Request::post_json("/api/devices/create", &device_json("no-origin"))
            .origin(origin)
            .cookie(&token)
            .send(app.addr)
            .await;
        assert_eq!(res.status, 403);
    }
    assert_eq!(device_count(&app).await, 0);

    // The page itself: its Origin, or Sec-Fetch-Site: same-origin without one.
    let ok = Request::post_json("/api/devices/create", &device_json("from-the-page"))
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let ok = Request::post_json("/api/devices/create", &device_json("fetch-metadata"))
        .origin(OriginHeader::Omitted)
        .header("Sec-Fetch-Site", "same-origin")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(device_count(&app).await, 2);
}

#[tokio::test]
async fn form_endpoints_take_forms_and_login_is_guarded_too() {
    let app = spawn_app().await;
    // A login from another site (login CSRF) is refused before the password is checked.
    let res = Request::login("admin", ADMIN_PASSWORD)
        .origin(OriginHeader::Custom("http://evil.example".into()))
        .send(app.addr)
        .await;
    assert_eq!(res.status, 403);
    assert!(res.session_cookie().is_none());
    // JSON to a form endpoint.
    let res = Request::post_json(
        "/api/auth/login",
        &json!({"username": "admin", "password": ADMIN_PASSWORD}),
    )
    .send(app.addr)
    .await;
    assert_eq!(res.status, 415);
}

#[tokio::test]
async fn public_url_sets_the_origin_and_the_host_cookie() {
    let app = spawn_app_with(&[("PUBLIC_URL", "https://shell.example.test")]).await;
    let login = |origin: OriginHeader| {
        Request::login("admin", ADMIN_PASSWORD)
            .origin(origin)
            .send(app.addr)
    };
    // The request's own Host no longer counts: only the public origin does.
    assert_eq!(login(OriginHeader::SameSite).await.status, 403);
    let res = login(OriginHeader::Custom("https://shell.example.test".into())).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let cookie = res.header("set-cookie").unwrap();
    assert!(
        cookie.starts_with("__Host-cloudshell_session=") && cookie.contains("; Secure"),
        "{cookie}"
    );
    let token = res.session_cookie().unwrap();
    let me = |name: &'static str| {
        Request::get("/api/auth/me")
            .header("Cookie", format!("{name}={token}"))
            .send(app.addr)
    };
    assert_eq!(me("__Host-cloudshell_session").await.status, 200);
    // A plain-named cookie (which plain HTTP could plant) is not a session here.
    assert_eq!(me("cloudshell_session").await.status, 401);
}

#[tokio::test]
async fn sessions_end_at_their_absolute_lifetime_however_active() {
    let app = spawn_app_with(&[("SESSION_MAX_HOURS", "1"), ("TOKEN_TTL_HOURS", "8")]).await;
    let token = app.login_admin().await;
    let me = Request::get("/api/auth/me")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(me.status, 200);
    // The badge shows whichever limit comes first: here the absolute one.
    let expires = time::OffsetDateTime::parse(
        me.json()["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let left = expires - time::OffsetDateTime::now_utc();
    assert!(
        left <= time::Duration::hours(1) && left > time::Duration::minutes(58),
        "{left}"
    );

    // Activity cannot carry it past its lifetime: pretend it was created two hours ago.
    let session = web_session::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let mut active: web_session::ActiveModel = session.into();
    active.created_at = Set(time::OffsetDateTime::now_utc() - time::Duration::hours(2));
    active.update(&app.state.db).await.unwrap();
    let res = Request::post_form("/api/auth/keep-alive", &[])
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(res.status, 401);
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_pages_a_nonce_policy() {
    let app = spawn_app().await;
    let page = Request::get("/login").send(app.addr).await;
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy").unwrap().to_owned();
    let scripts = csp
        .split("; ")
        .find(|d| d.starts_with("script-src"))
        .unwrap();
    assert!(!scripts.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let nonce = scripts
        .split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .unwrap();
    // Every inline script of the page carries that nonce, so it runs; nothing else would.
    let scripts_in_page = page.body.matches("<script").count();
    assert!(scripts_in_page >= 3, "{}", page.body);
    assert_eq!(
        page.body.matches(&format!("nonce=\"{nonce}\"")).count(),
        scripts_in_page,
        "{}",
        page.body
    );
    // A second page load gets a fresh nonce.
    let again = Request::get("/login").send(app.addr).await;
    assert_ne!(again.header("content-security-policy"), Some(csp.as_str()));

    let api = Request::get("/api/auth/me").send(app.addr).await;
    for res in [&page, &api] {
        assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(res.header("referrer-policy"), Some("no-referrer"));
        assert!(res.header("content-security-policy").is_some());
        assert_eq!(res.header("strict-transport-security"), None, "plain http");
    }

    let tls = spawn_app_with(&[("PUBLIC_URL", "https://shell.example.test")]).await;
    let res = Request::get("/login").send(tls.addr).await;
    assert_eq!(
        res.header("strict-transport-security"),
        Some("max-age=31536000")
    );
}

#[tokio::test]
async fn a_rebound_dns_name_is_not_the_site_on_a_loopback_listener() {
    let app = spawn_app().await;
    // A page on evil.example whose name now resolves to 127.0.0.1: its Origin equals its Host.
    let res = Request::login("admin", "guess-guess-1")
        .origin(OriginHeader::Custom(format!(
            "http://evil.example:{}",
            app.addr.port()
        )))
        .header("Host", format!("evil.example:{}", app.addr.port()))
        .send(app.addr)
        .await;
    assert_eq!(res.status, 421, "{}", res.body);
    let page = Request::get("/login")
        .header("Host", format!("evil.example:{}", app.addr.port()))
        .send(app.addr)
        .await;
    assert_eq!(page.status, 421);
    let local = Request::get("/login")
        .header("Host", format!("localhost:{}", app.addr.port()))
        .send(app.addr)
        .await;
    assert_eq!(local.status, 200);
}
