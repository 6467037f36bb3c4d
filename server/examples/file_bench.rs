//! File-manager benchmark: uploads and downloads of one large file through the gateway
//! (`PUT /api/transfers/…/upload`, `GET …/download`) side by side with OpenSSH's `sftp`
//! straight to the same loopback sshd. Prints throughput, the ratio, the gateway's CPU
//! seconds per GB and its RSS growth during each transfer.
//!
//!     cargo build --release -p server --bin server --example file_bench
//!     target/release/examples/file_bench [--mib 500] [--rounds 3]
//!
//! Needs /usr/sbin/sshd, sftp, ssh-keygen and the cloudshell-sshtest account
//! (`scripts/bootstrap.sh test`), and twice the file's size free under the temp dir.

#[path = "support/mod.rs"]
mod support;

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use cloudshell::models::audit::url_encode;
use support::{
    QUIET_SSH, USER, cpu_seconds, http, login_and_add_device, rss_kib, start_gateway, start_sshd,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Writes `bytes` of varied (not zero) data, so nothing on the way can shortcut it.
fn make_source(path: &Path, bytes: u64) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut block = vec![0u8; 1 << 20];
    let mut left = bytes;
    while left > 0 {
        for chunk in block.chunks_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            chunk.copy_from_slice(&state.to_le_bytes()[..chunk.len()]);
        }
        let n = left.min(block.len() as u64) as usize;
        out.write_all(&block[..n])?;
        left -= n as u64;
    }
    out.flush()?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))?;
    Ok(())
}

/// What one transfer cost the gateway.
struct Measured {
    seconds: f64,
    cpu: f64,
    rss_growth_kib: u64,
}

/// Runs `work` while sampling the gateway's RSS every 10 ms.
async fn measured<F>(pid: u32, work: F) -> anyhow::Result<Measured>
where
    F: std::future::Future<Output = anyhow::Result<()>>,
{
    let before = rss_kib(pid)?;
    let peak = Arc::new(AtomicU64::new(before));
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, stop) = (peak.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                if let Ok(now) = rss_kib(pid) {
                    peak.fetch_max(now, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    let cpu0 = cpu_seconds(pid)?;
    let started = Instant::now();
    work.await?;
    let seconds = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds(pid)? - cpu0;
    stop.store(true, Ordering::Relaxed);
    sampler.await?;
    Ok(Measured {
        seconds,
        cpu,
        rss_growth_kib: peak.load(Ordering::Relaxed).saturating_sub(before),
    })
}

fn head(method: &str, gw: SocketAddr, token: &str, target: &str, extra: &str) -> String {
    format!(
        "{method} {target} HTTP/1.1\r\nHost: {gw}\r\nOrigin: http://{gw}\r\n\
         Cookie: cloudshell_session={token}\r\nConnection: close\r\n{extra}\r\n"
    )
}

async fn upload(
    gw: SocketAddr,
    token: &str,
    session: &str,
    source: &Path,
    dir: &str,
) -> anyhow::Result<()> {
    let size = std::fs::metadata(source)?.len();
    let target = format!(
        "/api/transfers/{session}/upload?dir={}&name=up.bin&conflict=overwrite",
        url_encode(dir)
    );
    let mut stream = TcpStream::connect(gw).await?;
    let extra = format!("Content-Type: application/octet-stream\r\nContent-Length: {size}\r\n");
    stream
        .write_all(head("PUT", gw, token, &target, &extra).as_bytes())
        .await?;
    // A browser sends in large writes; tokio::io::copy's 8 KiB would make the bench the
    // bottleneck.
    let mut file =
        tokio::io::BufReader::with_capacity(1 << 20, tokio::fs::File::open(source).await?);
    tokio::io::copy_buf(&mut file, &mut stream).await?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await?;
    if !answer.starts_with("HTTP/1.1 200") {
        bail!("upload: {}", answer.lines().next().unwrap_or_default());
    }
    Ok(())
}

async fn download(
    gw: SocketAddr,
    token: &str,
    session: &str,
    path: &str,
    size: u64,
) -> anyhow::Result<()> {
    let target = format!(
        "/api/transfers/{session}/download?path={}",
        url_encode(path)
    );
    let mut stream = TcpStream::connect(gw).await?;
    stream
        .write_all(head("GET", gw, token, &target, "").as_bytes())
        .await?;
    let mut buf = vec![0u8; 256 * 1024];
    let mut head: Vec<u8> = Vec::new();
    let mut body = 0u64;
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        if body == 0 && head.windows(4).all(|w| w != b"\r\n\r\n") {
            head.extend_from_slice(&buf[..n]);
            if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
                if !head.starts_with(b"HTTP/1.1 200") {
                    bail!("download: {}", String::from_utf8_lossy(&head[..end]));
                }
                body = (head.len() - end - 4) as u64;
            }
            continue;
        }
        body += n as u64;
    }
    if body != size {
        bail!("download: {body} body bytes for a {size}-byte file");
    }
    Ok(())
}

/// One `sftp` batch command straight to the sshd; its wall time.
fn direct(port: u16, key: &Path, command: &str, batch: &Path) -> anyhow::Result<f64> {
    std::fs::write(batch, format!("{command}\n"))?;
    let started = Instant::now();
    let ok = Command::new("sftp")
        .args(QUIET_SSH)
        .arg(key)
        .args(["-P", &port.to_string(), "-b"])
        .arg(batch)
        .arg(format!("{USER}@127.0.0.1"))
        .stdout(Stdio::null())
        .status()
        .context("sftp")?
        .success();
    if !ok {
        bail!("sftp `{command}` failed");
    }
    Ok(started.elapsed().as_secs_f64())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mib = arg(&args, "--mib", 500);
    let rounds = arg(&args, "--rounds", 3).max(1);
    let size = mib * 1024 * 1024;
    let dir = tempfile::tempdir()?;
    // The device's account reads the source and writes the remote folder.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))?;
    let remote = dir.path().join("remote");
    std::fs::create_dir(&remote)?;
    std::fs::set_permissions(&remote, std::fs::Permissions::from_mode(0o777))?;
    let sshd_dir = dir.path().join("sshd");
    std::fs::create_dir(&sshd_dir)?;
    let (sshd_port, _sshd, client_key) = start_sshd(&sshd_dir, false).await?;
    let limit = (mib + 1).to_string();
    let (gw, gateway) =
        start_gateway(&dir.path().join("data"), &[("SFTP_MAX_UPLOAD_MB", &limit)]).await?;
    let pid = gateway.0.id();
    let key_text = std::fs::read_to_string(&client_key)?;
    let (token, device) = login_and_add_device(gw, sshd_port, &key_text, "bench").await?;
    let source = dir.path().join("source.bin");
    make_source(&source, size)?;

    let body = format!("device_id={device}");
    let res = http(gw, format!(
        "POST /api/files/open HTTP/1.1\r\nHost: {gw}\r\nOrigin: http://{gw}\r\nConnection: close\r\nCookie: cloudshell_session={token}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )).await?;
    let json = res.split("\r\n\r\n").nth(1).context("open body")?;
    let session = serde_json::from_str::<serde_json::Value>(json)?["session_id"]
        .as_str()
        .context("session id")?
        .to_owned();

    let remote_dir = remote.display().to_string();
    let uploaded = remote.join("up.bin");
    let batch = dir.path().join("batch");
    let gb = size as f64 / 1e9;
    let rate = |seconds: f64| size as f64 / seconds / 1e6;
    println!("file bench: {mib} MiB, loopback sshd, {rounds} alternating rounds");
    let (mut up, mut down, mut d_up, mut d_down) = (vec![], vec![], vec![], vec![]);
    let (mut up_cpu, mut down_cpu, mut rss) = (vec![], vec![], 0u64);
    for round in 1..=rounds {
        let u = measured(pid, upload(gw, &token, &session, &source, &remote_dir)).await?;
        if std::fs::metadata(&uploaded)?.len() != size {
            bail!("the uploaded file has the wrong size");
        }
        let path = uploaded.display().to_string();
        let d = measured(pid, download(gw, &token, &session, &path, size)).await?;
        std::fs::remove_file(&uploaded)?;
        let direct_put = direct(
            sshd_port,
            &client_key,
            &format!("put {} {}/direct.bin", source.display(), remote_dir),
            &batch,
        )?;
        let direct_get = direct(
            sshd_port,
            &client_key,
            &format!("get {}/direct.bin /dev/null", remote_dir),
            &batch,
        )?;
        std::fs::remove_file(remote.join("direct.bin"))?;
        println!(
            "  round {round}: upload gateway {:.1} MB/s ({:.2} CPU-s, RSS +{} KiB), sftp put {:.1} MB/s; \
             download gateway {:.1} MB/s ({:.2} CPU-s, RSS +{} KiB), sftp get {:.1} MB/s",
            rate(u.seconds),
            u.cpu,
            u.rss_growth_kib,
            rate(direct_put),
            rate(d.seconds),
            d.cpu,
            d.rss_growth_kib,
            rate(direct_get)
        );
        up.push(rate(u.seconds));
        down.push(rate(d.seconds));
        d_up.push(rate(direct_put));
        d_down.push(rate(direct_get));
        up_cpu.push(u.cpu / gb);
        down_cpu.push(d.cpu / gb);
        rss = rss.max(u.rss_growth_kib).max(d.rss_growth_kib);
    }
    let (up, down, d_up, d_down) = (median(up), median(down), median(d_up), median(d_down));
    println!(
        "upload:   gateway {up:.1} MB/s, sftp {d_up:.1} MB/s, ratio {:.2} (target >= 0.8); gateway {:.2} CPU-s per GB",
        up / d_up,
        median(up_cpu)
    );
    println!(
        "download: gateway {down:.1} MB/s, sftp {d_down:.1} MB/s, ratio {:.2} (target >= 0.8); gateway {:.2} CPU-s per GB",
        down / d_down,
        median(down_cpu)
    );
    println!(
        "gateway RSS growth during a transfer: at most {:.1} MiB (target < 32 MiB)",
        rss as f64 / 1024.0
    );
    drop(gateway);
    Ok(())
}
