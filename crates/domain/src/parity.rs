//! What KMS does not keep in step between a primary and its replicas, beyond policy and tags:
//! grants (Regional, never copied), rotation (one setting per family, on the primary) and
//! imported key material (expires per key). Pure types and comparisons.

use std::collections::{BTreeMap, BTreeSet};

use super::key::KeyInfo;

/// One grant on one key, as ListGrants returned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub id: String,
    pub name: Option<String>,
    pub grantee: String,
    /// How the grant names its grantee (KMS_FACTS §2).
    pub grantee_kind: GranteeKind,
    pub retiring: Option<String>,
    /// The retiring principal is a service principal (`RetiringServicePrincipal`).
    pub retiring_service: bool,
    /// Sorted: the order KMS lists them in means nothing.
    pub operations: BTreeSet<String>,
    pub constraints: GrantConstraints,
}

/// How a grant names its grantee.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GranteeKind {
    /// An IAM principal's ARN in `GranteePrincipal`.
    #[default]
    Principal,
    /// A service principal in `GranteeServicePrincipal` (service-principal grants, 2026).
    ServicePrincipal,
    /// A service principal in `GranteePrincipal`: a grant an AWS service made before there was
    /// a field for it.
    LegacyServicePrincipal,
}

/// Constraints of a grant: encryption context (sorted by key: order means nothing) and the
/// ARN of the resource a service principal may act for.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GrantConstraints {
    pub subset: BTreeMap<String, String>,
    pub equals: BTreeMap<String, String>,
    /// `SourceArn`: the grant holds only for calls a service makes for this resource.
    pub source_arn: Option<String>,
}

impl Grant {
    /// Whether `other` grants the same thing: grantee, operations, constraints, retiring
    /// principal and name. The grant ID differs in every Region and is not compared.
    pub fn same_as(&self, other: &Grant) -> bool {
        self.grantee == other.grantee
            && self.grantee_kind == other.grantee_kind
            && self.retiring_service == other.retiring_service
            && self.operations == other.operations
            && self.constraints == other.constraints
            && self.retiring == other.retiring
            && self.name == other.name
    }

    /// The grant in words, for findings and the details panel.
    pub fn describe(&self) -> String {
        let ops: Vec<&str> = self.operations.iter().map(String::as_str).collect();
        let who = match self.grantee_kind {
            GranteeKind::Principal => self.grantee.clone(),
            GranteeKind::ServicePrincipal => format!("service principal {}", self.grantee),
            GranteeKind::LegacyServicePrincipal => {
                format!("{} (a service, in a legacy grant)", self.grantee)
            }
        };
        let mut text = format!("{who} may {}", ops.join(", "));
        if let Some(name) = &self.name {
            text = format!("'{name}': {text}");
        }
        let context = |m: &BTreeMap<String, String>| {
            m.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !self.constraints.subset.is_empty() {
            text.push_str(&format!(
                " (context includes {})",
                context(&self.constraints.subset)
            ));
        }
        if !self.constraints.equals.is_empty() {
            text.push_str(&format!(
                " (context equals {})",
                context(&self.constraints.equals)
            ));
        }
        if let Some(source) = &self.constraints.source_arn {
            text.push_str(&format!(" (for {source} only)"));
        }
        if let Some(retiring) = &self.retiring {
            text.push_str(&format!("; {retiring} may retire it"));
        }
        text
    }

    /// The account a grantee ARN names (`None` for a service principal).
    pub fn grantee_account(&self) -> Option<&str> {
        let account = self.grantee.strip_prefix("arn:")?.split(':').nth(3)?;
        (account.len() == 12).then_some(account)
    }

    pub fn is_service_grantee(&self) -> bool {
        self.grantee_kind != GranteeKind::Principal || self.grantee.ends_with(".amazonaws.com")
    }
}

/// How a replica's grants differ from its primary's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantDiff<'a> {
    /// On the primary, not on the replica: that grantee cannot use the replica after a
    /// fail-over.
    pub missing: Vec<&'a Grant>,
    /// On the replica, not on the primary: access that exists only in that Region.
    pub extra: Vec<&'a Grant>,
}

/// Each grant matched by what it grants, not by ID or order.
pub fn grant_diff<'a>(primary: &'a [Grant], replica: &'a [Grant]) -> GrantDiff<'a> {
    GrantDiff {
        missing: primary
            .iter()
            .filter(|p| !replica.iter().any(|r| r.same_as(p)))
            .collect(),
        extra: replica
            .iter()
            .filter(|r| !primary.iter().any(|p| p.same_as(r)))
            .collect(),
    }
}

/// Whether an extra grant on a replica is high severity: its grantee is in another account,
/// or it is a service principal allowed operations no primary grant gives that service.
pub fn extra_grant_is_high(extra: &Grant, primary: &[Grant], owner_account: &str) -> bool {
    if extra
        .grantee_account()
        .is_some_and(|account| account != owner_account)
    {
        return true;
    }
    if extra.is_service_grantee() {
        let allowed: BTreeSet<&String> = primary
            .iter()
            .filter(|p| p.grantee == extra.grantee)
            .flat_map(|p| p.operations.iter())
            .collect();
        return extra.operations.iter().any(|op| !allowed.contains(op));
    }
    false
}

/// A family's rotation, read from its primary (every replica reports the same).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RotationStatus {
    pub enabled: bool,
    pub period_days: Option<i32>,
    /// Seconds since the Unix epoch.
    pub next_rotation: Option<i64>,
    pub on_demand_started: Option<i64>,
    /// Past rotations, oldest first: (on demand?, when).
    pub rotations: Vec<(bool, i64)>,
}

impl RotationStatus {
    /// On-demand rotations used, against the per-key limit.
    pub fn on_demand_used(&self) -> usize {
        self.rotations
            .iter()
            .filter(|(on_demand, _)| *on_demand)
            .count()
    }
}

/// The on-demand rotations a key may have in its life (KMS resource quota, not adjustable).
pub const ON_DEMAND_ROTATION_LIMIT: usize = 25;

/// Only symmetric encryption keys whose material KMS made can rotate (not asymmetric, HMAC,
/// imported material or custom key stores).
pub fn can_rotate(key: &KeyInfo) -> bool {
    key.key_spec == "SYMMETRIC_DEFAULT"
        && key.key_usage == "ENCRYPT_DECRYPT"
        && key.origin == "AWS_KMS"
}

/// Whether a replica's imported material expires before its primary's: it would stop working
/// first. Material that does not expire never does.
pub fn expires_before_primary(replica: &KeyInfo, primary: &KeyInfo) -> bool {
    match (replica.valid_to, primary.valid_to) {
        (Some(r), Some(p)) => r < p,
        (Some(_), None) => {
            primary.expiration_model.as_deref() == Some("KEY_MATERIAL_DOES_NOT_EXPIRE")
        }
        _ => false,
    }
}

#[cfg(test)]
#[path = "parity_tests.rs"]
mod tests;
