//! The confirmation of deleting one key material: the account, Region and material named, what
//! it does beyond this key (a primary's pending material goes from every replica too; a current
//! or older one leaves the key PendingImport), and — a deletion — the material's first eight
//! digits typed by hand before the red button. Never in read-only mode.

use egui::RichText;

use super::command::Command;
use super::window::{Visibility, Window, WindowView};
use crate::domain::material::{KeyMaterial, deletion_consequence};
use crate::domain::{MrkId, Region, Role};

pub struct MaterialDeleteDialog {
    key_id: MrkId,
    region: Region,
    material: KeyMaterial,
    typed: String,
}

impl MaterialDeleteDialog {
    pub fn new(key_id: MrkId, region: Region, material: KeyMaterial) -> MaterialDeleteDialog {
        MaterialDeleteDialog {
            key_id,
            region,
            material,
            typed: String::new(),
        }
    }
}

impl Window for MaterialDeleteDialog {
    fn show(
        &mut self,
        ctx: &egui::Context,
        view: &WindowView<'_>,
        commands: &mut Vec<Command>,
    ) -> Visibility {
        if view.read_only {
            return Visibility::Closed;
        }
        let Some(family) = view.estate_view.estate().family(&self.key_id) else {
            return Visibility::Closed;
        };
        let Some(key) = family.described().find(|k| k.region == self.region) else {
            return Visibility::Closed;
        };
        let replicas: Vec<String> = family
            .described()
            .filter(|k| k.role() == Role::Replica)
            .map(|k| k.region.to_string())
            .collect();
        let account = view.estate_view.account_label(&key.arn);
        let busy = view
            .estate_view
            .material_deletion(&self.key_id, self.region)
            .is_some_and(|d| d.in_flight());
        let mut keep = true;
        let modal = egui::Modal::new(egui::Id::unique("delete-material")).show(ctx, |ui| {
            ui.set_max_width(560.0);
            ui.heading(format!(
                "Delete key material {} of {}?",
                self.material.short_id(),
                self.key_id
            ));
            ui.strong(format!("In account {account}, Region {}", self.region));
            ui.label(format!(
                "Material {} ({})",
                self.material.id,
                self.material.state.label()
            ));
            ui.label(deletion_consequence(key.role(), &self.material, &replicas));
            let word = self.material.short_id().to_string();
            ui.label(format!("Type {word} to confirm:"));
            ui.add(egui::TextEdit::singleline(&mut self.typed).id_salt("typed-material"))
                .widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Typed confirmation")
                });
            if busy {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    "a deletion on this key is already in flight",
                );
            }
            ui.horizontal(|ui| {
                let button = egui::Button::new(
                    RichText::new("Confirm: DeleteImportedKeyMaterial")
                        .strong()
                        .color(egui::Color32::WHITE),
                )
                .fill(super::grid::MISSING_COLOUR);
                let ready = !busy && self.typed.trim() == word;
                if ui.add_enabled(ready, button).clicked() {
                    commands.push(Command::DeleteMaterial(
                        self.key_id.clone(),
                        self.region,
                        self.material.id.clone(),
                    ));
                    keep = false;
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
    use crate::domain::material::MaterialState;
    use crate::ui::literal_estate::{PRIMARY, family_id, one_family, region, window_harness};

    fn pending() -> KeyMaterial {
        KeyMaterial {
            id: "ab".repeat(32),
            state: MaterialState::PendingMultiRegion,
            imported: true,
            valid_to: None,
            description: None,
        }
    }

    #[test]
    fn deleting_a_primarys_pending_material_warns_of_the_replicas_and_needs_its_id_typed() {
        let dialog = MaterialDeleteDialog::new(family_id(), region(PRIMARY), pending());
        let mut harness = window_harness(dialog, one_family(), false, egui::vec2(800.0, 600.0));
        harness.run();
        harness.get_by_label("In account 111122223333, Region us-east-1");
        harness.get_by_label_contains("also deletes the replicas' copies, in eu-west-1");
        harness
            .get_by_label("Confirm: DeleteImportedKeyMaterial")
            .click();
        harness.run();
        assert!(harness.state().is_empty(), "not typed: nothing asked");
        harness.get_by_label("Typed confirmation").focus();
        harness.run();
        harness
            .get_by_label("Typed confirmation")
            .type_text("abababab");
        harness.run();
        harness
            .get_by_label("Confirm: DeleteImportedKeyMaterial")
            .click();
        harness.run();
        assert_eq!(
            harness.state(),
            &vec![Command::DeleteMaterial(
                family_id(),
                region(PRIMARY),
                "ab".repeat(32)
            )]
        );
    }

    #[test]
    fn read_only_mode_never_shows_a_material_deletion() {
        let dialog = MaterialDeleteDialog::new(family_id(), region(PRIMARY), pending());
        let mut harness = window_harness(dialog, one_family(), true, egui::vec2(800.0, 600.0));
        harness.run();
        assert!(
            harness
                .query_by_label("Confirm: DeleteImportedKeyMaterial")
                .is_none()
        );
    }
}
