//! GetKeyLastUsage (KMS_FACTS.md §1): each key, primary or replica, tracks its own last
//! successful cryptographic operation; tracking began on a date (a knob), so a key older than
//! that with no use since may still have been used before it.

use serde_json::{Value, json};

use super::crypto::Served;
use super::required;
use crate::error::{Fault, OpResult};
use crate::model::Kms;

/// When KMS began recording last usage: 2026-04-27T00:00:00Z, the API's release.
pub const SERVICE_TRACKING_START: f64 = 1_777_248_000.0;

/// A key's last successful cryptographic operation.
#[derive(Debug, Clone, PartialEq)]
pub struct LastUse {
    pub operation: String,
    pub at: f64,
    pub event_id: String,
    pub request_id: String,
}

impl Kms {
    /// Records a successful use of the key `id` in `region` (only successes count).
    pub(super) fn record_use(&mut self, region: &str, id: &str, operation: &str, ctx: &Served) {
        self.usage.insert(
            (region.to_string(), id.to_string()),
            LastUse {
                operation: operation.to_string(),
                at: ctx.now,
                event_id: ctx.event_id.clone(),
                request_id: ctx.request_id.clone(),
            },
        );
    }

    /// A call imagined traffic made at `at` by `role` (the demo's workloads): in the trail,
    /// and, when it did not fail, as the key's last use.
    pub fn imagine_call(
        &mut self,
        (region, id): (&str, &str),
        operation: &str,
        at: f64,
        role: &str,
        error: Option<crate::error::Fault>,
    ) {
        let ctx = Served {
            caller: Some(crate::trail::Caller {
                arn: format!("arn:aws:iam::{}:role/{role}", self.account),
                access_key_id: "ASIASIMULATORAPPS000".into(),
                source_ip: "10.0.1.20".into(),
                invoked_by: None,
            }),
            ..Served::at(at)
        };
        let input = serde_json::json!({ "KeyId": id });
        let result = match error {
            Some(fault) => Err(fault),
            None => {
                self.record_use(region, id, operation, &ctx);
                Ok(serde_json::json!({ "KeyId": self.key_arn(region, id) }))
            }
        };
        self.record_call(operation, region, &input, &result, &ctx);
    }

    /// Works in every key state, like DescribeKey; an alias is refused (the API takes a key ID
    /// or key ARN only). Which error KMS gives for an alias is not documented: NotFound here.
    pub(super) fn get_key_last_usage(&self, region: &str, input: &Value) -> OpResult {
        let asked = required(input, "KeyId")?;
        if asked.starts_with("alias/") || asked.contains(":alias/") {
            return Err(Fault::not_found(format!(
                "GetKeyLastUsage takes a key ID or key ARN, not an alias: '{asked}'"
            )));
        }
        let id = self.resolve(region, asked)?;
        let key = self.get(region, &id)?;
        let usage = match self.usage.get(&(region.to_string(), id.clone())) {
            Some(last) => json!({
                "Operation": last.operation,
                "Timestamp": last.at,
                "CloudTrailEventId": last.event_id,
                "KmsRequestId": last.request_id,
            }),
            None => json!({}),
        };
        Ok(json!({
            "KeyId": key.arn,
            "KeyLastUsage": usage,
            "TrackingStartDate": self.tracking_start.max(key.created),
            "KeyCreationDate": key.created,
        }))
    }
}
