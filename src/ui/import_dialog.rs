//! **Import material…** on a family whose material is imported: the file of 32 raw bytes, how
//! long it stays, and the order of the calls (NEW into the primary, then the same material as
//! EXISTING into each replica, each answer checked to name the primary's material ID), named
//! with the account and every Region before one confirmation; then each Region's answer. The
//! material is read by the job, never by this window, and never shown.

use super::command::Command;
use super::window::{Visibility, Window, WindowView};
use crate::domain::material::Expiry;
use crate::domain::{MrkId, Role};
use crate::jobs::{MATERIAL_BYTES, MaterialImport};

const DAY: i64 = 86_400;

pub struct ImportDialog {
    key_id: MrkId,
    path: String,
    expires: bool,
    days: u32,
    started: bool,
}

impl ImportDialog {
    pub fn new(key_id: MrkId) -> ImportDialog {
        ImportDialog {
            key_id,
            path: String::new(),
            expires: false,
            days: 365,
            started: false,
        }
    }

    fn expiry(&self) -> Expiry {
        match self.expires {
            false => Expiry::Never,
            true => Expiry::At(crate::jobs::now_epoch() + i64::from(self.days) * DAY),
        }
    }

    fn form(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            let label = ui.label("Material file:");
            ui.add(
                egui::TextEdit::singleline(&mut self.path)
                    .hint_text(format!("{MATERIAL_BYTES} raw bytes"))
                    .desired_width(320.0),
            )
            .labelled_by(label.id);
        });
        ui.checkbox(&mut self.expires, "Material expires");
        if self.expires {
            ui.horizontal(|ui| {
                ui.label("Days from now:");
                ui.add(egui::DragValue::new(&mut self.days).range(1..=365));
            });
        }
    }

    fn outcome(&self, ui: &mut egui::Ui, state: Option<&MaterialImport>) -> bool {
        match state {
            None | Some(MaterialImport::Running) => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Importing…");
                });
                false
            }
            Some(MaterialImport::Refused(why)) => {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("Nothing imported: {why}"),
                );
                true
            }
            Some(MaterialImport::Done(steps)) => {
                for step in steps {
                    match &step.result {
                        Ok(m) => ui.label(format!(
                            "{}: imported key material {}",
                            step.region,
                            m.material_id.get(..8).unwrap_or(&m.material_id)
                        )),
                        Err(p) => ui.colored_label(
                            ui.visuals().error_fg_color,
                            format!("{}: not imported: {}", step.region, p.message),
                        ),
                    };
                }
                true
            }
        }
    }
}

impl Window for ImportDialog {
    fn show(
        &mut self,
        ctx: &egui::Context,
        view: &WindowView<'_>,
        commands: &mut Vec<Command>,
    ) -> Visibility {
        // Read-only mode makes no call that changes a key: not even the form is shown.
        if view.read_only {
            return Visibility::Closed;
        }
        let Some(family) = view.estate_view.estate().family(&self.key_id) else {
            return Visibility::Closed;
        };
        let keys: Vec<_> = family.described().collect();
        let Some(primary) = keys.iter().find(|k| k.role() == Role::Primary) else {
            return Visibility::Closed;
        };
        let replicas: Vec<String> = keys
            .iter()
            .filter(|k| k.role() == Role::Replica)
            .map(|k| k.region.to_string())
            .collect();
        let account = view.estate_view.account_label(&primary.arn);
        let state = view.estate_view.material_import(&self.key_id);
        let mut keep = true;
        let modal = egui::Modal::new(egui::Id::unique("import-material")).show(ctx, |ui| {
            ui.set_max_width(560.0);
            ui.heading(format!("Import key material into {}", self.key_id));
            ui.strong(format!("In account {account}"));
            ui.label(format!(
                "1. NEW key material into the primary, in {}.",
                primary.region
            ));
            ui.label(match replicas.is_empty() {
                true => "2. No replica to import it into.".to_string(),
                false => format!(
                    "2. The same material as EXISTING into {}, each checked to return the primary's material ID.",
                    replicas.join(", ")
                ),
            });
            ui.label(
                "A key that already holds material keeps it: the new material waits for an \
                 on-demand rotation of the primary. The material is wrapped here under each \
                 Region's own wrapping key and is never shown, logged or kept.",
            );
            if self.started {
                if self.outcome(ui, state) && ui.button("Close").clicked() {
                    keep = false;
                }
                return;
            }
            self.form(ui);
            ui.horizontal(|ui| {
                let ready = !self.path.trim().is_empty();
                if ui
                    .add_enabled(ready, egui::Button::new("Confirm: import"))
                    .on_disabled_hover_text("Name the file that holds the material.")
                    .clicked()
                {
                    commands.push(Command::ImportMaterial(
                        self.key_id.clone(),
                        self.path.trim().into(),
                        self.expiry(),
                    ));
                    self.started = true;
                }
                if ui.button("Cancel").clicked() {
                    keep = false;
                }
            });
        });
        Visibility::open_while(keep && !modal.should_close())
    }
}

#[cfg(test)]
mod tests {
    use egui_kittest::kittest::Queryable;

    use super::*;
    use crate::ui::literal_estate::{family_id, one_family, window_harness};

    #[test]
    fn the_import_names_account_and_regions_and_asks_for_the_file_before_confirming() {
        let dialog = ImportDialog::new(family_id());
        let mut harness = window_harness(dialog, one_family(), false, egui::vec2(800.0, 600.0));
        harness.run();
        harness.get_by_label("In account 111122223333");
        harness.get_by_label("1. NEW key material into the primary, in us-east-1.");
        harness.get_by_label_contains("EXISTING into eu-west-1");
        harness.get_by_label("Confirm: import").click();
        harness.run();
        assert!(harness.state().is_empty(), "no file named, nothing asked");
        harness.get_by_label("Material file:").focus();
        harness.run();
        harness
            .get_by_label("Material file:")
            .type_text("/secure/material.bin");
        harness.run();
        harness.snapshot("import_material");
        harness.get_by_label("Confirm: import").click();
        // The confirmed import shows a spinner, which repaints: one frame takes the click.
        harness.step();
        assert_eq!(
            harness.state(),
            &vec![Command::ImportMaterial(
                family_id(),
                "/secure/material.bin".into(),
                Expiry::Never
            )]
        );
        harness.step();
        harness.get_by_label("Importing…");
    }

    #[test]
    fn read_only_mode_never_shows_the_import() {
        let dialog = ImportDialog::new(family_id());
        let mut harness = window_harness(dialog, one_family(), true, egui::vec2(800.0, 600.0));
        harness.run();
        assert!(harness.query_by_label("Confirm: import").is_none());
    }
}
