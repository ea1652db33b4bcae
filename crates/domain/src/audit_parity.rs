//! The audit's parity section: what KMS does not keep in step beyond policy and tags (grants,
//! rotation, imported material), compared between each replica and its primary.

use super::{FamilyContext, Finding, FindingKind, Severity, push, push_about};
use crate::Role;
use crate::material::{MaterialState, held, missing_from_replica, waiting_on_replicas};
use crate::parity::{can_rotate, expires_before_primary, extra_grant_is_high, grant_diff};

/// Each replica's grants against its primary's, when both were read.
pub(super) fn grants(ctx: &FamilyContext<'_>, out: &mut Vec<Finding>) {
    let (Some(primary), Some(primary_grants)) = (
        ctx.primary,
        ctx.primary_props.and_then(|p| p.grants.as_deref()),
    ) else {
        return;
    };
    let owner = account_of(&primary.arn);
    for replica in ctx.keys.iter().filter(|k| k.role() == Role::Replica) {
        let r = replica.region;
        let Some(replica_grants) = ctx.props_of(r).and_then(|p| p.grants.as_deref()) else {
            continue;
        };
        let diff = grant_diff(primary_grants, replica_grants);
        for g in diff.missing {
            push_about(
                out,
                Severity::Medium,
                FindingKind::GrantMissing,
                ctx.id,
                Some(r),
                format!(
                    "The replica of {} in {r} lacks a grant its primary has ({}): after a fail-over to {r}, {} cannot use the key. Copy the grant to {r}.",
                    ctx.label,
                    g.describe(),
                    g.grantee
                ),
                g.describe(),
            );
        }
        for g in diff.extra {
            let high = extra_grant_is_high(g, primary_grants, owner);
            push_about(
                out,
                if high {
                    Severity::High
                } else {
                    Severity::Medium
                },
                FindingKind::GrantExtra,
                ctx.id,
                Some(r),
                format!(
                    "The replica of {} in {r} has a grant its primary does not ({}){}: revoke it or grant the same on the primary.",
                    ctx.label,
                    g.describe(),
                    if high {
                        ", to another account or a service beyond what the primary allows"
                    } else {
                        ""
                    }
                ),
                g.describe(),
            );
        }
    }
}

/// Automatic rotation off, for a family whose keys can rotate (read on the primary).
pub(super) fn rotation(ctx: &FamilyContext<'_>, out: &mut Vec<Finding>) {
    let Some(primary) = ctx.primary.filter(|p| can_rotate(p)) else {
        return;
    };
    let Some(status) = ctx.primary_props.and_then(|p| p.rotation.as_ref()) else {
        return;
    };
    if !status.enabled {
        push(
            out,
            Severity::Medium,
            FindingKind::RotationDisabled,
            ctx.id,
            Some(primary.region),
            format!(
                "Automatic rotation of {} is off (it is set on the primary, in {}, for every replica): enable it (Security Hub KMS.4, AWS Config cmk-backing-key-rotation-enabled).",
                ctx.label, primary.region
            ),
        );
    }
}

/// Replicas whose imported material expires before the primary's.
pub(super) fn material(ctx: &FamilyContext<'_>, out: &mut Vec<Finding>) {
    let Some(primary) = ctx.primary else {
        return;
    };
    for replica in ctx.keys.iter().filter(|k| k.role() == Role::Replica) {
        if expires_before_primary(replica, primary) {
            let when = |t: Option<i64>| {
                t.map(crate::key::format_utc)
                    .unwrap_or_else(|| "never".into())
            };
            push(
                out,
                Severity::Low,
                FindingKind::MaterialExpiresBeforePrimary,
                ctx.id,
                Some(replica.region),
                format!(
                    "The imported material of {} in {} expires {}, before the primary's ({}): import it again there with the primary's expiry.",
                    ctx.label,
                    replica.region,
                    when(replica.valid_to),
                    when(primary.valid_to)
                ),
            );
        }
    }
}

/// Key materials of an imported family: a replica lacking one its primary holds, and new
/// material the primary waits to rotate in until every replica holds it. Judged only from
/// materials read on both sides.
pub(super) fn materials_held(ctx: &FamilyContext<'_>, out: &mut Vec<Finding>) {
    let (Some(primary), Some(primary_materials)) = (
        ctx.primary,
        ctx.primary_props.and_then(|p| p.materials.as_deref()),
    ) else {
        return;
    };
    let mut waiting_in = Vec::new();
    let waiting = waiting_on_replicas(primary_materials);
    for replica in ctx.keys.iter().filter(|k| k.role() == Role::Replica) {
        let r = replica.region;
        let Some(replica_materials) = ctx.props_of(r).and_then(|p| p.materials.as_deref()) else {
            continue;
        };
        for m in missing_from_replica(primary_materials, replica_materials) {
            let current = m.state == MaterialState::Current;
            push_about(
                out,
                if current {
                    Severity::High
                } else {
                    Severity::Medium
                },
                FindingKind::ReplicaMaterialMissing,
                ctx.id,
                Some(r),
                format!(
                    "The replica of {} in {r} lacks the primary's {} key material {}: {} Import the same material into {r} as EXISTING_KEY_MATERIAL.",
                    ctx.label,
                    m.state.label(),
                    m.short_id(),
                    if current {
                        "it cannot decrypt what the primary encrypts now."
                    } else {
                        "it cannot decrypt what was encrypted under that material."
                    }
                ),
                m.id.clone(),
            );
        }
        if let Some(w) = waiting
            && !held(replica_materials, &w.id)
        {
            waiting_in.push(r.to_string());
        }
    }
    if let Some(w) = waiting.filter(|_| !waiting_in.is_empty()) {
        push_about(
            out,
            Severity::Medium,
            FindingKind::RotationWaitingOnReplicas,
            ctx.id,
            Some(primary.region),
            format!(
                "New key material {} of {} waits in the primary ({}) for its replicas in {}: import the same material into each as EXISTING_KEY_MATERIAL, then rotate on demand.",
                w.short_id(),
                ctx.label,
                primary.region,
                waiting_in.join(", ")
            ),
            w.id.clone(),
        );
    }
}

/// The account in a key ARN (`arn:aws:kms:REGION:ACCOUNT:key/ID`).
fn account_of(arn: &str) -> &str {
    arn.split(':').nth(4).unwrap_or_default()
}
