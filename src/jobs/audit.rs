//! The audit's fetches: key policies and tags of the keys whose drift is compared, with bounded
//! concurrency, and nothing else.

use futures::StreamExt;

use super::inventory::Inventory;
use super::runner::Runner;
use crate::domain::audit::{AuditOptions, Baseline, Finding, KeyProps, PropsMap, audit};
use crate::domain::{Estate, MrkId, Region, Role};
use crate::kms::{KmsClients, KmsError};

/// What a headless audit found.
pub struct AuditOutcome {
    pub estate: Estate,
    pub findings: Vec<Finding>,
    /// Keys whose policy or tags could not be read.
    pub not_compared: Vec<KmsError>,
}

/// Scan, fetch what drift needs, and audit: the whole headless pipeline, blocking.
pub fn run_audit(
    runner: &Runner,
    clients: KmsClients,
    regions: Vec<Region>,
    baseline: &Baseline,
    options: AuditOptions,
) -> AuditOutcome {
    let mut inventory = Inventory::new(clients.clone(), regions);
    inventory.refresh(runner);
    inventory.wait_all();
    let estate = inventory.estate().clone();
    let targets = audit_targets(&estate, baseline);
    let (props, not_compared) = runner.block_on(fetch_audit_props(clients, targets));
    let findings = audit(&estate, &props, baseline, options);
    AuditOutcome {
        estate,
        findings,
        not_compared,
    }
}

/// GetKeyPolicy and ListResourceTags in flight at once, all Regions together; far below their
/// quotas (1,000 and 2,000 per second per Region).
pub const AUDIT_CONCURRENCY: usize = 16;

/// The keys the audit needs properties of: every key of a family that has a replica to compare,
/// and the primary of any family when a baseline rule matches on tags.
pub fn audit_targets(estate: &Estate, baseline: &Baseline) -> Vec<(MrkId, Region)> {
    let tag_rules = baseline.rules.iter().any(|r| r.tag.is_some());
    let mut targets = Vec::new();
    for (id, family) in estate.families() {
        let keys: Vec<_> = family.described().collect();
        let has_replica = keys.iter().any(|k| k.role() == Role::Replica);
        let has_primary = keys.iter().any(|k| k.role() == Role::Primary);
        for k in keys {
            if (has_replica && has_primary) || (tag_rules && k.role() == Role::Primary) {
                targets.push((id.clone(), k.region));
            }
        }
    }
    targets
}

/// Fetches policy and tags for each target. A key whose properties cannot be read is left out
/// of the map and its error returned, so the report can say what was not compared.
pub async fn fetch_audit_props(
    clients: KmsClients,
    targets: Vec<(MrkId, Region)>,
) -> (PropsMap, Vec<KmsError>) {
    let results: Vec<_> = futures::stream::iter(targets)
        .map(|(id, region)| {
            let client = clients.client(region);
            async move {
                let fetched = futures::try_join!(client.key_policy(&id), client.tags(&id));
                ((id, region), fetched)
            }
        })
        .buffer_unordered(AUDIT_CONCURRENCY)
        .collect()
        .await;
    let mut props = PropsMap::new();
    let mut errors = Vec::new();
    for (slot, fetched) in results {
        match fetched {
            Ok((policy, tags)) => {
                props.insert(
                    slot,
                    KeyProps {
                        policy: Some(policy),
                        tags: Some(tags),
                    },
                );
            }
            Err(e) => errors.push(e),
        }
    }
    (props, errors)
}
