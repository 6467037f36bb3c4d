//! Delete, in one or two steps: "Delete these?", and for a folder that holds anything a
//! second confirmation that says how many entries will go.

use cloudshell::models::files::{FileEntry, FileKind, join_path};
use leptos::prelude::*;

use super::state::{Browser, FileDialog};
use crate::api::files::{count_files, delete_file};
use crate::components::modal::Modal;
use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    Confirm,
    Counting,
    /// Folders hold more: how many entries will go in all.
    ConfirmCount(u64),
    Deleting,
}

#[component]
pub fn DeleteDialog(browser: Browser, entries: Vec<FileEntry>) -> impl IntoView {
    let step = RwSignal::new(Step::Confirm);
    let error = RwSignal::new(None::<String>);
    let close = Callback::new(move |_| browser.dialog.set(FileDialog::None));
    let dir = browser.path();
    let paths: Vec<(String, bool)> = entries
        .iter()
        .map(|e| (join_path(&dir, &e.name), e.kind == FileKind::Dir))
        .collect();
    let paths = StoredValue::new(paths);
    let title = match entries.as_slice() {
        [one] => format!("Delete {}?", one.name),
        many => format!("Delete {} items?", many.len()),
    };

    // Tasks take what they need up front: the dialog (and its stored values) may close
    // while they run.
    let delete_all = move |list: Vec<(String, bool)>| {
        step.set(Step::Deleting);
        let Some(session) = browser.session_id() else {
            return;
        };
        browser.spawn(async move {
            for (path, _) in list {
                if let Err(e) = delete_file(session.clone(), path).await {
                    step.set(Step::Confirm);
                    if e == AppError::Unauthorized {
                        browser.fail(e);
                    } else {
                        error.set(Some(e.to_string()));
                    }
                    browser.refresh();
                    return;
                }
            }
            browser.dialog.set(FileDialog::None);
            browser.refresh();
        });
    };
    let first = move |_| {
        let list = paths.get_value();
        let folders: Vec<String> = list
            .iter()
            .filter(|(_, dir)| *dir)
            .map(|(p, _)| p.clone())
            .collect();
        if folders.is_empty() {
            delete_all(list);
            return;
        }
        let Some(session) = browser.session_id() else {
            return;
        };
        step.set(Step::Counting);
        error.set(None);
        browser.spawn(async move {
            let mut total = (list.len() - folders.len()) as u64;
            for folder in folders.iter() {
                match count_files(session.clone(), folder.clone()).await {
                    Ok((_, true)) => {
                        step.set(Step::Confirm);
                        error.set(Some(
                            "This holds more than 100,000 entries: too many to delete from here."
                                .into(),
                        ));
                        return;
                    }
                    Ok((n, false)) => total += n,
                    Err(e) => {
                        step.set(Step::Confirm);
                        error.set(Some(e.to_string()));
                        return;
                    }
                }
            }
            // The dialog was closed while counting: the user changed their mind.
            if step.try_get_untracked().is_none() {
                return;
            }
            // Only empty folders: nothing more to confirm.
            if total == list.len() as u64 {
                delete_all(list);
            } else {
                step.set(Step::ConfirmCount(total));
            }
        });
    };
    let names = entries
        .iter()
        .take(10)
        .map(|e| view! { <li class="mono">{e.name.clone()}</li> })
        .collect_view();
    let more = entries.len().saturating_sub(10);
    let busy = move || matches!(step.get(), Step::Counting | Step::Deleting);
    view! {
        <Modal title on_close=close>
            <ul class="delete-list">{names}</ul>
            <Show when=move || { more > 0 }>
                <p class="muted">{format!("and {more} more")}</p>
            </Show>
            {move || match step.get() {
                Step::ConfirmCount(total) => {
                    view! {
                        <p class="warning" role="alert">
                            {format!(
                                "This deletes {total} entries in all, with everything inside the folders. This cannot be undone.",
                            )}
                        </p>
                    }
                        .into_any()
                }
                _ => view! { <p>"This cannot be undone."</p> }.into_any(),
            }}
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert">{move || error.get()}</p>
            </Show>
            <div class="dialog-actions">
                <button class="button" on:click=move |_| close.run(())>"Cancel"</button>
                {move || match step.get() {
                    Step::ConfirmCount(total) => {
                        view! {
                            <button class="button danger" on:click=move |_| delete_all(paths.get_value())>
                                {format!("Delete all {total}")}
                            </button>
                        }
                            .into_any()
                    }
                    _ => {
                        view! {
                            <button class="button danger" disabled=busy on:click=first>
                                <Show when=busy>
                                    <span class="spinner" aria-hidden="true"></span>
                                </Show>
                                "Delete"
                            </button>
                        }
                            .into_any()
                    }
                }}
            </div>
        </Modal>
    }
}
