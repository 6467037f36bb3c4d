//! Input rules shared by the server (which enforces them) and the UI (which explains them early).

/// Shortest password accepted anywhere (admin seed, password change).
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Longest username anywhere (accounts are validated more strictly when created).
pub const MAX_USERNAME_CHARS: usize = 64;

/// Whether a typed username may even be looked up: 1 to 64 characters from the alphabet
/// accounts are made of (letters, digits and `._@-`), so no control, format or
/// line-separator character (bidi overrides, zero-width spaces) can reach a log or the
/// audit viewer. Anything else is refused at the boundary, never counted, stored or logged.
pub fn plausible_username(name: &str) -> bool {
    (1..=MAX_USERNAME_CHARS).contains(&name.chars().count()) && name.chars().all(is_username_char)
}

/// The characters of a username: ASCII letters and digits, and `._@-`.
pub fn is_username_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '-')
}

/// Why a new password is refused. The texts are shown to the user as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordPolicyError {
    #[error("The new password must be at least {MIN_PASSWORD_CHARS} characters.")]
    TooShort,
    #[error("The new password must differ from the current one.")]
    SameAsCurrent,
    #[error("The two new passwords do not match.")]
    Mismatch,
}

pub fn check_new_password(
    current: &str,
    new: &str,
    confirm: &str,
) -> Result<(), PasswordPolicyError> {
    if new != confirm {
        return Err(PasswordPolicyError::Mismatch);
    }
    if new.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordPolicyError::TooShort);
    }
    if new == current {
        return Err(PasswordPolicyError::SameAsCurrent);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implausible_usernames() {
        assert!(plausible_username("admin"));
        assert!(plausible_username("ops.team-1@site"));
        assert!(plausible_username(&"x".repeat(64)));
        assert!(!plausible_username(&"x".repeat(65)));
        assert!(!plausible_username("admin\u{202e}nimda"), "bidi override");
        assert!(!plausible_username("ad\u{200b}min"), "zero-width space");
        assert!(!plausible_username("a\u{2028}b"), "line separator");
        assert!(!plausible_username("a\u{0}b"));
        assert!(!plausible_username("a\nb"));
        assert!(!plausible_username("a\u{1b}[31mb"));
    }

    #[test]
    fn password_policy() {
        let cur = "old-password-123";
        assert_eq!(
            check_new_password(cur, "short", "short"),
            Err(PasswordPolicyError::TooShort)
        );
        assert_eq!(
            check_new_password(cur, cur, cur),
            Err(PasswordPolicyError::SameAsCurrent)
        );
        assert_eq!(
            check_new_password(cur, "new-password-456", "new-password-457"),
            Err(PasswordPolicyError::Mismatch)
        );
        assert_eq!(
            check_new_password(cur, "new-password-456", "new-password-456"),
            Ok(())
        );
        // Twelve characters, counted as characters, not bytes.
        assert_eq!(
            check_new_password(cur, "ääääääääääää", "ääääääääääää"),
            Ok(())
        );
    }
}
