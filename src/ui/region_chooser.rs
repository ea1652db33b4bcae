//! The Region chooser: which Regions are columns of the grid (and so which are scanned).

use egui::Ui;

use super::command::Command;
use super::window::{Visibility, Window, WindowView};
use crate::domain::{Partition, Region};

/// The chooser window's own state: the selection being edited, and whether Apply or Cancel
/// has closed it.
#[derive(Debug)]
pub struct RegionChooser {
    selection: Vec<Region>,
    done: bool,
}

impl Window for RegionChooser {
    fn show(
        &mut self,
        ctx: &egui::Context,
        _view: &WindowView<'_>,
        commands: &mut Vec<Command>,
    ) -> Visibility {
        let mut open = true;
        let shown = super::window::dialog("Regions", ctx)
            .open(&mut open)
            .default_width(420.0)
            .show(ctx, |ui| self.contents(ui, commands));
        super::window::hold_focus(ctx, shown.as_ref().map(|s| &s.response));
        Visibility::open_while(open && !self.done)
    }
}

impl RegionChooser {
    /// The window, with the current columns selected.
    pub fn with(current: &[Region]) -> RegionChooser {
        RegionChooser {
            selection: current.to_vec(),
            done: false,
        }
    }

    fn contents(&mut self, ui: &mut Ui, commands: &mut Vec<Command>) {
        ui.label("Regions to scan. Opt-in Regions must be enabled for the account first.");
        ui.horizontal(|ui| {
            if ui.button("Default set").clicked() {
                self.selection = Region::default_scan_set();
            }
            if ui.button("All commercial").clicked() {
                self.selection = Region::all_in(Partition::Aws).collect();
            }
            if ui.button("None").clicked() {
                self.selection.clear();
            }
        });
        egui::ScrollArea::vertical()
            .max_height(360.0)
            .show(ui, |ui| {
                for partition in [Partition::Aws, Partition::AwsCn, Partition::AwsUsGov] {
                    ui.separator();
                    ui.strong(format!("Partition {}", partition.arn_name()));
                    egui::Grid::new(("regions", partition.arn_name()))
                        .num_columns(3)
                        .show(ui, |ui| {
                            for (i, region) in Region::all_in(partition).enumerate() {
                                self.checkbox(ui, region);
                                if i % 3 == 2 {
                                    ui.end_row();
                                }
                            }
                        });
                }
            });
        ui.separator();
        let partitions: std::collections::BTreeSet<_> =
            self.selection.iter().map(|r| r.partition()).collect();
        let problem = if self.selection.is_empty() {
            Some("Choose at least one Region.")
        } else if partitions.len() > 1 {
            Some("Choose Regions of one partition: one set of credentials cannot reach several.")
        } else {
            None
        };
        if let Some(problem) = problem {
            ui.colored_label(ui.visuals().error_fg_color, problem);
        }
        ui.horizontal(|ui| {
            let apply = ui.add_enabled(problem.is_none(), egui::Button::new("Apply"));
            if apply.clicked() {
                // Keep the table's column order, whatever order the boxes were ticked in.
                let chosen: Vec<Region> = Region::all()
                    .filter(|r| self.selection.contains(r))
                    .collect();
                commands.push(Command::SetRegions(chosen));
                self.done = true;
            }
            if ui.button("Cancel").clicked() {
                self.done = true;
            }
        });
    }

    fn checkbox(&mut self, ui: &mut Ui, region: Region) {
        let mut on = self.selection.contains(&region);
        let label = if region.is_opt_in() {
            format!("{region} (opt-in)")
        } else {
            region.to_string()
        };
        if ui.checkbox(&mut on, label).changed() {
            if on {
                self.selection.push(region);
            } else {
                self.selection.retain(|r| *r != region);
            }
        }
    }
}
