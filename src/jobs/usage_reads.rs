//! Last usage read for what the window shows, never for the whole estate: GetKeyLastUsage's
//! quota is 5 per second per account and Region, so 10,000 families × 34 Regions would take
//! 19 hours. The window says each frame which keys it shows (`want_usage`); each Region reads
//! those it does not know yet in small paced batches, and a key scrolled away before its batch
//! began is simply no longer wanted. A throttle slows the pace and is retried (`run_paced`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::inventory::Inventory;
use super::job_table::{Done, Job};
use super::paced_calls::run_paced;
use super::runner::Runner;
use crate::aws::KmsError;
use crate::domain::usage::KeyUsage;
use crate::domain::{MrkId, Region, quota};

/// Keys read per Region per batch: one second's worth at the quota, so what scrolled away is
/// dropped within a second.
const BATCH: usize = 5;

/// One key's last usage, or why it could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum UsageCell {
    Read(KeyUsage),
    Failed(String),
}

/// What is known of last usage, and what the window wants read.
#[derive(Debug, Default)]
pub struct UsageReads {
    known: HashMap<(MrkId, Region), UsageCell>,
    /// Per Region, the keys on screen whose usage is not known, in the order shown.
    wanted: BTreeMap<Region, Vec<MrkId>>,
    /// Per Region, the keys of the batch in flight.
    reading: BTreeMap<Region, BTreeSet<MrkId>>,
}

/// One batch's answers.
pub type UsageAnswers = Vec<(MrkId, Result<KeyUsage, KmsError>)>;

impl Inventory {
    /// The keys the window shows now: those whose usage is not known are read, Region by
    /// Region, at GetKeyLastUsage's pace; keys wanted before and not now are dropped (a batch
    /// already sent finishes).
    pub fn want_usage(
        &mut self,
        runner: &Runner,
        shown: impl IntoIterator<Item = (MrkId, Region)>,
    ) {
        let mut wanted: BTreeMap<Region, Vec<MrkId>> = BTreeMap::new();
        for (id, region) in shown {
            let slot = (id, region);
            let busy = self
                .usage
                .reading
                .get(&region)
                .is_some_and(|ids| ids.contains(&slot.0));
            if !self.usage.known.contains_key(&slot) && !busy {
                wanted.entry(region).or_default().push(slot.0);
            }
        }
        self.usage.wanted = wanted;
        let regions: Vec<Region> = self.usage.wanted.keys().copied().collect();
        for region in regions {
            self.start_usage_batch(runner, region);
        }
    }

    /// A key's last usage, when read.
    pub fn key_usage(&self, id: &MrkId, region: Region) -> Option<&UsageCell> {
        self.usage.known.get(&(id.clone(), region))
    }

    /// Whether a key's usage is wanted or being read.
    pub fn usage_pending(&self, id: &MrkId, region: Region) -> bool {
        self.usage
            .wanted
            .get(&region)
            .is_some_and(|ids| ids.contains(id))
            || self
                .usage
                .reading
                .get(&region)
                .is_some_and(|ids| ids.contains(id))
    }

    /// How many keys' usage is known, and how many of those could not be read.
    pub fn usage_known(&self) -> (usize, usize) {
        let failed = self
            .usage
            .known
            .values()
            .filter(|c| matches!(c, UsageCell::Failed(_)))
            .count();
        (self.usage.known.len(), failed)
    }

    /// Whether usage is wanted or being read anywhere.
    pub fn usage_reading(&self) -> bool {
        !self.usage.wanted.is_empty() || !self.usage.reading.is_empty()
    }

    /// Forgets what was read: usage changes by the minute, and a Refresh means "as it is now".
    pub(super) fn forget_usage(&mut self) {
        self.usage.known.clear();
    }

    fn start_usage_batch(&mut self, runner: &Runner, region: Region) {
        let job = Job::Usage(region);
        if self.jobs.is_running(&job) {
            return;
        }
        let Some(queue) = self.usage.wanted.get_mut(&region) else {
            return;
        };
        let batch: Vec<MrkId> = queue.drain(..queue.len().min(BATCH)).collect();
        if queue.is_empty() {
            self.usage.wanted.remove(&region);
        }
        if batch.is_empty() {
            return;
        }
        self.usage
            .reading
            .insert(region, batch.iter().cloned().collect());
        let client = self.clients.client(region).single_attempt();
        self.jobs.start(runner, job, async move {
            let mut answers = Vec::with_capacity(batch.len());
            run_paced(
                quota::GET_KEY_LAST_USAGE,
                batch,
                |id| {
                    let client = client.clone();
                    async move { client.key_usage(&id).await }
                },
                |id, answer| answers.push((id, answer)),
            )
            .await;
            Done::UsageRead {
                region,
                answer: Ok(answers),
            }
        });
    }

    /// A batch's answers into what is known; the next batch of the Region, if any is wanted.
    pub(super) fn on_usage_read(
        &mut self,
        runner: &Runner,
        region: Region,
        answer: Result<UsageAnswers, super::runner::Panicked>,
    ) {
        let reading = self.usage.reading.remove(&region).unwrap_or_default();
        match answer {
            Ok(answers) => {
                for (id, answer) in answers {
                    let cell = match answer {
                        Ok(usage) => UsageCell::Read(usage),
                        Err(e) => UsageCell::Failed(format!("GetKeyLastUsage failed: {e}")),
                    };
                    self.usage.known.insert((id, region), cell);
                }
            }
            Err(panicked) => {
                for id in reading {
                    let why = format!("reading its last usage stopped: {panicked}");
                    self.usage
                        .known
                        .insert((id, region), UsageCell::Failed(why));
                }
            }
        }
        self.start_usage_batch(runner, region);
    }
}
