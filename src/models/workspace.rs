//! The terminal workspace a user keeps: the split layout, its splitter positions, and which
//! device sat in each pane. Stored per user on the server, so it follows them to another
//! browser; the sessions themselves are never reopened without asking.

use serde::{Deserialize, Serialize};

/// Rows and columns each go up to this (a 4 × 4 grid: 16 panes).
pub const MAX_SPLIT: u8 = 4;
/// A pane is never squeezed below this share of its row or column.
pub const MIN_SHARE: f32 = 0.05;

/// What a pane showed: a terminal or the files of a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SeatKind {
    Terminal,
    Files,
}

/// The device that sat in a pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seat {
    pub device_id: i64,
    pub kind: SeatKind,
}

/// The layout as stored: `rows` × `cols` panes, each row's and column's share of the space
/// (summing to 1), and the seats in row-major order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceLayout {
    pub rows: u8,
    pub cols: u8,
    pub row_sizes: Vec<f32>,
    pub col_sizes: Vec<f32>,
    pub seats: Vec<Option<Seat>>,
}

impl Default for WorkspaceLayout {
    fn default() -> Self {
        Self::even(1, 1)
    }
}

fn shares_ok(sizes: &[f32], count: u8) -> bool {
    sizes.len() == usize::from(count)
        && sizes
            .iter()
            .all(|s| s.is_finite() && *s >= MIN_SHARE && *s <= 1.0)
        && (sizes.iter().sum::<f32>() - 1.0).abs() < 0.01
}

impl WorkspaceLayout {
    /// A `rows` × `cols` grid with equal shares and empty panes.
    pub fn even(rows: u8, cols: u8) -> Self {
        let (rows, cols) = (rows.clamp(1, MAX_SPLIT), cols.clamp(1, MAX_SPLIT));
        Self {
            rows,
            cols,
            row_sizes: vec![1.0 / f32::from(rows); usize::from(rows)],
            col_sizes: vec![1.0 / f32::from(cols); usize::from(cols)],
            seats: vec![None; usize::from(rows) * usize::from(cols)],
        }
    }

    pub fn panes(&self) -> usize {
        usize::from(self.rows) * usize::from(self.cols)
    }

    /// Whether the server may store it: within 4 × 4, shares that add up, one seat a pane.
    pub fn is_valid(&self) -> bool {
        (1..=MAX_SPLIT).contains(&self.rows)
            && (1..=MAX_SPLIT).contains(&self.cols)
            && shares_ok(&self.row_sizes, self.rows)
            && shares_ok(&self.col_sizes, self.cols)
            && self.seats.len() == self.panes()
    }

    /// The seated panes, for "Reopen N sessions".
    pub fn seated(&self) -> usize {
        self.seats.iter().flatten().count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn even_grids_are_valid_and_capped() {
        assert!(WorkspaceLayout::even(2, 2).is_valid());
        assert!(WorkspaceLayout::even(4, 4).is_valid());
        assert_eq!(WorkspaceLayout::even(4, 4).panes(), 16);
        let capped = WorkspaceLayout::even(5, 9);
        assert_eq!((capped.rows, capped.cols), (4, 4));
    }

    #[test]
    fn what_the_server_refuses() {
        let mut five = WorkspaceLayout::even(4, 4);
        five.rows = 5;
        assert!(!five.is_valid());
        let mut lopsided = WorkspaceLayout::even(1, 2);
        lopsided.col_sizes = vec![0.99, 0.01];
        assert!(!lopsided.is_valid());
        let mut unbalanced = WorkspaceLayout::even(1, 2);
        unbalanced.col_sizes = vec![0.7, 0.7];
        assert!(!unbalanced.is_valid());
        let mut short = WorkspaceLayout::even(2, 2);
        short.seats.pop();
        assert!(!short.is_valid());
        let mut nan = WorkspaceLayout::even(1, 2);
        nan.col_sizes = vec![f32::NAN, 0.5];
        assert!(!nan.is_valid());
    }
}
