//! Facts about the HTTP request that services need, resolved once by the server's middleware.

use std::net::IpAddr;

/// Where a request came from. The client IP is resolved by the server from the TCP peer and,
/// only behind trusted proxies, forwarding headers; clients cannot set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestMeta {
    pub client_ip: IpAddr,
    /// The browser reached us over TLS (directly or through a trusted proxy): cookies get `Secure`.
    pub is_tls: bool,
}
