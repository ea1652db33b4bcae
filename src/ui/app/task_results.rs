//! How finished background work lands in the app's state, and the work that follows the
//! estate by itself (findings, "changes since", re-reads after a change, an apply's progress).

use super::App;
use crate::domain::audit::AuditOptions;
use crate::domain::history::AuditFacts;
use crate::domain::{MrkId, Region};
use crate::jobs::{Panicked, TaskKey, TaskOutput, now_epoch};

impl App {
    /// Hands a finished task's result to the state it belongs to.
    pub(super) fn absorb(&mut self, task: TaskKey, outcome: Result<TaskOutput, Panicked>) {
        let output = match outcome {
            Ok(output) => output,
            Err(panicked) => {
                tracing::error!("{task:?}: {panicked}");
                match task {
                    TaskKey::PrimaryProps(..) => {
                        if let Some(dialog) = &mut self.replicate {
                            dialog.set_primary_props(Err(panicked.to_string()));
                        }
                    }
                    TaskKey::LoadBaseline(path) => {
                        self.audit.baseline_result =
                            Some(Err(format!("Could not load {path}: {panicked}")))
                    }
                    TaskKey::Export(path) => {
                        self.audit.export_result =
                            Some(Err(format!("Could not save {path}: {panicked}")))
                    }
                    _ => {}
                }
                return;
            }
        };
        match (task, output) {
            (TaskKey::AuditProps, TaskOutput::Props(read)) => {
                self.audit.absorb_audit_read(read);
                self.filters
                    .absorb_audit_props(self.inventory.estate(), self.audit.props());
            }
            (TaskKey::FamilyProps(_), TaskOutput::Props(read)) => {
                self.audit.absorb_family_read(read);
                self.filters
                    .absorb_audit_props(self.inventory.estate(), self.audit.props());
            }
            (TaskKey::PrimaryProps(id, region), TaskOutput::PrimaryProps(read)) => {
                if let Some(dialog) = &mut self.replicate
                    && dialog.primary() == (&id, region)
                {
                    dialog.set_primary_props(read);
                }
            }
            (TaskKey::PrimaryTags, TaskOutput::PrimaryTags { tags, unreadable }) => {
                self.filters.absorb_tags(tags, unreadable);
            }
            (TaskKey::Findings, TaskOutput::Findings(result)) => {
                if self.audit_snapshot_due
                    && result.revision == self.inventory.estate().revision()
                    && self.inventory.save_audit_snapshot(&AuditFacts {
                        findings: result.findings.clone(),
                        not_audited: result.not_audited.clone(),
                    })
                {
                    self.audit_snapshot_due = false;
                }
                self.audit.set_result(result);
            }
            (TaskKey::Snapshots, TaskOutput::Snapshots(read)) => {
                self.history.snapshots = Some(read)
            }
            (TaskKey::ChangesSince(id), TaskOutput::Changes { revision, diff }) => {
                if self.history.since == Some(id) {
                    self.history.set_changes(revision, diff);
                }
            }
            (TaskKey::Export(_), TaskOutput::Exported(result)) => {
                self.audit.export_result = Some(result);
            }
            (TaskKey::LoadBaseline(path), TaskOutput::Baseline(loaded)) => {
                self.audit.baseline_result = Some(match loaded {
                    Ok(baseline) => {
                        self.set_baseline(baseline);
                        self.audit.loaded_baseline = Some(path.clone());
                        Ok(format!("Holding the grid to {path}"))
                    }
                    Err(e) => Err(e),
                });
            }
            (TaskKey::ReloadCredentials, TaskOutput::Reloaded(clients)) => {
                self.inventory.set_clients(&self.runner, *clients);
            }
            (TaskKey::SavePlan(_), TaskOutput::Exported(result)) => {
                self.plan_view.saved = Some(result);
            }
            (TaskKey::Plan | TaskKey::LoadPlan(_), TaskOutput::Plan(plan)) => {
                self.plan_view.set_plan(plan);
            }
            (TaskKey::ApplyPlan(_), TaskOutput::Applied(outcomes)) => {
                let steps = std::mem::take(&mut self.applied_steps);
                self.plan_view.outcomes =
                    Some(outcomes.map(|o| steps.into_iter().zip(o).collect()));
                // What the calls changed shows once every Region is read again.
                self.inventory.refresh(&self.runner);
            }
            (task, _) => tracing::error!("{task:?} returned what another task returns"),
        }
    }

    /// While a plan is applied, each finished step shows at once, and the grid is listed again
    /// so new replicas and changed states appear as they happen (a Region already being read
    /// is left to finish).
    pub(super) fn follow_apply(&mut self) {
        if !self.tasks.running_apply() {
            return;
        }
        let so_far = self.tasks.apply_progress();
        let shown = self
            .plan_view
            .outcomes
            .as_ref()
            .and_then(|o| o.as_ref().ok())
            .map_or(0, Vec::len);
        if so_far.len() == shown {
            return;
        }
        let steps = self.applied_steps.iter().cloned();
        self.plan_view.outcomes = Some(Ok(steps.zip(so_far).collect()));
        if !self.inventory.is_scanning() {
            self.inventory.refresh_changes(&self.runner);
        }
    }

    /// Once a rotation call or a grant copy has landed, the family's rotation and grants are
    /// read again, so the details panel and the findings show what KMS now says.
    pub(super) fn reread_changed_families(&mut self) {
        let inventory = &self.inventory;
        let landed = |(id, region): &(MrkId, Region)| {
            let action_done = inventory
                .action_job(id, *region)
                .is_none_or(|j| !j.in_flight());
            let copy_done = inventory
                .grant_copy(id, *region)
                .is_none_or(|c| !c.in_flight());
            action_done && copy_done
        };
        let (done, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.reread_after)
            .into_iter()
            .partition(landed);
        self.reread_after = waiting;
        for (id, _) in done {
            self.audit.forget_family(&id);
            self.tasks
                .read_family_props(&self.runner, &self.inventory, &id, self.audit.props());
        }
    }

    /// The audit's findings when they are of the estate as it is now (for "changes since").
    pub(super) fn current_findings(&self) -> Option<AuditFacts> {
        (self.audit.has_run && self.audit.result.revision == self.inventory.estate().revision())
            .then(|| AuditFacts {
                findings: self.audit.findings().to_vec(),
                not_audited: self.audit.result.not_audited.clone(),
            })
    }

    /// "Changes since" follows the estate: compared again at each new revision.
    pub(super) fn refresh_changes_since(&mut self) {
        let Some(id) = self.history.since else {
            return;
        };
        let revision = self.inventory.estate().revision();
        let current = self
            .history
            .changes
            .as_ref()
            .is_some_and(|(seen, _)| *seen == revision);
        if !current && !self.tasks.is_running(&TaskKey::ChangesSince(id)) {
            let findings = self.current_findings();
            self.tasks
                .changes_since(&self.runner, &self.inventory, id, findings);
        }
    }

    /// Once the audit has run, its findings follow the estate: computed in the background for
    /// each new estate revision (a scan, a replica, an action), never on this thread.
    pub(super) fn refresh_findings(&mut self) {
        let busy = self.tasks.is_running(&TaskKey::Findings)
            || self.tasks.is_running(&TaskKey::AuditProps);
        if !self.audit.has_run || busy {
            return;
        }
        let estate = self.inventory.estate();
        if !self.audit.stale && self.audit.result.revision == estate.revision() {
            return;
        }
        self.audit.stale = false;
        let options = AuditOptions {
            expiry_days: 30,
            now: now_epoch(),
        };
        self.tasks.compute_findings(
            &self.runner,
            estate.clone(),
            self.audit.read.clone(),
            self.baseline.clone(),
            options,
        );
    }
}
