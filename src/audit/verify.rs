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
use super::event::to_micros;
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
    /// The first row after the newest seal, with its timestamp.
    first_unsealed: Option<(i64, i64)>,
    unsealed: u64,
}

/// Checks the chain for a server or a CLI run. Cheap to share behind an `Arc`.
pub struct Verifier {
    db: DatabaseConnection,
    key: Arc<SealKey>,
    anchor_file: Option<PathBuf>,
    /// A running server seals every few minutes, so rows this old and unsealed mean seals
    /// were removed. `None` (the CLI): unsealed rows are counted, not judged.
    unsealed_limit: Option<time::Duration>,
    state: tokio::sync::Mutex<ChainState>,
    /// Runs finished; a caller that waited for a run to finish takes its result.
    runs: AtomicU64,
    /// Rows read by every run so far (for the benchmark).
    rows_read: AtomicU64,
}

impl Verifier {
    pub fn new(
        db: DatabaseConnection,
        key: Arc<SealKey>,
        anchor_file: Option<PathBuf>,
        unsealed_limit: Option<time::Duration>,
    ) -> Self {
        Self {
            db,
            key,
            anchor_file,
            unsealed_limit,
            state: tokio::sync::Mutex::default(),
            runs: AtomicU64::new(0),
            rows_read: AtomicU64::new(0),
        }
    }

    /// Checks the rows added since the last run (all of them the first time). Callers that
    /// arrive while a run is going wait for it and share its result.
    pub async fn check_new(&self) -> Result<VerifyReport, AuditError> {
        let seen = self.runs.load(Ordering::Acquire);
        let mut state = self.state.lock().await;
        if self.runs.load(Ordering::Acquire) == seen {
            self.scan(&mut state).await?;
            self.check_anchor(&mut state).await?;
            self.runs.fetch_add(1, Ordering::AcqRel);
        }
        Ok(self.report(&state))
    }

    /// Checks every row again from the oldest, and starts over from that result.
    pub async fn check_all(&self) -> Result<VerifyReport, AuditError> {
        let mut state = self.state.lock().await;
        let mut fresh = ChainState::default();
        self.scan(&mut fresh).await?;
        self.check_anchor(&mut fresh).await?;
        *state = fresh;
        self.runs.fetch_add(1, Ordering::AcqRel);
        Ok(self.report(&state))
    }

    /// Checks rows from the anchor (the newest seal kept outside the database) on: the
    /// anchor row must be there unchanged, and everything after it must link and hash. Rows
    /// before the anchor are taken as sealed. Without an anchor, this is `check_all`.
    pub async fn check_since_anchor(&self) -> Result<VerifyReport, AuditError> {
        let Some(anchor) = self.anchor()? else {
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
        Ok(self.report(&state))
    }

    /// Rows read by every run so far.
    pub fn rows_read(&self) -> u64 {
        self.rows_read.load(Ordering::Relaxed)
    }

    fn anchor(&self) -> Result<Option<SealAnchor>, AuditError> {
        match &self.anchor_file {
            Some(path) => SealAnchor::read(path).map_err(|e| AuditError::Anchor(e.to_string())),
            None => Ok(None),
        }
    }

    async fn scan(&self, state: &mut ChainState) -> Result<(), AuditError> {
        if state.broken.is_some() {
            return Ok(());
        }
        let checkpoints = if state.last.is_none() {
            checkpoints(&self.db).await?
        } else {
            Vec::new()
        };
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
                let linked = match &state.last {
                    Some((id, hash)) => row.id == id + 1 && &row.prev_hash == hash,
                    None => row.prev_hash == GENESIS || checkpoints.contains(&row.prev_hash),
                };
                if !linked || row_hash(&row) != row.hash {
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
                    state.first_unsealed = None;
                    state.unsealed = 0;
                } else {
                    state.first_unsealed.get_or_insert((row.id, row.ts_micros));
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
        let Some(anchor) = self.anchor()? else {
            return Ok(());
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

    fn report(&self, state: &ChainState) -> VerifyReport {
        let mut broken = state.broken;
        if broken.is_none()
            && let (Some(limit), Some((id, ts))) = (self.unsealed_limit, state.first_unsealed)
            && ts < to_micros(time::OffsetDateTime::now_utc() - limit)
        {
            broken = Some((id, ChainProblem::Unsealed));
        }
        VerifyReport {
            intact: broken.is_none(),
            checked: state.checked,
            first_broken_id: broken.map(|(id, _)| id),
            problem: broken.map(|(_, p)| p),
            verified_to: state.last.as_ref().map(|(id, _)| *id),
            last_seal_id: state.last_seal_id,
            unsealed: state.unsealed,
        }
    }
}

/// The hashes the oldest remaining row may link to, besides GENESIS: those recorded by
/// retention's AUDIT_PRUNED checkpoints.
async fn checkpoints(db: &DatabaseConnection) -> Result<Vec<String>, AuditError> {
    let pruned = audit_log::Entity::find()
        .filter(Column::Action.eq(AuditAction::AuditPruned.as_str()))
        .all(db)
        .await?;
    Ok(pruned
        .into_iter()
        .filter_map(|r| match r.checkpoint {
            Some(c) => Some(c),
            // Written before the checkpoint column existed (migration m000008): the detail
            // ended with the hash. Only such a row's own hashed detail is consulted.
            None => r
                .detail
                .get(r.detail.len().saturating_sub(64)..)
                .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
                .map(str::to_owned),
        })
        .collect())
}
