//! Whose clock says when a session's owner last beat. Replicas on one PostgreSQL compare
//! heartbeats written by one node with the time on another, so both use the database's
//! clock; a replica whose own clock is minutes off neither looks dead nor kills live peers.
//! SQLite has one process, whose clock is the only one.

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, Statement};
use time::OffsetDateTime;

use crate::audit::from_micros;

pub async fn db_now(db: &DatabaseConnection) -> Result<OffsetDateTime, DbErr> {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(crate::clock::now_utc());
    }
    let row = db
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS micros",
        ))
        .await?
        .ok_or_else(|| DbErr::Custom("the database returned no time".into()))?;
    Ok(from_micros(row.try_get::<i64>("", "micros")?))
}
