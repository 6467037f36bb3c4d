//! Files and folders the user hands over, by drop or by picker, as (folder inside the
//! upload, file) pairs. A dropped folder is walked through the browser's entries API.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// One file to upload: the folders above it inside what was dropped ("" at the top), and
/// the file itself.
pub struct Picked {
    pub folder: String,
    pub file: web_sys::File,
}

/// At most this many files (and as many folders visited) from one drop: a mistaken drop of
/// a huge tree stops here, and the user is told.
pub const MAX_PICKED: usize = 10_000;

/// What was handed over, and whether it was cut at `MAX_PICKED`.
pub struct Handed {
    pub files: Vec<Picked>,
    pub cut: bool,
}

/// The files of an `<input type=file>` (with `webkitdirectory`, each knows its folder).
pub fn from_list(list: &web_sys::FileList) -> Handed {
    let files = (0..list.length())
        .filter_map(|i| list.item(i))
        .take(MAX_PICKED)
        .map(|file| {
            let relative = js_sys::Reflect::get(&file, &"webkitRelativePath".into())
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            let folder = relative
                .rsplit_once('/')
                .map(|(dir, _)| dir.to_owned())
                .unwrap_or_default();
            Picked { folder, file }
        })
        .collect();
    Handed {
        files,
        cut: list.length() as usize > MAX_PICKED,
    }
}

/// Everything dropped: files, and folders with all they hold.
pub async fn from_drop(data: &web_sys::DataTransfer) -> Handed {
    let items = data.items();
    // The entries must be taken before the first await: the drop's data goes away after.
    let mut entries = Vec::new();
    let mut out = Vec::new();
    for item in (0..items.length()).filter_map(|i| items.get(i)) {
        match item.webkit_get_as_entry().ok().flatten() {
            Some(entry) => entries.push(entry),
            // A file without an entry (made by a script, say) is still a file.
            None => {
                if let Ok(Some(file)) = item.get_as_file() {
                    out.push(Picked {
                        folder: String::new(),
                        file,
                    });
                }
            }
        }
    }
    let mut pending: Vec<(String, web_sys::FileSystemEntry)> =
        entries.into_iter().map(|e| (String::new(), e)).collect();
    let mut folders = 0;
    let mut cut = false;
    while let Some((folder, entry)) = pending.pop() {
        if out.len() >= MAX_PICKED || folders >= MAX_PICKED {
            cut = true;
            break;
        }
        if entry.is_directory() {
            folders += 1;
            let inner = if folder.is_empty() {
                entry.name()
            } else {
                format!("{folder}/{}", entry.name())
            };
            let dir: web_sys::FileSystemDirectoryEntry = entry.unchecked_into();
            for child in read_all(&dir).await {
                pending.push((inner.clone(), child));
            }
        } else if entry.is_file() {
            let file_entry: web_sys::FileSystemFileEntry = entry.unchecked_into();
            if let Some(file) = file_of(&file_entry).await {
                out.push(Picked { folder, file });
            }
        }
    }
    Handed { files: out, cut }
}

/// A folder's entries: `readEntries` answers in batches until one comes back empty.
async fn read_all(dir: &web_sys::FileSystemDirectoryEntry) -> Vec<web_sys::FileSystemEntry> {
    let reader = dir.create_reader();
    let mut all = Vec::new();
    loop {
        let promise = js_sys::Promise::new(&mut |resolve, reject| {
            if reader
                .read_entries_with_callback_and_callback(&resolve, &reject)
                .is_err()
            {
                let _ = reject.call0(&wasm_bindgen::JsValue::NULL);
            }
        });
        let Ok(batch) = JsFuture::from(promise).await else {
            break;
        };
        let batch: js_sys::Array = batch.unchecked_into();
        if batch.length() == 0 || all.len() >= MAX_PICKED {
            break;
        }
        all.extend(
            batch
                .iter()
                .map(|v| v.unchecked_into::<web_sys::FileSystemEntry>()),
        );
    }
    all
}

async fn file_of(entry: &web_sys::FileSystemFileEntry) -> Option<web_sys::File> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        entry.file_with_callback_and_callback(&resolve, &reject);
    });
    JsFuture::from(promise)
        .await
        .ok()
        .map(|v| v.unchecked_into())
}
