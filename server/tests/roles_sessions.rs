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
