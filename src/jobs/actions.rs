//! Lifecycle actions on one key (enable, disable, schedule or cancel deletion, promote to
//! primary): the call, a fresh DescribeKey so the cell shows the new state, and for a promotion a
//! watcher that follows both keys through `Updating` until every Region agrees on the new primary.
//! Each action is recorded in the session's audit trail.

use std::time::Instant;

use super::action_state::{
    ActionJob, ActionPhase, ActionRecord, CallOutcome, CallRecord, now_epoch,
};
use super::inventory::Inventory;
use super::job_table::{Answer, Done, Job};
use super::replicate::calls::Backoff;
use super::runner::{Runner, problem_of};
use crate::aws::{KmsError, RegionClient};
use crate::domain::history::JournalEntry;
use crate::domain::lifecycle::KeyAction;
use crate::domain::{KeyInfo, KeyState, MrkId, Region, Role};

/// The call, then DescribeKey of the keys it changed; with the call's request ID.
pub(super) async fn call(
    target: RegionClient,
    primary: RegionClient,
    key_id: MrkId,
    action: KeyAction,
) -> Result<(Vec<KeyInfo>, Option<String>), KmsError> {
    if action == KeyAction::Promote {
        // UpdatePrimaryRegion is called on the current primary, naming the new primary's Region.
        let request_id = primary
            .key_action(&key_id, action, Some(target.region().name()))
            .await?;
        let (a, b) =
            futures::try_join!(primary.describe_key(&key_id), target.describe_key(&key_id))?;
        return Ok((vec![a, b], request_id));
    }
    let request_id = target.key_action(&key_id, action, None).await?;
    Ok((vec![target.describe_key(&key_id).await?], request_id))
}

/// Polls every related key until none is `Updating` and all name `new_primary` as primary.
async fn follow_promotion(
    clients: Vec<RegionClient>,
    key_id: MrkId,
    new_primary: Region,
    backoff: Backoff,
) -> Result<Vec<KeyInfo>, KmsError> {
    let started = Instant::now();
    let mut delay = backoff.first;
    loop {
        tokio::time::sleep(delay).await;
        let keys =
            futures::future::try_join_all(clients.iter().map(|c| c.describe_key(&key_id))).await?;
        let settled = keys.iter().all(|k| {
            k.state != KeyState::Updating
                && k.multi_region
                    .as_ref()
                    .and_then(|c| c.primary.as_ref())
                    .is_some_and(|p| p.region == new_primary.name())
        });
        if settled || started.elapsed() >= backoff.give_up_after {
            return Ok(keys);
        }
        delay = (delay * 2).min(backoff.max);
    }
}

/// What the journal keeps of a lifecycle call's parameters.
fn action_parameters(action: KeyAction, region: Region) -> serde_json::Value {
    match action {
        KeyAction::ScheduleDeletion { days } => serde_json::json!({ "PendingWindowInDays": days }),
        // Called in the primary's Region, naming this one.
        KeyAction::Promote => serde_json::json!({ "PrimaryRegion": region.name() }),
        KeyAction::EnableRotation { days } => serde_json::json!({ "RotationPeriodInDays": days }),
        KeyAction::Enable
        | KeyAction::Disable
        | KeyAction::CancelDeletion
        | KeyAction::DisableRotation
        | KeyAction::RotateNow => serde_json::json!({}),
    }
}

impl Inventory {
    /// Starts `action` on the key of family `key_id` in `region`. Refused in read-only mode, when
    /// the domain rules block it, or while an action on that key is in flight (one call per
    /// click). Returns whether a call started.
    pub fn act(
        &mut self,
        runner: &Runner,
        key_id: &MrkId,
        region: Region,
        action: KeyAction,
    ) -> bool {
        if self.read_only {
            tracing::warn!("read-only mode: refused {} in {region}", action.operation());
            return false;
        }
        let slot = (key_id.clone(), region);
        if self.actions.get(&slot).is_some_and(ActionJob::in_flight) || !self.in_own_account(key_id)
        {
            return false;
        }
        let Some(family) = self.estate.family(key_id) else {
            return false;
        };
        let Some(key) = family.described().find(|k| k.region == region) else {
            return false;
        };
        if let Some(reason) = action.blocker(key, family) {
            tracing::warn!("{} in {region} refused: {reason}", action.operation());
            return false;
        }
        let primary_region = family
            .described()
            .find(|k| k.role() == Role::Primary)
            .map(|k| k.region)
            .unwrap_or(region);
        let answer = call(
            self.clients.client(region),
            self.clients.client(primary_region),
            key_id.clone(),
            action,
        );
        let id = key_id.clone();
        let started = self
            .jobs
            .start(runner, Job::Act(key_id.clone(), region), async move {
                Done::Acted {
                    id,
                    region,
                    answer: Ok(answer.await),
                }
            });
        if started {
            self.actions.insert(
                slot,
                ActionJob {
                    action,
                    phase: ActionPhase::Calling,
                },
            );
        }
        started
    }

    pub fn action_job(&self, key_id: &MrkId, region: Region) -> Option<&ActionJob> {
        self.actions.get(&(key_id.clone(), region))
    }

    pub fn actions_in_flight(&self) -> usize {
        self.actions.values().filter(|j| j.in_flight()).count()
    }

    /// This session's audit trail for one family, oldest first.
    pub fn actions_on(&self, key_id: &MrkId) -> impl Iterator<Item = &ActionRecord> {
        self.trail.iter().filter(move |h| &h.key_id == key_id)
    }

    /// Adds a call to the trail, and to the journal when history is kept.
    pub(super) fn record(&mut self, call: CallRecord) {
        let CallRecord {
            key_id,
            region,
            operation,
            parameters,
            result,
            request_id,
        } = call;
        let entry = ActionRecord {
            at: now_epoch(),
            key_id: key_id.clone(),
            region,
            operation: operation.to_string(),
            outcome: match result {
                Ok(text) => CallOutcome::Done(text),
                Err(problem) => CallOutcome::Failed(problem.to_string()),
            },
        };
        if let Some(log) = &self.history_log {
            let actor = log.actor();
            log.append(JournalEntry {
                time: entry.at,
                identity: actor.identity.clone(),
                account: actor.account.clone(),
                region: region.name().to_string(),
                operation: entry.operation.clone(),
                key_id: key_id.to_string(),
                parameters: parameters.to_string(),
                outcome: entry.outcome.to_string(),
                request_id,
                source: Some("the window".into()),
            });
        }
        self.trail.push(entry);
    }

    /// The lifecycle call answered: the keys it changed as KMS now describes them, in the trail;
    /// a promotion is then followed until every Region names the new primary.
    pub(super) fn on_acted(
        &mut self,
        runner: &Runner,
        id: MrkId,
        region: Region,
        answer: Answer<(Vec<KeyInfo>, Option<String>)>,
    ) {
        let Some(job) = self.actions.get_mut(&(id.clone(), region)) else {
            return;
        };
        let (operation, parameters) = (
            job.action.operation(),
            action_parameters(job.action, region),
        );
        let (keys, request_id) = match problem_of(answer) {
            Ok(answered) => answered,
            Err(problem) => {
                job.phase = ActionPhase::Failed(problem.clone());
                self.record(CallRecord {
                    key_id: id,
                    region,
                    operation,
                    parameters,
                    result: Err(problem),
                    request_id: None,
                });
                return;
            }
        };
        let promoted = job.action == KeyAction::Promote;
        job.phase = match promoted {
            true => ActionPhase::Following,
            false => ActionPhase::Done,
        };
        let states: Vec<String> = keys
            .iter()
            .map(|k| format!("{} {}", k.region, k.state))
            .collect();
        for key in keys {
            self.upsert_from_call(runner, key);
        }
        self.record(CallRecord {
            key_id: id.clone(),
            region,
            operation,
            parameters,
            result: Ok(states.join(", ")),
            request_id,
        });
        if promoted {
            self.follow_promotion(runner, id, region);
        }
    }

    /// Follows every scanned Region that holds a key of the family: all their configurations
    /// must name the new primary before the promotion counts as done.
    fn follow_promotion(&mut self, runner: &Runner, id: MrkId, new_primary: Region) {
        let regions: Vec<Region> = self
            .estate
            .family(&id)
            .map(|f| f.described().map(|k| k.region).collect())
            .unwrap_or_default();
        let clients = regions.iter().map(|r| self.clients.client(*r)).collect();
        let follow = follow_promotion(clients, id.clone(), new_primary, self.backoff);
        let job = Job::FollowPromotion(id.clone(), new_primary);
        self.jobs.start(runner, job, async move {
            Done::Followed {
                id,
                region: new_primary,
                answer: Ok(follow.await),
            }
        });
    }

    /// The promotion followed through: every key as KMS now describes it, or why not.
    pub(super) fn on_followed(
        &mut self,
        runner: &Runner,
        id: MrkId,
        region: Region,
        answer: Answer<Vec<KeyInfo>>,
    ) {
        let Some(job) = self.actions.get_mut(&(id, region)) else {
            return;
        };
        match problem_of(answer) {
            Ok(keys) => {
                job.phase = ActionPhase::Done;
                for key in keys {
                    self.upsert_from_call(runner, key);
                }
            }
            Err(problem) => job.phase = ActionPhase::Failed(problem),
        }
    }
}
