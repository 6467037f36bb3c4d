//! `/api/workspace`: the signed-in user's split layout, kept on the server.

use cloudshell::models::terminal_settings::TerminalSettings;
use cloudshell::models::workspace::WorkspaceLayout;
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

use crate::error::AppError;

/// `GET /api/workspace`: the saved layout, if there is one.
#[server(prefix = "/api", endpoint = "workspace", input = GetUrl)]
pub async fn load_workspace() -> Result<Option<WorkspaceLayout>, AppError> {
    use crate::api::ssr::{current_session, db, internal};
    let me = current_session()?;
    cloudshell::workspace::load(&db()?, me.user_id)
        .await
        .map_err(|e| internal("load workspace", e))
}

/// `POST /api/workspace/save` (JSON `{"layout": …}`): replaces the saved layout.
#[server(prefix = "/api", endpoint = "workspace/save", input = Json)]
pub async fn save_workspace(layout: WorkspaceLayout) -> Result<(), AppError> {
    use crate::api::ssr::{current_session, db, fail, internal};
    use cloudshell::workspace::WorkspaceError;
    let me = current_session()?;
    match cloudshell::workspace::save(&db()?, me.user_id, &layout).await {
        Ok(()) => Ok(()),
        Err(WorkspaceError::Invalid) => Err(fail(AppError::BadRequest(
            "That layout cannot be saved: at most 4 rows and 4 columns.".to_owned(),
        ))),
        Err(e) => Err(internal("save workspace", e)),
    }
}

/// `GET /api/settings/terminal`: the user's terminal settings (the defaults until saved).
#[server(prefix = "/api", endpoint = "settings/terminal", input = GetUrl)]
pub async fn load_terminal_settings() -> Result<TerminalSettings, AppError> {
    use crate::api::ssr::{current_session, db, internal};
    let me = current_session()?;
    cloudshell::workspace::load_settings(&db()?, me.user_id)
        .await
        .map_err(|e| internal("load terminal settings", e))
}

/// `POST /api/settings/terminal/save` (JSON `{"settings": …}`).
#[server(prefix = "/api", endpoint = "settings/terminal/save", input = Json)]
pub async fn save_terminal_settings(settings: TerminalSettings) -> Result<(), AppError> {
    use crate::api::ssr::{current_session, db, fail, internal};
    use cloudshell::workspace::WorkspaceError;
    let me = current_session()?;
    match cloudshell::workspace::save_settings(&db()?, me.user_id, &settings).await {
        Ok(()) => Ok(()),
        Err(WorkspaceError::Invalid) => Err(fail(AppError::BadRequest(
            "Font size must be 8–32 and scrollback at most 100,000 lines.".to_owned(),
        ))),
        Err(e) => Err(internal("save terminal settings", e)),
    }
}
