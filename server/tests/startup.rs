//! What the first and later starts do with DATA_DIR: database file, key file, admin seed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use cloudshell::db::entities::user;
use common::http::Request;
use common::{ADMIN_PASSWORD, spawn_in};
use sea_orm::{EntityTrait, PaginatorTrait};

#[tokio::test]
async fn first_start_creates_db_key_and_admin_and_a_restart_keeps_them() {
    let app = common::spawn_app().await;
    let data = app.data_dir.path().to_path_buf();
    if common::postgres_admin_url().is_none() {
        assert!(data.join("cloudshell.db").exists());
    }
    assert!(data.join("secret.key").exists());
    assert_eq!(user::Entity::find().count(&app.state.db).await.unwrap(), 1);
    let key = std::fs::read_to_string(data.join("secret.key")).unwrap();

    // Restart on the same DATA_DIR with a different ADMIN_PASSWORD: nothing is reseeded.
    let dir = app.stop().await;
    let app = spawn_in(dir, &[("ADMIN_PASSWORD", "another-password-123")]).await;
    assert_eq!(user::Entity::find().count(&app.state.db).await.unwrap(), 1);
    assert_eq!(
        std::fs::read_to_string(data.join("secret.key")).unwrap(),
        key
    );
    let res = Request::login("admin", ADMIN_PASSWORD).send(app.addr).await;
    assert_eq!(res.status, 200, "the original password still works");
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode() {
    if common::postgres_admin_url().is_some() {
        return; // SQLite-only property.
    }
    let app = common::spawn_app().await;
    use sea_orm::{ConnectionTrait, Statement};
    let row = app
        .state
        .db
        .query_one_raw(Statement::from_string(
            app.state.db.get_database_backend(),
            "PRAGMA journal_mode",
        ))
        .await
        .unwrap()
        .unwrap();
    let mode: String = row.try_get("", "journal_mode").unwrap();
    assert_eq!(mode.to_lowercase(), "wal");
}

#[tokio::test]
async fn a_second_server_on_one_sqlite_data_dir_is_refused() {
    if common::postgres_admin_url().is_some() {
        // PostgreSQL replicas share a database; each may have its own DATA_DIR or not.
        return;
    }
    let first = common::spawn_app().await;
    let config = common::config_for(&first.data_dir, &[]);
    let options = leptos::config::LeptosOptions::builder()
        .output_name("cloudshell")
        .site_root(first.data_dir.path().join("site").display().to_string())
        .site_pkg_dir("pkg")
        .build();
    let second = server::prepare(&config, options).await;
    let err = second.err().expect("refused");
    assert!(
        format!("{err:#}").contains("in use by another CloudShell process"),
        "{err:#}"
    );
    // The first one is untouched and still answers.
    let res = Request::get("/api/health").send(first.addr).await;
    assert_eq!(res.status, 200);
}
