//! The Content-Security-Policy. Scripts run only from this site, or inline with the page's
//! nonce (Leptos puts it on its hydration scripts); WebAssembly may compile; nothing may frame
//! the app. Inline styles stay allowed: xterm.js sizes its rows with them.

/// The policy for a page rendered with `nonce`, or for any other response without one.
pub fn policy(nonce: Option<&str>) -> String {
    let scripts = match nonce {
        Some(n) => format!("'self' 'nonce-{n}' 'wasm-unsafe-eval'"),
        None => "'self' 'wasm-unsafe-eval'".to_owned(),
    };
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; manifest-src 'self'; \
         worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_need_the_nonce_and_nothing_may_frame_the_app() {
        let p = policy(Some("abc123"));
        let scripts = p.split("; ").find(|d| d.starts_with("script-src")).unwrap();
        assert_eq!(
            scripts,
            "script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'"
        );
        assert!(!scripts.contains("unsafe-inline"));
        assert!(p.contains("frame-ancestors 'none'"));
        assert!(!policy(None).contains("nonce"));
    }
}
