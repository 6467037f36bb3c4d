//! One file-manager tab: opens the session when shown first, closes it with the tab, and
//! wires the toolbar, the listing (a drop target), the dialogs and the transfers together.

use std::collections::BTreeSet;

use cloudshell::models::DeviceView;
use cloudshell::models::audit::url_encode;
use cloudshell::models::files::{FileEntry, FileError, FileKind, join_path};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::delete::DeleteDialog;
use super::dialogs::{ChmodDialog, NameDialog};
use super::dropped::{Handed, MAX_PICKED, Picked, from_drop, from_list};
use super::listing::Listing;
use super::state::{Browser, FileDialog, Problem};
use super::toolbar::Toolbar;
use super::transfers::{TransferState, TransfersPanel};
use super::upload::{Conflict, Uploader};
use crate::api::files::make_folder;
use crate::components::modal::Modal;
use crate::components::terminal::TabStatus;
use crate::error::AppError;

/// Hands a download to the browser: a same-origin attachment link, clicked.
fn start_download(url: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(link) = document.create_element("a") {
        let _ = link.set_attribute("href", url);
        let _ = link.set_attribute("download", "");
        if let Ok(link) = link.dyn_into::<web_sys::HtmlElement>() {
            link.click();
        }
    }
}

/// The download's URL: the file itself, or a `.tar` of folders or several entries.
fn download_url(session: &str, dir: &str, entries: &[FileEntry]) -> Option<String> {
    match entries {
        [] => None,
        [one] if one.kind != FileKind::Dir => Some(format!(
            "/api/transfers/{}/download?path={}",
            url_encode(session),
            url_encode(&join_path(dir, &one.name))
        )),
        many => {
            let names: Vec<&str> = many.iter().map(|e| e.name.as_str()).collect();
            Some(format!(
                "/api/transfers/{}/archive?dir={}&names={}",
                url_encode(session),
                url_encode(dir),
                url_encode(&names.join("/"))
            ))
        }
    }
}

/// Every folder the picked files need, parents before children ("a", "a/b", …).
fn folders_needed(picked: &[Picked]) -> Vec<String> {
    let mut all = BTreeSet::new();
    for p in picked.iter().filter(|p| !p.folder.is_empty()) {
        let mut at = String::new();
        for part in p.folder.split('/') {
            if !at.is_empty() {
                at.push('/');
            }
            at.push_str(part);
            all.insert(at.clone());
        }
    }
    all.into_iter().collect()
}

#[component]
pub fn FileManager(
    device: DeviceView,
    status: RwSignal<TabStatus>,
    active: Signal<bool>,
) -> impl IntoView {
    let browser = Browser::new(device.id, status);
    let uploader = Uploader::new(browser);
    let dragging = RwSignal::new(false);
    let files_input = NodeRef::<leptos::html::Input>::new();
    let folder_input = NodeRef::<leptos::html::Input>::new();

    // Open on first show: a tab opened in the background connects as well.
    Effect::new(move |done: Option<bool>| {
        if done != Some(true) && cfg!(feature = "hydrate") {
            browser.connect(None);
        }
        true
    });
    let _ = active;
    // Not in the view: the attribute is not a standard one the macro knows.
    Effect::new(move |_| {
        if let Some(el) = folder_input.get() {
            let _ = el.set_attribute("webkitdirectory", "");
        }
    });
    on_cleanup(move || {
        uploader.cancel_all();
        browser.close();
    });

    let upload_picked = move |handed: Handed| {
        if handed.cut {
            browser.problem.set(Some(Problem {
                text: format!(
                    "Only the first {MAX_PICKED} files were queued. Upload the rest separately, or pack them into an archive first."
                ),
                reconnect: false,
            }));
        }
        let picked = handed.files;
        let dir = browser.path();
        let Some(session) = browser.session_id() else {
            return;
        };
        if picked.is_empty() || dir.is_empty() {
            return;
        }
        uploader.begin_batch();
        browser.spawn(async move {
            for folder in folders_needed(&picked) {
                let (parent, name) = match folder.rsplit_once('/') {
                    Some((p, n)) => (join_path(&dir, p), n.to_owned()),
                    None => (dir.clone(), folder.clone()),
                };
                match make_folder(session.clone(), parent, name).await {
                    Ok(_) | Err(AppError::Files(FileError::AlreadyExists)) => {}
                    Err(e) => {
                        browser.fail(e);
                        return;
                    }
                }
            }
            for p in picked {
                let name = p.file.name();
                let target = if p.folder.is_empty() {
                    dir.clone()
                } else {
                    join_path(&dir, &p.folder)
                };
                uploader.add(p.file, target, name);
            }
            uploader.start();
        });
    };
    let on_input_change = move |input: NodeRef<leptos::html::Input>| {
        if let Some(el) = input.get_untracked() {
            if let Some(list) = el.files() {
                upload_picked(from_list(&list));
            }
            el.set_value("");
        }
    };
    let download = Callback::new(move |entries: Vec<FileEntry>| {
        let (Some(session), dir) = (browser.session_id(), browser.path()) else {
            return;
        };
        if let Some(url) = download_url(&session, &dir, &entries) {
            let label = match entries.as_slice() {
                [one] if one.kind != FileKind::Dir => one.name.clone(),
                [one] => format!("{}.tar", one.name),
                many => format!("{} items (.tar)", many.len()),
            };
            browser.transfers.add(label, 0, TransferState::HandedOver);
            start_download(&url);
        }
    });
    let on_drop = move |e: leptos::ev::DragEvent| {
        e.prevent_default();
        dragging.set(false);
        let Some(data) = e.data_transfer() else {
            return;
        };
        browser.spawn(async move {
            upload_picked(from_drop(&data).await);
        });
    };
    let conflict_for_all = RwSignal::new(false);
    // Each question starts unticked.
    Effect::new(move |_| {
        if uploader.asking.with(Option::is_some) {
            conflict_for_all.set(false);
        }
    });
    let connecting = format!(" Connecting to {}…", device.name);

    view! {
        <div class="file-manager" data-device=device.name.clone()>
            <Toolbar
                browser
                on_pick_files=Callback::new(move |_| {
                    if let Some(el) = files_input.get_untracked() {
                        el.click();
                    }
                })
                on_pick_folder=Callback::new(move |_| {
                    if let Some(el) = folder_input.get_untracked() {
                        el.click();
                    }
                })
                on_download_selected=Callback::new(move |_| download.run(browser.selected_entries()))
            />
            <input type="file" multiple class="hidden-input" aria-label="Files to upload" node_ref=files_input on:change=move |_| on_input_change(files_input) />
            <input type="file" multiple class="hidden-input" aria-label="Folder to upload" node_ref=folder_input on:change=move |_| on_input_change(folder_input) />
            {move || browser.problem.get().map(|problem| view! {
                <div class="form-error file-problem" role="alert">
                    <span>{problem.text.clone()}</span>
                    <Show when=move || problem.reconnect>
                        <button class="button small" on:click=move |_| browser.connect(Some(browser.path()).filter(|p| !p.is_empty()))>
                            "Reconnect"
                        </button>
                    </Show>
                    <button class="button small" on:click=move |_| browser.problem.set(None)>"Dismiss"</button>
                </div>
            })}
            <Show when=move || browser.session.with(|s| s.is_none()) && browser.loading.get()>
                <div class="file-connecting muted">
                    <span class="spinner" aria-hidden="true"></span>
                    {connecting.clone()}
                </div>
            </Show>
            <div
                class="file-drop"
                class:dragging=move || dragging.get()
                on:dragover=move |e: leptos::ev::DragEvent| {
                    e.prevent_default();
                    dragging.set(true);
                }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop
            >
                <Listing browser on_download=download />
                <div class="drop-hint" aria-hidden="true">"Drop files or folders to upload here"</div>
            </div>
            <TransfersPanel transfers=browser.transfers on_cancel=Callback::new(move |id| uploader.cancel(id)) />
            {move || match browser.dialog.get() {
                FileDialog::None => ().into_any(),
                FileDialog::NewFolder => view! { <NameDialog browser entry=None /> }.into_any(),
                FileDialog::Rename(entry) => view! { <NameDialog browser entry=Some(entry) /> }.into_any(),
                FileDialog::Chmod(entry) => view! { <ChmodDialog browser entry /> }.into_any(),
                FileDialog::Delete(entries) => view! { <DeleteDialog browser entries /> }.into_any(),
            }}
            {move || uploader.asking.get().map(|ask| view! {
                <Modal title=format!("{} already exists", ask.name) on_close=Callback::new(move |_| uploader.answer(Conflict::Skip, false))>
                    <p>
                        <span class="mono">{ask.name.clone()}</span>
                        " is already in "
                        <span class="mono">{ask.dir.clone()}</span>
                        ". Replace it, skip this file, or keep both (the new one gets a number)?"
                    </p>
                    <label class="choice">
                        <input type="checkbox" prop:checked=move || conflict_for_all.get() on:change=move |_| conflict_for_all.update(|v| *v = !*v) />
                        "Do the same for the other files in this upload"
                    </label>
                    <div class="dialog-actions">
                        <button class="button" on:click=move |_| uploader.answer(Conflict::Skip, conflict_for_all.get_untracked())>"Skip"</button>
                        <button class="button" on:click=move |_| uploader.answer(Conflict::Keep, conflict_for_all.get_untracked())>"Keep both"</button>
                        <button class="button danger" on:click=move |_| uploader.answer(Conflict::Overwrite, conflict_for_all.get_untracked())>"Overwrite"</button>
                    </div>
                </Modal>
            })}
        </div>
    }
}
