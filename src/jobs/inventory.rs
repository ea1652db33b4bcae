//! The inventory: the estate plus the scans that feed it, one promise per Region.
//!
//! The UI (or the headless audit) calls `refresh` to start scans and `poll` every frame to fold
//! finished ones into the estate. Each Region lands on its own; a second `refresh` while a
//! Region is scanning replaces that Region's promise rather than starting a parallel one.

use std::collections::HashMap;
use std::sync::Arc;

use poll_promise::Promise;

use super::replicate::Backoff;
use super::runner::{Panicked, Runner};
use super::scan::{ScanProgress, scan_region};
use crate::domain::{Estate, MrkId, Problem, ProblemKind, Region, RegionScan};
use crate::kms::{KmsClients, KmsError};

pub use super::replications::{ReplicaJob, ReplicaPhase};

type ScanResult = Result<Result<RegionScan, KmsError>, Panicked>;

struct RegionJob {
    promise: Promise<ScanResult>,
    progress: Arc<ScanProgress>,
}

/// Every multi-Region key family of the chosen Regions, and the work under way on it: scans per
/// Region, replications per (family, target Region).
pub struct Inventory {
    pub(super) clients: KmsClients,
    pub(super) estate: Estate,
    scans: HashMap<Region, RegionJob>,
    pub(super) replications: HashMap<(MrkId, Region), ReplicaJob>,
    pub(super) actions: super::actions::Actions,
    /// What this app did in this session, oldest first.
    pub(super) history: Vec<super::actions::HistoryEntry>,
    /// Refuses every mutating call, whatever the UI asks.
    pub(super) read_only: bool,
    pub(super) backoff: Backoff,
}

impl Inventory {
    pub fn new(clients: KmsClients, regions: Vec<Region>) -> Inventory {
        Inventory {
            clients,
            estate: Estate::new(regions),
            scans: HashMap::new(),
            replications: HashMap::new(),
            actions: HashMap::new(),
            history: Vec::new(),
            read_only: false,
            backoff: Backoff::default(),
        }
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
        self.scans.retain(|r, _| regions.contains(r));
        self.estate.set_regions(regions);
        for region in new {
            self.start(runner, region);
        }
    }

    /// Rescans every Region.
    pub fn refresh(&mut self, runner: &Runner) {
        for region in self.estate.regions().to_vec() {
            self.start(runner, region);
        }
    }

    fn start(&mut self, runner: &Runner, region: Region) {
        let progress = Arc::new(ScanProgress::default());
        let future = scan_region(
            self.clients.client(region),
            progress.clone(),
            runner.repaint_hook(),
        );
        let promise = runner.spawn(future);
        self.estate.mark_scanning(region);
        self.scans.insert(region, RegionJob { promise, progress });
    }

    /// Folds every finished job into the estate. Returns whether anything changed.
    pub fn poll(&mut self, runner: &Runner) -> bool {
        let scans = self.poll_scans();
        let replications = self.poll_replications(runner);
        let actions = self.poll_actions(runner);
        scans || replications || actions
    }

    fn poll_scans(&mut self) -> bool {
        let finished: Vec<Region> = self
            .scans
            .iter()
            .filter(|(_, job)| job.promise.ready().is_some())
            .map(|(r, _)| *r)
            .collect();
        for region in &finished {
            if let Some(job) = self.scans.remove(region)
                && let Ok(result) = job.promise.try_take()
            {
                self.apply(*region, result);
            }
        }
        !finished.is_empty()
    }

    /// Blocks until every scan has finished, then folds them in (headless use only).
    pub fn wait_all(&mut self) {
        for (region, job) in std::mem::take(&mut self.scans) {
            let result = job.promise.block_and_take();
            self.apply(region, result);
        }
    }

    fn apply(&mut self, region: Region, result: ScanResult) {
        match result {
            Ok(Ok(scan)) => self.estate.apply_scan(region, scan),
            Ok(Err(e)) => {
                tracing::warn!("scan failed: {e}");
                self.estate.apply_failure(region, e.to_problem());
            }
            Err(panicked) => self.estate.apply_failure(
                region,
                Problem::new(ProblemKind::Other, "", panicked.to_string()),
            ),
        }
    }

    /// Progress of a Region's scan in flight: `(described, listed)` once listing is done.
    pub fn progress(&self, region: Region) -> Option<Option<(usize, usize)>> {
        self.scans
            .get(&region)
            .map(|job| job.progress.described_of_listed())
    }

    pub fn is_scanning(&self) -> bool {
        !self.scans.is_empty()
    }

    pub(super) fn clients(&self) -> &KmsClients {
        &self.clients
    }

    /// Swaps in freshly built clients (after credentials were renewed) and rescans. The estate,
    /// the jobs and the audit trail are kept.
    pub fn set_clients(&mut self, runner: &Runner, clients: KmsClients) {
        self.clients = clients;
        self.refresh(runner);
    }

    /// The clients, for background work started outside the inventory (the GUI's audit).
    pub fn clients_handle(&self) -> KmsClients {
        self.clients.clone()
    }
}
