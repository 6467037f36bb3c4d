//! Users, groups and devices for the role tests.

use cloudshell::audit::Actor;
use cloudshell::models::Role;
use cloudshell::models::users::GroupChange;
use cloudshell::secret::SecretString;

use super::TestApp;
use super::devices::{create, password_device};
use super::http::Request;

pub const PASSWORD: &str = "roles-password-1";

pub fn admin_actor() -> Actor {
    Actor::new("admin", "127.0.0.1".parse().expect("ip"))
}

pub async fn user(app: &TestApp, name: &str, role: Role) -> (i64, String) {
    let created = app
        .state
        .auth
        .create_user(name, SecretString::new(PASSWORD), role)
        .await
        .expect("create user");
    let res = Request::login(name, PASSWORD).send(app.addr).await;
    assert_eq!(res.status, 200, "{}", res.body);
    (created.id, res.session_cookie().expect("cookie"))
}

pub async fn device(app: &TestApp, token: &str, name: &str) -> i64 {
    let res = create(app.addr, token, password_device(name, "pw-123456")).await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()["id"].as_i64().expect("id")
}

pub async fn grant(app: &TestApp, group: &str, members: Vec<i64>, devices: Vec<i64>) {
    let users = &app.state.users;
    let g = users
        .create_group(&admin_actor(), group)
        .await
        .expect("group");
    let change = GroupChange {
        add_members: members,
        add_devices: devices,
        ..Default::default()
    };
    users
        .update_group(&admin_actor(), g.id, change)
        .await
        .expect("fill");
}

pub fn names(res: &super::http::Response) -> Vec<String> {
    res.json()
        .as_array()
        .expect("array")
        .iter()
        .map(|d| d["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}
