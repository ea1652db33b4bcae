//! The toolbar: refresh, Regions, accounts, audit, history, and the account filter.

use egui::{RichText, Ui};

use super::App;
use crate::ui::command::Command;
use crate::ui::region_chooser::RegionChooser;

impl App {
    /// The actions first, so they stay reachable however narrow the window: the row wraps
    /// instead of pushing them off its right edge.
    pub(super) fn toolbar(&mut self, ui: &mut Ui, commands: &mut Vec<Command>) {
        ui.horizontal_wrapped(|ui| {
            let scanning = self.work.inventory.is_scanning();
            let busy = "A scan is running: wait for it to finish.";
            let full = ui
                .add_enabled(!scanning, egui::Button::new("Refresh"))
                .on_hover_text("List and describe every key in every chosen Region again.")
                .on_disabled_hover_text(busy);
            if full.clicked() {
                commands.push(Command::Refresh);
            }
            let changes = ui
                .add_enabled(!scanning, egui::Button::new("Refresh changes"))
                .on_hover_text(
                    "List every Region again, but describe only new keys, keys in a changing \
                     state (Creating, Updating, Pending…), keys that could not be read, and \
                     families that gained or lost a Region. Settled Enabled and Disabled keys \
                     are not read again: a change made to one elsewhere shows after Refresh.",
                )
                .on_disabled_hover_text(busy);
            if changes.clicked() {
                commands.push(Command::RefreshChanges);
            }
            if ui.button("Regions…").clicked() {
                self.chooser = Some(RegionChooser::with(self.work.inventory.estate().regions()));
            }
            if !self.accounts.is_empty() {
                self.account_filter_box(ui, commands);
            }
            let audit = ui
                .add_enabled(!scanning, egui::Button::new("Audit"))
                .on_hover_text(
                    "Compare every replica with its primary (policy, tags, description, \
                     aliases, state) and list what needs attention",
                )
                .on_disabled_hover_text(busy);
            if audit.clicked() {
                commands.push(Command::RunAudit);
            }
            let mut usage_on = self.usage_view.is_some();
            let usage = ui.toggle_value(&mut usage_on, "Usage").on_hover_text(
                "Mark each key on screen by its last use (GetKeyLastUsage): used today, \
                     this month, not in N days, never. Only the rows on screen are read, at 5 \
                     calls per second per Region.",
            );
            if usage.changed() {
                self.usage_view = usage_on.then(Default::default);
            }
            let has_history = self.work.inventory.history_log().is_some();
            let history = ui
                .add_enabled(has_history, egui::Button::new("History"))
                .on_hover_text(
                    "Findings over the saved snapshots, and what changed since one of them \
                     (marked on the grid)",
                )
                .on_disabled_hover_text(
                    "History is off (--no-history, or the demo without --state-dir)",
                );
            if history.clicked() {
                commands.push(Command::OpenHistory);
            }
            ui.separator();
            if self.options.read_only {
                ui.label(
                    RichText::new("READ-ONLY")
                        .strong()
                        .color(ui.visuals().warn_fg_color),
                )
                .on_hover_text(
                    "Started with --read-only: no call that changes a key is offered or made.",
                );
            }
            ui.heading("KMS multi-Region keys");
            ui.add(egui::Label::new(RichText::new(&self.options.connection).weak()).truncate());
        });
    }

    /// Which accounts' sections the grid shows: all, or one.
    pub(super) fn account_filter_box(&self, ui: &mut Ui, commands: &mut Vec<Command>) {
        let shown = match self.account_filter.and_then(|i| self.accounts.get(i)) {
            Some(slot) => slot.account.label(),
            None => "All accounts".to_string(),
        };
        crate::ui::captioned_combo(ui, "Account filter", shown, |ui| {
            if ui
                .selectable_label(self.account_filter.is_none(), "All accounts")
                .clicked()
            {
                commands.push(Command::FilterAccount(None));
            }
            for (index, slot) in self.accounts.iter().enumerate() {
                let chosen = self.account_filter == Some(index);
                if ui.selectable_label(chosen, slot.account.label()).clicked() {
                    commands.push(Command::FilterAccount(Some(index)));
                }
            }
        });
    }
}
