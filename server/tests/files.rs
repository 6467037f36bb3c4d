//! The file manager on the server side: the real router, a real sshd on 127.0.0.1 with
//! `Subsystem sftp internal-sftp`, and the browser's requests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use common::devices::audit_rows;
use common::files::{Files, enc, workspace};
use common::http::Request;
use common::sessions::{await_audit, reason_of};
use common::sshd::Sshd;
use common::{TestApp, spawn_app, spawn_app_with};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

/// Every audit entry written so far.
async fn audit_count(app: &TestApp) -> u64 {
    use sea_orm::{EntityTrait, PaginatorTrait};
    app.state.auditor.flush().await.unwrap();
    cloudshell::db::entities::audit_log::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap()
}

fn names(listing: &serde_json::Value) -> Vec<String> {
    listing["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn listing_starts_at_home_sorts_folders_first_and_shows_hidden_files() {
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let (files, home) = Files::open(&app, &sshd).await;
    // The test account's home directory is "/" (canonicalized ".").
    assert_eq!(home, "/");
    let started = await_audit(&app, "SFTP_SESSION_STARTED", Duration::from_secs(10)).await;
    assert!(
        started.detail.contains("Started file session with keyed"),
        "{}",
        started.detail
    );

    let work = workspace();
    let root = work.path();
    std::fs::create_dir(root.join("beta")).unwrap();
    std::fs::create_dir(root.join("Alpha")).unwrap();
    std::fs::write(root.join("zeta.txt"), b"12345").unwrap();
    std::fs::write(root.join("a.txt"), b"").unwrap();
    std::fs::write(root.join(".hidden"), b"x").unwrap();
    std::fs::set_permissions(
        root.join("zeta.txt"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();

    let logged_before = audit_count(&app).await;
    let listing = files.list(&root.display().to_string()).await;
    assert_eq!(listing["path"], root.display().to_string());
    assert_eq!(
        names(&listing),
        ["Alpha", "beta", ".hidden", "a.txt", "zeta.txt"]
    );
    let zeta = listing["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "zeta.txt")
        .unwrap();
    assert_eq!(zeta["kind"], "file");
    assert_eq!(zeta["size"], 5);
    assert_eq!(zeta["mode"], 0o640);
    assert!(zeta["modified"].as_i64().unwrap() > 1_600_000_000);
    assert!(zeta["owner"].is_string());
    assert_eq!(listing["entries"][0]["kind"], "dir");
    assert_eq!(listing["truncated"], false);
    // Listing is reading: nothing is audited for it.
    assert_eq!(audit_count(&app).await, logged_before);
}

#[tokio::test]
async fn five_mib_round_trip_with_the_same_sha256_in_the_audit_log() {
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let (files, _) = Files::open(&app, &sshd).await;
    let (token, session) = (&files.token, &files.session);
    let work = workspace();
    let dir = work.path().display().to_string();

    let data: Vec<u8> = (0..5 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let digest = hex::encode(Sha256::digest(&data));
    let res = files.upload(&dir, "blob.bin", "fail", data.clone()).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["sha256"], digest);
    assert_eq!(std::fs::read(work.path().join("blob.bin")).unwrap(), data);
    // No temporary file is left beside it.
    let leftovers: Vec<_> = std::fs::read_dir(work.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1);

    let url = format!(
        "/api/transfers/{session}/download?path={}",
        enc(&format!("{dir}/blob.bin"))
    );
    let res = Request::get(&url).cookie(token).send(app.addr).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-length"), Some("5242880"));
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
    let disposition = res.header("content-disposition").unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''blob.bin"),
        "{disposition}"
    );
    assert_eq!(hex::encode(Sha256::digest(&res.bytes)), digest);

    let up = await_audit(&app, "SFTP_UPLOAD", Duration::from_secs(5)).await;
    assert!(up.detail.contains(&digest), "{}", up.detail);
    assert!(up.detail.contains("5242880 bytes"), "{}", up.detail);
    assert_eq!(up.session_id.as_deref(), Some(session.as_str()));
    let down = await_audit(&app, "SFTP_DOWNLOAD", Duration::from_secs(5)).await;
    assert!(down.detail.contains(&digest), "{}", down.detail);
    assert_ne!(down.outcome.as_deref(), Some("failure"));
}

#[tokio::test]
async fn mkdir_rename_chmod_and_delete_show_in_the_listing_and_the_log() {
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let (files, _) = Files::open(&app, &sshd).await;
    let (token, session) = (&files.token, &files.session);
    let work = workspace();
    let dir = work.path().display().to_string();

    let res = files
        .post("/api/files/mkdir", &[("dir", &dir), ("name", "logs")])
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(names(&files.list(&dir).await).contains(&"logs".to_owned()));
    let res = files
        .post("/api/files/mkdir", &[("dir", &dir), ("name", "logs")])
        .await;
    assert_eq!(res.status, 409, "an existing name is refused: {}", res.body);

    // Uploaded, so the device's user owns it (and may change its mode).
    let res = files.upload(&dir, "a.conf", "fail", b"x=1".to_vec()).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let (from, to) = (format!("{dir}/a.conf"), format!("{dir}/b.conf"));
    let res = files
        .post("/api/files/rename", &[("from", &from), ("to", &to)])
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(names(&files.list(&dir).await), ["logs", "b.conf"]);

    let res = files
        .post("/api/files/chmod", &[("path", &to), ("mode", "384")])
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let mode = std::fs::metadata(work.path().join("b.conf"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o7777, 0o600);

    // A folder with a tree in it: counted first, then deleted with everything in it.
    let tree = work.path().join("tree");
    std::fs::create_dir_all(tree.join("x/y")).unwrap();
    std::fs::write(tree.join("x/y/f1"), b"1").unwrap();
    std::fs::write(tree.join("x/f2"), b"2").unwrap();
    std::fs::write(tree.join("f3"), b"3").unwrap();
    std::fs::create_dir(work.path().join("keep")).unwrap();
    std::fs::write(work.path().join("keep/important"), b"!").unwrap();
    std::os::unix::fs::symlink(work.path().join("keep"), tree.join("link")).unwrap();
    for p in ["", "/x", "/x/y"] {
        std::fs::set_permissions(
            format!("{}{p}", tree.display()),
            std::fs::Permissions::from_mode(0o777),
        )
        .unwrap();
    }
    let tree_path = tree.display().to_string();
    let url = format!(
        "/api/files/count?session={session}&path={}",
        enc(&tree_path)
    );
    let res = Request::get(&url).cookie(token).send(app.addr).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json(), serde_json::json!([7, false]));
    let res = files
        .post("/api/files/delete", &[("path", &tree_path)])
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json(), 7);
    assert!(!tree.exists());
    // The symlink went, not what it pointed at.
    assert!(work.path().join("keep/important").exists());
    std::fs::remove_dir_all(work.path().join("keep")).unwrap();

    for path in [format!("{dir}/logs"), to.clone()] {
        let res = files.post("/api/files/delete", &[("path", &path)]).await;
        assert_eq!(res.status, 200, "{}", res.body);
    }
    assert!(names(&files.list(&dir).await).is_empty());
    let res = files.post("/api/files/delete", &[("path", &to)]).await;
    assert_eq!(res.status, 404, "a missing file: {}", res.body);

    let mkdirs = audit_rows(&app, "SFTP_MKDIR").await;
    assert_eq!(mkdirs.len(), 2);
    assert_eq!(mkdirs[1].outcome.as_deref(), Some("failure"));
    assert_eq!(reason_of(&mkdirs[1]), "already_exists");
    let rename = &audit_rows(&app, "SFTP_RENAME").await[0];
    assert!(
        rename.detail.contains(&format!("Renamed {from} to {to}")),
        "{}",
        rename.detail
    );
    let chmod = &audit_rows(&app, "SFTP_CHMOD").await[0];
    assert!(
        chmod.detail.contains("from 0644 to 0600"),
        "{}",
        chmod.detail
    );
    let deletes = audit_rows(&app, "SFTP_DELETE").await;
    assert_eq!(deletes.len(), 4);
    assert!(
        deletes[0].detail.contains("(7 entries)"),
        "{}",
        deletes[0].detail
    );
    assert_eq!(reason_of(&deletes[3]), "no_such_file");
}

#[tokio::test]
async fn name_conflicts_ask_first_then_overwrite_or_keep_both() {
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let (files, _) = Files::open(&app, &sshd).await;
    let work = workspace();
    let dir = work.path().display().to_string();
    std::fs::write(work.path().join("notes.txt"), b"old").unwrap();

    let res = files
        .upload(&dir, "notes.txt", "fail", b"new".to_vec())
        .await;
    assert_eq!(res.status, 409, "{}", res.body);
    assert_eq!(
        std::fs::read(work.path().join("notes.txt")).unwrap(),
        b"old"
    );
    let res = files
        .upload(&dir, "notes.txt", "keep", b"kept".to_vec())
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(
        std::fs::read(work.path().join("notes (1).txt")).unwrap(),
        b"kept"
    );
    let res = files
        .upload(&dir, "notes.txt", "overwrite", b"new".to_vec())
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(
        std::fs::read(work.path().join("notes.txt")).unwrap(),
        b"new"
    );
    assert_eq!(std::fs::read_dir(work.path()).unwrap().count(), 2);
}

#[tokio::test]
async fn over_the_limit_is_413_before_any_write_and_a_cancelled_upload_leaves_nothing() {
    let sshd = Sshd::start().await;
    let app = spawn_app_with(&[("SFTP_MAX_UPLOAD_MB", "1")]).await;
    let (files, _) = Files::open(&app, &sshd).await;
    let (token, session) = (&files.token, &files.session);
    let work = workspace();
    let dir = work.path().display().to_string();

    let res = files
        .upload(&dir, "big.bin", "fail", vec![7u8; 1024 * 1024 + 1])
        .await;
    assert_eq!(res.status, 413, "{}", res.body);
    assert_eq!(std::fs::read_dir(work.path()).unwrap().count(), 0);
    let refused = await_audit(&app, "SFTP_UPLOAD", Duration::from_secs(5)).await;
    assert_eq!(reason_of(&refused), "too_large");

    // Half the announced body, then the browser goes away.
    let url = format!(
        "/api/transfers/{session}/upload?dir={}&name=half.bin",
        enc(&dir)
    );
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "PUT {url} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
         Cookie: cloudshell_session={token}\r\nContent-Type: application/octet-stream\r\n\
         Content-Length: 800000\r\n\r\n",
        addr = app.addr
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&vec![1u8; 400_000]).await.unwrap();
    stream.flush().await.unwrap();
    // The upload is under way once a temporary file exists.
    let until = tokio::time::Instant::now() + Duration::from_secs(10);
    while std::fs::read_dir(work.path()).unwrap().count() == 0 {
        assert!(
            tokio::time::Instant::now() < until,
            "the upload never started"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(stream);
    let rows =
        common::sessions::await_audit_count(&app, "SFTP_UPLOAD", 2, Duration::from_secs(10)).await;
    assert_eq!(reason_of(&rows[1]), "cancelled");
    assert_eq!(
        std::fs::read_dir(work.path()).unwrap().count(),
        0,
        "no partial file is left"
    );
}

#[tokio::test]
async fn another_web_session_or_no_session_cannot_use_a_file_session() {
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let (files, _) = Files::open(&app, &sshd).await;
    let (token, session) = (&files.token, &files.session);
    let other = app.login_admin().await;
    let url = format!("/api/files/list?session={session}&path=%2F");
    let res = Request::get(&url).cookie(&other).send(app.addr).await;
    assert_eq!(res.status, 404, "{}", res.body);
    let url = format!("/api/transfers/{session}/download?path=%2Fetc%2Fhostname");
    let res = Request::get(&url).cookie(&other).send(app.addr).await;
    assert_eq!(res.status, 404, "{}", res.body);
    let res = Request::get(&url).send(app.addr).await;
    assert_eq!(res.status, 401, "{}", res.body);
    let res = Request::get("/api/files/list?session=nope&path=%2F")
        .cookie(token)
        .send(app.addr)
        .await;
    assert_eq!(res.status, 404, "{}", res.body);
    // An upload from another site is refused before anything happens.
    let url = format!("/api/transfers/{session}/upload?dir=%2Ftmp&name=x");
    let res = Request::put_bytes(&url, b"x".to_vec())
        .origin(common::http::OriginHeader::Custom(
            "http://evil.example".into(),
        ))
        .cookie(token)
        .send(app.addr)
        .await;
    assert_eq!(res.status, 403, "{}", res.body);
}

#[tokio::test]
async fn logout_and_idle_end_file_sessions_with_their_reason() {
    let sshd = Sshd::start().await;
    let app = spawn_app().await;
    let (files, _) = Files::open(&app, &sshd).await;
    let (token, session) = (&files.token, &files.session);
    let res = Request::post_form("/api/auth/logout", &[])
        .cookie(token)
        .send(app.addr)
        .await;
    assert!(res.status < 400, "{}", res.body);
    let ended = await_audit(&app, "SFTP_SESSION_ENDED", Duration::from_secs(10)).await;
    assert_eq!(reason_of(&ended), "logged_out");
    assert_eq!(ended.session_id.as_deref(), Some(session.as_str()));
    assert!(
        ended.detail.contains("Ended file session with keyed"),
        "{}",
        ended.detail
    );

    let app = common::spawn_app_adjusted(|state| {
        state.files = state.files.clone().with_idle(Duration::from_millis(600));
    })
    .await;
    let (files, _) = Files::open(&app, &sshd).await;
    let (token, session) = (&files.token, &files.session);
    let ended = await_audit(&app, "SFTP_SESSION_ENDED", Duration::from_secs(15)).await;
    assert_eq!(reason_of(&ended), "idle_timeout");
    let url = format!("/api/files/list?session={session}&path=%2F");
    let res = Request::get(&url).cookie(token).send(app.addr).await;
    assert_eq!(res.status, 404, "a closed session is gone: {}", res.body);
}
