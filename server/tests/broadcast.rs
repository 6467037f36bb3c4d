//! Broadcast input is recorded naming only the caller's own open terminals: ids the browser
//! makes up, or someone else's, are not named, and a list longer than any grid is refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use std::time::Duration;

use common::http::Request;
use common::sessions::await_audit;
use common::spawn_app;
use serde_json::json;

#[tokio::test]
async fn made_up_sessions_are_not_named_and_long_lists_are_refused() {
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let body = json!({"on": true, "sessions": ["not-a-session", "0123456789abcdef"]});
    let res = Request::post_json("/api/terminal/broadcast", &body)
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let row = await_audit(&app, "BROADCAST_STARTED", Duration::from_secs(5)).await;
    assert_eq!(
        row.detail, "Started broadcasting input to 0 terminals: none",
        "nothing the browser made up is named"
    );

    let many: Vec<String> = (0..17).map(|i| format!("s{i}")).collect();
    let res = Request::post_json(
        "/api/terminal/broadcast",
        &json!({"on": false, "sessions": many}),
    )
    .cookie(&token)
    .send(app.addr)
    .await;
    assert_eq!(res.status, 400, "{}", res.body);

    let res = Request::post_json("/api/terminal/broadcast", &body)
        .send(app.addr)
        .await;
    assert_eq!(res.status, 401);
}

#[tokio::test]
async fn a_stop_names_terminals_that_ended_as_it_was_sent() {
    use cloudshell::db::entities::terminal_session;
    use sea_orm::{ActiveModelTrait, Set};
    let app = spawn_app().await;
    let token = app.login_admin().await;
    // A terminal of the admin's that has just ended, as on leaving the page: its tab closed
    // in the same moment as the stop was sent.
    let now = time::OffsetDateTime::now_utc();
    terminal_session::ActiveModel {
        id: Set("0a1b2c3d4e5f6071".into()),
        username: Set("admin".into()),
        device_id: Set(1),
        device_name: Set("web01".into()),
        endpoint: Set("10.0.0.5:22".into()),
        client_ip: Set("127.0.0.1".into()),
        started_at: Set(now),
        ended_at: Set(Some(now)),
        end_reason: Set(Some("tab_closed".into())),
        node_id: Set("elsewhere".into()),
        heartbeat_at: Set(now),
        bytes_in: Set(0),
        bytes_out: Set(0),
        last_activity_at: Set(None),
        kind: Set("terminal".into()),
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    for on in [true, false] {
        let body = json!({"on": on, "sessions": ["0a1b2c3d4e5f6071"]});
        let res = Request::post_json("/api/terminal/broadcast", &body)
            .cookie(&token)
            .send(app.addr)
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
    }
    let started = await_audit(&app, "BROADCAST_STARTED", Duration::from_secs(5)).await;
    assert_eq!(
        started.detail,
        "Started broadcasting input to 0 terminals: none"
    );
    let stopped = await_audit(&app, "BROADCAST_STOPPED", Duration::from_secs(5)).await;
    assert_eq!(
        stopped.detail,
        "Stopped broadcasting input to 1 terminals: web01 (10.0.0.5:22) [0a1b2c3d4e5f6071]"
    );
}
