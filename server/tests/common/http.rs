//! A deliberately small HTTP/1.1 client over a raw TCP socket. Tests use it instead of an HTTP
//! client crate so the test build reuses the server build's dependency features unchanged.

use std::collections::HashMap;
use std::net::SocketAddr;

use cloudshell::models::audit::url_encode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    /// Lower-cased header names; repeated headers (Set-Cookie) keep every value.
    pub headers: HashMap<String, Vec<String>>,
    pub body: String,
    /// The body's bytes as sent (downloads).
    pub bytes: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .and_then(|v| v.first())
            .map(String::as_str)
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(|v| v.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The session token from a `Set-Cookie: cloudshell_session=...` header (or its
    /// `__Host-` form, used over https).
    pub fn session_cookie(&self) -> Option<String> {
        self.all("set-cookie").into_iter().find_map(|c| {
            let c = c.strip_prefix("__Host-").unwrap_or(c);
            let v = c.strip_prefix("cloudshell_session=")?;
            let token = v.split(';').next()?;
            (!token.is_empty()).then(|| token.to_owned())
        })
    }
}

/// The `Origin` a request carries. Like a browser, the client sends the server's own origin on
/// state-changing requests unless a test says otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OriginHeader {
    SameSite,
    Custom(String),
    Omitted,
}

pub struct Request<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub headers: Vec<(&'a str, String)>,
    pub body: Vec<u8>,
    pub origin: OriginHeader,
}

impl<'a> Request<'a> {
    pub fn get(path: &'a str) -> Self {
        Self {
            method: "GET",
            path,
            headers: Vec::new(),
            body: Vec::new(),
            origin: OriginHeader::Omitted,
        }
    }

    pub fn post_form(path: &'a str, fields: &[(&str, &str)]) -> Self {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", url_encode(k), url_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        Self {
            method: "POST",
            path,
            headers: vec![(
                "Content-Type",
                "application/x-www-form-urlencoded".to_owned(),
            )],
            body: body.into_bytes(),
            origin: OriginHeader::SameSite,
        }
    }

    /// The login form, as the page posts it.
    pub fn login(username: &str, password: &str) -> Self {
        Self::post_form(
            "/api/auth/login",
            &[("username", username), ("password", password)],
        )
    }

    pub fn post_json(path: &'a str, body: &serde_json::Value) -> Self {
        Self {
            method: "POST",
            path,
            headers: vec![("Content-Type", "application/json".to_owned())],
            body: body.to_string().into_bytes(),
            origin: OriginHeader::SameSite,
        }
    }

    /// Raw bytes, as the file manager uploads them.
    pub fn put_bytes(path: &'a str, body: Vec<u8>) -> Self {
        Self {
            method: "PUT",
            path,
            headers: vec![("Content-Type", "application/octet-stream".to_owned())],
            body,
            origin: OriginHeader::SameSite,
        }
    }

    pub fn origin(mut self, origin: OriginHeader) -> Self {
        self.origin = origin;
        self
    }

    pub fn header(mut self, name: &'a str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn cookie(self, token: &str) -> Self {
        self.header("Cookie", format!("cloudshell_session={token}"))
    }

    pub async fn send(self, addr: SocketAddr) -> Response {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let mut head = format!(
            "{} {} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.method,
            self.path,
            self.body.len()
        );
        // The server's own address, unless the test names another Host.
        if !self
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("host"))
        {
            head.push_str(&format!("Host: {addr}\r\n"));
        }
        match &self.origin {
            OriginHeader::SameSite => head.push_str(&format!("Origin: http://{addr}\r\n")),
            OriginHeader::Custom(o) => head.push_str(&format!("Origin: {o}\r\n")),
            OriginHeader::Omitted => {}
        }
        for (k, v) in &self.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await.expect("write head");
        stream.write_all(&self.body).await.expect("write body");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("read");
        parse(&raw)
    }
}

fn parse(raw: &[u8]) -> Response {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("no header end");
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("status line");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    let mut headers: HashMap<String, Vec<String>> = HashMap::new();
    for line in lines {
        if let Some((k, v)) = line.split_once(':') {
            headers
                .entry(k.trim().to_ascii_lowercase())
                .or_default()
                .push(v.trim().to_owned());
        }
    }
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .get("transfer-encoding")
        .is_some_and(|v| v.iter().any(|x| x.eq_ignore_ascii_case("chunked")));
    if chunked {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        bytes: body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16)
            .expect("chunk size");
        if size == 0 {
            break;
        }
        let start = eol + 2;
        out.extend_from_slice(&data[start..start + size]);
        data = &data[start + size + 2..];
    }
    out
}
