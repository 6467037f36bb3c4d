//! Roles and sessions: disabling an account, or taking a device's grant away, ends the
//! terminals it gave, with the reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use std::time::{Duration, Instant};

use cloudshell::models::Role;
use cloudshell::models::users::GroupChange;
use common::devices::audit_rows;
use common::http::Request;
use common::roles::{PASSWORD, admin_actor, grant, user};
use common::sessions::await_audit;
use common::spawn_app;
use common::sshd::Sshd;
use common::term::Term;

#[tokio::test]
async fn disabling_an_operator_ends_their_terminal_at_once_and_keeps_them_out() {
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let admin = app.login_admin().await;
    let box_id =
        common::sessions::password_device(&app, &admin, &sshd, &common::sshd::password()).await;
    let (op, op_token) = user(&app, "olga", Role::Operator).await;
    grant(&app, "boxes", vec![op], vec![box_id]).await;

    let mut term = Term::open(app.addr, &op_token, box_id, 80, 24).await;
    term.type_text("echo operator-in\n").await;
    term.expect_output("operator-in").await;

    let started = Instant::now();
    let res = Request::post_form(
        "/api/users/disable",
        &[("id", &op.to_string()), ("disabled", "true")],
    )
    .cookie(&admin)
    .send(app.addr)
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    term.expect_closed().await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(term.close_reason.as_deref(), Some("account disabled"));
    let ended = await_audit(&app, "SESSION_ENDED", Duration::from_secs(5)).await;
    assert_eq!(ended.reason.as_deref(), Some("account_disabled"));

    // The old cookie is dead, and the right password no longer opens a session.
    let me = Request::get("/api/auth/me")
        .cookie(&op_token)
        .send(app.addr)
        .await;
    assert_eq!(me.status, 401);
    let again = Request::login("olga", PASSWORD).send(app.addr).await;
    assert_eq!(again.status, 403, "{}", again.body);
    assert_eq!(again.body, "\"AccountDisabled\"");
    let details: Vec<String> = audit_rows(&app, "USER_DISABLED")
        .await
        .into_iter()
        .map(|r| r.detail)
        .collect();
    assert_eq!(details, ["Disabled olga; signed out 1 session(s)"]);
}

#[tokio::test]
async fn taking_a_grant_away_ends_the_operators_terminal_on_that_device() {
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let admin = app.login_admin().await;
    let box_id =
        common::sessions::password_device(&app, &admin, &sshd, &common::sshd::password()).await;
    let (op, op_token) = user(&app, "pat", Role::Operator).await;
    let users = &app.state.users;
    let group = users
        .create_group(&admin_actor(), "boxes")
        .await
        .expect("group");
    let give = GroupChange {
        add_members: vec![op],
        add_devices: vec![box_id],
        ..Default::default()
    };
    users
        .update_group(&admin_actor(), group.id, give)
        .await
        .expect("grant");

    let mut term = Term::open(app.addr, &op_token, box_id, 80, 24).await;
    term.type_text("echo still-here\n").await;
    term.expect_output("still-here").await;
    let take = GroupChange {
        remove_devices: vec![box_id],
        ..Default::default()
    };
    users
        .update_group(&admin_actor(), group.id, take)
        .await
        .expect("revoke");
    // The session watch runs every 2 s; allow it a generous margin on a busy machine.
    let watch = server::session_watch::spawn(app.state.clone());
    term.expect_closed().await;
    watch.abort();
    assert_eq!(term.close_reason.as_deref(), Some("access revoked"));
    let ended = await_audit(&app, "SESSION_ENDED", Duration::from_secs(5)).await;
    assert_eq!(ended.reason.as_deref(), Some("access_revoked"));
    // The web session itself goes on: only that device's access went.
    let me = Request::get("/api/auth/me")
        .cookie(&op_token)
        .send(app.addr)
        .await;
    assert_eq!(me.status, 200);
}

#[tokio::test]
async fn a_download_running_when_access_goes_is_cut_without_the_drain() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let admin = app.login_admin().await;
    let box_id = common::sessions::keyed_device(&app, &admin, &sshd).await;
    let (op, op_token) = user(&app, "dana", Role::Operator).await;
    grant(&app, "boxes", vec![op], vec![box_id]).await;
    let opened = Request::post_form("/api/files/open", &[("device_id", &box_id.to_string())])
        .cookie(&op_token)
        .send(app.addr)
        .await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    let session = opened.json()["session_id"].as_str().unwrap().to_owned();

    // 128 MiB, read by a slow client at about 6 MiB/s: 20 s if nothing cuts it.
    const SIZE: usize = 128 << 20;
    let dir = common::files::workspace();
    let path = dir.path().join("big.bin");
    std::fs::write(&path, vec![0x5au8; SIZE]).unwrap();
    let url = format!(
        "/api/transfers/{session}/download?path={}",
        common::files::enc(&path.display().to_string())
    );
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "GET {url} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nCookie: cloudshell_session={op_token}\r\n\r\n",
        app.addr
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 64 * 1024];
    let mut read = 0usize;
    let mut pace = tokio::time::interval(Duration::from_millis(10));
    // Under way first.
    while read < 4 << 20 {
        pace.tick().await;
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "the download ended early");
        read += n;
    }

    // The device leaves the operator's group; the session watch notices.
    let users = &app.state.users;
    let group = users.list_groups().await.unwrap().remove(0);
    let take = GroupChange {
        remove_devices: vec![box_id],
        ..Default::default()
    };
    users
        .update_group(&admin_actor(), group.id, take)
        .await
        .unwrap();
    let watch = server::session_watch::spawn(app.state.clone());
    let revoked_at = Instant::now();
    loop {
        pace.tick().await;
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => read += n,
        }
        // The drain would let it run 10 s more; the cut comes with the next watch tick.
        assert!(
            revoked_at.elapsed() < Duration::from_secs(8),
            "still streaming {:?} after the revoke ({read} bytes)",
            revoked_at.elapsed()
        );
    }
    watch.abort();
    assert!(read < SIZE, "the whole file arrived: {read} bytes");
    let ended = await_audit(&app, "SFTP_SESSION_ENDED", Duration::from_secs(5)).await;
    assert_eq!(ended.reason.as_deref(), Some("access_revoked"));
}
