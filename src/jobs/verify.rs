//! Verifying a family (`verify`, **Verify replicas…**): the primary makes a proof by its key
//! usage (a data key, a MAC, a signature, an encapsulated secret) that every replica must
//! check, and every replica makes one the primary must check — every leg at once (a family
//! holds at most a few dozen keys, far under the cryptographic quota). Changes nothing.

use super::inventory::Inventory;
use super::runner::Runner;
use super::tasks::{TaskKey, TaskOutput};
use crate::aws::{AwsClients, KmsError};
use crate::domain::verify::{Leg, LegOutcome, Proof, legs, proof_for};
use crate::domain::{KeyInfo, MrkId, Region, Role};

/// What verifying a family found: each leg, or why it could not be verified at all.
#[derive(Debug, Clone, Default)]
pub struct Verification {
    pub legs: Vec<Leg>,
    pub unverifiable: Option<String>,
}

impl Verification {
    pub fn verdict(&self) -> crate::domain::verify::Verdict {
        crate::domain::verify::verdict(&self.legs)
    }
}

/// A failed call as a leg's outcome: refused when KMS said no about the key (disabled,
/// pending, other material), not checked when the check itself was stopped.
fn outcome_of(e: &KmsError) -> LegOutcome {
    match e {
        KmsError::AccessDenied { .. }
        | KmsError::Throttled { .. }
        | KmsError::Credentials { .. }
        | KmsError::Timeout { .. }
        | KmsError::Unreachable { .. }
        | KmsError::RegionNotEnabled { .. } => LegOutcome::NotChecked(e.to_string()),
        _ => LegOutcome::Refused(e.to_string()),
    }
}

/// One leg: `proof` made with `from`'s key, checked with `to`'s.
async fn leg(clients: &AwsClients, proof: Proof, from: &KeyInfo, to: &KeyInfo) -> Leg {
    let outcome = match clients
        .client(from.region)
        .make_proof(&from.arn, proof)
        .await
    {
        Err(e) => outcome_of(&e),
        Ok(made) => match clients
            .client(to.region)
            .check_proof(&to.arn, proof, &made)
            .await
        {
            Err(e) => outcome_of(&e),
            Ok(true) => LegOutcome::Interoperates,
            Ok(false) => LegOutcome::Refused(match proof {
                Proof::DataKey | Proof::Encapsulation => "opened to different bytes".into(),
                Proof::Mac { .. } | Proof::Signature { .. } => "found not valid".into(),
            }),
        },
    };
    Leg {
        from: from.region,
        to: to.region,
        outcome,
    }
}

/// Every leg of the family whose keys are `keys` (its primary among them).
pub async fn verify_family(clients: &AwsClients, keys: &[KeyInfo]) -> Verification {
    let Some(primary) = keys.iter().find(|k| k.role() == Role::Primary) else {
        return Verification {
            legs: Vec::new(),
            unverifiable: Some("the family's primary was not read".into()),
        };
    };
    let proof = match proof_for(primary) {
        Ok(proof) => proof,
        Err(why) => {
            return Verification {
                legs: Vec::new(),
                unverifiable: Some(why.to_string()),
            };
        }
    };
    let replicas: Vec<Region> = keys
        .iter()
        .filter(|k| k.role() == Role::Replica)
        .map(|k| k.region)
        .collect();
    let key_in = |region: Region| keys.iter().find(|k| k.region == region);
    let runs = legs(primary.region, &replicas)
        .into_iter()
        .filter_map(|(from, to)| Some((key_in(from)?, key_in(to)?)))
        .map(|(from, to)| leg(clients, proof, from, to));
    Verification {
        legs: futures::future::join_all(runs).await,
        unverifiable: None,
    }
}

impl Inventory {
    /// Verifies family `id` with the keys the estate holds of it.
    pub fn verify(&mut self, runner: &Runner, id: &MrkId) -> bool {
        let Some(family) = self.estate().family(id) else {
            return false;
        };
        let keys: Vec<KeyInfo> = family.described().cloned().collect();
        let clients = self.clients().clone();
        let family = id.clone();
        self.start_task(runner, TaskKey::Verify(id.clone()), async move {
            TaskOutput::Verified(family, Ok(verify_family(&clients, &keys).await))
        })
    }
}
