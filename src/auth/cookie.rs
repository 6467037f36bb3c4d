//! The session cookie: HttpOnly, SameSite=Strict, Secure over TLS, never readable by scripts.

use super::SESSION_COOKIE;
use crate::secret::SecretString;

/// `Set-Cookie` value for a new session. A browser-session cookie: the server decides expiry.
pub fn session_cookie(token: &SecretString, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict{}",
        token.expose(),
        if secure { "; Secure" } else { "" }
    )
}

/// `Set-Cookie` value that removes the session cookie.
pub fn clear_session_cookie(secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The session token in a `Cookie` request header, if any.
pub fn token_from_cookie_header(header: &str) -> Option<&str> {
    header.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == SESSION_COOKIE && !value.is_empty()).then_some(value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_attributes() {
        let c = session_cookie(&SecretString::new("abc"), false);
        assert_eq!(
            c,
            "cloudshell_session=abc; Path=/; HttpOnly; SameSite=Strict"
        );
        assert!(session_cookie(&SecretString::new("abc"), true).ends_with("; Secure"));
        assert!(clear_session_cookie(false).contains("Max-Age=0"));
    }

    #[test]
    fn finds_the_token_among_other_cookies() {
        assert_eq!(
            token_from_cookie_header("a=1; cloudshell_session=tok; b=2"),
            Some("tok")
        );
        assert_eq!(token_from_cookie_header("cloudshell_session="), None);
        assert_eq!(token_from_cookie_header("other=1"), None);
        assert_eq!(token_from_cookie_header("xcloudshell_session=1"), None);
    }
}
