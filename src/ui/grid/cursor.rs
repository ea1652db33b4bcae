//! The grid's keyboard cursor: one cell (a row of the rows shown, a Region column) that the
//! arrows, Home/End and PageUp/PageDown move, Enter opens the menu of, and Space selects the
//! family of. Pure: where it goes is worked out here; the app reads the keys, the grid draws it.

/// Rows PageUp and PageDown move by.
pub const PAGE_ROWS: usize = 10;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GridCursor {
    /// Index into the rows the grid shows (after filters and sort).
    pub row: usize,
    /// Index into the Regions (the grid's columns after the key family's).
    pub column: usize,
    /// Whether the keyboard has moved it yet: the grid draws it only then.
    pub shown: bool,
    /// It moved this frame: its cell is scrolled into view.
    pub scroll: bool,
    /// Enter asked for its cell's menu this frame.
    pub open_menu: bool,
}

/// A move of the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Up,
    Down,
    Left,
    Right,
    /// The first Region of the row.
    Home,
    /// The last Region of the row.
    End,
    PageUp,
    PageDown,
}

impl GridCursor {
    /// Moves within `rows` × `columns` (never outside; nothing happens in an empty grid).
    pub fn go(&mut self, step: Move, rows: usize, columns: usize) {
        if rows == 0 || columns == 0 {
            return;
        }
        if self.shown {
            let (row, column) = (self.row, self.column);
            (self.row, self.column) = match step {
                Move::Up => (row.saturating_sub(1), column),
                Move::Down => (row + 1, column),
                Move::Left => (row, column.saturating_sub(1)),
                Move::Right => (row, column + 1),
                Move::Home => (row, 0),
                Move::End => (row, columns - 1),
                Move::PageUp => (row.saturating_sub(PAGE_ROWS), column),
                Move::PageDown => (row + PAGE_ROWS, column),
            };
        }
        // The first key shows the cursor where it is (the top-left cell at first).
        self.shown = true;
        self.clamp(rows, columns);
        self.scroll = true;
    }

    /// Keeps the cursor inside the grid after rows or Regions went away.
    pub fn clamp(&mut self, rows: usize, columns: usize) {
        self.row = self.row.min(rows.saturating_sub(1));
        self.column = self.column.min(columns.saturating_sub(1));
    }

    /// Whether it stands on this cell (and is shown).
    pub fn is_at(&self, row: usize, column: usize) -> bool {
        self.shown && self.row == row && self.column == column
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(moves: &[Move]) -> (usize, usize) {
        let mut cursor = GridCursor::default();
        for m in moves {
            cursor.go(*m, 30, 5);
        }
        (cursor.row, cursor.column)
    }

    #[test]
    fn the_first_key_shows_the_cursor_on_the_top_left_cell() {
        let mut cursor = GridCursor::default();
        assert!(!cursor.is_at(0, 0));
        cursor.go(Move::Down, 30, 5);
        assert!(cursor.is_at(0, 0));
    }

    #[test]
    fn arrows_move_one_cell_and_stop_at_the_edges() {
        assert_eq!(after(&[Move::Down, Move::Down, Move::Right]), (1, 1));
        assert_eq!(after(&[Move::Up, Move::Up, Move::Left]), (0, 0));
        assert_eq!(after(&[Move::Right; 9]), (0, 4));
    }

    #[test]
    fn home_and_end_go_to_the_first_and_last_region_and_pages_move_ten_rows() {
        assert_eq!(after(&[Move::Down, Move::End]), (0, 4));
        assert_eq!(after(&[Move::Down, Move::End, Move::Home]), (0, 0));
        assert_eq!(
            after(&[Move::Down, Move::PageDown, Move::PageDown]),
            (20, 0)
        );
        assert_eq!(
            after(&[Move::Down, Move::PageDown, Move::PageDown, Move::PageDown]),
            (29, 0)
        );
        assert_eq!(
            after(&[Move::Down, Move::PageDown, Move::PageUp, Move::PageUp]),
            (0, 0)
        );
    }

    #[test]
    fn an_empty_grid_has_no_cursor() {
        let mut cursor = GridCursor::default();
        cursor.go(Move::Down, 0, 5);
        assert!(!cursor.shown);
    }
}
