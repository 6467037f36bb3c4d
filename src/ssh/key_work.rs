//! Key work off the async runtime, in bounded numbers. Opening a key may run its KDF
//! (bcrypt, Argon2, PBKDF2) and generating RSA-4096 takes seconds: both run on the blocking
//! pool behind semaphores, and a request that cannot get a turn soon is told the server is
//! busy instead of queueing without end.

use std::time::Duration;

use russh::keys::ssh_key::PrivateKey;
use tokio::sync::Semaphore;

use super::keys::{self, GeneratedKey, KeyError};
use crate::models::KeyAlgorithm;
use crate::secret::SecretString;

/// Keys being opened at once (checks on save, and every key login).
static OPENING: Semaphore = Semaphore::const_new(2);
/// Keys being generated at once: RSA-4096 holds a core for seconds.
static GENERATING: Semaphore = Semaphore::const_new(1);
/// How long a request waits for a turn before it is told the server is busy.
const TURN_WAIT: Duration = Duration::from_secs(10);

async fn on_blocking_pool<T: Send + 'static>(
    gate: &'static Semaphore,
    work: impl FnOnce() -> Result<T, KeyError> + Send + 'static,
) -> Result<T, KeyError> {
    let permit = tokio::time::timeout(TURN_WAIT, gate.acquire())
        .await
        .map_err(|_| KeyError::Busy)?
        .map_err(|_| KeyError::Busy)?;
    // The permit goes with the work: if the caller gives up (a timeout, a closed request),
    // the KDF still running keeps its turn until it ends.
    tokio::task::spawn_blocking(move || {
        let _turn = permit;
        work()
    })
    .await
    .map_err(|_| KeyError::Unreadable)?
}

/// `keys::check_private_key`, off the runtime: the key's public half.
pub async fn check_private_key(
    text: SecretString,
    passphrase: Option<SecretString>,
) -> Result<String, KeyError> {
    on_blocking_pool(&OPENING, move || {
        keys::check_private_key(&text, passphrase.as_ref())
    })
    .await
}

/// `keys::open_private_key`, off the runtime: once per connection.
pub async fn open_private_key(
    text: SecretString,
    passphrase: Option<SecretString>,
) -> Result<PrivateKey, KeyError> {
    on_blocking_pool(&OPENING, move || {
        keys::open_private_key(&text, passphrase.as_ref())
    })
    .await
}

/// `keys::generate`, off the runtime, one at a time.
pub async fn generate(algorithm: KeyAlgorithm, comment: String) -> Result<GeneratedKey, KeyError> {
    on_blocking_pool(&GENERATING, move || keys::generate(algorithm, &comment)).await
}
