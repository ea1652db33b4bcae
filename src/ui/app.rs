//! The application: app state (inventory, chooser, options) and the frame that draws it.
//!
//! `App::show` is the whole UI for one frame; `eframe::App::ui` only forwards to it, so tests can
//! drive the very same code through `egui_kittest` without a window.

use egui::{RichText, Ui};

use super::command::Command;
use super::grid;
use super::region_chooser::RegionChooser;
use crate::domain::{Region, RegionStatus};
use crate::jobs::{Inventory, Runner};
use crate::kms::KmsClients;

/// What the user chose on the command line.
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    /// No mutating call is offered or made.
    pub read_only: bool,
    /// Where the app is connected, for the toolbar: profile and endpoint, never credentials.
    pub connection: String,
}

pub struct App {
    runner: Runner,
    inventory: Inventory,
    chooser: RegionChooser,
    options: AppOptions,
    started: bool,
}

impl App {
    pub fn new(
        runner: Runner,
        clients: KmsClients,
        regions: Vec<Region>,
        options: AppOptions,
    ) -> App {
        App {
            inventory: Inventory::new(clients, regions),
            runner,
            chooser: RegionChooser::default(),
            options,
            started: false,
        }
    }

    pub fn inventory(&self) -> &Inventory {
        &self.inventory
    }

    pub fn runner(&self) -> &Runner {
        &self.runner
    }

    /// Draws one frame.
    pub fn show(&mut self, ui: &mut Ui) {
        if !self.started {
            // Background jobs wake this context when they finish; nothing repaints on a timer.
            let ctx = ui.ctx().clone();
            self.runner
                .set_repaint(std::sync::Arc::new(move || ctx.request_repaint()));
            self.inventory.refresh(&self.runner);
            self.started = true;
        }
        self.inventory.poll(&self.runner);

        let mut commands = Vec::new();
        egui::Panel::top("toolbar").show(ui, |ui| self.toolbar(ui, &mut commands));
        egui::Panel::bottom("status").show(ui, |ui| self.status_bar(ui));
        if self.chooser.open {
            self.chooser.show(ui.ctx(), &mut commands);
        }
        egui::CentralPanel::default().show(ui, |ui| grid::show(ui, &self.inventory));

        for command in commands {
            self.apply(command);
        }
    }

    fn apply(&mut self, command: Command) {
        match command {
            Command::Refresh => self.inventory.refresh(&self.runner),
            Command::SetRegions(regions) => self.inventory.set_regions(&self.runner, regions),
        }
    }

    fn toolbar(&mut self, ui: &mut Ui, commands: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            ui.heading("KMS multi-Region keys");
            ui.separator();
            ui.label(RichText::new(&self.options.connection).weak());
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
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("Refresh").clicked() {
                    commands.push(Command::Refresh);
                }
                if ui.button("Regions…").clicked() {
                    self.chooser.open_with(self.inventory.estate().regions());
                }
            });
        });
    }

    fn status_bar(&self, ui: &mut Ui) {
        let estate = self.inventory.estate();
        let regions = estate.regions();
        let failed = regions
            .iter()
            .filter(|r| matches!(estate.status(**r), RegionStatus::Failed(_)))
            .count();
        let scanning = regions
            .iter()
            .filter(|r| self.inventory.progress(**r).is_some())
            .count();
        ui.horizontal(|ui| {
            ui.label(format!(
                "{} · {}",
                count(estate.family_count(), "key family", "key families"),
                count(regions.len(), "Region", "Regions")
            ));
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
        });
    }
}

/// "1 Region", "3 Regions".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }
}
