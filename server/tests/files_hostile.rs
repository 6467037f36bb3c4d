//! The file manager under hostile use: refusals are recorded like changes, an overwrite never
//! takes a folder, and one tab cannot run more than a few transfers at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use std::time::Duration;

use common::files::{Files, enc, workspace};
use common::sessions::{await_audit, await_audit_count, reason_of};
use common::spawn_app;
use common::sshd::Sshd;
use tokio::io::AsyncWriteExt;

#[tokio::test]
async fn refused_names_are_recorded_and_an_overwrite_never_replaces_a_folder() {
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let (files, _) = Files::open(&app, &sshd).await;
    let work = workspace();
    let dir = work.path().display().to_string();

    // A name that would climb out of the folder: refused, and the refusal is in the log.
    let res = files
        .upload(&dir, "../escape.bin", "fail", b"x".to_vec())
        .await;
    assert_eq!(res.status, 400, "{}", res.body);
    let row = await_audit(&app, "SFTP_UPLOAD", Duration::from_secs(5)).await;
    assert_eq!(row.outcome.as_deref(), Some("failure"));
    assert_eq!(reason_of(&row), "file_op_failed");
    let res = files
        .post("/api/files/mkdir", &[("dir", &dir), ("name", "a/b")])
        .await;
    assert_eq!(res.status, 400, "{}", res.body);
    let row = await_audit(&app, "SFTP_MKDIR", Duration::from_secs(5)).await;
    assert_eq!(row.outcome.as_deref(), Some("failure"));

    // "Overwrite" onto a folder is refused, and the folder and what it holds stay.
    std::fs::create_dir(work.path().join("keep")).unwrap();
    std::fs::write(work.path().join("keep").join("inside.txt"), b"safe").unwrap();
    let res = files
        .upload(&dir, "keep", "overwrite", b"clobber".to_vec())
        .await;
    assert_eq!(res.status, 409, "{}", res.body);
    assert_eq!(
        std::fs::read(work.path().join("keep").join("inside.txt")).unwrap(),
        b"safe"
    );
    let names: Vec<String> = std::fs::read_dir(work.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["keep"], "nothing else is left beside it");

    // Overwriting a file says so in the log.
    std::fs::write(work.path().join("old.txt"), b"old").unwrap();
    std::fs::set_permissions(
        work.path().join("old.txt"),
        std::os::unix::fs::PermissionsExt::from_mode(0o666),
    )
    .unwrap();
    let res = files
        .upload(&dir, "old.txt", "overwrite", b"new".to_vec())
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let rows = await_audit_count(&app, "SFTP_UPLOAD", 3, Duration::from_secs(5)).await;
    assert!(
        rows[2].detail.contains("replacing the file that was there"),
        "{}",
        rows[2].detail
    );
}

#[tokio::test]
async fn a_tab_runs_at_most_four_transfers_at_once() {
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let (files, _) = Files::open(&app, &sshd).await;
    let work = workspace();
    let dir = work.path().display().to_string();
    // Four uploads that start and then wait for the rest of their bodies.
    let mut open = Vec::new();
    for i in 0..4 {
        let url = format!(
            "/api/transfers/{}/upload?dir={}&name=slow{i}.bin",
            files.session,
            enc(&dir)
        );
        let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
        let head = format!(
            "PUT {url} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
             Cookie: cloudshell_session={token}\r\nContent-Type: application/octet-stream\r\n\
             Content-Length: 100000\r\n\r\n",
            addr = app.addr,
            token = files.token
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(&[1u8; 1000]).await.unwrap();
        stream.flush().await.unwrap();
        open.push(stream);
    }
    // All four are running once their temporary files exist.
    let until = tokio::time::Instant::now() + Duration::from_secs(10);
    while std::fs::read_dir(work.path()).unwrap().count() < 4 {
        assert!(
            tokio::time::Instant::now() < until,
            "the uploads never started"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let res = files.upload(&dir, "fifth.bin", "fail", b"x".to_vec()).await;
    assert_eq!(res.status, 429, "{}", res.body);
    let res = files
        .transfer(&format!("archive?dir={}&names=x", enc(&dir)))
        .await;
    assert_eq!(res.status, 429, "{}", res.body);
    // Once they end, there is room again.
    drop(open);
    let until = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let res = files.upload(&dir, "later.bin", "fail", b"x".to_vec()).await;
        if res.status == 200 {
            break;
        }
        assert_eq!(res.status, 429, "{}", res.body);
        assert!(
            tokio::time::Instant::now() < until,
            "the slots were never freed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
