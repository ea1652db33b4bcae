//! The audit's fetches: key policies, tags and grants of the keys whose drift is compared, and
//! the rotation of each family's primary, paced per Region, and nothing else.

use std::collections::HashMap;
use std::sync::Mutex;

use super::inventory::Inventory;
use super::paced_reads::{describe_each, fetch_each};
use super::runner::Runner;
use crate::aws::{AwsClients, KmsError};
use crate::domain::audit::{
    AuditOptions, Finding, KeyProps, NotAudited, PropsMap, audit, not_audited,
};
use crate::domain::baseline::Baseline;
use crate::domain::material::materials_worth_reading;
use crate::domain::parity::can_rotate;
use crate::domain::usage::{UsageMap, usage_findings};
use crate::domain::{Estate, KeyInfo, MrkId, Region, Role, Tag, quota};

/// What a headless audit found.
pub struct AuditOutcome {
    pub estate: Estate,
    pub findings: Vec<Finding>,
    /// Regions and keys the audit could not look at, with why: the picture is incomplete when
    /// this is not empty.
    pub not_audited: Vec<NotAudited>,
    /// What was read of each key (policy, tags, grants, rotation): what a plan is made from.
    pub props: PropsMap,
    /// The print of the rules the findings were judged by (`history::rules_print`).
    pub rules: String,
}

impl AuditOutcome {
    /// What the history keeps of this audit: its findings and what it could not look at.
    pub fn facts(&self) -> crate::domain::history::AuditFacts {
        crate::domain::history::AuditFacts {
            findings: self.findings.clone(),
            not_audited: self.not_audited.clone(),
            rules: self.rules.clone(),
        }
    }
}

/// Scan, follow each family's primary outside the scanned Regions, fetch what the audit needs,
/// and audit: the whole headless pipeline, blocking.
pub fn run_audit(
    runner: &Runner,
    clients: AwsClients,
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
    let extra = extra_targets(&estate, &targets);
    let (props, problems) =
        runner.block_on(fetch_audit_props(clients.clone(), targets.clone(), extra));
    let mut findings = audit(&estate, &props, baseline, options);
    let mut not_audited = not_audited(&estate, &targets, &props, &problems);
    if let Some(days) = options.unused_days {
        let usage = runner.block_on(fetch_usage(&clients, targets));
        let (unused, unread) = usage_findings(&estate, &usage.read, days, options.now);
        findings.extend(unused);
        not_audited.extend(unread.into_iter().map(|gap| {
            NotAudited {
                reason: gap
                    .key_id
                    .as_ref()
                    .and_then(|id| usage.problems.get(&(id.clone(), gap.region)))
                    .map_or(gap.reason.clone(), |why| {
                        format!("its last usage could not be read (GetKeyLastUsage failed: {why})")
                    }),
                ..gap
            }
        }));
    }
    if options.provenance {
        runner.block_on(add_provenance(
            &clients,
            &estate,
            &mut findings,
            options.now,
        ));
    }
    AuditOutcome {
        estate,
        findings,
        not_audited,
        props,
        rules: crate::domain::history::rules_print(baseline, options),
    }
}

/// Keys whose CloudTrail records `audit --provenance` reads at most: LookupEvents is 2 per
/// second per Region, so a thousand drifted keys in one Region would take minutes.
pub const PROVENANCE_KEYS: usize = 200;

/// Says, in each drift finding, who last changed what it is about (CloudTrail, the last 90
/// days), reading the records of the drifted keys only, at most `PROVENANCE_KEYS` of them.
pub async fn add_provenance(
    clients: &AwsClients,
    estate: &Estate,
    findings: &mut [Finding],
    now: i64,
) {
    use crate::domain::trail::{explains, last_change, provenance_note};
    let mut keys: Vec<(Region, String)> = findings
        .iter()
        .filter(|f| explains(f.kind))
        .filter_map(|f| {
            let (id, region) = (f.key_id.as_ref()?, f.region?);
            let key = estate
                .family(id)?
                .described()
                .find(|k| k.region == region)?;
            Some((region, key.arn.clone()))
        })
        .collect();
    keys.sort();
    keys.dedup();
    let beyond = keys.len().saturating_sub(PROVENANCE_KEYS);
    keys.truncate(PROVENANCE_KEYS);
    let since = now - super::trail_reads::TRAIL_DAYS * 86_400;
    let by_key: HashMap<(Region, String), Result<Vec<crate::domain::trail::TrailEvent>, KmsError>> =
        futures::future::join_all(keys.into_iter().map(|(region, arn)| async move {
            let client = clients.trail(region);
            let read = super::trail_reads::region_events(&client, &arn, since).await;
            ((region, arn), read)
        }))
        .await
        .into_iter()
        .collect();
    for finding in findings.iter_mut().filter(|f| explains(f.kind)) {
        let (Some(id), Some(region)) = (&finding.key_id, finding.region) else {
            continue;
        };
        let arn = estate
            .family(id)
            .and_then(|f| f.described().find(|k| k.region == region))
            .map(|k| k.arn.clone())
            .unwrap_or_default();
        let note = match by_key.get(&(region, arn)) {
            Some(Ok(events)) => provenance_note(last_change(events, finding.kind)),
            Some(Err(why)) => format!(" Who changed it could not be read: {why}."),
            None if beyond > 0 => format!(
                " Who changed it was not read: {beyond} drifted key(s) beyond the first {PROVENANCE_KEYS}."
            ),
            None => continue,
        };
        finding.message.push_str(&note);
    }
}

/// Each key's last usage, and why it could not be read where it could not.
pub struct UsageRead {
    pub read: UsageMap,
    pub problems: HashMap<(MrkId, Region), KmsError>,
}

/// GetKeyLastUsage of every target, every Region at once, each paced to its quota of 5 per
/// second (a throttle slows the pace and is retried, never reported as a gap).
pub async fn fetch_usage(clients: &AwsClients, targets: Vec<(MrkId, Region)>) -> UsageRead {
    let fetched = fetch_each(
        clients,
        targets,
        quota::GET_KEY_LAST_USAGE,
        |client, id| async move { client.key_usage(&id).await },
    )
    .await;
    UsageRead {
        read: fetched.values,
        problems: fetched.errors.into_iter().collect(),
    }
}

/// Accounts audited at a time. Every account has its own quotas, so more accounts at once go
/// faster until this machine is the limit; the process-wide cap on calls in flight
/// (`paced_calls::MAX_IN_FLIGHT`) bounds memory whatever this is.
const ACCOUNTS_AT_ONCE: usize = 8;

/// `run_audit` of every account that has clients (`None`: not entered), several at once; each
/// outcome at its account's place.
pub fn audit_each(
    runner: &Runner,
    accounts: &[Option<AwsClients>],
    regions: &[Region],
    baseline: &Baseline,
    options: AuditOptions,
) -> Vec<Option<AuditOutcome>> {
    let queue: Mutex<Vec<usize>> = Mutex::new((0..accounts.len()).rev().collect());
    let outcomes: Mutex<Vec<Option<AuditOutcome>>> =
        Mutex::new(accounts.iter().map(|_| None).collect());
    let next = || queue.lock().unwrap_or_else(|p| p.into_inner()).pop();
    std::thread::scope(|scope| {
        for _ in 0..ACCOUNTS_AT_ONCE.min(accounts.len()) {
            scope.spawn(|| {
                while let Some(i) = next() {
                    let Some(clients) = accounts[i].clone() else {
                        continue;
                    };
                    let outcome = run_audit(runner, clients, regions.to_vec(), baseline, options);
                    outcomes.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(outcome);
                }
            });
        }
    });
    outcomes.into_inner().unwrap_or_else(|p| p.into_inner())
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
pub async fn follow_primaries(clients: &AwsClients, estate: &mut Estate) {
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

/// What the audit reads beyond policy, tags and grants.
#[derive(Debug, Clone, Default)]
pub struct ExtraTargets {
    /// The primaries whose family can rotate: their rotation is read (every replica reports
    /// the same, so one read per family).
    pub rotation: Vec<(MrkId, Region)>,
    /// Every key with imported symmetric material: its materials are read (each key holds
    /// its own).
    pub materials: Vec<(MrkId, Region)>,
}

/// The rotation and material reads among `targets`.
pub fn extra_targets(estate: &Estate, targets: &[(MrkId, Region)]) -> ExtraTargets {
    let key = |id: &MrkId, region: Region| {
        estate
            .family(id)
            .and_then(|f| f.described().find(|k| k.region == region))
    };
    let pick = |keep: &dyn Fn(&KeyInfo) -> bool| {
        targets
            .iter()
            .filter(|(id, region)| key(id, *region).is_some_and(keep))
            .cloned()
            .collect()
    };
    ExtraTargets {
        rotation: pick(&|k| k.role() == Role::Primary && can_rotate(k)),
        materials: pick(&materials_worth_reading),
    }
}

/// Fetches policy, tags and grants for each target, and the rotation of each of `rotation`
/// (primaries). A key whose properties cannot all be read is left out of the map and the
/// reason returned for it, so the report can say what was not compared.
///
/// Every Region at once, and in each Region each call paced to its own quota (GetKeyPolicy
/// 1,000, ListResourceTags 2,000, ListGrants 100 per second).
pub async fn fetch_audit_props(
    clients: AwsClients,
    targets: Vec<(MrkId, Region)>,
    extra: ExtraTargets,
) -> (PropsMap, HashMap<(MrkId, Region), String>) {
    let ExtraTargets {
        rotation,
        materials: material_keys,
    } = extra;
    let (policies, mut tags, mut grants, mut rotations, mut materials) = futures::join!(
        fetch_each(
            &clients,
            targets.clone(),
            quota::GET_KEY_POLICY,
            |client, id| async move { client.key_policy(&id).await },
        ),
        fetch_each(
            &clients,
            targets.clone(),
            quota::LIST_RESOURCE_TAGS,
            |client, id| async move { client.tags(&id).await },
        ),
        fetch_each(
            &clients,
            targets,
            quota::LIST_GRANTS,
            |client, id| async move { client.grants(&id).await },
        ),
        fetch_each(
            &clients,
            rotation.clone(),
            quota::ROTATION_READS,
            |client, id| async move { client.rotation_status(&id).await },
        ),
        fetch_each(
            &clients,
            material_keys.clone(),
            quota::ROTATION_READS,
            |client, id| async move { client.key_materials(&id).await },
        ),
    );
    let mut props = PropsMap::new();
    for (slot, policy) in policies.values {
        // A key counts as compared only when everything asked of it was read.
        let (Some(tags), Some(grants)) = (tags.values.remove(&slot), grants.values.remove(&slot))
        else {
            continue;
        };
        let rotation_status = rotations.values.remove(&slot);
        if rotation.contains(&slot) && rotation_status.is_none() {
            continue;
        }
        let key_materials = materials.values.remove(&slot);
        if material_keys.contains(&slot) && key_materials.is_none() {
            continue;
        }
        props.insert(
            slot,
            KeyProps {
                policy: Some(policy),
                tags: Some(tags),
                grants: Some(grants),
                rotation: rotation_status,
                materials: key_materials,
            },
        );
    }
    // Each failure names its call, so "ListGrants was denied" is never reported as "the key
    // policy could not be read".
    let mut problems: HashMap<(MrkId, Region), String> = HashMap::new();
    for (call, errors) in [
        ("GetKeyPolicy", policies.errors),
        ("ListResourceTags", tags.errors),
        ("ListGrants", grants.errors),
        ("GetKeyRotationStatus/ListKeyRotations", rotations.errors),
        ("ListKeyRotations (key materials)", materials.errors),
    ] {
        for (slot, e) in errors {
            let text = format!("{call} failed: {e}");
            problems
                .entry(slot)
                .and_modify(|all| {
                    all.push_str("; ");
                    all.push_str(&text);
                })
                .or_insert(text);
        }
    }
    (props, problems)
}

/// The tags of each family's primary, for the grid's tag filter.
pub async fn fetch_primary_tags(
    clients: AwsClients,
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
