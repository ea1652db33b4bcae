//! The one table of background work on an account, rerun's way: every job — a Region's scan,
//! the re-descriptions that follow it, a replication and its watcher, a lifecycle call and its
//! follow-through, a grant copy, and each task a panel asks for — is keyed by one `Job`. A job
//! whose key is running is refused here and nowhere else. What a job returns is a `Done` that
//! names its job, so whoever folds it in matches on `Done` alone, with no arm for "anything
//! else"; a panic becomes that job's own error (`Job::stopped`), never a dead promise.

use std::collections::HashMap;
use std::future::Future;

use poll_promise::Promise;

use super::replicate::calls::{Replicated, Settled};
use super::runner::{Panicked, Runner};
use super::scan::ScanOutcome;
use super::tasks::{TaskKey, TaskOutput};
use crate::aws::KmsError;
use crate::domain::{KeyInfo, MrkId, Region};

/// A KMS call's answer, or the panic that stopped its job.
pub type Answer<T> = Result<Result<T, KmsError>, Panicked>;

/// Fresh DescribeKey answers: `None` = the key is gone.
pub type Described = Vec<((MrkId, Region), Option<KeyInfo>)>;

/// What a piece of background work is about: at most one of each runs at a time.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Job {
    /// ListKeys, ListAliases and DescribeKey in one Region.
    Scan(Region),
    /// The other Regions' keys of families that gained or lost a key in a Region's scan
    /// (numbered: a Region scanned again may finish before the last one's follow-up).
    FollowUp(u64),
    /// ReplicateKey of a family into a Region.
    Replicate(MrkId, Region),
    /// DescribeKey of a new replica until it is usable (and its alias made).
    WatchReplica(MrkId, Region),
    /// A lifecycle call on the family's key in a Region.
    Act(MrkId, Region),
    /// After a promotion: every key of the family followed until it names the new primary.
    FollowPromotion(MrkId, Region),
    /// CreateGrant of a primary's grant on the family's key in a Region.
    CopyGrant(MrkId, Region),
    /// GetKeyLastUsage of a batch of the keys on screen in a Region.
    Usage(Region),
    /// ImportKeyMaterial into a family: its primary, then each replica.
    ImportMaterial(MrkId),
    /// DeleteImportedKeyMaterial of one material of the family's key in a Region.
    DeleteMaterial(MrkId, Region),
    /// A task a panel asked for (the audit's reads, a report, a plan…).
    Task(TaskKey),
}

/// What a finished job returned, naming its job: one variant per `Job`.
pub enum Done {
    Scanned {
        region: Region,
        answer: Answer<ScanOutcome>,
    },
    FollowedUp(Result<Described, Panicked>),
    Replicated {
        id: MrkId,
        region: Region,
        answer: Answer<Replicated>,
    },
    Settled {
        id: MrkId,
        region: Region,
        answer: Answer<Settled>,
    },
    Acted {
        id: MrkId,
        region: Region,
        answer: Answer<(Vec<KeyInfo>, Option<String>)>,
    },
    Followed {
        id: MrkId,
        region: Region,
        answer: Answer<Vec<KeyInfo>>,
    },
    GrantCopied {
        id: MrkId,
        region: Region,
        answer: Answer<Option<String>>,
    },
    UsageRead {
        region: Region,
        /// One answer per key of the batch.
        answer: Result<super::usage_reads::UsageAnswers, Panicked>,
    },
    MaterialDeleted {
        id: MrkId,
        region: Region,
        answer: Answer<(Option<String>, Described)>,
    },
    MaterialImported {
        id: MrkId,
        answer: Result<super::material_import::ImportAnswer, Panicked>,
    },
    Task(TaskOutput),
}

impl Job {
    /// What this job returns when it panicked: its own error, in its own place.
    fn stopped(self, panicked: Panicked) -> Done {
        match self {
            Job::Scan(region) => Done::Scanned {
                region,
                answer: Err(panicked),
            },
            Job::FollowUp(_) => Done::FollowedUp(Err(panicked)),
            Job::Replicate(id, region) => Done::Replicated {
                id,
                region,
                answer: Err(panicked),
            },
            Job::WatchReplica(id, region) => Done::Settled {
                id,
                region,
                answer: Err(panicked),
            },
            Job::Act(id, region) => Done::Acted {
                id,
                region,
                answer: Err(panicked),
            },
            Job::FollowPromotion(id, region) => Done::Followed {
                id,
                region,
                answer: Err(panicked),
            },
            Job::CopyGrant(id, region) => Done::GrantCopied {
                id,
                region,
                answer: Err(panicked),
            },
            Job::Usage(region) => Done::UsageRead {
                region,
                answer: Err(panicked),
            },
            Job::DeleteMaterial(id, region) => Done::MaterialDeleted {
                id,
                region,
                answer: Err(panicked),
            },
            Job::ImportMaterial(id) => Done::MaterialImported {
                id,
                answer: Err(panicked),
            },
            Job::Task(key) => Done::Task(key.stopped(panicked)),
        }
    }
}

/// Every job started and not yet taken.
#[derive(Default)]
pub struct JobTable {
    running: HashMap<Job, Promise<Result<Done, Panicked>>>,
}

impl JobTable {
    pub fn is_running(&self, job: &Job) -> bool {
        self.running.contains_key(job)
    }

    /// Whether any running job is one `of` these.
    pub fn any(&self, of: impl Fn(&Job) -> bool) -> bool {
        self.running.keys().any(of)
    }

    /// Starts `future` as `job`, unless a job with that key is running. Returns whether it
    /// started.
    pub fn start(
        &mut self,
        runner: &Runner,
        job: Job,
        future: impl Future<Output = Done> + Send + 'static,
    ) -> bool {
        if self.running.contains_key(&job) {
            return false;
        }
        self.running.insert(job, runner.spawn(future));
        true
    }

    /// Forgets the running jobs `which` picks: whatever they return is never folded in (scans
    /// made with credentials since replaced, Regions no longer shown).
    pub fn abandon(&mut self, which: impl Fn(&Job) -> bool) {
        self.running.retain(|job, _| !which(job));
    }

    /// What every job that has finished since the last call returned.
    pub fn take_finished(&mut self) -> Vec<Done> {
        let done: Vec<Job> = self
            .running
            .iter()
            .filter(|(_, p)| p.ready().is_some())
            .map(|(job, _)| job.clone())
            .collect();
        let mut out = Vec::with_capacity(done.len());
        for job in done {
            if let Some(promise) = self.running.remove(&job) {
                match promise.try_take() {
                    Ok(outcome) => out.push(Self::done(job, outcome)),
                    Err(pending) => {
                        self.running.insert(job, pending);
                    }
                }
            }
        }
        out
    }

    /// Waits for the jobs `which` picks and returns what they returned (headless use only).
    pub fn wait_for(&mut self, which: impl Fn(&Job) -> bool) -> Vec<Done> {
        let picked: Vec<Job> = self.running.keys().filter(|j| which(j)).cloned().collect();
        picked
            .into_iter()
            .filter_map(|job| {
                let promise = self.running.remove(&job)?;
                Some(Self::done(job, promise.block_and_take()))
            })
            .collect()
    }

    fn done(job: Job, outcome: Result<Done, Panicked>) -> Done {
        match outcome {
            Ok(done) => done,
            Err(panicked) => {
                tracing::error!("{job:?}: {panicked}");
                job.stopped(panicked)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::TaskError;

    fn all_finished(table: &JobTable) -> bool {
        table.running.values().all(|p| p.ready().is_some())
    }

    #[test]
    fn a_second_request_for_a_running_job_is_refused_and_the_first_result_arrives_once() {
        let runner = Runner::new().unwrap();
        let mut table = JobTable::default();
        let job = Job::Task(TaskKey::Export("a".into()));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let gate = async move {
            let _ = rx.await;
            Done::Task(TaskOutput::Snapshots(Ok(Vec::new())))
        };
        assert!(table.start(&runner, job.clone(), gate));
        assert!(!table.start(&runner, job.clone(), async {
            Done::Task(TaskOutput::Plan(Err(TaskError::AccountUnknown)))
        }));
        assert!(table.is_running(&job));
        let _ = tx.send(());
        assert!(runner.wait_until(std::time::Duration::from_secs(10), || {
            all_finished(&table)
        }));
        let finished = table.take_finished();
        assert_eq!(finished.len(), 1);
        assert!(matches!(
            &finished[0],
            Done::Task(TaskOutput::Snapshots(Ok(_)))
        ));
        assert!(!table.is_running(&job));
    }

    #[test]
    fn a_job_that_panics_becomes_that_jobs_own_error() {
        let runner = Runner::new().unwrap();
        let mut table = JobTable::default();
        let explode = true;
        let region: Region = "eu-west-1".parse().unwrap();
        table.start(&runner, Job::Scan(region), async move {
            assert!(!explode, "boom");
            Done::Task(TaskOutput::Snapshots(Ok(Vec::new())))
        });
        assert!(runner.wait_until(std::time::Duration::from_secs(10), || {
            all_finished(&table)
        }));
        let finished = table.take_finished();
        assert!(matches!(
            &finished[0],
            Done::Scanned { region: r, answer: Err(Panicked(m)) } if *r == region && m.contains("boom")
        ));
    }
}
