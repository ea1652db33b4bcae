//! The inventory's replication jobs: one per (family, target Region), from ReplicateKey through
//! the watcher to a settled replica, or to an error kept on that cell with a retry.

use super::super::action_state::CallRecord;
use super::super::inventory::Inventory;
use super::super::runner::Runner;
use super::super::runner::{problem_of, take_ready};
use super::calls::{replicate_one, watch_replica};
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
            let slot = (request.key_id.clone(), request.target);
            if self
                .replications
                .get(&slot)
                .is_some_and(ReplicaJob::in_flight)
            {
                continue;
            }
            let delay = super::calls::REPLICATE_SPACING * started as u32;
            let promise = runner.spawn(replicate_one(
                self.clients().client(request.primary_region),
                self.clients().client(request.target),
                request.clone(),
                delay,
            ));
            self.replications.insert(
                slot,
                ReplicaJob {
                    request,
                    phase: ReplicaPhase::Replicating,
                    adopted: false,
                    gave_up: false,
                    replica_policy: None,
                    replica_tags: None,
                    alias_error: None,
                    replicating: Some(promise),
                    watching: None,
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

    pub(in crate::jobs) fn poll_replications(&mut self, runner: &Runner) -> bool {
        let mut changed = false;
        let backoff = self.backoff;
        let mut to_watch = Vec::new();
        let mut records: Vec<CallRecord> = Vec::new();
        for (slot, job) in self.replications.iter_mut() {
            if let Some(outcome) = take_ready(&mut job.replicating) {
                changed = true;
                match problem_of(outcome) {
                    Ok(replicated) => {
                        records.push(CallRecord {
                            key_id: slot.0.clone(),
                            region: slot.1,
                            operation: "ReplicateKey",
                            parameters: replicate_parameters(&job.request),
                            result: Ok(if replicated.adopted {
                                "AlreadyExists: adopted the existing replica".into()
                            } else {
                                format!("replica {}", replicated.created.replica.state)
                            }),
                            request_id: replicated.created.request_id.clone(),
                        });
                        job.adopted = replicated.adopted;
                        job.replica_policy = replicated.created.replica_policy;
                        job.replica_tags = replicated.created.replica_tags;
                        job.phase = ReplicaPhase::Watching;
                        to_watch.push((slot.clone(), replicated.created.replica));
                    }
                    Err(problem) => {
                        records.push(CallRecord {
                            key_id: slot.0.clone(),
                            region: slot.1,
                            operation: "ReplicateKey",
                            parameters: replicate_parameters(&job.request),
                            result: Err(problem.clone()),
                            request_id: None,
                        });
                        job.phase = ReplicaPhase::Failed(problem);
                    }
                }
            }
            if let Some(outcome) = take_ready(&mut job.watching) {
                changed = true;
                match problem_of(outcome) {
                    Ok(settled) => {
                        job.gave_up = settled.gave_up;
                        job.alias_error = settled.alias_error.map(|e| e.to_problem());
                        if let Some(alias) = &job.request.alias {
                            let result = match &job.alias_error {
                                Some(p) => Err(p.clone()),
                                None => Ok(alias.clone()),
                            };
                            let parameters = serde_json::json!({ "AliasName": alias });
                            records.push(CallRecord {
                                key_id: slot.0.clone(),
                                region: slot.1,
                                operation: "CreateAlias",
                                parameters,
                                result,
                                request_id: None,
                            });
                        }
                        job.phase = ReplicaPhase::Done;
                        self.estate.upsert_key(settled.replica);
                        if let (Some(alias), None) = (&job.request.alias, &job.alias_error)
                            && !settled.gave_up
                        {
                            self.estate.add_alias(slot.1, &slot.0, alias.clone());
                        }
                    }
                    Err(problem) => job.phase = ReplicaPhase::Failed(problem),
                }
            }
        }
        for call in records {
            self.record(call);
        }
        for ((key_id, region), replica) in to_watch {
            // The new replica shows at once, as KMS described it (Creating).
            self.estate.upsert_key(replica);
            let alias = self
                .replications
                .get(&(key_id.clone(), region))
                .and_then(|j| j.request.alias.clone());
            let promise = runner.spawn(watch_replica(
                self.clients().client(region),
                key_id.clone(),
                backoff,
                alias,
            ));
            if let Some(job) = self.replications.get_mut(&(key_id, region)) {
                job.watching = Some(promise);
            }
        }
        changed
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
