//! Schema migrations, one file per change (`mNNNNNN_verb_noun.rs`).
//! A migration that has landed on main is never edited; a change gets a new file.

pub use sea_orm_migration::prelude::*;

mod m000001_create_users;
mod m000002_create_web_sessions;
mod m000003_create_audit_log;
mod m000004_create_devices;
mod m000005_create_host_keys;
mod m000006_create_terminal_sessions;
mod m000007_add_users_must_change_password;
mod m000008_add_audit_reason_checkpoint_seal;
mod m000009_create_terminal_revocations;
mod m000010_add_terminal_session_counters;
mod m000011_add_terminal_session_kind;
mod m000012_create_user_workspaces;
mod m000013_add_workspace_terminal_settings;
mod m000014_create_access_groups;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m000001_create_users::Migration),
            Box::new(m000002_create_web_sessions::Migration),
            Box::new(m000003_create_audit_log::Migration),
            Box::new(m000004_create_devices::Migration),
            Box::new(m000005_create_host_keys::Migration),
            Box::new(m000006_create_terminal_sessions::Migration),
            Box::new(m000007_add_users_must_change_password::Migration),
            Box::new(m000008_add_audit_reason_checkpoint_seal::Migration),
            Box::new(m000009_create_terminal_revocations::Migration),
            Box::new(m000010_add_terminal_session_counters::Migration),
            Box::new(m000011_add_terminal_session_kind::Migration),
            Box::new(m000012_create_user_workspaces::Migration),
            Box::new(m000013_add_workspace_terminal_settings::Migration),
            Box::new(m000014_create_access_groups::Migration),
        ]
    }
}
