//! ReplicateKey and UpdatePrimaryRegion, with the states and errors KMS_FACTS.md records.

use serde_json::{Value, json};

use super::{invalid_state, required};
use crate::error::{Fault, OpResult};
use crate::model::{Key, Kms, State};
use crate::regions::{matches_region_pattern, partition_of};

impl Kms {
    pub(super) fn replicate_key(&mut self, region: &str, input: &Value, now: f64) -> OpResult {
        let id = self.target(region, input)?;
        let primary = self.get(region, &id)?.clone();
        let target = required(input, "ReplicaRegion")?;
        if !matches_region_pattern(target) {
            return Err(Fault::validation(format!(
                "1 validation error detected: Value '{target}' at 'replicaRegion' failed to satisfy \
                 constraint: Member must satisfy regular expression pattern: ^([a-z]+-){{2,3}}\\d+$"
            )));
        }
        self.check_replicable(&primary, region)?;
        if partition_of(target) != partition_of(region) {
            return Err(Fault::validation(format!(
                "{target} is not a valid Region for a replica of {}: replicas stay in the primary's partition.",
                primary.arn
            )));
        }
        if target == region {
            return Err(Fault::validation(format!(
                "The replica Region {target} is the primary key's own Region."
            )));
        }
        if let Some(existing) = self.key(target, &id) {
            return Err(Fault::already_exists(format!(
                "Resource {} already exists",
                existing.arn
            )));
        }
        let super::NewKeyProps {
            policy,
            description,
            tags,
        } = self.new_key_props(target, input)?;

        let replica = Key {
            arn: self.key_arn(target, &id),
            id: id.clone(),
            region: target.to_string(),
            created: now,
            description,
            state: State::Creating,
            policy: policy.clone(),
            tags: tags.clone(),
            deletion_date: None,
            pending_window_days: None,
            ready_at: Some(now + self.delays.replica_creation),
            materials: Vec::new(),
            imports: Vec::new(),
            ..primary
        };
        if let Some(family) = self.families.get_mut(&id) {
            family.regions.insert(target.to_string());
        }
        let metadata = self.metadata(&replica);
        self.keys.insert((target.to_string(), id.clone()), replica);
        // A new replica holds none of the primary's imported material: new material the primary
        // was ready to rotate in now waits for this replica too.
        self.refresh_pending(&id);
        self.watch_key(target, &id, now + self.delays.replica_creation);
        let mut out = json!({ "ReplicaKeyMetadata": metadata, "ReplicaPolicy": policy });
        // Real KMS leaves ReplicaTags out when no tags were given.
        if input.get("Tags").is_some() {
            out["ReplicaTags"] = json!(
                tags.iter()
                    .map(|t| json!({ "TagKey": t.key, "TagValue": t.value }))
                    .collect::<Vec<_>>()
            );
        }
        Ok(out)
    }

    /// A key can be replicated only if it is a multi-Region primary in a usable state.
    fn check_replicable(&self, key: &Key, region: &str) -> Result<(), Fault> {
        let is_primary = key.multi_region
            && self
                .families
                .get(&key.id)
                .is_some_and(|f| f.primary_region == region);
        if !is_primary {
            return Err(Fault::unsupported(format!(
                "{} is not a multi-region primary key.",
                key.arn
            )));
        }
        match key.state {
            State::Enabled => Ok(()),
            State::Disabled => Err(Fault::disabled(format!("{} is disabled.", key.arn))),
            _ => Err(invalid_state(key)),
        }
    }

    pub(super) fn update_primary_region(
        &mut self,
        region: &str,
        input: &Value,
        now: f64,
    ) -> OpResult {
        let id = self.target(region, input)?;
        let key = self.get(region, &id)?.clone();
        let new_primary = required(input, "PrimaryRegion")?;
        if !matches_region_pattern(new_primary) {
            return Err(Fault::validation(format!(
                "1 validation error detected: Value '{new_primary}' at 'primaryRegion' failed to \
                 satisfy constraint"
            )));
        }
        let family = self
            .families
            .get(&id)
            .filter(|_| key.multi_region)
            .ok_or_else(|| Fault::unsupported(format!("{} is not a multi-Region key.", key.arn)))?;
        if family.primary_region != region {
            return Err(Fault::unsupported(format!(
                "{} is not a multi-region primary key.",
                key.arn
            )));
        }
        if new_primary == region {
            return Err(Fault::validation(format!(
                "{new_primary} is already the primary Region of {}.",
                key.arn
            )));
        }
        let replica = self.key(new_primary, &id).cloned().ok_or_else(|| {
            Fault::not_found(format!(
                "Key '{}' does not exist",
                self.key_arn(new_primary, &id)
            ))
        })?;
        for k in [&key, &replica] {
            match k.state {
                State::Enabled => {}
                State::Disabled => {
                    return Err(Fault::disabled(format!("{} is disabled.", k.arn)));
                }
                _ => return Err(invalid_state(k)),
            }
        }
        for r in [region, new_primary] {
            if let Some(k) = self.key_mut(r, &id) {
                k.state = State::Updating;
            }
        }
        if let Some(f) = self.families.get_mut(&id) {
            f.pending_primary = Some((new_primary.to_string(), now + self.delays.update_primary));
        }
        self.watch_family(&id, now + self.delays.update_primary);
        Ok(json!({}))
    }
}
