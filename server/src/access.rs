//! Which paths need a session. Default-deny: anything not listed here as public needs one.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reachable without a session: the login page and endpoint, health, static assets.
    Public,
    /// JSON or WebSocket endpoints: without a session they answer 401.
    Api,
    /// HTML pages: without a session they redirect to /login.
    Page,
}

const PUBLIC_EXACT: &[&str] = &[
    "/login",
    "/api/auth/login",
    "/api/health",
    "/favicon.ico",
    "/favicon.svg",
    "/manifest.webmanifest",
    "/sw.js",
    "/offline.html",
    "/offline.js",
    "/robots.txt",
];

const PUBLIC_PREFIXES: &[&str] = &["/pkg/", "/xterm/", "/icons/"];

pub fn classify(path: &str) -> Access {
    if PUBLIC_EXACT.contains(&path) || PUBLIC_PREFIXES.iter().any(|p| path.starts_with(p)) {
        Access::Public
    } else if path.starts_with("/api/") || path == "/api" || path.starts_with("/ws/") {
        Access::Api
    } else {
        Access::Page
    }
}

/// Whether the request's session cookie is looked up at all. Not for the login endpoint (a
/// refused attempt must cost no database work, whatever cookie it sends) nor static files.
pub fn looks_up_session(path: &str) -> bool {
    path != "/api/auth/login" && !PUBLIC_PREFIXES.iter().any(|p| path.starts_with(p))
}

/// What an account that must still replace its generated password may reach: public files,
/// pages (which show only the password form), and the calls that form makes.
pub fn allowed_before_password_change(path: &str) -> bool {
    matches!(classify(path), Access::Page | Access::Public)
        || matches!(
            path,
            "/api/auth/change-password"
                | "/api/auth/logout"
                | "/api/auth/me"
                | "/api/auth/keep-alive"
        )
}

/// Requests that must not count as user activity, so polling never keeps a session alive.
pub fn is_passive(path: &str) -> bool {
    path == "/api/auth/me"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_paths() {
        assert_eq!(classify("/login"), Access::Public);
        assert_eq!(classify("/api/auth/login"), Access::Public);
        assert_eq!(classify("/api/health"), Access::Public);
        assert_eq!(classify("/pkg/cloudshell.wasm"), Access::Public);
        assert_eq!(classify("/api/auth/me"), Access::Api);
        assert_eq!(classify("/api/auth/logout"), Access::Api);
        assert_eq!(classify("/api"), Access::Api);
        assert_eq!(classify("/ws/terminal/1"), Access::Api);
        assert_eq!(classify("/"), Access::Page);
        assert_eq!(classify("/anything-else"), Access::Page);
        // Prefix tricks do not open anything up.
        assert_eq!(classify("/loginx"), Access::Page);
        assert_eq!(classify("/api/healthz"), Access::Api);
        assert_eq!(classify("/pkg"), Access::Page);
    }

    #[test]
    fn a_generated_password_opens_only_the_password_change() {
        for open in [
            "/",
            "/pkg/cloudshell.wasm",
            "/api/auth/change-password",
            "/api/auth/me",
        ] {
            assert!(allowed_before_password_change(open), "{open}");
        }
        for closed in [
            "/api/devices",
            "/api/audit",
            "/api/audit/export",
            "/ws/terminal/1",
        ] {
            assert!(!allowed_before_password_change(closed), "{closed}");
        }
    }

    #[test]
    fn only_me_is_passive() {
        assert!(is_passive("/api/auth/me"));
        assert!(!is_passive("/api/auth/logout"));
        assert!(!is_passive("/"));
    }
}
