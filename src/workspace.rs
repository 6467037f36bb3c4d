//! Users' terminal workspaces, kept on the server (one row per user): the split layout and
//! the terminal settings.

use sea_orm::sea_query::OnConflict;
use sea_orm::{DatabaseConnection, EntityTrait, Set};

use crate::audit::to_micros;
use crate::db::entities::user_workspace;
use crate::models::terminal_settings::TerminalSettings;
use crate::models::workspace::WorkspaceLayout;

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("the layout is not one the workspace can show")]
    Invalid,
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// Inserts the user's row, or updates only `columns` of the one there.
async fn upsert(
    db: &DatabaseConnection,
    row: user_workspace::ActiveModel,
    columns: [user_workspace::Column; 2],
) -> Result<(), WorkspaceError> {
    user_workspace::Entity::insert(row)
        .on_conflict(
            OnConflict::column(user_workspace::Column::UserId)
                .update_columns(columns)
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// The user's saved layout. A row that no longer reads as one (a hand edit, an older shape)
/// is ignored: the workspace then starts from one pane.
pub async fn load(
    db: &DatabaseConnection,
    user_id: i64,
) -> Result<Option<WorkspaceLayout>, WorkspaceError> {
    let Some(row) = user_workspace::Entity::find_by_id(user_id).one(db).await? else {
        return Ok(None);
    };
    match serde_json::from_str::<WorkspaceLayout>(&row.layout) {
        Ok(layout) if layout.is_valid() => Ok(Some(layout)),
        _ => {
            tracing::warn!(
                user_id,
                "stored workspace layout ignored: it does not validate"
            );
            Ok(None)
        }
    }
}

/// Stores the layout, replacing the previous one.
pub async fn save(
    db: &DatabaseConnection,
    user_id: i64,
    layout: &WorkspaceLayout,
) -> Result<(), WorkspaceError> {
    if !layout.is_valid() {
        return Err(WorkspaceError::Invalid);
    }
    let json = serde_json::to_string(layout).map_err(|_| WorkspaceError::Invalid)?;
    let row = user_workspace::ActiveModel {
        user_id: Set(user_id),
        layout: Set(json),
        updated_micros: Set(to_micros(crate::clock::now_utc())),
        terminal_settings: Set(None),
    };
    let columns = [
        user_workspace::Column::Layout,
        user_workspace::Column::UpdatedMicros,
    ];
    upsert(db, row, columns).await
}

/// The user's terminal settings, or the defaults (also for a row that no longer reads).
pub async fn load_settings(
    db: &DatabaseConnection,
    user_id: i64,
) -> Result<TerminalSettings, WorkspaceError> {
    let row = user_workspace::Entity::find_by_id(user_id).one(db).await?;
    let stored = row.and_then(|r| r.terminal_settings);
    Ok(stored
        .and_then(|json| serde_json::from_str::<TerminalSettings>(&json).ok())
        .filter(TerminalSettings::is_valid)
        .unwrap_or_default())
}

/// Stores the settings, keeping the layout (a user without one gets the single pane).
pub async fn save_settings(
    db: &DatabaseConnection,
    user_id: i64,
    settings: &TerminalSettings,
) -> Result<(), WorkspaceError> {
    if !settings.is_valid() {
        return Err(WorkspaceError::Invalid);
    }
    let json = serde_json::to_string(settings).map_err(|_| WorkspaceError::Invalid)?;
    let layout =
        serde_json::to_string(&WorkspaceLayout::default()).map_err(|_| WorkspaceError::Invalid)?;
    let row = user_workspace::ActiveModel {
        user_id: Set(user_id),
        layout: Set(layout),
        updated_micros: Set(to_micros(crate::clock::now_utc())),
        terminal_settings: Set(Some(json)),
    };
    let columns = [
        user_workspace::Column::TerminalSettings,
        user_workspace::Column::UpdatedMicros,
    ];
    upsert(db, row, columns).await
}
