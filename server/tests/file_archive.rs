//! Folders download as one streamed `.tar`: unpacked by the system's `tar`, it holds the same
//! tree, bytes, modes and links, and the download is audited with the archive's SHA-256.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use common::files::{Files, enc, workspace};
use common::sessions::await_audit;
use common::spawn_app;
use common::sshd::Sshd;
use sha2::{Digest, Sha256};

fn write(path: &std::path::Path, bytes: &[u8], mode: u32) {
    std::fs::write(path, bytes).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[tokio::test]
async fn a_folder_downloads_as_a_tar_that_unpacks_to_the_same_tree() {
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let (files, _) = Files::open(&app, &sshd).await;
    let work = workspace();
    let root = work.path().join("project");
    let long = "a-rather-long-folder-name-".repeat(5);
    std::fs::create_dir_all(root.join(&long).join("deeper")).unwrap();
    std::fs::create_dir(root.join("empty")).unwrap();
    let blob: Vec<u8> = (0..700_001u32).map(|i| (i * 31 % 251) as u8).collect();
    write(&root.join("blob.bin"), &blob, 0o604);
    write(&root.join("run.sh"), b"#!/bin/sh\necho hi\n", 0o755);
    write(
        &root.join(&long).join("deeper").join("ünïcode.txt"),
        b"deep",
        0o644,
    );
    std::os::unix::fs::symlink("blob.bin", root.join("link")).unwrap();
    write(&work.path().join("beside.txt"), b"beside", 0o644);

    let dir = work.path().display().to_string();
    let res = files
        .transfer(&format!("archive?dir={}&names=project", enc(&dir)))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.header("content-type"), Some("application/x-tar"));
    assert_eq!(
        res.header("content-length"),
        Some(res.bytes.len().to_string().as_str())
    );
    let disposition = res.header("content-disposition").unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(disposition.contains("project.tar"), "{disposition}");
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));

    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("got.tar"), &res.bytes).unwrap();
    let status = std::process::Command::new("tar")
        .args(["-xf", "got.tar"])
        .current_dir(out.path())
        .status()
        .unwrap();
    assert!(status.success());
    let got = out.path().join("project");
    assert_eq!(std::fs::read(got.join("blob.bin")).unwrap(), blob);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&got.join("blob.bin")), 0o604);
    assert_eq!(mode(&got.join("run.sh")), 0o755);
    assert_eq!(
        std::fs::read(got.join(&long).join("deeper").join("ünïcode.txt")).unwrap(),
        b"deep"
    );
    assert!(got.join("empty").is_dir());
    assert_eq!(
        std::fs::read_link(got.join("link")).unwrap().to_str(),
        Some("blob.bin")
    );
    assert!(!out.path().join("beside.txt").exists());

    let digest = hex::encode(Sha256::digest(&res.bytes));
    let row = await_audit(&app, "SFTP_DOWNLOAD", Duration::from_secs(5)).await;
    assert!(row.detail.contains("archive project.tar"), "{}", row.detail);
    assert!(row.detail.contains(&digest), "{}", row.detail);
    assert_ne!(row.outcome.as_deref(), Some("failure"));
}

#[tokio::test]
async fn a_selection_of_several_entries_is_one_archive() {
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let (files, _) = Files::open(&app, &sshd).await;
    let work = workspace();
    write(&work.path().join("a.txt"), b"first", 0o644);
    write(&work.path().join("b.txt"), b"second", 0o644);
    write(&work.path().join("c.txt"), b"left out", 0o644);
    let dir = work.path().display().to_string();
    let res = files
        .transfer(&format!(
            "archive?dir={}&names={}",
            enc(&dir),
            enc("a.txt/b.txt")
        ))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("got.tar"), &res.bytes).unwrap();
    let listing = std::process::Command::new("tar")
        .args(["-tf", "got.tar"])
        .current_dir(out.path())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&listing.stdout), "a.txt\nb.txt\n");

    // Names that could climb out of the folder, and missing entries, are refused.
    for names in ["..", "a.txt/../etc", "", "missing"] {
        let res = files
            .transfer(&format!("archive?dir={}&names={}", enc(&dir), enc(names)))
            .await;
        assert!(matches!(res.status, 400 | 404), "{names}: {}", res.status);
    }
}

#[tokio::test]
async fn an_unreadable_file_cuts_the_archive_short_and_is_recorded_as_a_failure() {
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let (files, _) = Files::open(&app, &sshd).await;
    let work = workspace();
    std::fs::create_dir(work.path().join("box")).unwrap();
    // Owned by the test runner, so the device's user may list it but not read it.
    write(&work.path().join("box").join("secret"), b"nope", 0o600);
    let dir = work.path().display().to_string();
    let res = files
        .transfer(&format!("archive?dir={}&names=box", enc(&dir)))
        .await;
    let announced: usize = res.header("content-length").unwrap().parse().unwrap();
    assert!(
        res.bytes.len() < announced,
        "a short body tells the browser it failed"
    );
    let row = await_audit(&app, "SFTP_DOWNLOAD", Duration::from_secs(5)).await;
    assert_eq!(row.outcome.as_deref(), Some("failure"), "{}", row.detail);
    assert_eq!(common::sessions::reason_of(&row), "permission_denied");
}
