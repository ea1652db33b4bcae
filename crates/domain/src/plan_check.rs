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
    pub problem: StepProblem,
}

/// What is wrong with one step of a plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepProblem {
    #[error("account: {0}")]
    Account(#[from] super::account::AccountError),
    #[error("'{0}' is not a multi-Region key ID (mrk-…)")]
    KeyId(String),
    #[error("'{0}' is not a known Region")]
    Region(String),
    #[error("its parameters are not a JSON object")]
    NotAnObject,
    #[error("its KeyId is not the step's key {0}")]
    OtherKey(MrkId),
    #[error("this app does not make {0} calls")]
    Operation(String),
    /// The precondition does not guard what the call changes.
    #[error(
        "its precondition is `{has}`, but this call needs `{needs}` (a precondition that guards what the call changes)"
    )]
    Unguarded { has: String, needs: &'static str },
    /// A parameter outside the KMS API's limits: which one, and the rule in words.
    #[error("{rule}")]
    Parameter { field: &'static str, rule: String },
}

/// A parameter's rule broken, in words.
fn bad(field: &'static str, rule: impl Into<String>) -> StepProblem {
    StepProblem::Parameter {
        field,
        rule: rule.into(),
    }
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

fn check_step(step: &Step) -> Result<(), StepProblem> {
    step.account.parse::<AccountId>()?;
    let id = MrkId::parse(&step.key_id).ok_or_else(|| StepProblem::KeyId(step.key_id.clone()))?;
    let region: Region = step
        .region
        .parse()
        .map_err(|_| StepProblem::Region(step.region.clone()))?;
    let p = &step.parameters;
    if !p.is_object() {
        return Err(StepProblem::NotAnObject);
    }
    if let Some(key) = p.get("KeyId").or_else(|| p.get("TargetKeyId"))
        && key.as_str() != Some(id.as_str())
    {
        return Err(StepProblem::OtherKey(id));
    }
    guarded(step)?;
    parameters_ok(&step.operation, p, region, &step.precondition)
}

/// The precondition each operation needs: one that guards what the call changes (a
/// PutKeyPolicy behind the policy's hash, never behind an alias's absence).
fn guarded(step: &Step) -> Result<(), StepProblem> {
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
        "ScheduleKeyDeletion" => (
            matches!(
                pre,
                Precondition::KeyState { .. } | Precondition::Quiet { .. }
            ),
            "key-state or quiet",
        ),
        "DisableKey" => (matches!(pre, Precondition::KeyState { .. }), "key-state"),
        other => return Err(StepProblem::Operation(other.to_string())),
    };
    match ok {
        true => Ok(()),
        false => Err(StepProblem::Unguarded {
            has: precondition_name(pre),
            needs: needed,
        }),
    }
}

/// The call's parameters held to the KMS API's own limits.
fn parameters_ok(
    operation: &str,
    p: &Value,
    region: Region,
    pre: &Precondition,
) -> Result<(), StepProblem> {
    match operation {
        "ReplicateKey" => replicate_ok(p, region),
        "PutKeyPolicy" => {
            policy_ok(p.get("Policy").unwrap_or(&Value::Null))?;
            match p.get("PolicyName").is_some_and(|n| n != "default") {
                true => Err(bad("PolicyName", "PolicyName must be \"default\"")),
                false => Ok(()),
            }
        }
        "TagResource" => tags_ok(p.get("Tags").unwrap_or(&Value::Null)),
        "UntagResource" => tag_keys_ok(&p["TagKeys"]),
        "UpdateKeyDescription" => description_ok(p.get("Description").unwrap_or(&Value::Null)),
        "CreateAlias" => alias_ok(p, pre),
        "CreateGrant" => grant_ok(p),
        "ScheduleKeyDeletion" => {
            if let Precondition::Quiet { days } = pre
                && !(1..=90).contains(days)
            {
                return Err(bad(
                    "precondition",
                    "a quiet period is 1 to 90 days (CloudTrail keeps 90)",
                ));
            }
            window_ok(p.get("PendingWindowInDays"))
        }
        // DisableKey takes the key and nothing else.
        "DisableKey" => Ok(()),
        other => Err(StepProblem::Operation(other.to_string())),
    }
}

fn replicate_ok(p: &Value, region: Region) -> Result<(), StepProblem> {
    const FIELD: &str = "ReplicaRegion";
    let target: Region = text(p, FIELD)?
        .parse()
        .map_err(|_| bad(FIELD, "ReplicaRegion is not a known Region"))?;
    if target == region {
        return Err(bad(FIELD, "ReplicaRegion is the primary's own Region"));
    }
    if target.partition() != region.partition() {
        return Err(bad(FIELD, "ReplicaRegion is in another partition"));
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

fn tag_keys_ok(keys: &Value) -> Result<(), StepProblem> {
    let keys = keys
        .as_array()
        .filter(|k| !k.is_empty() && k.len() <= MAX_TAGS)
        .ok_or_else(|| bad("TagKeys", "TagKeys must list 1 to 50 tag keys"))?;
    match keys.iter().any(|k| {
        k.as_str()
            .is_none_or(|k| k.is_empty() || k.chars().count() > 128)
    }) {
        true => Err(bad(
            "TagKeys",
            "each TagKeys entry is a tag key of 1 to 128 characters",
        )),
        false => Ok(()),
    }
}

fn alias_ok(p: &Value, pre: &Precondition) -> Result<(), StepProblem> {
    let name = text(p, "AliasName")?;
    check_alias_name(name).map_err(|e| bad("AliasName", format!("AliasName {name}: {e}")))?;
    match pre {
        Precondition::AliasAbsent { alias } if alias != name => Err(bad(
            "AliasName",
            format!("its precondition guards {alias}, not {name}"),
        )),
        _ => Ok(()),
    }
}

fn grant_ok(p: &Value) -> Result<(), StepProblem> {
    let (principal, service) = (p.get("GranteePrincipal"), p.get("GranteeServicePrincipal"));
    let (field, limit) = match (principal, service) {
        (Some(_), None) => ("GranteePrincipal", 256),
        (None, Some(_)) => ("GranteeServicePrincipal", 128),
        _ => {
            return Err(bad(
                "GranteePrincipal",
                "exactly one of GranteePrincipal and GranteeServicePrincipal",
            ));
        }
    };
    let grantee = text(p, field)?;
    if grantee.is_empty() || grantee.len() > limit {
        return Err(bad(
            field,
            format!("{field} must be 1 to {limit} characters"),
        ));
    }
    let retiring =
        p.get("RetiringPrincipal").is_some() || p.get("RetiringServicePrincipal").is_some();
    if service.is_some() && (p["Constraints"]["SourceArn"].as_str().is_none() || !retiring) {
        return Err(bad(
            field,
            "a grant to a service principal needs Constraints.SourceArn and a retiring principal",
        ));
    }
    let ops = p["Operations"]
        .as_array()
        .filter(|o| !o.is_empty())
        .ok_or_else(|| bad("Operations", "Operations must list at least one operation"))?;
    match ops
        .iter()
        .find(|o| o.as_str().is_none_or(|o| !GRANT_OPERATIONS.contains(&o)))
    {
        Some(op) => Err(bad("Operations", format!("{op} is not a grant operation"))),
        None => Ok(()),
    }
}

/// `PendingWindowInDays`, when given: a whole number of days from 7 to 30.
fn window_ok(days: Option<&Value>) -> Result<(), StepProblem> {
    match days {
        None => Ok(()),
        Some(d) if d.as_i64().is_some_and(|d| (7..=30).contains(&d)) => Ok(()),
        Some(d) => Err(bad(
            "PendingWindowInDays",
            format!("PendingWindowInDays {d} is outside 7 to 30 days"),
        )),
    }
}

fn text<'a>(p: &'a Value, field: &'static str) -> Result<&'a str, StepProblem> {
    p[field]
        .as_str()
        .ok_or_else(|| bad(field, format!("{field} is missing or not a string")))
}

fn policy_ok(policy: &Value) -> Result<(), StepProblem> {
    let text = policy
        .as_str()
        .ok_or_else(|| bad("Policy", "Policy is missing or not a string"))?;
    validate_policy(text)
        .map(|_| ())
        .map_err(|e| bad("Policy", format!("Policy: {e}")))
}

fn description_ok(d: &Value) -> Result<(), StepProblem> {
    let text = d
        .as_str()
        .ok_or_else(|| bad("Description", "Description is not a string"))?;
    if text.chars().count() > MAX_DESCRIPTION {
        return Err(bad(
            "Description",
            format!(
                "Description is {} characters; at most {MAX_DESCRIPTION}",
                text.chars().count()
            ),
        ));
    }
    Ok(())
}

fn tags_ok(tags: &Value) -> Result<(), StepProblem> {
    let list = tags
        .as_array()
        .ok_or_else(|| bad("Tags", "Tags must be a list"))?;
    let parsed: Vec<Tag> = list
        .iter()
        .map(|t| match (t["TagKey"].as_str(), t["TagValue"].as_str()) {
            (Some(k), Some(v)) => Ok(Tag::new(k, v)),
            _ => Err(bad("Tags", "each tag needs a TagKey and a TagValue string")),
        })
        .collect::<Result<_, _>>()?;
    let check = check_tags(&parsed);
    if check.too_many {
        return Err(bad(
            "Tags",
            format!("{} tags; at most {MAX_TAGS}", parsed.len()),
        ));
    }
    match check
        .rows
        .iter()
        .zip(&parsed)
        .find_map(|(problem, tag)| Some((problem.as_ref()?, tag)))
    {
        Some((problem, tag)) => Err(bad("Tags", format!("tag '{}': {problem}", tag.key))),
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
