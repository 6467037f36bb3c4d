//! The server's wall clock, with a test hook: in debug builds `CLOUDSHELL_TEST_CLOCK_SKEW_SECS`
//! shifts it, so a test can run one replica with a wrong clock. Release builds read the
//! system clock only.

use time::OffsetDateTime;

pub fn now_utc() -> OffsetDateTime {
    OffsetDateTime::now_utc() + skew()
}

#[cfg(debug_assertions)]
fn skew() -> time::Duration {
    static SKEW: std::sync::OnceLock<time::Duration> = std::sync::OnceLock::new();
    *SKEW.get_or_init(|| {
        std::env::var("CLOUDSHELL_TEST_CLOCK_SKEW_SECS")
            .ok()
            .and_then(|s| s.parse::<i64>().ok())
            .map_or(time::Duration::ZERO, time::Duration::seconds)
    })
}

#[cfg(not(debug_assertions))]
fn skew() -> time::Duration {
    time::Duration::ZERO
}
