//! Rotation of key material (KMS_FACTS.md, "Grants, rotation"): a shared property of a
//! multi-Region family, set on the primary only, reported by every replica; only symmetric
//! encryption keys with `AWS_KMS` origin rotate; on-demand rotations are limited per key.

use serde_json::{Value, json};

use super::page;
use crate::error::{Fault, OpResult};
use crate::materials::{MaterialState, kms_material_id};
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
        let id = self.rotation_target(region, input, false)?;
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
        let id = self.rotation_target(region, input, false)?;
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
        let id = self.rotation_target(region, input, true)?;
        let arn = self.key_arn(region, &id);
        let used = self.rotations.get(&id).map_or(0, |r| {
            r.history.iter().filter(|(t, _)| t == "ON_DEMAND").count()
        });
        if used >= ON_DEMAND_LIMIT {
            return Err(Fault::limit_exceeded(format!(
                "{arn} has used its {ON_DEMAND_LIMIT} on-demand rotations."
            )));
        }
        if self.get(region, &id)?.origin == "EXTERNAL" {
            self.rotate_imported(region, &id, now)?;
        }
        // KMS-made material is made at once here (KMS takes a moment; the simulator does not
        // model an in-progress rotation) and, for a family, is every related key's.
        let rotation = self.rotations.entry(id.clone()).or_default();
        rotation.history.push(("ON_DEMAND".into(), now));
        Ok(json!({ "KeyId": id }))
    }

    /// Makes the primary's pending imported material current in every key of the family.
    /// Decisions (undocumented codes): no pending material is UnsupportedOperationException;
    /// material still missing from a replica is KMSInvalidStateException naming the Regions.
    fn rotate_imported(&mut self, region: &str, id: &str, now: f64) -> Result<(), Fault> {
        let key = self.get(region, id)?;
        let Some(pending) = key.pending_material().filter(|m| m.secret.is_some()) else {
            return Err(Fault::unsupported(format!(
                "{} has no imported key material pending rotation: import new key material first.",
                key.arn
            )));
        };
        let material = pending.id.clone();
        let missing = self.replicas_without(id, &material);
        if !missing.is_empty() {
            return Err(Fault::invalid_state(format!(
                "{} cannot rotate: key material {material} is not yet imported into its replicas in {}.",
                key.arn,
                missing.join(", ")
            )));
        }
        for key in self.keys.values_mut().filter(|k| k.id == id) {
            for m in &mut key.materials {
                if m.id == material {
                    m.state = MaterialState::Current;
                    m.rotated = Some(("ON_DEMAND", now));
                } else if m.state == MaterialState::Current {
                    m.state = MaterialState::NonCurrent;
                }
            }
        }
        Ok(())
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
        if !rotatable(key) && !imported_symmetric(key) {
            return Err(Fault::unsupported(format!(
                "{} cannot rotate: only symmetric encryption keys with AWS_KMS or EXTERNAL origin do.",
                key.arn
            )));
        }
        let all = match super::optional(input, "IncludeKeyMaterial") {
            None | Some("ROTATIONS_ONLY") => false,
            Some("ALL_KEY_MATERIAL") => true,
            Some(other) => {
                return Err(Fault::validation(format!(
                    "1 validation error detected: Value '{other}' at 'includeKeyMaterial' failed to satisfy constraint: Member must satisfy enum value set: [ALL_KEY_MATERIAL, ROTATIONS_ONLY]"
                )));
            }
        };
        let entries = match imported_symmetric(key) {
            true => imported_entries(key),
            false => self.kms_made_entries(key),
        };
        let items: Vec<(String, Value)> = entries
            .into_iter()
            .filter(|e| all || e.get("RotationDate").is_some())
            .enumerate()
            .map(|(i, e)| (format!("{i:08}"), e))
            .collect();
        let (rotations, next) = page(&items, input)?;
        let mut out = json!({ "Rotations": rotations, "Truncated": next.is_some() });
        if let Some(marker) = next {
            out["NextMarker"] = json!(marker);
        }
        Ok(out)
    }

    /// An `AWS_KMS` key's materials: the first, then one per rotation; the last is current.
    fn kms_made_entries(&self, key: &Key) -> Vec<Value> {
        let history: &[(String, f64)] = self
            .rotations
            .get(&key.id)
            .map_or(&[], |r| r.history.as_slice());
        (0..=history.len())
            .map(|n| {
                let state = match n == history.len() {
                    true => MaterialState::Current,
                    false => MaterialState::NonCurrent,
                };
                let mut e = json!({
                    "KeyId": key.arn,
                    "KeyMaterialId": kms_material_id(&key.id, n),
                    "KeyMaterialState": state.as_str(),
                });
                if let Some((kind, at)) = n.checked_sub(1).and_then(|i| history.get(i)) {
                    e["RotationDate"] = json!(at);
                    e["RotationType"] = json!(kind);
                }
                e
            })
            .collect()
    }

    /// The key a rotation call may change: a rotatable, usable primary (or single-Region key).
    /// Imported symmetric material rotates on demand only (`on_demand`), never automatically.
    fn rotation_target(
        &self,
        region: &str,
        input: &Value,
        on_demand: bool,
    ) -> Result<String, Fault> {
        let id = self.target(region, input)?;
        let key = self.get(region, &id)?;
        if !(rotatable(key) || on_demand && imported_symmetric(key)) {
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

/// Symmetric encryption keys with imported material: rotated on demand, after a NEW import.
fn imported_symmetric(key: &Key) -> bool {
    key.key_spec == "SYMMETRIC_DEFAULT"
        && key.key_usage == "ENCRYPT_DECRYPT"
        && key.origin == "EXTERNAL"
}

/// An imported key's materials, oldest first, pending last, as ListKeyRotations lists them.
fn imported_entries(key: &Key) -> Vec<Value> {
    let mut materials: Vec<&crate::materials::Material> = key.materials.iter().collect();
    materials.sort_by_key(|m| (m.state.pending(), m.rotated.map(|(_, at)| at as i64)));
    materials
        .into_iter()
        .map(|m| {
            let mut e = json!({
                "KeyId": key.arn,
                "KeyMaterialId": m.id,
                "KeyMaterialState": m.state.as_str(),
                "ImportState": if m.secret.is_some() { "IMPORTED" } else { "PENDING_IMPORT" },
                "ExpirationModel": m.expiration_model,
            });
            if let Some(d) = &m.description {
                e["KeyMaterialDescription"] = json!(d);
            }
            if let Some(t) = m.valid_to {
                e["ValidTo"] = json!(t);
            }
            if let Some((kind, at)) = m.rotated {
                e["RotationDate"] = json!(at);
                e["RotationType"] = json!(kind);
            }
            e
        })
        .collect()
}

/// Only symmetric encryption keys whose material KMS made can rotate.
fn rotatable(key: &Key) -> bool {
    key.key_spec == "SYMMETRIC_DEFAULT"
        && key.key_usage == "ENCRYPT_DECRYPT"
        && key.origin == "AWS_KMS"
}
