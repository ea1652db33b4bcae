//! The application, split by concern as rerun's viewer is: what it holds and how it is built
//! (here), what it does and draws each frame (`frame`), how it carries out commands
//! (`commands`), how finished background work lands in its state (`task_results`), and its
//! toolbar and status bar.
//!
//! `App::show` is the whole UI for one frame; `eframe::App::ui` only forwards to it, so tests can
//! drive the very same code through `egui_kittest` without a window.

mod accounts;
mod commands;
mod frame;
mod keyboard;
mod material_commands;
mod status_bar;
mod task_results;
mod toolbar;

use egui::Ui;

use super::action_dialog::ActionDialog;
use super::command::Command;
use super::grant_dialog::GrantDialog;
use super::history_panel::HistoryPanel;
use super::plan_view::PlanView;
use super::region_chooser::RegionChooser;
use super::remembered::{Remembered, STORAGE_KEY};
use super::replicate_dialog::ReplicateDialog;
use crate::domain::baseline::Baseline;
use crate::domain::{MrkId, Region};
use crate::jobs::{Inventory, Runner, TaskKey};

use super::org::AccountState;

/// What the user chose on the command line.
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    /// No mutating call is offered or made.
    pub read_only: bool,
    /// Where the app is connected, for the toolbar: profile and endpoint, never credentials.
    pub connection: String,
    /// The coverage to hold the estate to (`--baseline`); empty: no required or allowed Regions.
    pub baseline: Baseline,
    /// The file `baseline` was read from, to say which baseline holds the grid.
    pub baseline_path: Option<String>,
    /// Where the history is kept, or why it is off, for the footer.
    pub history_note: Option<String>,
    /// The account the credentials are for (STS), which plans record and applies check.
    pub account: Option<String>,
    /// What time it is, for ages and quiet periods (the wall clock unless a test sets one).
    pub clock: crate::ui::clock::Clock,
}

pub struct App {
    pub(super) runner: Runner,
    /// The account worked in: its estate and jobs, audit, filters and coverage, as one value
    /// (switching accounts swaps it with a waiting slot's). The others wait in `accounts`.
    pub(super) work: AccountState,
    pub(super) chooser: Option<RegionChooser>,
    pub(super) options: AppOptions,
    pub(super) selected: Option<MrkId>,
    pub(super) replicate: Option<ReplicateDialog>,
    pub(super) confirm: Option<ActionDialog>,
    pub(super) retire: Option<crate::ui::retire_dialog::RetireDialog>,
    /// The coverage the estate is held to (required and allowed Regions, rules).
    pub(super) baseline: Baseline,
    /// Bumped when the baseline changes.
    pub(super) baseline_revision: u64,
    pub(super) started: bool,
    /// False when the app was handed an estate to show (benchmarks, tests): no scan on start.
    pub(super) scan_on_start: bool,
    pub(super) history: HistoryPanel,
    pub(super) grant_dialog: Option<GrantDialog>,
    pub(super) plan_view: PlanView,
    /// The last verification of a family, and of which.
    pub(super) verification: Option<(
        MrkId,
        Result<crate::jobs::Verification, crate::jobs::TaskError>,
    )>,
    /// A verification waiting for its confirmation.
    pub(super) verify_dialog: Option<crate::ui::verify_dialog::VerifyDialog>,
    pub(super) import_dialog: Option<crate::ui::import_dialog::ImportDialog>,
    pub(super) material_delete_dialog:
        Option<crate::ui::material_delete_dialog::MaterialDeleteDialog>,
    /// The last CloudTrail trail read, and of which family.
    pub(super) trail: Option<(
        MrkId,
        Result<crate::jobs::TrailRead, crate::jobs::TaskError>,
    )>,
    /// The grid's Usage view, when on: each key cell on screen shows its last use.
    pub(super) usage_view: Option<crate::ui::grid::UsageView>,
    /// Calls that change what the details panel read (rotation, grants): when each has
    /// landed, the family's properties are read again.
    pub(super) reread_after: Vec<(MrkId, Region)>,
    /// The steps of the apply in flight, to pair with its outcomes.
    pub(super) applied_steps: Vec<crate::domain::plan::Step>,
    /// Audit was clicked: its first findings are saved with the estate as one snapshot.
    pub(super) audit_snapshot_due: bool,
    /// Where the baseline holding the grid came from (`--baseline` or Load baseline).
    pub(super) baseline_source: Option<String>,
    /// An apply finished: what it changed is read again once every Region has been.
    pub(super) reaudit_after_apply: bool,
    /// The grid's keyboard cursor.
    pub(super) cursor: crate::ui::grid::GridCursor,
    /// The keyboard shortcuts window is open.
    pub(super) shortcuts_open: bool,
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
        let baseline_source = options.baseline_path.clone();
        App {
            work: AccountState::new(inventory),
            runner,
            chooser: None,
            options,
            selected: None,
            replicate: None,
            confirm: None,
            retire: None,
            baseline: Baseline::default(),
            baseline_revision: 0,
            started: false,
            scan_on_start: true,
            history: HistoryPanel::default(),
            grant_dialog: None,
            plan_view: PlanView::default(),
            usage_view: None,
            trail: None,
            verification: None,
            verify_dialog: None,
            import_dialog: None,
            material_delete_dialog: None,
            reread_after: Vec::new(),
            applied_steps: Vec::new(),
            audit_snapshot_due: false,
            baseline_source,
            reaudit_after_apply: false,
            cursor: Default::default(),
            shortcuts_open: false,
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
        if is(self.work.inventory.account()) {
            return Some(&self.work.inventory);
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
        self.work
            .inventory
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
        self.work.inventory.set_estate(estate);
        self.scan_on_start = false;
        self
    }

    pub fn inventory(&self) -> &Inventory {
        &self.work.inventory
    }

    /// Turns the grid's Usage view on or off (the toolbar's Usage toggle).
    pub fn set_usage_view(&mut self, on: bool) {
        self.usage_view = on.then(Default::default);
    }

    /// The last audit's findings (empty before the first audit).
    pub fn findings(&self) -> &[crate::domain::audit::Finding] {
        self.work.audit.findings()
    }

    /// Whether a background task of this kind is running (for tests: the findings are being
    /// computed, a family's properties read, …).
    pub fn is_running(&self, task: &TaskKey) -> bool {
        self.work.inventory.task_running(task)
    }

    /// How many families the grid shows under the current filters.
    pub fn shown_families(&self) -> usize {
        self.work.filters.shown(self.work.inventory.estate())
    }

    /// The families the grid shows, in order.
    pub fn shown_rows(&self) -> Vec<MrkId> {
        self.work.filters.shown_rows(self.work.inventory.estate())
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
        &mut self.work.inventory
    }

    pub fn runner(&self) -> &Runner {
        &self.runner
    }
}

impl App {
    /// What the window remembers for the next run (`remembered.rs`).
    pub fn remembered(&self) -> Remembered {
        Remembered {
            regions: self
                .work
                .inventory
                .estate()
                .regions()
                .iter()
                .map(|r| r.name().to_string())
                .collect(),
            baseline_path: self.work.audit.loaded_baseline.clone(),
            findings_open: self.work.audit.open,
            history_open: self.history.open,
        }
    }

    /// Opens what the last run had open: its baseline file offered (not loaded), and the
    /// findings and history panels (the findings read again, as Audit does).
    pub fn reopen(&mut self, remembered: &Remembered) {
        if let Some(path) = &remembered.baseline_path {
            self.work.audit.offer_baseline(path.clone());
        }
        if remembered.findings_open {
            self.apply(Command::RunAudit);
        }
        if remembered.history_open {
            self.apply(Command::OpenHistory);
        }
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, STORAGE_KEY, &self.remembered());
    }
}
