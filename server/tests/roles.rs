//! Roles and access groups as users meet them: what an operator sees, what a refusal leaves
//! in the log, names and entries across accounts, and the last admin.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use cloudshell::models::Role;
use common::devices::audit_rows;
use common::http::Request;
use common::roles::{admin_actor, device, grant, names, user};
use common::sessions::await_audit;
use common::spawn_app;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn an_operator_sees_their_groups_devices_and_their_own_entries_only() {
    let app = spawn_app().await;
    let admin = app.login_admin().await;
    let web = device(&app, &admin, "web01").await;
    let db = device(&app, &admin, "db01").await;
    let _lab = device(&app, &admin, "lab").await;
    let (ann, ann_token) = user(&app, "ann", Role::Operator).await;
    let (_, auditor) = user(&app, "audrey", Role::Auditor).await;
    grant(&app, "web", vec![ann], vec![web]).await;
    // A device in two groups shows once.
    grant(&app, "data", vec![ann], vec![db, web]).await;

    let list = |token: String| async move {
        Request::get("/api/devices")
            .cookie(&token)
            .send(app.addr)
            .await
    };
    assert_eq!(names(&list(ann_token.clone()).await), ["db01", "web01"]);
    assert_eq!(names(&list(admin.clone()).await), ["db01", "lab", "web01"]);
    assert_eq!(list(auditor.clone()).await.status, 403);

    // Asking for someone else's entries still gives one's own.
    let page = Request::get("/api/audit?filter[user]=admin")
        .cookie(&ann_token)
        .send(app.addr)
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let entries = page.json()["entries"].as_array().expect("entries").clone();
    assert!(!entries.is_empty());
    assert!(
        entries.iter().all(|e| e["username"] == "ann"),
        "{entries:?}"
    );
    let csv = Request::get("/api/audit/export?format=csv")
        .cookie(&ann_token)
        .send(app.addr)
        .await;
    assert_eq!(csv.status, 200);
    assert!(!csv.body.contains("DEVICE_CREATED"), "{}", csv.body);
    // The auditor reads everything.
    let all = Request::get("/api/audit/export?format=csv")
        .cookie(&auditor)
        .send(app.addr)
        .await;
    assert!(all.body.contains("DEVICE_CREATED"), "{}", all.body);
}

#[tokio::test]
async fn a_refusal_is_audited_once_per_user_and_route() {
    let app = spawn_app().await;
    let admin = app.login_admin().await;
    let lab = device(&app, &admin, "lab").await;
    let (_, bob) = user(&app, "bob", Role::Operator).await;
    for _ in 0..3 {
        let res = Request::get("/api/users").cookie(&bob).send(app.addr).await;
        assert_eq!(res.status, 403);
        assert_eq!(res.body, "\"Forbidden\"");
    }
    let origin = format!("http://{}", app.addr);
    for _ in 0..2 {
        let refused = common::term::connect(app.addr, &bob, lab, &origin).await;
        assert!(
            matches!(refused, Err(tokio_tungstenite::tungstenite::Error::Http(ref r)) if r.status() == 403),
            "{refused:?}"
        );
    }
    await_audit(&app, "ACCESS_DENIED", Duration::from_secs(5)).await;
    // Let anything still queued land before counting.
    app.seal_and_verify().await;
    let rows = audit_rows(&app, "ACCESS_DENIED").await;
    let details: Vec<&str> = rows.iter().map(|r| r.detail.as_str()).collect();
    assert_eq!(
        details,
        [
            "Refused /api/users".to_owned(),
            format!("Refused /ws/terminal/{{device_id}} for device #{lab}")
        ],
        "{rows:?}"
    );
    assert!(rows.iter().all(|r| r.username == "bob"));
    assert_eq!(rows[1].device_id, Some(lab));
}

#[tokio::test]
async fn the_last_active_admin_cannot_be_demoted_disabled_or_deleted() {
    let app = spawn_app().await;
    let admin = app.login_admin().await;
    let me = app.state.users.find("admin").await.expect("admin").id;
    let id = me.to_string();
    let post = |path: &'static str, fields: Vec<(&'static str, String)>| {
        let admin = admin.clone();
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            Request::post_form(path, &fields)
                .cookie(&admin)
                .send(app.addr)
                .await
        }
    };
    let demote = || {
        let admin = admin.clone();
        async move {
            Request::post_json(
                "/api/users/update",
                &json!({"id": me, "change": {"role": "operator"}}),
            )
            .cookie(&admin)
            .send(app.addr)
            .await
        }
    };
    let refused = demote().await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(refused.body, "\"LastAdmin\"");
    let disable = post(
        "/api/users/disable",
        vec![("id", id.clone()), ("disabled", "true".into())],
    )
    .await;
    assert_eq!(disable.status, 409);
    assert_eq!(
        post("/api/users/delete", vec![("id", id.clone())])
            .await
            .status,
        409
    );

    // With a second admin (even a disabled one does not count), demoting works.
    let (other, _) = user(&app, "second", Role::Admin).await;
    app.state
        .users
        .set_disabled(&admin_actor(), other, true)
        .await
        .expect("disable second");
    assert_eq!(demote().await.status, 409);
    app.state
        .users
        .set_disabled(&admin_actor(), other, false)
        .await
        .expect("enable second");
    let done = demote().await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.json()["role"], "operator");
    let details: Vec<String> = audit_rows(&app, "USER_UPDATED")
        .await
        .into_iter()
        .map(|r| r.detail)
        .collect();
    assert_eq!(details, ["Updated admin: role admin → operator"]);
}

#[tokio::test]
async fn an_admin_creates_a_user_who_must_choose_a_password() {
    let app = spawn_app().await;
    let admin = app.login_admin().await;
    let web = device(&app, &admin, "web01").await;
    let group = Request::post_form("/api/groups/create", &[("name", "Web")])
        .cookie(&admin)
        .send(app.addr)
        .await;
    assert_eq!(group.status, 200, "{}", group.body);
    let group_id = group.json()["id"].as_i64().expect("id");
    let filled = Request::post_json(
        "/api/groups/update",
        &json!({"id": group_id, "change": {"add_devices": [web]}}),
    )
    .cookie(&admin)
    .send(app.addr)
    .await;
    assert_eq!(filled.status, 200, "{}", filled.body);
    let created = Request::post_json(
        "/api/users/create",
        &json!({"input": {"username": "newbie", "role": "operator", "groups": [group_id]}}),
    )
    .cookie(&admin)
    .send(app.addr)
    .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let body = created.json();
    let temporary = body["password"].as_str().expect("password").to_owned();
    assert_eq!(body["user"]["must_change_password"], true);
    assert_eq!(body["user"]["groups"][0]["name"], "Web");
    // Taken names are refused by field.
    let twice = Request::post_json(
        "/api/users/create",
        &json!({"input": {"username": "newbie", "role": "auditor"}}),
    )
    .cookie(&admin)
    .send(app.addr)
    .await;
    assert_eq!(twice.status, 422, "{}", twice.body);
    // Groups are for operators: an auditor created with some gets none.
    let auditor = Request::post_json(
        "/api/users/create",
        &json!({"input": {"username": "reader", "role": "auditor", "groups": [group_id]}}),
    )
    .cookie(&admin)
    .send(app.addr)
    .await;
    assert_eq!(auditor.status, 200, "{}", auditor.body);
    assert_eq!(auditor.json()["user"]["groups"], json!([]));

    let login = Request::login("newbie", &temporary).send(app.addr).await;
    assert_eq!(login.status, 200, "{}", login.body);
    assert_eq!(login.json()["must_change_password"], true);
    let token = login.session_cookie().expect("cookie");
    // Nothing but the password change until then.
    let devices = Request::get("/api/devices")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(devices.status, 403);
    let changed = Request::post_form(
        "/api/auth/change-password",
        &[
            ("current_password", temporary.as_str()),
            ("new_password", "newbie-own-password-1"),
            ("confirm_password", "newbie-own-password-1"),
        ],
    )
    .cookie(&token)
    .send(app.addr)
    .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let devices = Request::get("/api/devices")
        .cookie(&token)
        .send(app.addr)
        .await;
    assert_eq!(names(&devices), ["web01"]);
    let created_rows = audit_rows(&app, "USER_CREATED").await;
    assert_eq!(
        created_rows[0].detail,
        "Created user newbie with role operator; groups: Web"
    );
    let log = audit_rows(&app, "USER_CREATED")
        .await
        .into_iter()
        .chain(audit_rows(&app, "GROUP_UPDATED").await)
        .map(|r| r.detail)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(!log.contains(&temporary));
    assert!(
        log.contains("Updated group Web: added device web01"),
        "{log}"
    );
}

#[tokio::test]
async fn names_and_entries_do_not_carry_over_between_accounts() {
    let app = spawn_app().await;
    let admin = app.login_admin().await;
    // The command line's name is reserved.
    let cli = Request::post_json(
        "/api/users/create",
        &json!({"input": {"username": "CLI", "role": "admin"}}),
    )
    .cookie(&admin)
    .send(app.addr)
    .await;
    assert_eq!(cli.status, 422, "{}", cli.body);

    // An operator named like a deleted account reads only their own new entries.
    let (old, old_token) = user(&app, "sam", Role::Operator).await;
    let page = Request::get("/api/audit")
        .cookie(&old_token)
        .send(app.addr)
        .await;
    assert!(
        page.json()["total"].as_u64().unwrap_or(0) >= 1,
        "{}",
        page.body
    );
    app.state
        .users
        .delete(&admin_actor(), old)
        .await
        .expect("delete sam");
    let (_, new_token) = user(&app, "sam", Role::Operator).await;
    let page = Request::get("/api/audit")
        .cookie(&new_token)
        .send(app.addr)
        .await;
    let entries = page.json()["entries"].as_array().expect("entries").clone();
    let actions: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, ["LOGIN"], "{entries:?}");

    // Groups go when the role no longer uses them, so a later change back grants nothing.
    let (ann, _) = user(&app, "ann", Role::Operator).await;
    let lab = device(&app, &admin, "lab").await;
    grant(&app, "lab", vec![ann], vec![lab]).await;
    let change = |role: &str| json!({"id": ann, "change": {"role": role}});
    for role in ["auditor", "operator"] {
        let res = Request::post_json("/api/users/update", &change(role))
            .cookie(&admin)
            .send(app.addr)
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
    }
    let ann_view = app.state.users.get(ann).await.expect("ann");
    assert!(ann_view.groups.is_empty(), "{ann_view:?}");
}

#[tokio::test]
async fn two_servers_demoting_the_two_admins_at_once_leave_one() {
    use cloudshell::models::users::UserChange;
    use cloudshell::users::{UserError, UserService};
    let app = spawn_app().await;
    let first = app.state.users.find("admin").await.expect("admin").id;
    let (second, _) = user(&app, "second", Role::Admin).await;
    // Two services, as two replicas have: they share the database and nothing else.
    let replica = |_| {
        UserService::new(
            app.state.db.clone(),
            app.state.auditor.clone(),
            app.state.auth.clone(),
        )
    };
    let (a, b) = (replica(1), replica(2));
    let demote = UserChange {
        role: Some(Role::Operator),
        groups: None,
    };
    let actor = admin_actor();
    let (ra, rb) = tokio::join!(
        a.update(&actor, first, demote.clone()),
        b.update(&actor, second, demote.clone()),
    );
    let refused = [&ra, &rb]
        .iter()
        .filter(|r| matches!(r, Err(UserError::LastAdmin)))
        .count();
    assert_eq!(refused, 1, "{ra:?} / {rb:?}");
    assert!(ra.is_ok() || rb.is_ok(), "{ra:?} / {rb:?}");
    let admins = app
        .state
        .users
        .list()
        .await
        .expect("users")
        .into_iter()
        .filter(|u| u.role == Role::Admin)
        .count();
    assert_eq!(admins, 1);
}
