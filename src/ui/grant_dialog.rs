//! The confirmation of copying a primary's grant to a replica: the account and Region it acts
//! in (the replica's ARN names both), the grant in words, and the CreateGrant call it makes.

use egui::RichText;

use super::command::Command;
use super::window::{Visibility, Window, WindowView};
use crate::domain::parity::Grant;
use crate::domain::{KeyState, MrkId, Region};
use crate::jobs::EstateView;

pub struct GrantDialog {
    key_id: MrkId,
    region: Region,
    grant: Grant,
}

impl Window for GrantDialog {
    fn show(
        &mut self,
        ctx: &egui::Context,
        view: &WindowView<'_>,
        commands: &mut Vec<Command>,
    ) -> Visibility {
        Visibility::open_while(self.draw(ctx, view.estate_view, view.read_only, commands))
    }
}

impl GrantDialog {
    pub fn new(key_id: MrkId, region: Region, grant: Grant) -> GrantDialog {
        GrantDialog {
            key_id,
            region,
            grant,
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
        let Some(key) = estate_view
            .estate()
            .family(&self.key_id)
            .and_then(|f| f.described().find(|k| k.region == self.region))
        else {
            return false;
        };
        let mut keep = true;
        let modal = egui::Modal::new(egui::Id::unique("copy-grant-confirmation")).show(ctx, |ui| {
            ui.set_max_width(560.0);
            ui.heading(format!("Copy the grant to {}?", self.region));
            let account = estate_view.account_label(&key.arn);
            ui.strong(format!("In account {account}, Region {}", self.region));
            ui.label(RichText::new(key.arn.as_str()).monospace().small());
            ui.label(format!("Grant: {}", self.grant.describe()));
            ui.label(format!(
                "CreateGrant on the replica in {}: the same grantee, operations, constraints, \
                 retiring principal and name as the primary's grant. KMS gives the new grant its \
                 own ID; it works only in {}.",
                self.region, self.region
            ));
            let blocker = if read_only {
                Some("read-only mode: no call that changes a key is made".to_string())
            } else if estate_view
                .grant_copy(&self.key_id, self.region)
                .is_some_and(|c| c.in_flight())
            {
                Some("a grant is already being copied to this Region".into())
            } else if key.state != KeyState::Enabled {
                Some(format!(
                    "the replica is {}; KMS grants only on an Enabled key",
                    key.state
                ))
            } else {
                None
            };
            if let Some(reason) = &blocker {
                ui.colored_label(ui.visuals().error_fg_color, reason);
            }
            ui.horizontal(|ui| {
                let confirm =
                    ui.add_enabled(blocker.is_none(), egui::Button::new("Confirm: CreateGrant"));
                if confirm.clicked() {
                    commands.push(Command::CopyGrant(
                        self.key_id.clone(),
                        self.region,
                        self.grant.clone(),
                    ));
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
    use egui_kittest::kittest::Queryable;

    use super::*;
    use crate::ui::literal_estate::{REPLICA, family_id, one_family, region, window_harness};

    fn grant() -> Grant {
        Grant {
            id: "g-1".into(),
            name: None,
            grantee: "arn:aws:iam::111122223333:role/app".into(),
            grantee_kind: Default::default(),
            retiring: None,
            retiring_service: false,
            operations: ["Decrypt".to_string()].into(),
            constraints: Default::default(),
        }
    }

    #[test]
    fn a_grant_copy_names_the_account_and_region_and_is_sent_once_confirmed() {
        let estate = one_family();
        let dialog = GrantDialog::new(family_id(), region(REPLICA), grant());
        let mut harness = window_harness(dialog, estate, false, egui::vec2(800.0, 600.0));
        harness.get_by_label("In account 111122223333, Region eu-west-1");
        harness.get_by_label("Confirm: CreateGrant").click();
        harness.run();
        assert_eq!(
            harness.state(),
            &vec![Command::CopyGrant(family_id(), region(REPLICA), grant())]
        );
    }
}
