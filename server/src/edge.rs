//! The web edge's request checks, applied to every route by the request gate: a state change
//! must come from the CloudShell page itself, with the content type its endpoint takes.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cloudshell::origin::Origin;

/// Server functions that take JSON; every other `/api/` state change takes a form.
const JSON_ENDPOINTS: &[&str] = &[
    "/api/devices/create",
    "/api/devices/update",
    "/api/workspace/save",
    "/api/terminal/broadcast",
    "/api/settings/terminal/save",
    "/api/users/create",
    "/api/users/update",
    "/api/groups/update",
    "/api/devices/set-groups",
];

/// The origin this request must come from: `PUBLIC_URL`, else the request's own scheme and Host.
pub fn expected_origin(
    public_url: Option<&Origin>,
    headers: &HeaderMap,
    tls: bool,
) -> Option<Origin> {
    public_url.cloned().or_else(|| {
        let host = headers.get(header::HOST)?.to_str().ok()?;
        Origin::from_authority(tls, host)
    })
}

/// Without PUBLIC_URL on a loopback listener, only loopback names may be in `Host`: a page
/// whose DNS name is rebound to 127.0.0.1 would otherwise pass as the site itself (its
/// Origin equals its Host) and could, say, spend the real user's login attempts.
pub fn host_allowed(headers: &HeaderMap, loopback_only: bool) -> bool {
    if !loopback_only {
        return true;
    }
    let Some(host) = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| Origin::from_authority(false, h))
    else {
        return false;
    };
    let name = host.host.trim_start_matches('[').trim_end_matches(']');
    name == "localhost"
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether the browser says this request comes from `expected`: its `Origin`, or without one,
/// `Sec-Fetch-Site: same-origin`. Anything else (another site, `null`, neither header) is no.
pub fn from_origin(headers: &HeaderMap, expected: Option<&Origin>) -> bool {
    match headers.get(header::ORIGIN) {
        Some(origin) => match (origin.to_str(), expected) {
            (Ok(origin), Some(expected)) => expected.matches(origin),
            _ => false,
        },
        None => headers
            .get("sec-fetch-site")
            .is_some_and(|v| v.as_bytes() == b"same-origin"),
    }
}

fn content_type_is(headers: &HeaderMap, wanted: &[&str]) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| wanted.iter().any(|w| t.trim().eq_ignore_ascii_case(w)))
}

/// Why a state change is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not from the site's own origin: 403.
    CrossSite,
    /// Not the content type the endpoint takes (they are listed): 415.
    ContentType(&'static [&'static str]),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::CrossSite => refuse(StatusCode::FORBIDDEN, app::error::AppError::CrossSite),
            Refusal::ContentType(wanted) => refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                app::error::AppError::BadRequest(format!(
                    "This endpoint takes {} only.",
                    wanted.join(" or ")
                )),
            ),
        }
    }
}

const JSON: &[&str] = &["application/json"];
const FORM: &[&str] = &["application/x-www-form-urlencoded", "multipart/form-data"];
const BYTES: &[&str] = &["application/octet-stream"];
/// The file manager's streamed transfers (uploads take raw bytes).
pub const TRANSFERS: &str = "/api/transfers/";

/// Refuses a cross-site or wrongly typed state change; lets everything else through. The
/// expected origin is worked out only for state changes, not for every page and file.
pub fn check(req: &Request, public_url: Option<&Origin>, tls: bool) -> Result<(), Refusal> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let headers = req.headers();
    let expected = expected_origin(public_url, headers, tls);
    if !from_origin(headers, expected.as_ref()) {
        return Err(Refusal::CrossSite);
    }
    let path = req.uri().path();
    let wanted = if JSON_ENDPOINTS.contains(&path) {
        JSON
    } else if path.starts_with(TRANSFERS) {
        BYTES
    } else if path.starts_with("/api/") {
        FORM
    } else {
        return Ok(());
    };
    if content_type_is(headers, wanted) {
        Ok(())
    } else {
        Err(Refusal::ContentType(wanted))
    }
}

/// How long a request (other than a WebSocket) may take to answer.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Answers 503 when a request takes longer than the state's `request_timeout`. WebSockets
/// are exempt: they live as long as their terminal, under their own limits.
pub async fn request_timeout(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    // Transfers run as long as the bytes keep moving (they have stall limits of their own).
    if req.uri().path().starts_with("/ws/") || req.uri().path().starts_with(TRANSFERS) {
        return next.run(req).await;
    }
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::to_string(&app::error::AppError::Busy {
                retry_after_secs: 5,
            })
            .unwrap_or_default(),
        )
            .into_response(),
    }
}

/// An error answer in the shape server functions use (`AppError` JSON).
pub fn refuse(status: StatusCode, err: app::error::AppError) -> Response {
    let body = serde_json::to_string(&err).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn only_the_site_itself_may_change_state() {
        let site = Origin::parse("http://127.0.0.1:3000").unwrap();
        assert!(from_origin(
            &headers(&[("origin", "http://127.0.0.1:3000")]),
            Some(&site)
        ));
        assert!(from_origin(
            &headers(&[("sec-fetch-site", "same-origin")]),
            Some(&site)
        ));
        assert!(!from_origin(
            &headers(&[("origin", "https://127.0.0.1:3000")]),
            Some(&site)
        ));
        assert!(!from_origin(&headers(&[("origin", "null")]), Some(&site)));
        assert!(!from_origin(
            &headers(&[("sec-fetch-site", "same-site")]),
            Some(&site)
        ));
        assert!(!from_origin(&headers(&[]), Some(&site)));
        // An Origin that is present but wrong is not rescued by Sec-Fetch-Site.
        assert!(!from_origin(
            &headers(&[
                ("origin", "http://evil.example"),
                ("sec-fetch-site", "same-origin")
            ]),
            Some(&site)
        ));
    }

    #[test]
    fn a_loopback_listener_answers_only_loopback_names() {
        for ok in [
            "127.0.0.1:3000",
            "localhost:3000",
            "[::1]:3000",
            "127.0.0.2",
        ] {
            assert!(host_allowed(&headers(&[("host", ok)]), true), "{ok}");
        }
        for bad in [
            "evil.example:3000",
            "10.0.0.5:3000",
            "localhost.evil.example",
        ] {
            assert!(!host_allowed(&headers(&[("host", bad)]), true), "{bad}");
        }
        assert!(!host_allowed(&headers(&[]), true));
        assert!(host_allowed(
            &headers(&[("host", "shell.example.org")]),
            false
        ));
    }

    #[test]
    fn the_expected_origin_comes_from_public_url_first() {
        let h = headers(&[("host", "10.0.0.5:3000")]);
        let public = Origin::parse("https://shell.example.com").unwrap();
        assert_eq!(expected_origin(Some(&public), &h, false), Some(public));
        assert_eq!(
            expected_origin(None, &h, false).unwrap().to_string(),
            "http://10.0.0.5:3000"
        );
    }
}
