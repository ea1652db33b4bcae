//! The audit's fetches: key policies and tags of the keys whose drift is compared, paced per
//! Region, and nothing else.

use std::collections::{BTreeMap, HashMap};

use super::inventory::Inventory;
use super::paced::run_paced;
use super::runner::Runner;
use crate::domain::audit::{AuditOptions, Baseline, Finding, KeyProps, PropsMap, audit};
use crate::domain::{Estate, MrkId, Region, Role, quota};
use crate::kms::{KmsClients, KmsError, RegionClient};

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
///
/// Every Region at once, and in each Region GetKeyPolicy and ListResourceTags each paced to
/// their own quota (1,000 and 2,000 per second).
pub async fn fetch_audit_props(
    clients: KmsClients,
    targets: Vec<(MrkId, Region)>,
) -> (PropsMap, Vec<KmsError>) {
    let mut by_region: BTreeMap<Region, Vec<MrkId>> = BTreeMap::new();
    for (id, region) in targets {
        by_region.entry(region).or_default().push(id);
    }
    let per_region = by_region.into_iter().map(|(region, ids)| {
        let client = clients.client(region).single_attempt();
        async move { fetch_region(&client, ids).await }
    });
    let mut props = PropsMap::new();
    let mut errors = Vec::new();
    for (region_props, region_errors) in futures::future::join_all(per_region).await {
        props.extend(region_props);
        errors.extend(region_errors);
    }
    (props, errors)
}

async fn fetch_region(client: &RegionClient, ids: Vec<MrkId>) -> (PropsMap, Vec<KmsError>) {
    let region = client.region();
    let mut policies = HashMap::new();
    let mut tags = HashMap::new();
    let mut errors = Vec::new();
    let mut policy_errors = Vec::new();
    futures::join!(
        run_paced(
            quota::GET_KEY_POLICY,
            ids.clone(),
            |id| async move { client.key_policy(&id).await },
            |id, result| match result {
                Ok(policy) => {
                    policies.insert(id, policy);
                }
                Err(e) => policy_errors.push(e),
            },
        ),
        run_paced(
            quota::LIST_RESOURCE_TAGS,
            ids,
            |id| async move { client.tags(&id).await },
            |id, result| match result {
                Ok(list) => {
                    tags.insert(id, list);
                }
                Err(e) => errors.push(e),
            },
        ),
    );
    errors.extend(policy_errors);
    let mut props = PropsMap::new();
    for (id, policy) in policies {
        // A key counts as compared only when both its policy and its tags were read.
        if let Some(tags) = tags.remove(&id) {
            props.insert(
                (id, region),
                KeyProps {
                    policy: Some(policy),
                    tags: Some(tags),
                },
            );
        }
    }
    (props, errors)
}
