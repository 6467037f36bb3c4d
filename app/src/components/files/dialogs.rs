//! The small dialogs over the listing: new folder, rename and permissions. Each shows the
//! server's answer in place and closes only when the change was made.

use cloudshell::models::files::{FileEntry, is_plain_name, join_path, mode_string};
use leptos::prelude::*;

use super::state::{Browser, FileDialog};
use super::view_model::parse_octal;
use crate::api::files::{change_mode, make_folder, rename_file};
use crate::components::form_actions::FormActions;
use crate::components::modal::Modal;
use crate::error::AppError;

/// Runs `work`, then closes the dialog and refreshes, or shows the refusal in the dialog.
fn submit<F>(browser: Browser, pending: RwSignal<bool>, error: RwSignal<Option<String>>, work: F)
where
    F: std::future::Future<Output = Result<(), AppError>> + 'static,
{
    pending.set(true);
    error.set(None);
    let this = browser.dialog.get_untracked();
    browser.spawn(async move {
        let result = work.await;
        pending.set(false);
        match result {
            Ok(()) => {
                // Close this dialog only: the user may have opened another meanwhile.
                if browser.dialog.get_untracked() == this {
                    browser.dialog.set(FileDialog::None);
                }
                browser.refresh();
            }
            Err(AppError::Unauthorized) => browser.fail(AppError::Unauthorized),
            Err(e) => error.set(Some(e.to_string())),
        }
    });
}

/// New folder (no `entry`) or rename (`entry`): one name field.
#[component]
pub fn NameDialog(browser: Browser, entry: Option<FileEntry>) -> impl IntoView {
    let renaming = entry.is_some();
    let original = entry.map(|e| e.name).unwrap_or_default();
    let name = RwSignal::new(original.clone());
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let close = Callback::new(move |_| browser.dialog.set(FileDialog::None));
    let title = if renaming {
        format!("Rename {original}")
    } else {
        "New folder".to_owned()
    };
    let on_submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let wanted = name.get_untracked().trim().to_owned();
        if !is_plain_name(&wanted) {
            error.set(Some(
                "A name cannot be empty, \".\" or \"..\", or contain \"/\".".into(),
            ));
            return;
        }
        let (Some(session), dir) = (browser.session_id(), browser.path()) else {
            return;
        };
        let original = original.clone();
        submit(browser, pending, error, async move {
            if renaming {
                if wanted == original {
                    return Ok(());
                }
                rename_file(
                    session,
                    join_path(&dir, &original),
                    join_path(&dir, &wanted),
                )
                .await
            } else {
                make_folder(session, dir, wanted).await.map(|_| ())
            }
        });
    };
    view! {
        <Modal title on_close=close>
            <form class="form" on:submit=on_submit>
                <label for="file-name">"Name"</label>
                <input
                    id="file-name"
                    type="text"
                    autocomplete="off"
                    spellcheck="false"
                    prop:value=move || name.get()
                    on:input=move |e| name.set(event_target_value(&e))
                />
                <FormActions error pending submit=if renaming { "Rename" } else { "Create" } on_cancel=close />
            </form>
        </Modal>
    }
}

const BITS: [(u32, &str, &str); 9] = [
    (0o400, "Owner", "read"),
    (0o200, "Owner", "write"),
    (0o100, "Owner", "execute"),
    (0o040, "Group", "read"),
    (0o020, "Group", "write"),
    (0o010, "Group", "execute"),
    (0o004, "Others", "read"),
    (0o002, "Others", "write"),
    (0o001, "Others", "execute"),
];

/// Permissions: an octal field and the nine checkboxes, kept in step.
#[component]
pub fn ChmodDialog(browser: Browser, entry: FileEntry) -> impl IntoView {
    let mode = RwSignal::new(entry.mode.unwrap_or(0o644));
    let text = RwSignal::new(format!("{:04o}", entry.mode.unwrap_or(0o644)));
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let close = Callback::new(move |_| browser.dialog.set(FileDialog::None));
    let path = join_path(&browser.path(), &entry.name);
    let on_submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let Some(wanted) = parse_octal(&text.get_untracked()) else {
            error.set(Some(
                "Enter the mode in octal, from 0000 to 7777 (for example 0644).".into(),
            ));
            return;
        };
        let Some(session) = browser.session_id() else {
            return;
        };
        let path = path.clone();
        submit(browser, pending, error, change_mode(session, path, wanted));
    };
    let checkbox = move |(bit, who, what): (u32, &'static str, &'static str)| {
        view! {
            <label class="choice">
                <input
                    type="checkbox"
                    aria-label=format!("{who} {what}")
                    prop:checked=move || mode.get() & bit != 0
                    on:change=move |_| {
                        mode.update(|m| *m ^= bit);
                        text.set(format!("{:04o}", mode.get_untracked()));
                    }
                />
                {what}
            </label>
        }
    };
    view! {
        <Modal title=format!("Permissions of {}", entry.name) on_close=close>
            <form class="form" on:submit=on_submit>
                <label for="file-mode">"Mode (octal)"</label>
                <input
                    id="file-mode"
                    class="mono"
                    type="text"
                    inputmode="numeric"
                    maxlength="5"
                    prop:value=move || text.get()
                    on:input=move |e| {
                        let value = event_target_value(&e);
                        if let Some(m) = parse_octal(&value) {
                            mode.set(m);
                        }
                        text.set(value);
                    }
                />
                <div class="mode-grid">
                    {["Owner", "Group", "Others"]
                        .into_iter()
                        .map(|who| {
                            view! {
                                <fieldset class="mode-group">
                                    <legend>{who}</legend>
                                    {BITS
                                        .into_iter()
                                        .filter(|(_, w, _)| *w == who)
                                        .map(checkbox)
                                        .collect_view()}
                                </fieldset>
                            }
                        })
                        .collect_view()}
                </div>
                <p class="hint mono">{move || mode_string(mode.get())}</p>
                <FormActions error pending submit="Apply" on_cancel=close />
            </form>
        </Modal>
    }
}
