//! Audit benchmark: write throughput through the real Auditor, then page latency at 1M rows.
//!
//!     cargo run --release -p server --example audit_bench [-- ROWS]
//!
//! Uses a fresh SQLite file in a temporary directory (or DATABASE_URL when set).
#![allow(clippy::expect_used)] // A benchmark, not the server: a failed query stops it loudly.

use std::time::{Duration, Instant};

use cloudshell::audit::{self, AuditEvent, query};
use cloudshell::models::{AuditAction, AuditFilter, PageCursor};
use migration::{Migrator, MigratorTrait};

const TASKS: u64 = 50;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

async fn time_it<F, Fut>(label: &str, runs: usize, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    f().await; // warm-up
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f().await;
        samples.push(t.elapsed());
    }
    samples.sort();
    println!(
        "{label:<48} p50 {:>8.3} ms   p99 {:>8.3} ms",
        percentile(&samples, 0.50).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let rows: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| {
        format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        )
    });
    let db = cloudshell::db::connect(&url).await?;
    Migrator::up(&db, None).await?;
    let (auditor, writer) = audit::spawn(db.clone());

    // 1. Write throughput: TASKS producers, ROWS events, until all are committed.
    let started = Instant::now();
    let per_task = rows / TASKS;
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let auditor = auditor.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..per_task {
                let action = if i % 10 == 0 {
                    AuditAction::Login
                } else {
                    AuditAction::Logout
                };
                let ev = AuditEvent::new(format!("user{t}"), action, format!("bench event {i}"))
                    .ip(format!("10.0.{}.{}", t, i % 250).parse().expect("ip"));
                auditor.record(ev).await;
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    auditor.flush().await?;
    let secs = started.elapsed().as_secs_f64();
    let written = per_task * TASKS;
    println!(
        "backend: {}",
        if url.starts_with("sqlite") {
            "sqlite (WAL)"
        } else {
            "postgres"
        }
    );
    println!(
        "audit write throughput: {written} events in {secs:.2} s = {:.0} events/s",
        written as f64 / secs
    );

    // 2. Page latency at this size.
    let none = AuditFilter::default();
    let logins = AuditFilter {
        actions: vec!["LOGIN".into()],
        ..Default::default()
    };
    let deep = PageCursor::Before(1_000);
    let runs = 200;
    for (label, filter, cursor) in [
        (
            "keyset fetch, first page, no filter",
            &none,
            PageCursor::Newest,
        ),
        ("keyset fetch, deep page (id<1000), no filter", &none, deep),
        (
            "keyset fetch, first page, action=LOGIN",
            &logins,
            PageCursor::Newest,
        ),
        (
            "keyset fetch, deep page (id<1000), action=LOGIN",
            &logins,
            deep,
        ),
    ] {
        let cond = query::condition(filter)?;
        let before = match cursor {
            PageCursor::Before(id) => Some(id),
            _ => None,
        };
        time_it(label, runs, || {
            let (db, cond) = (db.clone(), cond.clone());
            async move {
                let page = query::chunk(&db, cond, before, 50).await.expect("chunk");
                assert!(!page.is_empty());
            }
        })
        .await;
    }
    for (label, filter, cursor) in [
        (
            "full page() incl. total count, first, no filter",
            &none,
            PageCursor::Newest,
        ),
        (
            "full page() incl. total count, deep, action=LOGIN",
            &logins,
            deep,
        ),
    ] {
        time_it(label, 20, || {
            let db = db.clone();
            async move {
                query::page(&db, filter, cursor, 50).await.expect("page");
            }
        })
        .await;
    }
    // 3. Verification: one full check, then 50 concurrent viewer checks after NEW_ROWS more
    //    events; they share one scan of the new rows.
    let key = std::sync::Arc::new(audit::seal::SealKey::derive(
        &cloudshell::secret::SecretString::new("bench-only-key-bench-only-key-00"),
    ));
    let verifier = std::sync::Arc::new(audit::verify::Verifier::new(db.clone(), key, None));
    let t = Instant::now();
    let report = verifier.check_all().await?;
    println!(
        "chain verify (full): {} rows, intact={} in {:.2} s",
        report.checked,
        report.intact,
        t.elapsed().as_secs_f64()
    );
    const NEW_ROWS: u64 = 10_000;
    for i in 0..NEW_ROWS {
        auditor
            .record(AuditEvent::new(
                "late",
                AuditAction::Login,
                format!("new {i}"),
            ))
            .await;
    }
    auditor.flush().await?;
    let read_before = verifier.rows_read();
    let t = Instant::now();
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let v = verifier.clone();
            tokio::spawn(async move { v.check_new().await })
        })
        .collect();
    for call in calls {
        assert!(call.await??.intact);
    }
    println!(
        "50 concurrent incremental verifies after {NEW_ROWS} new rows: {} rows read in {:.3} s",
        verifier.rows_read() - read_before,
        t.elapsed().as_secs_f64()
    );
    writer.shutdown(auditor).await;
    Ok(())
}
