//! The audit's drift section: what KMS does not synchronise between a primary and each replica
//! (state, description, aliases, tags, key policy), compared replica by replica.

use std::collections::{BTreeSet, HashMap};

use super::{FamilyContext, Finding, FindingKind, Severity, push, push_about};
use crate::key::{KeyState, MrkId, Role};
use crate::policy_compare::{Grant, compare, is_default_policy};
use crate::region::Region;
use crate::tags::Tag;

/// Drift of what KMS does not synchronise, replica by replica.
pub(super) fn drift(ctx: &FamilyContext<'_>, out: &mut Vec<Finding>) {
    let (id, label) = (ctx.id, &ctx.label);
    let Some(primary) = ctx.primary else {
        return;
    };
    for replica in ctx.keys.iter().filter(|k| k.role() == Role::Replica) {
        let r = replica.region;
        if primary.state == KeyState::Enabled && replica.state == KeyState::Disabled {
            push(
                out,
                Severity::Medium,
                FindingKind::DisabledReplica,
                id,
                Some(r),
                format!(
                    "The replica of {label} in {r} is Disabled while its primary is Enabled: requests in {r} fail."
                ),
            );
        }
        if replica.description != primary.description {
            push(
                out,
                Severity::Info,
                FindingKind::DescriptionDrift,
                id,
                Some(r),
                format!(
                    "The description of {label} in {r} (\"{}\") differs from the primary's (\"{}\").",
                    replica.description, primary.description
                ),
            );
        }
        alias_drift(ctx, primary.region, r, out);
        let replica_props = ctx.props_of(r);
        if let (Some(pt), Some(rt)) = (
            ctx.primary_props.and_then(|p| p.tags.as_ref()),
            replica_props.and_then(|p| p.tags.as_ref()),
        ) && let Some(text) = tag_drift(pt, rt)
        {
            push(
                out,
                Severity::Low,
                FindingKind::TagDrift,
                id,
                Some(r),
                format!("Tags of {label} in {r} differ from the primary's: {text}."),
            );
        }
        if let (Some(pp), Some(rp)) = (
            ctx.primary_props.and_then(|p| p.policy.as_deref()),
            replica_props.and_then(|p| p.policy.as_deref()),
        ) {
            policy_findings(out, id, label, r, pp, rp, replica.arn.as_str());
        }
    }
}

fn alias_drift(ctx: &FamilyContext<'_>, primary: Region, r: Region, out: &mut Vec<Finding>) {
    let primary_aliases: BTreeSet<&String> = ctx.family.aliases_in(primary).iter().collect();
    let replica_aliases: BTreeSet<&String> = ctx.family.aliases_in(r).iter().collect();
    let missing: Vec<&&String> = primary_aliases.difference(&replica_aliases).collect();
    if missing.is_empty() {
        return;
    }
    let names: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
    push_about(
        out,
        Severity::Low,
        FindingKind::AliasDrift,
        ctx.id,
        Some(r),
        format!(
            "{} in {r} lacks the alias{} {} that the primary has: code using {} there fails.",
            ctx.label,
            if missing.len() == 1 { "" } else { "es" },
            missing
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            if missing.len() == 1 { "it" } else { "them" }
        ),
        names.join(","),
    );
}

fn account_of(arn: &str) -> Option<&str> {
    arn.split(':').nth(4)
}

fn policy_findings(
    out: &mut Vec<Finding>,
    id: &MrkId,
    label: &str,
    r: Region,
    primary: &str,
    replica: &str,
    replica_arn: &str,
) {
    if is_default_policy(replica) && !is_default_policy(primary) {
        push(
            out,
            Severity::Medium,
            FindingKind::DefaultPolicyReplica,
            id,
            Some(r),
            format!(
                "The replica of {label} in {r} runs on the default key policy (the account root gets kms:*, so any IAM policy can grant use) while its primary has a custom policy: put the primary's policy on it."
            ),
        );
        return;
    }
    let Ok(diff) = compare(primary, replica) else {
        return;
    };
    let own_account = account_of(replica_arn);
    let looser = |g: &Grant| {
        g.is_public()
            || g.principal_account()
                .is_some_and(|a| Some(a) != own_account)
    };
    let extra_allows: Vec<&Grant> = diff
        .only_in_replica
        .iter()
        .filter(|g| g.is_allow())
        .collect();
    let missing_denies: Vec<&Grant> = diff
        .only_in_primary
        .iter()
        .filter(|g| !g.is_allow())
        .collect();
    let weaker: Vec<&Grant> = extra_allows
        .iter()
        .chain(missing_denies.iter())
        .copied()
        .collect();
    if !weaker.is_empty() {
        let severity = if weaker.iter().any(|g| looser(g)) {
            Severity::High
        } else {
            Severity::Medium
        };
        let list: Vec<String> = extra_allows
            .iter()
            .map(|g| g.to_string())
            .chain(missing_denies.iter().map(|g| format!("(no) {g}")))
            .collect();
        push_about(
            out,
            severity,
            FindingKind::PolicyDrift,
            id,
            Some(r),
            format!(
                "The key policy of {label} in {r} grants what the primary's does not: {}.",
                list.join("; ")
            ),
            format!("grants more: {}", list.join("; ")),
        );
    }
    let stricter: Vec<String> = diff
        .only_in_primary
        .iter()
        .filter(|g| g.is_allow())
        .chain(diff.only_in_replica.iter().filter(|g| !g.is_allow()))
        .map(|g| g.to_string())
        .collect();
    if !stricter.is_empty() {
        push_about(
            out,
            Severity::Low,
            FindingKind::PolicyDrift,
            id,
            Some(r),
            format!(
                "The key policy of {label} in {r} lacks grants the primary's has (applications may fail there): {}.",
                stricter.join("; ")
            ),
            format!("grants less: {}", stricter.join("; ")),
        );
    }
}

fn tag_drift(primary: &[Tag], replica: &[Tag]) -> Option<String> {
    let p: HashMap<&str, &str> = primary
        .iter()
        .map(|t| (t.key.as_str(), t.value.as_str()))
        .collect();
    let r: HashMap<&str, &str> = replica
        .iter()
        .map(|t| (t.key.as_str(), t.value.as_str()))
        .collect();
    let mut parts = Vec::new();
    let mut keys: BTreeSet<&str> = p.keys().copied().collect();
    keys.extend(r.keys().copied());
    for k in keys {
        match (p.get(k), r.get(k)) {
            (Some(a), Some(b)) if a != b => {
                parts.push(format!("{k} changed from \"{a}\" to \"{b}\""))
            }
            (Some(_), None) => parts.push(format!("{k} removed")),
            (None, Some(b)) => parts.push(format!("{k}=\"{b}\" added")),
            _ => {}
        }
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}
