//! One terminal session's life: size the PTY from the first resize, then pump bytes both
//! ways until something ends it, and record that end exactly once.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use cloudshell::models::terminal::{ClientMessage, ErrorKind, ServerMessage, clamp_size};
use cloudshell::ssh::PresentedKey;
use cloudshell::ssh::client::{self, SshSession};
use cloudshell::terminal::{EndReason, LiveSession, SessionRegistry, StopSignal};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{FutureExt, SinkExt, StreamExt};
use russh::{ChannelMsg, ChannelReadHalf};
use tokio::time::{Instant, sleep_until, timeout};

use crate::terminal_flow::{Input, StreamingFlag, others_streaming, spawn_input_writer};

/// A WebSocket ping this often, carrying how many output bytes were sent before it; the
/// browser's pong echoes that, so each pong says how far the browser has read. A browser
/// with nothing of ours left to read that does not answer for PROGRESS_DEADLINE is gone
/// (noticed within PROGRESS_DEADLINE + PING_EVERY = 13 s). One still working through
/// output in flight (in kernel buffers on either side) gets time for it at SLOWEST_READER,
/// up to MAX_EXTRA_GRACE: a slow browser is not a frozen one.
const PING_EVERY: Duration = Duration::from_secs(3);
const PROGRESS_DEADLINE: Duration = Duration::from_secs(10);
const SLOWEST_READER: u64 = 32 * 1024;
const MAX_EXTRA_GRACE: Duration = Duration::from_secs(60);
/// How long opening the PTY and shell may take.
const OPEN_SHELL_DEADLINE: Duration = Duration::from_secs(15);
/// A browser that does not take a frame in this long is treated as gone.
const SEND_DEADLINE: Duration = Duration::from_secs(12);
const DEFAULT_SIZE: (u32, u32) = (80, 24);
/// The largest frame built by joining waiting output.
const MAX_FRAME: usize = 64 * 1024;
/// Terminal bytes kept from before the first resize at most; more is a protocol error.
const MAX_EARLY_INPUT: usize = 64 * 1024;

pub struct Connected {
    pub ssh: SshSession,
    pub live: Arc<LiveSession>,
    pub stop: StopSignal,
    pub learned: Option<PresentedKey>,
    pub idle: Option<Duration>,
    pub first_resize_wait: Duration,
}

pub fn text(message: &ServerMessage) -> Message {
    Message::Text(serde_json::to_string(message).unwrap_or_default().into())
}

type Sink = SplitSink<WebSocket, Message>;

async fn send(sink: &mut Sink, message: Message) -> bool {
    matches!(timeout(SEND_DEADLINE, sink.send(message)).await, Ok(Ok(())))
}

/// Waits for the browser's first resize. Terminal bytes that arrive first are kept.
async fn first_size(
    stream: &mut SplitStream<WebSocket>,
    wait: Duration,
    early: &mut Vec<u8>,
) -> Result<(u32, u32), EndReason> {
    let deadline = Instant::now() + wait;
    loop {
        match timeout(
            deadline.saturating_duration_since(Instant::now()),
            stream.next(),
        )
        .await
        {
            Err(_) => return Ok(DEFAULT_SIZE),
            Ok(Some(Ok(Message::Text(t)))) => {
                if let Ok(ClientMessage::Resize { cols, rows }) = serde_json::from_str(&t) {
                    return Ok(clamp_size(cols, rows));
                }
            }
            Ok(Some(Ok(Message::Binary(b)))) => {
                if early.len() + b.len() > MAX_EARLY_INPUT {
                    return Err(EndReason::ProtocolError);
                }
                early.extend_from_slice(&b);
            }
            Ok(Some(Ok(Message::Close(_)))) => return Err(EndReason::TabClosed),
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) => return Err(EndReason::ConnectionLost),
        }
    }
}

pub async fn run(socket: WebSocket, connected: Connected, registry: SessionRegistry) {
    let Connected {
        ssh,
        live,
        mut stop,
        learned,
        idle,
        first_resize_wait,
    } = connected;
    let (mut sink, mut stream) = socket.split();
    let mut early = Vec::new();
    let reason = match first_size(&mut stream, first_resize_wait, &mut early).await {
        Err(reason) => reason,
        Ok((cols, rows)) => match timeout(
            OPEN_SHELL_DEADLINE,
            client::open_shell(&ssh.handle, cols, rows),
        )
        .await
        .unwrap_or(Err(client::SshError::Timeout(live.endpoint.clone())))
        {
            Err(e) => {
                let message = ServerMessage::Error {
                    kind: ErrorKind::Internal,
                    message: e.to_string(),
                };
                send(&mut sink, text(&message)).await;
                EndReason::SshClosed
            }
            Ok(channel) => {
                let hello = ServerMessage::Connected {
                    session_id: live.id.clone(),
                };
                send(&mut sink, text(&hello)).await;
                if let Some(key) = learned {
                    let note = ServerMessage::HostKeyLearned {
                        algorithm: key.algorithm,
                        fingerprint: key.fingerprint,
                    };
                    send(&mut sink, text(&note)).await;
                }
                if !early.is_empty() {
                    live.add_in(early.len());
                }
                pump(
                    &mut sink,
                    &mut stream,
                    channel,
                    early,
                    &live,
                    &mut stop,
                    idle,
                )
                .await
            }
        },
    };
    // Recorded first, so the audit log has the end whatever the cleanup below does.
    // Boxed: see terminal.rs; the end is rare, the session's task lives long.
    Box::pin(registry.end(&live, reason)).await;
    if !matches!(
        reason,
        EndReason::TabClosed | EndReason::ConnectionLost | EndReason::ClientUnresponsive
    ) {
        let frame = CloseFrame {
            code: if reason.is_final() {
                cloudshell::models::terminal::CLOSE_FINAL
            } else {
                1000
            },
            reason: reason.to_string().into(),
        };
        let _ = timeout(
            Duration::from_secs(1),
            sink.send(Message::Close(Some(frame))),
        )
        .await;
    }
    let _ = ssh
        .handle
        .disconnect(russh::Disconnect::ByApplication, "", "en")
        .await;
}

/// Output already waiting in russh goes out as one frame (fewer frames and syscalls under
/// load); a lone chunk, such as a keystroke's echo, goes at once and uncopied. Returns the
/// frame and the first non-data message taken while looking, if any.
fn coalesce(reader: &mut ChannelReadHalf, first: Bytes) -> (Bytes, Option<Option<ChannelMsg>>) {
    let mut joined: Option<Vec<u8>> = None;
    loop {
        let len = joined.as_ref().map_or(first.len(), Vec::len);
        if len >= MAX_FRAME {
            break;
        }
        match reader.wait().now_or_never() {
            None => break,
            Some(Some(ChannelMsg::Data { data }))
            | Some(Some(ChannelMsg::ExtendedData { data, .. })) => {
                joined
                    .get_or_insert_with(|| {
                        let mut v = Vec::with_capacity(MAX_FRAME + data.len());
                        v.extend_from_slice(&first);
                        v
                    })
                    .extend_from_slice(&data);
            }
            Some(other) => {
                let frame = joined.map_or(first, Bytes::from);
                return (frame, Some(other));
            }
        }
    }
    (joined.map_or(first, Bytes::from), None)
}

async fn pump(
    sink: &mut Sink,
    stream: &mut SplitStream<WebSocket>,
    channel: russh::Channel<russh::client::Msg>,
    early: Vec<u8>,
    live: &LiveSession,
    stop: &mut StopSignal,
    idle: Option<Duration>,
) -> EndReason {
    let (mut reader, writer) = channel.split();
    let (input, input_task) = spawn_input_writer(writer);
    // Bytes typed before the first resize go first, through the writer like all input
    // (a remote that never opens its window cannot hold the loop here either).
    if !early.is_empty() && input.try_send(Input::Data(Bytes::from(early))).is_err() {
        input_task.abort();
        return EndReason::SshClosed;
    }
    let reason = pump_with(sink, stream, &mut reader, &input, live, stop, idle).await;
    input_task.abort();
    reason
}

async fn pump_with(
    sink: &mut Sink,
    stream: &mut SplitStream<WebSocket>,
    reader: &mut ChannelReadHalf,
    input: &tokio::sync::mpsc::Sender<Input>,
    live: &LiveSession,
    stop: &mut StopSignal,
    idle: Option<Duration>,
) -> EndReason {
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let mut last_progress = Instant::now();
    // Output bytes sent, and how many of them a pong has shown the browser read.
    let mut sent: u64 = 0;
    let mut acked: u64 = 0;
    let mut last_activity = Instant::now();
    let mut exited = false;
    let mut streaming = StreamingFlag::default();
    loop {
        let idle_deadline = idle.map(|d| last_activity + d);
        // While the remote is not taking input, the browser's frames wait in its socket.
        let input_room = input.capacity() > 0;
        tokio::select! {
            _ = stop.changed() => {
                return (*stop.borrow()).unwrap_or(EndReason::ServerShutdown);
            }
            () = input.closed() => return EndReason::SshClosed,
            incoming = stream.next(), if input_room => match incoming {
                Some(Ok(Message::Binary(bytes))) => {
                    live.add_in(bytes.len());
                    last_activity = Instant::now();
                    if input.try_send(Input::Data(bytes)).is_err() {
                        return EndReason::SshClosed;
                    }
                }
                Some(Ok(Message::Text(t))) => match serde_json::from_str::<ClientMessage>(&t) {
                    Ok(ClientMessage::Resize { cols, rows }) => {
                        let (cols, rows) = clamp_size(cols, rows);
                        if input.try_send(Input::Resize(cols, rows)).is_err() {
                            return EndReason::SshClosed;
                        }
                    }
                    Err(_) => {
                        let message = ServerMessage::Error {
                            kind: ErrorKind::BadMessage,
                            message: "Unknown control message ignored; terminal input travels in binary frames.".into(),
                        };
                        if !send(sink, text(&message)).await {
                            return EndReason::ClientUnresponsive;
                        }
                    }
                },
                Some(Ok(Message::Pong(payload))) => {
                    let read = <[u8; 8]>::try_from(&payload[..]).map(u64::from_be_bytes);
                    if let Ok(read) = read && read > acked && read <= sent {
                        acked = read;
                    }
                    last_progress = Instant::now();
                }
                Some(Ok(Message::Ping(_))) => {}
                Some(Ok(Message::Close(_))) => return EndReason::TabClosed,
                Some(Err(e)) => {
                    if e.to_string().contains("too long") {
                        let message = ServerMessage::Error {
                            kind: ErrorKind::BadMessage,
                            message: "A message was too large (at most 64 KiB); the session was closed.".into(),
                        };
                        send(sink, text(&message)).await;
                        return EndReason::ProtocolError;
                    }
                    return EndReason::ConnectionLost;
                }
                None => return EndReason::ConnectionLost,
            },
            output = reader.wait() => {
                let mut next = Some(output);
                while let Some(message) = next.take() {
                    match message {
                        Some(ChannelMsg::Data { data }) | Some(ChannelMsg::ExtendedData { data, .. }) => {
                            let (frame, after) = coalesce(reader, data);
                            let frame_len = frame.len();
                            live.add_out(frame.len());
                            sent += frame.len() as u64;
                            last_activity = Instant::now();
                            // A slow browser must not hold off a logout or shutdown.
                            let delivered = tokio::select! {
                                ok = send(sink, Message::Binary(frame)) => ok,
                                _ = stop.changed() => {
                                    return (*stop.borrow()).unwrap_or(EndReason::ServerShutdown);
                                }
                            };
                            if !delivered {
                                return EndReason::ClientUnresponsive;
                            }
                            // Taken: our buffer drained, so the browser's side is reading
                            // (at most its receive buffer ahead of what a pong has shown).
                            last_progress = Instant::now();
                            // Fairness: while other sessions stream too, a streaming one
                            // sends one frame per turn and goes to the back of the run
                            // queue, instead of spending tokio's whole cooperative budget;
                            // a keystroke's echo elsewhere then waits for one frame of each
                            // neighbour, not dozens. Alone, it keeps its full speed
                            // (docs/performance.md, busy neighbours).
                            streaming.set(frame_len >= MAX_FRAME / 2);
                            if streaming.is_on() && others_streaming() {
                                tokio::task::yield_now().await;
                            }
                            next = after;
                        }
                        Some(ChannelMsg::ExitStatus { exit_status }) => {
                            exited = true;
                            send(sink, text(&ServerMessage::Exit { status: exit_status })).await;
                        }
                        Some(ChannelMsg::Close) | None => {
                            return if exited { EndReason::RemoteExit } else { EndReason::SshClosed };
                        }
                        Some(_) => {}
                    }
                }
            }
            _ = ping.tick() => {
                if !input_room {
                    // Not reading the browser (its pongs wait unread): not its fault.
                    last_progress = Instant::now();
                }
                let in_flight = sent - acked;
                let grace = PROGRESS_DEADLINE
                    + Duration::from_secs(in_flight / SLOWEST_READER).min(MAX_EXTRA_GRACE);
                let marker = Bytes::copy_from_slice(&sent.to_be_bytes());
                if last_progress.elapsed() > grace || !send(sink, Message::Ping(marker)).await {
                    return EndReason::ClientUnresponsive;
                }
            }
            _ = async {
                match idle_deadline {
                    Some(at) => sleep_until(at).await,
                    None => std::future::pending().await,
                }
            } => return EndReason::IdleTimeout,
        }
    }
}
