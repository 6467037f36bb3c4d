//! What the listing shows, as plain functions: sorting, filtering, paging, and the figures a
//! transfer's progress line reads (rate, time left).

use cloudshell::models::files::{FileEntry, FileKind};

/// Rows shown at once: a 10,000-entry folder stays quick to draw.
pub const PAGE_SIZE: usize = 200;

/// A listing column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Name,
    Size,
    Modified,
    Mode,
    Owner,
}

impl SortKey {
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "Name",
            SortKey::Size => "Size",
            SortKey::Modified => "Modified (UTC)",
            SortKey::Mode => "Permissions",
            SortKey::Owner => "Owner",
        }
    }
}

/// The column and the direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub ascending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Self {
            key: SortKey::Name,
            ascending: true,
        }
    }
}

impl Sort {
    /// Clicking a column: the same one flips direction, another starts ascending.
    pub fn clicked(self, key: SortKey) -> Self {
        if self.key == key {
            Self {
                key,
                ascending: !self.ascending,
            }
        } else {
            Self {
                key,
                ascending: true,
            }
        }
    }
}

/// Hidden entries out unless shown, then those whose name holds `filter` (ignoring case),
/// folders first, then sorted by `sort` (name as the tie-break).
pub fn visible(
    entries: &[FileEntry],
    show_hidden: bool,
    filter: &str,
    sort: Sort,
) -> Vec<FileEntry> {
    let needle = filter.trim().to_lowercase();
    let mut rows: Vec<FileEntry> = entries
        .iter()
        .filter(|e| show_hidden || !e.name.starts_with('.'))
        .filter(|e| needle.is_empty() || e.name.to_lowercase().contains(&needle))
        .cloned()
        .collect();
    rows.sort_by(|a, b| {
        let by_name = || a.name.to_lowercase().cmp(&b.name.to_lowercase());
        let order = match sort.key {
            SortKey::Name => by_name(),
            SortKey::Size => a.size.cmp(&b.size),
            SortKey::Modified => a.modified.cmp(&b.modified),
            SortKey::Mode => a.mode.cmp(&b.mode),
            SortKey::Owner => a.owner.cmp(&b.owner),
        };
        let order = if sort.ascending {
            order
        } else {
            order.reverse()
        };
        (a.kind != FileKind::Dir)
            .cmp(&(b.kind != FileKind::Dir))
            .then(order)
            .then_with(by_name)
    });
    rows
}

/// How many pages `rows` fill (at least one).
pub fn page_count(rows: usize) -> usize {
    rows.div_ceil(PAGE_SIZE).max(1)
}

/// The rows of page `page` (0-based, clamped to the last).
pub fn page_of(rows: &[FileEntry], page: usize) -> &[FileEntry] {
    let page = page.min(page_count(rows.len()) - 1);
    let start = page * PAGE_SIZE;
    &rows[start.min(rows.len())..(start + PAGE_SIZE).min(rows.len())]
}

/// "2024-05-01 13:45" (UTC) from seconds since the epoch.
pub fn utc_minutes(seconds: Option<i64>) -> String {
    seconds
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .map(|t| {
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute()
            )
        })
        .unwrap_or_default()
}

/// "1.2 MiB/s" from bytes over milliseconds (nothing yet: an empty string).
pub fn rate(bytes: u64, millis: f64) -> String {
    if millis < 250.0 || bytes == 0 {
        return String::new();
    }
    let per_second = (bytes as f64 / (millis / 1000.0)) as u64;
    format!("{}/s", cloudshell::models::files::human_size(per_second))
}

/// "about 2 min left" at the rate so far.
pub fn time_left(done: u64, total: u64, millis: f64) -> String {
    if done == 0 || millis < 250.0 || done >= total {
        return String::new();
    }
    let seconds = ((total - done) as f64 * millis / done as f64 / 1000.0).ceil() as u64;
    match seconds {
        0..=59 => format!("{seconds} s left"),
        60..=3599 => format!("{} min left", seconds.div_ceil(60)),
        _ => format!("{} h {} min left", seconds / 3600, (seconds % 3600) / 60),
    }
}

/// Parses "755" or "0644" as permission bits (at most 0o7777).
pub fn parse_octal(text: &str) -> Option<u32> {
    let text = text.trim();
    if text.is_empty() || text.len() > 5 {
        return None;
    }
    u32::from_str_radix(text, 8).ok().filter(|m| *m <= 0o7777)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, kind: FileKind, size: u64) -> FileEntry {
        FileEntry {
            name: name.to_owned(),
            kind,
            size,
            modified: Some(i64::try_from(size).unwrap_or(0)),
            mode: Some(0o644),
            owner: Some("root".into()),
        }
    }

    fn names(rows: &[FileEntry]) -> Vec<&str> {
        rows.iter().map(|e| e.name.as_str()).collect()
    }

    #[test]
    fn folders_come_first_then_names_ignoring_case() {
        let rows = [
            entry("b.txt", FileKind::File, 1),
            entry("Zeta", FileKind::Dir, 0),
            entry("A.txt", FileKind::File, 3),
            entry("alpha", FileKind::Dir, 0),
            entry(".hidden", FileKind::File, 2),
        ];
        let sorted = visible(&rows, false, "", Sort::default());
        assert_eq!(names(&sorted), ["alpha", "Zeta", "A.txt", "b.txt"]);
        let all = visible(&rows, true, "", Sort::default());
        assert_eq!(all.len(), 5);
        let by_size = visible(
            &rows,
            true,
            "",
            Sort::default()
                .clicked(SortKey::Size)
                .clicked(SortKey::Size),
        );
        assert_eq!(
            names(&by_size),
            ["alpha", "Zeta", "A.txt", ".hidden", "b.txt"]
        );
        let filtered = visible(&rows, true, "TXT", Sort::default());
        assert_eq!(names(&filtered), ["A.txt", "b.txt"]);
    }

    #[test]
    fn pages_hold_a_fixed_number_of_rows() {
        let rows: Vec<FileEntry> = (0..450)
            .map(|i| entry(&format!("f{i:04}"), FileKind::File, i))
            .collect();
        assert_eq!(page_count(rows.len()), 3);
        assert_eq!(page_of(&rows, 0).len(), PAGE_SIZE);
        assert_eq!(page_of(&rows, 2).len(), 50);
        assert_eq!(
            page_of(&rows, 9).len(),
            50,
            "a page past the end shows the last"
        );
        assert_eq!(page_count(0), 1);
        assert!(page_of(&[], 0).is_empty());
    }

    #[test]
    fn progress_figures_read_naturally() {
        assert_eq!(rate(2 * 1024 * 1024, 1000.0), "2.0 MiB/s");
        assert_eq!(rate(10, 100.0), "");
        assert_eq!(time_left(50, 100, 10_000.0), "10 s left");
        assert_eq!(time_left(1, 100, 10_000.0), "17 min left");
        assert_eq!(time_left(100, 100, 1000.0), "");
        assert_eq!(utc_minutes(Some(0)), "1970-01-01 00:00");
        assert_eq!(utc_minutes(None), "");
    }

    #[test]
    fn octal_modes_parse_within_range() {
        assert_eq!(parse_octal("755"), Some(0o755));
        assert_eq!(parse_octal("0644"), Some(0o644));
        assert_eq!(parse_octal("8"), None);
        assert_eq!(parse_octal("17777"), None);
        assert_eq!(parse_octal(""), None);
    }
}
