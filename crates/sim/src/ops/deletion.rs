//! ScheduleKeyDeletion and CancelKeyDeletion, including a primary's wait in
//! `PendingReplicaDeletion` while replicas remain.

use serde_json::{Value, json};

use super::invalid_state;
use crate::error::{Fault, OpResult};
use crate::model::{DAY, Kms, State};

impl Kms {
    pub(super) fn schedule_key_deletion(
        &mut self,
        region: &str,
        input: &Value,
        now: f64,
    ) -> OpResult {
        let id = self.target(region, input)?;
        let days = match input.get("PendingWindowInDays") {
            None | Some(Value::Null) => 30,
            Some(v) => match v.as_i64() {
                Some(d @ 7..=30) => d,
                _ => {
                    return Err(Fault::validation(format!(
                        "1 validation error detected: Value '{v}' at 'pendingWindowInDays' failed to \
                         satisfy constraint: Member must have value between 7 and 30"
                    )));
                }
            },
        };
        let waits_for_replicas = {
            let key = self.get(region, &id)?;
            let is_primary = key.multi_region
                && self
                    .families
                    .get(&id)
                    .is_some_and(|f| f.primary_region == region);
            is_primary && !self.replica_regions(&id).is_empty()
        };
        let key = self.get_mut(region, &id)?;
        match key.state {
            State::Enabled | State::Disabled | State::PendingImport => {}
            _ => return Err(invalid_state(key)),
        }
        key.pending_window_days = Some(days);
        let mut out = json!({ "KeyId": key.arn, "PendingWindowInDays": days });
        if waits_for_replicas {
            key.state = State::PendingReplicaDeletion;
            key.deletion_date = None;
        } else {
            key.state = State::PendingDeletion;
            let date = now + days as f64 * DAY;
            key.deletion_date = Some(date);
            out["DeletionDate"] = json!(date);
        }
        out["KeyState"] = json!(key.state.as_str());
        if let Some(date) = out.get("DeletionDate").and_then(Value::as_f64) {
            self.watch_key(region, &id, date);
        }
        Ok(out)
    }

    pub(super) fn cancel_key_deletion(&mut self, region: &str, input: &Value) -> OpResult {
        let id = self.target(region, input)?;
        let key = self.get_mut(region, &id)?;
        if !matches!(
            key.state,
            State::PendingDeletion | State::PendingReplicaDeletion
        ) {
            return Err(Fault::invalid_state(format!(
                "{} is not pending deletion.",
                key.arn
            )));
        }
        key.state = State::Disabled;
        key.deletion_date = None;
        key.pending_window_days = None;
        Ok(json!({ "KeyId": key.arn }))
    }
}
