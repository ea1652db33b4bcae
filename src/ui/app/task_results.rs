//! How finished background work lands in the app's state, and the work that follows the
//! estate by itself (findings, "changes since", re-reads after a change, an apply's progress).

use super::App;
use crate::domain::audit::AuditOptions;
use crate::domain::history::AuditFacts;
use crate::domain::{MrkId, Region};
use crate::jobs::{AuditResult, PropsRead, TaskKey, TaskOutput, now_epoch};

impl App {
    /// Hands a finished task's result to the state it belongs to: the output names its task,
    /// so there is one arm per task and none for "anything else".
    pub(super) fn absorb(&mut self, output: TaskOutput) {
        match output {
            TaskOutput::AuditProps(read) => {
                self.work.audit.absorb_audit_read(read.unwrap_or_else(|e| {
                    tracing::error!("the audit's reads: {e}");
                    PropsRead::default()
                }));
                self.work
                    .filters
                    .absorb_audit_props(self.work.inventory.estate(), self.work.audit.props());
            }
            TaskOutput::FamilyProps(id, read) => match read {
                Ok(read) => {
                    self.work.audit.absorb_family_read(read);
                    self.work
                        .filters
                        .absorb_audit_props(self.work.inventory.estate(), self.work.audit.props());
                }
                Err(e) => tracing::error!("reading {id}'s policies and tags: {e}"),
            },
            TaskOutput::PrimaryProps { id, region, read } => {
                if let Some(dialog) = &mut self.replicate
                    && dialog.primary() == (&id, region)
                {
                    dialog.set_primary_props(read);
                }
            }
            TaskOutput::PrimaryTags(read) => match read {
                Ok(read) => self.work.filters.absorb_tags(read.tags, read.unreadable),
                Err(e) => tracing::error!("reading the primaries' tags: {e}"),
            },
            TaskOutput::Findings(result) => match result {
                Ok(result) => self.absorb_findings(result),
                Err(e) => tracing::error!("computing the findings: {e}"),
            },
            TaskOutput::Snapshots(read) => self.history.snapshots = Some(read),
            TaskOutput::Verified(id, verified) => self.verification = Some((id, verified)),
            TaskOutput::Trail(id, read) => {
                if let Some(retire) = &mut self.retire
                    && retire.key().0 == &id
                {
                    retire.set_trail(&read);
                }
                self.trail = Some((id, read));
            }
            TaskOutput::Changes { id, revision, diff } => {
                if self.history.since == Some(id) {
                    // A task that stopped is not asked again for this estate revision.
                    let at = revision.unwrap_or(self.work.inventory.estate().revision());
                    self.history.set_changes(at, diff);
                }
            }
            TaskOutput::Exported { path, written } => {
                self.work.audit.export_result =
                    Some(written.map(|()| format!("Saved {} (readable by you only)", full(&path))));
            }
            TaskOutput::Baseline { path, loaded } => {
                self.work.audit.baseline_result = Some(loaded.map(|baseline| {
                    self.set_baseline(baseline);
                    self.work.audit.loaded_baseline = Some(path.clone());
                    self.baseline_source = Some(path.clone());
                    format!("Holding the grid to {path}")
                }));
            }
            TaskOutput::Reloaded(clients) => match clients {
                Ok(clients) => self.work.inventory.set_clients(&self.runner, *clients),
                Err(e) => tracing::error!("reloading credentials: {e}"),
            },
            TaskOutput::SavedPlan { path, saved } => {
                self.plan_view.saved =
                    Some(saved.map(|()| format!("Saved {} (readable by you only)", full(&path))));
            }
            TaskOutput::Plan(plan) | TaskOutput::LoadedPlan { plan, .. } => {
                self.plan_view.set_plan(plan);
            }
            TaskOutput::Applied { outcomes, .. } => {
                let steps = std::mem::take(&mut self.applied_steps);
                // What the calls changed is read again: the families' policies, tags and
                // grants (the details panel and the findings must not show what was there
                // before), once every Region is read again (one snapshot for the apply).
                for step in &steps {
                    if let Some(id) = MrkId::parse(&step.key_id) {
                        self.work.audit.forget_family(&id);
                    }
                }
                self.reaudit_after_apply = self.work.audit.has_run || self.selected.is_some();
                self.plan_view.outcomes =
                    Some(outcomes.map(|o| steps.into_iter().zip(o).collect()));
                self.work.inventory.refresh_after_calls(&self.runner);
            }
        }
    }

    /// The findings of an estate revision; the GUI audit's snapshot is saved with the first
    /// findings of the estate it was asked for.
    fn absorb_findings(&mut self, result: AuditResult) {
        if self.audit_snapshot_due
            && result.revision == self.work.inventory.estate().revision()
            && self.work.inventory.save_audit_snapshot(&AuditFacts {
                findings: result.findings.clone(),
                not_audited: result.not_audited.clone(),
                rules: result.rules.clone(),
            })
        {
            self.audit_snapshot_due = false;
        }
        self.work.audit.set_result(result);
    }

    /// While a plan is applied, each finished step shows at once, and the grid is listed again
    /// so new replicas and changed states appear as they happen (a Region already being read
    /// is left to finish).
    pub(super) fn follow_apply(&mut self) {
        if !self.work.inventory.running_apply() {
            return;
        }
        let so_far = self.work.inventory.apply_progress();
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
        if !self.work.inventory.is_scanning() {
            self.work.inventory.follow_changes(&self.runner);
        }
    }

    /// After an apply, once every Region has been read again: the audit reads every key's
    /// properties again (so new replicas are audited, not "not read"), and the selected family's
    /// details are read again.
    pub(super) fn reaudit_after_apply(&mut self) {
        let inventory = &self.work.inventory;
        if !self.reaudit_after_apply || inventory.is_scanning() || !inventory.estate().is_settled()
        {
            return;
        }
        self.reaudit_after_apply = false;
        if self.work.audit.has_run {
            self.work.inventory.read_audit_props(&self.runner);
        }
        if let Some(id) = self.selected.clone() {
            self.work
                .inventory
                .read_family_props(&self.runner, &id, self.work.audit.props());
        }
    }

    /// Once a rotation call or a grant copy has landed, the family's rotation and grants are
    /// read again, so the details panel and the findings show what KMS now says.
    pub(super) fn reread_changed_families(&mut self) {
        let inventory = &self.work.inventory;
        let landed = |(id, region): &(MrkId, Region)| {
            let action_done = inventory
                .action_job(id, *region)
                .is_none_or(|j| !j.in_flight());
            let copy_done = inventory
                .grant_copy(id, *region)
                .is_none_or(|c| !c.in_flight());
            let import_done = !matches!(
                inventory.material_import(id),
                Some(crate::jobs::MaterialImport::Running)
            );
            let deletion_done = inventory
                .material_deletion(id, *region)
                .is_none_or(|d| !d.in_flight());
            action_done && copy_done && import_done && deletion_done
        };
        let (done, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.reread_after)
            .into_iter()
            .partition(landed);
        self.reread_after = waiting;
        for (id, _) in done {
            self.work.audit.forget_family(&id);
            self.work
                .inventory
                .read_family_props(&self.runner, &id, self.work.audit.props());
        }
    }

    /// The audit's findings when they are of the estate as it is now (for "changes since").
    pub(super) fn current_findings(&self) -> Option<AuditFacts> {
        (self.work.audit.has_run
            && self.work.audit.result.revision == self.work.inventory.estate().revision())
        .then(|| AuditFacts {
            findings: self.work.audit.findings().to_vec(),
            not_audited: self.work.audit.result.not_audited.clone(),
            rules: self.work.audit.result.rules.clone(),
        })
    }

    /// "Changes since" follows the estate: compared again at each new revision.
    pub(super) fn refresh_changes_since(&mut self) {
        let Some(id) = self.history.since else {
            return;
        };
        let revision = self.work.inventory.estate().revision();
        let current = self
            .history
            .changes
            .as_ref()
            .is_some_and(|(seen, _)| *seen == revision);
        if !current && !self.work.inventory.task_running(&TaskKey::ChangesSince(id)) {
            let findings = self.current_findings();
            self.work
                .inventory
                .changes_since(&self.runner, id, findings);
        }
    }

    /// Once the audit has run, its findings follow the estate: computed in the background for
    /// each new estate revision (a scan, a replica, an action), never on this thread.
    pub(super) fn refresh_findings(&mut self) {
        let busy = self.work.inventory.task_running(&TaskKey::Findings)
            || self.work.inventory.task_running(&TaskKey::AuditProps);
        if !self.work.audit.has_run || busy {
            return;
        }
        let estate = self.work.inventory.estate();
        if !self.work.audit.stale && self.work.audit.result.revision == estate.revision() {
            return;
        }
        self.work.audit.stale = false;
        let options = AuditOptions {
            expiry_days: 30,
            now: now_epoch(),
            unused_days: None,
            provenance: false,
        };
        self.work.inventory.compute_findings(
            &self.runner,
            estate.clone(),
            self.work.audit.read.clone(),
            self.baseline.clone(),
            options,
        );
    }
}

/// A file the user named, as a full path: where it went is never ambiguous.
fn full(path: &str) -> String {
    std::path::absolute(path)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| path.to_string())
}
