//! Pure formatting shared by server and UI.

/// How urgent the session countdown looks in the header badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadgeLevel {
    Ok,
    /// Under 30 minutes left.
    Warn,
    /// Under 5 minutes left.
    Danger,
}

impl BadgeLevel {
    pub fn for_remaining(seconds: i64) -> Self {
        if seconds < 5 * 60 {
            BadgeLevel::Danger
        } else if seconds < 30 * 60 {
            BadgeLevel::Warn
        } else {
            BadgeLevel::Ok
        }
    }

    pub fn css_class(self) -> &'static str {
        match self {
            BadgeLevel::Ok => "badge badge-ok",
            BadgeLevel::Warn => "badge badge-warn",
            BadgeLevel::Danger => "badge badge-danger",
        }
    }
}

/// `H:MM:SS` for a countdown; negative values show as `0:00:00`.
pub fn countdown(seconds: i64) -> String {
    let s = seconds.max(0);
    format!("{}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countdown_formats_hours_minutes_seconds() {
        assert_eq!(countdown(8 * 3600), "8:00:00");
        assert_eq!(countdown(3599), "0:59:59");
        assert_eq!(countdown(61), "0:01:01");
        assert_eq!(countdown(-5), "0:00:00");
    }

    #[test]
    fn badge_turns_yellow_under_30_and_red_under_5_minutes() {
        assert_eq!(BadgeLevel::for_remaining(31 * 60), BadgeLevel::Ok);
        assert_eq!(BadgeLevel::for_remaining(30 * 60), BadgeLevel::Ok);
        assert_eq!(BadgeLevel::for_remaining(30 * 60 - 1), BadgeLevel::Warn);
        assert_eq!(BadgeLevel::for_remaining(5 * 60), BadgeLevel::Warn);
        assert_eq!(BadgeLevel::for_remaining(5 * 60 - 1), BadgeLevel::Danger);
        assert_eq!(BadgeLevel::for_remaining(0), BadgeLevel::Danger);
    }
}

/// `YYYY-MM-DD HH:MM:SS UTC`, whatever offset the value carries.
pub fn utc_timestamp(ts: time::OffsetDateTime) -> String {
    let t = ts.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `HH:MM:SS` in UTC, for "Updated ..." stamps.
pub fn utc_clock(ts: time::OffsetDateTime) -> String {
    let t = ts.to_offset(time::UtcOffset::UTC);
    format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
}

#[cfg(test)]
mod utc_tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn timestamps_are_shown_in_utc() {
        assert_eq!(
            utc_timestamp(datetime!(2026-11-26 09:05:03.123456 UTC)),
            "2026-11-26 09:05:03 UTC"
        );
        // A value carrying another offset is converted, not relabelled.
        assert_eq!(
            utc_timestamp(datetime!(2026-11-26 01:00:00 +02:00)),
            "2026-11-25 23:00:00 UTC"
        );
        assert_eq!(utc_clock(datetime!(2026-11-26 23:59:58 UTC)), "23:59:58");
    }
}
