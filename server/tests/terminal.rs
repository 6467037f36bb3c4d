//! The terminal end to end on the server side: the real router, a real sshd on 127.0.0.1,
//! and a WebSocket client speaking the browser's protocol.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use std::time::Duration;

use cloudshell::db::entities::audit_log;
use cloudshell::models::terminal::{ClientMessage, ErrorKind, ServerMessage};
use common::devices::{audit_rows, create};
use common::http::Request;
use common::sessions::{await_audit, await_audit_count, keyed_device, password_device, reason_of};
use common::sshd::{self, Sshd};
use common::term::{Term, connect};
use common::{TestApp, spawn_app};
use serde_json::json;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Error as WsError;

/// Gives the "box" device another stored password.
async fn set_password(app: &TestApp, token: &str, sshd: &Sshd, id: i64, password: &str) {
    let res = common::devices::update(
        app.addr,
        token,
        id,
        json!({"name": "box", "host": "127.0.0.1", "port": sshd.port,
               "username": sshd::USER, "auth_type": "password", "password": password}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
}

#[tokio::test]
async fn password_session_io_resize_paste_exit_and_its_audit() {
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let id = password_device(&app, &token, &sshd, &sshd::password()).await;

    let mut term = Term::open(app.addr, &token, id, 100, 30).await;
    let connected = term
        .expect_message(|m| matches!(m, ServerMessage::Connected { .. }))
        .await;
    term.expect_message(|m| matches!(m, ServerMessage::HostKeyLearned { .. }))
        .await;
    term.type_text("stty size\n").await;
    term.expect_output("30 100").await;
    term.control(ClientMessage::Resize {
        cols: 132,
        rows: 43,
    })
    .await;
    term.type_text("stty size\n").await;
    term.expect_output("43 132").await;

    // Pasted JSON is terminal input, byte for byte, never a command.
    let paste = r#"{"type":"resize","cols":11,"rows":7}"#;
    term.type_text(&format!(
        "echo '{paste}' | od -An -c | tr -d ' \\n'; echo\n"
    ))
    .await;
    term.expect_output(&format!("{paste}\\n")).await;
    let mark = term.output.len();
    term.type_text("stty size\n").await;
    let out = term.expect_output_after(mark, "43 132").await;
    assert!(!out.contains("7 11"), "{out}");

    term.type_text("exit 3\n").await;
    let exit = term
        .expect_message(|m| matches!(m, ServerMessage::Exit { .. }))
        .await;
    assert_eq!(exit, ServerMessage::Exit { status: 3 });
    term.expect_closed().await;

    let ended = await_audit(&app, "SESSION_ENDED", Duration::from_secs(10)).await;
    let started = await_audit(&app, "SESSION_STARTED", Duration::from_secs(10)).await;
    let ServerMessage::Connected { session_id } = connected else {
        unreachable!()
    };
    assert_eq!(started.session_id.as_deref(), Some(session_id.as_str()));
    assert_eq!(ended.session_id, started.session_id);
    assert_eq!(
        started.detail,
        format!("Started session with box (127.0.0.1:{})", sshd.port)
    );
    assert!(
        ended.detail.starts_with(&format!(
            "Ended session with box (127.0.0.1:{}): remote exit; lasted ",
            sshd.port
        )),
        "{}",
        ended.detail
    );
    assert!(ended.detail.contains(" bytes in, ") && ended.detail.ends_with(" bytes out"));
    assert_eq!(
        (ended.username.as_str(), ended.source_ip.as_deref()),
        ("admin", Some("127.0.0.1"))
    );
    assert_eq!(audit_rows(&app, "HOST_KEY_LEARNED").await.len(), 1);
}

#[tokio::test]
async fn key_auth_and_the_end_paths_each_recorded_once() {
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let id = keyed_device(&app, &token, &sshd).await;
    let wait_ended = |n| await_audit_count(&app, "SESSION_ENDED", n, Duration::from_secs(10));

    // Tab closed: a close frame.
    let mut term = Term::open(app.addr, &token, id, 80, 24).await;
    term.type_text("echo key-auth-ok\n").await;
    term.expect_output("key-auth-ok").await;
    term.ws.close(None).await.expect("close");
    wait_ended(1).await;

    // The client's TCP connection dropped without a close frame.
    let mut term = Term::open(app.addr, &token, id, 80, 24).await;
    term.expect_message(|m| matches!(m, ServerMessage::Connected { .. }))
        .await;
    drop(term);
    wait_ended(2).await;

    // Shutdown ends every live session before the process exits.
    let mut term = Term::open(app.addr, &token, id, 80, 24).await;
    term.expect_message(|m| matches!(m, ServerMessage::Connected { .. }))
        .await;
    app.state.terminals.shutdown(Duration::from_secs(5)).await;
    wait_ended(3).await;
    term.expect_closed().await;

    // Logout ends the user's sessions.
    let mut term = Term::open(app.addr, &token, id, 80, 24).await;
    term.expect_message(|m| matches!(m, ServerMessage::Connected { .. }))
        .await;
    let res = Request::post_form("/api/auth/logout", &[])
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(res.status, 200);
    wait_ended(4).await;
    term.expect_closed().await;

    let reasons: Vec<String> = audit_rows(&app, "SESSION_ENDED")
        .await
        .iter()
        .map(reason_of)
        .collect();
    assert_eq!(
        reasons,
        [
            "tab_closed",
            "connection_lost",
            "server_shutdown",
            "logged_out"
        ]
    );
    // Every start has exactly one end with the same session id.
    let starts = audit_rows(&app, "SESSION_STARTED").await;
    let ends = audit_rows(&app, "SESSION_ENDED").await;
    assert_eq!(starts.len(), 4);
    for start in &starts {
        let matching = ends
            .iter()
            .filter(|e| e.session_id == start.session_id)
            .count();
        assert_eq!(matching, 1, "{:?}", start.session_id);
    }

    // The revoked cookie cannot open a terminal.
    let refused = connect(app.addr, &token, id, &format!("http://{}", app.addr)).await;
    assert!(
        matches!(refused, Err(WsError::Http(ref r)) if r.status() == 401),
        "{refused:?}"
    );
}

#[tokio::test]
async fn failures_are_explained_and_audited_without_ending_the_web_session() {
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let token = app.login_admin().await;

    // A page on another site cannot open a terminal with our cookie.
    let id = password_device(&app, &token, &sshd, &sshd::password()).await;
    for origin in [
        "http://evil.example".to_owned(),
        format!("https://{}", app.addr),
    ] {
        let refused = connect(app.addr, &token, id, &origin).await;
        assert!(
            matches!(refused, Err(WsError::Http(ref r)) if r.status() == 403),
            "{origin}: {refused:?}"
        );
    }

    // Wrong password: an error in the terminal, SESSION_FAILED, and still logged in.
    set_password(&app, &token, &sshd, id, "wrong-password").await;
    let mut term = Term::open(app.addr, &token, id, 80, 24).await;
    let err = term
        .expect_message(|m| matches!(m, ServerMessage::Error { .. }))
        .await;
    assert!(
        matches!(
            err,
            ServerMessage::Error {
                kind: ErrorKind::AuthFailed,
                ..
            }
        ),
        "{err:?}"
    );
    term.expect_closed().await;
    let me = Request::get("/api/auth/me")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(me.status, 200);

    // Nothing listens: unreachable.
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let res = create(
        app.addr,
        &token,
        json!({"name": "dead", "host": "127.0.0.1", "port": closed_port,
               "username": "x", "auth_type": "password", "password": "x"}),
    )
    .await;
    let dead = res.json()["id"].as_i64().unwrap();
    let mut term = Term::open(app.addr, &token, dead, 80, 24).await;
    let err = term
        .expect_message(|m| matches!(m, ServerMessage::Error { .. }))
        .await;
    assert!(
        matches!(
            err,
            ServerMessage::Error {
                kind: ErrorKind::Unreachable,
                ..
            }
        ),
        "{err:?}"
    );

    // A changed host key: refused, with the mismatch audited.
    set_password(&app, &token, &sshd, id, &sshd::password()).await;
    let mut term = Term::open(app.addr, &token, id, 80, 24).await;
    term.expect_message(|m| matches!(m, ServerMessage::Connected { .. }))
        .await;
    term.ws.close(None).await.expect("close");
    {
        use cloudshell::db::entities::host_key;
        use sea_orm::{EntityTrait, sea_query::Expr};
        host_key::Entity::update_many()
            .col_expr(
                host_key::Column::Fingerprint,
                Expr::value("SHA256:someoneelse"),
            )
            .exec(&app.state.db)
            .await
            .unwrap();
    }
    let mut term = Term::open(app.addr, &token, id, 80, 24).await;
    let err = term
        .expect_message(|m| matches!(m, ServerMessage::Error { .. }))
        .await;
    let ServerMessage::Error { kind, message } = err else {
        unreachable!()
    };
    assert_eq!(kind, ErrorKind::HostKeyMismatch);
    assert!(message.contains("SHA256:someoneelse"), "{message}");

    let failed: Vec<String> = audit_rows(&app, "SESSION_FAILED")
        .await
        .into_iter()
        .map(|r| r.detail)
        .collect();
    assert_eq!(failed.len(), 3, "{failed:?}");
    assert!(failed[0].ends_with(": auth failed"), "{failed:?}");
    assert!(failed[1].ends_with(": unreachable"), "{failed:?}");
    assert!(failed[2].ends_with(": host-key mismatch"), "{failed:?}");
    assert_eq!(audit_rows(&app, "HOST_KEY_MISMATCH").await.len(), 1);
}

#[tokio::test]
async fn sessions_left_open_by_a_killed_process_end_at_the_next_start() {
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let id = password_device(&app, &token, &sshd, &sshd::password()).await;
    let mut term = Term::open(app.addr, &token, id, 80, 24).await;
    let ServerMessage::Connected { session_id } = term
        .expect_message(|m| matches!(m, ServerMessage::Connected { .. }))
        .await
    else {
        unreachable!()
    };
    term.type_text("echo counted-$((40+2))\n").await;
    term.expect_output("counted-42").await;
    // The heartbeat persists the counters that a crash would otherwise lose.
    app.state.terminals.heartbeat().await.unwrap();
    // What kill -9 leaves: the row is open, nothing recorded an end.
    std::mem::forget(term);
    let dir = app.stop().await;
    assert!(audit_rows_in(&dir, "SESSION_ENDED").await.is_empty());

    let restarted = common::spawn_in(dir, &[]).await;
    let ended = audit_rows(&restarted, "SESSION_ENDED").await;
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0].session_id.as_deref(), Some(session_id.as_str()));
    assert_eq!(ended[0].reason.as_deref(), Some("server_restart"));
    let detail = &ended[0].detail;
    assert!(detail.contains(": server restart;"), "{detail}");
    // What moved, as of the last heartbeat: the typed line in, its echo and output out.
    assert!(detail.contains("at least 23 bytes in"), "{detail}");
    assert!(!detail.contains(" 0 bytes out"), "{detail}");
    assert!(
        detail.contains(" UTC (as of the last heartbeat)"),
        "{detail}"
    );
}

/// Audit rows straight from the stopped server's database.
async fn audit_rows_in(dir: &tempfile::TempDir, action: &str) -> Vec<audit_log::Model> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let url = common::config_for(dir, &[]).database_url();
    let db = cloudshell::db::connect(&url).await.unwrap();
    let rows = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .all(&db)
        .await
        .unwrap();
    let _ = db.close().await;
    rows
}

#[tokio::test]
async fn idle_sessions_oversized_frames_and_password_changes_end_sessions() {
    let sshd = Sshd::start().await;
    let app = common::spawn_app_adjusted(|state| {
        state.session_idle_timeout = Some(Duration::from_millis(1500));
    })
    .await;
    let token = app.login_admin().await;
    let id = keyed_device(&app, &token, &sshd).await;

    // Idle: no bytes either way for the timeout.
    let mut term = Term::open(app.addr, &token, id, 80, 24).await;
    term.expect_message(|m| matches!(m, ServerMessage::Connected { .. }))
        .await;
    term.expect_closed().await;
    let ended = await_audit(&app, "SESSION_ENDED", Duration::from_secs(10)).await;
    assert_eq!(reason_of(&ended), "idle_timeout");

    // A frame over the limit is refused with a clear error.
    let mut term = Term::open(app.addr, &token, id, 80, 24).await;
    term.expect_message(|m| matches!(m, ServerMessage::Connected { .. }))
        .await;
    use futures_util::SinkExt;
    let _ = term
        .ws
        .send(tokio_tungstenite::tungstenite::Message::Binary(
            vec![b'a'; 100 * 1024].into(),
        ))
        .await;
    let err = term
        .expect_message(|m| matches!(m, ServerMessage::Error { .. }))
        .await;
    assert!(
        matches!(
            err,
            ServerMessage::Error {
                kind: ErrorKind::BadMessage,
                ..
            }
        ),
        "{err:?}"
    );

    // A password change ends the user's sessions.
    let mut term = Term::open(app.addr, &token, id, 80, 24).await;
    term.expect_message(|m| matches!(m, ServerMessage::Connected { .. }))
        .await;
    let res = Request::post_form(
        "/api/auth/change-password",
        &[
            ("current_password", common::ADMIN_PASSWORD),
            ("new_password", "a-brand-new-password-1"),
            ("confirm_password", "a-brand-new-password-1"),
        ],
    )
    .cookie(&token)
    .send(app.addr)
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    term.expect_closed().await;

    let reasons: Vec<String> = await_audit_count(&app, "SESSION_ENDED", 3, Duration::from_secs(10))
        .await
        .iter()
        .map(reason_of)
        .collect();
    assert_eq!(
        reasons,
        ["idle_timeout", "protocol_error", "password_changed"]
    );
}

#[tokio::test]
// Pings find a frozen client in 10-13 s (docs/performance.md); the bound here leaves a margin
// for a loaded 2-core machine.
async fn a_frozen_client_is_found_by_pings() {
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let id = keyed_device(&app, &token, &sshd).await;
    let mut term = Term::open(app.addr, &token, id, 80, 24).await;
    term.expect_message(|m| matches!(m, ServerMessage::Connected { .. }))
        .await;
    // From here the client reads nothing, so it answers no ping; its TCP stays up.
    let started = Instant::now();
    let ended = await_audit(&app, "SESSION_ENDED", Duration::from_secs(30)).await;
    assert_eq!(reason_of(&ended), "client_unresponsive");
    assert!(
        started.elapsed() <= Duration::from_secs(25),
        "{:?}",
        started.elapsed()
    );
    drop(term);
}

#[tokio::test]
async fn several_sessions_at_once_stay_separate() {
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let id = keyed_device(&app, &token, &sshd).await;
    let mut first = Term::open(app.addr, &token, id, 80, 24).await;
    let mut second = Term::open(app.addr, &token, id, 100, 30).await;
    first.type_text("echo one-$((1+1))\n").await;
    second.type_text("echo two-$((2+2))\n").await;
    first.expect_output("one-2").await;
    second.expect_output("two-4").await;
    assert!(!String::from_utf8_lossy(&first.output).contains("two-4"));
    assert!(!String::from_utf8_lossy(&second.output).contains("one-2"));
    assert_eq!(app.state.terminals.count(), 2);
}

#[tokio::test]
async fn a_session_a_reaper_ended_while_live_gets_its_true_end_recorded() {
    use cloudshell::db::entities::terminal_session;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let id = keyed_device(&app, &token, &sshd).await;
    let mut term = Term::open(app.addr, &token, id, 80, 24).await;
    term.type_text("echo live\n").await;
    term.expect_output("live").await;
    // A replica took this server for dead and ended the session as a restart would.
    let reaped = terminal_session::Entity::update_many()
        .col_expr(
            terminal_session::Column::EndedAt,
            Expr::value(Some(time::OffsetDateTime::now_utc())),
        )
        .col_expr(
            terminal_session::Column::EndReason,
            Expr::value(Some("server_restart".to_owned())),
        )
        .filter(terminal_session::Column::EndedAt.is_null())
        .exec(&app.state.db)
        .await
        .unwrap();
    assert_eq!(reaped.rows_affected, 1);

    term.ws.close(None).await.expect("close");
    let ended = await_audit(&app, "SESSION_ENDED", Duration::from_secs(10)).await;
    assert_eq!(reason_of(&ended), "tab_closed");
    assert!(
        ended.detail.contains("corrects an earlier end"),
        "{}",
        ended.detail
    );
    let row = terminal_session::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.end_reason.as_deref(), Some("tab_closed"));
}

#[tokio::test]
async fn a_revocation_ends_only_terminals_opened_before_it_and_applies_once() {
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let id = keyed_device(&app, &token, &sshd).await;
    let mut before = Term::open(app.addr, &token, id, 80, 24).await;
    before
        .expect_message(|m| matches!(m, ServerMessage::Connected { .. }))
        .await;
    // Published as another replica's logout would: this server learns of it by polling.
    app.state
        .revocations
        .publish("admin", cloudshell::terminal::EndReason::LoggedOut)
        .await
        .unwrap();
    let mut after = Term::open(app.addr, &token, id, 80, 24).await;
    after
        .expect_message(|m| matches!(m, ServerMessage::Connected { .. }))
        .await;
    let applied = app
        .state
        .revocations
        .poll(&app.state.terminals)
        .await
        .unwrap();
    assert_eq!(applied, 1);
    before.expect_closed().await;
    let ended = await_audit(&app, "SESSION_ENDED", Duration::from_secs(10)).await;
    assert_eq!(reason_of(&ended), "logged_out");
    // Polled again within the straggler window: not applied twice, and the terminal opened
    // after the revocation lives on.
    let again = app
        .state
        .revocations
        .poll(&app.state.terminals)
        .await
        .unwrap();
    assert_eq!(again, 0);
    after.type_text("echo after-$((2*21))\n").await;
    after.expect_output("after-42").await;
}
