//! Nothing is lost: the writer retries while the database refuses writes, and a graceful
//! shutdown flushes the queue.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use std::time::{Duration, Instant};

use cloudshell::audit::{self, AuditEvent};
use cloudshell::db::entities::audit_log;
use cloudshell::models::AuditAction;
use common::http::Request;
use common::spawn_app;
use migration::{Migrator, MigratorTrait};
use sea_orm::{EntityTrait, PaginatorTrait};

#[tokio::test]
async fn events_are_retried_while_the_database_refuses_them_and_health_says_so() {
    let app = spawn_app().await;
    // Health's details are for a signed-in user (one LOGIN entry).
    let token = app.login_admin().await;
    app.state
        .auditor
        .record(AuditEvent::new(
            "admin",
            AuditAction::Login,
            "before the outage",
        ))
        .await;
    app.state.auditor.flush().await.unwrap();

    // Take the table away: every insert now fails.
    app.take_audit_table_away().await;
    for i in 0..3 {
        app.state
            .auditor
            .record(AuditEvent::new(
                "admin",
                AuditAction::Logout,
                format!("during {i}"),
            ))
            .await;
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let health = Request::get("/api/health")
            .cookie(&token)
            .send(app.addr)
            .await;
        let body = health.json();
        if body["audit"]["status"] == "retrying" {
            assert_eq!(health.status, 503);
            assert_eq!(body["status"], "degraded");
            assert!(body["audit"]["pending"].as_u64().unwrap() >= 3, "{body}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "health never reported the failing writer"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    app.bring_audit_table_back().await;
    app.state.auditor.flush().await.unwrap();
    assert_eq!(
        audit_log::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        5
    );
    assert!(app.seal_and_verify().await.intact);
    let health = Request::get("/api/health")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["audit"]["pending"], 0);
}

#[tokio::test]
async fn graceful_shutdown_flushes_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("a.db").display());
    let db = cloudshell::db::connect(&url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let (auditor, writer) = audit::spawn(db.clone());
    for i in 0..2000 {
        auditor
            .record(AuditEvent::new(
                "admin",
                AuditAction::Logout,
                format!("e{i}"),
            ))
            .await;
    }
    writer.shutdown(auditor).await;
    assert_eq!(audit_log::Entity::find().count(&db).await.unwrap(), 2000);
}

#[tokio::test]
async fn a_shutdown_the_database_cannot_serve_spills_and_the_next_start_writes_it() {
    use std::os::unix::fs::PermissionsExt;
    let app = common::spawn_app().await;
    let spill = app.data_dir.path().join(audit::spill::SPILL_FILE);
    let (auditor, writer) = audit::spawn_with(app.state.db.clone(), None, Some(spill.clone()));
    app.take_audit_table_away().await;
    for i in 0..3 {
        auditor
            .record(AuditEvent::new(
                "admin",
                AuditAction::Logout,
                format!("spilled {i}"),
            ))
            .await;
    }
    // The database cannot take them: shutdown still ends, within its deadline.
    let started = Instant::now();
    writer
        .shutdown_within(auditor, Duration::from_millis(500))
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(7),
        "{:?}",
        started.elapsed()
    );
    let mode = std::fs::metadata(&spill).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(std::fs::read_to_string(&spill).unwrap().lines().count(), 3);

    let spilled_bytes = std::fs::read(&spill).unwrap();

    app.bring_audit_table_back().await;
    let dir = app.stop().await;
    let app = common::spawn_in(dir, &[]).await;
    assert!(!spill.exists(), "replayed and removed");
    let details = || async {
        audit_log::Entity::find()
            .all(&app.state.db)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.detail)
            .collect::<Vec<String>>()
    };
    let after_replay = details().await;
    for i in 0..3 {
        assert!(
            after_replay.contains(&format!("spilled {i}")),
            "{after_replay:?}"
        );
    }
    assert!(app.seal_and_verify().await.intact);

    // A start that died after the replay's commit but before removing the file: the next
    // start finds the same file and must not write its events twice.
    std::fs::write(&spill, &spilled_bytes).unwrap();
    let dir = app.stop().await;
    let app = common::spawn_in(dir, &[]).await;
    assert!(!spill.exists(), "removed");
    let rows = audit_log::Entity::find().all(&app.state.db).await.unwrap();
    for i in 0..3 {
        let copies = rows
            .iter()
            .filter(|r| r.detail == format!("spilled {i}"))
            .count();
        assert_eq!(copies, 1, "spilled {i} written once");
    }
    assert_eq!(
        rows.iter()
            .filter(|r| r.action == "AUDIT_SPILL_REPLAYED")
            .count(),
        1
    );
}
