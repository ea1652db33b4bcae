//! The audit's fetches: key policies and tags of the keys whose drift is compared, paced per
//! Region, and nothing else.

use std::collections::HashMap;

use super::fetch::{describe_each, fetch_each};
use super::inventory::Inventory;
use super::runner::Runner;
use crate::domain::audit::{
    AuditOptions, Baseline, Finding, KeyProps, NotAudited, PropsMap, audit, not_audited,
};
use crate::domain::{Estate, MrkId, Region, Role, Tag, quota};
use crate::kms::{KmsClients, KmsError};

/// What a headless audit found.
pub struct AuditOutcome {
    pub estate: Estate,
    pub findings: Vec<Finding>,
    /// Regions and keys the audit could not look at, with why: the picture is incomplete when
    /// this is not empty.
    pub not_audited: Vec<NotAudited>,
}

/// Scan, follow each family's primary outside the scanned Regions, fetch what the audit needs,
/// and audit: the whole headless pipeline, blocking.
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
    let mut estate = inventory.estate().clone();
    runner.block_on(follow_primaries(&clients, &mut estate));
    let targets = audit_targets(&estate);
    let (props, problems) = runner.block_on(fetch_audit_props(clients, targets.clone()));
    let findings = audit(&estate, &props, baseline, options);
    let not_audited = not_audited(&estate, &targets, &props, &problems);
    AuditOutcome {
        estate,
        findings,
        not_audited,
    }
}

/// Primaries that live outside the scanned Regions, named by their replicas' multi-Region
/// configuration: without them a replica's drift cannot be compared.
pub fn primaries_outside_scan(estate: &Estate) -> Vec<(MrkId, Region)> {
    estate
        .families()
        .filter(|(_, f)| !f.described().any(|k| k.role() == Role::Primary))
        .filter_map(|(id, f)| {
            let region: Region = f.primary_region()?.parse().ok()?;
            (!estate.regions().contains(&region)).then(|| (id.clone(), region))
        })
        .collect()
}

/// Describes each family's primary where it lives outside the scan and adds it to the estate
/// (not as a column: the audit reads it, the grid does not show it). One that cannot be read
/// leaves its replicas not compared, which `not_audited` reports.
pub async fn follow_primaries(clients: &KmsClients, estate: &mut Estate) {
    let targets = primaries_outside_scan(estate);
    if targets.is_empty() {
        return;
    }
    for ((_, _), info) in describe_each(clients.clone(), targets).await {
        if let Some(info) = info {
            estate.upsert_key(info);
        }
    }
}

/// The keys the audit reads the policy and tags of: every described key, since each key's own
/// policy is judged (public access) as well as compared with its primary's.
pub fn audit_targets(estate: &Estate) -> Vec<(MrkId, Region)> {
    estate
        .families()
        .flat_map(|(id, family)| family.described().map(move |k| (id.clone(), k.region)))
        .collect()
}

/// Fetches policy and tags for each target. A key whose properties cannot be read is left out
/// of the map and the reason returned for it, so the report can say what was not compared.
///
/// Every Region at once, and in each Region GetKeyPolicy and ListResourceTags each paced to
/// their own quota (1,000 and 2,000 per second).
pub async fn fetch_audit_props(
    clients: KmsClients,
    targets: Vec<(MrkId, Region)>,
) -> (PropsMap, HashMap<(MrkId, Region), String>) {
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
    let problems = policies
        .errors
        .into_iter()
        .chain(tags.errors)
        .map(|(slot, e)| (slot, e.to_string()))
        .collect();
    (props, problems)
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
    (tags, fetched.errors.into_iter().map(|(_, e)| e).collect())
}
