//! Where devices may be reached. The check runs on the address actually connected to, after
//! DNS, so a name that later resolves elsewhere (rebinding) cannot get around it. Refused by
//! default: loopback, link-local (cloud metadata at 169.254.169.254 among them), unspecified
//! and multicast addresses; `DEVICE_DENY_CIDRS` adds more; `DEVICE_ALLOW_CIDRS`, when set,
//! is the only place devices may be, and may name the default-refused ranges explicitly.

use std::net::IpAddr;

use crate::client_ip::Cidr;

#[derive(Debug, Clone, Default)]
pub struct DestinationPolicy {
    allow: Vec<Cidr>,
    deny: Vec<Cidr>,
}

/// Why an address was refused, for the server log and the fixed message the user sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Loopback, link-local, unspecified or multicast, and not explicitly allowed.
    Special,
    Denied,
    NotAllowed,
}

impl DestinationPolicy {
    pub fn new(allow: Vec<Cidr>, deny: Vec<Cidr>) -> Self {
        Self { allow, deny }
    }

    /// An IPv6 address that carries an IPv4 one (mapped, compatible, NAT64, 6to4) is checked
    /// as both: it may reach that IPv4 address.
    pub fn check(&self, ip: IpAddr) -> Result<(), Refusal> {
        let ip = canonical(ip);
        if let Some(v4) = embedded_v4(ip) {
            self.check_one(IpAddr::V4(v4))?;
        }
        self.check_one(ip)
    }

    fn check_one(&self, ip: IpAddr) -> Result<(), Refusal> {
        if self.deny.iter().any(|c| c.contains(ip)) {
            return Err(Refusal::Denied);
        }
        let allowed = self.allow.iter().any(|c| c.contains(ip));
        if !self.allow.is_empty() && !allowed {
            return Err(Refusal::NotAllowed);
        }
        if is_special(ip) && !allowed {
            return Err(Refusal::Special);
        }
        Ok(())
    }
}

/// An IPv4-mapped IPv6 address is checked as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The IPv4 address inside an IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::/96`,
/// `64:ff9b:1::/48`) or 6to4 (`2002::/16`) IPv6 address.
fn embedded_v4(ip: IpAddr) -> Option<std::net::Ipv4Addr> {
    let IpAddr::V6(v6) = ip else { return None };
    let s = v6.segments();
    let tail =
        std::net::Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        [0, 0, 0, 0, 0, 0, _, _] if !v6.is_loopback() && !v6.is_unspecified() => Some(tail),
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(tail),
        [0x64, 0xff9b, 1, ..] => Some(tail),
        [0x2002, a, b, ..] => Some(std::net::Ipv4Addr::new(
            (a >> 8) as u8,
            a as u8,
            (b >> 8) as u8,
            b as u8,
        )),
        _ => None,
    }
}

/// Cloud metadata services outside the link-local range: Alibaba's 100.100.100.200 and
/// AWS's IPv6 fd00:ec2::254.
fn is_metadata(ip: IpAddr) -> bool {
    ip == IpAddr::from([100, 100, 100, 200])
        || ip == IpAddr::from([0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254])
}

fn is_special(ip: IpAddr) -> bool {
    if is_metadata(ip) {
        return true;
    }
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                // "this network" (0.0.0.0/8) reaches the local host on Linux.
                || v4.octets()[0] == 0
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || v6.is_unicast_link_local()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client_ip::parse_trusted_proxies;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn special_ranges_are_refused_by_default_and_allowed_only_by_name() {
        let default = DestinationPolicy::default();
        for refused in [
            "127.0.0.1",
            "127.8.9.10",
            "169.254.169.254",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::7f00:1",
            "2002:7f00:1::1",
            "2002:a9fe:a9fe::1",
            "100.100.100.200",
            "fd00:ec2::254",
        ] {
            assert_eq!(
                default.check(ip(refused)),
                Err(Refusal::Special),
                "{refused}"
            );
        }
        assert_eq!(default.check(ip("10.0.0.5")), Ok(()));
        assert_eq!(default.check(ip("2001:db8::5")), Ok(()));

        let loopback =
            DestinationPolicy::new(parse_trusted_proxies("127.0.0.1/32").unwrap(), vec![]);
        assert_eq!(loopback.check(ip("127.0.0.1")), Ok(()));
        assert_eq!(loopback.check(ip("10.0.0.5")), Err(Refusal::NotAllowed));
        assert_eq!(
            loopback.check(ip("169.254.169.254")),
            Err(Refusal::NotAllowed)
        );
    }

    #[test]
    fn deny_wins_over_allow() {
        let policy = DestinationPolicy::new(
            parse_trusted_proxies("10.0.0.0/8").unwrap(),
            parse_trusted_proxies("10.9.0.0/16").unwrap(),
        );
        assert_eq!(policy.check(ip("10.1.2.3")), Ok(()));
        assert_eq!(policy.check(ip("10.9.2.3")), Err(Refusal::Denied));
    }
}
