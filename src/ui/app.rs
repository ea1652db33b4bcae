//! The application: app state (inventory, chooser, options) and the frame that draws it.
//!
//! `App::show` is the whole UI for one frame; `eframe::App::ui` only forwards to it, so tests can
//! drive the very same code through `egui_kittest` without a window.

use egui::{RichText, Ui};

use super::action_dialog::ActionDialog;
use super::audit_panel::AuditPanel;
use super::command::Command;
use super::count;
use super::filter_bar::FilterBar;
use super::grant_dialog::GrantDialog;
use super::history_panel::HistoryPanel;
use super::plan_view::PlanView;
use super::region_chooser::RegionChooser;
use super::replicate_dialog::{Outcome, ReplicateDialog};
use std::collections::BTreeMap;

use crate::domain::audit::AuditOptions;
use crate::domain::baseline::Baseline;
use crate::domain::coverage::RegionCoverage;
use crate::domain::history::AuditFacts;
use crate::domain::replicate::replicate_blocker;
use crate::domain::{MrkId, PrimaryProps, Region, RegionStatus, Role};
use crate::jobs::{Inventory, Panicked, Runner, TaskKey, TaskOutput, Tasks, now_epoch};

/// Estate, baseline and known-tags revisions a derived view was computed at.
pub(super) type Revisions = (u64, u64, u64);

/// What the user chose on the command line.
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    /// No mutating call is offered or made.
    pub read_only: bool,
    /// Where the app is connected, for the toolbar: profile and endpoint, never credentials.
    pub connection: String,
    /// The coverage to hold the estate to (`--baseline`); empty: no required or allowed Regions.
    pub baseline: Baseline,
    /// Where the history is kept, or why it is off, for the footer.
    pub history_note: Option<String>,
    /// The account the credentials are for (STS), which plans record and applies check.
    pub account: Option<String>,
}

pub struct App {
    pub(super) runner: Runner,
    pub(super) inventory: Inventory,
    pub(super) chooser: RegionChooser,
    pub(super) options: AppOptions,
    pub(super) selected: Option<MrkId>,
    pub(super) replicate: Option<ReplicateDialog>,
    pub(super) confirm: Option<ActionDialog>,
    pub(super) audit: AuditPanel,
    /// The coverage the estate is held to (required and allowed Regions, rules).
    pub(super) baseline: Baseline,
    /// Bumped when the baseline changes.
    pub(super) baseline_revision: u64,
    /// Each Region's coverage, for (estate, baseline, tags) revisions.
    pub(super) coverage: Option<(Revisions, BTreeMap<Region, RegionCoverage>)>,
    /// Every background task the panels asked for, one per kind and subject.
    pub(super) tasks: Tasks,
    /// Search, filters and sort of the grid's rows.
    pub(super) filters: FilterBar,
    pub(super) started: bool,
    /// False when the app was handed an estate to show (benchmarks, tests): no scan on start.
    pub(super) scan_on_start: bool,
    pub(super) history: HistoryPanel,
    pub(super) grant_dialog: Option<GrantDialog>,
    pub(super) plan_view: PlanView,
    /// Calls that change what the details panel read (rotation, grants): when each has
    /// landed, the family's properties are read again.
    pub(super) reread_after: Vec<(MrkId, Region)>,
    /// The steps of the apply in flight, to pair with its outcomes.
    pub(super) applied_steps: Vec<crate::domain::plan::Step>,
    /// Audit was clicked: its first findings are saved with the estate as one snapshot.
    pub(super) audit_snapshot_due: bool,
    /// The accounts of an organization-wide window (empty for one account); the one worked
    /// in is `active`, and its state is this App's own fields.
    pub(super) accounts: Vec<super::org::AccountSlot>,
    pub(super) active: usize,
    /// Show only this account's section.
    pub(super) account_filter: Option<usize>,
}

impl App {
    /// The app over `inventory` (its clients, Regions and, for "Reload credentials", its
    /// connection settings).
    pub fn new(runner: Runner, mut inventory: Inventory, mut options: AppOptions) -> App {
        inventory.set_read_only(options.read_only);
        let baseline = std::mem::take(&mut options.baseline);
        App {
            inventory,
            runner,
            chooser: RegionChooser::default(),
            options,
            selected: None,
            replicate: None,
            confirm: None,
            audit: AuditPanel::default(),
            baseline: Baseline::default(),
            baseline_revision: 0,
            coverage: None,
            tasks: Tasks::default(),
            filters: FilterBar::default(),
            started: false,
            scan_on_start: true,
            history: HistoryPanel::default(),
            grant_dialog: None,
            plan_view: PlanView::default(),
            reread_after: Vec::new(),
            applied_steps: Vec::new(),
            audit_snapshot_due: false,
            accounts: Vec::new(),
            active: 0,
            account_filter: None,
        }
        .with_baseline(baseline)
    }

    /// The app over several accounts, one section of the grid each, working in the first
    /// account that could be entered. `None` when none could.
    pub fn for_organization(
        runner: Runner,
        mut accounts: Vec<super::org::AccountSlot>,
        options: AppOptions,
    ) -> Option<App> {
        let active = accounts.iter().position(|s| s.parked.is_some())?;
        for state in accounts.iter_mut().filter_map(|s| s.parked.as_mut()) {
            state.inventory.set_read_only(options.read_only);
        }
        let state = accounts[active].parked.take()?;
        let mut app = App::new(runner, state.inventory, options);
        app.accounts = accounts;
        app.active = active;
        Some(app)
    }

    /// The inventory of the account with this ID, whether it is worked in or waiting
    /// (`None`: no such account, or it could not be entered).
    pub fn inventory_of(&self, account_id: &str) -> Option<&Inventory> {
        let is = |a: Option<&crate::domain::account::Account>| {
            a.is_some_and(|a| a.id.as_str() == account_id)
        };
        if is(self.inventory.account()) {
            return Some(&self.inventory);
        }
        self.accounts
            .iter()
            .filter_map(|s| s.parked.as_ref())
            .map(|state| &state.inventory)
            .find(|i| is(i.account()))
    }

    /// The account worked in, in an organization-wide window.
    pub fn working_account(&self) -> Option<&crate::domain::account::Account> {
        self.accounts.get(self.active).map(|s| &s.account)
    }

    /// The account ID a plan is made for and an apply checks: the account worked in.
    fn plan_account(&self) -> Option<String> {
        self.inventory
            .account()
            .map(|a| a.id.to_string())
            .or_else(|| self.options.account.clone())
    }

    fn with_baseline(mut self, baseline: Baseline) -> App {
        self.set_baseline(baseline);
        self
    }

    /// Shows `estate` as if it had been scanned, without scanning on start (Refresh still
    /// scans). For benchmarks and tests that need a large estate without an endpoint.
    pub fn with_estate(mut self, estate: crate::domain::Estate) -> App {
        self.inventory.set_estate(estate);
        self.scan_on_start = false;
        self
    }

    pub fn inventory(&self) -> &Inventory {
        &self.inventory
    }

    /// The last audit's findings (empty before the first audit).
    pub fn findings(&self) -> &[crate::domain::audit::Finding] {
        self.audit.findings()
    }

    /// Whether a background task of this kind is running (for tests: the findings are being
    /// computed, a family's properties read, …).
    pub fn is_running(&self, task: &TaskKey) -> bool {
        self.tasks.is_running(task)
    }

    /// How many families the grid shows under the current filters.
    pub fn shown_families(&self) -> usize {
        self.filters.shown(self.inventory.estate())
    }

    /// The families the grid shows, in order.
    pub fn shown_rows(&self) -> Vec<MrkId> {
        self.filters.shown_rows(self.inventory.estate())
    }

    pub fn is_confirmation_open(&self) -> bool {
        self.confirm.is_some()
    }

    pub fn is_replicate_dialog_open(&self) -> bool {
        self.replicate.is_some()
    }

    pub fn selected(&self) -> Option<&MrkId> {
        self.selected.as_ref()
    }

    /// For tests: shorten the watcher's backoff.
    pub fn inventory_mut(&mut self) -> &mut Inventory {
        &mut self.inventory
    }

    pub fn runner(&self) -> &Runner {
        &self.runner
    }

    /// Draws one frame.
    pub fn show(&mut self, ui: &mut Ui) {
        if !self.started {
            // Background jobs wake this context when they finish; nothing repaints on a timer.
            let ctx = ui.ctx().clone();
            self.runner
                .set_repaint(std::sync::Arc::new(move || ctx.request_repaint()));
            if self.scan_on_start {
                self.for_every_inventory(|i, runner| i.refresh(runner));
            }
            self.started = true;
        }
        self.inventory.poll(&self.runner);
        self.poll_parked();
        for (task, outcome) in self.tasks.take_finished() {
            self.absorb(task, outcome);
        }
        self.refresh_findings();
        self.refresh_changes_since();
        self.reread_changed_families();
        self.follow_apply();

        let mut commands = Vec::new();
        egui::Panel::top("toolbar").show(ui, |ui| self.toolbar(ui, &mut commands));
        if let Some(problem) = self.credentials_problem() {
            egui::Panel::top("credentials-banner").show(ui, |ui| {
                self.credentials_banner(ui, &problem, &mut commands)
            });
        }
        let reading_tags = self.tasks.is_running(&TaskKey::PrimaryTags);
        egui::Panel::top("filters").show(ui, |ui| {
            self.filters
                .show(ui, self.inventory.estate(), reading_tags, &mut commands)
        });
        egui::Panel::bottom("status").show(ui, |ui| self.status_bar(ui));
        if self.audit.open {
            egui::Panel::bottom("findings")
                .resizable(true)
                .default_size(220.0)
                .show(ui, |ui| {
                    let running = self.tasks.is_running(&TaskKey::AuditProps)
                        || self.tasks.is_running(&TaskKey::Findings);
                    self.audit.show(ui, &self.inventory, running, &mut commands)
                });
        }
        if self.plan_view.open {
            egui::Panel::bottom("plan")
                .resizable(true)
                .default_size(260.0)
                .show(ui, |ui| {
                    let planning = self.tasks.is_running(&TaskKey::Plan);
                    let applying = self.tasks.running_apply();
                    self.plan_view.show(
                        ui,
                        (planning, applying),
                        self.options.read_only,
                        &mut commands,
                    )
                });
        }
        if self.history.open {
            egui::Panel::bottom("history")
                .resizable(true)
                .default_size(240.0)
                .show(ui, |ui| {
                    let busy = self.tasks.is_running(&TaskKey::Snapshots)
                        || self
                            .history
                            .since
                            .is_some_and(|id| self.tasks.is_running(&TaskKey::ChangesSince(id)));
                    self.history.show(ui, busy, &mut commands)
                });
        }
        if let Some(id) = &self.selected {
            egui::Panel::right("details")
                .default_size(380.0)
                .show(ui, |ui| {
                    let audit = super::details::AuditView {
                        findings: self.audit.for_family(id).collect(),
                        props: self.audit.props(),
                    };
                    super::details::show(
                        ui,
                        &self.inventory,
                        id,
                        self.options.read_only,
                        &audit,
                        &mut commands,
                    )
                });
        }
        if self.chooser.open {
            self.chooser.show(ui.ctx(), &mut commands);
        }
        if let Some(dialog) = &mut self.replicate
            && dialog.show(
                ui.ctx(),
                &self.inventory,
                self.options.read_only,
                &mut commands,
            ) == Outcome::Close
        {
            self.replicate = None;
        }
        if let Some(dialog) = &mut self.grant_dialog
            && !dialog.show(
                ui.ctx(),
                &self.inventory,
                self.options.read_only,
                &mut commands,
            )
        {
            self.grant_dialog = None;
        }
        if let Some(dialog) = &mut self.confirm
            && !dialog.show(
                ui.ctx(),
                &self.inventory,
                self.options.read_only,
                &mut commands,
            )
        {
            self.confirm = None;
        }
        self.filters.query.missing_in = self.audit.missing_in;
        self.filters.query.only_with_findings = self.audit.only_with_findings && self.audit.open;
        egui::CentralPanel::default().show(ui, |ui| {
            if self.accounts.is_empty() {
                self.show_active_grid(ui, None, &mut commands);
            } else {
                self.show_sections(ui, &mut commands);
            }
        });

        for command in commands {
            self.apply(command);
        }
    }

    /// The grid of the account worked in (a section of its own among several accounts').
    pub(super) fn show_active_grid(
        &mut self,
        ui: &mut Ui,
        section: Option<usize>,
        commands: &mut Vec<Command>,
    ) {
        let parts = super::org::GridParts {
            inventory: &self.inventory,
            audit: &self.audit,
            filters: &mut self.filters,
            coverage: &mut self.coverage,
            selected: self.selected.as_ref(),
            changed: &self.history.changed_cells,
        };
        let baseline = (&self.baseline, self.baseline_revision);
        let read_only = self.options.read_only;
        super::org::show_grid(ui, parts, baseline, read_only, section, commands);
    }

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
            Command::Select(id) => {
                if let Some(id) = &id {
                    // The details panel shows each key's policy and tags: read on demand.
                    self.tasks.read_family_props(
                        &self.runner,
                        &self.inventory,
                        id,
                        self.audit.props(),
                    );
                }
                self.selected = id;
            }
            Command::OpenReplicate(id) => self.open_replicate(id),
            Command::Replicate(requests) => {
                if let Some(first) = requests.first() {
                    self.selected = Some(first.key_id.clone());
                }
                self.inventory.replicate(&self.runner, requests);
            }
            Command::RetryReplicate(id, region) => {
                self.inventory.retry_replicate(&self.runner, &id, region);
            }
            Command::ConfirmAction(id, region, action) => {
                if !self.options.read_only {
                    self.confirm = Some(ActionDialog::new(id, region, action));
                }
            }
            Command::Act(id, region, action) => {
                if self.inventory.act(&self.runner, &id, region, action) && action.is_rotation() {
                    self.reread_after.push((id, region));
                }
            }
            Command::ConfirmCopyGrant(id, region, grant) => {
                if !self.options.read_only {
                    self.grant_dialog = Some(GrantDialog::new(id, region, grant));
                }
            }
            Command::CopyGrant(id, region, grant) => {
                if self.inventory.copy_grant(&self.runner, &id, region, grant) {
                    self.reread_after.push((id, region));
                }
            }
            Command::ReloadCredentials => {
                self.tasks.reload_credentials(&self.runner, &self.inventory);
            }
            Command::ReadTags => {
                let primaries = self.filters.unknown_primaries(self.inventory.estate());
                self.tasks
                    .read_primary_tags(&self.runner, &self.inventory, primaries);
            }
            Command::Sort(key) => self.filters.sort_by(key),
            Command::MakePlan => {
                self.plan_view.open = true;
                match self.plan_account() {
                    Some(account) => {
                        self.tasks.make_plan(
                            &self.runner,
                            self.inventory.estate().clone(),
                            self.audit.props().clone(),
                            self.baseline.clone(),
                            account,
                        );
                    }
                    None => self.plan_view.set_plan(Err(
                        "the account is unknown (STS GetCallerIdentity did not answer): a plan needs it"
                            .into(),
                    )),
                }
            }
            Command::SavePlan(plan, path) => {
                self.tasks.save_plan(&self.runner, plan, path);
            }
            Command::LoadPlan(path) => {
                self.plan_view.open = true;
                self.tasks.load_plan(&self.runner, path);
            }
            Command::ApplyPlan(plan, path) => {
                if let Some(account) = self.plan_account() {
                    let options = crate::jobs::ApplyOptions {
                        allow_deletions: false,
                        account,
                        history: self.inventory.history_log().cloned(),
                    };
                    let steps = plan.steps.clone();
                    if self
                        .tasks
                        .apply_plan(&self.runner, &self.inventory, plan, path, options)
                    {
                        self.applied_steps = steps;
                        self.plan_view.outcomes = None;
                    }
                }
            }
            Command::OpenHistory => {
                self.history.open = true;
                self.history.snapshots = None;
                self.tasks.load_snapshots(&self.runner, &self.inventory);
            }
            Command::ChangesSince(id) => {
                self.history.since = Some(id);
                self.history.changes = None;
                let findings = self.current_findings();
                self.tasks
                    .changes_since(&self.runner, &self.inventory, id, findings);
            }
            Command::RunAudit => {
                self.audit_snapshot_due = true;
                self.audit.open = true;
                self.audit.has_run = true;
                self.tasks.read_audit_props(&self.runner, &self.inventory);
            }
            Command::LoadBaseline(path) => {
                self.audit.baseline_result = None;
                self.tasks.load_baseline(&self.runner, path);
            }
            Command::ExportAudit(path, format) => {
                self.audit.export_result = None;
                self.tasks.export_report(
                    &self.runner,
                    self.inventory.estate().clone(),
                    self.audit.result.clone(),
                    format,
                    path,
                );
            }
        }
    }

    /// The baseline from now on: the grid's marks, the summary row and the audit follow it.
    pub fn set_baseline(&mut self, baseline: Baseline) {
        self.baseline = baseline;
        self.baseline_revision += 1;
        self.audit.stale = true;
    }

    /// Hands a finished task's result to the state it belongs to.
    fn absorb(&mut self, task: TaskKey, outcome: Result<TaskOutput, Panicked>) {
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
    fn follow_apply(&mut self) {
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
    fn reread_changed_families(&mut self) {
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
    fn current_findings(&self) -> Option<AuditFacts> {
        (self.audit.has_run && self.audit.result.revision == self.inventory.estate().revision())
            .then(|| AuditFacts {
                findings: self.audit.findings().to_vec(),
                not_audited: self.audit.result.not_audited.clone(),
            })
    }

    /// "Changes since" follows the estate: compared again at each new revision.
    fn refresh_changes_since(&mut self) {
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
    fn refresh_findings(&mut self) {
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

    /// The first Region whose scan failed because of credentials, with the problem.
    fn credentials_problem(&self) -> Option<(Region, crate::domain::Problem)> {
        let estate = self.inventory.estate();
        estate
            .regions()
            .iter()
            .find_map(|r| match estate.status(*r) {
                RegionStatus::Failed(p) if p.kind == crate::domain::ProblemKind::Credentials => {
                    Some((*r, p.clone()))
                }
                _ => None,
            })
    }

    fn credentials_banner(
        &self,
        ui: &mut Ui,
        (region, problem): &(Region, crate::domain::Problem),
        commands: &mut Vec<Command>,
    ) {
        let who = self.inventory.credential_source();
        ui.horizontal_wrapped(|ui| {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!(
                    "Credentials from {who} were rejected in {region} ({problem}). Renew them \
                     (for example aws sso login), then reload: nothing on screen is lost."
                ),
            );
            let reloading = self.tasks.is_running(&TaskKey::ReloadCredentials);
            let button = ui
                .add_enabled(
                    self.inventory.can_reload() && !reloading,
                    egui::Button::new("Reload credentials"),
                )
                .on_disabled_hover_text(if reloading {
                    "Reloading…"
                } else {
                    "These credentials were given on start-up and cannot be reloaded."
                });
            if button.clicked() {
                commands.push(Command::ReloadCredentials);
            }
        });
    }

    /// Opens the Replicate dialog with what the scan knows of the primary, and starts reading its
    /// policy and tags (what the console would copy).
    fn open_replicate(&mut self, id: MrkId) {
        if replicate_blocker(self.inventory.estate(), &id, self.options.read_only).is_some() {
            return;
        }
        let estate = self.inventory.estate();
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
        self.tasks.read_primary_props(
            &self.runner,
            &self.inventory,
            &id,
            region,
            props.description.clone(),
            props.alias.clone(),
        );
        self.replicate = Some(ReplicateDialog::new(id, region, props));
    }

    /// The actions first, so they stay reachable however narrow the window: the row wraps
    /// instead of pushing them off its right edge.
    fn toolbar(&mut self, ui: &mut Ui, commands: &mut Vec<Command>) {
        ui.horizontal_wrapped(|ui| {
            let scanning = self.inventory.is_scanning();
            let busy = "A scan is running: wait for it to finish.";
            let full = ui
                .add_enabled(!scanning, egui::Button::new("Refresh"))
                .on_hover_text("List and describe every key in every chosen Region again.")
                .on_disabled_hover_text(busy);
            if full.clicked() {
                commands.push(Command::Refresh);
            }
            let changes = ui
                .add_enabled(!scanning, egui::Button::new("Refresh changes"))
                .on_hover_text(
                    "List every Region again, but describe only new keys, keys in a changing \
                     state (Creating, Updating, Pending…), keys that could not be read, and \
                     families that gained or lost a Region. Settled Enabled and Disabled keys \
                     are not read again: a change made to one elsewhere shows after Refresh.",
                )
                .on_disabled_hover_text(busy);
            if changes.clicked() {
                commands.push(Command::RefreshChanges);
            }
            if ui.button("Regions…").clicked() {
                self.chooser.open_with(self.inventory.estate().regions());
            }
            if !self.accounts.is_empty() {
                self.account_filter_box(ui, commands);
            }
            let audit = ui
                .add_enabled(!scanning, egui::Button::new("Audit"))
                .on_hover_text(
                    "Compare every replica with its primary (policy, tags, description, \
                     aliases, state) and list what needs attention",
                )
                .on_disabled_hover_text(busy);
            if audit.clicked() {
                commands.push(Command::RunAudit);
            }
            let has_history = self.inventory.history_log().is_some();
            let history = ui
                .add_enabled(has_history, egui::Button::new("History"))
                .on_hover_text(
                    "Findings over the saved snapshots, and what changed since one of them \
                     (marked on the grid)",
                )
                .on_disabled_hover_text(
                    "History is off (--no-history, or the demo without --state-dir)",
                );
            if history.clicked() {
                commands.push(Command::OpenHistory);
            }
            ui.separator();
            if self.options.read_only {
                ui.label(
                    RichText::new("READ-ONLY")
                        .strong()
                        .color(ui.visuals().warn_fg_color),
                )
                .on_hover_text(
                    "Started with --read-only: no call that changes a key is offered or made.",
                );
            }
            ui.heading("KMS multi-Region keys");
            ui.add(egui::Label::new(RichText::new(&self.options.connection).weak()).truncate());
        });
    }

    /// Which accounts' sections the grid shows: all, or one.
    fn account_filter_box(&self, ui: &mut Ui, commands: &mut Vec<Command>) {
        let shown = match self.account_filter.and_then(|i| self.accounts.get(i)) {
            Some(slot) => slot.account.label(),
            None => "All accounts".to_string(),
        };
        egui::ComboBox::from_label("Account filter")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                if ui
                    .selectable_label(self.account_filter.is_none(), "All accounts")
                    .clicked()
                {
                    commands.push(Command::FilterAccount(None));
                }
                for (index, slot) in self.accounts.iter().enumerate() {
                    let chosen = self.account_filter == Some(index);
                    if ui.selectable_label(chosen, slot.account.label()).clicked() {
                        commands.push(Command::FilterAccount(Some(index)));
                    }
                }
            });
    }

    fn status_bar(&self, ui: &mut Ui) {
        let estate = self.inventory.estate();
        let regions = estate.regions();
        let failed = regions
            .iter()
            .filter(|r| matches!(estate.status(**r), RegionStatus::Failed(_)))
            .count();
        let scanning = regions
            .iter()
            .filter(|r| self.inventory.progress(**r).is_some())
            .count();
        ui.horizontal(|ui| {
            let shown = self.filters.shown(estate);
            let families = if shown == estate.family_count() {
                count(estate.family_count(), "key family", "key families")
            } else {
                format!(
                    "{shown} of {} shown",
                    count(estate.family_count(), "key family", "key families")
                )
            };
            ui.label(format!(
                "{families} · {}",
                count(regions.len(), "Region", "Regions")
            ));
            if let Some(account) = self.working_account() {
                let not_read = self.accounts.iter().filter(|s| !s.entered).count();
                ui.separator();
                ui.label(format!(
                    "working in account {} · {} in the window",
                    account.label(),
                    count(self.accounts.len(), "account", "accounts")
                ));
                if not_read > 0 {
                    ui.colored_label(
                        ui.visuals().error_fg_color,
                        format!("{} not read", count(not_read, "account", "accounts")),
                    );
                }
            }
            if scanning > 0 {
                ui.separator();
                ui.spinner();
                ui.label(format!("scanning {}", count(scanning, "Region", "Regions")));
            }
            if failed > 0 {
                ui.separator();
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!(
                        "{} could not be read (hover the column header for the reason)",
                        count(failed, "Region", "Regions")
                    ),
                );
            }
            self.history_status(ui);
        });
        super::grid::legend(ui, &self.baseline, self.history.since.is_some());
    }
}

impl App {
    /// Where the history is kept (or why not), and the last write that failed.
    fn history_status(&self, ui: &mut Ui) {
        let failed = self.inventory.history_log().and_then(|log| log.problem());
        if let Some(problem) = failed {
            ui.separator();
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("History not saved: {problem}"),
            );
        } else if let Some(note) = &self.options.history_note {
            ui.separator();
            ui.label(RichText::new(note).small().weak());
        }
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }
}
