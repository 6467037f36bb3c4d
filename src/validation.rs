//! Input rules shared by the server (which enforces them) and the UI (which explains them early).

/// Shortest password accepted anywhere (admin seed, password change).
pub const MIN_PASSWORD_CHARS: usize = 12;

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
