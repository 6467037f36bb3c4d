//! The real server binary as a child process, for what only a process shows: SIGTERM, a kill
//! at a failpoint, two replicas on one database.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct ServerProcess {
    child: Child,
    pub addr: SocketAddr,
    output: Arc<Mutex<String>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

/// Reads a child's stream into `into`, line by line, on a thread of its own, which ends when
/// the stream does (the child exited).
fn collect(
    stream: impl std::io::Read + Send + 'static,
    into: Arc<Mutex<String>>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if let Ok(mut all) = into.lock() {
                all.push_str(&line);
                all.push('\n');
            }
        }
    })
}

/// Waits until the reader threads have read everything the exited child wrote.
fn join_all(readers: &mut Vec<std::thread::JoinHandle<()>>) {
    for reader in readers.drain(..) {
        let _ = reader.join();
    }
}

impl ServerProcess {
    /// Starts the server on `data_dir` (with its `database-url`, if any) and `extra` env,
    /// and waits until it listens. If it exits first (a failpoint, say), its exit status
    /// and output.
    pub fn start(data_dir: &Path, extra: &[(&str, &str)]) -> Result<Self, (ExitStatus, String)> {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_server"));
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", "info")
            .env("DATA_DIR", data_dir)
            .env("LISTEN_ADDR", "127.0.0.1:0")
            .env("ADMIN_PASSWORD", super::ADMIN_PASSWORD)
            .env("DEVICE_ALLOW_CIDRS", "127.0.0.1/32")
            // No SECRET_KEY: the key file in DATA_DIR is shared with in-process servers.
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Ok(url) = std::fs::read_to_string(data_dir.join("database-url")) {
            cmd.env("DATABASE_URL", url);
        }
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start the server binary");
        let output = Arc::new(Mutex::new(String::new()));
        let mut readers = vec![
            collect(child.stdout.take().expect("stdout"), output.clone()),
            collect(child.stderr.take().expect("stderr"), output.clone()),
        ];
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let text = output.lock().expect("output").clone();
            if let Some(addr) = text
                .lines()
                .find_map(|l| l.split("CloudShell listening on http://").nth(1))
                .and_then(|a| a.trim().parse().ok())
            {
                return Ok(Self {
                    child,
                    addr,
                    output,
                    readers,
                });
            }
            if let Some(status) = child.try_wait().expect("try_wait") {
                join_all(&mut readers);
                let text = output.lock().expect("output").clone();
                return Err((status, text));
            }
            assert!(Instant::now() < deadline, "server did not start:\n{text}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn output(&self) -> String {
        self.output.lock().expect("output").clone()
    }

    /// Waits (polling, with a deadline) until the output has a line containing `needle`.
    pub fn wait_for_output(&self, needle: &str, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if self.output().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// Sends SIGTERM and returns how long the process took to exit, and its status.
    pub fn terminate(mut self, within: Duration) -> (Duration, ExitStatus, String) {
        let started = Instant::now();
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM failed");
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                let took = started.elapsed();
                join_all(&mut self.readers);
                return (took, status, self.output());
            }
            if started.elapsed() > within {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("still running {within:?} after SIGTERM:\n{}", self.output());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits for the process to exit by itself (a failpoint, say).
    pub fn wait_exit(mut self, within: Duration) -> (ExitStatus, String) {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                join_all(&mut self.readers);
                return (status, self.output());
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("did not exit within {within:?}:\n{}", self.output());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
