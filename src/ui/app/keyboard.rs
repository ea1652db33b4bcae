//! The keyboard: the grid's cursor (arrows, Home/End, PageUp/PageDown; Enter opens the cell's
//! menu, Space selects its family), Escape for the topmost window, Ctrl+F for the search, `?`
//! for the list of shortcuts. Read each frame after the dialogs had their keys (a confirmation
//! takes its own Escape) and before the grid is drawn, so the cursor moves in the same frame.

use egui::{Key, Modifiers};

use super::App;
use crate::ui::command::Command;
use crate::ui::grid::{Move, keyboard_focus_id};

/// Every shortcut, as the `?` window lists them.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Tab", "Move between controls; the grid is one of them"),
    ("Arrow keys", "Move the grid's cursor one cell"),
    ("Home / End", "First / last Region of the row"),
    ("Page Up / Page Down", "Ten rows up / down"),
    ("Enter", "Open the menu of the cursor's cell"),
    ("Space", "Select the cursor's key family (its details)"),
    ("Escape", "Close the menu or the topmost window"),
    ("Ctrl+F", "Search key families"),
    ("?", "This list"),
];

/// The grid's keys and the moves they make.
const MOVES: &[(Key, Move)] = &[
    (Key::ArrowUp, Move::Up),
    (Key::ArrowDown, Move::Down),
    (Key::ArrowLeft, Move::Left),
    (Key::ArrowRight, Move::Right),
    (Key::Home, Move::Home),
    (Key::End, Move::End),
    (Key::PageUp, Move::PageUp),
    (Key::PageDown, Move::PageDown),
];

impl App {
    pub(super) fn keyboard(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        self.cursor.scroll = false;
        self.cursor.open_menu = false;
        if self.confirmation_open() {
            return;
        }
        self.escape(ctx);
        if ctx.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::F)) {
            ctx.memory_mut(|m| m.request_focus(crate::ui::filter_bar::search_id()));
            return;
        }
        // The grid's keys, when the grid has focus or nothing does (never while typing, and
        // never behind a window or menu).
        let grid = ctx.memory(|m| m.focused().is_none_or(|id| id == keyboard_focus_id()));
        if !grid || self.window_open() || egui::Popup::is_any_open(ctx) {
            return;
        }
        if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Questionmark)) {
            self.shortcuts_open = true;
            return;
        }
        self.grid_keys(ctx, commands);
    }

    /// A confirmation (a modal) is open: its own keys answer (Escape cancels it).
    fn confirmation_open(&self) -> bool {
        self.confirm.is_some()
            || self.verify_dialog.is_some()
            || self.import_dialog.is_some()
            || self.material_delete_dialog.is_some()
            || self.grant_dialog.is_some()
            || self.plan_view.is_confirming()
            || self
                .replicate
                .as_ref()
                .is_some_and(|r| r.is_confirming_bypass())
    }

    /// A window is open over the grid.
    fn window_open(&self) -> bool {
        self.shortcuts_open
            || self.replicate.is_some()
            || self.chooser.is_some()
            || self.retire.is_some()
    }

    /// Escape closes the topmost window: the shortcuts, then the replicate dialog, then the
    /// Regions. A menu closes itself on Escape, so the key is left to it.
    fn escape(&mut self, ctx: &egui::Context) {
        if !self.window_open() || egui::Popup::is_any_open(ctx) {
            return;
        }
        if !ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape)) {
            return;
        }
        if self.shortcuts_open {
            self.shortcuts_open = false;
        } else if self.replicate.is_some() {
            self.replicate = None;
        } else if self.retire.is_some() {
            self.retire = None;
        } else {
            self.chooser = None;
        }
    }

    fn grid_keys(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        let estate = self.work.inventory.estate();
        let rows = self
            .work
            .filters
            .rows()
            .map_or(estate.family_count(), <[_]>::len);
        let columns = estate.regions().len();
        self.cursor.clamp(rows, columns);
        for (key, step) in MOVES {
            if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, *key)) {
                self.cursor.go(*step, rows, columns);
            }
        }
        if !self.cursor.shown {
            return;
        }
        if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Enter)) {
            self.cursor.open_menu = true;
        }
        if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Space)) {
            let id = match self.work.filters.rows() {
                Some(rows) => rows.get(self.cursor.row).cloned(),
                None => estate.family_at(self.cursor.row).map(|(id, _)| id.clone()),
            };
            if let Some(id) = id {
                commands.push(Command::Select(Some(id)));
            }
        }
    }

    /// The `?` window: every shortcut.
    pub(super) fn shortcuts_window(&mut self, ctx: &egui::Context) {
        if !self.shortcuts_open {
            return;
        }
        let mut open = true;
        let shown = crate::ui::window::dialog("Keyboard shortcuts", ctx)
            .open(&mut open)
            .show(ctx, |ui| {
                egui::Grid::new("shortcuts")
                    .num_columns(2)
                    .spacing([16.0, 4.0])
                    .show(ui, |ui| {
                        for (keys, what) in SHORTCUTS {
                            ui.strong(*keys);
                            ui.label(*what);
                            ui.end_row();
                        }
                    });
            });
        crate::ui::window::hold_focus(ctx, shown.as_ref().map(|s| &s.response));
        self.shortcuts_open = open;
    }
}
