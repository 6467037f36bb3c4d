//! Configuration from the environment, checked once at startup.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::client_ip::{Cidr, ClientIpHeader, parse_trusted_proxies};
use crate::origin::Origin;
use crate::secret::SecretString;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{var}: {reason}")]
    Invalid { var: &'static str, reason: String },
}

/// Everything the server reads from its environment. Secrets are redacted in `Debug`.
#[derive(Debug, Clone)]
pub struct Config {
    /// `SECRET_KEY`: master key for encrypting stored credentials. `None` means "use or
    /// generate the key file in DATA_DIR".
    pub secret_key: Option<SecretString>,
    /// `ADMIN_USER` (default `admin`): the account seeded on first start.
    pub admin_user: String,
    /// `ADMIN_PASSWORD`: the seeded admin's password; generated and logged once if unset.
    pub admin_password: Option<SecretString>,
    /// `TOKEN_TTL_HOURS` (default 8): web session lifetime, extended while the user is active.
    pub token_ttl_hours: u32,
    /// `AUDIT_RETENTION_DAYS` (default 7, 0 = keep forever).
    pub audit_retention_days: u32,
    /// `SESSION_IDLE_TIMEOUT_MINUTES` (default 0 = off): end terminals with no traffic.
    pub session_idle_timeout_minutes: u32,
    /// `DATA_DIR` (default `./data`): SQLite database and generated key file.
    pub data_dir: PathBuf,
    /// `LISTEN_ADDR` (default `127.0.0.1:3000`).
    pub listen_addr: SocketAddr,
    /// `DATABASE_URL`: optional; SQLite in DATA_DIR when unset.
    pub database_url: Option<SecretString>,
    /// `TRUSTED_PROXIES`: comma-separated CIDRs whose forwarding headers are believed.
    pub trusted_proxies: Vec<Cidr>,
    /// `CLIENT_IP_HEADER` (default `x-forwarded-for`; or `forwarded`, `x-real-ip`): the one
    /// header a trusted proxy's client address is read from.
    pub client_ip_header: ClientIpHeader,
    /// `PUBLIC_URL` (optional): the origin browsers use. State-changing requests and the
    /// terminal WebSocket must come from it; https makes the cookie `__Host-` and Secure.
    /// Unset, the origin is derived from each request's Host and scheme.
    pub public_url: Option<Origin>,
    /// `SESSION_MAX_HOURS` (default 24): a web session ends this long after sign-in, however
    /// active it is.
    pub session_max_hours: u32,
    /// `MAX_CONNECTIONS` (default 4096): open HTTP connections at once; more wait to be
    /// accepted.
    pub max_connections: u32,
    /// `MAX_TERMINALS_PER_USER` (default 32) and `MAX_TERMINALS` (default 2000): terminal
    /// sessions open at once on this server, per user and in all.
    pub max_terminals_per_user: u32,
    pub max_terminals: u32,
    /// `SFTP_MAX_UPLOAD_MB` (default 4096): the largest upload the file manager takes.
    pub sftp_max_upload_bytes: u64,
    /// `SFTP_IDLE_MINUTES` (default 15): a file session unused this long is closed.
    pub sftp_idle: std::time::Duration,
    /// `DEVICE_ALLOW_CIDRS` (optional): when set, devices may be reached only at these
    /// addresses. `DEVICE_DENY_CIDRS` (optional): never at these. Loopback, link-local,
    /// unspecified and multicast addresses are refused unless an allow entry names them.
    pub device_allow_cidrs: Vec<Cidr>,
    pub device_deny_cidrs: Vec<Cidr>,
}

pub const DEFAULT_LISTEN_ADDR: &str = "127.0.0.1:3000";

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup`, so tests need not touch the process environment.
    /// Empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };

        let secret_key = get("SECRET_KEY").map(SecretString::from);
        if let Some(key) = &secret_key
            && key.expose().len() < 16
        {
            return Err(invalid("SECRET_KEY", "must be at least 16 characters"));
        }

        let admin_user = get("ADMIN_USER").unwrap_or_else(|| "admin".to_owned());
        crate::auth::validate_username(&admin_user)
            .map_err(|reason| invalid("ADMIN_USER", reason))?;
        if admin_user.eq_ignore_ascii_case(crate::audit::CLI_USER) {
            return Err(invalid("ADMIN_USER", "is reserved for the command line"));
        }

        let admin_password = get("ADMIN_PASSWORD").map(SecretString::from);
        if let Some(pw) = &admin_password
            && pw.expose().chars().count() < crate::auth::MIN_PASSWORD_CHARS
        {
            return Err(invalid(
                "ADMIN_PASSWORD",
                format!(
                    "must be at least {} characters",
                    crate::auth::MIN_PASSWORD_CHARS
                ),
            ));
        }

        let token_ttl_hours =
            parse_number("TOKEN_TTL_HOURS", get("TOKEN_TTL_HOURS"), 8, 1, 24 * 30)?;
        let audit_retention_days = parse_number(
            "AUDIT_RETENTION_DAYS",
            get("AUDIT_RETENTION_DAYS"),
            7,
            0,
            365 * 100,
        )?;

        let session_idle_timeout_minutes = parse_number(
            "SESSION_IDLE_TIMEOUT_MINUTES",
            get("SESSION_IDLE_TIMEOUT_MINUTES"),
            0,
            0,
            60 * 24 * 7,
        )?;

        let data_dir = PathBuf::from(get("DATA_DIR").unwrap_or_else(|| "./data".to_owned()));

        let listen_raw = get("LISTEN_ADDR").unwrap_or_else(|| DEFAULT_LISTEN_ADDR.to_owned());
        let listen_addr = listen_raw.parse::<SocketAddr>().map_err(|_| {
            invalid(
                "LISTEN_ADDR",
                format!("'{listen_raw}' is not an address like 127.0.0.1:3000"),
            )
        })?;

        let database_url = get("DATABASE_URL").map(SecretString::from);
        if let Some(url) = &database_url {
            let u = url.expose();
            if !(u.starts_with("sqlite:")
                || u.starts_with("postgres://")
                || u.starts_with("postgresql://"))
            {
                return Err(invalid(
                    "DATABASE_URL",
                    "must start with sqlite:, postgres:// or postgresql://",
                ));
            }
        }

        let trusted_proxies = parse_trusted_proxies(&get("TRUSTED_PROXIES").unwrap_or_default())
            .map_err(|reason| invalid("TRUSTED_PROXIES", reason))?;

        let client_ip_header = match get("CLIENT_IP_HEADER") {
            None => ClientIpHeader::default(),
            Some(raw) => ClientIpHeader::parse(&raw).ok_or_else(|| {
                invalid(
                    "CLIENT_IP_HEADER",
                    format!("'{raw}' is not x-forwarded-for, forwarded or x-real-ip"),
                )
            })?,
        };
        let public_url = match get("PUBLIC_URL") {
            None => None,
            Some(raw) => Some(Origin::parse(&raw).ok_or_else(|| {
                invalid(
                    "PUBLIC_URL",
                    format!("'{raw}' is not like https://shell.example.com (no path)"),
                )
            })?),
        };
        let session_max_hours = parse_number(
            "SESSION_MAX_HOURS",
            get("SESSION_MAX_HOURS"),
            24,
            1,
            24 * 30,
        )?;

        let max_connections = parse_number(
            "MAX_CONNECTIONS",
            get("MAX_CONNECTIONS"),
            4096,
            16,
            1_000_000,
        )?;

        let max_terminals_per_user = parse_number(
            "MAX_TERMINALS_PER_USER",
            get("MAX_TERMINALS_PER_USER"),
            32,
            1,
            10_000,
        )?;
        let max_terminals = parse_number("MAX_TERMINALS", get("MAX_TERMINALS"), 2000, 1, 100_000)?;
        let sftp_max_upload_mb = parse_number(
            "SFTP_MAX_UPLOAD_MB",
            get("SFTP_MAX_UPLOAD_MB"),
            4096,
            1,
            16 * 1024 * 1024,
        )?;
        let sftp_idle_minutes = parse_number(
            "SFTP_IDLE_MINUTES",
            get("SFTP_IDLE_MINUTES"),
            15,
            1,
            24 * 60,
        )?;
        let device_allow_cidrs =
            parse_trusted_proxies(&get("DEVICE_ALLOW_CIDRS").unwrap_or_default())
                .map_err(|reason| invalid("DEVICE_ALLOW_CIDRS", reason))?;
        let device_deny_cidrs =
            parse_trusted_proxies(&get("DEVICE_DENY_CIDRS").unwrap_or_default())
                .map_err(|reason| invalid("DEVICE_DENY_CIDRS", reason))?;

        Ok(Self {
            secret_key,
            admin_user,
            admin_password,
            token_ttl_hours,
            audit_retention_days,
            session_idle_timeout_minutes,
            data_dir,
            listen_addr,
            database_url,
            trusted_proxies,
            client_ip_header,
            public_url,
            session_max_hours,
            max_connections,
            max_terminals_per_user,
            max_terminals,
            sftp_max_upload_bytes: u64::from(sftp_max_upload_mb) * 1024 * 1024,
            sftp_idle: std::time::Duration::from_secs(u64::from(sftp_idle_minutes) * 60),
            device_allow_cidrs,
            device_deny_cidrs,
        })
    }

    /// The database to open: DATABASE_URL, or SQLite in DATA_DIR.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.expose().to_owned(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("cloudshell.db").display()
            ),
        }
    }
}

fn invalid(var: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        var,
        reason: reason.into(),
    }
}

fn parse_number(
    var: &'static str,
    raw: Option<String>,
    default: u32,
    min: u32,
    max: u32,
) -> Result<u32, ConfigError> {
    let Some(raw) = raw else { return Ok(default) };
    match raw.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(invalid(
            var,
            format!("'{raw}' is not a whole number from {min} to {max}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_need_no_configuration() {
        let c = config(&[]).unwrap();
        assert_eq!(c.admin_user, "admin");
        assert_eq!(c.token_ttl_hours, 8);
        assert_eq!(c.audit_retention_days, 7);
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(c.listen_addr.to_string(), "127.0.0.1:3000");
        assert!(c.secret_key.is_none() && c.admin_password.is_none());
        assert!(c.trusted_proxies.is_empty());
        assert!(c.public_url.is_none());
        assert_eq!(c.session_max_hours, 24);
        assert_eq!(c.database_url(), "sqlite://./data/cloudshell.db?mode=rwc");
    }

    #[test]
    fn errors_name_the_variable() {
        for (var, value) in [
            ("TOKEN_TTL_HOURS", "0"),
            ("TOKEN_TTL_HOURS", "eight"),
            ("AUDIT_RETENTION_DAYS", "-1"),
            ("LISTEN_ADDR", "localhost"),
            ("SECRET_KEY", "short"),
            ("ADMIN_PASSWORD", "short"),
            ("ADMIN_USER", "has space"),
            ("ADMIN_USER", "cli"),
            ("DATABASE_URL", "mysql://x"),
            ("TRUSTED_PROXIES", "10.0.0.0/8, bogus"),
            ("PUBLIC_URL", "https://shell.example.com/app"),
            ("SESSION_MAX_HOURS", "0"),
            ("MAX_CONNECTIONS", "1"),
            ("CLIENT_IP_HEADER", "true-client-ip"),
        ] {
            let err = config(&[(var, value)]).unwrap_err();
            assert!(err.to_string().starts_with(var), "{var}: {err}");
        }
    }

    #[test]
    fn retention_zero_means_forever_and_is_allowed() {
        assert_eq!(
            config(&[("AUDIT_RETENTION_DAYS", "0")])
                .unwrap()
                .audit_retention_days,
            0
        );
    }

    #[test]
    fn debug_hides_secrets() {
        let c = config(&[
            ("SECRET_KEY", "0123456789abcdef-secret"),
            ("ADMIN_PASSWORD", "correct horse battery"),
            ("DATABASE_URL", "postgres://u:dbpass@localhost/x"),
        ])
        .unwrap();
        let shown = format!("{c:?}");
        for secret in ["0123456789abcdef-secret", "correct horse", "dbpass"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}
