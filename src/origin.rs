//! The site's public origin (scheme, host, port), from `PUBLIC_URL` or from the request, and
//! the comparison of a browser's `Origin` header against it.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub https: bool,
    /// Lowercase; an IPv6 address keeps its brackets.
    pub host: String,
    pub port: u16,
}

impl Origin {
    /// `http(s)://host[:port]`, with at most a trailing `/`: no path, query or credentials.
    pub fn parse(url: &str) -> Option<Origin> {
        let (scheme, rest) = url.trim().split_once("://")?;
        let https = match scheme.to_ascii_lowercase().as_str() {
            "https" => true,
            "http" => false,
            _ => return None,
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        Self::from_authority(https, authority)
    }

    /// The origin a request for `host` (its Host header) over this scheme belongs to.
    pub fn from_authority(https: bool, authority: &str) -> Option<Origin> {
        if authority.is_empty()
            || authority
                .chars()
                .any(|c| matches!(c, '/' | '?' | '#' | '@' | '\\') || c.is_whitespace())
        {
            return None;
        }
        let default_port = if https { 443 } else { 80 };
        let (host, port) = match authority.rsplit_once(':') {
            // A bare IPv6 address has colons but no port unless it is bracketed.
            Some((host, port)) if !host.contains(':') || host.ends_with(']') => {
                (host, port.parse::<u16>().ok()?)
            }
            _ => (authority, default_port),
        };
        if host.is_empty() || (host.contains(':') && !host.starts_with('[')) {
            return None;
        }
        Some(Origin {
            https,
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    /// Whether a browser's `Origin` header names exactly this origin.
    pub fn matches(&self, header: &str) -> bool {
        Origin::parse(header).is_some_and(|o| o == *self)
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.https { "https" } else { "http" };
        let default_port = if self.https { 443 } else { 80 };
        if self.port == default_port {
            write!(f, "{scheme}://{}", self.host)
        } else {
            write!(f, "{scheme}://{}:{}", self.host, self.port)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises() {
        let o = Origin::parse("https://Shell.Example.com/").unwrap();
        assert_eq!(
            (o.https, o.host.as_str(), o.port),
            (true, "shell.example.com", 443)
        );
        assert_eq!(o.to_string(), "https://shell.example.com");
        let o = Origin::parse("http://127.0.0.1:3000").unwrap();
        assert_eq!(o.to_string(), "http://127.0.0.1:3000");
        let o = Origin::parse("http://[::1]:8080").unwrap();
        assert_eq!((o.host.as_str(), o.port), ("[::1]", 8080));
        for bad in [
            "ftp://x",
            "https://",
            "https://x/path",
            "https://u@x",
            "x.example.com",
            "https://x:99999",
            "https://::1",
        ] {
            assert_eq!(Origin::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn matching_compares_scheme_host_and_port() {
        let site = Origin::from_authority(false, "127.0.0.1:3000").unwrap();
        assert!(site.matches("http://127.0.0.1:3000"));
        assert!(!site.matches("https://127.0.0.1:3000"), "scheme");
        assert!(!site.matches("http://127.0.0.1:3001"), "port");
        assert!(!site.matches("http://evil.example.com"));
        assert!(!site.matches("null"));
        let tls = Origin::parse("https://shell.example.com").unwrap();
        assert!(tls.matches("https://shell.example.com:443"));
        assert!(!tls.matches("http://shell.example.com"));
    }
}
