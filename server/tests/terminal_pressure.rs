//! Terminals under pressure from either side: a remote that stops reading must not freeze
//! the session, a slow browser that keeps reading is not a frozen one, and a frozen one is
//! still ended.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use std::time::Duration;

use cloudshell::models::terminal::ServerMessage;
use common::http::Request;
use common::sessions::{await_audit, keyed_device, reason_of};
use common::spawn_app;
use common::sshd::Sshd;
use common::term::Term;
use futures_util::{SinkExt, StreamExt};
use tokio::time::{Instant, timeout};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn a_remote_that_stops_reading_does_not_keep_logout_from_ending_the_session() {
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let id = keyed_device(&app, &token, &sshd).await;
    let mut term = Term::open(app.addr, &token, id, 80, 24).await;
    term.expect_message(|m| matches!(m, ServerMessage::Connected { .. }))
        .await;
    // Raw mode: a full TTY input queue then blocks sshd (in canonical mode the TTY would
    // discard the excess), so the remote really stops reading.
    term.type_text("stty raw -echo; sleep 600\n").await;
    // A 4 MiB paste the remote never reads: more than its SSH window and the PTY take.
    let chunk = vec![b'x'; 32 * 1024];
    for _ in 0..128 {
        let sent = timeout(
            Duration::from_secs(2),
            term.ws.send(Message::Binary(chunk.clone().into())),
        )
        .await;
        if sent.is_err() {
            break; // our own socket is full now: the gateway stopped reading, as it should
        }
    }
    let started = Instant::now();
    let res = Request::post_form("/api/auth/logout", &[])
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let ended = await_audit(&app, "SESSION_ENDED", Duration::from_secs(2)).await;
    assert_eq!(reason_of(&ended), "logged_out");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

/// Reads the socket at about `rate` bytes a second until it closes or `within` passes;
/// returns the bytes read and whether the server closed it.
async fn read_slowly(
    term: &mut Term,
    rate: usize,
    within: Duration,
    stop_at: usize,
) -> (usize, bool) {
    let until = Instant::now() + within;
    let started = Instant::now();
    let mut read = 0usize;
    while Instant::now() < until && read < stop_at {
        match timeout(Duration::from_secs(1), term.ws.next()).await {
            Err(_) => continue,
            Ok(Some(Ok(Message::Binary(b)))) => read += b.len(),
            Ok(Some(Ok(Message::Close(_)))) | Ok(None) | Ok(Some(Err(_))) => return (read, true),
            Ok(Some(Ok(_))) => {}
        }
        // Stay at the rate: sleep until the bytes read so far are due.
        let due = started + Duration::from_secs_f64(read as f64 / rate as f64);
        tokio::time::sleep_until(due).await;
    }
    (read, false)
}

#[tokio::test]
async fn a_slow_browser_keeps_its_session_and_a_frozen_one_is_ended() {
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let id = keyed_device(&app, &token, &sshd).await;

    // 100 KB/s for 2.5 MB: 25 s, well past the 10 s without a pong that once ended it.
    let mut slow = Term::open(app.addr, &token, id, 80, 24).await;
    slow.expect_message(|m| matches!(m, ServerMessage::Connected { .. }))
        .await;
    slow.type_text("head -c 1900000 /dev/zero | base64 -w0; echo; echo slow-done\n")
        .await;
    let (read, closed) = read_slowly(&mut slow, 100_000, Duration::from_secs(60), 2_530_000).await;
    assert!(!closed, "the slow browser was dropped after {read} bytes");
    assert!(read >= 2_500_000, "read only {read} bytes");
    slow.type_text("echo still-$((6*7))\n").await;
    slow.expect_output("still-42").await;
    drop(slow);
    await_audit(&app, "SESSION_ENDED", Duration::from_secs(10)).await;

    // A browser that stops reading altogether (as if SIGSTOPped) is ended within 15 s.
    let mut frozen = Term::open(app.addr, &token, id, 80, 24).await;
    frozen
        .expect_message(|m| matches!(m, ServerMessage::Connected { .. }))
        .await;
    frozen
        .type_text("head -c 20000000 /dev/zero | base64 -w0\n")
        .await;
    let stopped = Instant::now();
    let ended = loop {
        let ends = common::devices::audit_rows(&app, "SESSION_ENDED").await;
        if ends.len() >= 2 {
            break ends[1].clone();
        }
        assert!(
            stopped.elapsed() < Duration::from_secs(15),
            "a frozen browser was not ended within 15 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(reason_of(&ended), "client_unresponsive");
    drop(frozen);
}

#[tokio::test]
async fn loopback_and_metadata_addresses_are_refused_by_default_with_a_fixed_message() {
    let sshd = Sshd::start().await;
    // No DEVICE_ALLOW_CIDRS: the defaults apply.
    let app = common::spawn_app_with(&[("DEVICE_ALLOW_CIDRS", "")]).await;
    let token = app.login_admin().await;
    // A name that resolves to loopback is checked on the address, after DNS.
    for host in ["127.0.0.1", "localhost"] {
        let res = common::devices::create(
            app.addr,
            &token,
            serde_json::json!({"name": format!("inside-{host}"), "host": host, "port": sshd.port,
                   "username": "root", "auth_type": "password", "password": "pw"}),
        )
        .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let id = res.json()["id"].as_i64().unwrap();
        let (kind, message) = Term::attach(app.addr, &token, id)
            .await
            .expect_error()
            .await;
        assert_eq!(
            kind,
            cloudshell::models::terminal::ErrorKind::DestinationRefused
        );
        assert!(message.contains("DEVICE_ALLOW_CIDRS"), "{message}");
    }
    let failed = common::devices::audit_rows(&app, "SESSION_FAILED").await;
    assert_eq!(failed.len(), 2);
    assert!(
        failed
            .iter()
            .all(|r| r.reason.as_deref() == Some("destination_refused"))
    );
}

#[tokio::test]
async fn terminals_over_the_per_user_limit_are_refused_and_audited() {
    let sshd = Sshd::start().await;
    let app = common::spawn_app_with(&[("MAX_TERMINALS_PER_USER", "2")]).await;
    let token = app.login_admin().await;
    let id = keyed_device(&app, &token, &sshd).await;
    let mut open = Vec::new();
    for _ in 0..2 {
        let mut term = Term::open(app.addr, &token, id, 80, 24).await;
        term.expect_message(|m| matches!(m, ServerMessage::Connected { .. }))
            .await;
        open.push(term);
    }
    let (kind, message) = Term::open(app.addr, &token, id, 80, 24)
        .await
        .expect_error()
        .await;
    assert_eq!(
        kind,
        cloudshell::models::terminal::ErrorKind::TooManySessions
    );
    assert!(message.contains("MAX_TERMINALS_PER_USER"), "{message}");
    let failed = common::devices::audit_rows(&app, "SESSION_FAILED").await;
    assert_eq!(failed[0].reason.as_deref(), Some("too_many_sessions"));
    // Closing one gives its place back.
    let closed = open.pop().unwrap();
    drop(closed);
    await_audit(&app, "SESSION_ENDED", Duration::from_secs(10)).await;
    let mut again = Term::open(app.addr, &token, id, 80, 24).await;
    again
        .expect_message(|m| matches!(m, ServerMessage::Connected { .. }))
        .await;
}

#[tokio::test]
async fn a_terminal_ends_with_its_web_session_and_typing_keeps_that_session_alive() {
    use cloudshell::db::entities::web_session;
    use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let watch = server::session_watch::spawn(app.state.clone());
    let token = app.login_admin().await;
    let id = keyed_device(&app, &token, &sshd).await;
    let session = || async {
        web_session::Entity::find()
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap()
    };

    // Typing counts as activity: a session about to expire is slid forward.
    let mut term = Term::open(app.addr, &token, id, 80, 24).await;
    term.expect_message(|m| matches!(m, ServerMessage::Connected { .. }))
        .await;
    let soon = time::OffsetDateTime::now_utc() + time::Duration::seconds(30);
    let mut row = session().await.into_active_model();
    row.expires_at = Set(soon);
    row.update(&app.state.db).await.unwrap();
    term.type_text("echo typing\n").await;
    term.expect_output("typing").await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while session().await.expires_at <= soon {
        assert!(
            Instant::now() < deadline,
            "typing did not extend the web session"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The web session expires: the terminal ends within 5 s, with that reason.
    let mut row = session().await.into_active_model();
    row.expires_at = Set(time::OffsetDateTime::now_utc() - time::Duration::seconds(1));
    row.update(&app.state.db).await.unwrap();
    let ended = await_audit(&app, "SESSION_ENDED", Duration::from_secs(5)).await;
    assert_eq!(reason_of(&ended), "web_session_ended");
    term.expect_closed().await;
    watch.abort();
}
