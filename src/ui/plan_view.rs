//! The plan view: the calls that would fix the findings, as a checklist grouped by family
//! (and account), each with why and the precondition it re-checks; Apply asks for a
//! confirmation naming the accounts, Regions and number of calls; each step's outcome shows
//! once the apply is done.

use std::collections::BTreeSet;

use egui::{RichText, Ui};

use super::command::Command;
use crate::domain::plan::{Plan, Step};
use crate::jobs::{StepStatus, TaskError};

/// What the plan view reads each frame besides its own state.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlanContext {
    pub planning: bool,
    pub applying: bool,
    pub read_only: bool,
    /// The baseline asks nothing, so no plan can be made from it.
    pub no_baseline: bool,
    /// The (estate, baseline) revisions as they are now.
    pub now: (u64, u64),
}

pub struct PlanView {
    pub open: bool,
    /// The (estate, baseline) revisions the plan shown was computed from; `None` for a plan
    /// read from a file (its preconditions are its only guard).
    pub made_from: Option<(u64, u64)>,
    /// The baseline file offered when there is none.
    baseline_path: String,
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
            made_from: None,
            baseline_path: "baseline.toml".into(),
            plan: None,
            checked: Vec::new(),
            path: std::path::absolute("kms-plan.json")
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| "kms-plan.json".into()),
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

    /// The apply confirmation is open.
    pub fn is_confirming(&self) -> bool {
        self.confirming
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

    pub fn show(&mut self, ui: &mut Ui, ctx: PlanContext, commands: &mut Vec<Command>) {
        let PlanContext {
            planning,
            applying,
            read_only,
            ..
        } = ctx;
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
            Some(Ok(_)) => self.steps(ui, ctx, commands),
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
            ui.label(RichText::new(format!(
                "{} in {} on {}: {}",
                b.operation, b.region, b.key_id, b.reason
            )));
        }
    }

    /// The baseline asks nothing: say so, and offer to load one (never "nothing to change").
    fn no_baseline(&mut self, ui: &mut Ui, commands: &mut Vec<Command>) {
        ui.label(
            "No baseline: there is nothing to hold the estate to, so there is nothing to plan.",
        );
        ui.horizontal(|ui| {
            ui.add(
                egui::TextEdit::singleline(&mut self.baseline_path)
                    .char_limit(4096)
                    .desired_width(240.0),
            )
            .widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Baseline file")
            });
            if ui.button("Load baseline").clicked() {
                commands.push(Command::LoadBaseline(self.baseline_path.clone()));
            }
        });
    }

    /// Whether the estate or the baseline changed since the plan shown was computed (a plan
    /// that has run is judged by its outcomes instead).
    fn out_of_date(&self, ctx: &PlanContext) -> bool {
        self.outcomes.is_none() && self.made_from.is_some_and(|made| made != ctx.now)
    }

    fn steps(&mut self, ui: &mut Ui, ctx: PlanContext, commands: &mut Vec<Command>) {
        let Some(Ok(plan)) = &self.plan else {
            return;
        };
        let stale = self.out_of_date(&ctx);
        if stale {
            ui.horizontal_wrapped(|ui| {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    "Out of date: the estate or the baseline changed since this plan was made.",
                );
                if ui.button("Plan again").clicked() {
                    commands.push(Command::MakePlan);
                }
            });
        }
        if plan.steps.is_empty() && plan.blocked.is_empty() && ctx.no_baseline {
            self.no_baseline(ui, commands);
            return;
        }
        let Some(Ok(plan)) = &self.plan else {
            return;
        };
        Self::left_out(ui, &plan.blocked);
        if plan.steps.is_empty() {
            if plan.blocked.is_empty() && !stale {
                ui.label("Nothing to change: the estate matches the baseline.");
            }
            return;
        }
        self.outcome_summary(ui);
        let chosen = self.checked.iter().filter(|c| **c).count();
        let ran = self.outcomes.is_some();
        ui.horizontal(|ui| {
            ui.label(format!(
                "{} of {} ticked",
                super::count(chosen, "call", "calls"),
                plan.steps.len()
            ));
            let why_not = if ctx.read_only {
                Some("Read-only mode: no call that changes a key is made.")
            } else if ctx.applying {
                Some("One apply at a time.")
            } else if ran {
                Some("This plan has run: plan again for what is left.")
            } else if stale {
                Some("Out of date: plan again first.")
            } else if chosen == 0 {
                Some("Tick at least one call.")
            } else {
                None
            };
            let apply = ui
                .add_enabled(
                    why_not.is_none(),
                    egui::Button::new(format!("Apply {}…", super::count(chosen, "call", "calls"))),
                )
                .on_disabled_hover_text(why_not.unwrap_or_default());
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
                    ui.label(RichText::new(format!("{key} (account {account})")).strong());
                    for (i, step) in plan.steps.iter().enumerate() {
                        if step.key_id != key || step.account != account {
                            continue;
                        }
                        ui.checkbox(&mut self.checked[i], step_words(step));
                        if let Some(status) = outcomes[i] {
                            // Under its step, wrapped: a failure's whole message is read.
                            ui.indent(("outcome", i), |ui| {
                                let text = RichText::new(status.to_string())
                                    .color(outcome_colour(ui, status));
                                ui.add(egui::Label::new(text).wrap());
                            });
                        }
                    }
                }
            });
    }

    /// Once an apply has run (or while it runs): "76 applied, 2 failed, 0 stale" at the top,
    /// each count in its outcome's colour (a failure red, a step not made amber).
    fn outcome_summary(&self, ui: &mut Ui) {
        let Some(Ok(outcomes)) = &self.outcomes else {
            return;
        };
        let count = |f: fn(&StepStatus) -> bool| outcomes.iter().filter(|(_, s)| f(s)).count();
        let skipped = count(|s| matches!(s, StepStatus::Skipped(_)));
        let visuals = ui.visuals().clone();
        let mut parts = vec![
            (count(StepStatus::is_done), "applied", visuals.text_color()),
            (
                count(|s| matches!(s, StepStatus::Failed(_))),
                "failed",
                visuals.error_fg_color,
            ),
            (
                count(|s| matches!(s, StepStatus::Stale(_))),
                "stale",
                visuals.warn_fg_color,
            ),
        ];
        if skipped > 0 {
            parts.push((skipped, "skipped", visuals.warn_fg_color));
        }
        ui.horizontal_wrapped(|ui| {
            ui.spacing_mut().item_spacing.x = 0.0;
            for (i, (n, word, colour)) in parts.into_iter().enumerate() {
                if i > 0 {
                    ui.label(", ");
                }
                let colour = if n == 0 {
                    visuals.weak_text_color()
                } else {
                    colour
                };
                ui.label(RichText::new(format!("{n} {word}")).strong().color(colour));
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

/// A step's outcome in the colour of outcomes: done in the text colour, a failure red, a step
/// not made (stale, skipped) amber.
fn outcome_colour(ui: &Ui, status: &StepStatus) -> egui::Color32 {
    match status {
        StepStatus::Failed(_) => ui.visuals().error_fg_color,
        StepStatus::Stale(_) | StepStatus::Skipped(_) => ui.visuals().warn_fg_color,
        StepStatus::Applied { .. } | StepStatus::Adopted | StepStatus::AlreadyDone(_) => {
            ui.visuals().text_color()
        }
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
    use egui_kittest::kittest::{NodeT, Queryable};

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
            |ui, view: &mut PlanView| view.show(ui, PlanContext::default(), &mut Vec::new()),
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

    fn step(region: &str) -> Step {
        Step {
            account: "111122223333".into(),
            region: region.into(),
            key_id: "mrk-1".into(),
            operation: "PutKeyPolicy".into(),
            parameters: serde_json::json!({}),
            reason: "policy-drift".into(),
            precondition: crate::domain::plan::Precondition::KeyUsable,
        }
    }

    fn plan_of(steps: Vec<Step>) -> Plan {
        Plan {
            schema_version: PLAN_SCHEMA_VERSION,
            steps,
            blocked: Vec::new(),
        }
    }

    fn harness(view: PlanView, ctx: PlanContext) -> Harness<'static, (PlanView, Vec<Command>)> {
        Harness::new_ui_state(
            move |ui, (view, commands): &mut (PlanView, Vec<Command>)| view.show(ui, ctx, commands),
            (view, Vec::new()),
        )
    }

    #[test]
    fn with_no_baseline_the_plan_says_so_and_offers_to_load_one() {
        let mut view = PlanView::default();
        view.set_plan(Ok(plan_of(Vec::new())));
        let ctx = PlanContext {
            no_baseline: true,
            ..PlanContext::default()
        };
        let mut harness = harness(view, ctx);
        harness.get_by_label_contains("No baseline");
        assert!(
            harness
                .query_by_label_contains("Nothing to change")
                .is_none()
        );
        harness.get_by_label("Load baseline").click();
        harness.run();
        assert_eq!(
            harness.state().1,
            vec![Command::LoadBaseline("baseline.toml".into())]
        );
    }

    #[test]
    fn a_plan_made_before_the_estate_or_baseline_changed_is_out_of_date_and_not_applied() {
        let mut view = PlanView::default();
        view.set_plan(Ok(plan_of(vec![step("eu-west-1")])));
        view.made_from = Some((4, 1));
        let ctx = PlanContext {
            now: (5, 1),
            ..PlanContext::default()
        };
        let mut harness = harness(view, ctx);
        harness.get_by_label_contains("Out of date");
        assert!(
            harness
                .get_by_label("Apply 1 call…")
                .accesskit_node()
                .is_disabled()
        );
        harness.get_by_label("Plan again").click();
        harness.run();
        assert_eq!(harness.state().1, vec![Command::MakePlan]);
    }

    #[test]
    fn a_plan_made_from_the_estate_as_it_is_can_be_applied() {
        let mut view = PlanView::default();
        view.set_plan(Ok(plan_of(vec![step("eu-west-1")])));
        view.made_from = Some((5, 1));
        let ctx = PlanContext {
            now: (5, 1),
            ..PlanContext::default()
        };
        let harness = harness(view, ctx);
        assert!(harness.query_by_label_contains("Out of date").is_none());
        assert!(
            !harness
                .get_by_label("Apply 1 call…")
                .accesskit_node()
                .is_disabled()
        );
    }

    #[test]
    fn after_an_apply_the_summary_counts_each_outcome_and_the_plan_cannot_run_again() {
        let failure = "KMSInvalidStateException: arn:aws:kms:ap-south-1:111122223333:key/mrk-1 is pending deletion, so nothing was changed in that Region";
        let mut view = PlanView::default();
        let steps = vec![step("eu-west-1"), step("ap-south-1")];
        view.set_plan(Ok(plan_of(steps.clone())));
        view.outcomes = Some(Ok(vec![
            (steps[0].clone(), StepStatus::Applied { request_id: None }),
            (steps[1].clone(), StepStatus::Failed(failure.into())),
        ]));
        let harness = harness(view, PlanContext::default());
        harness.get_by_label("1 applied");
        harness.get_by_label("1 failed");
        harness.get_by_label("0 stale");
        harness.get_by_label_contains(failure);
        assert!(
            harness
                .get_by_label("Apply 2 calls…")
                .accesskit_node()
                .is_disabled()
        );
    }
}
