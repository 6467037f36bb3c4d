//! Two server processes on one PostgreSQL: a restart of one, a clock three minutes off on
//! one, and a logout on one must not end (or must end) the other's terminals as a user
//! expects. PostgreSQL only: SQLite is one process by design.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use std::time::Duration;

use cloudshell::db::entities::{audit_log, terminal_session};
use cloudshell::models::terminal::ServerMessage;
use common::http::Request;
use common::process::ServerProcess;
use common::sshd::{self, Sshd};
use common::term::Term;
use common::{ADMIN_PASSWORD, fresh_data_dir, postgres_admin_url};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::json;
use tokio::time::Instant;

fn needs_postgres() {
    assert!(
        postgres_admin_url().is_some(),
        "two replicas need one PostgreSQL: set TEST_DATABASE_URL (scripts/test-env.sh up)"
    );
}

async fn login(server: &ServerProcess) -> String {
    let res = Request::login("admin", ADMIN_PASSWORD)
        .send(server.addr)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.session_cookie().unwrap()
}

async fn database(dir: &std::path::Path) -> DatabaseConnection {
    let url = std::fs::read_to_string(dir.join("database-url")).unwrap();
    cloudshell::db::connect(&url).await.unwrap()
}

/// A second DATA_DIR for the same database and the same SECRET_KEY, as a replica on
/// another host would have.
fn replica_dir(of: &std::path::Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in ["database-url", "secret.key"] {
        std::fs::copy(of.join(file), dir.path().join(file)).unwrap();
    }
    dir
}

/// Opens a terminal to the test sshd through `server` and waits until the shell answers.
async fn open_terminal(server: &ServerProcess, token: &str, sshd: &Sshd) -> (Term, String) {
    let res = common::devices::create(
        server.addr,
        token,
        json!({"name": "box", "host": "127.0.0.1", "port": sshd.port,
               "username": sshd::USER, "auth_type": "password", "password": sshd::password()}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let id = res.json()["id"].as_i64().unwrap();
    let mut term = Term::open(server.addr, token, id, 80, 24).await;
    let session = match term
        .expect_message(|m| matches!(m, ServerMessage::Connected { .. }))
        .await
    {
        ServerMessage::Connected { session_id } => session_id,
        other => panic!("{other:?}"),
    };
    term.type_text("echo ready-$((6*7))\n").await;
    term.expect_output("ready-42").await;
    (term, session)
}

async fn session_row(db: &DatabaseConnection, id: &str) -> terminal_session::Model {
    terminal_session::Entity::find_by_id(id.to_owned())
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

async fn ends_of(db: &DatabaseConnection, session: &str) -> Vec<audit_log::Model> {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("SESSION_ENDED"))
        .filter(audit_log::Column::SessionId.eq(session))
        .all(db)
        .await
        .unwrap()
}

/// The session is open in the database, has no recorded end, and the shell still answers.
async fn assert_still_live(db: &DatabaseConnection, term: &mut Term, session: &str) {
    assert_eq!(session_row(db, session).await.ended_at, None);
    assert!(ends_of(db, session).await.is_empty(), "no SESSION_ENDED");
    term.type_text("echo still-$((7*6))\n").await;
    term.expect_output("still-42").await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: the PostgreSQL stage runs it (--include-ignored)"]
async fn restarting_one_replica_leaves_the_others_live_session_alone() {
    needs_postgres();
    let sshd = Sshd::start().await;
    let dir = fresh_data_dir().await;
    // Both share one DATA_DIR, as replicas on one host with one volume do. b starts first,
    // so the id a leaves in DATA_DIR is the one b finds when it restarts.
    let b = ServerProcess::start(dir.path(), &[]).expect("replica b");
    let a = ServerProcess::start(dir.path(), &[]).expect("replica a");
    let token = login(&a).await;
    let (mut term, session) = open_terminal(&a, &token, &sshd).await;

    let (_, status, output) = b.terminate(Duration::from_secs(15));
    assert!(status.success(), "{output}");
    let b = ServerProcess::start(dir.path(), &[]).expect("replica b again");
    assert!(b.output().contains("CloudShell listening"));

    let db = database(dir.path()).await;
    assert_still_live(&db, &mut term, &session).await;
    drop(a);
}

#[tokio::test]
#[ignore = "needs PostgreSQL: the PostgreSQL stage runs it (--include-ignored)"]
async fn a_replica_whose_clock_is_three_minutes_ahead_ends_no_live_session() {
    needs_postgres();
    let sshd = Sshd::start().await;
    let dir = fresh_data_dir().await;
    let a = ServerProcess::start(dir.path(), &[]).expect("replica a");
    let token = login(&a).await;
    let (mut term, session) = open_terminal(&a, &token, &sshd).await;

    // Its startup ends sessions whose owner stopped beating 90 s ago: by its own clock, a's
    // beat is three minutes old.
    let other = replica_dir(dir.path());
    let b = ServerProcess::start(other.path(), &[("CLOUDSHELL_TEST_CLOCK_SKEW_SECS", "180")])
        .expect("replica b");
    assert!(b.output().contains("CloudShell listening"));

    let db = database(dir.path()).await;
    assert_still_live(&db, &mut term, &session).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: the PostgreSQL stage runs it (--include-ignored)"]
async fn logout_on_one_replica_ends_the_terminal_held_by_the_other_within_five_seconds() {
    needs_postgres();
    let sshd = Sshd::start().await;
    let dir = fresh_data_dir().await;
    let a = ServerProcess::start(dir.path(), &[]).expect("replica a");
    let other = replica_dir(dir.path());
    let b = ServerProcess::start(other.path(), &[]).expect("replica b");
    let token = login(&b).await;
    let (mut term, session) = open_terminal(&b, &token, &sshd).await;

    let logout = Request::post_form("/api/auth/logout", &[])
        .cookie(&token)
        .send(a.addr)
        .await;
    assert_eq!(logout.status, 200, "{}", logout.body);
    let started = Instant::now();
    term.expect_closed().await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "closed after {:?}",
        started.elapsed()
    );
    let db = database(dir.path()).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let ends = loop {
        let ends = ends_of(&db, &session).await;
        if !ends.is_empty() || Instant::now() > deadline {
            break ends;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(ends.len(), 1, "{ends:?}");
    assert_eq!(ends[0].reason.as_deref(), Some("logged_out"));
    drop(b);
}
