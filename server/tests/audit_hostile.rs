//! The audit log under hostile text and a stuck database: nothing jams the writer, nothing is
//! stored raw, and requests that must be on disk fail clearly instead of hanging.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use std::time::{Duration, Instant};

use cloudshell::audit::AuditEvent;
use cloudshell::db::entities::audit_log;
use cloudshell::models::AuditAction;
use common::http::Request;
use common::{ADMIN_PASSWORD, spawn_app};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};

async fn rows(app: &common::TestApp) -> Vec<audit_log::Model> {
    audit_log::Entity::find().all(&app.state.db).await.unwrap()
}

#[tokio::test]
async fn a_nul_byte_is_stored_escaped_and_never_jams_the_writer() {
    let app = spawn_app().await;
    // PostgreSQL refuses NUL in text: once, this jammed the writer for good.
    app.state
        .auditor
        .record(AuditEvent::new(
            "a\u{0}b",
            AuditAction::LoginFailed,
            "name\u{0}with\u{1b}[31mcontrols\u{202e}",
        ))
        .await;
    let started = Instant::now();
    let res = Request::login("admin", ADMIN_PASSWORD).send(app.addr).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    let stored = rows(&app).await;
    let hostile = stored.iter().find(|r| r.action == "LOGIN_FAILED").unwrap();
    assert_eq!(hostile.username, "a\\u{0000}b");
    assert_eq!(
        hostile.detail,
        "name\\u{0000}with\\u{001b}[31mcontrols\\u{202e}"
    );
    assert!(app.seal_and_verify().await.intact);
}

#[tokio::test]
async fn a_login_the_audit_log_cannot_confirm_fails_with_503_and_is_written_later() {
    let app = spawn_app().await;
    app.take_audit_table_away().await;
    let started = Instant::now();
    let res = Request::login("admin", ADMIN_PASSWORD).send(app.addr).await;
    assert_eq!(res.status, 503, "{}", res.body);
    assert!(res.body.contains("AuditDelayed"), "{}", res.body);
    assert!(res.session_cookie().is_none(), "not signed in");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(5) && waited < Duration::from_secs(10),
        "{waited:?}"
    );

    app.bring_audit_table_back().await;
    app.state.auditor.flush().await.unwrap();
    let stored = rows(&app).await;
    let login = stored
        .iter()
        .find(|r| r.action == "LOGIN")
        .expect("kept and written");
    assert!(
        !login.detail.contains("safe form"),
        "the original, not a safe form"
    );
    assert!(
        stored
            .iter()
            .any(|r| r.action == "LOGIN_FAILED" && r.detail.starts_with("Sign-in refused")),
        "the log says the sign-in was refused after all"
    );
    assert_eq!(
        cloudshell::db::entities::web_session::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        0,
        "no session was left behind"
    );
    assert!(app.seal_and_verify().await.intact);
}

#[tokio::test]
async fn one_event_the_database_refuses_does_not_hold_the_others() {
    let app = spawn_app().await;
    if common::postgres_admin_url().is_some() {
        return; // The trigger below is SQLite's syntax; PostgreSQL's NUL case is tested above.
    }
    // A database that refuses one value outright, however often the writer retries.
    app.state
        .db
        .execute_unprepared(
            "CREATE TRIGGER poison BEFORE INSERT ON audit_log \
             WHEN instr(NEW.username, 'é') > 0 BEGIN SELECT RAISE(ABORT, 'refused'); END",
        )
        .await
        .unwrap();
    for name in ["before", "josé", "after"] {
        app.state
            .auditor
            .record(AuditEvent::new(name, AuditAction::LoginFailed, "attempt"))
            .await;
    }
    tokio::time::timeout(Duration::from_secs(10), app.state.auditor.flush())
        .await
        .expect("the writer is not jammed")
        .unwrap();
    let stored = rows(&app).await;
    let names: Vec<&str> = stored.iter().map(|r| r.username.as_str()).collect();
    // The safe form escapes é; the stored-text rule then escapes that backslash too.
    assert_eq!(names, ["before", r"jos\\u{e9}", "after"]);
    assert!(
        stored[1].detail.starts_with("[stored in safe form"),
        "{}",
        stored[1].detail
    );
    assert!(app.seal_and_verify().await.intact);
}

#[tokio::test]
async fn logout_and_export_wait_for_the_log_and_fail_clearly_when_it_cannot_confirm() {
    let app = spawn_app().await;
    let token = app.login_admin().await;
    app.take_audit_table_away().await;
    let export = Request::get("/api/audit/export?format=csv")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(export.status, 503, "no export without its record");
    let logout = Request::post_form("/api/auth/logout", &[])
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(logout.status, 503);
    assert!(logout.body.contains("AuditDelayed"), "{}", logout.body);
    app.bring_audit_table_back().await;
    app.state.auditor.flush().await.unwrap();
    let actions: Vec<String> = rows(&app).await.into_iter().map(|r| r.action).collect();
    assert!(actions.contains(&"LOGOUT".to_owned()), "{actions:?}");
}

#[tokio::test]
async fn logout_is_on_disk_before_the_answer() {
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let res = Request::post_form("/api/auth/logout", &[])
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(res.status, 200);
    // No flush: it must already be there.
    assert!(rows(&app).await.iter().any(|r| r.action == "LOGOUT"));
    let token = app.login_admin().await;
    let export = Request::get("/api/audit/export?format=csv")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(export.status, 200);
    assert!(
        rows(&app)
            .await
            .iter()
            .any(|r| r.action == "AUDIT_EXPORTED")
    );
}
