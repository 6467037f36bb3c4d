//! The SHA-256 hash chain: each row's hash covers its own fields and the previous row's hash,
//! in a canonical length-prefixed encoding, so any edit, deletion or reordering shows.

use sha2::{Digest, Sha256};

use crate::db::entities::audit_log;

/// `prev_hash` of the very first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const DOMAIN: &[u8] = b"cloudshell-audit-v1";

fn field(h: &mut Sha256, value: Option<&[u8]>) {
    match value {
        // u64::MAX marks "absent", so None and "" hash differently.
        None => h.update(u64::MAX.to_be_bytes()),
        Some(bytes) => {
            h.update((bytes.len() as u64).to_be_bytes());
            h.update(bytes);
        }
    }
}

/// The hash a row must carry, computed from its fields and `prev_hash`.
pub fn row_hash(row: &audit_log::Model) -> String {
    let mut h = Sha256::new();
    h.update(DOMAIN);
    field(&mut h, Some(&row.id.to_be_bytes()));
    field(&mut h, Some(&row.ts_micros.to_be_bytes()));
    field(&mut h, Some(row.username.as_bytes()));
    field(&mut h, Some(row.action.as_bytes()));
    field(&mut h, row.source_ip.as_deref().map(str::as_bytes));
    field(&mut h, Some(row.detail.as_bytes()));
    let device = row.device_id.map(i64::to_be_bytes);
    field(&mut h, device.as_ref().map(|d| d.as_slice()));
    field(&mut h, row.session_id.as_deref().map(str::as_bytes));
    field(&mut h, row.outcome.as_deref().map(str::as_bytes));
    field(&mut h, Some(row.prev_hash.as_bytes()));
    hex::encode(h.finalize())
}

/// The checkpoint hash named in an AUDIT_PRUNED detail ("... chain checkpoint <hex>").
pub fn checkpoint_in(detail: &str) -> Option<&str> {
    let (_, rest) = detail.rsplit_once("checkpoint ")?;
    let hash = rest.get(..64)?;
    hash.bytes().all(|b| b.is_ascii_hexdigit()).then_some(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> audit_log::Model {
        audit_log::Model {
            id: 1,
            ts_micros: 1_700_000_000_000_000,
            username: "admin".into(),
            action: "LOGIN".into(),
            source_ip: Some("127.0.0.1".into()),
            detail: "User logged in".into(),
            device_id: None,
            session_id: None,
            outcome: Some("success".into()),
            prev_hash: GENESIS.into(),
            hash: String::new(),
        }
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = row_hash(&row());
        type Edit = Box<dyn Fn(&mut audit_log::Model)>;
        let edits: Vec<Edit> = vec![
            Box::new(|r| r.id = 2),
            Box::new(|r| r.ts_micros += 1),
            Box::new(|r| r.username = "admim".into()),
            Box::new(|r| r.action = "LOGOUT".into()),
            Box::new(|r| r.source_ip = None),
            Box::new(|r| r.source_ip = Some(String::new())),
            Box::new(|r| r.detail.push('!')),
            Box::new(|r| r.device_id = Some(1)),
            Box::new(|r| r.session_id = Some("s".into())),
            Box::new(|r| r.outcome = None),
            Box::new(|r| r.prev_hash = "1".repeat(64)),
        ];
        for edit in edits {
            let mut r = row();
            edit(&mut r);
            assert_ne!(row_hash(&r), base);
        }
        // The stored hash itself is not an input.
        let mut r = row();
        r.hash = "x".into();
        assert_eq!(row_hash(&r), base);
    }

    #[test]
    fn finds_the_checkpoint_in_a_prune_detail() {
        let h = "ab".repeat(32);
        let detail = format!("Pruned 10 entries older than 2026-11-19; chain checkpoint {h}");
        assert_eq!(checkpoint_in(&detail), Some(h.as_str()));
        assert_eq!(checkpoint_in("Pruned 10 entries"), None);
    }
}
