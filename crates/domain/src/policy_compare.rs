//! Semantic comparison of key policies: two policies that grant the same things compare equal
//! however they are written, and a difference reads as the grants one has and the other lacks.
//!
//! A policy is reduced to a set of atomic grants — (effect, principal, action, resource,
//! condition) — after normalising what IAM treats as the same: statement order and `Sid`, a
//! single string versus a one-item array, `"*"` versus `{"AWS": "*"}`, an account ID versus its
//! root ARN, and the case of action names.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::Value;

/// One thing a policy allows or denies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Grant {
    pub effect: String,
    /// `AWS:arn:aws:iam::111122223333:root`, `Service:logs.amazonaws.com`, `*`; prefixed with
    /// `not ` for NotPrincipal.
    pub principal: String,
    /// Lower-cased action, prefixed with `not ` for NotAction.
    pub action: String,
    pub resource: String,
    /// The Condition block as canonical JSON (keys sorted), empty when none.
    pub condition: String,
}

impl Grant {
    pub fn is_allow(&self) -> bool {
        self.effect.eq_ignore_ascii_case("allow")
    }

    /// The AWS account a principal belongs to, when it names one.
    pub fn principal_account(&self) -> Option<&str> {
        let arn = self.principal.strip_prefix("AWS:")?;
        let account = arn.split(':').nth(4)?;
        (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then_some(account)
    }

    /// Anyone at all: `*` as principal, or an Allow to "everyone except" (`NotPrincipal`), which
    /// is at least as open.
    pub fn is_public(&self) -> bool {
        self.principal == "*"
            || self.principal == "AWS:*"
            || (self.is_allow() && self.principal.starts_with("not "))
    }

    /// A public grant whose condition limits it to callers of named accounts, an organization or
    /// named principals (the AWS-managed-key pattern `kms:CallerAccount`), so it is not open to
    /// the world.
    fn is_scoped_by_condition(&self) -> bool {
        const SCOPING_KEYS: &[&str] = &[
            "kms:calleraccount",
            "aws:principalaccount",
            "aws:principalorgid",
            "aws:principalorgpaths",
            "aws:principalarn",
            "aws:sourceaccount",
            "aws:sourcearn",
            "aws:sourceorgid",
            "aws:userid",
        ];
        let Ok(Value::Object(operators)) = serde_json::from_str::<Value>(&self.condition) else {
            return false;
        };
        operators.iter().any(|(operator, keys)| {
            // A negated or "IfExists" operator does not confine the principal.
            let op = operator.to_ascii_lowercase();
            !op.contains("not")
                && !op.ends_with("ifexists")
                && keys
                    .as_object()
                    .is_some_and(|k| k.keys().any(|key| SCOPING_KEYS.contains(&key.as_str())))
        })
    }

    /// Open to anyone: a public Allow that no condition confines to known accounts.
    pub fn is_open_to_anyone(&self) -> bool {
        self.is_allow() && self.is_public() && !self.is_scoped_by_condition()
    }
}

/// KMS action names as AWS spells them, for reports (grants compare lower-cased).
const KMS_ACTIONS: &[&str] = &[
    "CancelKeyDeletion",
    "ConnectCustomKeyStore",
    "CreateAlias",
    "CreateCustomKeyStore",
    "CreateGrant",
    "CreateKey",
    "Decrypt",
    "DeleteAlias",
    "DeleteCustomKeyStore",
    "DeleteImportedKeyMaterial",
    "DeriveSharedSecret",
    "DescribeCustomKeyStores",
    "DescribeKey",
    "DisableKey",
    "DisableKeyRotation",
    "DisconnectCustomKeyStore",
    "EnableKey",
    "EnableKeyRotation",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKey*",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateMac",
    "GenerateRandom",
    "GetKeyPolicy",
    "GetKeyRotationStatus",
    "GetParametersForImport",
    "GetPublicKey",
    "ImportKeyMaterial",
    "ListAliases",
    "ListGrants",
    "ListKeyPolicies",
    "ListKeyRotations",
    "ListKeys",
    "ListResourceTags",
    "ListRetirableGrants",
    "PutKeyPolicy",
    "ReEncrypt*",
    "ReEncryptFrom",
    "ReEncryptTo",
    "ReplicateKey",
    "RetireGrant",
    "RevokeGrant",
    "RotateKeyOnDemand",
    "ScheduleKeyDeletion",
    "Sign",
    "TagResource",
    "UntagResource",
    "UpdateAlias",
    "UpdateCustomKeyStore",
    "UpdateKeyDescription",
    "UpdatePrimaryRegion",
    "Verify",
    "VerifyMac",
];

/// `kms:generatedatakey*` → `kms:GenerateDataKey*`; other services' actions stay as they are.
fn display_action(action: &str) -> String {
    let (not, rest) = match action.strip_prefix("not ") {
        Some(r) => ("not ", r),
        None => ("", action),
    };
    match rest
        .strip_prefix("kms:")
        .and_then(|name| KMS_ACTIONS.iter().find(|a| a.eq_ignore_ascii_case(name)))
    {
        Some(canonical) => format!("{not}kms:{canonical}"),
        None => format!("{not}{rest}"),
    }
}

impl fmt::Display for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let principal = self
            .principal
            .strip_prefix("AWS:")
            .unwrap_or(&self.principal);
        let action = display_action(&self.action);
        write!(
            f,
            "{} {action} to {principal} on {}",
            self.effect, self.resource
        )?;
        if !self.condition.is_empty() {
            write!(f, " when {}", self.condition)?;
        }
        Ok(())
    }
}

/// A policy that is not the JSON shape of a key policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot compare policies: {0}")]
pub struct CompareError(String);

/// The grants of a policy document.
pub fn grants(policy: &str) -> Result<BTreeSet<Grant>, CompareError> {
    let doc: Value =
        serde_json::from_str(policy).map_err(|e| CompareError(format!("not JSON: {e}")))?;
    let statements = match doc.get("Statement") {
        Some(Value::Array(list)) => list.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => return Err(CompareError("no Statement".into())),
    };
    let mut out = BTreeSet::new();
    for statement in &statements {
        let effect = statement
            .get("Effect")
            .and_then(Value::as_str)
            .unwrap_or("Allow");
        let effect = if effect.eq_ignore_ascii_case("deny") {
            "Deny"
        } else {
            "Allow"
        };
        let principals = match (statement.get("Principal"), statement.get("NotPrincipal")) {
            (Some(p), _) => principals(p, ""),
            (None, Some(p)) => principals(p, "not "),
            (None, None) => vec!["*".to_string()],
        };
        let actions = match (statement.get("Action"), statement.get("NotAction")) {
            (Some(a), _) => strings(a).into_iter().map(|s| s.to_lowercase()).collect(),
            (None, Some(a)) => strings(a)
                .into_iter()
                .map(|s| format!("not {}", s.to_lowercase()))
                .collect(),
            (None, None) => vec!["*".to_string()],
        };
        let resources = match (statement.get("Resource"), statement.get("NotResource")) {
            (Some(r), _) => strings(r),
            (None, Some(r)) => strings(r).into_iter().map(|s| format!("not {s}")).collect(),
            (None, None) => vec!["*".to_string()],
        };
        let condition = statement
            .get("Condition")
            .map(canonical_condition)
            .unwrap_or_default();
        for principal in &principals {
            for action in &actions {
                for resource in &resources {
                    out.insert(Grant {
                        effect: effect.to_string(),
                        principal: principal.clone(),
                        action: action.clone(),
                        resource: resource.clone(),
                        condition: condition.clone(),
                    });
                }
            }
        }
    }
    Ok(out)
}

/// The Condition block in one spelling for what IAM reads alike: condition keys are
/// case-insensitive and a single value equals a one-item array (value order does not matter
/// either), so `{"StringEquals": {"kms:CallerAccount": "1"}}` and `… ["1"]` are one condition.
fn canonical_condition(condition: &Value) -> String {
    let Value::Object(operators) = condition else {
        return condition.to_string();
    };
    let canonical: serde_json::Map<String, Value> = operators
        .iter()
        .map(|(operator, keys)| {
            let keys = match keys {
                Value::Object(map) => Value::Object(
                    map.iter()
                        .map(|(key, values)| {
                            let mut list: Vec<String> = match values {
                                Value::Array(items) => items.iter().map(scalar_text).collect(),
                                one => vec![scalar_text(one)],
                            };
                            list.sort();
                            list.dedup();
                            (
                                key.to_ascii_lowercase(),
                                Value::Array(list.into_iter().map(Value::String).collect()),
                            )
                        })
                        .collect(),
                ),
                other => other.clone(),
            };
            (operator.clone(), keys)
        })
        .collect();
    // serde_json's map is ordered by key, so the text is canonical.
    Value::Object(canonical).to_string()
}

/// A condition value as IAM compares it: `true` and `"true"`, `5` and `"5"` are the same.
fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        other => vec![other.to_string()],
    }
}

fn principals(v: &Value, prefix: &str) -> Vec<String> {
    match v {
        Value::String(s) if s == "*" => vec![format!("{prefix}*")],
        Value::Object(map) => map
            .iter()
            .flat_map(|(kind, ids)| {
                strings(ids).into_iter().map(move |id| {
                    let id = if kind == "AWS" {
                        normalise_aws(&id)
                    } else {
                        id
                    };
                    if id == "*" {
                        format!("{prefix}*")
                    } else {
                        format!("{prefix}{kind}:{id}")
                    }
                })
            })
            .collect(),
        other => strings(other)
            .into_iter()
            .map(|s| format!("{prefix}AWS:{}", normalise_aws(&s)))
            .collect(),
    }
}

/// A bare account ID means that account's root.
fn normalise_aws(id: &str) -> String {
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        format!("arn:aws:iam::{id}:root")
    } else {
        id.to_string()
    }
}

/// How a replica's policy differs from its primary's.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyDiff {
    /// Grants only the replica's policy has.
    pub only_in_replica: Vec<Grant>,
    /// Grants only the primary's policy has.
    pub only_in_primary: Vec<Grant>,
}

impl PolicyDiff {
    pub fn is_empty(&self) -> bool {
        self.only_in_replica.is_empty() && self.only_in_primary.is_empty()
    }
}

pub fn compare(primary: &str, replica: &str) -> Result<PolicyDiff, CompareError> {
    let p = grants(primary)?;
    let r = grants(replica)?;
    Ok(PolicyDiff {
        only_in_replica: r.difference(&p).cloned().collect(),
        only_in_primary: p.difference(&r).cloned().collect(),
    })
}

/// The default key policy KMS attaches: account root gets `kms:*`, nothing else. Judged by the
/// statements alone: an `Id` of `key-default-1` says nothing about what a policy grants (anyone
/// can write it over a policy that grants `Principal *`).
pub fn is_default_policy(policy: &str) -> bool {
    grants(policy).is_ok_and(|g| {
        g.len() == 1
            && g.iter().all(|g| {
                g.is_allow()
                    && g.action == "kms:*"
                    && g.principal.starts_with("AWS:arn:")
                    && g.principal.ends_with(":root")
                    && g.condition.is_empty()
            })
    })
}

#[cfg(test)]
#[path = "policy_compare_tests.rs"]
mod tests;
