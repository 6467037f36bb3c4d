//! Every route × every kind of caller, from one table. A server function or plain route
//! without a row fails the test, so a new route cannot ship without deciding who may call it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use std::collections::BTreeSet;
use std::net::SocketAddr;

use cloudshell::audit::Actor;
use cloudshell::models::Role;
use cloudshell::models::users::GroupChange;
use cloudshell::secret::SecretString;
use common::http::{Request, Response};
use common::{TestApp, spawn_app};
use serde_json::json;

/// The callers, in the order of each row's expected statuses.
const CALLERS: [&str; 6] = [
    "admin",
    "operator with grant",
    "operator without grant",
    "auditor",
    "disabled user",
    "anonymous",
];

/// What one row sends.
enum Call {
    Get(String),
    Form(&'static str, Vec<(&'static str, String)>),
    Json(&'static str, serde_json::Value),
    Put(String),
    WebSocket(i64),
}

struct Row {
    /// The route as the router names it (matched against the registered routes).
    route: &'static str,
    call: Call,
    expect: [u16; 6],
}

const NOBODY: i64 = 999_999;

struct World {
    app: TestApp,
    /// Session tokens, `None` for anonymous; in CALLERS order.
    tokens: Vec<Option<String>>,
    granted_device: i64,
}

async fn login(addr: SocketAddr, name: &str, password: &str) -> String {
    let res = Request::login(name, password).send(addr).await;
    assert_eq!(res.status, 200, "login {name}: {}", res.body);
    res.session_cookie().expect("cookie")
}

/// A device on a loopback port nothing listens on: connecting fails fast, after the checks.
async fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

async fn world() -> World {
    let app = spawn_app().await;
    // The startup check must be done, or verify answers 503 for everyone.
    app.state.verifier.check_all().await.expect("verify");
    let admin = app.login_admin().await;
    let port = closed_port().await;
    let created = common::devices::create(
        app.addr,
        &admin,
        json!({"name": "granted", "host": "127.0.0.1", "port": port, "username": "u",
               "auth_type": "password", "password": "pw-123456"}),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let device = created.json()["id"].as_i64().expect("id");
    let password = "matrix-password-1";
    let mut ids = Vec::new();
    for (name, role) in [
        ("op-granted", Role::Operator),
        ("op-other", Role::Operator),
        ("auditor", Role::Auditor),
        ("gone", Role::Operator),
    ] {
        let user = app
            .state
            .auth
            .create_user(name, SecretString::new(password), role)
            .await
            .expect("create user");
        ids.push(user.id);
    }
    let actor = Actor::new("admin", "127.0.0.1".parse().expect("ip"));
    let users = &app.state.users;
    let group = users.create_group(&actor, "matrix").await.expect("group");
    users
        .update_group(
            &actor,
            group.id,
            GroupChange {
                add_members: vec![ids[0], ids[3]],
                add_devices: vec![device],
                ..Default::default()
            },
        )
        .await
        .expect("fill group");
    let mut tokens = vec![Some(admin)];
    for name in ["op-granted", "op-other", "auditor", "gone"] {
        tokens.push(Some(login(app.addr, name, password).await));
    }
    tokens.push(None);
    users
        .set_disabled(&actor, ids[3], true)
        .await
        .expect("disable");
    World {
        app,
        tokens,
        granted_device: device,
    }
}

fn table(device: i64) -> Vec<Row> {
    use Call::*;
    let d = device.to_string();
    let nobody = NOBODY.to_string();
    let gone = "no-such-session";
    let form = |path, fields: &[(&'static str, &str)]| {
        Form(
            path,
            fields.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
        )
    };
    // Columns: admin, operator with grant, operator without, auditor, disabled, anonymous.
    const SIGNED_IN: [u16; 6] = [200, 200, 200, 200, 401, 401];
    const ADMIN_ONLY: [u16; 6] = [200, 403, 403, 403, 401, 401];
    // Admin-only calls on an id that does not exist: the admin passes the check (404).
    const ADMIN_ONLY_MISSING: [u16; 6] = [404, 403, 403, 403, 401, 401];
    const DEVICE_USERS: [u16; 6] = [200, 200, 200, 403, 401, 401];
    // A file session that is not the caller's (or does not exist) is not found.
    const FILE_SESSION: [u16; 6] = [404, 404, 404, 404, 401, 401];
    const PUBLIC: [u16; 6] = [200; 6];
    let row = |route, call, expect| Row {
        route,
        call,
        expect,
    };
    vec![
        row("/api/health", Get("/api/health".into()), PUBLIC),
        row("/sw.js", Get("/sw.js".into()), PUBLIC),
        // Empty fields are refused before anything is counted or checked.
        row("/api/auth/login", form("/api/auth/login", &[]), [400; 6]),
        row("/api/auth/me", Get("/api/auth/me".into()), SIGNED_IN),
        row(
            "/api/auth/keep-alive",
            form("/api/auth/keep-alive", &[]),
            SIGNED_IN,
        ),
        row(
            "/api/auth/change-password",
            form(
                "/api/auth/change-password",
                &[
                    ("current_password", "not-the-password"),
                    ("new_password", "another-password-9"),
                    ("confirm_password", "another-password-9"),
                ],
            ),
            [400, 400, 400, 400, 401, 401],
        ),
        row(
            "/api/auth/sessions",
            Get("/api/auth/sessions".into()),
            SIGNED_IN,
        ),
        row(
            "/api/auth/sign-out-others",
            form("/api/auth/sign-out-others", &[]),
            SIGNED_IN,
        ),
        row("/api/audit", Get("/api/audit".into()), SIGNED_IN),
        row(
            "/api/audit/export",
            Get("/api/audit/export?format=csv".into()),
            SIGNED_IN,
        ),
        row(
            "/api/audit/verify",
            Get("/api/audit/verify".into()),
            [200, 403, 403, 200, 401, 401],
        ),
        row("/api/devices", Get("/api/devices".into()), DEVICE_USERS),
        row(
            "/api/devices/create",
            Json(
                "/api/devices/create",
                json!({"input": common::devices::password_device("made-by-matrix", "pw-123456")}),
            ),
            ADMIN_ONLY,
        ),
        row(
            "/api/devices/update",
            Json(
                "/api/devices/update",
                json!({"id": NOBODY, "input": common::devices::password_device("x", "pw-123456")}),
            ),
            ADMIN_ONLY_MISSING,
        ),
        row(
            "/api/devices/delete",
            form("/api/devices/delete", &[("id", &nobody)]),
            ADMIN_ONLY_MISSING,
        ),
        row(
            "/api/devices/generate-key",
            form(
                "/api/devices/generate-key",
                &[("id", &nobody), ("algorithm", "ed25519")],
            ),
            ADMIN_ONLY_MISSING,
        ),
        row(
            "/api/devices/host-key",
            Get(format!("/api/devices/host-key?id={d}")),
            [200, 200, 403, 403, 401, 401],
        ),
        row(
            "/api/devices/groups",
            Get("/api/devices/groups".into()),
            DEVICE_USERS,
        ),
        row(
            "/api/devices/set-groups",
            Json(
                "/api/devices/set-groups",
                json!({"id": NOBODY, "groups": []}),
            ),
            ADMIN_ONLY_MISSING,
        ),
        row(
            "/api/devices/forget-host-key",
            form("/api/devices/forget-host-key", &[("id", &d)]),
            ADMIN_ONLY,
        ),
        // Past the check, the connection fails (nothing listens): 502.
        row(
            "/api/files/open",
            form("/api/files/open", &[("device_id", &d)]),
            [502, 502, 403, 403, 401, 401],
        ),
        row(
            "/api/files/list",
            Get(format!("/api/files/list?session={gone}&path=%2F")),
            FILE_SESSION,
        ),
        row(
            "/api/files/count",
            Get(format!("/api/files/count?session={gone}&path=%2F")),
            FILE_SESSION,
        ),
        row(
            "/api/files/mkdir",
            form(
                "/api/files/mkdir",
                &[("session", gone), ("dir", "/"), ("name", "x")],
            ),
            FILE_SESSION,
        ),
        row(
            "/api/files/rename",
            form(
                "/api/files/rename",
                &[("session", gone), ("from", "/a"), ("to", "/b")],
            ),
            FILE_SESSION,
        ),
        row(
            "/api/files/chmod",
            form(
                "/api/files/chmod",
                &[("session", gone), ("path", "/a"), ("mode", "420")],
            ),
            FILE_SESSION,
        ),
        row(
            "/api/files/delete",
            form("/api/files/delete", &[("session", gone), ("path", "/a")]),
            FILE_SESSION,
        ),
        row(
            "/api/files/close",
            form("/api/files/close", &[("session", gone)]),
            FILE_SESSION,
        ),
        row(
            "/api/transfers/{session}/download",
            Get(format!("/api/transfers/{gone}/download?path=%2Fa")),
            FILE_SESSION,
        ),
        row(
            "/api/transfers/{session}/archive",
            Get(format!("/api/transfers/{gone}/archive?dir=%2F&names=a")),
            FILE_SESSION,
        ),
        row(
            "/api/transfers/{session}/upload",
            Put(format!("/api/transfers/{gone}/upload?dir=%2F&name=a")),
            FILE_SESSION,
        ),
        row(
            "/api/terminal/broadcast",
            Json(
                "/api/terminal/broadcast",
                json!({"on": false, "sessions": []}),
            ),
            DEVICE_USERS,
        ),
        // Past the check the WebSocket opens and reports the failed connection in it.
        row(
            "/ws/terminal/{device_id}",
            WebSocket(device),
            [101, 101, 403, 403, 401, 401],
        ),
        row("/api/workspace", Get("/api/workspace".into()), SIGNED_IN),
        row(
            "/api/workspace/save",
            Json("/api/workspace/save", json!({"layout": "not a layout"})),
            [400, 400, 400, 400, 401, 401],
        ),
        row(
            "/api/settings/terminal",
            Get("/api/settings/terminal".into()),
            SIGNED_IN,
        ),
        row(
            "/api/settings/terminal/save",
            Json(
                "/api/settings/terminal/save",
                json!({"settings": "not settings"}),
            ),
            [400, 400, 400, 400, 401, 401],
        ),
        row("/api/users", Get("/api/users".into()), ADMIN_ONLY),
        row(
            "/api/users/create",
            Json(
                "/api/users/create",
                json!({"input": {"username": "made-by-matrix", "role": "operator"}}),
            ),
            ADMIN_ONLY,
        ),
        row(
            "/api/users/update",
            Json(
                "/api/users/update",
                json!({"id": NOBODY, "change": {"role": "admin"}}),
            ),
            ADMIN_ONLY_MISSING,
        ),
        row(
            "/api/users/reset-password",
            form("/api/users/reset-password", &[("id", &nobody)]),
            ADMIN_ONLY_MISSING,
        ),
        row(
            "/api/users/disable",
            form(
                "/api/users/disable",
                &[("id", &nobody), ("disabled", "true")],
            ),
            ADMIN_ONLY_MISSING,
        ),
        row(
            "/api/users/delete",
            form("/api/users/delete", &[("id", &nobody)]),
            ADMIN_ONLY_MISSING,
        ),
        row("/api/groups", Get("/api/groups".into()), ADMIN_ONLY),
        row(
            "/api/groups/create",
            form("/api/groups/create", &[("name", "made-by-matrix")]),
            ADMIN_ONLY,
        ),
        row(
            "/api/groups/update",
            Json(
                "/api/groups/update",
                json!({"id": NOBODY, "change": {"name": "x"}}),
            ),
            ADMIN_ONLY_MISSING,
        ),
        row(
            "/api/groups/delete",
            form("/api/groups/delete", &[("id", &nobody)]),
            ADMIN_ONLY_MISSING,
        ),
        // Last: it ends the caller's session.
        row("/api/auth/logout", form("/api/auth/logout", &[]), SIGNED_IN),
    ]
}

async fn send(addr: SocketAddr, call: &Call, token: Option<&str>) -> u16 {
    let request = match call {
        Call::Get(path) => Request::get(path),
        Call::Form(path, fields) => {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            Request::post_form(path, &fields)
        }
        Call::Json(path, body) => Request::post_json(path, body),
        Call::Put(path) => Request::put_bytes(path, b"x".to_vec()),
        Call::WebSocket(device) => return websocket_status(addr, *device, token).await,
    };
    let request = match token {
        Some(t) => request.cookie(t),
        None => request,
    };
    let res: Response = request.send(addr).await;
    res.status
}

async fn websocket_status(addr: SocketAddr, device: i64, token: Option<&str>) -> u16 {
    use tokio_tungstenite::tungstenite::Error;
    let origin = format!("http://{addr}");
    match common::term::connect(addr, token.unwrap_or("none"), device, &origin).await {
        Ok(_) => 101,
        Err(Error::Http(res)) => res.status().as_u16(),
        Err(e) => panic!("websocket: {e}"),
    }
}

#[tokio::test]
async fn every_route_answers_each_kind_of_caller_as_the_table_says() {
    let world = world().await;
    let rows = table(world.granted_device);

    // Every route the server has is in the table.
    let in_table: BTreeSet<&str> = rows.iter().map(|r| r.route).collect();
    let mut registered: BTreeSet<String> = server::router::plain_routes()
        .into_iter()
        .map(|(path, _)| path.to_owned())
        .collect();
    registered.extend(leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_owned()));
    let missing: Vec<&String> = registered
        .iter()
        .filter(|r| !in_table.contains(r.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the access table: {missing:?}"
    );
    assert!(registered.len() >= 40, "found only {registered:?}");

    let mut wrong = Vec::new();
    for row in &rows {
        for (i, token) in world.tokens.iter().enumerate() {
            let got = send(world.app.addr, &row.call, token.as_deref()).await;
            if got != row.expect[i] {
                wrong.push(format!(
                    "{} as {}: got {got}, expected {}",
                    row.route, CALLERS[i], row.expect[i]
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong answer(s):\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
