//! Busy neighbours: keystroke echo through the gateway and through direct `ssh -tt`, in one
//! run, while N other gateway sessions stream without pause. The load's sshd (and so the
//! generators it starts) runs at nice 19, and so does the process draining the N streams,
//! so the figure measures the gateway's own scheduling rather than the CPU share.
//!
//! Nice alone does not do that on a kernel with autogroup scheduling
//! (`/proc/sys/kernel/sched_autogroup_enabled`): sshd starts a new session for each
//! connection and each shell, every session is a scheduling group of its own, and groups
//! share the CPU equally whatever their members' nice. So the bench also sets each load
//! group's nice (`/proc/PID/autogroup`), which is what `nice 19` means there.

use anyhow::Context;
use futures_util::{SinkExt, StreamExt};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use tokio_tungstenite::tungstenite::Message;

use super::{ECHOES, Killed, Term, direct, echo_latency, open_ws, pct};

/// What each neighbour runs: output as fast as the shell can make it, for ever.
const STREAM: &str = "while :; do head -c 50000000 /dev/zero | base64 -w0; done\n";

/// The load's device on the gateway and the pid of the sshd it points at.
pub struct Load {
    pub device: i64,
    pub sshd: u32,
}

pub async fn measure(
    gw: SocketAddr,
    token: &str,
    device: i64,
    load: Load,
    sshd_port: u16,
    client_key: &Path,
    neighbours: usize,
) -> anyhow::Result<()> {
    let exe = std::env::current_exe()?;
    let drain = Command::new("nice")
        .args(["-n", "19"])
        .arg(exe)
        .args([
            "--drain",
            &gw.to_string(),
            token,
            &load.device.to_string(),
            &neighbours.to_string(),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .context("the drain process")?;
    let mut drain = Killed(drain);
    // It prints one line once every neighbour streams.
    let stdout = drain.0.stdout.take().context("drain stdout")?;
    tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)
    })
    .await??;
    let groups = nice_autogroups(load.sshd);
    println!(
        "busy neighbours: {neighbours} gateway sessions streaming (sshd and drain at nice 19, \
         {groups} load scheduling groups at nice 19)"
    );

    let mut term = Term::Gateway(Box::new(open_ws(gw, token, device).await?));
    term.ready().await?;
    let via = echo_latency(&mut term).await?;
    drop(term);
    let mut term = direct(sshd_port, client_key)?;
    term.ready().await?;
    let straight = echo_latency(&mut term).await?;
    drop(term);
    drop(drain);
    println!(
        "echo latency with busy neighbours ({ECHOES} keystrokes): gateway p50 {:.3} ms p99 {:.3} ms; direct p50 {:.3} ms p99 {:.3} ms (target: gateway p99 <= direct p99 + 5 ms)",
        pct(&via, 0.5),
        pct(&via, 0.99),
        pct(&straight, 0.5),
        pct(&straight, 0.99),
    );
    Ok(())
}

/// The drain process: opens N sessions, starts each streaming, and reads them for ever.
pub async fn drain(args: &[String]) -> anyhow::Result<()> {
    let [gw, token, device, n] = args else {
        anyhow::bail!("usage: --drain GATEWAY TOKEN DEVICE N");
    };
    let gw: SocketAddr = gw.parse()?;
    let device: i64 = device.parse()?;
    let n: usize = n.parse()?;
    let mut readers = Vec::with_capacity(n);
    let mut going = Vec::with_capacity(n);
    for _ in 0..n {
        let mut ws = open_ws(gw, token, device).await?;
        ws.send(Message::Binary(STREAM.as_bytes().to_vec().into()))
            .await?;
        let (started, is_going) = tokio::sync::oneshot::channel::<()>();
        going.push(is_going);
        readers.push(tokio::spawn(async move {
            let mut started = Some(started);
            let mut read = 0usize;
            while let Some(Ok(message)) = ws.next().await {
                read += message.len();
                // A megabyte in, the stream is running.
                if read > 1 << 20
                    && let Some(s) = started.take()
                {
                    let _ = s.send(());
                }
            }
        }));
    }
    for g in going {
        let _ = g.await;
    }
    println!("streaming");
    for r in readers {
        let _ = r.await;
    }
    Ok(())
}

/// Sets nice 19 on the scheduling group of every process under `root` (the load's sshd, its
/// connections and their shells); their later children join those groups. Returns how many
/// processes took it (0 without autogroup scheduling, where nice already applies).
fn nice_autogroups(root: u32) -> usize {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let parents: Vec<(u32, u32)> = entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let after = stat.rsplit_once(") ")?.1;
            Some((pid, after.split_whitespace().nth(1)?.parse().ok()?))
        })
        .collect();
    let mut under = vec![root];
    let mut i = 0;
    while i < under.len() {
        let parent = under[i];
        under.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(c, _)| *c),
        );
        i += 1;
    }
    // The listening sshd shares the bench's group, and so the gateway's: not that one.
    let group = |pid: &str| {
        let text = std::fs::read_to_string(format!("/proc/{pid}/autogroup")).ok()?;
        Some(text.split_whitespace().next()?.to_owned())
    };
    let ours = group("self");
    under
        .iter()
        .filter(|pid| ours.is_some() && group(&pid.to_string()) != ours)
        .filter(|pid| std::fs::write(format!("/proc/{pid}/autogroup"), "19").is_ok())
        .count()
}
