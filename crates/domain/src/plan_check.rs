//! Checking a plan file before its first call: a plan is a file a person can edit, so every step
//! is held to the KMS API's own limits and to the precondition its operation needs. One invalid
//! step refuses the whole plan; nothing is called.
//!
//! Why here and not left to KMS: some values are not refused but silently changed on the way
//! (a `PendingWindowInDays` of 4294967303 cast to 7), and a precondition that does not guard
//! what the call changes (a PutKeyPolicy behind `alias-absent`) would overwrite a later change.

use serde_json::Value;

use super::account::AccountId;
use super::key::MrkId;
use super::plan::{Plan, Precondition, Step};
use super::policy::validate_policy;
use super::region::Region;
use super::replicate::check_alias_name;
use super::tags::{MAX_TAGS, Tag, check_tags};

/// KMS's limit on a key description, in characters.
const MAX_DESCRIPTION: usize = 8192;
/// The operations a grant may allow (CreateGrant's `Operations` enum).
const GRANT_OPERATIONS: &[&str] = &[
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "ReEncryptFrom",
    "ReEncryptTo",
    "Sign",
    "Verify",
    "GetPublicKey",
    "CreateGrant",
    "RetireGrant",
    "DescribeKey",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateMac",
    "VerifyMac",
    "DeriveSharedSecret",
];

/// Why a plan cannot be applied: the step (counted from 1, as `apply` prints them) and what is
/// wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("step {step} ({operation}): {problem}; the plan was not applied (no call made)")]
pub struct InvalidStep {
    pub step: usize,
    pub operation: String,
    pub problem: String,
}

/// Every step of `plan` checked; the first invalid one named.
pub fn check_plan(plan: &Plan) -> Result<(), InvalidStep> {
    for (i, step) in plan.steps.iter().enumerate() {
        check_step(step).map_err(|problem| InvalidStep {
            step: i + 1,
            operation: step.operation.clone(),
            problem,
        })?;
    }
    Ok(())
}

fn check_step(step: &Step) -> Result<(), String> {
    step.account
        .parse::<AccountId>()
        .map_err(|e| format!("account: {e}"))?;
    let id = MrkId::parse(&step.key_id)
        .ok_or_else(|| format!("'{}' is not a multi-Region key ID (mrk-…)", step.key_id))?;
    let region: Region = step
        .region
        .parse()
        .map_err(|_| format!("'{}' is not a known Region", step.region))?;
    let p = &step.parameters;
    if !p.is_object() {
        return Err("its parameters are not a JSON object".into());
    }
    if let Some(key) = p.get("KeyId").or_else(|| p.get("TargetKeyId"))
        && key.as_str() != Some(id.as_str())
    {
        return Err(format!("its KeyId is not the step's key {id}"));
    }
    guarded(step)?;
    parameters_ok(&step.operation, p, region, &step.precondition)
}

/// The precondition each operation needs: one that guards what the call changes (a
/// PutKeyPolicy behind the policy's hash, never behind an alias's absence).
fn guarded(step: &Step) -> Result<(), String> {
    let pre = &step.precondition;
    let (ok, needed) = match step.operation.as_str() {
        "ReplicateKey" => (matches!(pre, Precondition::NoKeyIn), "no-key-in"),
        "PutKeyPolicy" => (
            matches!(pre, Precondition::PolicyHash { .. }),
            "policy-hash",
        ),
        "TagResource" | "UntagResource" => {
            (matches!(pre, Precondition::TagsHash { .. }), "tags-hash")
        }
        "UpdateKeyDescription" => (
            matches!(pre, Precondition::Description { .. }),
            "description",
        ),
        "CreateAlias" => (
            matches!(
                pre,
                Precondition::AliasAbsent { .. } | Precondition::KeyUsable
            ),
            "alias-absent or key-usable",
        ),
        "CreateGrant" => (
            matches!(pre, Precondition::GrantAbsent { .. }),
            "grant-absent",
        ),
        "ScheduleKeyDeletion" => (matches!(pre, Precondition::KeyState { .. }), "key-state"),
        other => return Err(format!("this app does not make {other} calls")),
    };
    match ok {
        true => Ok(()),
        false => Err(format!(
            "its precondition is `{}`, but this call needs `{needed}` (a precondition that guards what the call changes)",
            precondition_name(pre)
        )),
    }
}

/// The call's parameters held to the KMS API's own limits.
fn parameters_ok(
    operation: &str,
    p: &Value,
    region: Region,
    pre: &Precondition,
) -> Result<(), String> {
    match operation {
        "ReplicateKey" => replicate_ok(p, region),
        "PutKeyPolicy" => {
            policy_ok(p.get("Policy").unwrap_or(&Value::Null))?;
            match p.get("PolicyName").is_some_and(|n| n != "default") {
                true => Err("PolicyName must be \"default\"".into()),
                false => Ok(()),
            }
        }
        "TagResource" => tags_ok(p.get("Tags").unwrap_or(&Value::Null)),
        "UntagResource" => tag_keys_ok(&p["TagKeys"]),
        "UpdateKeyDescription" => description_ok(p.get("Description").unwrap_or(&Value::Null)),
        "CreateAlias" => alias_ok(p, pre),
        "CreateGrant" => grant_ok(p),
        "ScheduleKeyDeletion" => window_ok(p.get("PendingWindowInDays")),
        other => Err(format!("this app does not make {other} calls")),
    }
}

fn replicate_ok(p: &Value, region: Region) -> Result<(), String> {
    let target: Region = text(p, "ReplicaRegion")?
        .parse()
        .map_err(|_| "ReplicaRegion is not a known Region".to_string())?;
    if target == region {
        return Err("ReplicaRegion is the primary's own Region".into());
    }
    if target.partition() != region.partition() {
        return Err("ReplicaRegion is in another partition".into());
    }
    if let Some(policy) = p.get("Policy") {
        policy_ok(policy)?;
    }
    if let Some(d) = p.get("Description") {
        description_ok(d)?;
    }
    match p.get("Tags") {
        Some(tags) => tags_ok(tags),
        None => Ok(()),
    }
}

fn tag_keys_ok(keys: &Value) -> Result<(), String> {
    let keys = keys
        .as_array()
        .filter(|k| !k.is_empty() && k.len() <= MAX_TAGS)
        .ok_or("TagKeys must list 1 to 50 tag keys")?;
    match keys.iter().any(|k| {
        k.as_str()
            .is_none_or(|k| k.is_empty() || k.chars().count() > 128)
    }) {
        true => Err("each TagKeys entry is a tag key of 1 to 128 characters".into()),
        false => Ok(()),
    }
}

fn alias_ok(p: &Value, pre: &Precondition) -> Result<(), String> {
    let name = text(p, "AliasName")?;
    check_alias_name(name).map_err(|e| format!("AliasName {name}: {e}"))?;
    match pre {
        Precondition::AliasAbsent { alias } if alias != name => {
            Err(format!("its precondition guards {alias}, not {name}"))
        }
        _ => Ok(()),
    }
}

fn grant_ok(p: &Value) -> Result<(), String> {
    let grantee = text(p, "GranteePrincipal")?;
    if grantee.is_empty() || grantee.len() > 256 {
        return Err("GranteePrincipal must be 1 to 256 characters".into());
    }
    let ops = p["Operations"]
        .as_array()
        .filter(|o| !o.is_empty())
        .ok_or("Operations must list at least one operation")?;
    match ops
        .iter()
        .find(|o| o.as_str().is_none_or(|o| !GRANT_OPERATIONS.contains(&o)))
    {
        Some(bad) => Err(format!("{bad} is not a grant operation")),
        None => Ok(()),
    }
}

/// `PendingWindowInDays`, when given: a whole number of days from 7 to 30.
fn window_ok(days: Option<&Value>) -> Result<(), String> {
    match days {
        None => Ok(()),
        Some(d) if d.as_i64().is_some_and(|d| (7..=30).contains(&d)) => Ok(()),
        Some(d) => Err(format!("PendingWindowInDays {d} is outside 7 to 30 days")),
    }
}

fn text<'a>(p: &'a Value, field: &str) -> Result<&'a str, String> {
    p[field]
        .as_str()
        .ok_or_else(|| format!("{field} is missing or not a string"))
}

fn policy_ok(policy: &Value) -> Result<(), String> {
    let text = policy.as_str().ok_or("Policy is missing or not a string")?;
    validate_policy(text)
        .map(|_| ())
        .map_err(|e| format!("Policy: {e}"))
}

fn description_ok(d: &Value) -> Result<(), String> {
    let text = d.as_str().ok_or("Description is not a string")?;
    if text.chars().count() > MAX_DESCRIPTION {
        return Err(format!(
            "Description is {} characters; at most {MAX_DESCRIPTION}",
            text.chars().count()
        ));
    }
    Ok(())
}

fn tags_ok(tags: &Value) -> Result<(), String> {
    let list = tags.as_array().ok_or("Tags must be a list")?;
    let parsed: Vec<Tag> = list
        .iter()
        .map(|t| match (t["TagKey"].as_str(), t["TagValue"].as_str()) {
            (Some(k), Some(v)) => Ok(Tag::new(k, v)),
            _ => Err("each tag needs a TagKey and a TagValue string".to_string()),
        })
        .collect::<Result<_, _>>()?;
    let check = check_tags(&parsed);
    if check.too_many {
        return Err(format!("{} tags; at most {MAX_TAGS}", parsed.len()));
    }
    match check
        .rows
        .iter()
        .zip(&parsed)
        .find_map(|(problem, tag)| Some((problem.as_ref()?, tag)))
    {
        Some((problem, tag)) => Err(format!("tag '{}': {problem}", tag.key)),
        None => Ok(()),
    }
}

fn precondition_name(p: &Precondition) -> String {
    serde_json::to_value(p)
        .ok()
        .and_then(|v| v["kind"].as_str().map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
#[path = "plan_check_tests.rs"]
mod tests;
