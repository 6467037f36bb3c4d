//! argon2id hashing on the blocking pool, behind a bound: at most one hash per core at a time
//! and a short line of callers waiting for one. A full line is refused at once (`Busy`), so
//! neither memory (about 19 MiB per hash) nor the wait grows with the request rate.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use tokio::sync::Semaphore;

use super::AuthError;
use crate::secret::SecretString;

pub use crate::validation::MIN_PASSWORD_CHARS;

#[derive(Debug, Clone)]
pub struct Argon2Pool {
    workers: Arc<Semaphore>,
    /// Callers admitted: hashing or waiting for a worker.
    admitted: Arc<AtomicUsize>,
    capacity: usize,
}

/// One admitted caller; leaving (done or cancelled) frees the place.
struct Place(Arc<AtomicUsize>);

impl Drop for Place {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Argon2Pool {
    /// `workers` hashes at once, and up to `waiting` callers in line behind them.
    pub fn new(workers: usize, waiting: usize) -> Self {
        let workers = workers.max(1);
        Self {
            workers: Arc::new(Semaphore::new(workers)),
            admitted: Arc::new(AtomicUsize::new(0)),
            capacity: workers + waiting,
        }
    }

    /// One worker per core, and a line four times as long.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::new(cores, 4 * cores)
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AuthError> {
        let capacity = self.capacity;
        self.admitted
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < capacity).then_some(n + 1)
            })
            .map_err(|_| AuthError::Busy)?;
        let place = Place(self.admitted.clone());
        let worker = self
            .workers
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| AuthError::Busy)?;
        // Both are held until the hash is done, even if the caller has gone away meanwhile.
        Ok(tokio::task::spawn_blocking(move || {
            let _held = (place, worker);
            job()
        })
        .await?)
    }

    pub async fn hash(&self, password: SecretString) -> Result<String, AuthError> {
        self.run(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(password.expose().as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| AuthError::Hash(e.to_string()))
        })
        .await?
    }

    /// True when `password` matches the PHC string `hash`. A malformed hash is a mismatch.
    pub async fn verify(&self, password: SecretString, hash: String) -> Result<bool, AuthError> {
        self.run(move || {
            PasswordHash::new(&hash)
                .map(|parsed| {
                    Argon2::default()
                        .verify_password(password.expose().as_bytes(), &parsed)
                        .is_ok()
                })
                .unwrap_or(false)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_then_verify() {
        let pool = Argon2Pool::new(1, 0);
        let h = pool
            .hash(SecretString::new("correct horse battery"))
            .await
            .unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(
            pool.verify(SecretString::new("correct horse battery"), h.clone())
                .await
                .unwrap()
        );
        assert!(
            !pool
                .verify(SecretString::new("wrong horse battery"), h)
                .await
                .unwrap()
        );
        assert!(
            !pool
                .verify(SecretString::new("x"), "not-a-hash".into())
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn a_full_line_is_refused_at_once_and_places_come_back() {
        let pool = Argon2Pool::new(1, 2);
        let hash = pool
            .hash(SecretString::new("pw-for-the-line"))
            .await
            .unwrap();
        let calls: Vec<_> = (0..10)
            .map(|_| {
                let pool = pool.clone();
                let hash = hash.clone();
                tokio::spawn(async move { pool.verify(SecretString::new("x"), hash).await })
            })
            .collect();
        let mut busy = 0;
        let mut done = 0;
        for call in calls {
            match call.await.unwrap() {
                Ok(false) => done += 1,
                Err(AuthError::Busy) => busy += 1,
                other => panic!("{other:?}"),
            }
        }
        assert!(done >= 3, "the admitted ones finish: {done}");
        assert!(busy >= 1, "the rest are refused: {busy}");
        assert_eq!(done + busy, 10);
        assert_eq!(
            pool.admitted.load(Ordering::Acquire),
            0,
            "every place is back"
        );
    }
}
