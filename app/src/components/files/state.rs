//! One file manager's state, shared by its parts: the session, the folder shown, the view
//! settings, the selection, the open dialog and the transfers.

use std::collections::BTreeSet;

use cloudshell::models::files::{DirListing, FileEntry, FileError};
use leptos::prelude::*;

use super::transfers::Transfers;
use super::view_model::{Sort, visible};
use crate::api::files::{close_files, list_files, open_files};
use crate::components::terminal::TabStatus;
use crate::error::AppError;
use crate::nav::go_to;

/// What is open over the listing.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum FileDialog {
    #[default]
    None,
    NewFolder,
    Rename(FileEntry),
    Chmod(FileEntry),
    Delete(Vec<FileEntry>),
}

/// A failure shown above the listing, with what the user can do about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub text: String,
    /// The session is gone: the way on is to reconnect.
    pub reconnect: bool,
}

#[derive(Clone, Copy)]
pub struct Browser {
    pub device_id: i64,
    pub status: RwSignal<TabStatus>,
    pub session: RwSignal<Option<String>>,
    pub home: RwSignal<String>,
    pub listing: RwSignal<Option<DirListing>>,
    pub loading: RwSignal<bool>,
    pub problem: RwSignal<Option<Problem>>,
    pub show_hidden: RwSignal<bool>,
    pub filter: RwSignal<String>,
    pub sort: RwSignal<Sort>,
    pub page: RwSignal<usize>,
    pub selected: RwSignal<BTreeSet<String>>,
    pub dialog: RwSignal<FileDialog>,
    pub transfers: Transfers,
    /// The file manager's owner: its tasks run under it and stop when it is cleaned up.
    owner: StoredValue<Option<Owner>>,
    /// Counts listings asked for: an answer to an older one is dropped.
    asked: StoredValue<u64>,
}

impl Browser {
    pub fn new(device_id: i64, status: RwSignal<TabStatus>) -> Self {
        Self {
            device_id,
            status,
            session: RwSignal::new(None),
            home: RwSignal::new(String::new()),
            listing: RwSignal::new(None),
            loading: RwSignal::new(false),
            problem: RwSignal::new(None),
            show_hidden: RwSignal::new(false),
            filter: RwSignal::new(String::new()),
            sort: RwSignal::new(Sort::default()),
            page: RwSignal::new(0),
            selected: RwSignal::new(BTreeSet::new()),
            dialog: RwSignal::new(FileDialog::None),
            transfers: Transfers::new(),
            owner: StoredValue::new(Owner::current()),
            asked: StoredValue::new(0),
        }
    }

    /// Runs `task` for as long as this file manager is open (closing the tab cancels it,
    /// so nothing touches its state afterwards).
    pub fn spawn(self, task: impl std::future::Future<Output = ()> + 'static) {
        if let Some(owner) = self.owner.try_get_value().flatten() {
            owner.with(|| leptos::task::spawn_local_scoped_with_cancellation(task));
        }
    }

    /// The folder shown now ("" before the first listing).
    pub fn path(self) -> String {
        self.listing
            .with_untracked(|l| l.as_ref().map(|l| l.path.clone()))
            .unwrap_or_default()
    }

    pub fn session_id(self) -> Option<String> {
        self.session.get_untracked()
    }

    /// Opens the SFTP session (again, after a reconnect) and lists `path`, or home.
    pub fn connect(self, path: Option<String>) {
        if let Some(old) = self.session.get_untracked() {
            leptos::task::spawn_local(async move {
                let _ = close_files(old).await;
            });
        }
        self.session.set(None);
        self.status.set(TabStatus::Connecting);
        self.loading.set(true);
        self.problem.set(None);
        let device = self.device_id;
        self.spawn(async move {
            match open_files(device).await {
                Ok(info) => {
                    self.session.set(Some(info.session_id));
                    self.status.set(TabStatus::Connected);
                    self.home.set(info.home.clone());
                    self.go(path.unwrap_or(info.home));
                }
                Err(e) => {
                    self.loading.set(false);
                    self.status.set(TabStatus::Error);
                    self.fail(e);
                }
            }
        });
    }

    /// Lists `path` and shows it (the selection and page start over).
    pub fn go(self, path: String) {
        let Some(session) = self.session_id() else {
            return;
        };
        self.loading.set(true);
        self.asked.update_value(|n| *n += 1);
        let mine = self.asked.get_value();
        self.spawn(async move {
            let result = list_files(session, path).await;
            if self.asked.get_value() != mine {
                return; // The user has moved on; a newer listing is on its way.
            }
            self.loading.set(false);
            match result {
                Ok(listing) => {
                    let moved = self.path() != listing.path;
                    self.listing.set(Some(listing));
                    self.problem.set(None);
                    if moved {
                        self.selected.set(BTreeSet::new());
                        self.page.set(0);
                        self.filter.set(String::new());
                    } else {
                        // Keep only what still exists.
                        let names: BTreeSet<String> = self.listing.with_untracked(|l| {
                            l.iter()
                                .flat_map(|l| l.entries.iter().map(|e| e.name.clone()))
                                .collect()
                        });
                        self.selected.update(|s| s.retain(|n| names.contains(n)));
                    }
                }
                Err(e) => self.fail(e),
            }
        });
    }

    pub fn refresh(self) {
        let path = self.path();
        if path.is_empty() {
            self.connect(None);
        } else {
            self.go(path);
        }
    }

    /// Shows a failure in place. Only a web session that ended leads to the login page.
    pub fn fail(self, error: AppError) {
        match error {
            AppError::Unauthorized => go_to("/login"),
            AppError::Files(FileError::SessionGone | FileError::ConnectionLost) => {
                self.status.set(TabStatus::Disconnected);
                self.problem.set(Some(Problem {
                    text:
                        "The connection to the device has ended. Reconnect to go on where you were."
                            .to_owned(),
                    reconnect: true,
                }));
            }
            other => self.problem.set(Some(Problem {
                text: other.to_string(),
                reconnect: false,
            })),
        }
    }

    /// Ends the session on the server (the tab closed).
    pub fn close(self) {
        if let Some(id) = self.session.try_get_untracked().flatten() {
            leptos::task::spawn_local(async move {
                let _ = close_files(id).await;
            });
        }
    }

    /// The entries ticked and shown (the filter and the hidden toggle apply: what the user
    /// cannot see is never acted on).
    pub fn selected_entries(self) -> Vec<FileEntry> {
        let chosen = self.selected.get_untracked();
        let (hidden, filter, sort) = (
            self.show_hidden.get_untracked(),
            self.filter.get_untracked(),
            self.sort.get_untracked(),
        );
        self.listing.with_untracked(|l| {
            l.as_ref()
                .map(|l| visible(&l.entries, hidden, &filter, sort))
                .unwrap_or_default()
                .into_iter()
                .filter(|e| chosen.contains(&e.name))
                .collect()
        })
    }
}
