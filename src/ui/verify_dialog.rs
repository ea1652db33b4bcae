//! The confirmation of **Verify replicas…**: what the check does (by key usage, a data key, a
//! MAC, a signature or an encapsulated secret made and checked across the family), that it
//! changes nothing, and that its calls are logged in CloudTrail and billed as cryptographic
//! requests. Offered in read-only mode too: it changes no key.

use super::command::Command;
use super::window::{Visibility, Window, WindowView};
use crate::domain::verify::proof_for;
use crate::domain::{MrkId, Role};

pub struct VerifyDialog {
    key_id: MrkId,
}

impl VerifyDialog {
    pub fn new(key_id: MrkId) -> VerifyDialog {
        VerifyDialog { key_id }
    }
}

impl Window for VerifyDialog {
    fn show(
        &mut self,
        ctx: &egui::Context,
        view: &WindowView<'_>,
        commands: &mut Vec<Command>,
    ) -> Visibility {
        let Some(family) = view.estate_view.estate().family(&self.key_id) else {
            return Visibility::Closed;
        };
        let keys: Vec<_> = family.described().collect();
        let replicas = keys.iter().filter(|k| k.role() == Role::Replica).count();
        let account = keys
            .first()
            .map(|k| view.estate_view.account_label(&k.arn))
            .unwrap_or_default();
        let mut keep = true;
        let modal = egui::Modal::new(egui::Id::unique("verify-confirmation")).show(ctx, |ui| {
            ui.set_max_width(520.0);
            ui.heading(format!("Verify {}?", self.key_id));
            ui.strong(format!("In account {account}, {} Regions", keys.len()));
            let primary = keys.iter().find(|k| k.role() == Role::Primary);
            match primary.map(|p| proof_for(p)) {
                Some(Ok(proof)) => {
                    let (make, check) = proof.calls();
                    ui.label(format!(
                        "The primary makes {} that each of the {replicas} replica(s) must check, \
                         and each replica makes one the primary must check: {} {make} and {check} \
                         calls. Nothing is changed; the calls are logged in CloudTrail and billed \
                         as cryptographic requests; secrets never leave this process but to KMS.",
                        proof.what(),
                        replicas * 4
                    ));
                }
                Some(Err(why)) => {
                    ui.label(format!("Nothing will be proved: {why}."));
                }
                None => {
                    ui.label("The family's primary was not read: nothing will be proved.");
                }
            }
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(replicas > 0, egui::Button::new("Confirm: verify"))
                    .on_disabled_hover_text(
                        "A family with no replica has nothing to interoperate with.",
                    )
                    .clicked()
                {
                    commands.push(Command::Verify(self.key_id.clone()));
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
