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

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const USER: &str = "cloudshell-sshtest";
const PAYLOAD: &str = "head -c 200000000 /dev/zero | base64 -w0";
/// Built from two halves so the echoed command line never contains it.
const MARK_CMD: &str = "printf '\\n%s%s\\n' BENCH DONE";
const MARK: &[u8] = b"BENCHDONE";
const ECHOES: usize = 1000;
const WARM_UP_ECHOES: usize = 200;

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

async fn wait_port(port: u16) -> anyhow::Result<()> {
    let until = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        if Instant::now() > until {
            bail!("nothing listens on {port}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn keygen(path: &Path) -> anyhow::Result<()> {
    let ok = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .status()?
        .success();
    if !ok {
        bail!("ssh-keygen failed");
    }
    Ok(())
}

/// An sshd on loopback for the bench's account; with `nice`, at nice 19 (the load's).
async fn start_sshd(dir: &Path, nice: bool) -> anyhow::Result<(u16, Killed, PathBuf)> {
    let host = dir.join("host");
    let client = dir.join("client");
    keygen(&host)?;
    keygen(&client)?;
    std::fs::copy(client.with_extension("pub"), dir.join("authorized_keys"))?;
    let port = free_port()?;
    let config = dir.join("sshd_config");
    std::fs::write(
        &config,
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile {}/sshd.pid\n\
             AuthorizedKeysFile {}/authorized_keys\nStrictModes no\nUsePAM no\n\
             PasswordAuthentication no\nAllowUsers {USER}\nMaxStartups 1000\nLogLevel ERROR\n",
            host.display(),
            dir.display(),
            dir.display()
        ),
    )?;
    let _ = std::fs::create_dir_all("/run/sshd");
    let mut command = if nice {
        let mut c = Command::new("nice");
        c.args(["-n", "19", "/usr/sbin/sshd"]);
        c
    } else {
        Command::new("/usr/sbin/sshd")
    };
    let child = command
        .args(["-D", "-e", "-f"])
        .arg(&config)
        .stderr(Stdio::null())
        .spawn()
        .context("/usr/sbin/sshd")?;
    wait_port(port).await?;
    Ok((port, Killed(child), client))
}

/// utime + stime of a process, in seconds.
fn cpu_seconds(pid: u32) -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after = stat.rsplit_once(") ").map(|(_, r)| r).unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>()? + fields[12].parse::<f64>()?;
    Ok(ticks / 100.0)
}

fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("VmRSS")
}

async fn http(addr: SocketAddr, request: String) -> anyhow::Result<String> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    Ok(String::from_utf8_lossy(&raw).into_owned())
}

async fn login_and_add_device(
    gw: SocketAddr,
    sshd_port: u16,
    key: &str,
    name: &str,
) -> anyhow::Result<(String, i64)> {
    let body = "username=admin&password=bench-admin-password";
    let res = http(gw, format!(
        "POST /api/auth/login HTTP/1.1\r\nHost: {gw}\r\nOrigin: http://{gw}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )).await?;
    let token = res
        .split("cloudshell_session=")
        .nth(1)
        .and_then(|r| r.split(';').next())
        .context("login")?
        .to_owned();
    let json = serde_json::json!({"input": {"name": name, "host": "127.0.0.1", "port": sshd_port,
        "username": USER, "auth_type": "private_key", "key": {"paste": {"private_key": key}}}})
    .to_string();
    let res = http(gw, format!(
        "POST /api/devices/create HTTP/1.1\r\nHost: {gw}\r\nOrigin: http://{gw}\r\nConnection: close\r\nCookie: cloudshell_session={token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{json}",
        json.len()
    )).await?;
    let body = res.split("\r\n\r\n").nth(1).context("device body")?;
    let id = serde_json::from_str::<serde_json::Value>(body)?["id"]
        .as_i64()
        .context("device id")?;
    Ok((token, id))
}

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
        .args([
            "-tt",
            "-q",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "BatchMode=yes",
            "-i",
        ])
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

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let bin = root.join("target/release/server");
    let gw_port = free_port()?;
    let gw: SocketAddr = format!("127.0.0.1:{gw_port}").parse()?;
    let gateway = Command::new(&bin)
        .env("DATA_DIR", dir.path().join("data"))
        .env("ADMIN_PASSWORD", "bench-admin-password")
        .env("LISTEN_ADDR", gw.to_string())
        .env("LEPTOS_OUTPUT_NAME", "cloudshell")
        .env("LEPTOS_SITE_ROOT", root.join("target/site"))
        .env("LEPTOS_SITE_PKG_DIR", "pkg")
        .env("LEPTOS_SITE_ADDR", gw.to_string())
        .env("RUST_LOG", "warn")
        // The bench's sshd listens on loopback, which devices may not reach by default, and
        // one user opens all the sessions.
        .env("DEVICE_ALLOW_CIDRS", "127.0.0.1/32")
        .env("MAX_TERMINALS_PER_USER", (sessions + 16).to_string())
        .stdout(Stdio::null())
        .spawn()
        .with_context(|| {
            format!(
                "{} (cargo build --release -p server --bin server)",
                bin.display()
            )
        })?;
    let pid = gateway.id();
    let _gateway = Killed(gateway);
    wait_port(gw_port).await?;
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
