//! `/api/terminal/broadcast`: records "Broadcast input" turned on or off.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;

/// `POST /api/terminal/broadcast` (JSON `{"on": true, "sessions": ["id", …]}`): records
/// `BROADCAST_STARTED` or `BROADCAST_STOPPED`, naming those of the sessions that are the
/// caller's own open terminals. Waits for the audit log to take it.
#[server(prefix = "/api", endpoint = "terminal/broadcast", input = Json)]
pub async fn record_broadcast(on: bool, sessions: Vec<String>) -> Result<(), AppError> {
    use crate::api::ssr::{actor, auditor, db, fail, internal, require};
    use cloudshell::terminal::broadcast::{BroadcastError, event};
    require(cloudshell::models::Role::uses_devices).await?;
    let actor = actor()?;
    let event = match event(&db()?, &actor, on, &sessions).await {
        Ok(event) => event,
        Err(BroadcastError::TooMany) => {
            return Err(fail(AppError::BadRequest(
                "At most 16 sessions can be named.".to_owned(),
            )));
        }
        Err(e) => return Err(internal("broadcast event", e)),
    };
    auditor()?
        .record_durable(event)
        .await
        .map(|_| ())
        .map_err(|e| internal("record broadcast", e))
}
