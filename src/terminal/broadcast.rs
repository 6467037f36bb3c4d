//! "Broadcast input": a user types into several of their terminals at once. Turning it on
//! and off is audited, naming the sessions. The browser names them by id; the names in the
//! record come from the session table, and only the user's own open terminals count.

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::audit::{Actor, AuditEvent};
use crate::db::entities::terminal_session;
use crate::models::AuditAction;

/// At most this many sessions are named (a 4 × 4 grid holds 16).
pub const MAX_NAMED: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum BroadcastError {
    #[error("too many sessions named")]
    TooMany,
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// The audit event for broadcast turned on (`on`) or off, for `session_ids` that are the
/// actor's own terminals ("web01 (10.0.0.5:22) [id]"); unknown or foreign ids are left out.
/// A start names open terminals only; a stop names those it was on for even if they have
/// just ended (leaving the page closes them in the same moment the stop is sent).
pub async fn event(
    db: &DatabaseConnection,
    actor: &Actor,
    on: bool,
    session_ids: &[String],
) -> Result<AuditEvent, BroadcastError> {
    if session_ids.len() > MAX_NAMED {
        return Err(BroadcastError::TooMany);
    }
    let mut query = terminal_session::Entity::find()
        .filter(terminal_session::Column::Id.is_in(session_ids.iter().cloned()))
        .filter(terminal_session::Column::Username.eq(actor.username.clone()))
        .filter(terminal_session::Column::Kind.eq("terminal"));
    if on {
        query = query.filter(terminal_session::Column::EndedAt.is_null());
    }
    let rows = query.all(db).await?;
    let named: Vec<String> = rows
        .iter()
        .map(|r| format!("{} ({}) [{}]", r.device_name, r.endpoint, r.id))
        .collect();
    let (action, verb) = if on {
        (AuditAction::BroadcastStarted, "Started")
    } else {
        (AuditAction::BroadcastStopped, "Stopped")
    };
    let detail = format!(
        "{verb} broadcasting input to {} terminals: {}",
        named.len(),
        if named.is_empty() {
            "none".to_owned()
        } else {
            named.join(", ")
        }
    );
    Ok(actor.event(action, detail))
}
