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
    // Columns added later are hashed only when present, each behind its own tag, so rows
    // written before they existed keep their hashes and a removed value still shows.
    for (tag, value) in [(1u8, &row.reason), (2u8, &row.checkpoint), (3u8, &row.seal)] {
        if let Some(v) = value {
            h.update([tag]);
            field(&mut h, Some(v.as_bytes()));
        }
    }
    hex::encode(h.finalize())
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
            reason: None,
            checkpoint: None,
            seal: None,
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
            Box::new(|r| r.reason = Some("tab_closed".into())),
            Box::new(|r| r.checkpoint = Some("a".repeat(64))),
            Box::new(|r| r.seal = Some("a".repeat(64))),
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
    fn rows_from_before_the_new_columns_keep_their_hash() {
        // Computed by the encoding that predates reason, checkpoint and seal.
        assert_eq!(
            row_hash(&row()),
            "7779734e46e88f04c8571141bee87e1dea537eff52c8a20474c41bfbd52342e1"
        );
    }

    #[test]
    fn the_same_value_in_another_new_column_hashes_differently() {
        let mut a = row();
        a.checkpoint = Some("c".repeat(64));
        let mut b = row();
        b.seal = Some("c".repeat(64));
        assert_ne!(row_hash(&a), row_hash(&b));
    }
}
