//! The audit's fetches: key policies and tags of the keys whose drift is compared, paced per
//! Region, and nothing else.

use std::collections::HashMap;

use super::fetch::fetch_each;
use super::inventory::Inventory;
use super::runner::Runner;
use crate::domain::audit::{AuditOptions, Baseline, Finding, KeyProps, PropsMap, audit};
use crate::domain::{Estate, MrkId, Region, Role, Tag, quota};
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
    inventory.wait_all(runner);
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
    let (policies, mut tags) = futures::join!(
        fetch_each(
            &clients,
            targets.clone(),
            quota::GET_KEY_POLICY,
            |client, id| async move { client.key_policy(&id).await },
        ),
        fetch_each(
            &clients,
            targets,
            quota::LIST_RESOURCE_TAGS,
            |client, id| async move { client.tags(&id).await },
        ),
    );
    let mut props = PropsMap::new();
    for (slot, policy) in policies.values {
        // A key counts as compared only when both its policy and its tags were read.
        if let Some(tags) = tags.values.remove(&slot) {
            props.insert(
                slot,
                KeyProps {
                    policy: Some(policy),
                    tags: Some(tags),
                },
            );
        }
    }
    let mut errors = policies.errors;
    errors.extend(tags.errors);
    (props, errors)
}

/// The tags of each family's primary, for the grid's tag filter.
pub async fn fetch_primary_tags(
    clients: KmsClients,
    primaries: Vec<(MrkId, Region)>,
) -> (HashMap<MrkId, Vec<Tag>>, Vec<KmsError>) {
    let fetched = fetch_each(
        &clients,
        primaries,
        quota::LIST_RESOURCE_TAGS,
        |client, id| async move { client.tags(&id).await },
    )
    .await;
    let tags = fetched
        .values
        .into_iter()
        .map(|((id, _), tags)| (id, tags))
        .collect();
    (tags, fetched.errors)
}
