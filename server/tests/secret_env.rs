//! SECRET_KEY leaves the process environment once read. Its own test binary: it changes the
//! environment, which no other test may be reading at the same time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

#[test]
fn the_secret_key_is_read_then_removed_from_the_environment() {
    #[allow(unsafe_code)]
    // SAFETY: the only test in this binary; nothing else touches the environment.
    let config = unsafe {
        std::env::set_var("SECRET_KEY", "a-secret-key-for-this-test-only");
        server::startup::config_from_env_scrubbed()
    }
    .unwrap();
    assert_eq!(
        config.secret_key.as_ref().map(|k| k.expose().to_owned()),
        Some("a-secret-key-for-this-test-only".to_owned())
    );
    assert!(std::env::var_os("SECRET_KEY").is_none());
}
