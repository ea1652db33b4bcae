//! A plan: the calls that would bring the estate to its baseline, computed from what was read,
//! each with the precondition it saw so that an apply never overwrites a later change. Pure:
//! carrying it out is `jobs::apply`.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::audit::PropsMap;
use super::baseline::{Baseline, Carry, Disallowed, ReplicaRules};
use super::estate::{Cell, Estate, Family};
use super::key::{KeyInfo, KeyState, MrkId, Role};
use super::region::Region;
use super::tags::Tag;

use super::plan_grants::grant_json;
pub use super::plan_grants::grant_of;

/// What must still hold just before a step's call, as the plan saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Precondition {
    /// The family has no key in the step's Region.
    NoKeyIn,
    /// The key's policy is still this one (SHA-256 of its text).
    PolicyHash { sha256: String },
    /// The key's tags are still these (SHA-256 of `key=value` lines, sorted).
    TagsHash { sha256: String },
    /// The key's description is still this.
    Description { text: String },
    /// No alias of this name in the step's Region.
    AliasAbsent { alias: String },
    /// The key is still in this state.
    KeyState { state: String },
    /// No grant in the step's Region grants this (as `Grant::describe` says it).
    GrantAbsent { grant: String },
    /// The key exists and has left `Creating` (a replica an earlier step made).
    KeyUsable,
    /// The key is Disabled and its CloudTrail records show it quiet for this many days: no
    /// DisabledException and no successful use since its disable (judged at apply, never from
    /// what the plan saw).
    Quiet { days: i64 },
}

impl Precondition {
    /// What must still hold, in words, for a reviewer (the plan's Markdown and the GUI).
    pub fn describe(&self) -> String {
        match self {
            Precondition::NoKeyIn => "still no key there".into(),
            Precondition::PolicyHash { sha256 } => format!(
                "policy unchanged (sha256 {})",
                &sha256[..12.min(sha256.len())]
            ),
            Precondition::TagsHash { .. } => "tags unchanged".into(),
            Precondition::Description { text } => format!("description still \"{text}\""),
            Precondition::AliasAbsent { alias } => format!("{alias} still absent"),
            Precondition::KeyState { state } => format!("key still {state}"),
            Precondition::GrantAbsent { .. } => "the grant still absent".into(),
            Precondition::KeyUsable => "once the new replica has left Creating".into(),
            Precondition::Quiet { days } => format!(
                "disabled and quiet for {days} days: no DisabledException and no use since (CloudTrail, read at apply)"
            ),
        }
    }
}

/// One call of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub account: String,
    pub region: String,
    pub key_id: String,
    /// The KMS API name.
    pub operation: String,
    pub parameters: Value,
    /// The finding it fixes, in words.
    pub reason: String,
    pub precondition: Precondition,
}

pub const PLAN_SCHEMA_VERSION: u32 = 1;

/// The largest plan file read (64 MiB): a plan of a thousand steps, each with a whole key policy
/// (at most 32 KB), stays under it; anything larger is refused before it is parsed.
pub const MAX_PLAN_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub schema_version: u32,
    pub steps: Vec<Step>,
    /// Calls the baseline asks for that the plan refuses to make, with why (a primary policy
    /// the audit rates high would be spread to replicas). A plan with any is not "done".
    #[serde(default)]
    pub blocked: Vec<Blocked>,
}

/// A call left out of the plan on purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocked {
    pub account: String,
    pub region: String,
    pub key_id: String,
    pub operation: String,
    /// The finding that stops it, and what to do first.
    pub reason: String,
}

/// SHA-256 of `text`, as lowercase hex.
pub fn sha256(text: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The tags' hash: order-free.
pub fn tags_hash(tags: &[Tag]) -> String {
    let mut lines: Vec<String> = tags
        .iter()
        .map(|t| format!("{}={}", t.key, t.value))
        .collect();
    lines.sort();
    sha256(&lines.join("\n"))
}

/// The calls that would make `estate` match `baseline`, from what was read (`props`: policy and
/// tags of each key). Families whose primary or whose properties were not read get no step:
/// a plan never acts on what it could not see.
pub fn plan(estate: &Estate, props: &PropsMap, baseline: &Baseline, account: &str) -> Plan {
    let mut steps = Vec::new();
    let mut blocked = Vec::new();
    for (id, family) in estate.families() {
        let Some(primary) = family.described().find(|k| k.role() == Role::Primary) else {
            continue;
        };
        let Some(primary_props) = props.get(&(id.clone(), primary.region)) else {
            continue;
        };
        let ctx = FamilyPlan {
            id,
            family,
            primary,
            primary_policy: primary_props.policy.as_deref(),
            primary_tags: primary_props.tags.as_deref(),
            primary_grants: primary_props.grants.as_deref(),
            rules: ReplicaRules::for_family(baseline, family, primary_props.tags.as_deref()),
            account,
            public_policy: primary_props.policy.as_deref().and_then(open_to_anyone),
        };
        let mut wanted = Vec::new();
        ctx.missing_replicas(estate, baseline, &mut wanted, &mut blocked);
        for replica in family.described().filter(|k| k.role() == Role::Replica) {
            let Some(replica_props) = props.get(&(id.clone(), replica.region)) else {
                continue;
            };
            ctx.drift(replica, replica_props, &mut wanted, &mut blocked);
            if !baseline.allows(replica.region) {
                match ctx.rules.disallowed {
                    Disallowed::Report => {}
                    Disallowed::ScheduleDeletion => ctx.deletion(replica, &mut wanted),
                    Disallowed::Retire => ctx.retirement(replica, &mut wanted),
                }
            }
        }
        for step in wanted {
            match primary_refuses(primary, &step) {
                Some(reason) => blocked.push(Blocked {
                    account: step.account,
                    region: step.region,
                    key_id: step.key_id,
                    operation: step.operation,
                    reason,
                }),
                None => steps.push(step),
            }
        }
    }
    Plan {
        schema_version: PLAN_SCHEMA_VERSION,
        steps,
        blocked,
    }
}

/// Why KMS would refuse `step` because of its family's primary, in words that say what to do
/// first. A replica is made only from an Enabled primary (DisabledException from a disabled
/// one, KMSInvalidStateException from any other state); a primary on its way out (pending
/// deletion) or mid-change (Creating, Updating) leaves the whole family alone.
fn primary_refuses(primary: &KeyInfo, step: &Step) -> Option<String> {
    let (region, state) = (primary.region, &primary.state);
    // ReplicateKey, and the aliases of the replica it would make.
    let makes_replica =
        step.operation == "ReplicateKey" || step.precondition == Precondition::KeyUsable;
    match state {
        KeyState::Enabled => None,
        KeyState::PendingDeletion | KeyState::PendingReplicaDeletion => Some(format!(
            "the primary in {region} is {state}: the family is left alone (cancel the deletion first to keep it)"
        )),
        KeyState::Creating | KeyState::Updating => Some(format!(
            "the primary in {region} is {state}: KMS refuses changes to the family until it settles; plan again once it is Enabled"
        )),
        KeyState::Disabled if makes_replica => Some(format!(
            "the primary in {region} is Disabled: KMS refuses ReplicateKey from it (DisabledException); enable it first"
        )),
        _ if makes_replica => Some(format!(
            "the primary in {region} is {state}: KMS refuses ReplicateKey from it (KMSInvalidStateException)"
        )),
        _ => None,
    }
}

/// The statements of `policy` that let anyone use the key (what the audit rates high
/// `public-access`), in words; `None` when there are none.
fn open_to_anyone(policy: &str) -> Option<String> {
    let grants = super::policy_compare::grants(policy).ok()?;
    let open: Vec<String> = grants
        .iter()
        .filter(|g| g.is_open_to_anyone())
        .map(ToString::to_string)
        .collect();
    (!open.is_empty()).then(|| open.join("; "))
}

struct FamilyPlan<'a> {
    id: &'a MrkId,
    family: &'a Family,
    primary: &'a KeyInfo,
    primary_policy: Option<&'a str>,
    primary_tags: Option<&'a [Tag]>,
    primary_grants: Option<&'a [super::parity::Grant]>,
    rules: ReplicaRules,
    account: &'a str,
    /// The primary's statements open to anyone, when its policy has any: it is never copied.
    public_policy: Option<String>,
}

impl FamilyPlan<'_> {
    /// A call that would copy the primary's public policy to `region`, left out with why.
    fn block(&self, region: Region, operation: &str, out: &mut Vec<Blocked>) {
        out.push(Blocked {
            account: self.account.to_string(),
            region: region.name().to_string(),
            key_id: self.id.to_string(),
            operation: operation.to_string(),
            reason: format!(
                "public-access (high): the primary's key policy in {} lets anyone use the key ({}); it is not copied to {region}: limit the primary's policy first",
                self.primary.region,
                self.public_policy.as_deref().unwrap_or_default()
            ),
        });
    }

    fn step(
        &self,
        region: Region,
        operation: &str,
        parameters: Value,
        reason: String,
        precondition: Precondition,
    ) -> Step {
        Step {
            account: self.account.to_string(),
            region: region.name().to_string(),
            key_id: self.id.to_string(),
            operation: operation.to_string(),
            parameters,
            reason,
            precondition,
        }
    }

    /// ReplicateKey into each required Region that has no key, with what the baseline asks a
    /// replica to carry (so it starts right), then its aliases once it is usable.
    fn missing_replicas(
        &self,
        estate: &Estate,
        baseline: &Baseline,
        out: &mut Vec<Step>,
        blocked: &mut Vec<Blocked>,
    ) {
        let required: BTreeSet<Region> = baseline.required_for(self.family, self.primary_tags);
        for region in required {
            if !matches!(estate.cell(self.id, region), Cell::Absent) {
                continue;
            }
            if self.rules.policy == Carry::CopyPrimary && self.public_policy.is_some() {
                self.block(region, "ReplicateKey", blocked);
                continue;
            }
            let mut parameters = json!({
                "KeyId": self.id.as_str(),
                "ReplicaRegion": region.name(),
            });
            if self.rules.policy == Carry::CopyPrimary
                && let Some(policy) = self.primary_policy
            {
                parameters["Policy"] = json!(policy);
            }
            if self.rules.tags == Carry::CopyPrimary
                && let Some(tags) = self.primary_tags
            {
                parameters["Tags"] = tags_json(tags);
            }
            if self.rules.description == Carry::CopyPrimary {
                parameters["Description"] = json!(self.primary.description);
            }
            out.push(self.step(
                self.primary.region,
                "ReplicateKey",
                parameters,
                format!("missing-required-region: no key of the family in {region}"),
                Precondition::NoKeyIn,
            ));
            if self.rules.aliases == Carry::CopyPrimary {
                for alias in self.family.aliases_in(self.primary.region) {
                    out.push(self.step(
                        region,
                        "CreateAlias",
                        json!({ "AliasName": alias, "TargetKeyId": self.id.as_str() }),
                        format!(
                            "alias-drift: the new replica in {region} gets the primary's {alias}"
                        ),
                        Precondition::KeyUsable,
                    ));
                }
            }
        }
    }

    /// PutKeyPolicy, TagResource/UntagResource, UpdateKeyDescription and CreateAlias where the
    /// baseline says to copy the primary's and the replica differs.
    fn drift(
        &self,
        replica: &KeyInfo,
        props: &super::audit::KeyProps,
        out: &mut Vec<Step>,
        blocked: &mut Vec<Blocked>,
    ) {
        let r = replica.region;
        let key = self.id.as_str();
        if self.rules.policy == Carry::CopyPrimary
            && let (Some(want), Some(have)) = (self.primary_policy, props.policy.as_deref())
            && super::policy_compare::compare(want, have).is_ok_and(|d| !d.is_empty())
        {
            if self.public_policy.is_some() {
                self.block(r, "PutKeyPolicy", blocked);
            } else {
                out.push(self.step(
                    r,
                    "PutKeyPolicy",
                    json!({ "KeyId": key, "PolicyName": "default", "Policy": want }),
                    format!("policy-drift: the policy in {r} differs from the primary's"),
                    Precondition::PolicyHash {
                        sha256: sha256(have),
                    },
                ));
            }
        }
        if self.rules.tags == Carry::CopyPrimary
            && let (Some(want), Some(have)) = (self.primary_tags, props.tags.as_deref())
        {
            self.tag_steps(r, want, have, out);
        }
        if self.rules.description == Carry::CopyPrimary
            && replica.description != self.primary.description
        {
            out.push(self.step(
                r,
                "UpdateKeyDescription",
                json!({ "KeyId": key, "Description": self.primary.description }),
                format!("description-drift: the description in {r} differs from the primary's"),
                Precondition::Description {
                    text: replica.description.clone(),
                },
            ));
        }
        if self.rules.grants == Carry::CopyPrimary
            && let Some(have) = props.grants.as_deref()
        {
            self.grant_steps(r, have, out);
        }
        if self.rules.aliases == Carry::CopyPrimary {
            let have: BTreeSet<&String> = self.family.aliases_in(r).iter().collect();
            for alias in self.family.aliases_in(self.primary.region) {
                if !have.contains(alias) {
                    out.push(self.step(
                        r,
                        "CreateAlias",
                        json!({ "AliasName": alias, "TargetKeyId": key }),
                        format!("alias-drift: {r} lacks the primary's {alias}"),
                        Precondition::AliasAbsent {
                            alias: alias.clone(),
                        },
                    ));
                }
            }
        }
    }

    /// CreateGrant on the replica for each of the primary's grants it lacks.
    fn grant_steps(&self, r: Region, have: &[super::parity::Grant], out: &mut Vec<Step>) {
        let Some(want) = self.primary_grants else {
            return;
        };
        for g in super::parity::grant_diff(want, have).missing {
            out.push(self.step(
                r,
                "CreateGrant",
                grant_json(self.id, g),
                format!(
                    "grant-missing: {r} lacks the primary's grant ({})",
                    g.describe()
                ),
                Precondition::GrantAbsent {
                    grant: g.describe(),
                },
            ));
        }
    }

    fn tag_steps(&self, r: Region, want: &[Tag], have: &[Tag], out: &mut Vec<Step>) {
        let set: Vec<&Tag> = want
            .iter()
            .filter(|t| !have.iter().any(|h| h.key == t.key && h.value == t.value))
            .collect();
        let unset: Vec<&str> = have
            .iter()
            .filter(|h| !want.iter().any(|t| t.key == h.key))
            .map(|h| h.key.as_str())
            .collect();
        // The Untag step's precondition is the tags as the Tag step leaves them, so the two
        // apply in order and a change by anyone else in between still makes them stale.
        let mut after_set: Vec<Tag> = have
            .iter()
            .filter(|h| !set.iter().any(|t| t.key == h.key))
            .cloned()
            .collect();
        after_set.extend(set.iter().map(|t| (*t).clone()));
        if !set.is_empty() {
            let tags: Vec<Tag> = set.into_iter().cloned().collect();
            out.push(self.step(
                r,
                "TagResource",
                json!({ "KeyId": self.id.as_str(), "Tags": tags_json(&tags) }),
                format!("tag-drift: tags in {r} differ from the primary's"),
                Precondition::TagsHash {
                    sha256: tags_hash(have),
                },
            ));
        }
        if !unset.is_empty() {
            out.push(self.step(
                r,
                "UntagResource",
                json!({ "KeyId": self.id.as_str(), "TagKeys": unset }),
                format!("tag-drift: {r} has tags the primary does not"),
                Precondition::TagsHash {
                    sha256: tags_hash(&after_set),
                },
            ));
        }
    }

    /// AWS's way out of a Region: an Enabled replica is disabled now; a Disabled one is
    /// scheduled for deletion, guarded by a quiet week the apply reads from CloudTrail. Two
    /// plans, days apart, carry it out.
    fn retirement(&self, replica: &KeyInfo, out: &mut Vec<Step>) {
        let r = replica.region;
        let reason = format!(
            "region-not-allowed: {r} is not an allowed Region; retired AWS's way (disable, a quiet week, then deletion)"
        );
        match replica.state {
            KeyState::Enabled => out.push(self.step(
                r,
                "DisableKey",
                json!({ "KeyId": self.id.as_str() }),
                reason,
                Precondition::KeyState {
                    state: "Enabled".into(),
                },
            )),
            KeyState::Disabled => out.push(self.step(
                r,
                "ScheduleKeyDeletion",
                json!({ "KeyId": self.id.as_str(), "PendingWindowInDays": 30 }),
                reason,
                Precondition::Quiet {
                    days: super::retirement::DEFAULT_QUIET_DAYS,
                },
            )),
            _ => {}
        }
    }

    fn deletion(&self, replica: &KeyInfo, out: &mut Vec<Step>) {
        let r = replica.region;
        if matches!(
            replica.state,
            KeyState::PendingDeletion | KeyState::PendingReplicaDeletion
        ) {
            return;
        }
        out.push(self.step(
            r,
            "ScheduleKeyDeletion",
            json!({ "KeyId": self.id.as_str(), "PendingWindowInDays": 30 }),
            format!("region-not-allowed: {r} is not an allowed Region"),
            Precondition::KeyState {
                state: replica.state.to_string(),
            },
        ));
    }
}

fn tags_json(tags: &[Tag]) -> Value {
    Value::Array(
        tags.iter()
            .map(|t| json!({ "TagKey": t.key, "TagValue": t.value }))
            .collect(),
    )
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
