//! Security headers on every response: no MIME sniffing, no referrer, no framing, a
//! Content-Security-Policy (pages set their own, with their nonce), and HSTS when the
//! public URL is https.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// Whether the site is served over https (PUBLIC_URL), which turns HSTS on.
#[derive(Debug, Clone, Copy)]
pub struct Https(pub bool);

pub async fn security_headers(State(https): State<Https>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let fixed: [(HeaderName, &str); 3] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    for (name, value) in fixed {
        h.insert(name, HeaderValue::from_static(value));
    }
    if !h.contains_key(header::CONTENT_SECURITY_POLICY)
        && let Ok(policy) = HeaderValue::from_str(&cloudshell::csp::policy(None))
    {
        h.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    if https.0 {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    res
}
