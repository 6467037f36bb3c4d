//! Terminal benchmark: the gateway side by side with direct `ssh -tt`, against one loopback
//! sshd, in one run. Prints each figure.
//!
//!     cargo build --release -p server --bin server
//!     cargo run --release -p server --example terminal_bench [-- SESSIONS] [--idle-only]
//!
//! `--idle-only` skips throughput and latency and measures only RSS per idle session.
//! `--busy N` measures only keystroke echo, through the gateway and direct, while N other
//! gateway sessions stream (see `busy.rs`).
//!
//! Needs /usr/sbin/sshd, ssh, ssh-keygen and the cloudshell-sshtest account
//! (`scripts/bootstrap.sh test`). The gateway is the real release binary in its own process,
//! so its CPU time and RSS are read from /proc without the benchmark's own share.

mod busy;
#[path = "../support/mod.rs"]
mod support;

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use support::{
    Killed, QUIET_SSH, USER, cpu_seconds, login_and_add_device, rss_kib, start_gateway, start_sshd,
};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const PAYLOAD: &str = "head -c 200000000 /dev/zero | base64 -w0";
/// Built from two halves so the echoed command line never contains it.
const MARK_CMD: &str = "printf '\\n%s%s\\n' BENCH DONE";
const MARK: &[u8] = b"BENCHDONE";
const ECHOES: usize = 1000;
const WARM_UP_ECHOES: usize = 200;

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

async fn open_ws(gw: SocketAddr, token: &str, id: i64) -> anyhow::Result<Ws> {
    let mut req = format!("ws://{gw}/ws/terminal/{id}").into_client_request()?;
    req.headers_mut()
        .insert("Origin", format!("http://{gw}").parse()?);
    req.headers_mut()
        .insert("Cookie", format!("cloudshell_session={token}").parse()?);
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await?;
    ws.send(Message::Text(
        r#"{"type":"resize","cols":200,"rows":50}"#.into(),
    ))
    .await?;
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) if t.contains("\"connected\"") => return Ok(ws),
            Some(Ok(Message::Text(t))) if t.contains("\"error\"") => bail!("gateway: {t}"),
            Some(Ok(_)) => {}
            other => bail!("websocket ended: {other:?}"),
        }
    }
}

/// A terminal either through the gateway or through `ssh -tt`.
enum Term {
    Gateway(Box<Ws>),
    /// Plain blocking pipes (read under `block_in_place`): tokio's process feature is not
    /// built for the server, and the gateway being measured runs in another process anyway.
    Direct {
        _child: Killed,
        stdin: std::process::ChildStdin,
        stdout: std::process::ChildStdout,
    },
}

impl Term {
    async fn send(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        match self {
            Term::Gateway(ws) => ws.send(Message::Binary(bytes.to_vec().into())).await?,
            Term::Direct { stdin, .. } => {
                std::io::Write::write_all(stdin, bytes)?;
                std::io::Write::flush(stdin)?;
            }
        }
        Ok(())
    }

    /// Next chunk of terminal output.
    async fn recv(&mut self, buf: &mut Vec<u8>) -> anyhow::Result<usize> {
        match self {
            Term::Gateway(ws) => loop {
                match ws.next().await {
                    Some(Ok(Message::Binary(b))) => {
                        buf.extend_from_slice(&b);
                        return Ok(b.len());
                    }
                    Some(Ok(_)) => {}
                    other => bail!("websocket ended: {other:?}"),
                }
            },
            Term::Direct { stdout, .. } => {
                let mut chunk = [0u8; 65536];
                let n = tokio::task::block_in_place(|| std::io::Read::read(stdout, &mut chunk))?;
                if n == 0 {
                    bail!("ssh ended");
                }
                buf.extend_from_slice(&chunk[..n]);
                Ok(n)
            }
        }
    }

    /// Reads until `needle` appears in the output; returns the bytes read.
    async fn until(&mut self, needle: &[u8]) -> anyhow::Result<u64> {
        let mut total = 0u64;
        let mut tail: Vec<u8> = Vec::new();
        loop {
            let mut buf = Vec::new();
            total += self.recv(&mut buf).await? as u64;
            tail.extend_from_slice(&buf);
            if tail.windows(needle.len()).any(|w| w == needle) {
                return Ok(total);
            }
            let keep = tail.len().saturating_sub(needle.len());
            tail.drain(..keep);
        }
    }

    /// Waits until the shell has printed its greeting and runs commands.
    async fn ready(&mut self) -> anyhow::Result<()> {
        self.send(format!("{MARK_CMD}\n").as_bytes()).await?;
        self.until(MARK).await?;
        Ok(())
    }
}

fn direct(port: u16, key: &Path) -> anyhow::Result<Term> {
    let mut child = Command::new("ssh")
        .arg("-tt")
        .args(QUIET_SSH)
        .arg(key)
        .args(["-p", &port.to_string(), &format!("{USER}@127.0.0.1")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("ssh")?;
    let stdin = child.stdin.take().context("stdin")?;
    let stdout = child.stdout.take().context("stdout")?;
    Ok(Term::Direct {
        _child: Killed(child),
        stdin,
        stdout,
    })
}

async fn throughput(term: &mut Term) -> anyhow::Result<(u64, Duration)> {
    term.ready().await?;
    let started = Instant::now();
    term.send(format!("{PAYLOAD}; {MARK_CMD}\n").as_bytes())
        .await?;
    let bytes = term.until(MARK).await?;
    Ok((bytes, started.elapsed()))
}

async fn echo_latency(term: &mut Term) -> anyhow::Result<Vec<Duration>> {
    term.send(b"cat\n").await?;
    // The command line's own echo, so the keystroke echoes below start clean.
    term.until(b"cat\r\n").await?;
    // Unrecorded warm-up keystrokes: the first echoes of a fresh session (and, under load,
    // the moments after the load's priority changed) are not what a user types into.
    for _ in 0..WARM_UP_ECHOES {
        term.send(b"a").await?;
        term.until(b"a").await?;
    }
    term.send(&[0x15]).await?;
    let mut samples = Vec::with_capacity(ECHOES);
    for i in 0..ECHOES {
        let started = Instant::now();
        term.send(b"a").await?;
        term.until(b"a").await?;
        samples.push(started.elapsed());
        if i % 500 == 499 {
            term.send(&[0x15]).await?; // ^U: keep the line short
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    term.send(&[0x03]).await?; // ^C ends cat
    samples.sort();
    Ok(samples)
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e3
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--drain") {
        return busy::drain(&args[1..]).await;
    }
    let busy = args
        .iter()
        .position(|a| a == "--busy")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse::<usize>().ok());
    let sessions: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(500);
    let idle_only = args.iter().any(|a| a == "--idle-only");
    let dir = tempfile::tempdir()?;
    let (sshd_port, _sshd, client_key) = start_sshd(dir.path(), false).await?;
    let key_text = std::fs::read_to_string(&client_key)?;

    // One user opens all the sessions.
    let limit = (sessions + 16).to_string();
    let (gw, _gateway) = start_gateway(
        &dir.path().join("data"),
        &[("MAX_TERMINALS_PER_USER", &limit)],
    )
    .await?;
    let pid = _gateway.0.id();
    let (token, device) = login_and_add_device(gw, sshd_port, &key_text, "bench").await?;

    if let Some(n) = busy {
        let load_dir = dir.path().join("load");
        std::fs::create_dir_all(&load_dir)?;
        let (load_port, _load_sshd, load_key) = start_sshd(&load_dir, true).await?;
        let load_key_text = std::fs::read_to_string(&load_key)?;
        let (_, load_device) = login_and_add_device(gw, load_port, &load_key_text, "load").await?;
        let load = busy::Load {
            device: load_device,
            sshd: _load_sshd.0.id(),
        };
        return busy::measure(gw, &token, device, load, sshd_port, &client_key, n).await;
    }
    if !idle_only {
        streaming_and_echo(gw, &token, device, sshd_port, &client_key, pid).await?;
    }
    idle_sessions(gw, &token, device, pid, sessions).await
}

async fn streaming_and_echo(
    gw: SocketAddr,
    token: &str,
    device: i64,
    sshd_port: u16,
    client_key: &Path,
    pid: u32,
) -> anyhow::Result<()> {
    println!("terminal bench: payload `{PAYLOAD}`, loopback sshd, 3 alternating rounds");
    let (mut gw_rates, mut direct_rates, mut cpu_per_gb) = (Vec::new(), Vec::new(), Vec::new());
    for round in 1..=3 {
        let mut term = Term::Gateway(Box::new(open_ws(gw, token, device).await?));
        let cpu0 = cpu_seconds(pid)?;
        let (bytes, took) = throughput(&mut term).await?;
        let cpu = cpu_seconds(pid)? - cpu0;
        let rate = bytes as f64 / took.as_secs_f64() / 1e6;
        gw_rates.push(rate);
        cpu_per_gb.push(cpu / (bytes as f64 / 1e9));
        drop(term);
        let mut term = direct(sshd_port, client_key)?;
        let (dbytes, dtook) = throughput(&mut term).await?;
        let drate = dbytes as f64 / dtook.as_secs_f64() / 1e6;
        direct_rates.push(drate);
        drop(term);
        println!(
            "  round {round}: gateway {rate:.1} MB/s ({bytes} B, {cpu:.2} CPU-s), direct ssh -tt {drate:.1} MB/s ({dbytes} B)"
        );
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (g, d, c) = (
        median(&mut gw_rates),
        median(&mut direct_rates),
        median(&mut cpu_per_gb),
    );
    println!(
        "throughput: gateway {g:.1} MB/s, direct {d:.1} MB/s, ratio {:.2} (target >= 0.9)",
        g / d
    );
    println!("gateway CPU: {c:.2} CPU-s per GB (target <= 5)");

    let mut term = Term::Gateway(Box::new(open_ws(gw, token, device).await?));
    term.ready().await?;
    let via = echo_latency(&mut term).await?;
    drop(term);
    let mut term = direct(sshd_port, client_key)?;
    term.ready().await?;
    let straight = echo_latency(&mut term).await?;
    drop(term);
    println!(
        "echo latency ({ECHOES} keystrokes): gateway p50 {:.3} ms p99 {:.3} ms; direct p50 {:.3} ms p99 {:.3} ms; overhead p50 {:.3} ms p99 {:.3} ms (target p50 <= 0.1)",
        pct(&via, 0.5),
        pct(&via, 0.99),
        pct(&straight, 0.5),
        pct(&straight, 0.99),
        pct(&via, 0.5) - pct(&straight, 0.5),
        pct(&via, 0.99) - pct(&straight, 0.99)
    );

    Ok(())
}

/// RSS growth per open, idle terminal.
async fn idle_sessions(
    gw: SocketAddr,
    token: &str,
    device: i64,
    pid: u32,
    sessions: usize,
) -> anyhow::Result<()> {
    let warm = open_ws(gw, token, device).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = rss_kib(pid)?;
    let mut open = Vec::with_capacity(sessions);
    for chunk in 0..sessions.div_ceil(25) {
        let batch = (0..25.min(sessions - chunk * 25)).map(|_| open_ws(gw, token, device));
        for ws in futures_util::future::join_all(batch).await {
            open.push(ws?);
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_kib(pid)?;
    println!(
        "idle sessions: {sessions} open, gateway RSS {before} KiB -> {after} KiB, {:.1} KiB per session (target <= 48)",
        (after.saturating_sub(before)) as f64 / sessions as f64
    );
    drop(open);
    drop(warm);
    Ok(())
}
