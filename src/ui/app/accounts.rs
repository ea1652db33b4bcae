//! Working across accounts: which account the app works in (its state swapped with the
//! waiting slots), the slots' background work polled, and the grid drawn one section per
//! account under its header row.

use egui::{RichText, Ui};

use super::App;
use crate::jobs::Inventory;
use crate::ui::command::Command;
use crate::ui::org::{GridParts, show_grid};

impl App {
    /// Makes account `index` the one worked in: its state comes out of its slot, the current
    /// one's goes into its own. Dialogs, the selection and the plan are of the account left,
    /// so they close. Refused while a plan is being applied (it acts through the current
    /// account's clients) and for an account that could not be entered.
    pub(super) fn work_in(&mut self, index: usize) -> bool {
        if index == self.active || self.work.inventory.running_apply() {
            return false;
        }
        let Some(mut incoming) = self.accounts.get_mut(index).and_then(|s| s.parked.take()) else {
            return false;
        };
        incoming.filters.query = self.work.filters.query.clone();
        incoming.audit.open = self.work.audit.open;
        incoming.audit.only_with_findings = self.work.audit.only_with_findings;
        incoming.audit.missing_in = self.work.audit.missing_in;
        incoming.audit.stale = incoming.audit.has_run;
        let outgoing = std::mem::replace(&mut self.work, incoming);
        if let Some(slot) = self.accounts.get_mut(self.active) {
            slot.parked = Some(outgoing);
        }
        self.active = index;
        self.selected = None;
        self.replicate = None;
        self.confirm = None;
        self.grant_dialog = None;
        self.plan_view = Default::default();
        self.reread_after.clear();
        self.applied_steps.clear();
        self.audit_snapshot_due = false;
        self.reaudit_after_apply = false;
        // The history panel shows the account worked in: its own snapshots, nothing compared.
        self.history.since = None;
        self.history.changes = None;
        self.history.changed_cells.clear();
        self.history.snapshots = None;
        if self.history.open {
            self.work.inventory.load_snapshots(&self.runner);
        }
        true
    }

    /// The waiting accounts' scans and calls go on: their finished work is folded in.
    pub(super) fn poll_parked(&mut self) {
        for slot in &mut self.accounts {
            if let Some(state) = &mut slot.parked {
                state.inventory.poll(&self.runner);
            }
        }
    }

    /// The inventories of every entered account, the one worked in first.
    pub(super) fn for_every_inventory(
        &mut self,
        mut f: impl FnMut(&mut Inventory, &crate::jobs::Runner),
    ) {
        f(&mut self.work.inventory, &self.runner);
        for slot in &mut self.accounts {
            if let Some(state) = &mut slot.parked {
                f(&mut state.inventory, &self.runner);
            }
        }
    }

    /// Every account's section: its header row, then (unless collapsed) its grid. Commands of
    /// another account's section make that account the one worked in first.
    pub(super) fn show_sections(&mut self, ui: &mut Ui, commands: &mut Vec<Command>) {
        let baseline_revision = self.baseline_revision;
        egui::ScrollArea::both()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                for index in 0..self.accounts.len() {
                    if self.account_filter.is_some_and(|f| f != index) {
                        continue;
                    }
                    self.section_header(ui, index, commands);
                    if self.accounts[index].collapsed {
                        continue;
                    }
                    let mut own = Vec::new();
                    if index == self.active {
                        self.show_active_grid(ui, Some(index), &mut own);
                    } else if let Some(state) = &mut self.accounts[index].parked {
                        state.filters.query = self.work.filters.query.clone();
                        let no_changes = Default::default();
                        let parts = GridParts {
                            estate_view: &state.inventory,
                            audit: &state.audit,
                            filters: &mut state.filters,
                            coverage: &mut state.coverage,
                            selected: None,
                            changed: &no_changes,
                            cursor: None,
                            usage: None,
                        };
                        let held = (&self.baseline, baseline_revision);
                        show_grid(
                            ui,
                            parts,
                            held,
                            self.options.read_only,
                            Some(index),
                            &mut own,
                        );
                        if !own.is_empty() {
                            commands.push(Command::WorkInAccount(index));
                        }
                    }
                    commands.append(&mut own);
                    ui.add_space(12.0);
                }
            });
    }

    /// One account's header row: collapse toggle, who it is, how it was entered, and its
    /// families and findings, or why it could not be read.
    fn section_header(&self, ui: &mut Ui, index: usize, commands: &mut Vec<Command>) {
        let slot = &self.accounts[index];
        let account = &slot.account;
        let active = index == self.active;
        let (inventory, audit) = match (&slot.parked, active) {
            (_, true) => (Some(&self.work.inventory), Some(&self.work.audit)),
            (Some(state), false) => (Some(&state.inventory), Some(&state.audit)),
            (None, false) => (None, None),
        };
        egui::Frame::group(ui.style())
            .fill(ui.visuals().faint_bg_color)
            .show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    if slot.entered {
                        let (toggle, label) = match slot.collapsed {
                            true => ("Show", "Expand"),
                            false => ("Hide", "Collapse"),
                        };
                        let button = ui.add(egui::Button::new(RichText::new(toggle).small()));
                        button.widget_info(|| {
                            egui::WidgetInfo::labeled(
                                egui::Role::Button,
                                true,
                                format!("{label} account {}", account.id),
                            )
                        });
                        if button.clicked() {
                            commands.push(Command::ToggleAccount(index));
                        }
                    }
                    ui.label(RichText::new(format!("Account {}", account.label())).strong());
                    ui.label(RichText::new(account.access.to_string()).weak());
                    match (inventory, account.problem()) {
                        (_, Some(problem)) => {
                            ui.colored_label(
                                ui.visuals().error_fg_color,
                                format!("not read: {problem}"),
                            );
                        }
                        (Some(inventory), None) => {
                            let families = inventory.estate().family_count();
                            ui.label(crate::ui::count(families, "family", "families"));
                            match audit.filter(|a| a.has_run) {
                                Some(audit) => ui.label(crate::ui::count(
                                    audit.findings().len(),
                                    "finding",
                                    "findings",
                                )),
                                None => ui.label(RichText::new("not audited").weak()),
                            };
                            if inventory.is_scanning() {
                                ui.spinner();
                            }
                        }
                        (None, None) => {}
                    }
                    if active {
                        ui.label(
                            RichText::new("working in this account")
                                .color(ui.visuals().selection.bg_fill),
                        );
                    } else if slot.entered {
                        let button = ui.button("Work in this account");
                        button.widget_info(|| {
                            egui::WidgetInfo::labeled(
                                egui::Role::Button,
                                true,
                                format!("Work in account {}", account.id),
                            )
                        });
                        if button.clicked() {
                            commands.push(Command::WorkInAccount(index));
                        }
                    }
                });
            });
    }
}
