//! Which tab sits in which pane of the split view, as plain functions over the panes (row
//! major, each holding a tab key or nothing). A tab sits in at most one pane.

/// A direction to move the focus in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Left,
    Right,
    Up,
    Down,
}

/// Puts a new tab in the first empty pane, else in `focused`. Returns its pane.
pub fn place(panes: &mut [Option<u64>], key: u64, focused: usize) -> usize {
    if let Some(at) = panes.iter().position(|p| *p == Some(key)) {
        return at;
    }
    let at = panes
        .iter()
        .position(Option::is_none)
        .unwrap_or(focused.min(panes.len().saturating_sub(1)));
    if let Some(pane) = panes.get_mut(at) {
        *pane = Some(key);
    }
    at
}

/// Shows `key` in pane `at`. If it sat elsewhere, the two panes swap what they show.
pub fn assign(panes: &mut [Option<u64>], at: usize, key: u64) {
    let Some(&before) = panes.get(at) else {
        return;
    };
    if let Some(from) = panes.iter().position(|p| *p == Some(key)) {
        panes[from] = before;
    }
    panes[at] = Some(key);
}

/// A tab closed: its pane shows the next open tab not on screen (after it in the strip,
/// then from the start), or nothing.
pub fn remove(panes: &mut [Option<u64>], key: u64, strip: &[u64]) {
    let Some(at) = panes.iter().position(|p| *p == Some(key)) else {
        return;
    };
    panes[at] = None;
    let start = strip.iter().position(|k| *k == key).map_or(0, |i| i + 1);
    let next = strip[start.min(strip.len())..]
        .iter()
        .chain(strip.iter())
        .find(|k| **k != key && !panes.contains(&Some(**k)))
        .copied();
    panes[at] = next;
}

/// The panes of a new `rows` × `cols` grid: what was shown keeps its order (row major) and
/// fills the new panes; what no longer fits stays open, off screen.
pub fn regrid(panes: &[Option<u64>], rows: u8, cols: u8) -> Vec<Option<u64>> {
    let count = usize::from(rows) * usize::from(cols);
    let mut shown: Vec<Option<u64>> = panes.iter().copied().filter(Option::is_some).collect();
    shown.resize(count, None);
    shown.truncate(count);
    shown
}

/// The pane next to `at` in `direction`, wrapping around the edge.
pub fn neighbour(at: usize, rows: u8, cols: u8, direction: Direction) -> usize {
    let (rows, cols) = (usize::from(rows.max(1)), usize::from(cols.max(1)));
    let (r, c) = (at / cols, at % cols);
    let (r, c) = match direction {
        Direction::Left => (r, (c + cols - 1) % cols),
        Direction::Right => (r, (c + 1) % cols),
        Direction::Up => ((r + rows - 1) % rows, c),
        Direction::Down => ((r + 1) % rows, c),
    };
    r * cols + c
}

/// Equal shares, or `sizes` moved so the boundary after `index` sits at `share` of the
/// two neighbours' total, each keeping at least `min`.
pub fn drag_boundary(sizes: &[f32], index: usize, share: f32, min: f32) -> Vec<f32> {
    let mut out = sizes.to_vec();
    if index + 1 >= out.len() {
        return out;
    }
    let pair = out[index] + out[index + 1];
    // A small margin keeps both shares at or above `min` after rounding.
    let floor = min * 1.001;
    if pair <= 2.0 * floor || !share.is_finite() {
        return out;
    }
    let first = (share * pair).max(floor).min(pair - floor);
    out[index] = first;
    out[index + 1] = pair - first;
    out
}

/// A CSS grid template from shares. `minmax(0, …)`: a pane's content (a terminal's canvas)
/// never makes its track bigger than its share.
pub fn template(sizes: &[f32]) -> String {
    sizes
        .iter()
        .map(|s| format!("minmax(0, {:.4}fr)", s * 100.0))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_tabs_fill_the_first_empty_pane_then_the_focused_one() {
        let mut panes = vec![Some(1), None, None, Some(4)];
        assert_eq!(place(&mut panes, 7, 3), 1);
        assert_eq!(place(&mut panes, 8, 3), 2);
        assert_eq!(place(&mut panes, 9, 3), 3);
        assert_eq!(panes, [Some(1), Some(7), Some(8), Some(9)]);
        assert_eq!(
            place(&mut panes, 7, 0),
            1,
            "a tab already shown stays where it is"
        );
    }

    #[test]
    fn a_tab_sits_in_one_pane_and_moving_it_swaps() {
        let mut panes = vec![Some(1), Some(2), None];
        assign(&mut panes, 0, 2);
        assert_eq!(panes, [Some(2), Some(1), None]);
        assign(&mut panes, 2, 2);
        assert_eq!(panes, [None, Some(1), Some(2)]);
        assign(&mut panes, 9, 5);
        assert_eq!(
            panes,
            [None, Some(1), Some(2)],
            "no such pane: nothing changes"
        );
    }

    #[test]
    fn closing_refills_with_the_next_tab_off_screen() {
        let strip = [1, 2, 3, 4, 5];
        let mut panes = vec![Some(2), Some(3)];
        remove(&mut panes, 2, &strip);
        assert_eq!(panes, [Some(4), Some(3)]);
        let mut panes = vec![Some(5), Some(3)];
        remove(&mut panes, 5, &strip);
        assert_eq!(panes, [Some(1), Some(3)], "wraps to the start of the strip");
        let mut panes = vec![Some(1), Some(2)];
        remove(&mut panes, 1, &[1, 2]);
        assert_eq!(panes, [None, Some(2)], "nothing left to show");
    }

    #[test]
    fn changing_the_grid_keeps_what_was_shown_in_order() {
        let panes = [Some(1), None, Some(3), Some(4)];
        assert_eq!(regrid(&panes, 1, 2), [Some(1), Some(3)]);
        assert_eq!(
            regrid(&panes, 2, 3),
            [Some(1), Some(3), Some(4), None, None, None]
        );
    }

    #[test]
    fn focus_moves_across_the_grid_and_wraps() {
        assert_eq!(neighbour(0, 2, 2, Direction::Right), 1);
        assert_eq!(neighbour(1, 2, 2, Direction::Right), 0);
        assert_eq!(neighbour(0, 2, 2, Direction::Down), 2);
        assert_eq!(neighbour(0, 2, 2, Direction::Up), 2);
        assert_eq!(neighbour(5, 4, 4, Direction::Left), 4);
    }

    #[test]
    fn splitters_move_within_their_neighbours() {
        let moved = drag_boundary(&[0.5, 0.5], 0, 0.7, 0.05);
        assert!((moved[0] - 0.7).abs() < 1e-6 && (moved[1] - 0.3).abs() < 1e-6);
        let squeezed = drag_boundary(&[0.5, 0.5], 0, 1.0, 0.05);
        assert!((squeezed[1] - 0.05).abs() < 1e-4 && squeezed[1] >= 0.05);
        // Three or four columns dragged to either end stay valid for the server.
        for count in [3u8, 4] {
            for index in 0..usize::from(count) - 1 {
                for share in [-5.0, 0.0, 1.0, 7.0, f32::NAN] {
                    let mut layout = cloudshell::models::workspace::WorkspaceLayout::even(1, count);
                    layout.col_sizes = drag_boundary(&layout.col_sizes, index, share, 0.05);
                    assert!(
                        layout.is_valid(),
                        "{count} cols, boundary {index}, share {share}: {:?}",
                        layout.col_sizes
                    );
                }
            }
        }
        // Neighbours already at their floor are left alone (no panic).
        assert_eq!(
            drag_boundary(&[0.04, 0.04, 0.92], 0, 0.5, 0.05),
            [0.04, 0.04, 0.92]
        );
        assert_eq!(
            template(&[0.25, 0.75]),
            "minmax(0, 25.0000fr) minmax(0, 75.0000fr)"
        );
    }
}
