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
    /// The partition of the Regions shown: the credentials reach one, so only its Regions are
    /// offered.
    partition: Partition,
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
            partition: current.first().map_or(Partition::Aws, |r| r.partition()),
            done: false,
        }
    }

    fn contents(&mut self, ui: &mut Ui, commands: &mut Vec<Command>) {
        ui.label("Regions to scan. Opt-in Regions must be enabled for the account first.");
        ui.horizontal(|ui| {
            if ui.button("Default set").clicked() {
                self.selection = Region::default_scan_set();
            }
            if ui
                .button(format!("All in {}", self.partition.arn_name()))
                .clicked()
            {
                self.selection = Region::all_in(self.partition).collect();
            }
            if ui.button("None").clicked() {
                self.selection.clear();
            }
        });
        egui::ScrollArea::vertical()
            .max_height(360.0)
            .show(ui, |ui| {
                let partition = self.partition;
                ui.label(
                    egui::RichText::new(format!(
                        "Regions of the partition {} (the credentials reach one partition; start with --partition for another).",
                        partition.arn_name()
                    ))
                    .small(),
                );
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

#[cfg(test)]
mod tests {
    use egui_kittest::kittest::Queryable;

    use super::*;

    /// An account of the aws partition is offered aws Regions only: its credentials reach no
    /// other.
    #[test]
    fn only_the_partition_of_the_grids_regions_is_offered() {
        let current: Vec<Region> = ["us-east-1", "eu-west-1"]
            .iter()
            .map(|r| r.parse().unwrap())
            .collect();
        let chooser = RegionChooser::with(&current);
        let estate = crate::domain::Estate::new(current);
        let harness = crate::ui::literal_estate::window_harness(
            chooser,
            estate,
            false,
            egui::vec2(800.0, 900.0),
        );
        harness.get_by_label("us-west-2");
        harness.get_by_label("All in aws");
        assert!(harness.query_by_label("cn-north-1").is_none());
        assert!(harness.query_by_label_contains("us-gov-west-1").is_none());
    }
}
