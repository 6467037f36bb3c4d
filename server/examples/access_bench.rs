//! Access-check benchmark (#18): what roles and access groups cost.
//! - The check a terminal WebSocket upgrade makes before any SSH work (an operator's
//!   device grant: one indexed query), timed alone.
//! - `GET /api/devices` through the real router for an operator in 10 of 100 groups,
//!   among 1,000 devices (100 of them theirs), over loopback HTTP.
//!
//!     cargo run --release -p server --example access_bench [-- --rounds 2000]
//!
//! SQLite in a temporary DATA_DIR; with DATABASE_URL set, that PostgreSQL database instead
//! (it must be empty).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::Context;
use cloudshell::audit::Actor;
use cloudshell::db::entities::device;
use cloudshell::models::Role;
use cloudshell::models::users::GroupChange;
use cloudshell::secret::SecretString;
use sea_orm::{ActiveModelTrait, Set};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const DEVICES: usize = 1000;
const GROUPS: usize = 100;
const PER_GROUP: usize = DEVICES / GROUPS;
const MEMBER_OF: usize = 10;

fn rounds() -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

fn summary(label: &str, mut samples: Vec<Duration>, unit_us: bool) {
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    let show = |d: Duration| {
        if unit_us {
            format!("{:.1} µs", d.as_secs_f64() * 1e6)
        } else {
            format!("{:.2} ms", d.as_secs_f64() * 1e3)
        }
    };
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    println!(
        "{label}: n={} p50 {} p95 {} p99 {} max {} mean {}",
        samples.len(),
        show(at(0.5)),
        show(at(0.95)),
        show(at(0.99)),
        show(at(1.0)),
        show(mean)
    );
}

async fn get(addr: SocketAddr, path: &str, token: &str) -> anyhow::Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr).await?;
    stream
        .write_all(
            format!(
                "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nCookie: cloudshell_session={token}\r\n\r\n"
            )
            .as_bytes(),
        )
        .await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .context("status line")?;
    Ok((status, text))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let data = tempfile::tempdir()?;
    let mut vars: HashMap<String, String> = HashMap::new();
    vars.insert("DATA_DIR".into(), data.path().display().to_string());
    vars.insert("ADMIN_PASSWORD".into(), "bench-admin-password".into());
    if let Ok(url) = std::env::var("DATABASE_URL") {
        vars.insert("DATABASE_URL".into(), url);
    }
    let config = cloudshell::config::Config::from_lookup(|k| vars.get(k).cloned())?;
    let backend = if config.database_url.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let options = leptos::config::LeptosOptions::builder()
        .output_name("cloudshell")
        .site_root(data.path().join("site").display().to_string())
        .site_pkg_dir("pkg")
        .build();
    let state = server::prepare(&config, options).await?.state;

    let now = time::OffsetDateTime::now_utc();
    let mut ids = Vec::with_capacity(DEVICES);
    for i in 0..DEVICES {
        let row = device::ActiveModel {
            name: Set(format!("dev{i:04}")),
            host: Set(format!("10.0.{}.{}", i / 250, i % 250 + 1)),
            port: Set(22),
            username: Set("ops".into()),
            auth_type: Set("password".into()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&state.db)
        .await?;
        ids.push(row.id);
    }
    let operator = state
        .auth
        .create_user(
            "operator",
            SecretString::new("bench-operator-password"),
            Role::Operator,
        )
        .await?;
    let actor = Actor::new("admin", "127.0.0.1".parse()?);
    for g in 0..GROUPS {
        let group = state
            .users
            .create_group(&actor, &format!("group{g:03}"))
            .await?;
        let change = GroupChange {
            add_devices: ids[g * PER_GROUP..(g + 1) * PER_GROUP].to_vec(),
            add_members: if g % (GROUPS / MEMBER_OF) == 0 {
                vec![operator.id]
            } else {
                Vec::new()
            },
            ..Default::default()
        };
        state.users.update_group(&actor, group.id, change).await?;
    }
    let granted = ids[0];
    let refused = ids[1 + PER_GROUP];
    println!(
        "{backend}: {DEVICES} devices in {GROUPS} groups of {PER_GROUP}; the operator is in {MEMBER_OF} groups ({} devices)",
        MEMBER_OF * PER_GROUP
    );

    let n = rounds();
    let mut checks = Vec::with_capacity(n);
    for i in 0..n {
        let device = if i % 2 == 0 { granted } else { refused };
        let started = Instant::now();
        let allowed = state
            .permissions
            .may_use_device(operator.id, Role::Operator, device)
            .await?;
        checks.push(started.elapsed());
        anyhow::ensure!(allowed == (device == granted), "wrong answer for {device}");
    }
    summary("access check (operator, one device)", checks, true);

    let app = server::build_router(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(server::serve::run(
        listener,
        app,
        server::serve::Limits::default(),
        std::future::pending(),
    ));
    let token = {
        let body = "username=operator&password=bench-operator-password";
        let mut stream = TcpStream::connect(addr).await?;
        stream.write_all(format!(
            "POST /api/auth/login HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ).as_bytes()).await?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await?;
        String::from_utf8_lossy(&raw)
            .split("cloudshell_session=")
            .nth(1)
            .and_then(|r| r.split(';').next())
            .context("login")?
            .to_owned()
    };
    let (status, body) = get(addr, "/api/devices", &token).await?;
    anyhow::ensure!(status == 200, "GET /api/devices: {status}");
    let listed = body.matches("\"name\":").count();
    anyhow::ensure!(listed == MEMBER_OF * PER_GROUP, "listed {listed} devices");
    let mut lists = Vec::with_capacity(n / 10);
    for _ in 0..(n / 10).max(50) {
        let started = Instant::now();
        let (status, _) = get(addr, "/api/devices", &token).await?;
        lists.push(started.elapsed());
        anyhow::ensure!(status == 200);
    }
    summary(
        "GET /api/devices (operator, 100 of 1,000 devices)",
        lists,
        false,
    );
    Ok(())
}
