//! A terminal client over the real WebSocket, as the browser uses it.

use std::net::SocketAddr;
use std::time::Duration;

use cloudshell::models::terminal::{ClientMessage, ErrorKind, ServerMessage};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub const WAIT: Duration = Duration::from_secs(10);

/// Opens `/ws/terminal/{id}` with the session cookie and the given Origin.
pub async fn connect(
    addr: SocketAddr,
    token: &str,
    device_id: i64,
    origin: &str,
) -> Result<Ws, WsError> {
    let mut request = format!("ws://{addr}/ws/terminal/{device_id}")
        .into_client_request()
        .expect("request");
    let headers = request.headers_mut();
    headers.insert("Origin", origin.parse().expect("origin"));
    headers.insert(
        "Cookie",
        format!("cloudshell_session={token}")
            .parse()
            .expect("cookie"),
    );
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(ws, _)| ws)
}

pub struct Term {
    pub ws: Ws,
    pub output: Vec<u8>,
    pub messages: Vec<ServerMessage>,
    pub closed: bool,
    /// The close frame's reason text, once the server closed.
    pub close_reason: Option<String>,
}

impl Term {
    /// Connects from this site and sends the first resize.
    pub async fn open(addr: SocketAddr, token: &str, device_id: i64, cols: u32, rows: u32) -> Term {
        let mut term = Term::attach(addr, token, device_id).await;
        term.control(ClientMessage::Resize { cols, rows }).await;
        term
    }

    /// Connects from this site and sends nothing (a refusal arrives before any resize).
    pub async fn attach(addr: SocketAddr, token: &str, device_id: i64) -> Term {
        let ws = connect(addr, token, device_id, &format!("http://{addr}"))
            .await
            .expect("websocket upgrade");
        Term {
            ws,
            output: Vec::new(),
            messages: Vec::new(),
            closed: false,
            close_reason: None,
        }
    }

    /// Reads until the server's error message; its kind and text.
    pub async fn expect_error(&mut self) -> (ErrorKind, String) {
        match self
            .expect_message(|m| matches!(m, ServerMessage::Error { .. }))
            .await
        {
            ServerMessage::Error { kind, message } => (kind, message),
            other => panic!("not an error: {other:?}"),
        }
    }

    pub async fn control(&mut self, message: ClientMessage) {
        let json = serde_json::to_string(&message).expect("json");
        self.ws
            .send(Message::Text(json.into()))
            .await
            .expect("send control");
    }

    pub async fn type_text(&mut self, text: &str) {
        self.ws
            .send(Message::Binary(text.as_bytes().to_vec().into()))
            .await
            .expect("send input");
    }

    /// Reads one frame (or times out); false once the socket is closed.
    async fn read_one(&mut self, until: Instant) -> bool {
        if self.closed {
            return false;
        }
        match timeout(
            until.saturating_duration_since(Instant::now()),
            self.ws.next(),
        )
        .await
        {
            Err(_) => false,
            Ok(Some(Ok(Message::Binary(b)))) => {
                self.output.extend_from_slice(&b);
                true
            }
            Ok(Some(Ok(Message::Text(t)))) => {
                self.messages
                    .push(serde_json::from_str(&t).expect("server control message"));
                true
            }
            Ok(Some(Ok(Message::Close(frame)))) => {
                self.close_reason = frame.map(|f| f.reason.to_string());
                self.closed = true;
                false
            }
            Ok(None) | Ok(Some(Err(_))) => {
                self.closed = true;
                false
            }
            Ok(Some(Ok(_))) => true,
        }
    }

    /// Reads until the output contains `needle`; returns the output so far as text.
    pub async fn expect_output(&mut self, needle: &str) -> String {
        self.expect_output_after(0, needle).await
    }

    /// Like `expect_output`, looking only at output from byte `offset` on.
    pub async fn expect_output_after(&mut self, offset: usize, needle: &str) -> String {
        let until = Instant::now() + WAIT;
        loop {
            let text =
                String::from_utf8_lossy(&self.output[offset.min(self.output.len())..]).into_owned();
            if text.contains(needle) {
                return text;
            }
            if !self.read_one(until).await && (self.closed || Instant::now() >= until) {
                panic!("no {needle:?} in the terminal output: {text:?}");
            }
        }
    }

    /// Reads until a control message matches.
    pub async fn expect_message(
        &mut self,
        wanted: impl Fn(&ServerMessage) -> bool,
    ) -> ServerMessage {
        let until = Instant::now() + WAIT;
        loop {
            if let Some(found) = self.messages.iter().find(|m| wanted(m)) {
                return found.clone();
            }
            if !self.read_one(until).await && (self.closed || Instant::now() >= until) {
                panic!(
                    "expected control message not received; got {:?}",
                    self.messages
                );
            }
        }
    }

    /// Reads until the server closes the socket.
    pub async fn expect_closed(&mut self) {
        let until = Instant::now() + WAIT;
        while !self.closed {
            if !self.read_one(until).await && Instant::now() >= until {
                panic!("the server did not close the terminal");
            }
        }
    }
}
