//! The status bar: the connection, what is in flight, where the history is.

use egui::{RichText, Ui};

use super::App;
use crate::domain::RegionStatus;
use crate::ui::count;

impl App {
    pub(super) fn status_bar(&self, ui: &mut Ui) {
        let estate = self.work.inventory.estate();
        let regions = estate.regions();
        let failed = regions
            .iter()
            .filter(|r| matches!(estate.status(**r), RegionStatus::Failed(_)))
            .count();
        let scanning = regions
            .iter()
            .filter(|r| self.work.inventory.progress(**r).is_some())
            .count();
        ui.horizontal_wrapped(|ui| {
            let shown = self.work.filters.shown(estate);
            let families = if shown == estate.family_count() {
                count(estate.family_count(), "key family", "key families")
            } else {
                format!(
                    "{shown} of {} shown",
                    count(estate.family_count(), "key family", "key families")
                )
            };
            ui.label(format!(
                "{families} · {}",
                count(regions.len(), "Region", "Regions")
            ));
            if let Some(account) = self.working_account() {
                let not_read = self.accounts.iter().filter(|s| !s.entered).count();
                let in_window: usize = estate.family_count()
                    + self
                        .accounts
                        .iter()
                        .filter_map(|s| s.parked.as_ref())
                        .map(|state| state.inventory.estate().family_count())
                        .sum::<usize>();
                ui.separator();
                ui.label(format!(
                    "in account {} · {} in {} in the window",
                    account.label(),
                    count(in_window, "key family", "key families"),
                    count(self.accounts.len(), "account", "accounts")
                ));
                if not_read > 0 {
                    ui.colored_label(
                        ui.visuals().error_fg_color,
                        format!("{} not read", count(not_read, "account", "accounts")),
                    );
                }
            }
            if scanning > 0 {
                ui.separator();
                ui.spinner();
                ui.label(format!("scanning {}", count(scanning, "Region", "Regions")));
            }
            if failed > 0 {
                ui.separator();
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!(
                        "{} could not be read (hover the column header for the reason)",
                        count(failed, "Region", "Regions")
                    ),
                );
            }
            self.baseline_status(ui);
            self.history_status(ui);
        });
        crate::ui::grid::legend(
            ui,
            &self.baseline,
            self.history.since.is_some(),
            self.usage_view.is_some(),
        );
    }

    /// Which baseline holds the grid: its file and what it asks, or none.
    fn baseline_status(&self, ui: &mut Ui) {
        ui.separator();
        if self.baseline.asks_nothing() {
            ui.label(RichText::new("No baseline").weak());
            return;
        }
        let from = self
            .baseline_source
            .as_deref()
            .map(|file| format!(" {file}"))
            .unwrap_or_default();
        ui.label(format!(
            "Baseline{from}: {}, {} required",
            count(self.baseline.rules.len(), "rule", "rules"),
            count(self.baseline.require_regions.len(), "Region", "Regions")
        ));
    }

    /// Where the history is kept (or why not), and the last write that failed.
    pub(super) fn history_status(&self, ui: &mut Ui) {
        let failed = self
            .work
            .inventory
            .history_log()
            .and_then(|log| log.problem());
        if let Some(problem) = failed {
            ui.separator();
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("History not saved: {problem}"),
            );
        } else if let Some(note) = &self.options.history_note {
            ui.separator();
            ui.label(RichText::new(note).small().weak());
        }
    }
}
