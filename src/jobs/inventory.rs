//! The inventory: one account's estate and the one table of background work on it (`JobTable`):
//! the scans that feed it, one per Region, and every other job.
//!
//! The UI (or the headless audit) calls `refresh` to start scans and `poll` every frame to fold
//! finished jobs in. Each Region lands on its own; a second `refresh` while a Region is
//! scanning leaves that scan to finish rather than starting a parallel one.

use std::collections::HashMap;
use std::sync::Arc;

use super::apply::StepStatus;
use super::job_table::{Answer, Described, Done, Job, JobTable};
use super::replicate::calls::Backoff;
use super::runner::Runner;
use super::scan::{ScanKind, ScanOutcome, ScanProgress, scan_region};
use super::tasks::{TaskKey, TaskOutput};
use crate::aws::{AwsClients, ConnectSettings};
use crate::domain::account::{Account, account_of_arn};
use crate::domain::{Estate, KeyInfo, MrkId, Problem, ProblemKind, Region, RegionStatus};

pub use super::replicate::state::{ReplicaJob, ReplicaPhase};

/// Every multi-Region key family of the chosen Regions, and the work under way on it: scans per
/// Region, replications per (family, target Region), and every task a panel asked for.
pub struct Inventory {
    pub(super) clients: AwsClients,
    pub(super) estate: Estate,
    /// Every job in flight on this account.
    pub(super) jobs: JobTable,
    /// How far each Region's scan in flight has got.
    scan_progress: HashMap<Region, Arc<ScanProgress>>,
    /// Follow-ups started so far (each has its own number in the table).
    follow_ups_started: u64,
    /// While `wait_all` folds the scans in: the follow-ups to start once every Region is in.
    deferred_follow_ups: Option<Vec<(Region, Vec<MrkId>)>>,
    /// Tasks that finished, waiting for the window to take them (an account's window may be
    /// in the background when they finish).
    finished_tasks: Vec<TaskOutput>,
    /// The outcomes of the apply in flight (or the last one) so far, step by step.
    pub(super) apply_progress: Arc<std::sync::Mutex<Vec<StepStatus>>>,
    pub(super) replications: HashMap<(MrkId, Region), ReplicaJob>,
    pub(super) actions: super::action_state::Actions,
    pub(super) grant_copies: HashMap<(MrkId, Region), super::grant_copy::GrantCopy>,
    pub(super) material_imports: HashMap<MrkId, super::material_import::MaterialImport>,
    pub(super) material_deletions:
        HashMap<(MrkId, Region), super::material_deletion::MaterialDeletion>,
    /// What this app did in this session, oldest first.
    pub(super) trail: Vec<super::action_state::ActionRecord>,
    /// Where snapshots and journal entries go; `None` with history off.
    pub(super) history_log: Option<super::history_writer::HistoryLog>,
    /// A refresh started: the estate is saved as a snapshot once every Region has reported.
    snapshot_due: bool,
    /// Refuses every mutating call, whatever the UI asks.
    pub(super) read_only: bool,
    pub(super) backoff: Backoff,
    /// How to build the clients again when credentials are renewed; `None` when they were given.
    reload: Option<ConnectSettings>,
    /// The account the clients act in, when known: every mutating call checks that the key it
    /// acts on is in it.
    account: Option<Account>,
    /// Last usage read for the keys the window showed.
    pub(super) usage: super::usage_reads::UsageReads,
}

impl Inventory {
    pub fn new(clients: AwsClients, regions: Vec<Region>) -> Inventory {
        Inventory {
            clients,
            estate: Estate::new(regions),
            jobs: JobTable::default(),
            scan_progress: HashMap::new(),
            follow_ups_started: 0,
            deferred_follow_ups: None,
            finished_tasks: Vec::new(),
            apply_progress: Arc::default(),
            replications: HashMap::new(),
            actions: HashMap::new(),
            grant_copies: HashMap::new(),
            material_imports: HashMap::new(),
            material_deletions: HashMap::new(),
            trail: Vec::new(),
            history_log: None,
            snapshot_due: false,
            read_only: false,
            backoff: Backoff::default(),
            reload: None,
            account: None,
            usage: Default::default(),
        }
    }

    /// Ties the inventory to the account its clients act in.
    pub fn with_account(mut self, account: Account) -> Inventory {
        self.account = Some(account);
        self
    }

    pub fn account(&self) -> Option<&Account> {
        self.account.as_ref()
    }

    /// `In account 222233334444 (payments-prod)`: how confirmations name where a call acts
    /// (the key's own ARN says it when the inventory was not told).
    pub fn account_label(&self, arn: &str) -> String {
        match &self.account {
            Some(account) => account.label(),
            None => super::EstateView::account_label(&self.estate, arn),
        }
    }

    /// Whether every key of the family is in this inventory's account (always, when the
    /// account is not known): a mutating call is refused otherwise, so one account's family is
    /// never acted on with another account's credentials.
    pub(super) fn in_own_account(&self, key_id: &MrkId) -> bool {
        let Some(account) = &self.account else {
            return true;
        };
        let Some(family) = self.estate.family(key_id) else {
            return false;
        };
        let own = family
            .described()
            .all(|k| account_of_arn(&k.arn) == Some(account.id.as_str()));
        if !own {
            tracing::error!(
                "refused: {key_id} is not in account {}, whose credentials these are",
                account.id
            );
        }
        own
    }

    /// Keeps history in `log`: each completed refresh becomes a snapshot, each mutating call a
    /// journal entry. `past` (the journal of earlier runs) opens the trail, so what this app
    /// did survives a restart.
    pub fn with_history(
        mut self,
        log: super::history_writer::HistoryLog,
        past: &[crate::domain::history::JournalEntry],
    ) -> Inventory {
        self.trail = past
            .iter()
            .filter(|e| e.account == log.actor().account)
            .filter_map(super::action_state::ActionRecord::from_journal)
            .collect();
        self.history_log = Some(log);
        self
    }

    pub fn history_log(&self) -> Option<&super::history_writer::HistoryLog> {
        self.history_log.as_ref()
    }

    /// Lets "Reload credentials" rebuild the clients from these settings.
    pub fn with_reload(mut self, settings: ConnectSettings) -> Inventory {
        self.reload = Some(settings);
        self
    }

    pub(super) fn reload_settings(&self) -> Option<&ConnectSettings> {
        self.reload.as_ref()
    }

    pub fn can_reload(&self) -> bool {
        self.reload.is_some()
    }

    /// Where the credentials come from, in words for the credentials banner (never a secret).
    pub fn credential_source(&self) -> String {
        self.reload
            .as_ref()
            .and_then(|s| s.profile.clone())
            .or_else(|| std::env::var("AWS_PROFILE").ok())
            .map(|p| format!("profile {p}"))
            .unwrap_or_else(|| "the default credential chain".into())
    }

    /// In read-only mode the inventory makes no mutating call at all.
    pub fn set_read_only(&mut self, read_only: bool) {
        self.read_only = read_only;
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// How the watcher polls new replicas (tests shorten it).
    pub fn set_backoff(&mut self, backoff: Backoff) {
        self.backoff = backoff;
    }

    pub fn estate(&self) -> &Estate {
        &self.estate
    }

    /// Replaces the estate wholesale (a saved or synthetic one); jobs in flight keep running.
    pub fn set_estate(&mut self, estate: Estate) {
        self.estate = estate;
    }

    /// Changes the scanned Regions and scans the ones that are new.
    pub fn set_regions(&mut self, runner: &Runner, regions: Vec<Region>) {
        let new: Vec<Region> = regions
            .iter()
            .copied()
            .filter(|r| !self.estate.regions().contains(r))
            .collect();
        self.jobs
            .abandon(|job| matches!(job, Job::Scan(r) if !regions.contains(r)));
        self.scan_progress.retain(|r, _| regions.contains(r));
        self.estate.set_regions(regions);
        for region in new {
            self.start(runner, region, ScanKind::Full);
        }
    }

    /// Makes `region` a column of the grid (and scans it) when it is not one: a Region the app
    /// acts in is always shown, so a replica made there is seen (Creating → Enabled), audited
    /// and remembered, never invisible.
    pub fn include_region(&mut self, runner: &Runner, region: Region) {
        if self.estate.regions().contains(&region) {
            return;
        }
        let mut regions = self.estate.regions().to_vec();
        regions.push(region);
        tracing::info!("{region} joins the scanned Regions: the app acts there");
        self.set_regions(runner, regions);
    }

    /// Rescans every Region in full now, beginning again the scans under way: after this app's
    /// own calls, whose effects a scan begun before them (or a "Refresh changes", which does
    /// not re-read settled keys) would miss.
    pub fn refresh_after_calls(&mut self, runner: &Runner) {
        self.jobs.abandon(|job| matches!(job, Job::Scan(_)));
        self.scan_progress.clear();
        self.refresh(runner);
    }

    /// A key as a call of this app just reported it (made, enabled, promoted, settled). A scan
    /// of its Region under way began before the call, and its listing would undo what the call
    /// reported (take a new replica off the grid, put back an old state): it is begun again.
    pub(in crate::jobs) fn upsert_from_call(&mut self, runner: &Runner, key: KeyInfo) {
        let region = key.region;
        self.estate.upsert_key(key);
        if self.jobs.is_running(&Job::Scan(region)) {
            self.jobs.abandon(|job| *job == Job::Scan(region));
            self.start(runner, region, ScanKind::Full);
        }
    }

    /// Keys a call changed, as DescribeKey now reads them: each folded in as `upsert_from_call`
    /// does, a key KMS no longer knows removed.
    pub(in crate::jobs) fn upsert_described(&mut self, runner: &Runner, described: Described) {
        for ((id, region), answer) in described {
            match answer {
                Some(key) => self.upsert_from_call(runner, key),
                None => self.estate.remove_key(&id, region),
            }
        }
    }

    /// Rescans every Region, describing every key again. A Region whose scan is still running
    /// is left to finish: one scan per Region at a time, however often this is asked (a second
    /// scan would double the calls against the same quota and race the first to the estate).
    pub fn refresh(&mut self, runner: &Runner) {
        self.snapshot_due = true;
        self.forget_usage();
        for region in self.estate.regions().to_vec() {
            self.start(runner, region, ScanKind::Full);
        }
    }

    /// Lists every Region again but describes only what may have changed: new keys, keys in a
    /// state that moves on its own (Creating, Updating, Pending…), keys that could not be read,
    /// and, afterwards, the other keys of families that gained or lost a Region. A Region that
    /// was not scanned successfully is scanned in full.
    ///
    /// Settled Enabled and Disabled keys are not read again: a change made to one elsewhere
    /// (disabled from the console, say) shows only after a full `refresh`. KMS offers no change
    /// marker that would make this safe, which is why both exist.
    pub fn refresh_changes(&mut self, runner: &Runner) {
        self.snapshot_due = true;
        self.rescan_changes(runner);
    }

    /// As `refresh_changes`, without saving a snapshot once it is done: to follow an apply
    /// call by call (the apply's own full refresh at its end is its one snapshot).
    pub fn follow_changes(&mut self, runner: &Runner) {
        self.rescan_changes(runner);
    }

    fn rescan_changes(&mut self, runner: &Runner) {
        for region in self.estate.regions().to_vec() {
            if self.jobs.is_running(&Job::Scan(region)) {
                continue;
            }
            let kind = match self.estate.status(region) {
                RegionStatus::Scanned => ScanKind::Changes(self.estate.settled_in(region)),
                _ => ScanKind::Full,
            };
            self.start(runner, region, kind);
        }
    }

    /// Starts the scan of `region`, unless one is running there.
    fn start(&mut self, runner: &Runner, region: Region, kind: ScanKind) {
        let progress = Arc::new(ScanProgress::default());
        let future = scan_region(
            self.clients.client(region),
            kind,
            progress.clone(),
            runner.repaint_hook(),
        );
        let scan = async move {
            Done::Scanned {
                region,
                answer: Ok(future.await),
            }
        };
        if self.jobs.start(runner, Job::Scan(region), scan) {
            self.estate.mark_scanning(region);
            self.scan_progress.insert(region, progress);
        }
    }

    /// Folds every finished job in. Returns whether any finished.
    pub fn poll(&mut self, runner: &Runner) -> bool {
        let mut finished = self.jobs.take_finished();
        // Listings first, then what calls answered: a scan that began before a call made or
        // changed a key must not undo, in the same frame, what the call reported.
        finished.sort_by_key(|done| !matches!(done, Done::Scanned { .. } | Done::FollowedUp(_)));
        let any = !finished.is_empty();
        for done in finished {
            self.fold(runner, done);
        }
        self.save_snapshot_when_done();
        any
    }

    /// One finished job into the state it belongs to: one arm per job.
    fn fold(&mut self, runner: &Runner, done: Done) {
        match done {
            Done::Scanned { region, answer } => {
                self.scan_progress.remove(&region);
                let changed = self.apply(region, answer);
                match &mut self.deferred_follow_ups {
                    Some(deferred) => deferred.push((region, changed)),
                    None => self.follow_up(runner, region, changed),
                }
            }
            Done::FollowedUp(Ok(answers)) => self.apply_follow_up(answers),
            Done::FollowedUp(Err(panicked)) => {
                tracing::error!("re-describing changed families: {panicked}")
            }
            Done::Replicated { id, region, answer } => {
                self.on_replicated(runner, id, region, answer)
            }
            Done::Settled { id, region, answer } => self.on_settled(runner, id, region, answer),
            Done::Acted { id, region, answer } => self.on_acted(runner, id, region, answer),
            Done::Followed { id, region, answer } => self.on_followed(runner, id, region, answer),
            Done::GrantCopied { id, region, answer } => self.on_grant_copied(id, region, answer),
            Done::UsageRead { region, answer } => self.on_usage_read(runner, region, answer),
            Done::MaterialDeleted { id, region, answer } => {
                self.on_material_deleted(runner, id, region, answer)
            }
            Done::MaterialImported { id, answer } => self.on_material_imported(runner, id, answer),
            Done::Task(output) => self.finished_tasks.push(output),
        }
    }

    /// The tasks that finished since the last call, for the window to fold in.
    pub fn take_finished_tasks(&mut self) -> Vec<TaskOutput> {
        std::mem::take(&mut self.finished_tasks)
    }

    /// Whether the task `key` is running.
    pub fn task_running(&self, key: &TaskKey) -> bool {
        self.jobs.is_running(&Job::Task(key.clone()))
    }

    /// Saves the estate with the audit's findings as one snapshot, when history is kept and
    /// every Region has reported (the GUI's Audit button, once its findings are computed).
    pub fn save_audit_snapshot(&self, audited: &crate::domain::history::AuditFacts) -> bool {
        match &self.history_log {
            Some(log) if self.estate.is_settled() && !self.is_scanning() => {
                log.save_snapshot(&self.estate, Some(audited), "gui-audit");
                true
            }
            _ => false,
        }
    }

    /// Once a refresh has heard from every Region (scanned or failed), the estate is one
    /// snapshot in the history.
    fn save_snapshot_when_done(&mut self) {
        if self.snapshot_due && self.estate.is_settled() && !self.is_scanning() {
            self.snapshot_due = false;
            if let Some(log) = &self.history_log {
                log.save_snapshot(&self.estate, None, "gui");
            }
        }
    }

    /// Describes again, in the other Regions, the keys of families that gained or lost a key in
    /// `region`: their multi-Region configuration (who is primary, where the replicas are) is
    /// stale.
    fn follow_up(&mut self, runner: &Runner, region: Region, changed: Vec<MrkId>) {
        let targets: Vec<(MrkId, Region)> = changed
            .iter()
            .filter_map(|id| Some((id, self.estate.family(id)?)))
            .flat_map(|(id, family)| {
                family
                    .described()
                    .filter(|k| k.region != region)
                    .map(|k| (id.clone(), k.region))
                    .collect::<Vec<_>>()
            })
            .collect();
        if targets.is_empty() {
            return;
        }
        let clients = self.clients.clone();
        self.follow_ups_started += 1;
        let job = Job::FollowUp(self.follow_ups_started);
        self.jobs.start(runner, job, async move {
            Done::FollowedUp(Ok(super::paced_reads::describe_each(clients, targets).await))
        });
    }

    fn apply_follow_up(&mut self, answers: Described) {
        for ((id, region), answer) in answers {
            match answer {
                Some(info) => self.estate.upsert_key(info),
                None => self.estate.remove_key(&id, region),
            }
        }
    }

    /// Blocks until every scan has finished, then folds them in (headless use only).
    pub fn wait_all(&mut self, runner: &Runner) {
        // Follow-ups start once every Region's keys are in: they need the whole family.
        self.deferred_follow_ups = Some(Vec::new());
        for done in self.jobs.wait_for(|job| matches!(job, Job::Scan(_))) {
            self.fold(runner, done);
        }
        for (region, ids) in self.deferred_follow_ups.take().unwrap_or_default() {
            self.follow_up(runner, region, ids);
        }
        for done in self.jobs.wait_for(|job| matches!(job, Job::FollowUp(_))) {
            self.fold(runner, done);
        }
    }

    /// Folds one Region's scan in; returns the families whose Regions changed (a "Refresh
    /// changes" only; a full scan re-describes everything anyway).
    fn apply(&mut self, region: Region, result: Answer<ScanOutcome>) -> Vec<MrkId> {
        if let Ok(Ok(outcome)) = &result
            && let Some(problem) = self.foreign_keys(outcome)
        {
            self.estate.apply_failure(region, problem);
            return Vec::new();
        }
        match result {
            Ok(Ok(ScanOutcome::Full(scan))) => {
                self.estate.apply_scan(region, scan);
                Vec::new()
            }
            Ok(Ok(ScanOutcome::Changes(rescan))) => self.estate.apply_rescan(region, rescan),
            Ok(Err(e)) => {
                tracing::warn!("scan failed: {e}");
                self.estate.apply_failure(region, e.to_problem());
                Vec::new()
            }
            Err(panicked) => {
                self.estate.apply_failure(
                    region,
                    Problem::new(ProblemKind::Other, "", panicked.to_string()),
                );
                Vec::new()
            }
        }
    }

    /// Why a Region's answer cannot be this inventory's account's: KMS returned keys whose ARNs
    /// name another account (its endpoint or credentials are not that account's). Nothing of
    /// such an answer is filed under the account; the Region is shown as not read, with why.
    fn foreign_keys(&self, outcome: &ScanOutcome) -> Option<Problem> {
        let account = self.account.as_ref()?;
        let keys = match outcome {
            ScanOutcome::Full(scan) => &scan.keys,
            ScanOutcome::Changes(rescan) => &rescan.described,
        };
        let foreign = keys.iter().find_map(|k| match k {
            crate::domain::KeyEntry::Described(info)
                if account_of_arn(&info.arn) != Some(account.id.as_str()) =>
            {
                Some(info.arn.clone())
            }
            _ => None,
        })?;
        Some(Problem::new(
            ProblemKind::Other,
            "WrongAccount",
            format!(
                "KMS answered with a key of another account while reading account {} ({foreign}): the endpoint or the credentials are not that account's",
                account.id
            ),
        ))
    }

    /// Progress of a Region's scan in flight: `(described, listed)` once listing is done.
    pub fn progress(&self, region: Region) -> Option<Option<(usize, usize)>> {
        self.scan_progress
            .get(&region)
            .map(|progress| progress.described_of_listed())
    }

    pub fn is_scanning(&self) -> bool {
        self.jobs
            .any(|job| matches!(job, Job::Scan(_) | Job::FollowUp(_)))
    }

    pub fn clients(&self) -> &AwsClients {
        &self.clients
    }

    /// Swaps in freshly built clients (after credentials were renewed) and rescans: scans made
    /// with the old ones are abandoned, their results never applied. The estate, the other jobs
    /// and the audit trail are kept.
    pub fn set_clients(&mut self, runner: &Runner, clients: AwsClients) {
        self.clients = clients;
        self.refresh_after_calls(runner);
    }
}
