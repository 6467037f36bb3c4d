//! The client's IP address, which a client cannot forge.
//!
//! The TCP peer is the answer unless the peer is a trusted proxy (`TRUSTED_PROXIES`). Only then
//! is the one configured header read (`CLIENT_IP_HEADER`: `X-Forwarded-For` by default,
//! `Forwarded` (RFC 7239) or `X-Real-IP`); the others are ignored, so a client cannot slip in
//! one its proxy passes through untouched. A list is walked from the right, skipping trusted
//! proxies; the first untrusted address is the client. An entry that cannot be read or parsed
//! (bytes that are not ASCII, garbage) stops the walk at the last trusted hop; the resolver
//! never falls through to another header. Only parsed addresses are ever returned.

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

/// The one header the client address is read from (behind a trusted proxy).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ClientIpHeader {
    #[default]
    XForwardedFor,
    Forwarded,
    XRealIp,
}

impl ClientIpHeader {
    /// The header's name in lower case, as HTTP libraries take it.
    pub fn name(self) -> &'static str {
        match self {
            ClientIpHeader::XForwardedFor => "x-forwarded-for",
            ClientIpHeader::Forwarded => "forwarded",
            ClientIpHeader::XRealIp => "x-real-ip",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::XForwardedFor, Self::Forwarded, Self::XRealIp]
            .into_iter()
            .find(|h| h.name().eq_ignore_ascii_case(value.trim()))
    }
}

/// Resolves the client IP for a request that arrived from `peer`. `value` is every occurrence
/// of the configured header as raw bytes, joined by commas (`None` when it is absent).
pub fn resolve(
    peer: IpAddr,
    header: ClientIpHeader,
    value: Option<&[u8]>,
    trusted: &[Cidr],
) -> IpAddr {
    let peer = normalize(peer);
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let Some(value) = value else {
        return peer;
    };
    let hops: Vec<Option<IpAddr>> = match header {
        ClientIpHeader::XForwardedFor => value.split(|b| *b == b',').map(token_ip).collect(),
        ClientIpHeader::Forwarded => forwarded_for_hops(value),
        ClientIpHeader::XRealIp => vec![token_ip(value)],
    };
    // Right to left: the rightmost entries were added by our own proxies.
    let mut last_trusted = peer;
    for hop in hops.into_iter().rev() {
        // Unreadable or unparsable: nothing to its left can be believed.
        let Some(ip) = hop else {
            return last_trusted;
        };
        if !is_trusted(ip) {
            return ip;
        }
        last_trusted = ip;
    }
    last_trusted
}

/// One list entry as bytes: an address if it is ASCII and parses, else `None`.
fn token_ip(token: &[u8]) -> Option<IpAddr> {
    std::str::from_utf8(token)
        .ok()
        .filter(|t| t.is_ascii())
        .and_then(parse_ip_token)
}

/// The `for=` value of each element of an RFC 7239 `Forwarded` header, in order. An element
/// without a readable `for=` is an unparsable hop.
fn forwarded_for_hops(value: &[u8]) -> Vec<Option<IpAddr>> {
    value
        .split(|b| *b == b',')
        .map(|element| {
            let element = std::str::from_utf8(element).ok().filter(|e| e.is_ascii())?;
            element.split(';').find_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| parse_ip_token(v))
                    .flatten()
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

    const XFF: ClientIpHeader = ClientIpHeader::XForwardedFor;

    fn xff_of(peer: &str, value: &str, t: &[Cidr]) -> IpAddr {
        resolve(ip(peer), XFF, Some(value.as_bytes()), t)
    }

    #[test]
    fn direct_client_is_the_peer() {
        let t = trusted("10.0.0.0/8");
        assert_eq!(resolve(ip("203.0.113.7"), XFF, None, &t), ip("203.0.113.7"));
    }

    #[test]
    fn forged_header_from_an_untrusted_peer_is_ignored() {
        let t = trusted("10.0.0.0/8");
        assert_eq!(xff_of("203.0.113.7", "1.2.3.4", &t), ip("203.0.113.7"));
        // With no trusted proxies configured, headers are never read.
        assert_eq!(xff_of("10.0.0.2", "1.2.3.4", &[]), ip("10.0.0.2"));
    }

    #[test]
    fn nginx_then_traefik_then_app() {
        // client 198.51.100.9 -> nginx 10.0.0.5 -> traefik 10.0.0.6 -> app
        let t = trusted("10.0.0.0/24");
        assert_eq!(
            xff_of("10.0.0.6", "198.51.100.9, 10.0.0.5", &t),
            ip("198.51.100.9")
        );
    }

    #[test]
    fn spoofed_leftmost_entry_behind_a_trusted_chain_is_skipped() {
        let t = trusted("10.0.0.0/24");
        // The client sent "X-Forwarded-For: 6.6.6.6"; nginx appended the real address.
        assert_eq!(
            xff_of("10.0.0.6", "6.6.6.6, 198.51.100.9, 10.0.0.5", &t),
            ip("198.51.100.9")
        );
    }

    #[test]
    fn ipv6_ports_and_mapped_addresses() {
        let t = trusted("10.0.0.1, ::1");
        assert_eq!(xff_of("::1", "[2001:db8::7]:443", &t), ip("2001:db8::7"));
        assert_eq!(xff_of("10.0.0.1", "192.0.2.1:5555", &t), ip("192.0.2.1"));
        assert_eq!(xff_of("10.0.0.1", "2001:db8::8", &t), ip("2001:db8::8"));
        assert_eq!(
            xff_of("::ffff:10.0.0.1", "::ffff:192.0.2.3", &t),
            ip("192.0.2.3")
        );
    }

    #[test]
    fn unreadable_or_garbage_entries_stop_the_walk_at_the_last_trusted_hop() {
        let t = trusted("10.0.0.0/8");
        assert_eq!(xff_of("10.0.0.1", "<script>, 10.0.0.9", &t), ip("10.0.0.9"));
        assert_eq!(xff_of("10.0.0.1", "not-an-ip", &t), ip("10.0.0.1"));
        assert_eq!(xff_of("10.0.0.1", "", &t), ip("10.0.0.1"));
        assert_eq!(xff_of("10.0.0.1", " , ", &t), ip("10.0.0.1"));
        // The probe: a client's non-ASCII X-Forwarded-For, to which nginx appended the real
        // address. The real address is read; the unreadable entry to its left is never passed.
        let probe = b"\xc3\xa9, 203.0.113.9";
        assert_eq!(
            resolve(ip("10.0.0.1"), XFF, Some(probe), &t),
            ip("203.0.113.9")
        );
        let all_bad = b"\xc3\xa9";
        assert_eq!(
            resolve(ip("10.0.0.1"), XFF, Some(all_bad), &t),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn only_the_configured_header_is_read() {
        let t = trusted("10.0.0.0/8");
        let fwd = ClientIpHeader::Forwarded;
        let value = b"for=\"[2001:db8::9]:4711\";proto=https, for=10.0.0.3";
        assert_eq!(
            resolve(ip("10.0.0.4"), fwd, Some(value), &t),
            ip("2001:db8::9")
        );
        // An element without a readable for= stops the walk.
        let value = b"proto=https, for=10.0.0.3";
        assert_eq!(
            resolve(ip("10.0.0.4"), fwd, Some(value), &t),
            ip("10.0.0.3")
        );
        let real = ClientIpHeader::XRealIp;
        assert_eq!(
            resolve(ip("10.0.0.4"), real, Some(b"192.0.2.44"), &t),
            ip("192.0.2.44")
        );
        assert_eq!(
            resolve(ip("192.0.2.1"), real, Some(b"192.0.2.44"), &t),
            ip("192.0.2.1")
        );
        assert_eq!(ClientIpHeader::parse("Forwarded"), Some(fwd));
        assert_eq!(ClientIpHeader::parse("x-real-ip"), Some(real));
        assert_eq!(ClientIpHeader::parse("true-client-ip"), None);
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
