//! The inventory's replication jobs: one per (family, target Region), from ReplicateKey through
//! the watcher to a settled replica, or to an error kept on that cell with a retry.

use super::super::action_state::CallRecord;
use super::super::inventory::Inventory;
use super::super::job_table::{Answer, Done, Job};
use super::super::runner::{Runner, problem_of};
use super::calls::{Replicated, Settled, replicate_one, watch_replica};
use super::state::{ReplicaJob, ReplicaPhase};
use crate::domain::{MrkId, Region, ReplicateRequest};

impl Inventory {
    /// Starts one ReplicateKey per request, spaced to respect the quota. A request whose
    /// (family, Region) already has a call in flight is skipped, so a double click makes one
    /// call. In read-only mode nothing starts. Returns how many calls started.
    pub fn replicate(&mut self, runner: &Runner, requests: Vec<ReplicateRequest>) -> usize {
        if self.read_only {
            tracing::warn!(
                "read-only mode: refused {} ReplicateKey calls",
                requests.len()
            );
            return 0;
        }
        let mut started = 0;
        for request in requests {
            if !self.in_own_account(&request.key_id) {
                continue;
            }
            let (id, region) = (request.key_id.clone(), request.target);
            if self.replica_in_flight(&id, region) {
                continue;
            }
            self.include_region(runner, region);
            let delay = super::calls::REPLICATE_SPACING * started as u32;
            let call = replicate_one(
                self.clients().client(request.primary_region),
                self.clients().client(region),
                request.clone(),
                delay,
            );
            let job = Job::Replicate(id.clone(), region);
            let (done_id, done_region) = (id.clone(), region);
            let started_now = self.jobs.start(runner, job, async move {
                Done::Replicated {
                    id: done_id,
                    region: done_region,
                    answer: Ok(call.await),
                }
            });
            if !started_now {
                continue;
            }
            self.replications.insert(
                (id, region),
                ReplicaJob {
                    request,
                    phase: ReplicaPhase::Replicating,
                    adopted: false,
                    gave_up: false,
                    replica_policy: None,
                    replica_tags: None,
                    alias_error: None,
                },
            );
            started += 1;
        }
        started
    }

    /// Retries a failed replication for that Region only.
    pub fn retry_replicate(&mut self, runner: &Runner, key_id: &MrkId, region: Region) -> bool {
        let Some(job) = self.replications.get(&(key_id.clone(), region)) else {
            return false;
        };
        if !matches!(job.phase, ReplicaPhase::Failed(_)) {
            return false;
        }
        let request = job.request.clone();
        self.replicate(runner, vec![request]) == 1
    }

    pub fn replica_job(&self, key_id: &MrkId, region: Region) -> Option<&ReplicaJob> {
        self.replications.get(&(key_id.clone(), region))
    }

    /// True while a ReplicateKey or its watcher runs for that family and Region.
    pub fn replica_in_flight(&self, key_id: &MrkId, region: Region) -> bool {
        self.replica_job(key_id, region)
            .is_some_and(ReplicaJob::in_flight)
    }

    pub fn replications_in_flight(&self) -> usize {
        self.replications.values().filter(|j| j.in_flight()).count()
    }

    /// ReplicateKey answered: the new replica shows at once (Creating) and is watched until
    /// usable; or the cell keeps KMS's error, with a retry.
    pub(in crate::jobs) fn on_replicated(
        &mut self,
        runner: &Runner,
        id: MrkId,
        region: Region,
        answer: Answer<Replicated>,
    ) {
        let Some(job) = self.replications.get_mut(&(id.clone(), region)) else {
            return;
        };
        let parameters = replicate_parameters(&job.request);
        let replicated = match problem_of(answer) {
            Ok(replicated) => replicated,
            Err(problem) => {
                job.phase = ReplicaPhase::Failed(problem.clone());
                self.record(CallRecord {
                    key_id: id,
                    region,
                    operation: "ReplicateKey",
                    parameters,
                    result: Err(problem),
                    request_id: None,
                });
                return;
            }
        };
        job.adopted = replicated.adopted;
        job.replica_policy = replicated.created.replica_policy;
        job.replica_tags = replicated.created.replica_tags;
        job.phase = ReplicaPhase::Watching;
        let alias = job.request.alias.clone();
        self.record(CallRecord {
            key_id: id.clone(),
            region,
            operation: "ReplicateKey",
            parameters,
            result: Ok(if replicated.adopted {
                "AlreadyExists: adopted the existing replica".into()
            } else {
                format!("replica {}", replicated.created.replica.state)
            }),
            request_id: replicated.created.request_id.clone(),
        });
        self.upsert_from_call(runner, replicated.created.replica);
        let watch = watch_replica(
            self.clients().client(region),
            id.clone(),
            self.backoff,
            alias,
        );
        let job = Job::WatchReplica(id.clone(), region);
        self.jobs.start(runner, job, async move {
            Done::Settled {
                id,
                region,
                answer: Ok(watch.await),
            }
        });
    }

    /// The watcher ended: the replica (and its alias) as KMS now describes it, or why not.
    pub(in crate::jobs) fn on_settled(
        &mut self,
        runner: &Runner,
        id: MrkId,
        region: Region,
        answer: Answer<Settled>,
    ) {
        let Some(job) = self.replications.get_mut(&(id.clone(), region)) else {
            return;
        };
        let settled = match problem_of(answer) {
            Ok(settled) => settled,
            Err(problem) => {
                job.phase = ReplicaPhase::Failed(problem);
                return;
            }
        };
        job.gave_up = settled.gave_up;
        job.alias_error = settled.alias_error.map(|e| e.to_problem());
        job.phase = ReplicaPhase::Done;
        let (alias, alias_error) = (job.request.alias.clone(), job.alias_error.clone());
        self.upsert_from_call(runner, settled.replica);
        let Some(alias) = alias else {
            return;
        };
        if alias_error.is_none() && !settled.gave_up {
            self.estate.add_alias(region, &id, alias.clone());
        }
        let parameters = serde_json::json!({ "AliasName": alias });
        self.record(CallRecord {
            key_id: id,
            region,
            operation: "CreateAlias",
            parameters,
            result: match alias_error {
                Some(problem) => Err(problem),
                None => Ok(alias),
            },
            request_id: None,
        });
    }
}
/// What the journal keeps of a ReplicateKey request: every choice, a custom policy by its size
/// (the policy itself is in the key, not a secret, but it is long).
fn replicate_parameters(r: &crate::domain::ReplicateRequest) -> serde_json::Value {
    serde_json::json!({
        "PrimaryRegion": r.primary_region.name(),
        "ReplicaRegion": r.target.name(),
        "Policy": r.policy.as_ref().map_or("omitted: KMS default".to_string(), |p| format!("{} bytes", p.len())),
        "Description": r.description,
        "Tags": r.tags.as_ref().map(|tags| tags.iter().map(|t| format!("{}={}", t.key, t.value)).collect::<Vec<_>>()),
        "BypassPolicyLockoutSafetyCheck": r.bypass_lockout,
        "Alias": r.alias,
    })
}
