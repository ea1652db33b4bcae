//! Copying a primary's grant to a replica's Region: CreateGrant there with the same grantee,
//! operations, constraints, retiring principal and name. One copy per (family, Region) at a
//! time; refused in read-only mode; journaled like every mutating call.

use super::action_state::{ActionPhase, CallRecord};
use super::grant_copy::GrantCopy;
use super::inventory::Inventory;
use super::job_table::{Answer, Done, Job};
use super::runner::{Runner, problem_of};
use crate::domain::parity::Grant;
use crate::domain::{KeyState, MrkId, Region};

impl Inventory {
    /// Starts CreateGrant of `grant` on the family's key in `region`. Refused in read-only
    /// mode, while a copy into that Region is in flight, or when the key there is not an
    /// Enabled key of the family. Returns whether the call started.
    pub fn copy_grant(
        &mut self,
        runner: &Runner,
        id: &MrkId,
        region: Region,
        grant: Grant,
    ) -> bool {
        if self.read_only {
            tracing::warn!("read-only mode: refused CreateGrant in {region}");
            return false;
        }
        let slot = (id.clone(), region);
        if self
            .grant_copies
            .get(&slot)
            .is_some_and(GrantCopy::in_flight)
            || !self.in_own_account(id)
        {
            return false;
        }
        let enabled = self
            .estate
            .family(id)
            .and_then(|f| f.described().find(|k| k.region == region))
            .is_some_and(|k| k.state == KeyState::Enabled);
        if !enabled {
            return false;
        }
        let client = self.clients.client(region);
        let (key_id, to_copy) = (id.clone(), grant.clone());
        let started = self
            .jobs
            .start(runner, Job::CopyGrant(id.clone(), region), async move {
                let answer = client.create_grant(&key_id, &to_copy).await;
                Done::GrantCopied {
                    id: key_id,
                    region,
                    answer: Ok(answer),
                }
            });
        if started {
            self.grant_copies.insert(
                slot,
                GrantCopy {
                    grant,
                    phase: ActionPhase::Calling,
                },
            );
        }
        started
    }

    pub fn grant_copy(&self, id: &MrkId, region: Region) -> Option<&GrantCopy> {
        self.grant_copies.get(&(id.clone(), region))
    }

    /// CreateGrant answered: the copy is done (in the trail, with its request ID) or failed.
    pub(super) fn on_grant_copied(
        &mut self,
        id: MrkId,
        region: Region,
        answer: Answer<Option<String>>,
    ) {
        let Some(copy) = self.grant_copies.get_mut(&(id.clone(), region)) else {
            return;
        };
        let parameters = grant_parameters(&copy.grant);
        let (result, request_id) = match problem_of(answer) {
            Ok(request_id) => {
                copy.phase = ActionPhase::Done;
                (Ok(format!("copied: {}", copy.grant.describe())), request_id)
            }
            Err(problem) => {
                copy.phase = ActionPhase::Failed(problem.clone());
                (Err(problem), None)
            }
        };
        self.record(CallRecord {
            key_id: id,
            region,
            operation: "CreateGrant",
            parameters,
            result,
            request_id,
        });
    }
}

/// What the journal keeps of a CreateGrant: what it grants, to whom (no token: KMS returns
/// one, and it is not kept).
fn grant_parameters(g: &Grant) -> serde_json::Value {
    serde_json::json!({
        "GranteePrincipal": g.grantee,
        "Operations": g.operations,
        "Constraints": {
            "EncryptionContextSubset": g.constraints.subset,
            "EncryptionContextEquals": g.constraints.equals,
        },
        "RetiringPrincipal": g.retiring,
        "Name": g.name,
    })
}
