//! The writer against a real SQLite file: a retry after a commit whose outcome was unknown.

use sea_orm::{ConnectionTrait, Database, EntityTrait, PaginatorTrait, Schema};

use super::*;
use crate::models::AuditAction;

async fn database(dir: &tempfile::TempDir) -> DatabaseConnection {
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("a.db").display());
    let db = Database::connect(url).await.unwrap();
    let schema = Schema::new(db.get_database_backend());
    db.execute(&schema.create_table_from_entity(audit_log::Entity))
        .await
        .unwrap();
    db
}

fn batch(n: usize) -> Batch {
    (0..n)
        .map(|i| {
            (
                AuditEvent::new("admin", AuditAction::Login, format!("event {i}")),
                None,
            )
        })
        .collect()
}

#[tokio::test]
async fn a_batch_whose_commit_landed_is_not_inserted_again_on_retry() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(&dir).await;
    let events = batch(3);
    let mut tip = None;
    let ids = match write_batch(&db, &events, &mut tip, None).await {
        Ok(ids) => ids,
        Err(_) => panic!("first write"),
    };
    assert_eq!(ids, [1, 2, 3]);
    let landed = tip.clone().unwrap();
    // The commit succeeded but its answer was lost: the retry names the tip it would make.
    let mut stale_tip = None;
    let again = match write_batch(&db, &events, &mut stale_tip, Some(landed.clone())).await {
        Ok(ids) => ids,
        Err(_) => panic!("retry"),
    };
    assert_eq!(again, [1, 2, 3], "the same ids, found, not written");
    assert_eq!(stale_tip, Some(landed));
    assert_eq!(audit_log::Entity::find().count(&db).await.unwrap(), 3);
}

#[tokio::test]
async fn a_batch_whose_commit_did_not_land_is_written_on_retry() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(&dir).await;
    let events = batch(2);
    // The tip an earlier attempt would have made, had its commit landed; it did not.
    let never = (2, "f".repeat(64));
    let mut tip = None;
    let ids = match write_batch(&db, &events, &mut tip, Some(never)).await {
        Ok(ids) => ids,
        Err(_) => panic!("retry"),
    };
    assert_eq!(ids, [1, 2]);
    assert_eq!(audit_log::Entity::find().count(&db).await.unwrap(), 2);
}
