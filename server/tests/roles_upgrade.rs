//! An install from before roles upgrades in place: its admin stays admin, its devices stay,
//! and an account of the old role `user` keeps exactly the devices it could open.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use cloudshell::models::Role;
use cloudshell::secret::SecretString;
use migration::{Migrator, MigratorTrait};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Query};
use time::OffsetDateTime;

/// The schema as the last release before roles left it.
const BEFORE_ROLES: u32 = 13;

async fn insert(
    db: &sea_orm::DatabaseConnection,
    table: &str,
    columns: &[&str],
    values: Vec<sea_orm::Value>,
) {
    let query = Query::insert()
        .into_table(Alias::new(table))
        .columns(columns.iter().map(|c| Alias::new(*c)))
        .values_panic(values.into_iter().map(Into::into))
        .to_owned();
    db.execute(&query).await.expect("insert");
}

#[tokio::test]
async fn accounts_and_devices_from_before_roles_keep_their_access() {
    let data_dir = common::fresh_data_dir().await;
    {
        let config = common::config_for(&data_dir, &[]);
        if config.database_url.is_none() {
            std::fs::write(data_dir.path().join("cloudshell.db"), b"").expect("db file");
        }
        let db = cloudshell::db::connect(&config.database_url())
            .await
            .expect("db");
        Migrator::up(&db, Some(BEFORE_ROLES))
            .await
            .expect("old schema");
        let now = OffsetDateTime::now_utc();
        for (name, role) in [("admin", "admin"), ("legacy", "user")] {
            insert(
                &db,
                "users",
                &[
                    "username",
                    "password_hash",
                    "role",
                    "created_at",
                    "updated_at",
                    "must_change_password",
                ],
                vec![
                    name.into(),
                    "x".into(),
                    role.into(),
                    now.into(),
                    now.into(),
                    false.into(),
                ],
            )
            .await;
        }
        for name in ["web01", "db01"] {
            insert(
                &db,
                "devices",
                &[
                    "name",
                    "host",
                    "port",
                    "username",
                    "auth_type",
                    "created_at",
                    "updated_at",
                ],
                vec![
                    name.into(),
                    "10.0.0.5".into(),
                    22.into(),
                    "u".into(),
                    "password".into(),
                    now.into(),
                    now.into(),
                ],
            )
            .await;
        }
        db.close().await.expect("close");
    }
    // The server's start runs the rest of the migrations.
    let app = common::spawn_in(data_dir, &[]).await;
    let users = app.state.users.list().await.expect("users");
    let roles: Vec<(&str, Role)> = users
        .iter()
        .map(|u| (u.username.as_str(), u.role))
        .collect();
    assert_eq!(roles, [("admin", Role::Admin), ("legacy", Role::Operator)]);
    assert!(users.iter().all(|u| !u.disabled));
    let groups = app.state.users.list_groups().await.expect("groups");
    assert_eq!(groups.len(), 1, "{groups:?}");
    let names = |items: &[cloudshell::models::users::NamedId]| {
        items.iter().map(|i| i.name.clone()).collect::<Vec<_>>()
    };
    assert_eq!(groups[0].name, "All devices (from before roles)");
    assert_eq!(names(&groups[0].members), ["legacy"]);
    assert_eq!(names(&groups[0].devices), ["db01", "web01"]);
    let legacy = &users[1];
    let scope = app
        .state
        .permissions
        .device_scope(legacy.id, legacy.role)
        .await
        .expect("scope");
    assert_eq!(
        scope,
        cloudshell::permissions::DeviceScope::Only(vec![1, 2])
    );

    // Going back would give an auditor every device: refused, and nothing changes.
    app.state
        .auth
        .create_user(
            "audrey",
            SecretString::new("auditor-password-1"),
            Role::Auditor,
        )
        .await
        .expect("auditor");
    let refused = Migrator::down(&app.state.db, Some(1)).await;
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.to_string().contains("would get every device")),
        "{refused:?}"
    );
    assert_eq!(app.state.users.list().await.expect("users").len(), 3);
}
