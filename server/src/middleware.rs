//! The request gate: resolves who is calling and from where, and refuses what needs a session.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use cloudshell::auth::{AuthError, cookie};
use cloudshell::request::RequestMeta;

use crate::access::{Access, classify, is_passive};
use crate::state::AppState;

/// The TCP peer, with IPv4-mapped IPv6 addresses shown as plain IPv4.
fn peer_ip(peer: SocketAddr) -> IpAddr {
    match peer.ip() {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

fn session_token(req: &Request) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(cookie::token_from_cookie_header)
        .map(str::to_owned)
}

fn unauthorized_json() -> Response {
    // The body is the serialized `AppError::Unauthorized`, so server-function clients decode it.
    let body = serde_json::to_string(&app::error::AppError::Unauthorized)
        .unwrap_or_else(|_| "\"Unauthorized\"".to_owned());
    (
        StatusCode::UNAUTHORIZED,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

pub async fn auth_gate(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut req: Request,
    next: Next,
) -> Response {
    let meta = RequestMeta {
        client_ip: peer_ip(peer),
        is_tls: req.uri().scheme_str() == Some("https"),
    };
    req.extensions_mut().insert(meta);
    let path = req.uri().path().to_owned();
    let token = session_token(&req);

    let session = match &token {
        None => None,
        Some(token) => match state.auth.authenticate(token, !is_passive(&path)).await {
            Ok(session) => Some(session),
            Err(AuthError::Unauthenticated) => None,
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The server cannot reach its database. Try again shortly.",
                )
                    .into_response();
            }
        },
    };

    let Some(session) = session else {
        let mut res = match classify(&path) {
            Access::Public => return next.run(req).await,
            Access::Api => unauthorized_json(),
            Access::Page => Redirect::to("/login").into_response(),
        };
        // A stale cookie is removed, so the browser stops sending it.
        if token.is_some()
            && let Ok(v) = HeaderValue::from_str(&cookie::clear_session_cookie(meta.is_tls))
        {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
        return res;
    };

    if path == "/login" {
        return Redirect::to("/").into_response();
    }
    req.extensions_mut().insert(session);
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_ipv6_becomes_ipv4() {
        let p: SocketAddr = "[::ffff:10.1.2.3]:5000".parse().unwrap();
        assert_eq!(peer_ip(p).to_string(), "10.1.2.3");
        let p: SocketAddr = "[2001:db8::1]:5000".parse().unwrap();
        assert_eq!(peer_ip(p).to_string(), "2001:db8::1");
    }
}
