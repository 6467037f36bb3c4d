//! The client's IP address, which a client cannot forge.
//!
//! The TCP peer is the answer unless the peer is a trusted proxy (`TRUSTED_PROXIES`). Only then
//! are `X-Forwarded-For`, `Forwarded` (RFC 7239) and `X-Real-IP` read. X-Forwarded-For is
//! walked from the right, skipping trusted proxies; the first untrusted address is the client.
//! Only parsed addresses are ever returned, never header text.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// An IP network in CIDR form, e.g. `10.0.0.0/8` or `fd00::/8`. A bare address is a /32 or /128.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, normalize(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let network = normalize(
            addr.parse::<IpAddr>()
                .map_err(|_| format!("'{s}' is not an IP address or CIDR"))?,
        );
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("'{s}' has an invalid prefix length"))?,
        };
        Ok(Cidr { network, prefix })
    }
}

/// Parses a comma-separated CIDR list; empty means "trust no proxy".
pub fn parse_trusted_proxies(list: &str) -> Result<Vec<Cidr>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(Cidr::from_str)
        .collect()
}

/// IPv4-mapped IPv6 (`::ffff:1.2.3.4`) becomes plain IPv4, so one client has one address.
pub fn normalize(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// Parses one address as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `[2001:db8::1]:443`,
/// `2001:db8::1`, optionally quoted (RFC 7239). Anything else is `None`.
pub fn parse_ip_token(token: &str) -> Option<IpAddr> {
    let t = token.trim().trim_matches('"').trim();
    if let Some(rest) = t.strip_prefix('[') {
        let (inside, _) = rest.split_once(']')?;
        return inside
            .parse::<Ipv6Addr>()
            .ok()
            .map(|ip| normalize(IpAddr::V6(ip)));
    }
    if let Ok(ip) = t.parse::<IpAddr>() {
        return Some(normalize(ip));
    }
    let (host, port) = t.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse::<Ipv4Addr>().ok().map(IpAddr::V4)
}

/// The forwarding headers of one request, as raw strings (all occurrences joined by commas).
#[derive(Debug, Default, Clone)]
pub struct ForwardingHeaders {
    pub x_forwarded_for: Option<String>,
    pub forwarded: Option<String>,
    pub x_real_ip: Option<String>,
}

/// Resolves the client IP for a request that arrived from `peer`.
pub fn resolve(peer: IpAddr, headers: &ForwardingHeaders, trusted: &[Cidr]) -> IpAddr {
    let peer = normalize(peer);
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    // Walk a list of hops right to left: the rightmost entries were added by our proxies.
    let walk = |hops: Vec<Option<IpAddr>>| -> Option<IpAddr> {
        let mut last_trusted = None;
        for hop in hops.into_iter().rev() {
            // An unparsable hop ends the walk: nothing to its left can be believed.
            let Some(ip) = hop else {
                return last_trusted;
            };
            if !is_trusted(ip) {
                return Some(ip);
            }
            last_trusted = Some(ip);
        }
        last_trusted
    };
    if let Some(xff) = headers
        .x_forwarded_for
        .as_deref()
        .filter(|v| !v.trim().is_empty())
        && let Some(ip) = walk(xff.split(',').map(parse_ip_token).collect())
    {
        return ip;
    }
    if let Some(fwd) = headers
        .forwarded
        .as_deref()
        .filter(|v| !v.trim().is_empty())
        && let Some(ip) = walk(forwarded_for_hops(fwd))
    {
        return ip;
    }
    if let Some(ip) = headers.x_real_ip.as_deref().and_then(parse_ip_token) {
        return ip;
    }
    peer
}

/// The `for=` values of an RFC 7239 `Forwarded` header, in order.
fn forwarded_for_hops(value: &str) -> Vec<Option<IpAddr>> {
    value
        .split(',')
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| parse_ip_token(v))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn trusted(list: &str) -> Vec<Cidr> {
        parse_trusted_proxies(list).unwrap()
    }

    fn xff(v: &str) -> ForwardingHeaders {
        ForwardingHeaders {
            x_forwarded_for: Some(v.to_owned()),
            ..Default::default()
        }
    }

    #[test]
    fn direct_client_is_the_peer() {
        let t = trusted("10.0.0.0/8");
        assert_eq!(
            resolve(ip("203.0.113.7"), &Default::default(), &t),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn forged_header_from_an_untrusted_peer_is_ignored() {
        let t = trusted("10.0.0.0/8");
        assert_eq!(
            resolve(ip("203.0.113.7"), &xff("1.2.3.4"), &t),
            ip("203.0.113.7")
        );
        // With no trusted proxies configured, headers are never read.
        assert_eq!(
            resolve(ip("10.0.0.2"), &xff("1.2.3.4"), &[]),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn nginx_then_traefik_then_app() {
        // client 198.51.100.9 -> nginx 10.0.0.5 -> traefik 10.0.0.6 -> app
        let t = trusted("10.0.0.0/24");
        let h = xff("198.51.100.9, 10.0.0.5");
        assert_eq!(resolve(ip("10.0.0.6"), &h, &t), ip("198.51.100.9"));
    }

    #[test]
    fn spoofed_leftmost_entry_behind_a_trusted_chain_is_skipped() {
        let t = trusted("10.0.0.0/24");
        // The client sent "X-Forwarded-For: 6.6.6.6"; nginx appended the real address.
        let h = xff("6.6.6.6, 198.51.100.9, 10.0.0.5");
        assert_eq!(resolve(ip("10.0.0.6"), &h, &t), ip("198.51.100.9"));
    }

    #[test]
    fn ipv6_ports_and_mapped_addresses() {
        let t = trusted("10.0.0.1, ::1");
        assert_eq!(
            resolve(ip("::1"), &xff("[2001:db8::7]:443"), &t),
            ip("2001:db8::7")
        );
        assert_eq!(
            resolve(ip("10.0.0.1"), &xff("192.0.2.1:5555"), &t),
            ip("192.0.2.1")
        );
        assert_eq!(
            resolve(ip("10.0.0.1"), &xff("2001:db8::8"), &t),
            ip("2001:db8::8")
        );
        assert_eq!(
            resolve(ip("::ffff:10.0.0.1"), &xff("::ffff:192.0.2.3"), &t),
            ip("192.0.2.3")
        );
    }

    #[test]
    fn garbage_and_empty_headers_fall_back_safely() {
        let t = trusted("10.0.0.0/8");
        // Garbage is never returned; the walk stops at it and the trusted hop nearest it wins.
        assert_eq!(
            resolve(ip("10.0.0.1"), &xff("<script>, 10.0.0.9"), &t),
            ip("10.0.0.9")
        );
        assert_eq!(
            resolve(ip("10.0.0.1"), &xff("not-an-ip"), &t),
            ip("10.0.0.1")
        );
        assert_eq!(resolve(ip("10.0.0.1"), &xff(""), &t), ip("10.0.0.1"));
        assert_eq!(resolve(ip("10.0.0.1"), &xff(" , "), &t), ip("10.0.0.1"));
    }

    #[test]
    fn forwarded_and_x_real_ip_are_read_only_from_trusted_peers() {
        let t = trusted("10.0.0.0/8");
        let h = ForwardingHeaders {
            forwarded: Some("for=\"[2001:db8::9]:4711\";proto=https, for=10.0.0.3".into()),
            ..Default::default()
        };
        assert_eq!(resolve(ip("10.0.0.4"), &h, &t), ip("2001:db8::9"));
        let h = ForwardingHeaders {
            x_real_ip: Some("192.0.2.44".into()),
            ..Default::default()
        };
        assert_eq!(resolve(ip("10.0.0.4"), &h, &t), ip("192.0.2.44"));
        assert_eq!(resolve(ip("192.0.2.1"), &h, &t), ip("192.0.2.1"));
    }

    #[test]
    fn cidr_parsing_and_matching() {
        assert!(trusted("10.0.0.0/8")[0].contains(ip("10.200.3.4")));
        assert!(!trusted("10.0.0.0/8")[0].contains(ip("11.0.0.1")));
        assert!(trusted("0.0.0.0/0")[0].contains(ip("8.8.8.8")));
        assert!(trusted("fd00::/8")[0].contains(ip("fd12::1")));
        assert!(trusted("192.0.2.1")[0].contains(ip("::ffff:192.0.2.1")));
        assert!(parse_trusted_proxies("10.0.0.0/33").is_err());
        assert!(parse_trusted_proxies("nonsense").is_err());
        assert!(parse_trusted_proxies("").unwrap().is_empty());
    }
}
