//! `GET /ws/terminal/{device_id}`: the terminal WebSocket. The SSH connection is made and
//! authenticated during the upgrade request; the PTY opens with the browser's first resize.
//! Binary frames are terminal bytes both ways; text frames are `ClientMessage` /
//! `ServerMessage` JSON.

use std::time::Duration;

use axum::Extension;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use cloudshell::audit::Actor;
use cloudshell::auth::CurrentSession;
use cloudshell::devices::DeviceError;
use cloudshell::models::terminal::{ErrorKind, MAX_CLIENT_MESSAGE_BYTES, ServerMessage};
use cloudshell::request::RequestMeta;
use cloudshell::ssh::client::{self, ConnectOptions, HostKeyOutcome, SshError};
use cloudshell::terminal::SessionKind;
use futures_util::StreamExt;

use crate::state::AppState;
use crate::terminal_loop::{self, Connected};

/// A browser that sends no resize this long after connecting gets the default size.
const FIRST_RESIZE_WAIT: Duration = Duration::from_secs(5);

pub async fn terminal_ws(
    State(state): State<AppState>,
    Path(device_id): Path<i64>,
    Extension(session): Extension<CurrentSession>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    // The Origin must name this site (scheme, host and port): a page elsewhere cannot open
    // terminals with our cookie.
    let expected = crate::edge::expected_origin(state.public_url.as_deref(), &headers, meta.is_tls);
    if !crate::edge::from_origin(&headers, expected.as_ref()) {
        tracing::warn!(user = %session.username, ip = %meta.client_ip, "terminal refused: cross-origin");
        return (StatusCode::FORBIDDEN, "cross-origin WebSocket refused").into_response();
    }
    let actor = Actor::new(session.username.clone(), meta.client_ip);
    // The role and the access groups first: a refusal costs one indexed query, no SSH work.
    match state
        .permissions
        .may_use_device(session.user_id, session.role, device_id)
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            // The route's pattern, so the rate limit is per route, not per device id.
            let route = "/ws/terminal/{device_id}";
            state
                .permissions
                .denied(&actor, route, Some(device_id))
                .await;
            return (StatusCode::FORBIDDEN, "no access to this device").into_response();
        }
        Err(e) => {
            tracing::error!(error = %e, "access check");
            return (StatusCode::SERVICE_UNAVAILABLE, "try again shortly").into_response();
        }
    }
    // A place is taken before any expensive work (decrypting, connecting), and held until
    // the session ends.
    let slot = match state.terminal_limits.take(&session.username) {
        Ok(slot) => slot,
        Err(limit) => {
            let device = state.devices.get(device_id).await.ok();
            let ws = ws.max_message_size(MAX_CLIENT_MESSAGE_BYTES);
            return refuse(&state, &actor, device_id, device, Refusal::Limit(limit), ws).await;
        }
    };
    // Small buffers: tungstenite's 128 KiB defaults would dominate an idle session's memory.
    let ws = ws
        .max_message_size(MAX_CLIENT_MESSAGE_BYTES)
        .max_frame_size(MAX_CLIENT_MESSAGE_BYTES)
        .read_buffer_size(8 * 1024)
        .write_buffer_size(8 * 1024);
    let (device, credentials) = match state.devices.credentials(device_id).await {
        Ok(found) => found,
        Err(DeviceError::NotFound) => {
            return (StatusCode::NOT_FOUND, "no such device").into_response();
        }
        Err(DeviceError::Vault(_)) => {
            let device = state.devices.get(device_id).await.ok();
            return refuse(
                &state,
                &actor,
                device_id,
                device,
                Refusal::Ssh(SshError::Decrypt),
                ws,
            )
            .await;
        }
        Err(e) => {
            tracing::error!(error = %e, "loading device credentials");
            return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
        }
    };
    let options = ConnectOptions::default();
    let connected = client::connect(
        &device,
        &credentials,
        state.devices.host_keys(),
        &actor,
        &state.destinations,
        options,
    )
    .await;
    drop(credentials);
    let ssh = match connected {
        Ok(ssh) => ssh,
        Err(e) => {
            return refuse(&state, &actor, device_id, Some(device), Refusal::Ssh(e), ws).await;
        }
    };
    let learned = match &ssh.host_key {
        HostKeyOutcome::Learned(key) => Some(key.clone()),
        _ => None,
    };
    let idle = state.session_idle_timeout;
    ws.on_upgrade(move |socket| async move {
        // Recorded only once the WebSocket exists, so every start has a task that ends it.
        // Database work is boxed here and in the loop: a future awaited inline makes the
        // task as large as that future for the session's whole life (tens of KiB each).
        let web_session_id = session.session_id;
        let (live, stop) =
            match Box::pin(state.terminals.start(&actor, web_session_id, &device)).await {
                Ok(started) => started,
                Err(e) => {
                    tracing::error!(error = %e, "recording the session start");
                    return;
                }
            };
        let connected = Connected {
            ssh,
            live,
            stop,
            learned,
            idle,
            first_resize_wait: FIRST_RESIZE_WAIT,
        };
        terminal_loop::run(socket, connected, state.terminals.clone()).await;
        drop(slot);
    })
}

/// Why a terminal could not start.
enum Refusal {
    Ssh(SshError),
    Limit(cloudshell::terminal::limits::LimitError),
}

/// A session that could not start: audited as SESSION_FAILED, then explained over the
/// WebSocket (a browser cannot read the body of a refused upgrade).
async fn refuse(
    state: &AppState,
    actor: &Actor,
    device_id: i64,
    device: Option<cloudshell::models::DeviceView>,
    refusal: Refusal,
    ws: WebSocketUpgrade,
) -> Response {
    // The browser gets the error's fixed text; a library's own words go to the log only.
    let (kind, message) = match &refusal {
        Refusal::Ssh(error) => {
            tracing::info!(error = ?error, device = device_id, "terminal connection failed");
            (error.kind(), error.to_string())
        }
        Refusal::Limit(limit) => (ErrorKind::TooManySessions, limit.to_string()),
    };
    tracing::info!(user = %actor.username, device = device_id, reason = kind.audit_reason().text(), "session failed");
    let event =
        SessionKind::Terminal.failed_event(actor, device_id, device.as_ref(), kind.audit_reason());
    if let Err(e) = state.auditor.record_durable(event).await {
        tracing::error!(error = %e, "recording SESSION_FAILED");
    }
    ws.on_upgrade(move |socket| send_error_and_close(socket, kind, message))
}

async fn send_error_and_close(mut socket: WebSocket, kind: ErrorKind, message: String) {
    let _ = socket
        .send(terminal_loop::text(&ServerMessage::Error { kind, message }))
        .await;
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code: 1008,
            reason: kind.audit_reason().text().into(),
        })))
        .await;
    // Let the browser read both before the socket goes.
    let _ = tokio::time::timeout(Duration::from_secs(2), socket.next()).await;
}
