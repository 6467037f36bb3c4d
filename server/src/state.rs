use std::sync::Arc;
use std::time::Instant;

use axum::extract::FromRef;
use cloudshell::audit::Auditor;
use cloudshell::auth::AuthService;
use cloudshell::client_ip::Cidr;
use cloudshell::devices::DeviceService;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

/// Everything a request handler may need. Cheap to clone: every field is a handle.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub auth: AuthService,
    pub auditor: Auditor,
    /// The device inventory; it holds the vault, whose key comes from SECRET_KEY.
    pub devices: DeviceService,
    /// AUDIT_RETENTION_DAYS (0 keeps everything).
    pub audit_retention_days: u32,
    pub started_at: Instant,
    /// TRUSTED_PROXIES: peers whose forwarding headers are believed.
    pub trusted_proxies: Arc<[Cidr]>,
}
