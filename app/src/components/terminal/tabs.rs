//! The open tabs and the split view they are shown in: which tab sits in which pane, which
//! pane has the focus, and the layout (kept on the server per user). Shared through context
//! so the sidebar can open tabs.

use cloudshell::models::DeviceView;
use cloudshell::models::workspace::{MAX_SPLIT, Seat, SeatKind, WorkspaceLayout};
use leptos::prelude::*;

use super::broadcast::Broadcast;
use super::grid::{self, Direction};

/// A tab's connection state, shown as its badge. (Only the browser build sets the others.)
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TabStatus {
    Connecting,
    Connected,
    Disconnected,
    Error,
}

impl TabStatus {
    pub fn label(self) -> &'static str {
        match self {
            TabStatus::Connecting => "Connecting",
            TabStatus::Connected => "Connected",
            TabStatus::Disconnected => "Disconnected",
            TabStatus::Error => "Error",
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            TabStatus::Connecting => "badge badge-warn",
            TabStatus::Connected => "badge badge-ok",
            TabStatus::Disconnected => "badge",
            TabStatus::Error => "badge badge-danger",
        }
    }
}

/// What a tab shows: a terminal, or the device's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TabKind {
    Terminal,
    Files,
}

#[derive(Clone)]
pub struct Tab {
    pub key: u64,
    pub kind: TabKind,
    pub device: DeviceView,
    pub status: RwSignal<TabStatus>,
    /// Bumped by Reconnect: the pane is rebuilt with a new connection.
    pub generation: RwSignal<u32>,
    /// Automatic reconnects made since the tab was last connected.
    pub retries: RwSignal<u32>,
}

#[derive(Clone, Copy)]
pub struct TerminalTabs {
    pub tabs: RwSignal<Vec<Tab>>,
    /// The split: rows, columns and their shares (its `seats` are filled only to save).
    pub layout: RwSignal<WorkspaceLayout>,
    /// The tab each pane shows, row major.
    pub panes: RwSignal<Vec<Option<u64>>>,
    pub focused: RwSignal<usize>,
    /// The tab being dragged from the strip, while it is.
    pub dragging: RwSignal<Option<u64>>,
    /// A saved layout's seats, offered as "Reopen N sessions" after a reload.
    pub offer: RwSignal<Option<WorkspaceLayout>>,
    pub broadcast: Broadcast,
    /// How terminals look and behave (the user's, loaded from the server).
    pub settings: RwSignal<cloudshell::models::terminal_settings::TerminalSettings>,
    /// The settings have come from the server (the dialog waits for them).
    pub settings_loaded: RwSignal<bool>,
    /// A save on its way, and whether the layout changed since it was sent.
    saving: StoredValue<(bool, bool)>,
    /// The user changed something (so a saved layout arriving late must not replace it).
    touched: StoredValue<bool>,
    next: StoredValue<u64>,
    /// The workspace's owner: a tab's signals are made under it, not under whatever
    /// opened the tab (a sidebar row that a filter or a reload may remove).
    owner: StoredValue<Option<Owner>>,
}

impl TerminalTabs {
    pub fn new() -> Self {
        Self {
            tabs: RwSignal::new(Vec::new()),
            layout: RwSignal::new(WorkspaceLayout::default()),
            panes: RwSignal::new(vec![None]),
            focused: RwSignal::new(0),
            dragging: RwSignal::new(None),
            offer: RwSignal::new(None),
            broadcast: Broadcast::new(),
            settings: RwSignal::new(Default::default()),
            settings_loaded: RwSignal::new(false),
            saving: StoredValue::new((false, false)),
            touched: StoredValue::new(false),
            next: StoredValue::new(1),
            owner: StoredValue::new(Owner::current()),
        }
    }

    /// Opens a new terminal tab to `device` (several to the same device are fine) and shows it.
    pub fn open(self, device: DeviceView) {
        self.open_kind(TabKind::Terminal, device);
    }

    /// Shows the device's terminal tab if one is open (the first), else opens one.
    pub fn open_or_show(self, device: DeviceView) {
        let found = self.tabs.with_untracked(|tabs| {
            tabs.iter()
                .find(|t| t.kind == TabKind::Terminal && t.device.id == device.id)
                .map(|t| t.key)
        });
        match found {
            Some(key) => self.show(key),
            None => self.open(device),
        }
    }

    /// Opens the device's files in a new tab and shows it.
    pub fn open_files(self, device: DeviceView) {
        self.open_kind(TabKind::Files, device);
    }

    /// Opens a tab and shows it: in the first empty pane, else the focused one. Returns it.
    pub fn open_kind(self, kind: TabKind, device: DeviceView) -> u64 {
        let key = self.next.get_value();
        self.next.set_value(key + 1);
        let make = move || Tab {
            key,
            kind,
            device,
            status: RwSignal::new(TabStatus::Connecting),
            generation: RwSignal::new(0),
            retries: RwSignal::new(0),
        };
        let tab = match self.owner.get_value() {
            Some(owner) => owner.with(make),
            None => make(),
        };
        self.tabs.update(|tabs| tabs.push(tab));
        let focused = self.focused.get_untracked();
        let mut at = 0;
        self.panes.update(|p| at = grid::place(p, key, focused));
        self.focused.set(at);
        self.save();
        key
    }

    /// The tab in the focused pane.
    pub fn active_key(self) -> Option<u64> {
        self.panes
            .with_untracked(|p| p.get(self.focused.get_untracked()).copied().flatten())
    }

    /// Shows `key`: focuses its pane if it is on screen, else puts it in the focused pane.
    pub fn show(self, key: u64) {
        if let Some(at) = self
            .panes
            .with_untracked(|p| p.iter().position(|x| *x == Some(key)))
        {
            self.focused.set(at);
            return;
        }
        let at = self.focused.get_untracked();
        self.panes.update(|p| grid::assign(p, at, key));
        self.save();
    }

    /// Shows `key` in pane `at` (a drop, or a pane's menu).
    pub fn put(self, at: usize, key: u64) {
        if at >= self.panes.with_untracked(Vec::len) {
            return;
        }
        self.panes.update(|p| grid::assign(p, at, key));
        self.focused.set(at);
        self.save();
    }

    /// Whether more than one pane is on screen.
    pub fn split(self) -> bool {
        self.panes.with_untracked(|p| p.len() > 1)
    }

    /// Moves to the tab `by` places away in the strip, wrapping around the ends.
    pub fn step(self, by: isize) {
        let keys: Vec<u64> = self
            .tabs
            .with_untracked(|t| t.iter().map(|t| t.key).collect());
        let Some(len) = isize::try_from(keys.len()).ok().filter(|&n| n > 0) else {
            return;
        };
        // With nothing focused, "next" is the first tab and "previous" the last.
        let at = self
            .active_key()
            .and_then(|k| keys.iter().position(|&x| x == k))
            .and_then(|i| isize::try_from(i).ok())
            .unwrap_or(if by > 0 { -1 } else { 0 });
        let next = usize::try_from((at + by).rem_euclid(len)).unwrap_or(0);
        if let Some(&key) = keys.get(next) {
            self.show(key);
        }
    }

    /// Moves the focus to the next pane in `direction`.
    pub fn move_focus(self, direction: Direction) {
        let layout = self.layout.get_untracked();
        let at = grid::neighbour(
            self.focused.get_untracked(),
            layout.rows,
            layout.cols,
            direction,
        );
        self.focused.set(at);
    }

    /// Closes a tab (its pane's cleanup closes the connection) and refills its pane.
    pub fn close(self, key: u64) {
        let strip: Vec<u64> = self
            .tabs
            .with_untracked(|t| t.iter().map(|t| t.key).collect());
        self.panes.update(|p| grid::remove(p, key, &strip));
        self.tabs.update(|tabs| tabs.retain(|t| t.key != key));
        self.broadcast.excluded.update(|e| {
            e.remove(&key);
        });
        self.save();
    }

    /// A new `rows` × `cols` grid with even shares; what was shown keeps its order.
    pub fn set_grid(self, rows: u8, cols: u8) -> Result<(), String> {
        if !(1..=MAX_SPLIT).contains(&rows) || !(1..=MAX_SPLIT).contains(&cols) {
            return Err(format!("At most {MAX_SPLIT} rows and {MAX_SPLIT} columns."));
        }
        let panes = grid::regrid(&self.panes.get_untracked(), rows, cols);
        self.layout.set(WorkspaceLayout::even(rows, cols));
        self.panes.set(panes);
        self.focused
            .update(|f| *f = (*f).min(usize::from(rows) * usize::from(cols) - 1));
        self.save();
        Ok(())
    }

    /// Starts from a saved layout: its grid and shares, with empty panes. Not if the user
    /// has already opened or arranged something.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn restore(self, saved: WorkspaceLayout) {
        if self.touched.get_value() || !self.tabs.with_untracked(Vec::is_empty) {
            return;
        }
        let mut layout = saved.clone();
        layout.seats = vec![None; saved.panes()];
        self.panes.set(vec![None; saved.panes()]);
        self.focused.set(0);
        self.layout.set(layout);
        if saved.seated() > 0 {
            self.offer.set(Some(saved));
        }
    }

    /// The layout with the device in each pane, as saved.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn snapshot(self) -> WorkspaceLayout {
        let mut layout = self.layout.get_untracked();
        let tabs = self.tabs.get_untracked();
        layout.seats = self.panes.with_untracked(|panes| {
            panes
                .iter()
                .map(|key| {
                    let tab = tabs.iter().find(|t| Some(t.key) == *key)?;
                    Some(Seat {
                        device_id: tab.device.id,
                        kind: match tab.kind {
                            TabKind::Terminal => SeatKind::Terminal,
                            TabKind::Files => SeatKind::Files,
                        },
                    })
                })
                .collect()
        });
        layout
    }

    /// The terminals broadcast input reaches: on screen, connected, not excluded.
    pub fn receivers(self) -> Vec<u64> {
        let excluded = self.broadcast.excluded.get();
        let sessions = self.broadcast.sessions.get();
        let shown = self.panes.get();
        self.tabs.with(|tabs| {
            tabs.iter()
                .filter(|t| t.kind == TabKind::Terminal)
                .filter(|t| shown.contains(&Some(t.key)))
                .filter(|t| sessions.contains_key(&t.key) && !excluded.contains(&t.key))
                .map(|t| t.key)
                .collect()
        })
    }

    /// Turns broadcast input on (once the audit log has taken it) or off.
    pub fn set_broadcast(self, on: bool) {
        if self.broadcast.on.get_untracked() == on {
            return;
        }
        let receivers = untrack(|| self.receivers());
        self.broadcast.switch(on, receivers);
    }

    /// Saves the layout on the server, in the background and one save at a time: a change
    /// made while one is on its way is sent after it (as the latest layout), so the last
    /// change always wins. A failure only loses the layout.
    pub fn save(self) {
        self.touched.set_value(true);
        let busy = self.saving.with_value(|(busy, _)| *busy);
        if busy {
            self.saving.update_value(|(_, again)| *again = true);
            return;
        }
        self.saving.set_value((true, false));
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            loop {
                let layout = self.snapshot();
                let _ = crate::api::workspace::save_workspace(layout).await;
                let again = self.saving.with_value(|(_, again)| *again);
                if !again {
                    break;
                }
                self.saving.set_value((true, false));
            }
            self.saving.set_value((false, false));
        });
        #[cfg(not(feature = "hydrate"))]
        self.saving.set_value((false, false));
    }
}

impl Default for TerminalTabs {
    fn default() -> Self {
        Self::new()
    }
}
