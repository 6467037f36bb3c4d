//! The split layout is kept per user on the server: saved, read back in another session,
//! and refused when it is not one the workspace can show.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use common::http::Request;
use common::spawn_app;
use serde_json::json;

#[tokio::test]
async fn a_saved_layout_comes_back_in_another_session_and_bad_ones_are_refused() {
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let res = Request::get("/api/workspace")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body.trim(), "null", "nothing saved yet");

    let layout = json!({"layout": {"rows": 2, "cols": 2, "row_sizes": [0.3, 0.7],
        "col_sizes": [0.5, 0.5],
        "seats": [{"device_id": 4, "kind": "terminal"}, null, {"device_id": 9, "kind": "files"}, null]}});
    let res = Request::post_json("/api/workspace/save", &layout)
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);

    // Another sign-in (another browser) reads the same layout.
    let other = app.login_admin().await;
    assert_ne!(other, token);
    let res = Request::get("/api/workspace")
        .cookie(&other)
        .send(app.addr)
        .await;
    assert_eq!(res.json(), layout["layout"]);

    // A fifth row, shares that do not add up, or a seat too many: refused, nothing changes.
    for bad in [
        json!({"rows": 5, "cols": 1, "row_sizes": [0.2, 0.2, 0.2, 0.2, 0.2], "col_sizes": [1.0], "seats": [null, null, null, null, null]}),
        json!({"rows": 1, "cols": 2, "row_sizes": [1.0], "col_sizes": [0.9, 0.9], "seats": [null, null]}),
        json!({"rows": 1, "cols": 1, "row_sizes": [1.0], "col_sizes": [1.0], "seats": [null, null]}),
    ] {
        let res = Request::post_json("/api/workspace/save", &json!({"layout": bad}))
            .cookie(&token)
            .send(app.addr)
            .await;
        assert_eq!(res.status, 400, "{bad}: {}", res.body);
    }
    let res = Request::get("/api/workspace")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(res.json(), layout["layout"]);

    // Without a session there is nothing to read or write.
    let res = Request::get("/api/workspace").send(app.addr).await;
    assert_eq!(res.status, 401);
    let res = Request::post_json("/api/workspace/save", &layout)
        .send(app.addr)
        .await;
    assert_eq!(res.status, 401);
}

#[tokio::test]
async fn terminal_settings_default_until_saved_and_absurd_ones_are_refused() {
    let app = spawn_app().await;
    let token = app.login_admin().await;
    let res = Request::get("/api/settings/terminal")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["scrollback"], 10_000);
    assert_eq!(res.json()["theme"], "dark");

    let chosen = json!({"font_size": 18, "font_family": "jetbrains_mono", "scrollback": 5000,
        "cursor_style": "bar", "cursor_blink": false, "theme": "solarized_dark",
        "copy_on_select": true, "bell": "none"});
    let res = Request::post_json("/api/settings/terminal/save", &json!({"settings": chosen}))
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = Request::get("/api/settings/terminal")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(res.json(), chosen);
    // Saving settings leaves the layout alone, and the other way round.
    let res = Request::get("/api/workspace")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(res.json()["rows"], 1);

    for bad in [
        json!({"font_size": 200, "font_family": "system", "scrollback": 10, "cursor_style": "bar", "cursor_blink": true, "theme": "dark", "copy_on_select": false, "bell": "none"}),
        json!({"font_size": 14, "font_family": "system", "scrollback": 100001, "cursor_style": "bar", "cursor_blink": true, "theme": "dark", "copy_on_select": false, "bell": "none"}),
        json!({"font_size": 14, "font_family": "comic_sans", "scrollback": 10, "cursor_style": "bar", "cursor_blink": true, "theme": "dark", "copy_on_select": false, "bell": "none"}),
    ] {
        let res = Request::post_json("/api/settings/terminal/save", &json!({"settings": bad}))
            .cookie(&token)
            .send(app.addr)
            .await;
        assert_eq!(res.status, 400, "{bad}: {}", res.body);
    }
    let res = Request::get("/api/settings/terminal")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(res.json(), chosen);
}
