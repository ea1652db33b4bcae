//! The confirmation of a lifecycle action: what the call will do, in words; the deletion waiting
//! period or the rotation period; and, for deletion, the Region typed by hand before the button
//! unlocks.

use egui::RichText;

use super::command::Command;
use super::window::{Visibility, Window, WindowView};
use crate::domain::lifecycle::{
    DEFAULT_DELETION_DAYS, KeyAction, MAX_DELETION_DAYS, MAX_ROTATION_DAYS, MIN_DELETION_DAYS,
    MIN_ROTATION_DAYS, confirmation_word,
};
use crate::domain::{MrkId, Region};
use crate::jobs::EstateView;

pub struct ActionDialog {
    key_id: MrkId,
    region: Region,
    action: KeyAction,
    days: i32,
    typed: String,
}

impl Window for ActionDialog {
    fn show(
        &mut self,
        ctx: &egui::Context,
        view: &WindowView<'_>,
        commands: &mut Vec<Command>,
    ) -> Visibility {
        Visibility::open_while(self.draw(ctx, view.estate_view, view.read_only, commands))
    }
}

impl ActionDialog {
    pub fn new(key_id: MrkId, region: Region, action: KeyAction) -> ActionDialog {
        ActionDialog {
            key_id,
            region,
            action,
            days: match action {
                KeyAction::ScheduleDeletion { days } | KeyAction::EnableRotation { days } => days,
                _ => DEFAULT_DELETION_DAYS,
            },
            typed: String::new(),
        }
    }

    /// Returns false when the dialog should close.
    fn draw(
        &mut self,
        ctx: &egui::Context,
        estate_view: &dyn EstateView,
        read_only: bool,
        commands: &mut Vec<Command>,
    ) -> bool {
        let estate = estate_view.estate();
        let Some(family) = estate.family(&self.key_id) else {
            return false;
        };
        let Some(key) = family.described().find(|k| k.region == self.region) else {
            return false;
        };
        match self.action {
            KeyAction::ScheduleDeletion { .. } => {
                self.action = KeyAction::ScheduleDeletion { days: self.days };
            }
            KeyAction::EnableRotation { .. } => {
                self.action = KeyAction::EnableRotation { days: self.days };
            }
            _ => {}
        }
        let mut keep = true;
        let modal = egui::Modal::new(egui::Id::unique("key-action-confirmation")).show(ctx, |ui| {
            ui.set_max_width(520.0);
            ui.heading(format!("{} in {}?", self.action, self.region));
            ui.strong(format!(
                "In account {}, Region {}",
                estate_view.account_label(&key.arn),
                self.region
            ));
            ui.label(RichText::new(key.arn.as_str()).monospace().small());
            if let KeyAction::ScheduleDeletion { .. } = self.action {
                ui.add(
                    egui::Slider::new(&mut self.days, MIN_DELETION_DAYS..=MAX_DELETION_DAYS)
                        .text("days of waiting period"),
                );
            }
            if let KeyAction::EnableRotation { .. } = self.action {
                ui.add(
                    egui::Slider::new(&mut self.days, MIN_ROTATION_DAYS..=MAX_ROTATION_DAYS)
                        .text("days between rotations"),
                );
            }
            ui.label(self.action.consequence(key, family));
            let word = confirmation_word(key);
            let typed_ok = if self.action.needs_typed_confirmation() {
                ui.label(format!("Type {word} to confirm:"));
                ui.add(egui::TextEdit::singleline(&mut self.typed).id_salt("typed-confirmation"))
                    .widget_info(|| {
                        egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Typed confirmation")
                    });
                self.typed.trim() == word
            } else {
                true
            };
            let blocker = if read_only {
                Some("read-only mode: no call that changes a key is made".to_string())
            } else if estate_view
                .action_job(&self.key_id, self.region)
                .is_some_and(|j| j.in_flight())
            {
                Some("a call on this key is already in flight".into())
            } else {
                self.action.blocker(key, family)
            };
            if let Some(reason) = &blocker {
                ui.colored_label(ui.visuals().error_fg_color, reason);
            }
            ui.horizontal(|ui| {
                let label = format!("Confirm: {}", self.action.operation());
                // What cannot be undone looks it: white on red, never like Cancel.
                let button = if self.action.needs_typed_confirmation() {
                    egui::Button::new(RichText::new(label).strong().color(egui::Color32::WHITE))
                        .fill(super::grid::MISSING_COLOUR)
                } else {
                    egui::Button::new(label)
                };
                let confirm = ui.add_enabled(blocker.is_none() && typed_ok, button);
                if confirm.clicked() {
                    commands.push(Command::Act(self.key_id.clone(), self.region, self.action));
                    keep = false;
                }
                if ui.button("Cancel").clicked() {
                    keep = false;
                }
            });
        });
        keep && !modal.should_close()
    }
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::{NodeT, Queryable};

    use super::*;
    use crate::ui::literal_estate::{REPLICA, family_id, one_family, region, window_harness};

    fn dialog(action: KeyAction, read_only: bool) -> Harness<'static, Vec<Command>> {
        let estate = one_family();
        let dialog = ActionDialog::new(family_id(), region(REPLICA), action);
        window_harness(dialog, estate, read_only, egui::vec2(800.0, 600.0))
    }

    #[test]
    fn an_action_names_the_account_and_region_it_acts_in_and_is_sent_once_confirmed() {
        let mut harness = dialog(KeyAction::Disable, false);
        harness.get_by_label("In account 111122223333, Region eu-west-1");
        harness.get_by_label("Confirm: DisableKey").click();
        harness.run();
        assert_eq!(
            harness.state(),
            &vec![Command::Act(
                family_id(),
                region(REPLICA),
                KeyAction::Disable
            )]
        );
    }

    #[test]
    fn in_read_only_mode_an_action_cannot_be_confirmed_and_says_why() {
        let harness = dialog(KeyAction::Disable, true);
        harness.get_by_label_contains("read-only mode");
        let confirm = harness.get_by_label("Confirm: DisableKey");
        assert!(confirm.accesskit_node().is_disabled());
    }
}
