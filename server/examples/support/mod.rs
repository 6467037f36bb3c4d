//! What the benchmarks share: a throwaway loopback sshd for the bench account, the gateway's
//! CPU time and RSS from /proc, and a signed-in admin with a device.
#![allow(dead_code)] // Each bench uses its own part.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const USER: &str = "cloudshell-sshtest";
/// OpenSSH client options for the bench's throwaway sshd: no prompts, no known_hosts.
pub const QUIET_SSH: [&str; 8] = [
    "-q",
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "BatchMode=yes",
    "-i",
];

pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

pub async fn wait_port(port: u16) -> anyhow::Result<()> {
    let until = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        if Instant::now() > until {
            bail!("nothing listens on {port}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

pub struct Killed(pub Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn keygen(path: &Path) -> anyhow::Result<()> {
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
pub async fn start_sshd(dir: &Path, nice: bool) -> anyhow::Result<(u16, Killed, PathBuf)> {
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
             PasswordAuthentication no\nAllowUsers {USER}\nMaxStartups 1000\nSubsystem sftp internal-sftp\nLogLevel ERROR\n",
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
pub fn cpu_seconds(pid: u32) -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after = stat.rsplit_once(") ").map(|(_, r)| r).unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>()? + fields[12].parse::<f64>()?;
    Ok(ticks / 100.0)
}

pub fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("VmRSS")
}

pub async fn http(addr: SocketAddr, request: String) -> anyhow::Result<String> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    Ok(String::from_utf8_lossy(&raw).into_owned())
}

pub async fn login_and_add_device(
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

/// The release gateway in its own process (so its CPU and RSS are its own), signed-in
/// admin "admin" / "bench-admin-password", devices allowed on loopback.
pub async fn start_gateway(
    data: &Path,
    env: &[(&str, &str)],
) -> anyhow::Result<(SocketAddr, Killed)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let bin = root.join("target/release/server");
    let port = free_port()?;
    let gw: SocketAddr = format!("127.0.0.1:{port}").parse()?;
    let mut command = Command::new(&bin);
    command
        .env("DATA_DIR", data)
        .env("ADMIN_PASSWORD", "bench-admin-password")
        .env("LISTEN_ADDR", gw.to_string())
        .env("LEPTOS_OUTPUT_NAME", "cloudshell")
        .env("LEPTOS_SITE_ROOT", root.join("target/site"))
        .env("LEPTOS_SITE_PKG_DIR", "pkg")
        .env("LEPTOS_SITE_ADDR", gw.to_string())
        .env("RUST_LOG", "warn")
        // The bench's sshd listens on loopback, which devices may not reach by default.
        .env("DEVICE_ALLOW_CIDRS", "127.0.0.1/32")
        .stdout(Stdio::null());
    for (key, value) in env {
        command.env(key, value);
    }
    let child = command.spawn().with_context(|| {
        format!(
            "{} (cargo build --release -p server --bin server)",
            bin.display()
        )
    })?;
    let killed = Killed(child);
    wait_port(port).await?;
    Ok((gw, killed))
}
