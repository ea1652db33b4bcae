//! Copying a primary's grant to a replica's Region: CreateGrant there with the same grantee,
//! operations, constraints, retiring principal and name. One copy per (family, Region) at a
//! time; refused in read-only mode; journaled like every mutating call.

use super::action_state::{ActionPhase, CallRecord};
use super::grant_copy::GrantCopy;
use super::inventory::Inventory;
use super::runner::{Runner, problem_of, take_ready};
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
        let promise = runner.spawn(async move { client.create_grant(&key_id, &to_copy).await });
        self.grant_copies.insert(
            slot,
            GrantCopy {
                grant,
                phase: ActionPhase::Calling,
                promise: Some(promise),
            },
        );
        true
    }

    pub fn grant_copy(&self, id: &MrkId, region: Region) -> Option<&GrantCopy> {
        self.grant_copies.get(&(id.clone(), region))
    }

    pub(super) fn poll_grant_copies(&mut self) -> bool {
        let mut finished = Vec::new();
        for ((id, region), copy) in self.grant_copies.iter_mut() {
            let Some(outcome) = take_ready(&mut copy.promise) else {
                continue;
            };
            let parameters = grant_parameters(&copy.grant);
            let (result, request_id) = match problem_of(outcome) {
                Ok(request_id) => {
                    copy.phase = ActionPhase::Done;
                    (Ok(format!("copied: {}", copy.grant.describe())), request_id)
                }
                Err(problem) => {
                    copy.phase = ActionPhase::Failed(problem.clone());
                    (Err(problem), None)
                }
            };
            finished.push(CallRecord {
                key_id: id.clone(),
                region: *region,
                operation: "CreateGrant",
                parameters,
                result,
                request_id,
            });
        }
        let changed = !finished.is_empty();
        for call in finished {
            self.record(call);
        }
        changed
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
