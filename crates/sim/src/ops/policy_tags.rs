//! GetKeyPolicy, PutKeyPolicy, ListResourceTags, TagResource, UntagResource: the per-key
//! properties KMS never synchronises between related keys.

use serde_json::{Value, json};

use super::{check_editable, optional, required};
use crate::error::{Fault, OpResult};
use crate::model::Kms;
use crate::validate::{self, Tag};

/// The only key policy name KMS has.
fn check_policy_name(input: &Value) -> Result<(), Fault> {
    match optional(input, "PolicyName") {
        None | Some("default") => Ok(()),
        Some(other) => Err(Fault::not_found(format!(
            "No such policy exists: {other}. The only valid name is default."
        ))),
    }
}

impl Kms {
    pub(super) fn get_key_policy(&self, region: &str, input: &Value) -> OpResult {
        check_policy_name(input)?;
        let id = self.target(region, input)?;
        let key = self.get(region, &id)?;
        Ok(json!({ "Policy": key.policy, "PolicyName": "default" }))
    }

    pub(super) fn put_key_policy(&mut self, region: &str, input: &Value) -> OpResult {
        check_policy_name(input)?;
        let id = self.target(region, input)?;
        let policy = required(input, "Policy")?;
        validate::policy(policy)?;
        let key = self.get_mut(region, &id)?;
        check_editable(key)?;
        key.policy = policy.to_string();
        Ok(json!({}))
    }

    pub(super) fn list_resource_tags(&self, region: &str, input: &Value) -> OpResult {
        // ListResourceTags takes a Limit of 1–50; a key has at most 50 tags, so one page.
        if let Some(v) = input.get("Limit").filter(|v| !v.is_null())
            && !v.as_u64().is_some_and(|n| (1..=50).contains(&n))
        {
            return Err(Fault::validation(format!(
                "1 validation error detected: Value '{v}' at 'limit' failed to satisfy constraint: \
                 Member must have value between 1 and 50"
            )));
        }
        let id = self.target(region, input)?;
        let key = self.get(region, &id)?;
        let tags: Vec<Value> = key
            .tags
            .iter()
            .map(|t| json!({ "TagKey": t.key, "TagValue": t.value }))
            .collect();
        Ok(json!({ "Tags": tags, "Truncated": false }))
    }

    pub(super) fn tag_resource(&mut self, region: &str, input: &Value) -> OpResult {
        let id = self.target(region, input)?;
        let new_tags = validate::tags(input.get("Tags"))?;
        let key = self.get_mut(region, &id)?;
        check_editable(key)?;
        let mut merged: Vec<Tag> = key.tags.clone();
        for tag in new_tags {
            match merged.iter_mut().find(|t| t.key == tag.key) {
                Some(existing) => existing.value = tag.value,
                None => merged.push(tag),
            }
        }
        validate::check_tag_set(&merged)?;
        key.tags = merged;
        Ok(json!({}))
    }

    pub(super) fn untag_resource(&mut self, region: &str, input: &Value) -> OpResult {
        let id = self.target(region, input)?;
        let keys: Vec<String> = input
            .get("TagKeys")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        if keys
            .iter()
            .any(|k| k.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aws:")))
        {
            return Err(Fault::tag("Tags beginning with aws: are reserved"));
        }
        let key = self.get_mut(region, &id)?;
        check_editable(key)?;
        key.tags.retain(|t| !keys.contains(&t.key));
        Ok(json!({}))
    }
}
