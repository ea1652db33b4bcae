//! Carrying out the commands the panels and dialogs emit, in one place.

use super::App;
use crate::domain::baseline::Baseline;
use crate::domain::replicate::replicate_blocker;
use crate::domain::{MrkId, PrimaryProps, Region, Role};
use crate::ui::action_dialog::ActionDialog;
use crate::ui::command::Command;
use crate::ui::grant_dialog::GrantDialog;
use crate::ui::replicate_dialog::ReplicateDialog;
use crate::ui::verify_dialog::VerifyDialog;

impl App {
    /// Carries out one command, as if the UI had emitted it (benchmarks and tests act as the
    /// user this way when the widget is not the point).
    pub fn apply(&mut self, command: Command) {
        match command {
            Command::Refresh => self.for_every_inventory(|i, runner| i.refresh(runner)),
            Command::RefreshChanges => {
                self.for_every_inventory(|i, runner| i.refresh_changes(runner));
            }
            Command::SetRegions(regions) => {
                self.for_every_inventory(|i, runner| i.set_regions(runner, regions.clone()));
            }
            Command::WorkInAccount(index) => {
                self.work_in(index);
            }
            Command::ToggleAccount(index) => {
                if let Some(slot) = self.accounts.get_mut(index) {
                    slot.collapsed = !slot.collapsed;
                }
            }
            Command::FilterAccount(index) => self.account_filter = index,
            Command::Select(id) => self.select(id),
            Command::OpenReplicate(id) => self.open_replicate(id),
            Command::Replicate(requests) => {
                if let Some(first) = requests.first() {
                    self.selected = Some(first.key_id.clone());
                }
                self.work.inventory.replicate(&self.runner, requests);
            }
            Command::RetryReplicate(id, region) => {
                self.work
                    .inventory
                    .retry_replicate(&self.runner, &id, region);
            }
            Command::ConfirmAction(id, region, action) => {
                if !self.options.read_only {
                    self.confirm = Some(ActionDialog::new(id, region, action));
                }
            }
            Command::Act(id, region, action) => self.act(id, region, action),
            Command::ConfirmCopyGrant(id, region, grant) => {
                if !self.options.read_only {
                    self.grant_dialog = Some(GrantDialog::new(id, region, grant));
                }
            }
            Command::CopyGrant(id, region, grant) => self.copy_grant(id, region, grant),
            Command::ReloadCredentials => {
                self.work.inventory.reload_credentials(&self.runner);
            }
            Command::ReadTags => {
                let primaries = self
                    .work
                    .filters
                    .unknown_primaries(self.work.inventory.estate());
                self.work
                    .inventory
                    .read_primary_tags(&self.runner, primaries);
            }
            Command::Sort(key) => self.work.filters.sort_by(key),
            Command::MakePlan => self.make_plan(),
            Command::SavePlan(plan, path) => {
                self.work.inventory.save_plan(&self.runner, plan, path);
            }
            Command::LoadPlan(path) => {
                self.plan_view.open = true;
                self.plan_view.made_from = None;
                self.work.inventory.load_plan(&self.runner, path);
            }
            Command::ApplyPlan(plan, path) => self.apply_plan(plan, path),
            Command::OpenHistory => {
                self.history.open = true;
                self.history.snapshots = None;
                self.work.inventory.load_snapshots(&self.runner);
            }
            Command::ChangesSince(id) => self.changes_since(id),
            Command::ReadTrail(id) => {
                self.work.inventory.read_trail(&self.runner, &id);
            }
            Command::ConfirmVerify(id) => self.verify_dialog = Some(VerifyDialog::new(id)),
            Command::Verify(id) => self.verify(&id),
            Command::OpenRetire(id, region) => self.open_retire(id, region),
            Command::OpenImport(id) => self.open_import(id),
            Command::ConfirmDeleteMaterial(id, region, material) => {
                self.confirm_delete_material(id, region, material)
            }
            Command::DeleteMaterial(id, region, material_id) => {
                self.delete_material(id, region, material_id)
            }
            Command::ImportMaterial(id, path, expiry) => self.import_material(id, path, expiry),
            Command::RunAudit => self.run_audit(),
            Command::LoadBaseline(path) => {
                self.work.audit.baseline_result = None;
                self.work.inventory.load_baseline(&self.runner, path);
            }
            Command::ExportAudit(path, format) => self.export_audit(path, format),
        }
    }

    /// A confirmed lifecycle call; a rotation call re-reads the family's rotation once landed.
    fn act(&mut self, id: MrkId, region: Region, action: crate::domain::lifecycle::KeyAction) {
        if self.work.inventory.act(&self.runner, &id, region, action) && action.is_rotation() {
            self.reread_after.push((id, region));
        }
    }

    /// A confirmed grant copy; the family's grants are read again once it has landed.
    fn copy_grant(&mut self, id: MrkId, region: Region, grant: crate::domain::parity::Grant) {
        if self
            .work
            .inventory
            .copy_grant(&self.runner, &id, region, grant)
        {
            self.reread_after.push((id, region));
        }
    }

    fn run_audit(&mut self) {
        self.audit_snapshot_due = true;
        self.work.audit.open = true;
        self.work.audit.has_run = true;
        self.work.inventory.read_audit_props(&self.runner);
    }

    /// Verifies the family's keys against each other (confirmed): the last result goes.
    fn verify(&mut self, id: &MrkId) {
        self.verification = None;
        self.work.inventory.verify(&self.runner, id);
    }

    /// Opens the retirement of the family's key in `region`, and reads the trail it judges by.
    fn open_retire(&mut self, id: MrkId, region: Region) {
        let now = self.options.clock.now();
        self.work.inventory.read_trail(&self.runner, &id);
        self.retire = Some(crate::ui::retire_dialog::RetireDialog::new(id, region, now));
    }

    /// Selects a family (or none); the details panel shows each key's policy and tags, read on
    /// demand.
    fn select(&mut self, id: Option<MrkId>) {
        if let Some(id) = &id {
            self.work
                .inventory
                .read_family_props(&self.runner, id, self.work.audit.props());
        }
        self.selected = id;
    }

    /// The plan of the account worked in, computed off this thread.
    fn make_plan(&mut self) {
        self.plan_view.open = true;
        match self.plan_account() {
            Some(account) => {
                let estate = self.work.inventory.estate().revision();
                self.plan_view.made_from = Some((estate, self.baseline_revision));
                self.work.inventory.make_plan(
                    &self.runner,
                    self.work.inventory.estate().clone(),
                    self.work.audit.props().clone(),
                    self.baseline.clone(),
                    account,
                );
            }
            None => self
                .plan_view
                .set_plan(Err(crate::jobs::TaskError::AccountUnknown)),
        }
    }

    /// Carries out the ticked calls (the plan view asked for the confirmation).
    fn apply_plan(&mut self, plan: crate::domain::plan::Plan, path: String) {
        let Some(account) = self.plan_account() else {
            return;
        };
        let options = crate::jobs::ApplyOptions {
            allow_deletions: false,
            account,
            history: self.work.inventory.history_log().cloned(),
        };
        let steps = plan.steps.clone();
        if self
            .work
            .inventory
            .apply_plan(&self.runner, plan, path, options)
        {
            self.applied_steps = steps;
            self.plan_view.outcomes = None;
        }
    }

    /// What changed since snapshot `id`, compared with the estate (and findings) as they are.
    fn changes_since(&mut self, id: i64) {
        self.history.since = Some(id);
        self.history.changes = None;
        let findings = self.current_findings();
        self.work
            .inventory
            .changes_since(&self.runner, id, findings);
    }

    fn export_audit(&mut self, path: String, format: crate::domain::audit::ReportFormat) {
        self.work.audit.export_result = None;
        self.work.inventory.export_report(
            &self.runner,
            self.work.inventory.estate().clone(),
            self.work.audit.result.clone(),
            format,
            path,
        );
    }

    /// The baseline from now on: the grid's marks, the summary row and the audit follow it.
    pub fn set_baseline(&mut self, baseline: Baseline) {
        self.baseline = baseline;
        self.baseline_revision += 1;
        self.work.audit.stale = true;
    }

    /// Opens the Replicate dialog with what the scan knows of the primary, and starts reading its
    /// policy and tags (what the console would copy).
    pub(super) fn open_replicate(&mut self, id: MrkId) {
        if replicate_blocker(self.work.inventory.estate(), &id, self.options.read_only).is_some() {
            return;
        }
        let estate = self.work.inventory.estate();
        let Some(family) = estate.family(&id) else {
            return;
        };
        let Some(primary) = family.described().find(|k| k.role() == Role::Primary) else {
            return;
        };
        let region = primary.region;
        let props = PrimaryProps {
            description: primary.description.clone(),
            policy: None,
            tags: None,
            alias: family.aliases_in(region).first().cloned(),
        };
        self.work.inventory.read_primary_props(
            &self.runner,
            &id,
            region,
            props.description.clone(),
            props.alias.clone(),
        );
        self.replicate = Some(ReplicateDialog::new(id, region, props));
    }
}
