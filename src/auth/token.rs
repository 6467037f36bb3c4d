//! Web session tokens: 256 random bits for the cookie, SHA-256 of it for the database.

use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::secret::SecretString;

pub fn generate() -> SecretString {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    SecretString::new(hex::encode(bytes))
}

pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A random password for the seeded admin when ADMIN_PASSWORD is unset.
pub fn generate_password() -> SecretString {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let mut out = String::with_capacity(20);
    for _ in 0..20 {
        let i = (rng.next_u32() as usize) % ALPHABET.len();
        out.push(ALPHABET[i] as char);
    }
    SecretString::new(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hash_is_stable_hex() {
        let a = generate();
        let b = generate();
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), 64);
        assert_eq!(hash(a.expose()), hash(a.expose()));
        assert_eq!(hash(a.expose()).len(), 64);
        assert_ne!(hash(a.expose()), a.expose());
    }

    #[test]
    fn generated_passwords_meet_the_policy() {
        let p = generate_password();
        assert!(p.expose().len() >= super::super::MIN_PASSWORD_CHARS);
    }
}
