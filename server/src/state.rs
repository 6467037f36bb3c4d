use std::time::Instant;

use axum::extract::FromRef;
use cloudshell::auth::AuthService;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

/// Everything a request handler may need. Cheap to clone: every field is a handle.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub auth: AuthService,
    pub started_at: Instant,
}
