//! The plan view: the calls that would fix the findings, as a checklist grouped by family
//! (and account), each with why and the precondition it re-checks; Apply asks for a
//! confirmation naming the accounts, Regions and number of calls; each step's outcome shows
//! once the apply is done.

use std::collections::BTreeSet;

use egui::{RichText, Ui};

use super::command::Command;
use crate::domain::plan::{Plan, Step};
use crate::jobs::{StepStatus, TaskError};

pub struct PlanView {
    pub open: bool,
    /// The plan shown, or why there is none.
    pub plan: Option<Result<Plan, TaskError>>,
    /// Which steps will be applied (all, until unticked).
    checked: Vec<bool>,
    /// Where Apply writes the plan (its journal goes beside it), and Load reads one.
    path: String,
    /// Each applied step's outcome, in the order of the plan that was applied.
    pub outcomes: Option<Result<Vec<(Step, StepStatus)>, TaskError>>,
    confirming: bool,
    /// What saving the plan gave: where, or why not.
    pub saved: Option<Result<String, TaskError>>,
}

impl Default for PlanView {
    fn default() -> Self {
        PlanView {
            open: false,
            plan: None,
            checked: Vec::new(),
            path: "kms-plan.json".into(),
            outcomes: None,
            confirming: false,
            saved: None,
        }
    }
}

impl PlanView {
    pub fn set_plan(&mut self, plan: Result<Plan, TaskError>) {
        self.checked = vec![true; plan.as_ref().map_or(0, |p| p.steps.len())];
        self.plan = Some(plan);
        self.outcomes = None;
        self.open = true;
    }

    /// The steps ticked, as a plan of their own.
    fn chosen(&self) -> Option<Plan> {
        let Some(Ok(plan)) = &self.plan else {
            return None;
        };
        let steps: Vec<Step> = plan
            .steps
            .iter()
            .zip(&self.checked)
            .filter(|(_, on)| **on)
            .map(|(s, _)| s.clone())
            .collect();
        Some(Plan {
            schema_version: plan.schema_version,
            steps,
            blocked: plan.blocked.clone(),
        })
    }

    pub fn show(
        &mut self,
        ui: &mut Ui,
        (planning, applying): (bool, bool),
        read_only: bool,
        commands: &mut Vec<Command>,
    ) {
        ui.horizontal_wrapped(|ui| {
            ui.strong("Plan");
            if ui.small_button("Close").clicked() {
                self.open = false;
            }
            ui.add(
                egui::TextEdit::singleline(&mut self.path)
                    .char_limit(4096)
                    .desired_width(240.0),
            )
            .widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Plan file"));
            if ui.button("Load plan").clicked() {
                commands.push(Command::LoadPlan(self.path.clone()));
            }
            if let Some(chosen) = self.chosen()
                && ui
                    .button("Save plan")
                    .on_hover_text("The ticked calls, as the JSON `apply` reads")
                    .clicked()
            {
                self.saved = None;
                commands.push(Command::SavePlan(chosen, self.path.clone()));
            }
            match &self.saved {
                Some(Ok(text)) => {
                    ui.label(RichText::new(text).small());
                }
                Some(Err(why)) => {
                    ui.colored_label(ui.visuals().error_fg_color, why.to_string());
                }
                None => {}
            }
            if planning || applying {
                ui.spinner();
                ui.label(if applying {
                    "Applying…"
                } else {
                    "Planning…"
                });
            }
        });
        match &self.plan {
            None => {
                ui.label(RichText::new("No plan yet.").weak());
            }
            Some(Err(why)) => {
                ui.colored_label(ui.visuals().error_fg_color, why.to_string());
            }
            Some(Ok(_)) => self.steps(ui, applying, read_only),
        }
        if let Some(Err(why)) = &self.outcomes {
            ui.colored_label(ui.visuals().error_fg_color, why.to_string());
        }
        if self.confirming {
            self.confirmation(ui.ctx(), read_only, commands);
        }
    }

    /// The calls the baseline asks for that the plan refuses to make, each with why (a public
    /// primary policy is never copied): never a silent gap in the list.
    fn left_out(ui: &mut Ui, blocked: &[crate::domain::plan::Blocked]) {
        if blocked.is_empty() {
            return;
        }
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!("Left out: {}", super::count(blocked.len(), "call", "calls")),
        );
        for b in blocked {
            ui.label(
                RichText::new(format!(
                    "{} in {} on {}: {}",
                    b.operation, b.region, b.key_id, b.reason
                ))
                .small(),
            );
        }
    }

    fn steps(&mut self, ui: &mut Ui, applying: bool, read_only: bool) {
        let Some(Ok(plan)) = &self.plan else {
            return;
        };
        Self::left_out(ui, &plan.blocked);
        if plan.steps.is_empty() {
            if plan.blocked.is_empty() {
                ui.label("Nothing to change: the estate matches the baseline.");
            }
            return;
        }
        let chosen = self.checked.iter().filter(|c| **c).count();
        ui.horizontal(|ui| {
            ui.label(format!(
                "{} of {} ticked",
                super::count(chosen, "call", "calls"),
                plan.steps.len()
            ));
            let apply = ui
                .add_enabled(
                    !read_only && !applying && chosen > 0,
                    egui::Button::new(format!("Apply {}…", super::count(chosen, "call", "calls"))),
                )
                .on_disabled_hover_text(if read_only {
                    "Read-only mode: no call that changes a key is made."
                } else {
                    "Tick at least one call; one apply at a time."
                });
            if apply.clicked() {
                self.confirming = true;
            }
        });
        let outcomes: Vec<Option<&StepStatus>> = plan
            .steps
            .iter()
            .map(|s| {
                self.outcomes
                    .as_ref()
                    .and_then(|o| o.as_ref().ok())
                    .and_then(|o| o.iter().find(|(done, _)| done == s).map(|(_, st)| st))
            })
            .collect();
        let families: BTreeSet<(&str, &str)> = plan
            .steps
            .iter()
            .map(|s| (s.account.as_str(), s.key_id.as_str()))
            .collect();
        egui::ScrollArea::vertical()
            .id_salt("plan-steps")
            .max_height(220.0)
            .show(ui, |ui| {
                for (account, key) in families {
                    ui.label(
                        RichText::new(format!("{key} (account {account})"))
                            .strong()
                            .small(),
                    );
                    for (i, step) in plan.steps.iter().enumerate() {
                        if step.key_id != key || step.account != account {
                            continue;
                        }
                        ui.horizontal(|ui| {
                            ui.checkbox(&mut self.checked[i], step_words(step));
                            if let Some(status) = outcomes[i] {
                                let colour = if status.is_done() {
                                    ui.visuals().text_color()
                                } else {
                                    ui.visuals().warn_fg_color
                                };
                                ui.label(RichText::new(status.to_string()).small().color(colour));
                            }
                        });
                    }
                }
            });
    }

    /// Names every account and Region the ticked calls act in, and how many calls.
    fn confirmation(&mut self, ctx: &egui::Context, read_only: bool, commands: &mut Vec<Command>) {
        let Some(chosen) = self.chosen() else {
            self.confirming = false;
            return;
        };
        let accounts: BTreeSet<&str> = chosen.steps.iter().map(|s| s.account.as_str()).collect();
        let regions: BTreeSet<&str> = chosen.steps.iter().map(|s| s.region.as_str()).collect();
        let deletions = chosen
            .steps
            .iter()
            .filter(|s| s.operation == "ScheduleKeyDeletion")
            .count();
        let mut keep = true;
        let modal = egui::Modal::new(egui::Id::unique("apply-plan-confirmation")).show(ctx, |ui| {
            ui.set_max_width(560.0);
            ui.heading(format!(
                "Apply {}?",
                super::count(chosen.steps.len(), "call", "calls")
            ));
            ui.strong(format!(
                "In account {}, Regions {}",
                accounts.into_iter().collect::<Vec<_>>().join(", "),
                regions.into_iter().collect::<Vec<_>>().join(", ")
            ));
            ui.label(format!(
                "Each call's precondition is checked again just before it: a key that changed \
                 since the plan is left as it is. The plan is written to {} and its journal \
                 beside it, so an interrupted apply can continue.",
                self.path
            ));
            if deletions > 0 {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!(
                        "{} skipped here: deletions run only with `apply --allow-deletions`.",
                        super::count(deletions, "deletion is", "deletions are")
                    ),
                );
            }
            ui.horizontal(|ui| {
                let confirm = ui.add_enabled(!read_only, egui::Button::new("Confirm: apply"));
                if confirm.clicked() {
                    commands.push(Command::ApplyPlan(chosen.clone(), self.path.clone()));
                    keep = false;
                }
                if ui.button("Cancel").clicked() {
                    keep = false;
                }
            });
        });
        self.confirming = keep && !modal.should_close();
    }
}

fn step_words(step: &Step) -> String {
    format!(
        "{} in {}: {} (only if {})",
        step.operation,
        step.region,
        step.reason,
        step.precondition.describe()
    )
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    use super::*;
    use crate::domain::plan::{Blocked, PLAN_SCHEMA_VERSION};

    /// A plan whose only call was left out: the view says so and why, never "nothing to change".
    #[test]
    fn a_plan_whose_calls_were_left_out_says_which_and_why() {
        let mut view = PlanView::default();
        view.set_plan(Ok(Plan {
            schema_version: PLAN_SCHEMA_VERSION,
            steps: Vec::new(),
            blocked: vec![Blocked {
                account: "111122223333".into(),
                region: "eu-west-1".into(),
                key_id: "mrk-1".into(),
                operation: "PutKeyPolicy".into(),
                reason: "public-access (high): the primary's key policy lets anyone use the key"
                    .into(),
            }],
        }));
        let harness = Harness::new_ui_state(
            |ui, view: &mut PlanView| view.show(ui, (false, false), false, &mut Vec::new()),
            view,
        );
        harness.get_by_label("Left out: 1 call");
        harness.get_by_label_contains("PutKeyPolicy in eu-west-1 on mrk-1: public-access (high)");
        assert!(
            harness
                .query_by_label_contains("Nothing to change")
                .is_none()
        );
    }
}
