//! An open file session as the browser holds it, and a folder the test account may write in.

use std::os::unix::fs::PermissionsExt;

use super::TestApp;
use super::http::{Request, Response};
use super::sessions::keyed_device;
use super::sshd::Sshd;

/// A folder the test account may write in (the account's home is `/`).
pub fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    dir
}

pub fn enc(s: &str) -> String {
    cloudshell::models::audit::url_encode(s)
}

/// An open file session, as the browser holds it: its user's cookie and the session id.
pub struct Files<'a> {
    pub app: &'a TestApp,
    pub token: String,
    pub session: String,
}

impl<'a> Files<'a> {
    /// Signs in, adds a keyed device on `sshd` and opens its files; returns the home too.
    pub async fn open(app: &'a TestApp, sshd: &Sshd) -> (Files<'a>, String) {
        let token = app.login_admin().await;
        let device = keyed_device(app, &token, sshd).await;
        let res = Request::post_form("/api/files/open", &[("device_id", &device.to_string())])
            .cookie(&token)
            .send(app.addr)
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let info = res.json();
        let session = info["session_id"].as_str().unwrap().to_owned();
        let home = info["home"].as_str().unwrap().to_owned();
        (
            Files {
                app,
                token,
                session,
            },
            home,
        )
    }

    pub async fn list(&self, path: &str) -> serde_json::Value {
        let url = format!(
            "/api/files/list?session={}&path={}",
            self.session,
            enc(path)
        );
        let res = Request::get(&url)
            .cookie(&self.token)
            .send(self.app.addr)
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        res.json()
    }

    pub async fn upload(&self, dir: &str, name: &str, conflict: &str, bytes: Vec<u8>) -> Response {
        let url = format!(
            "/api/transfers/{}/upload?dir={}&name={}&conflict={conflict}",
            self.session,
            enc(dir),
            enc(name)
        );
        Request::put_bytes(&url, bytes)
            .cookie(&self.token)
            .send(self.app.addr)
            .await
    }

    /// A form post to a file operation, with this session's id added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut all = vec![("session", self.session.as_str())];
        all.extend_from_slice(fields);
        Request::post_form(path, &all)
            .cookie(&self.token)
            .send(self.app.addr)
            .await
    }

    /// A GET under `/api/transfers/{session}/`.
    pub async fn transfer(&self, rest: &str) -> Response {
        let url = format!("/api/transfers/{}/{rest}", self.session);
        Request::get(&url)
            .cookie(&self.token)
            .send(self.app.addr)
            .await
    }
}
