//! Seals and verification: truncation past a seal, a rewrite without the key and removed
//! seals are all reported; verification is incremental and concurrent calls share one run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use cloudshell::audit::seal::{ANCHOR_FILE, SealAnchor};
use cloudshell::audit::{AuditEvent, row_hash};
use cloudshell::db::entities::audit_log::{self, Column};
use cloudshell::models::{AuditAction, ChainProblem};
use common::{TestApp, spawn_app};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};

async fn record(app: &TestApp, n: usize, label: &str) {
    for i in 0..n {
        app.state
            .auditor
            .record(AuditEvent::new(
                "admin",
                AuditAction::Login,
                format!("{label} {i}"),
            ))
            .await;
    }
    app.state.auditor.flush().await.unwrap();
}

async fn record_at(app: &TestApp, n: usize, ts: time::OffsetDateTime) {
    for i in 0..n {
        let mut ev = AuditEvent::new("admin", AuditAction::Login, format!("then {i}"));
        ev.ts = ts;
        app.state.auditor.record(ev).await;
    }
    app.state.auditor.flush().await.unwrap();
}

async fn rows(app: &TestApp) -> Vec<audit_log::Model> {
    audit_log::Entity::find()
        .order_by_asc(Column::Id)
        .all(&app.state.db)
        .await
        .unwrap()
}

async fn seal(app: &TestApp) {
    app.state.sealer.seal(&app.state.auditor).await.unwrap();
}

/// What someone with write access to the database but not SECRET_KEY can do: change rows
/// and recompute every hash after them, so the unkeyed chain verifies again.
async fn rewrite_from(app: &TestApp, from_id: i64, edit: impl Fn(&mut audit_log::Model)) {
    let mut prev: Option<String> = None;
    for mut row in rows(app).await {
        if row.id < from_id {
            prev = Some(row.hash.clone());
            continue;
        }
        if row.id == from_id {
            edit(&mut row);
        }
        if let Some(p) = &prev {
            row.prev_hash = p.clone();
        }
        row.hash = row_hash(&row);
        prev = Some(row.hash.clone());
        let mut active = row.clone().into_active_model();
        active.detail = Set(row.detail.clone());
        active.username = Set(row.username.clone());
        active.prev_hash = Set(row.prev_hash.clone());
        active.hash = Set(row.hash.clone());
        active.update(&app.state.db).await.unwrap();
    }
}

#[tokio::test]
async fn a_seal_covers_the_head_and_is_kept_in_the_log_table_and_the_anchor_file() {
    let app = spawn_app().await;
    record(&app, 5, "before").await;
    seal(&app).await;
    let all = rows(&app).await;
    let sealed = all.last().unwrap();
    assert_eq!(sealed.action, "AUDIT_SEAL");
    assert_eq!(sealed.prev_hash, all[all.len() - 2].hash);
    assert_eq!(sealed.seal.as_deref().map(str::len), Some(64));
    let anchor = SealAnchor::read(&app.data_dir.path().join(ANCHOR_FILE))
        .unwrap()
        .unwrap();
    assert_eq!(
        (anchor.id, anchor.hash.as_str()),
        (sealed.id, sealed.hash.as_str())
    );
    // Nothing new: no second seal.
    seal(&app).await;
    assert_eq!(rows(&app).await.len(), all.len());
    let report = app.state.verifier.check_all().await.unwrap();
    assert!(report.intact, "{report:?}");
    assert_eq!(report.last_seal_id, Some(sealed.id));
    assert_eq!(report.unsealed, 0);
}

#[tokio::test]
async fn cutting_the_log_back_past_a_seal_is_reported() {
    let app = spawn_app().await;
    record(&app, 5, "kept").await;
    seal(&app).await;
    let sealed_id = rows(&app).await.last().unwrap().id;
    record(&app, 5, "later").await;
    // Deleting the newest rows leaves a chain that links and hashes: only the seal shows it.
    audit_log::Entity::delete_many()
        .filter(Column::Id.gte(sealed_id))
        .exec(&app.state.db)
        .await
        .unwrap();
    let report = app.state.verifier.check_all().await.unwrap();
    assert!(!report.intact, "{report:?}");
    assert_eq!(report.problem, Some(ChainProblem::SealMissing));
    assert_eq!(report.first_broken_id, Some(sealed_id));
}

#[tokio::test]
async fn a_chain_rewritten_without_the_key_is_reported() {
    let app = spawn_app().await;
    record(&app, 5, "original").await;
    seal(&app).await;
    record(&app, 3, "after").await;
    rewrite_from(&app, 2, |row| row.detail = "forged".into()).await;
    // Every link and hash is consistent again...
    let all = rows(&app).await;
    assert!(all.iter().all(|r| row_hash(r) == r.hash));
    // ...but the seal was made over the old head, and only the key could remake it.
    let report = app.state.verifier.check_all().await.unwrap();
    assert_eq!(report.problem, Some(ChainProblem::BadSeal), "{report:?}");
}

/// Appends a row at the tail as someone with database access but no key would: a proper
/// link and hash, and whatever else they like.
async fn append_forged(app: &TestApp, edit: impl Fn(&mut audit_log::Model)) {
    let tail = rows(app).await.pop().unwrap();
    let mut row = tail.clone();
    row.id = tail.id + 1;
    row.prev_hash = tail.hash.clone();
    row.reason = None;
    row.checkpoint = None;
    row.seal = None;
    edit(&mut row);
    row.hash = row_hash(&row);
    audit_log::Entity::insert(row.into_active_model())
        .exec(&app.state.db)
        .await
        .unwrap();
}

#[tokio::test]
async fn cutting_the_oldest_rows_behind_a_forged_checkpoint_is_reported() {
    let app = spawn_app().await;
    record(&app, 10, "history").await;
    seal(&app).await;
    let cut = rows(&app).await[4].clone(); // rows 1..=5 go
    audit_log::Entity::delete_many()
        .filter(Column::Id.lte(cut.id))
        .exec(&app.state.db)
        .await
        .unwrap();
    // A retention checkpoint naming the cut, without the key's HMAC over it.
    append_forged(&app, |row| {
        row.action = "AUDIT_PRUNED".into();
        row.detail = "Pruned 5 entries".into();
        row.checkpoint = Some(cut.hash.clone());
        row.seal = Some("00".repeat(32));
    })
    .await;
    let report = app.state.verifier.check_all().await.unwrap();
    assert_eq!(report.problem, Some(ChainProblem::Tampered), "{report:?}");
    assert_eq!(report.first_broken_id, Some(cut.id + 1));
}

#[tokio::test]
async fn a_new_chain_from_genesis_in_place_of_the_old_one_is_reported() {
    let app = spawn_app().await;
    record(&app, 5, "history").await;
    seal(&app).await;
    let newest = rows(&app).await.pop().unwrap();
    audit_log::Entity::delete_many()
        .exec(&app.state.db)
        .await
        .unwrap();
    // Ids past the anchor's, starting from GENESIS: an empty-looking history of its own.
    let mut prev = cloudshell::audit::GENESIS.to_owned();
    for id in newest.id + 1..newest.id + 4 {
        let mut row = newest.clone();
        row.id = id;
        row.action = "LOGIN".into();
        row.seal = None;
        row.prev_hash = prev.clone();
        row.hash = row_hash(&row);
        prev = row.hash.clone();
        audit_log::Entity::insert(row.into_active_model())
            .exec(&app.state.db)
            .await
            .unwrap();
    }
    let report = app.state.verifier.check_all().await.unwrap();
    assert_eq!(report.problem, Some(ChainProblem::Tampered), "{report:?}");
    assert_eq!(report.first_broken_id, Some(newest.id + 1));
}

#[tokio::test]
async fn retention_between_two_quick_checks_raises_no_false_alarm() {
    let app = spawn_app().await;
    let old = time::OffsetDateTime::now_utc() - time::Duration::days(10);
    record_at(&app, 10, old).await;
    assert!(app.state.verifier.check_all().await.unwrap().intact);
    // Rows the quick check has not seen yet go with retention, past the last one it checked.
    record_at(&app, 10, old).await;
    let deleted =
        cloudshell::audit::retention::prune(&app.state.auditor, 7, time::OffsetDateTime::now_utc())
            .await
            .unwrap();
    assert_eq!(deleted, 20);
    record(&app, 3, "after").await;
    let report = app.state.verifier.check_new().await.unwrap();
    assert!(report.intact, "{report:?}");
    assert!(app.seal_and_verify().await.intact);
}

#[tokio::test]
async fn verification_checks_only_new_rows_and_concurrent_calls_share_one_run() {
    let app = spawn_app().await;
    record(&app, 300, "first").await;
    let verifier = app.state.verifier.clone();
    // The startup's full check may still be running; this waits for it or repeats it.
    verifier.check_all().await.unwrap();
    let read_before = verifier.rows_read();
    record(&app, 200, "second").await;
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let v = verifier.clone();
            tokio::spawn(async move { v.check_new().await.unwrap() })
        })
        .collect();
    for call in calls {
        assert!(call.await.unwrap().intact);
    }
    assert_eq!(
        verifier.rows_read() - read_before,
        200,
        "fifty calls read the two hundred new rows once"
    );
}

#[tokio::test]
async fn a_full_check_needs_an_admin_and_the_quick_one_any_session() {
    use cloudshell::models::Role;
    use cloudshell::secret::SecretString;
    let app = spawn_app().await;
    let anonymous = common::http::Request::get("/api/audit/verify?full=true")
        .send(app.addr)
        .await;
    assert_eq!(anonymous.status, 401, "{}", anonymous.body);
    app.state
        .auth
        .create_user(
            "viewer",
            SecretString::new("viewer-password-1"),
            Role::Auditor,
        )
        .await
        .unwrap();
    let res = common::http::Request::login("viewer", "viewer-password-1")
        .send(app.addr)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let user = res.session_cookie().unwrap();
    let refused = common::http::Request::get("/api/audit/verify?full=true")
        .cookie(&user)
        .send(app.addr)
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    app.state.verifier.check_all().await.unwrap();
    let quick = common::http::Request::get("/api/audit/verify")
        .cookie(&user)
        .send(app.addr)
        .await;
    assert_eq!(quick.status, 200, "{}", quick.body);
    let token = app.login_admin().await;
    let full = common::http::Request::get("/api/audit/verify?full=true")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(full.status, 200, "{}", full.body);
    assert_eq!(full.json()["intact"], true);
}
