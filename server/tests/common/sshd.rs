//! A real OpenSSH sshd on 127.0.0.1 at a free port, with its own host key, config and
//! authorized key in a temporary directory. It logs in `cloudshell-sshtest`, the account
//! `scripts/bootstrap.sh test` creates locked; `scripts/test-env.sh up` gives it a random
//! password for one run, in a 0600 file, and `down` locks it again.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

pub const USER: &str = "cloudshell-sshtest";

/// This run's password of the test account, from `$CLOUDSHELL_TEST_DIR/sshtest-password`
/// (default `~/.cache/cloudshell-test`), which must be private to its owner.
pub fn password() -> String {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::var_os("CLOUDSHELL_TEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(std::env::var_os("HOME").expect("HOME"))
                .join(".cache/cloudshell-test")
        });
    let file = dir.join("sshtest-password");
    let mode = std::fs::metadata(&file)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}; run `scripts/test-env.sh up` first (make test does)",
                file.display()
            )
        })
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0, "{} must be 0600", file.display());
    std::fs::read_to_string(&file).expect("read the test account's password")
}

pub struct Sshd {
    pub port: u16,
    /// The private key whose public half is authorized (OpenSSH format).
    pub client_key: String,
    child: Child,
    _dir: TempDir,
}

fn keygen(path: &std::path::Path) {
    let status = Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "cloudshell-test",
            "-f",
        ])
        .arg(path)
        .status()
        .expect("ssh-keygen (openssh-client) must be installed");
    assert!(status.success(), "ssh-keygen failed");
}

impl Sshd {
    pub async fn start() -> Sshd {
        assert!(
            Command::new("id")
                .arg(USER)
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success()),
            "the test account {USER} is missing: run scripts/bootstrap.sh test"
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let host_key = dir.path().join("host_ed25519");
        let client_key = dir.path().join("client_ed25519");
        keygen(&host_key);
        keygen(&client_key);
        let authorized = dir.path().join("authorized_keys");
        std::fs::copy(client_key.with_extension("pub"), &authorized).expect("authorized_keys");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let config = dir.path().join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile {}\n\
                 AuthorizedKeysFile {}\nStrictModes no\nUsePAM no\n\
                 PasswordAuthentication yes\nKbdInteractiveAuthentication no\n\
                 PubkeyAuthentication yes\nAllowUsers {USER}\nLogLevel ERROR\n\
                 Subsystem sftp internal-sftp\n",
                host_key.display(),
                dir.path().join("sshd.pid").display(),
                authorized.display(),
            ),
        )
        .expect("sshd_config");
        let _ = std::fs::create_dir_all("/run/sshd");
        let log = std::fs::File::create(dir.path().join("sshd.log")).expect("sshd log");
        let child = Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f"])
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("/usr/sbin/sshd (openssh-server) must be installed");
        let deadline = Instant::now() + Duration::from_secs(10);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                Instant::now() < deadline,
                "sshd did not start on port {port}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Sshd {
            port,
            client_key: std::fs::read_to_string(&client_key).expect("client key"),
            child,
            _dir: dir,
        }
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
