//! The audit log core through the real router and a real SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use cloudshell::audit::{AuditEvent, retention};
use cloudshell::db::entities::audit_log;
use cloudshell::models::{AuditAction, AuditPage};
use common::http::Request;
use common::{ADMIN_PASSWORD, TestApp, spawn_app};
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};
use time::{Duration, OffsetDateTime};

async fn rows(app: &TestApp) -> Vec<audit_log::Model> {
    app.state.auditor.flush().await.unwrap();
    audit_log::Entity::find().all(&app.state.db).await.unwrap()
}

async fn page(app: &TestApp, token: &str, query: &str) -> AuditPage {
    let path = format!("/api/audit?{query}");
    let res = Request::get(&path).cookie(token).send(app.addr).await;
    assert_eq!(res.status, 200, "{path}: {}", res.body);
    serde_json::from_str(&res.body).unwrap()
}

#[tokio::test]
async fn login_failures_logout_land_with_user_ip_and_detail() {
    let app = spawn_app().await;
    let wrong = Request::login("admin", "wrong-password-123")
        .send(app.addr)
        .await;
    assert_eq!(wrong.status, 401);
    let unknown = Request::login("mallory", ADMIN_PASSWORD)
        .send(app.addr)
        .await;
    assert_eq!(unknown.status, 401);
    let token = app.login_admin().await;
    Request::post_form("/api/auth/logout", &[])
        .cookie(&token)
        .send(app.addr)
        .await;

    let got: Vec<(String, String, Option<String>, String)> = rows(&app)
        .await
        .into_iter()
        .map(|r| (r.username, r.action, r.source_ip, r.detail))
        .collect();
    let ip = Some("127.0.0.1".to_owned());
    assert_eq!(
        got,
        vec![
            (
                "admin".into(),
                "LOGIN_FAILED".into(),
                ip.clone(),
                "Wrong password".into()
            ),
            (
                "mallory".into(),
                "LOGIN_FAILED".into(),
                ip.clone(),
                "Unknown user".into()
            ),
            (
                "admin".into(),
                "LOGIN".into(),
                ip.clone(),
                "User logged in".into()
            ),
            (
                "admin".into(),
                "LOGOUT".into(),
                ip,
                "User logged out".into()
            ),
        ]
    );
    // No secret ever reaches the log.
    for r in rows(&app).await {
        assert!(!r.detail.contains(ADMIN_PASSWORD) && !r.detail.contains("wrong-password"));
    }
}

#[tokio::test]
async fn ten_thousand_events_from_fifty_tasks_are_all_kept_and_chained() {
    let app = spawn_app().await;
    let mut tasks = Vec::new();
    for t in 0..50 {
        let auditor = app.state.auditor.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..200 {
                auditor
                    .record(AuditEvent::new(
                        format!("user{t}"),
                        AuditAction::Other("TEST_EVENT".into()),
                        format!("event {i}"),
                    ))
                    .await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    app.state.auditor.flush().await.unwrap();
    assert_eq!(
        audit_log::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        10_000
    );
    let report = app.seal_and_verify().await;
    assert!(report.intact, "{report:?}");
    assert_eq!(report.checked, 10_001, "every event and the seal");
}

#[tokio::test]
async fn editing_a_row_makes_verify_name_that_id() {
    let app = spawn_app().await;
    for i in 0..20 {
        app.state
            .auditor
            .record(AuditEvent::new(
                "admin",
                AuditAction::Login,
                format!("n{i}"),
            ))
            .await;
    }
    let token = app.login_admin().await;
    let before = Request::get("/api/audit/verify")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(before.status, 200, "{}", before.body);
    assert_eq!(before.json()["intact"], true);

    let row = audit_log::Entity::find_by_id(7)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let mut edited: audit_log::ActiveModel = row.into();
    edited.username = Set("someone-else".into());
    edited.update(&app.state.db).await.unwrap();

    // The viewer's check covers only rows newer than the last check: it does not rescan.
    let quick = Request::get("/api/audit/verify")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(quick.json()["intact"], true);
    // An admin's full check rescans everything and finds it.
    let after = Request::get("/api/audit/verify?full=true")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(after.status, 200, "{}", after.body);
    assert_eq!(after.json()["intact"], false);
    assert_eq!(after.json()["first_broken_id"], 7);
    assert_eq!(after.json()["problem"], "tampered");
    // From then on every check says so, until a full check finds it mended.
    let later = Request::get("/api/audit/verify")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(later.json()["first_broken_id"], 7);
}

#[tokio::test]
async fn pruning_keeps_recent_rows_removes_old_ones_and_the_chain_still_verifies() {
    let app = spawn_app().await;
    let now = OffsetDateTime::now_utc();
    for days_ago in [30, 20, 10, 8, 3, 1] {
        let mut ev = AuditEvent::new("admin", AuditAction::Login, format!("{days_ago} days ago"));
        ev.ts = now - Duration::days(days_ago);
        app.state.auditor.record(ev).await;
    }
    app.state.auditor.flush().await.unwrap();
    let deleted = retention::prune(&app.state.auditor, 7, now).await.unwrap();
    assert_eq!(deleted, 4);
    let details: Vec<String> = rows(&app).await.into_iter().map(|r| r.detail).collect();
    assert_eq!(details[0], "3 days ago");
    assert_eq!(details[1], "1 days ago");
    assert!(details[2].starts_with("Pruned 4 entries"), "{details:?}");
    let checkpoint = rows(&app).await[2].checkpoint.clone();
    assert!(
        checkpoint.is_some_and(|c| c.len() == 64),
        "the checkpoint has its column"
    );
    let report = app.seal_and_verify().await;
    assert!(report.intact, "{report:?}");
    // Retention 0 keeps everything.
    assert_eq!(
        retention::prune(&app.state.auditor, 0, now).await.unwrap(),
        0
    );
}

#[tokio::test]
async fn a_large_prune_goes_in_chunks_each_with_its_checkpoint() {
    let app = spawn_app().await;
    let now = OffsetDateTime::now_utc();
    for i in 0..12_000 {
        let mut ev = AuditEvent::new("bulk", AuditAction::Login, format!("old {i}"));
        ev.ts = now - Duration::days(30);
        app.state.auditor.record(ev).await;
    }
    app.state
        .auditor
        .record(AuditEvent::new("admin", AuditAction::Login, "recent"))
        .await;
    app.state.auditor.flush().await.unwrap();
    assert_eq!(
        retention::prune(&app.state.auditor, 7, now).await.unwrap(),
        12_000
    );
    let left = rows(&app).await;
    let checkpoints = left.iter().filter(|r| r.action == "AUDIT_PRUNED").count();
    assert_eq!(checkpoints, 3, "5000 + 5000 + 2000");
    assert_eq!(left.len(), 4);
    assert!(app.seal_and_verify().await.intact);
}

#[tokio::test]
async fn ids_go_on_after_retention_empties_the_table_and_a_restart() {
    let app = spawn_app().await;
    let now = OffsetDateTime::now_utc();
    for i in 0..5 {
        let mut ev = AuditEvent::new("admin", AuditAction::Login, format!("old {i}"));
        ev.ts = now - Duration::days(30);
        app.state.auditor.record(ev).await;
    }
    app.state.auditor.flush().await.unwrap();
    // Everything is old: all of it goes, and the checkpoint row takes the next id.
    assert_eq!(
        retention::prune(&app.state.auditor, 7, now).await.unwrap(),
        5
    );
    let left = rows(&app).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id, 6, "the checkpoint continues the sequence");
    assert!(app.seal_and_verify().await.intact);

    let dir = app.stop().await;
    let app = common::spawn_in(dir, &[]).await;
    app.state
        .auditor
        .record_durable(AuditEvent::new(
            "admin",
            AuditAction::Login,
            "after restart",
        ))
        .await
        .unwrap();
    let ids: Vec<i64> = rows(&app).await.iter().map(|r| r.id).collect();
    let actions: Vec<String> = rows(&app).await.into_iter().map(|r| r.action).collect();
    assert_eq!(ids, [6, 7, 8], "no id is ever used twice: {actions:?}");
    assert!(app.seal_and_verify().await.intact);
}

#[tokio::test]
async fn keyset_pages_have_no_duplicates_or_gaps_while_rows_arrive() {
    let app = spawn_app().await;
    let token = app.login_admin().await; // one LOGIN row
    for i in 0..119 {
        app.state
            .auditor
            .record(AuditEvent::new(
                "bulk",
                AuditAction::Logout,
                format!("row {i}"),
            ))
            .await;
    }
    app.state.auditor.flush().await.unwrap();

    let first = page(&app, &token, "limit=50").await;
    assert_eq!(first.entries.len(), 50);
    assert_eq!(first.total, 120);
    assert_eq!(first.newer_cursor, None);
    let mut seen: Vec<i64> = first.entries.iter().map(|e| e.id).collect();
    // New rows arrive between pages; the older pages are not disturbed.
    for i in 0..10 {
        app.state
            .auditor
            .record(AuditEvent::new(
                "late",
                AuditAction::Logout,
                format!("late {i}"),
            ))
            .await;
    }
    app.state.auditor.flush().await.unwrap();
    let mut cursor = first.older_cursor;
    while let Some(before) = cursor {
        let p = page(&app, &token, &format!("limit=50&cursor[Before]={before}")).await;
        seen.extend(p.entries.iter().map(|e| e.id));
        cursor = p.older_cursor;
    }
    let expected: Vec<i64> = (1..=120).rev().collect();
    assert_eq!(seen, expected);

    // Newer from the oldest page leads back up without gaps.
    let oldest = page(&app, &token, "limit=50&cursor[Before]=21").await;
    assert_eq!(oldest.entries.first().map(|e| e.id), Some(20));
    let newer = page(&app, &token, "limit=50&cursor[After]=20").await;
    assert_eq!(newer.entries.last().map(|e| e.id), Some(21));
    assert_eq!(newer.entries.first().map(|e| e.id), Some(70));
}

#[tokio::test]
async fn filters_narrow_by_action_user_ip_and_text() {
    let app = spawn_app().await;
    let token = app.login_admin().await;
    app.state
        .auditor
        .record(
            AuditEvent::new("ops", AuditAction::Logout, "Bye from the Lab")
                .ip("10.9.8.7".parse().unwrap()),
        )
        .await;
    app.state.auditor.flush().await.unwrap();

    let logins = page(&app, &token, "filter[actions][0]=LOGIN").await;
    assert_eq!(logins.total, 1);
    assert!(
        logins
            .entries
            .iter()
            .all(|e| e.action == AuditAction::Login)
    );
    let by_user = page(&app, &token, "filter[user]=ops").await;
    assert_eq!(by_user.total, 1);
    let by_ip = page(&app, &token, "filter[ip]=10.9.8.7").await;
    assert_eq!(by_ip.entries[0].username, "ops");
    let by_text = page(&app, &token, "filter[text]=the%20lab").await;
    assert_eq!(by_text.total, 1, "text search is case-insensitive");
    let none = page(&app, &token, "filter[text]=100%25").await;
    assert_eq!(none.total, 0, "% is literal, not a wildcard");
    let bad_ip = Request::get("/api/audit?filter[ip]=nonsense")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(bad_ip.status, 400);
}

#[tokio::test]
async fn export_streams_csv_and_ndjson_and_is_audited() {
    let app = spawn_app().await;
    let token = app.login_admin().await;
    for i in 0..2500 {
        app.state
            .auditor
            .record(AuditEvent::new(
                "bulk",
                AuditAction::Logout,
                format!("row, \"{i}\""),
            ))
            .await;
    }
    app.state.auditor.flush().await.unwrap();

    let csv = Request::get("/api/audit/export?format=csv&actions=LOGOUT")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(csv.header("content-disposition").unwrap().contains(".csv"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(
        lines[0],
        "id,timestamp_utc,username,action,source_ip,detail,device_id,session_id,outcome,reason"
    );
    assert_eq!(lines.len(), 1 + 2500);
    assert!(lines[1].contains("\"row, \"\"2499\"\"\""), "{}", lines[1]);

    let nd = Request::get("/api/audit/export?format=ndjson")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(nd.status, 200);
    let parsed: Vec<serde_json::Value> = nd
        .body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(parsed.len() >= 2501);

    let exported = rows(&app)
        .await
        .into_iter()
        .filter(|r| r.action == "AUDIT_EXPORTED")
        .count();
    assert_eq!(exported, 2);
    let bad = Request::get("/api/audit/export?format=xml")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn reading_the_log_needs_a_session() {
    let app = spawn_app().await;
    for path in [
        "/api/audit",
        "/api/audit/verify",
        "/api/audit/export?format=csv",
    ] {
        let res = Request::get(path).send(app.addr).await;
        assert_eq!(res.status, 401, "{path}");
    }
}

#[tokio::test]
async fn every_action_round_trips_through_the_database() {
    let app = spawn_app().await;
    for action in AuditAction::KNOWN {
        app.state
            .auditor
            .record(AuditEvent::new("admin", action.clone(), action.label()))
            .await;
    }
    app.state.auditor.flush().await.unwrap();
    let back: Vec<AuditAction> = rows(&app)
        .await
        .into_iter()
        .map(|r| AuditAction::parse(&r.action))
        .collect();
    assert_eq!(back, AuditAction::KNOWN);
    for action in AuditAction::KNOWN {
        assert_ne!(
            action.kind(),
            cloudshell::models::audit::ActionKind::Unknown,
            "{action}"
        );
        assert_ne!(action.label(), action.as_str(), "{action} has a label");
    }
}

#[tokio::test]
async fn every_reason_code_round_trips_through_the_database_and_the_api() {
    use cloudshell::models::{AuditFilter, AuditReason, PageCursor};
    let app = spawn_app().await;
    for reason in AuditReason::KNOWN {
        app.state
            .auditor
            .record(
                AuditEvent::new("admin", AuditAction::SessionEnded, reason.text())
                    .reason(reason.clone()),
            )
            .await;
    }
    app.state.auditor.flush().await.unwrap();
    let stored: Vec<Option<String>> = rows(&app).await.into_iter().map(|r| r.reason).collect();
    let codes: Vec<Option<String>> = AuditReason::KNOWN
        .iter()
        .map(|r| Some(r.code().to_owned()))
        .collect();
    assert_eq!(stored, codes);
    let page = cloudshell::audit::query::page(
        &app.state.db,
        &AuditFilter::default(),
        PageCursor::Newest,
        500,
    )
    .await
    .unwrap();
    let mut back: Vec<AuditReason> = page.entries.into_iter().filter_map(|e| e.reason).collect();
    back.reverse();
    assert_eq!(back, AuditReason::KNOWN);
}

#[tokio::test]
async fn a_failed_login_records_its_reason_as_a_code() {
    let app = spawn_app().await;
    let res = Request::login("admin", "not-the-password")
        .send(app.addr)
        .await;
    assert_eq!(res.status, 401, "{}", res.body);
    let res = Request::login("nobody", "not-the-password")
        .send(app.addr)
        .await;
    assert_eq!(res.status, 401, "{}", res.body);
    let reasons: Vec<(String, Option<String>)> = rows(&app)
        .await
        .into_iter()
        .filter(|r| r.action == "LOGIN_FAILED")
        .map(|r| (r.detail, r.reason))
        .collect();
    assert_eq!(
        reasons,
        [
            (
                "Wrong password".to_owned(),
                Some("wrong_password".to_owned())
            ),
            ("Unknown user".to_owned(), Some("unknown_user".to_owned())),
        ]
    );
}
