//! Chain verification: recomputes each row's hash and link, oldest first, checks every seal
//! with the key, and checks that the newest seal kept outside the database is still there.
//!
//! The server keeps one `Verifier`: it remembers the last verified (id, hash) and checks only
//! newer rows, and concurrent callers share one run. A full re-check is `check_all` (the
//! CLI's `audit verify --full`, or an admin's request).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::AuditError;
use super::chain::{GENESIS, row_hash};
use super::seal::{SealAnchor, SealKey};
use crate::db::entities::audit_log::{self, Column};
use crate::models::{AuditAction, ChainProblem, VerifyReport};

const CHUNK: u64 = 2000;

/// What a scan has established so far. A problem found stays until a full re-check.
#[derive(Debug, Clone, Default)]
struct ChainState {
    /// The newest verified row.
    last: Option<(i64, String)>,
    checked: u64,
    broken: Option<(i64, ChainProblem)>,
    last_seal_id: Option<i64>,
    unsealed: u64,
    /// A full check has completed since the server started: quick checks may build on it.
    established: bool,
}

/// Checks the chain for a server or a CLI run. Cheap to share behind an `Arc`.
pub struct Verifier {
    db: DatabaseConnection,
    key: Arc<SealKey>,
    anchor_file: Option<PathBuf>,
    state: Arc<tokio::sync::Mutex<ChainState>>,
    /// Runs finished; a caller that waited for a run to finish takes its result.
    runs: AtomicU64,
    full_runs: AtomicU64,
    /// Rows read by every run so far (for the benchmark).
    rows_read: AtomicU64,
}

impl Verifier {
    pub fn new(db: DatabaseConnection, key: Arc<SealKey>, anchor_file: Option<PathBuf>) -> Self {
        Self {
            db,
            key,
            anchor_file,
            state: Arc::default(),
            runs: AtomicU64::new(0),
            full_runs: AtomicU64::new(0),
            rows_read: AtomicU64::new(0),
        }
    }

    /// Checks the rows added since the last run. Callers that arrive while a run is going
    /// wait for it and share its result. Never a full scan: until a full check has
    /// completed (each start runs one), this answers `NotYetVerified`.
    pub async fn check_new(&self) -> Result<VerifyReport, AuditError> {
        let seen = self.runs.load(Ordering::Acquire);
        let mut state = self.state.lock().await;
        if self.runs.load(Ordering::Acquire) == seen {
            if !state.established {
                return Err(AuditError::NotYetVerified);
            }
            self.scan(&mut state).await?;
            self.check_anchor(&mut state).await?;
            self.runs.fetch_add(1, Ordering::AcqRel);
        }
        Ok(report(&state))
    }

    /// Checks every row again from the oldest, and starts over from that result. Callers
    /// that arrive while a full check is going share it.
    pub async fn check_all(&self) -> Result<VerifyReport, AuditError> {
        let seen = self.full_runs.load(Ordering::Acquire);
        let mut state = self.state.lock().await;
        if self.full_runs.load(Ordering::Acquire) != seen {
            return Ok(report(&state));
        }
        self.full_locked(&mut state).await
    }

    async fn full_locked(&self, state: &mut ChainState) -> Result<VerifyReport, AuditError> {
        let mut fresh = ChainState::default();
        self.scan(&mut fresh).await?;
        self.check_anchor(&mut fresh).await?;
        fresh.established = true;
        *state = fresh;
        self.runs.fetch_add(1, Ordering::AcqRel);
        self.full_runs.fetch_add(1, Ordering::AcqRel);
        Ok(report(state))
    }

    /// The full check a server runs at each start. The state is locked before this returns,
    /// so a quick check that comes in meanwhile waits for it and takes its result instead of
    /// finding nothing verified yet. Retries every 30 s while the database fails it.
    pub async fn start_full_check(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let mut guard = self.state.clone().lock_owned().await;
        let verifier = self.clone();
        tokio::spawn(async move {
            loop {
                match verifier.full_locked(&mut guard).await {
                    Ok(r) if r.intact => {
                        tracing::info!(entries = r.checked, "audit chain verified");
                    }
                    Ok(r) => tracing::error!(
                        first_broken_id = r.first_broken_id,
                        problem = ?r.problem,
                        "AUDIT CHAIN BROKEN"
                    ),
                    Err(e) => {
                        tracing::error!(error = %e, "verifying the audit chain failed; will retry");
                        drop(guard);
                        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                        guard = verifier.state.clone().lock_owned().await;
                        continue;
                    }
                }
                return;
            }
        })
    }

    /// Checks rows from the anchor (the newest seal kept outside the database) on: the
    /// anchor row must be there unchanged, and everything after it must link and hash. Rows
    /// before the anchor are taken as sealed. Without an anchor, this is `check_all`.
    pub async fn check_since_anchor(&self) -> Result<VerifyReport, AuditError> {
        let Ok(Some(anchor)) = self.anchor() else {
            return self.check_all().await;
        };
        let mut state = self.state.lock().await;
        let mut fresh = ChainState::default();
        if let Some(row) = audit_log::Entity::find_by_id(anchor.id)
            .one(&self.db)
            .await?
            .filter(|r| r.hash == anchor.hash && row_hash(r) == r.hash)
        {
            fresh.last = Some((row.id, row.hash));
            fresh.last_seal_id = Some(row.id);
            fresh.checked = 1;
        }
        self.scan(&mut fresh).await?;
        self.check_anchor(&mut fresh).await?;
        *state = fresh;
        self.runs.fetch_add(1, Ordering::AcqRel);
        Ok(report(&state))
    }

    /// Rows read by every run so far.
    pub fn rows_read(&self) -> u64 {
        self.rows_read.load(Ordering::Relaxed)
    }

    /// The anchor file's content. An unreadable one is reported as a missing seal: only
    /// this server writes it, atomically.
    fn anchor(&self) -> Result<Option<SealAnchor>, ()> {
        match &self.anchor_file {
            Some(path) => SealAnchor::read(path).map_err(|e| {
                tracing::error!(error = %e, file = %path.display(), "the audit seal anchor is unreadable");
            }),
            None => Ok(None),
        }
    }

    async fn scan(&self, state: &mut ChainState) -> Result<(), AuditError> {
        if state.broken.is_some() {
            return Ok(());
        }
        let mut starts: Option<ChainStarts> = None;
        loop {
            let mut q = audit_log::Entity::find()
                .order_by_asc(Column::Id)
                .limit(CHUNK);
            if let Some((id, _)) = &state.last {
                q = q.filter(Column::Id.gt(*id));
            }
            let rows = q.all(&self.db).await?;
            self.rows_read
                .fetch_add(rows.len() as u64, Ordering::Relaxed);
            if rows.is_empty() {
                return Ok(());
            }
            for row in rows {
                let follows = state
                    .last
                    .as_ref()
                    .is_some_and(|(id, hash)| row.id == id + 1 && &row.prev_hash == hash);
                // Not linked to the row before: only the oldest remaining row may start the
                // chain (retention may have deleted up to it, even during this scan), by
                // GENESIS at id 1 or by a checkpoint this server's key vouches for.
                let starts_chain = !follows && {
                    if starts.is_none() {
                        starts = Some(ChainStarts::read(&self.db).await?);
                    }
                    let oldest = audit_log::Entity::find()
                        .filter(Column::Id.lt(row.id))
                        .one(&self.db)
                        .await?
                        .is_none();
                    oldest && starts.as_ref().is_some_and(|s| s.accepts(&row, &self.key))
                };
                if !(follows || starts_chain) || row_hash(&row) != row.hash {
                    state.broken = Some((row.id, ChainProblem::Tampered));
                    return Ok(());
                }
                if row.action == AuditAction::AuditSeal.as_str() {
                    let valid = row
                        .seal
                        .as_deref()
                        .is_some_and(|s| self.key.check(row.id - 1, &row.prev_hash, s));
                    if !valid {
                        state.broken = Some((row.id, ChainProblem::BadSeal));
                        return Ok(());
                    }
                    state.last_seal_id = Some(row.id);
                    state.unsealed = 0;
                } else {
                    state.unsealed += 1;
                }
                state.checked += 1;
                state.last = Some((row.id, row.hash));
            }
        }
    }

    /// The newest seal this node wrote must still be there, unchanged, unless retention
    /// pruned it (then every remaining row is newer than it).
    async fn check_anchor(&self, state: &mut ChainState) -> Result<(), AuditError> {
        if state.broken.is_some() {
            return Ok(());
        }
        let anchor = match self.anchor() {
            Ok(Some(anchor)) => anchor,
            Ok(None) => return Ok(()),
            Err(()) => {
                state.broken = Some((0, ChainProblem::SealMissing));
                return Ok(());
            }
        };
        let ok = match audit_log::Entity::find_by_id(anchor.id)
            .one(&self.db)
            .await?
        {
            Some(row) => row.hash == anchor.hash,
            None => audit_log::Entity::find()
                .order_by_asc(Column::Id)
                .one(&self.db)
                .await?
                .is_some_and(|oldest| oldest.id > anchor.id),
        };
        if !ok {
            state.broken = Some((anchor.id, ChainProblem::SealMissing));
        }
        Ok(())
    }
}

fn report(state: &ChainState) -> VerifyReport {
    VerifyReport {
        intact: state.broken.is_none(),
        checked: state.checked,
        first_broken_id: state.broken.map(|(id, _)| id),
        problem: state.broken.map(|(_, p)| p),
        verified_to: state.last.as_ref().map(|(id, _)| *id),
        last_seal_id: state.last_seal_id,
        unsealed: state.unsealed,
    }
}

/// What the oldest remaining row may link to besides its predecessor: GENESIS (at id 1), or
/// the boundary a retention checkpoint recorded, with the key's HMAC over that boundary's
/// (id, hash) in the checkpoint row's `seal`. Checkpoints written before m000008 carry no
/// HMAC; they are accepted only if older than the first seal, where a forgery would break
/// a seal.
struct ChainStarts {
    /// (checkpoint hash, its HMAC) of keyed checkpoints.
    keyed: Vec<(String, String)>,
    /// Hashes named by checkpoints from before the key, and the first seal's id.
    legacy: Vec<(i64, String)>,
    first_seal: Option<i64>,
}

impl ChainStarts {
    async fn read(db: &DatabaseConnection) -> Result<Self, AuditError> {
        let pruned = audit_log::Entity::find()
            .filter(Column::Action.eq(AuditAction::AuditPruned.as_str()))
            .all(db)
            .await?;
        let first_seal = audit_log::Entity::find()
            .filter(Column::Action.eq(AuditAction::AuditSeal.as_str()))
            .order_by_asc(Column::Id)
            .one(db)
            .await?
            .map(|r| r.id);
        let mut keyed = Vec::new();
        let mut legacy = Vec::new();
        for r in pruned {
            match (r.checkpoint, r.seal) {
                (Some(hash), Some(mac)) => keyed.push((hash, mac)),
                // Written before the checkpoint column existed (m000008): the detail ended
                // with the hash. Only such a row's own hashed detail is consulted.
                (None, None) => {
                    if let Some(hash) = r
                        .detail
                        .get(r.detail.len().saturating_sub(64)..)
                        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
                    {
                        legacy.push((r.id, hash.to_owned()));
                    }
                }
                _ => {}
            }
        }
        Ok(Self {
            keyed,
            legacy,
            first_seal,
        })
    }

    fn accepts(&self, row: &audit_log::Model, key: &SealKey) -> bool {
        if row.id == 1 && row.prev_hash == GENESIS {
            return true;
        }
        let boundary = row.id - 1;
        self.keyed
            .iter()
            .any(|(hash, mac)| hash == &row.prev_hash && key.check(boundary, hash, mac))
            || self.legacy.iter().any(|(id, hash)| {
                hash == &row.prev_hash && self.first_seal.is_none_or(|first| *id < first)
            })
    }
}
