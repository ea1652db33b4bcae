//! The Replicate dialog: target Regions, Description, Policy and Tags (each API default, copy
//! from primary, or custom), an optional alias, BypassPolicyLockoutSafetyCheck behind a second
//! confirmation, every difference from the KMS console in words, and a confirmation step that
//! lists exactly the calls that will be made.

use egui::{RichText, Ui};

use super::command::Command;
use super::count;
use super::window::{Visibility, Window, WindowView};
use super::{policy_editor, tag_editor};
use crate::domain::replicate::{Field, target_status};
use crate::domain::{
    Draft, Estate, MrkId, PrimaryProps, Region, ReplicateRequest, Source, TargetStatus,
};
use crate::jobs::EstateView;

/// Room kept under the scrolling fields for the action row (buttons and a line of text).
const ACTION_ROW_HEIGHT: f32 = 44.0;

enum Step {
    Edit,
    Confirm(Vec<ReplicateRequest>),
}

/// The dialog's own state; the app keeps one while it is open.
pub struct ReplicateDialog {
    draft: Draft,
    props: PrimaryProps,
    /// The primary's policy and tags are still being read.
    loading: bool,
    load_error: Option<String>,
    step: Step,
    /// The second confirmation for BypassPolicyLockoutSafetyCheck is showing.
    confirming_bypass: bool,
    show_diff: bool,
}

impl Window for ReplicateDialog {
    fn show(
        &mut self,
        ctx: &egui::Context,
        view: &WindowView<'_>,
        commands: &mut Vec<Command>,
    ) -> Visibility {
        self.draw(ctx, view.estate_view, view.read_only, commands)
    }
}

impl ReplicateDialog {
    /// A dialog for the family's primary in `primary_region`; its policy and tags arrive later
    /// through `set_primary_props`.
    pub fn new(key_id: MrkId, primary_region: Region, props: PrimaryProps) -> ReplicateDialog {
        ReplicateDialog {
            draft: Draft::new(key_id, primary_region, &props),
            props,
            loading: true,
            load_error: None,
            step: Step::Edit,
            confirming_bypass: false,
            show_diff: false,
        }
    }

    /// The second confirmation of the lockout-safety bypass is open.
    pub fn is_confirming_bypass(&self) -> bool {
        self.confirming_bypass
    }

    /// Which primary the dialog replicates: the key of the read it waits for.
    pub fn primary(&self) -> (&MrkId, Region) {
        (&self.draft.key_id, self.draft.primary_region)
    }

    /// The primary's policy and tags as read (what the console would copy), or why not.
    pub fn set_primary_props(&mut self, read: Result<PrimaryProps, crate::jobs::TaskError>) {
        self.loading = false;
        match read {
            Ok(props) => {
                self.props.policy = props.policy;
                self.props.tags = props.tags;
                self.draft.fill_from(&self.props);
            }
            Err(e) => self.load_error = Some(e.to_string()),
        }
    }

    fn draw(
        &mut self,
        ctx: &egui::Context,
        estate_view: &dyn EstateView,
        read_only: bool,
        commands: &mut Vec<Command>,
    ) -> Visibility {
        let mut open = true;
        let mut outcome = Visibility::Open;
        // Sized to the window, never taller than it: the fields scroll, the action row stays
        // at the bottom in view.
        let screen = ctx.content_rect().size();
        let width = (screen.x - 40.0).clamp(320.0, 760.0);
        let height = (screen.y - 60.0).max(240.0);
        let shown = super::window::dialog(format!("Replicate {}", self.draft.key_id), ctx)
            .id(egui::Id::unique("replicate-dialog"))
            .open(&mut open)
            .default_width(width)
            .default_height(height)
            .max_height(height)
            .max_width(screen.x - 20.0)
            .constrain(true)
            .vscroll(false)
            .show(ctx, |ui| {
                outcome = match &self.step {
                    Step::Edit => self.edit(ui, estate_view, read_only, commands),
                    Step::Confirm(_) => {
                        let account = estate_view
                            .estate()
                            .family(&self.draft.key_id)
                            .and_then(|f| f.described().next())
                            .map(|k| estate_view.account_label(&k.arn))
                            .unwrap_or_else(|| "unknown".into());
                        self.confirm(ui, &account, read_only, commands)
                    }
                };
            });
        super::window::hold_focus(ctx, shown.as_ref().map(|s| &s.response));
        if self.confirming_bypass {
            self.bypass_confirmation(ctx);
        }
        if open { outcome } else { Visibility::Closed }
    }

    fn status(
        &self,
        estate: &Estate,
        estate_view: &dyn EstateView,
        region: Region,
    ) -> TargetStatus {
        let status = target_status(
            estate,
            &self.draft.key_id,
            self.draft.primary_region,
            region,
        );
        if status.selectable() && estate_view.replica_in_flight(&self.draft.key_id, region) {
            // Shown as held: a call for this family and Region is already under way.
            return TargetStatus::HoldsKey {
                role: crate::domain::Role::Replica,
                state: Some(crate::domain::KeyState::Creating),
            };
        }
        status
    }

    /// The fields in a scroll area, and under it the action row, always in view.
    fn edit(
        &mut self,
        ui: &mut Ui,
        estate_view: &dyn EstateView,
        read_only: bool,
        commands: &mut Vec<Command>,
    ) -> Visibility {
        let estate = estate_view.estate();
        let status = |r: Region| self.status(estate, estate_view, r);
        let result = self.draft.requests(&self.props, status);
        let mut reasons: Vec<String> = Vec::new();
        if read_only {
            reasons.push("read-only mode: no call that changes a key is made".into());
        }
        if let Err(problems) = &result {
            reasons.extend(problems.iter().map(ToString::to_string));
        }
        egui::ScrollArea::vertical()
            .max_height((ui.available_height() - ACTION_ROW_HEIGHT).max(80.0))
            .auto_shrink([false, true])
            .show(ui, |ui| {
                self.fields(ui, estate_view, read_only, commands);
                for reason in &reasons {
                    ui.colored_label(ui.visuals().error_fg_color, reason);
                }
            });
        ui.separator();
        let mut outcome = Visibility::Open;
        ui.horizontal_wrapped(|ui| {
            let button = ui
                .add_enabled(reasons.is_empty(), egui::Button::new("Review calls…"))
                .on_disabled_hover_text(reasons.join("\n"));
            if button.clicked()
                && let Ok(requests) = result
            {
                self.step = Step::Confirm(requests);
            }
            if ui.button("Cancel").clicked() {
                outcome = Visibility::Closed;
            }
            if !reasons.is_empty() {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!(
                        "{} to fix first (listed above)",
                        count(reasons.len(), "problem", "problems")
                    ),
                );
            }
        });
        outcome
    }

    fn fields(
        &mut self,
        ui: &mut Ui,
        estate_view: &dyn EstateView,
        read_only: bool,
        commands: &mut Vec<Command>,
    ) {
        self.intro(ui);
        ui.separator();
        ui.strong("Target Regions");
        self.targets(ui, estate_view.estate(), estate_view, read_only, commands);
        let differences = self.draft.differences(&self.props);
        ui.separator();
        self.description_field(ui);
        flag(ui, &differences, Field::Description);
        ui.separator();
        self.policy_field(ui);
        flag(ui, &differences, Field::Policy);
        ui.separator();
        self.tags_field(ui);
        flag(ui, &differences, Field::Tags);
        ui.separator();
        self.alias_field(ui);
        flag(ui, &differences, Field::Alias);
        ui.separator();
        self.bypass_field(ui);
        ui.separator();
        ui.strong("Differences from what the KMS console would do");
        if differences.is_empty() {
            ui.label("None: these replicas get what the console would give them.");
        } else {
            for d in &differences {
                ui.label(format!("• {:?}: {}", d.field, d.text));
            }
        }
    }

    /// What ReplicateKey copies and what it does not, and whether the primary's properties
    /// have been read.
    fn intro(&self, ui: &mut Ui) {
        ui.label(format!(
            "Primary in {}. ReplicateKey creates one replica per Region; KMS copies the key \
             material, spec and usage, but not the policy, tags, description or aliases: \
             choose those below.",
            self.draft.primary_region
        ));
        if let Some(e) = &self.load_error {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("Could not read the primary's policy and tags: {e}"),
            );
        } else if self.loading {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Reading the primary's policy and tags…");
            });
        }
    }

    fn description_field(&mut self, ui: &mut Ui) {
        ui.strong("Description");
        ui.horizontal(|ui| {
            ui.radio_value(
                &mut self.draft.description,
                Source::ApiDefault,
                "Empty (API default)",
            );
            ui.radio_value(
                &mut self.draft.description,
                Source::CopyFromPrimary,
                "Copy primary's description (console)",
            );
            ui.radio_value(
                &mut self.draft.description,
                Source::Custom,
                "Custom description",
            );
        });
        if self.draft.description == Source::Custom {
            ui.add(
                egui::TextEdit::singleline(&mut self.draft.custom_description)
                    .id_salt("custom-description")
                    .desired_width(f32::INFINITY),
            );
        }
    }

    fn policy_field(&mut self, ui: &mut Ui) {
        ui.strong("Key policy");
        ui.horizontal(|ui| {
            ui.radio_value(
                &mut self.draft.policy,
                Source::ApiDefault,
                "Default key policy (API default)",
            );
            ui.radio_value(
                &mut self.draft.policy,
                Source::CopyFromPrimary,
                "Copy primary's policy (console)",
            );
            ui.radio_value(&mut self.draft.policy, Source::Custom, "Custom policy");
        });
        match self.draft.policy {
            Source::Custom => policy_editor::show(
                ui,
                &mut self.draft.custom_policy,
                self.props.policy.as_deref(),
                &mut self.show_diff,
            ),
            Source::CopyFromPrimary => {
                if let Some(policy) = &self.props.policy {
                    ui.collapsing("The primary's policy", |ui| {
                        ui.label(RichText::new(policy).monospace());
                    });
                }
            }
            Source::ApiDefault => {}
        }
    }

    fn tags_field(&mut self, ui: &mut Ui) {
        ui.strong("Tags");
        ui.horizontal(|ui| {
            ui.radio_value(
                &mut self.draft.tags,
                Source::ApiDefault,
                "No tags (API default)",
            );
            ui.radio_value(
                &mut self.draft.tags,
                Source::CopyFromPrimary,
                "Copy primary's tags (console)",
            );
            ui.radio_value(&mut self.draft.tags, Source::Custom, "Custom tags");
        });
        match self.draft.tags {
            Source::Custom => tag_editor::show(ui, &mut self.draft.custom_tags),
            Source::CopyFromPrimary => {
                if let Some(tags) = &self.props.tags {
                    let text: Vec<String> = tags
                        .iter()
                        .map(|t| format!("{}={}", t.key, t.value))
                        .collect();
                    ui.label(RichText::new(text.join(", ")));
                }
            }
            Source::ApiDefault => {}
        }
    }

    fn alias_field(&mut self, ui: &mut Ui) {
        ui.checkbox(
            &mut self.draft.create_alias,
            "Create an alias for each replica once it is usable (the console does; the API does not)",
        );
        if self.draft.create_alias {
            ui.add(
                egui::TextEdit::singleline(&mut self.draft.alias_name)
                    .id_salt("alias-name")
                    .desired_width(300.0),
            );
        }
    }

    /// The bypass flag: turning it on asks for a second confirmation before it takes.
    fn bypass_field(&mut self, ui: &mut Ui) {
        let mut bypass = self.draft.bypass_lockout;
        if ui
            .checkbox(&mut bypass, "BypassPolicyLockoutSafetyCheck")
            .on_hover_text("Off by default. Turning it on asks for a second confirmation.")
            .changed()
        {
            if bypass {
                self.confirming_bypass = true;
            } else {
                self.draft.bypass_lockout = false;
            }
        }
    }

    fn targets(
        &mut self,
        ui: &mut Ui,
        estate: &Estate,
        estate_view: &dyn EstateView,
        read_only: bool,
        commands: &mut Vec<Command>,
    ) {
        let partition = self.draft.primary_region.partition();
        egui::Grid::new("replicate-targets")
            .num_columns(3)
            .spacing([12.0, 2.0])
            .show(ui, |ui| {
                let regions: Vec<Region> = Region::all_in(partition)
                    .filter(|r| *r != self.draft.primary_region)
                    .collect();
                for (i, region) in regions.iter().enumerate() {
                    let status = self.status(estate, estate_view, *region);
                    let mut on = self.draft.targets.contains(region);
                    let label = if region.is_opt_in() {
                        format!("{region} (opt-in)")
                    } else {
                        region.to_string()
                    };
                    let response =
                        ui.add_enabled(status.selectable(), egui::Checkbox::new(&mut on, label));
                    if let Some(reason) = status.reason() {
                        response
                            .on_hover_text(reason.clone())
                            .on_disabled_hover_text(reason);
                    }
                    if on {
                        self.draft.targets.insert(*region);
                    } else {
                        self.draft.targets.remove(region);
                    }
                    if i % 3 == 2 {
                        ui.end_row();
                    }
                }
            });
        let outside = self
            .draft
            .targets
            .iter()
            .filter(|r| !estate.regions().contains(r))
            .count();
        if outside > 0 {
            ui.label(
                RichText::new(format!(
                    "{} not a column of the grid: {} the grid, and {} scanned, when the replica is made.",
                    count(outside, "Region chosen is", "Regions chosen are"),
                    if outside == 1 { "it joins" } else { "they join" },
                    if outside == 1 { "is" } else { "are" },
                ))
                .small(),
            );
        }
        let held: Vec<(Region, TargetStatus)> = Region::all_in(partition)
            .filter(|r| *r != self.draft.primary_region)
            .map(|r| (r, self.status(estate, estate_view, r)))
            .filter(|(_, s)| !s.selectable())
            .collect();
        if !held.is_empty() {
            ui.collapsing(
                format!("{} not offered", count(held.len(), "Region", "Regions")),
                |ui| {
                    for (region, status) in held {
                        ui.horizontal_wrapped(|ui| {
                            ui.label(
                                RichText::new(format!(
                                    "{region}: {}",
                                    status.reason().unwrap_or_default()
                                ))
                                .small(),
                            );
                            // A replica waiting to be deleted blocks the Region: offer to keep it.
                            if status == TargetStatus::PendingDeletion
                                && ui
                                    .add_enabled(
                                        !read_only,
                                        egui::Button::new(format!("Cancel deletion in {region}…"))
                                            .small(),
                                    )
                                    .clicked()
                            {
                                commands.push(Command::ConfirmAction(
                                    self.draft.key_id.clone(),
                                    region,
                                    crate::domain::lifecycle::KeyAction::CancelDeletion,
                                ));
                            }
                        });
                    }
                },
            );
        }
    }

    fn confirm(
        &mut self,
        ui: &mut Ui,
        account: &str,
        read_only: bool,
        commands: &mut Vec<Command>,
    ) -> Visibility {
        let Step::Confirm(requests) = &self.step else {
            return Visibility::Open;
        };
        let regions: Vec<String> = requests.iter().map(|r| r.target.to_string()).collect();
        ui.strong(format!(
            "In account {account}, Regions {}",
            regions.join(", ")
        ));
        ui.strong("These calls will be made:");
        egui::ScrollArea::vertical()
            .max_height((ui.available_height() - ACTION_ROW_HEIGHT).max(80.0))
            .auto_shrink([false, true])
            .show(ui, |ui| {
                for request in requests {
                    for call in request.describe_calls() {
                        ui.add(egui::Label::new(RichText::new(call).monospace()).wrap());
                    }
                }
            });
        if requests.iter().any(|r| r.bypass_lockout) {
            ui.colored_label(
                ui.visuals().error_fg_color,
                "BypassPolicyLockoutSafetyCheck is ON for these calls.",
            );
        }
        ui.separator();
        let mut outcome = Visibility::Open;
        let mut back = false;
        ui.horizontal_wrapped(|ui| {
            if ui
                .add_enabled(!read_only, egui::Button::new("Confirm: make these calls"))
                .clicked()
            {
                commands.push(Command::Replicate(requests.clone()));
                outcome = Visibility::Closed;
            }
            back = ui.button("Back").clicked();
        });
        if back {
            self.step = Step::Edit;
        }
        outcome
    }

    fn bypass_confirmation(&mut self, ctx: &egui::Context) {
        let modal =
            egui::Modal::new(egui::Id::unique("bypass-lockout-confirmation")).show(ctx, |ui| {
                ui.set_max_width(440.0);
                ui.heading("Bypass the policy lockout safety check?");
                ui.label(
                "The safety check stops a key policy that would lock everyone, you included, out \
                 of managing the key. With it bypassed, a wrong policy can make the replica \
                 unmanageable until AWS Support intervenes. Bypass it only when you are sure the \
                 policy lets someone administer the key.",
            );
                ui.horizontal(|ui| {
                    let bypass = egui::Button::new(
                        RichText::new("I understand: bypass the check")
                            .strong()
                            .color(egui::Color32::WHITE),
                    )
                    .fill(super::grid::MISSING_COLOUR);
                    if ui.add(bypass).clicked() {
                        self.draft.bypass_lockout = true;
                        self.confirming_bypass = false;
                    }
                    if ui.button("Keep the check").clicked() {
                        self.confirming_bypass = false;
                    }
                });
            });
        if modal.should_close() {
            self.confirming_bypass = false;
        }
    }
}

/// Each way a field's choice differs from what the KMS console does, in words under the field.
fn flag(ui: &mut Ui, differences: &[crate::domain::replicate::Difference], field: Field) {
    for d in differences.iter().filter(|d| d.field == field) {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!("Differs from the console: {}.", d.text),
        );
    }
}

#[cfg(test)]
mod tests {
    use egui_kittest::kittest::{NodeT, Queryable};

    use super::*;
    use crate::ui::literal_estate::{PRIMARY, family_id, one_family, region, window_harness};

    /// Regions are offered by what the estate holds: the replica's Region is not, an empty one is.
    #[test]
    fn the_dialog_offers_a_region_without_a_key_and_not_the_replicas() {
        let estate = one_family();
        let mut dialog =
            ReplicateDialog::new(family_id(), region(PRIMARY), PrimaryProps::default());
        dialog.set_primary_props(Ok(PrimaryProps::default()));
        let harness = window_harness(dialog, estate, false, egui::vec2(800.0, 600.0));
        let empty = harness.get_by_label("ap-southeast-2");
        assert!(!empty.accesskit_node().is_disabled());
        let replica = harness.get_by_label("eu-west-1");
        assert!(replica.accesskit_node().is_disabled());
    }

    /// A Region that is not a column is offered, and the dialog says it joins the grid.
    #[test]
    fn a_region_outside_the_grid_is_offered_and_said_to_join_it() {
        let estate = one_family();
        let mut dialog =
            ReplicateDialog::new(family_id(), region(PRIMARY), PrimaryProps::default());
        dialog.set_primary_props(Ok(PrimaryProps::default()));
        let mut harness = window_harness(dialog, estate, false, egui::vec2(800.0, 600.0));
        assert!(
            harness
                .query_by_label_contains("not a column of the grid")
                .is_none()
        );
        harness.get_by_label("ap-south-1").click();
        harness.run();
        harness.get_by_label_contains("1 Region chosen is not a column of the grid: it joins");
    }
}
