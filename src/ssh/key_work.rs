//! Key work off the async runtime, in bounded numbers. Opening a key may run its KDF
//! (bcrypt, Argon2, PBKDF2) and generating RSA-4096 takes seconds: both run on the blocking
//! pool behind semaphores, and a request that cannot get a turn soon is told the server is
//! busy instead of queueing without end. Each user has one turn at a time, so one user's
//! costly (but allowed) keys cannot take every turn from everyone else.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use russh::keys::ssh_key::PrivateKey;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::keys::{self, GeneratedKey, KeyError};
use crate::models::KeyAlgorithm;
use crate::secret::SecretString;

/// Keys being opened at once (checks on save, and every key login).
static OPENING: Semaphore = Semaphore::const_new(2);
/// Keys being generated at once: RSA-4096 holds a core for seconds.
static GENERATING: Semaphore = Semaphore::const_new(1);
/// How long a request waits for a turn before it is told the server is busy.
const TURN_WAIT: Duration = Duration::from_secs(10);

/// Users with a turn taken or waited for: one semaphore of one each, dropped with the last
/// holder, so the map holds at most as many users as there are requests in flight.
static USERS: Mutex<Option<HashMap<String, Arc<Semaphore>>>> = Mutex::new(None);

/// A user's own turn: at most one piece of key work per user at a time.
async fn user_turn(user: &str) -> Result<UserTurn, KeyError> {
    let gate = {
        let mut users = USERS.lock().map_err(|_| KeyError::Busy)?;
        users
            .get_or_insert_with(HashMap::new)
            .entry(user.to_owned())
            .or_insert_with(|| Arc::new(Semaphore::new(1)))
            .clone()
    };
    // Made before the wait, so a refused wait still tidies the map when it drops.
    let mut turn = UserTurn {
        user: user.to_owned(),
        permit: None,
    };
    let permit = tokio::time::timeout(TURN_WAIT, gate.acquire_owned())
        .await
        .map_err(|_| KeyError::Busy)?
        .map_err(|_| KeyError::Busy)?;
    turn.permit = Some(permit);
    Ok(turn)
}

struct UserTurn {
    user: String,
    permit: Option<OwnedSemaphorePermit>,
}

impl Drop for UserTurn {
    fn drop(&mut self) {
        drop(self.permit.take());
        if let Ok(mut users) = USERS.lock()
            && let Some(map) = users.as_mut()
            && map
                .get(&self.user)
                .is_some_and(|gate| Arc::strong_count(gate) == 1)
        {
            map.remove(&self.user);
        }
    }
}

async fn on_blocking_pool<T: Send + 'static>(
    user: &str,
    gate: &'static Semaphore,
    work: impl FnOnce() -> Result<T, KeyError> + Send + 'static,
) -> Result<T, KeyError> {
    let mine = user_turn(user).await?;
    let permit = tokio::time::timeout(TURN_WAIT, gate.acquire())
        .await
        .map_err(|_| KeyError::Busy)?
        .map_err(|_| KeyError::Busy)?;
    // The turns go with the work: if the caller gives up (a timeout, a closed request),
    // the KDF still running keeps them until it ends.
    tokio::task::spawn_blocking(move || {
        let _turns = (permit, mine);
        work()
    })
    .await
    .map_err(|_| KeyError::Unreadable)?
}

/// `keys::check_private_key`, off the runtime: the key's public half.
pub async fn check_private_key(
    user: &str,
    text: SecretString,
    passphrase: Option<SecretString>,
) -> Result<String, KeyError> {
    on_blocking_pool(user, &OPENING, move || {
        keys::check_private_key(&text, passphrase.as_ref())
    })
    .await
}

/// `keys::open_private_key`, off the runtime: once per connection.
pub async fn open_private_key(
    user: &str,
    text: SecretString,
    passphrase: Option<SecretString>,
) -> Result<PrivateKey, KeyError> {
    on_blocking_pool(user, &OPENING, move || {
        keys::open_private_key(&text, passphrase.as_ref())
    })
    .await
}

/// `keys::generate`, off the runtime, one at a time.
pub async fn generate(
    user: &str,
    algorithm: KeyAlgorithm,
    comment: String,
) -> Result<GeneratedKey, KeyError> {
    on_blocking_pool(user, &GENERATING, move || {
        keys::generate(algorithm, &comment)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    // One thread: the spawned jobs reach their waits exactly when this task yields.
    #[tokio::test(flavor = "current_thread")]
    async fn one_user_cannot_take_every_turn_from_another() {
        // A's first job holds a turn until released; A's second waits for A's own turn, not
        // for the shared one, so B still gets a turn.
        let (release1, hold1) = std::sync::mpsc::channel::<()>();
        let (release2, hold2) = std::sync::mpsc::channel::<()>();
        let a1 = tokio::spawn(on_blocking_pool("user-a", &OPENING, move || {
            let _ = hold1.recv();
            Ok(())
        }));
        let a2 = tokio::spawn(on_blocking_pool("user-a", &OPENING, move || {
            let _ = hold2.recv();
            Ok(())
        }));
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        // A holds one shared turn and waits for its own; one shared turn is left for B.
        assert_eq!(OPENING.available_permits(), 1);
        let b = tokio::time::timeout(
            Duration::from_secs(5),
            on_blocking_pool("user-b", &OPENING, || Ok(())),
        )
        .await
        .expect("B waited behind A's queue");
        assert!(b.is_ok(), "{b:?}");
        let _ = release1.send(());
        let _ = release2.send(());
        assert!(a1.await.unwrap().is_ok());
        assert!(a2.await.unwrap().is_ok());
        // Both users' entries are gone once their work is done.
        let users = USERS.lock().unwrap();
        assert!(
            users
                .as_ref()
                .is_none_or(|m| !m.contains_key("user-a") && !m.contains_key("user-b"))
        );
    }
}
