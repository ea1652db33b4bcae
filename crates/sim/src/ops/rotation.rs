//! Rotation of key material (KMS_FACTS.md, "Grants, rotation"): a shared property of a
//! multi-Region family, set on the primary only, reported by every replica; only symmetric
//! encryption keys with `AWS_KMS` origin rotate; on-demand rotations are limited per key.

use serde_json::{Value, json};

use super::page;
use crate::error::{Fault, OpResult};
use crate::model::{Key, Kms, State};

const DAY: f64 = 86_400.0;
/// The on-demand rotation resource quota per key (KMS "Resource quotas": 25, not adjustable).
pub const ON_DEMAND_LIMIT: usize = 25;

impl Kms {
    pub(super) fn enable_key_rotation(
        &mut self,
        region: &str,
        input: &Value,
        now: f64,
    ) -> OpResult {
        let id = self.rotation_target(region, input)?;
        let period = match input.get("RotationPeriodInDays") {
            None | Some(Value::Null) => 365,
            Some(v) => match v.as_i64() {
                Some(days @ 90..=2560) => days,
                _ => {
                    return Err(Fault::validation(format!(
                        "1 validation error detected: Value '{v}' at 'rotationPeriodInDays' failed \
                         to satisfy constraint: Member must have value between 90 and 2560"
                    )));
                }
            },
        };
        let rotation = self.rotations.entry(id).or_default();
        rotation.enabled = true;
        rotation.period_days = Some(period);
        rotation.enabled_at = Some(now);
        Ok(json!({}))
    }

    pub(super) fn disable_key_rotation(&mut self, region: &str, input: &Value) -> OpResult {
        let id = self.rotation_target(region, input)?;
        let rotation = self.rotations.entry(id).or_default();
        rotation.enabled = false;
        rotation.enabled_at = None;
        Ok(json!({}))
    }

    pub(super) fn rotate_key_on_demand(
        &mut self,
        region: &str,
        input: &Value,
        now: f64,
    ) -> OpResult {
        let id = self.rotation_target(region, input)?;
        let arn = self.key_arn(region, &id);
        let rotation = self.rotations.entry(id.clone()).or_default();
        let used = rotation
            .history
            .iter()
            .filter(|(t, _)| t == "ON_DEMAND")
            .count();
        if used >= ON_DEMAND_LIMIT {
            return Err(Fault::limit_exceeded(format!(
                "{arn} has used its {ON_DEMAND_LIMIT} on-demand rotations."
            )));
        }
        // New material is made at once here (KMS takes a moment; the simulator does not model
        // an in-progress rotation) and, for a family, is every related key's.
        rotation.history.push(("ON_DEMAND".into(), now));
        Ok(json!({ "KeyId": id }))
    }

    pub(super) fn get_key_rotation_status(&self, region: &str, input: &Value) -> OpResult {
        let id = self.target(region, input)?;
        let key = self.get(region, &id)?;
        let mut out = json!({ "KeyId": key.arn, "KeyRotationEnabled": false });
        if !rotatable(key) {
            return Ok(out);
        }
        if let Some(rotation) = self.rotations.get(&id).filter(|r| r.enabled) {
            let period = rotation.period_days.unwrap_or(365);
            let last_automatic = rotation
                .history
                .iter()
                .filter(|(t, _)| t == "AUTOMATIC")
                .map(|(_, at)| *at)
                .fold(rotation.enabled_at.unwrap_or(0.0), f64::max);
            out["KeyRotationEnabled"] = json!(true);
            out["RotationPeriodInDays"] = json!(period);
            out["NextRotationDate"] = json!(last_automatic + period as f64 * DAY);
        }
        Ok(out)
    }

    pub(super) fn list_key_rotations(&self, region: &str, input: &Value) -> OpResult {
        let id = self.target(region, input)?;
        let key = self.get(region, &id)?;
        if !rotatable(key) {
            return Err(Fault::unsupported(format!(
                "{} cannot rotate: only symmetric encryption keys with AWS_KMS origin do.",
                key.arn
            )));
        }
        let items: Vec<(String, Value)> = self
            .rotations
            .get(&id)
            .into_iter()
            .flat_map(|r| r.history.iter())
            .enumerate()
            .map(|(i, (kind, at))| {
                (
                    format!("{i:08}"),
                    json!({ "KeyId": key.arn, "RotationDate": at, "RotationType": kind }),
                )
            })
            .collect();
        let (rotations, next) = page(&items, input)?;
        let mut out = json!({ "Rotations": rotations, "Truncated": next.is_some() });
        if let Some(marker) = next {
            out["NextMarker"] = json!(marker);
        }
        Ok(out)
    }

    /// The key a rotation call may change: a rotatable, usable primary (or single-Region key).
    fn rotation_target(&self, region: &str, input: &Value) -> Result<String, Fault> {
        let id = self.target(region, input)?;
        let key = self.get(region, &id)?;
        if !rotatable(key) {
            return Err(Fault::unsupported(format!(
                "{} cannot rotate: only symmetric encryption keys with AWS_KMS origin do.",
                key.arn
            )));
        }
        if let Some(family) = self.families.get(&id).filter(|_| key.multi_region)
            && family.primary_region != region
        {
            return Err(Fault::unsupported(format!(
                "{} is a multi-Region replica key: rotation is set on its primary, in {}.",
                key.arn, family.primary_region
            )));
        }
        match key.state {
            State::Enabled => Ok(id),
            State::Disabled => Err(Fault::disabled(format!("{} is disabled.", key.arn))),
            _ => Err(super::invalid_state(key)),
        }
    }
}

/// Only symmetric encryption keys whose material KMS made can rotate.
fn rotatable(key: &Key) -> bool {
    key.key_spec == "SYMMETRIC_DEFAULT"
        && key.key_usage == "ENCRYPT_DECRYPT"
        && key.origin == "AWS_KMS"
}
