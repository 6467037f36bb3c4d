//! argon2id hashing, always on the blocking pool so the async runtime never stalls.

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};

use super::AuthError;
use crate::secret::SecretString;

pub use crate::validation::MIN_PASSWORD_CHARS;

pub async fn hash(password: SecretString) -> Result<String, AuthError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AuthError::Hash(e.to_string()))
    })
    .await?
}

/// True when `password` matches the PHC string `hash`. A malformed hash is a mismatch.
pub async fn verify(password: SecretString, hash: String) -> Result<bool, AuthError> {
    Ok(tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.expose().as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_then_verify() {
        let h = hash(SecretString::new("correct horse battery"))
            .await
            .unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(
            verify(SecretString::new("correct horse battery"), h.clone())
                .await
                .unwrap()
        );
        assert!(
            !verify(SecretString::new("wrong horse battery"), h)
                .await
                .unwrap()
        );
        assert!(
            !verify(SecretString::new("x"), "not-a-hash".into())
                .await
                .unwrap()
        );
    }
}
