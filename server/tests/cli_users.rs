//! `server user …` recovers a locked-out admin, as an operator would run it on the host.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use cloudshell::audit::Actor;
use cloudshell::models::Role;
use cloudshell::secret::SecretString;
use common::devices::audit_rows;
use common::http::Request;

fn cli(data_dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_server"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn")
        .env("DATA_DIR", data_dir)
        .arg("user")
        .args(args);
    if let Ok(url) = std::fs::read_to_string(data_dir.join("database-url")) {
        cmd.env("DATABASE_URL", url);
    }
    cmd.output().expect("run server user")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn temporary_password(out: &Output) -> String {
    stdout(out)
        .lines()
        .find_map(|l| l.strip_prefix("temporary password: "))
        .expect("a temporary password line")
        .to_owned()
}

#[tokio::test]
async fn a_locked_out_admin_is_recovered_from_the_command_line() {
    let app = common::spawn_app().await;
    // A second admin, disabled, and the first one's password forgotten.
    let second = app
        .state
        .auth
        .create_user(
            "backup",
            SecretString::new("backup-password-1"),
            Role::Admin,
        )
        .await
        .expect("backup admin");
    let actor = Actor::new("admin", "127.0.0.1".parse().expect("ip"));
    app.state
        .users
        .set_disabled(&actor, second.id, true)
        .await
        .expect("disable backup");

    if common::postgres_admin_url().is_none() {
        // With SQLite the running server is the audit log's one writer: refused, unchanged.
        let refused = cli(app.data_dir.path(), &["reset-password", "admin"]);
        assert_eq!(refused.status.code(), Some(1), "{}", stdout(&refused));
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains("stop the server"),
            "{:?}",
            refused
        );
    }
    let data_dir = app.stop().await;

    let reset = cli(data_dir.path(), &["reset-password", "admin"]);
    assert!(reset.status.success(), "{reset:?}");
    let password = temporary_password(&reset);
    let enabled = cli(data_dir.path(), &["enable", "backup"]);
    assert!(enabled.status.success(), "{enabled:?}");
    let created = cli(
        data_dir.path(),
        &["create", "night-shift", "--role", "auditor"],
    );
    assert!(created.status.success(), "{created:?}");
    let listed = cli(data_dir.path(), &["list"]);
    let list = stdout(&listed);
    assert!(
        list.contains("admin\tadmin\tactive, password change pending"),
        "{list}"
    );
    assert!(list.contains("backup\tadmin\tactive"), "{list}");
    assert!(
        list.contains("night-shift\tauditor\tactive, password change pending"),
        "{list}"
    );
    let unknown = cli(data_dir.path(), &["enable", "nobody"]);
    assert_eq!(unknown.status.code(), Some(1));
    let usage = cli(data_dir.path(), &["create", "x", "--role", "root"]);
    assert_eq!(usage.status.code(), Some(2));

    let app = common::spawn_in(data_dir, &[]).await;
    let login = Request::login("admin", &password).send(app.addr).await;
    assert_eq!(login.status, 200, "{}", login.body);
    assert_eq!(login.json()["must_change_password"], true);
    let backup = Request::login("backup", "backup-password-1")
        .send(app.addr)
        .await;
    assert_eq!(backup.status, 200, "{}", backup.body);

    let by_cli = |action: &'static str| {
        let app = &app;
        async move {
            audit_rows(app, action)
                .await
                .into_iter()
                .filter(|r| r.username == "cli")
                .map(|r| r.detail)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(by_cli("PASSWORD_RESET").await.len(), 1);
    assert_eq!(by_cli("USER_ENABLED").await, ["Enabled backup"]);
    assert_eq!(
        by_cli("USER_CREATED").await,
        ["Created user night-shift with role auditor"]
    );
    // The chain the CLI extended is intact.
    assert!(app.seal_and_verify().await.intact);
}
