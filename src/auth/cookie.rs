//! The session cookie: HttpOnly, SameSite=Strict, never readable by scripts. Over TLS it is
//! `__Host-cloudshell_session` with `Secure`: the browser then refuses it from plain HTTP and
//! from any other host, so a network attacker cannot plant or overwrite it.

use super::SESSION_COOKIE;
use crate::secret::SecretString;

/// The cookie's name: `__Host-` prefixed over TLS.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-cloudshell_session"
    } else {
        SESSION_COOKIE
    }
}

/// `Set-Cookie` value for a new session. A browser-session cookie: the server decides expiry.
pub fn session_cookie(token: &SecretString, secure: bool) -> String {
    format!(
        "{}={}; Path=/; HttpOnly; SameSite=Strict{}",
        cookie_name(secure),
        token.expose(),
        if secure { "; Secure" } else { "" }
    )
}

/// `Set-Cookie` value that removes the session cookie.
pub fn clear_session_cookie(secure: bool) -> String {
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
        cookie_name(secure),
        if secure { "; Secure" } else { "" }
    )
}

/// The session token in a `Cookie` request header, if any. Over TLS only the `__Host-` cookie
/// counts.
pub fn token_from_cookie_header(header: &str, secure: bool) -> Option<&str> {
    let wanted = cookie_name(secure);
    header.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == wanted && !value.is_empty()).then_some(value)
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
        assert_eq!(
            session_cookie(&SecretString::new("abc"), true),
            "__Host-cloudshell_session=abc; Path=/; HttpOnly; SameSite=Strict; Secure"
        );
        assert!(clear_session_cookie(false).contains("Max-Age=0"));
    }

    #[test]
    fn finds_the_token_among_other_cookies() {
        assert_eq!(
            token_from_cookie_header("a=1; cloudshell_session=tok; b=2", false),
            Some("tok")
        );
        assert_eq!(token_from_cookie_header("cloudshell_session=", false), None);
        assert_eq!(token_from_cookie_header("other=1", false), None);
        assert_eq!(
            token_from_cookie_header("xcloudshell_session=1", false),
            None
        );
        // Over TLS a plain-named cookie (which plain HTTP could have planted) does not count.
        assert_eq!(
            token_from_cookie_header("cloudshell_session=tok", true),
            None
        );
        assert_eq!(
            token_from_cookie_header("__Host-cloudshell_session=tok", true),
            Some("tok")
        );
    }
}
