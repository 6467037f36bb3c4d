//! The real server binary: SIGTERM stops it within its deadline even after hostile input,
//! and a kill in the middle of retention neither loses rows nor leaves a false tamper alarm.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use std::time::{Duration, Instant};

use cloudshell::audit::AuditEvent;
use cloudshell::db::entities::audit_log;
use cloudshell::models::AuditAction;
use common::http::Request;
use common::process::ServerProcess;
use common::{ADMIN_PASSWORD, fresh_data_dir, spawn_in};
use sea_orm::{EntityTrait, PaginatorTrait};

#[tokio::test]
async fn a_nul_byte_username_jams_nothing_and_sigterm_still_stops_the_server() {
    let dir = fresh_data_dir().await;
    let server = ServerProcess::start(dir.path(), &[]).expect("server starts");
    for _ in 0..5 {
        let res = Request::login("victim", "wrong-password")
            .send(server.addr)
            .await;
        assert_eq!(res.status, 401, "{}", res.body);
    }
    // PostgreSQL refuses NUL in text; this once jammed the audit writer for good. The
    // name is refused at the door now (the writer's own defence is tested in audit_hostile).
    let res = Request::login("a\u{0}b", "wrong-password")
        .send(server.addr)
        .await;
    assert_eq!(res.status, 400, "{}", res.body);
    let started = Instant::now();
    let res = Request::login("admin", ADMIN_PASSWORD)
        .send(server.addr)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "a normal sign-in took {:?}",
        started.elapsed()
    );

    let (took, status, output) = server.terminate(Duration::from_secs(15));
    assert!(status.success(), "{status:?}\n{output}");
    assert!(took < Duration::from_secs(11), "stopped after {took:?}");
    assert!(output.contains("CloudShell stopped"), "{output}");
    assert!(
        output.contains("audit log sealed"),
        "the shutdown seal is logged"
    );

    let app = spawn_in(dir, &[]).await;
    let rows = audit_log::Entity::find().all(&app.state.db).await.unwrap();
    assert_eq!(
        rows.iter().filter(|r| r.action == "LOGIN_FAILED").count(),
        5
    );
    assert_eq!(
        rows.last().unwrap().action,
        "AUDIT_SEAL",
        "sealed at shutdown"
    );
    let report = app.state.verifier.check_all().await.unwrap();
    assert!(report.intact, "{report:?}");
}

#[tokio::test]
async fn a_kill_inside_retention_loses_nothing_and_raises_no_false_alarm() {
    let dir = fresh_data_dir().await;
    let app = spawn_in(dir, &[]).await;
    let old = time::OffsetDateTime::now_utc() - time::Duration::days(10);
    for i in 0..20 {
        let mut ev = AuditEvent::new("admin", AuditAction::Login, format!("old {i}"));
        ev.ts = old;
        app.state.auditor.record(ev).await;
    }
    app.state.auditor.flush().await.unwrap();
    assert!(app.seal_and_verify().await.intact);
    let before = audit_log::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap();
    let dir = app.stop().await;

    for point in ["prune-after-delete", "prune-before-commit"] {
        // Retention runs at startup; the failpoint kills the process inside its transaction.
        let outcome = ServerProcess::start(
            dir.path(),
            &[
                ("CLOUDSHELL_FAILPOINT", point),
                ("AUDIT_RETENTION_DAYS", "7"),
            ],
        );
        let (status, output) = match outcome {
            Ok(server) => server.wait_exit(Duration::from_secs(30)),
            Err(exited) => exited,
        };
        assert!(!status.success(), "killed at {point}: {status:?}\n{output}");
        assert!(output.contains("failpoint reached"), "{output}");
    }

    let app = spawn_in(dir, &[]).await;
    let after = audit_log::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(
        after, before,
        "the deletes were rolled back with their checkpoint"
    );
    let report = app.state.verifier.check_all().await.unwrap();
    assert!(report.intact, "no false tamper alarm: {report:?}");

    // Retention then does its work whole.
    let deleted =
        cloudshell::audit::retention::prune(&app.state.auditor, 7, time::OffsetDateTime::now_utc())
            .await
            .unwrap();
    assert_eq!(deleted, 20);
    assert!(app.seal_and_verify().await.intact);
}
