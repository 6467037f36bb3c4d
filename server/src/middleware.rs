//! The request gate: resolves who is calling and from where, and refuses what needs a session.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use cloudshell::auth::{AuthError, cookie};
use cloudshell::client_ip::{self, Cidr, ClientIpHeader};
use cloudshell::origin::Origin;
use cloudshell::request::RequestMeta;

use crate::access::{Access, classify, is_passive};
use crate::state::AppState;

/// Every value of header `name` as raw bytes, joined by commas as HTTP allows for lists.
/// Bytes that are not text stay as they are: the resolver treats them as unparsable.
fn joined_bytes(req: &Request, name: &str) -> Option<Vec<u8>> {
    let mut values = req.headers().get_all(name).iter();
    let mut joined = values.next()?.as_bytes().to_vec();
    for v in values {
        joined.push(b',');
        joined.extend_from_slice(v.as_bytes());
    }
    Some(joined)
}

/// Client IP and TLS flag. The forwarding header counts only when the TCP peer is a trusted
/// proxy. With PUBLIC_URL, its scheme decides whether the browser is on TLS.
fn request_meta(
    req: &Request,
    peer: SocketAddr,
    trusted: &[Cidr],
    ip_header: ClientIpHeader,
    public_url: Option<&Origin>,
) -> RequestMeta {
    let peer_ip = client_ip::normalize(peer.ip());
    let peer_trusted = trusted.iter().any(|c| c.contains(peer_ip));
    let forwarded_https = peer_trusted
        && joined_bytes(req, "x-forwarded-proto")
            .and_then(|v| {
                v.rsplit(|b| *b == b',')
                    .next()
                    .map(|p| p.trim_ascii().eq_ignore_ascii_case(b"https"))
            })
            .unwrap_or(false);
    RequestMeta {
        client_ip: client_ip::resolve(
            peer_ip,
            ip_header,
            joined_bytes(req, ip_header.name()).as_deref(),
            trusted,
        ),
        is_tls: public_url.map_or(
            req.uri().scheme_str() == Some("https") || forwarded_https,
            |o| o.https,
        ),
    }
}

fn session_token(req: &Request, secure: bool) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| cookie::token_from_cookie_header(h, secure))
        .map(str::to_owned)
}

/// The serialized `AppError`, so server-function clients decode it.
fn app_error_json(status: StatusCode, err: &app::error::AppError) -> Response {
    let body = serde_json::to_string(err).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn unauthorized_json() -> Response {
    app_error_json(
        StatusCode::UNAUTHORIZED,
        &app::error::AppError::Unauthorized,
    )
}

pub async fn auth_gate(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut req: Request,
    next: Next,
) -> Response {
    if !crate::edge::host_allowed(req.headers(), state.loopback_hosts_only) {
        return (
            StatusCode::MISDIRECTED_REQUEST,
            "This server answers only to its own address. Set PUBLIC_URL to serve another name.",
        )
            .into_response();
    }
    let public_url = state.public_url.as_deref();
    let meta = request_meta(
        &req,
        peer,
        &state.trusted_proxies,
        state.client_ip_header,
        public_url,
    );
    // Cross-site and wrongly typed state changes stop here, before any database work.
    if let Err(refusal) = crate::edge::check(&req, public_url, meta.is_tls) {
        return refusal.into_response();
    }
    req.extensions_mut().insert(meta);
    let path = req.uri().path().to_owned();
    let token = session_token(&req, meta.is_tls).filter(|_| crate::access::looks_up_session(&path));

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
    if session.must_change_password && !crate::access::allowed_before_password_change(&path) {
        return app_error_json(
            StatusCode::FORBIDDEN,
            &app::error::AppError::PasswordChangeRequired,
        );
    }
    req.extensions_mut().insert(session);
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn req(headers: &[(&str, &str)]) -> Request {
        let mut b = axum::http::Request::builder().uri("/");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(Body::empty()).unwrap()
    }

    #[test]
    fn forwarded_proto_counts_only_from_a_trusted_proxy() {
        let trusted = cloudshell::client_ip::parse_trusted_proxies("10.0.0.0/8").unwrap();
        let r = req(&[
            ("x-forwarded-proto", "https"),
            ("x-forwarded-for", "192.0.2.9"),
        ]);
        let via_proxy = request_meta(
            &r,
            "10.0.0.2:1000".parse().unwrap(),
            &trusted,
            ClientIpHeader::default(),
            None,
        );
        assert!(via_proxy.is_tls);
        assert_eq!(via_proxy.client_ip.to_string(), "192.0.2.9");
        let direct = request_meta(
            &r,
            "192.0.2.1:1000".parse().unwrap(),
            &trusted,
            ClientIpHeader::default(),
            None,
        );
        assert!(!direct.is_tls);
        assert_eq!(direct.client_ip.to_string(), "192.0.2.1");
    }

    #[test]
    fn repeated_forwarding_headers_are_joined_in_order() {
        let trusted = cloudshell::client_ip::parse_trusted_proxies("10.0.0.0/8").unwrap();
        let r = req(&[
            ("x-forwarded-for", "6.6.6.6"),
            ("x-forwarded-for", "192.0.2.5"),
        ]);
        let meta = request_meta(
            &r,
            "10.0.0.2:1000".parse().unwrap(),
            &trusted,
            ClientIpHeader::default(),
            None,
        );
        assert_eq!(meta.client_ip.to_string(), "192.0.2.5");
    }
}
