//! Uploads, one at a time from a queue: each streams its file to
//! `PUT /api/transfers/{session}/upload` through XMLHttpRequest (whose upload events give the
//! progress), asks before replacing a taken name, and can be cancelled at any point.

use std::collections::VecDeque;

use cloudshell::models::audit::url_encode;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::state::Browser;
use super::transfers::{Transfer, TransferState};
use crate::error::AppError;

/// What to do with a name that is taken, as the upload route spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    Fail,
    Overwrite,
    Keep,
    Skip,
}

impl Conflict {
    fn query(self) -> &'static str {
        match self {
            Conflict::Fail | Conflict::Skip => "fail",
            Conflict::Overwrite => "overwrite",
            Conflict::Keep => "keep",
        }
    }
}

/// The question on screen: which upload, and how to answer it.
#[derive(Clone)]
pub struct Ask {
    pub name: String,
    pub dir: String,
}

struct Job {
    /// Files handed over together share an answer to "do this for the rest".
    batch: u64,
    transfer: Transfer,
    file: web_sys::File,
    dir: String,
    name: String,
}

/// How one request ended.
enum Sent {
    Status(u16, String),
    /// Aborted, or the network failed (status 0).
    NoAnswer,
}

#[derive(Clone, Copy)]
pub struct Uploader {
    browser: Browser,
    jobs: StoredValue<VecDeque<Job>, LocalStorage>,
    busy: StoredValue<bool>,
    current: StoredValue<Option<(u64, web_sys::XmlHttpRequest)>, LocalStorage>,
    /// The open question, and the answer's resolver.
    pub asking: RwSignal<Option<Ask>>,
    answer: StoredValue<Option<js_sys::Function>, LocalStorage>,
    /// "Do this for the rest": the answer reused without asking, for its batch only.
    policy: StoredValue<Option<(u64, Conflict)>>,
    batch: StoredValue<u64>,
    /// Whether the last answer was "for the rest".
    for_all: StoredValue<bool>,
    /// `Date.now()` of the last listing refresh a finished upload caused.
    refreshed: StoredValue<f64>,
}

fn now() -> f64 {
    js_sys::Date::now()
}

impl Uploader {
    pub fn new(browser: Browser) -> Self {
        Self {
            browser,
            jobs: StoredValue::new_local(VecDeque::new()),
            busy: StoredValue::new(false),
            current: StoredValue::new_local(None),
            asking: RwSignal::new(None),
            answer: StoredValue::new_local(None),
            policy: StoredValue::new(None),
            batch: StoredValue::new(0),
            for_all: StoredValue::new(false),
            refreshed: StoredValue::new(0.0),
        }
    }

    /// Starts a new batch: files added from now on get their own conflict answers.
    pub fn begin_batch(self) {
        self.batch.update_value(|b| *b += 1);
    }

    /// Queues `file` for `dir` (as `name`) and starts the queue if it is idle.
    pub fn add(self, file: web_sys::File, dir: String, name: String) {
        let total = file.size() as u64;
        let label = if dir == self.browser.path() {
            name.clone()
        } else {
            cloudshell::models::files::join_path(&dir, &name)
        };
        let transfer = self
            .browser
            .transfers
            .add(label, total, TransferState::Queued);
        let batch = self.batch.get_value();
        self.jobs.update_value(|q| {
            q.push_back(Job {
                batch,
                transfer,
                file,
                dir,
                name,
            })
        });
    }

    /// Runs the queue until it is empty.
    pub fn start(self) {
        if self.busy.get_value() {
            return;
        }
        self.busy.set_value(true);
        self.browser.spawn(async move {
            while let Some(job) = self.jobs.try_update_value(|q| q.pop_front()).flatten() {
                if job.transfer.state.get_untracked().is_live() {
                    self.run(job).await;
                }
            }
            self.busy.set_value(false);
            self.browser.refresh();
        });
    }

    async fn run(self, job: Job) {
        let transfer = job.transfer;
        let mut conflict = self
            .policy
            .get_value()
            .filter(|(batch, _)| *batch == job.batch)
            .map_or(Conflict::Fail, |(_, c)| c);
        loop {
            if conflict == Conflict::Skip {
                transfer.state.set(TransferState::Skipped);
                return;
            }
            transfer.state.set(TransferState::Running);
            match self.send(&job, conflict).await {
                Sent::Status(200, _) => {
                    transfer.done.set(transfer.total);
                    transfer.state.set(TransferState::Done);
                    // New rows show as they arrive, but a long queue re-lists at most
                    // every 2 s (the queue's end refreshes anyway).
                    if job.dir == self.browser.path() && now() - self.refreshed.get_value() > 2000.0
                    {
                        self.refreshed.set_value(now());
                        self.browser.refresh();
                    }
                    return;
                }
                Sent::Status(409, _) if conflict == Conflict::Fail => {
                    transfer.state.set(TransferState::Asking);
                    conflict = self.ask(&job).await;
                    if self.for_all.get_value() {
                        self.policy.set_value(Some((job.batch, conflict)));
                    }
                    if transfer.state.get_untracked() == TransferState::Cancelled {
                        return;
                    }
                }
                Sent::Status(401, _) => {
                    self.browser.fail(AppError::Unauthorized);
                    return;
                }
                Sent::Status(_, body) => {
                    let error =
                        serde_json::from_str::<AppError>(&body).unwrap_or(AppError::Transport);
                    if matches!(
                        error,
                        AppError::Files(cloudshell::models::files::FileError::SessionGone)
                    ) {
                        self.browser.fail(error.clone());
                    }
                    transfer.state.set(TransferState::Failed(error.to_string()));
                    return;
                }
                Sent::NoAnswer => {
                    if transfer.state.get_untracked() != TransferState::Cancelled {
                        transfer
                            .state
                            .set(TransferState::Failed(AppError::Transport.to_string()));
                    }
                    return;
                }
            }
        }
    }

    /// Puts the question on screen and waits for the answer.
    async fn ask(self, job: &Job) -> Conflict {
        self.for_all.set_value(false);
        let mut resolver = None;
        let promise = js_sys::Promise::new(&mut |resolve, _reject| resolver = Some(resolve));
        self.answer.set_value(resolver);
        self.asking.set(Some(Ask {
            name: job.name.clone(),
            dir: job.dir.clone(),
        }));
        let answer = wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .ok()
            .and_then(|v| v.as_string());
        self.asking.set(None);
        match answer.as_deref() {
            Some("overwrite") => Conflict::Overwrite,
            Some("keep") => Conflict::Keep,
            _ => Conflict::Skip,
        }
    }

    /// The user's answer to the open question; `for_all` reuses it for the rest of the
    /// files handed over with this one.
    pub fn answer(self, choice: Conflict, for_all: bool) {
        self.for_all.set_value(for_all);
        let word = match choice {
            Conflict::Overwrite => "overwrite",
            Conflict::Keep => "keep",
            Conflict::Fail | Conflict::Skip => "skip",
        };
        if let Some(resolve) = self.answer.try_update_value(Option::take).flatten() {
            let _ = resolve.call1(&wasm_bindgen::JsValue::NULL, &word.into());
        }
    }

    /// Stops transfer `id`: aborts it if it is sending, drops it if it waits.
    pub fn cancel(self, id: u64) {
        let Some(transfer) = self
            .browser
            .transfers
            .list
            .get_untracked()
            .into_iter()
            .find(|t| t.id == id)
        else {
            return;
        };
        let was = transfer.state.get_untracked();
        transfer.state.set(TransferState::Cancelled);
        if was == TransferState::Asking {
            self.answer(Conflict::Skip, false);
        }
        self.current.with_value(|c| {
            if let Some((running, xhr)) = c
                && *running == id
            {
                let _ = xhr.abort();
            }
        });
    }

    /// Cancels everything (the tab is closing).
    pub fn cancel_all(self) {
        let ids: Vec<u64> = self
            .browser
            .transfers
            .list
            .try_get_untracked()
            .unwrap_or_default()
            .iter()
            .filter(|t| t.state.try_get_untracked().is_some_and(|s| s.is_live()))
            .map(|t| t.id)
            .collect();
        for id in ids {
            self.cancel(id);
        }
    }

    async fn send(self, job: &Job, conflict: Conflict) -> Sent {
        let Some(session) = self.browser.session_id() else {
            return Sent::NoAnswer;
        };
        let Ok(xhr) = web_sys::XmlHttpRequest::new() else {
            return Sent::NoAnswer;
        };
        let url = format!(
            "/api/transfers/{}/upload?dir={}&name={}&conflict={}",
            url_encode(&session),
            url_encode(&job.dir),
            url_encode(&job.name),
            conflict.query()
        );
        if xhr.open_with_async("PUT", &url, true).is_err()
            || xhr
                .set_request_header("Content-Type", "application/octet-stream")
                .is_err()
        {
            return Sent::NoAnswer;
        }
        let transfer = job.transfer;
        transfer.started.set(now());
        transfer.done.set(0);
        let progress =
            Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
                transfer.done.set(e.loaded() as u64);
                transfer
                    .elapsed
                    .set(now() - transfer.started.get_untracked());
            });
        if let Ok(upload) = xhr.upload() {
            upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
        }
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            xhr.set_onloadend(Some(&resolve));
        });
        if xhr.send_with_opt_blob(Some(&job.file)).is_err() {
            return Sent::NoAnswer;
        }
        self.current.set_value(Some((transfer.id, xhr.clone())));
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        self.current.set_value(None);
        drop(progress);
        match xhr.status() {
            Ok(0) | Err(_) => Sent::NoAnswer,
            Ok(status) => Sent::Status(
                status,
                xhr.response_text().ok().flatten().unwrap_or_default(),
            ),
        }
    }
}
