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
