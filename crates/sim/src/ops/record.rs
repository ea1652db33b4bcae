//! Each KMS call that changes or uses a key, written to the account's CloudTrail trail as
//! KMS_FACTS.md §6 describes: in the Region of the call, with the keys it was about, who made
//! it, and the error code when it failed; ReplicateKey adds CreateKey in the replica's Region,
//! UpdatePrimaryRegion a record in the new primary's (made by KMS, with no resources element).

use serde_json::{Map, Value};

use super::crypto::{Served, key_of_blob};
use crate::error::OpResult;
use crate::model::Kms;
use crate::trail::{Caller, TrailEvent, is_recorded};

/// Request fields never written to a trail: plaintext, ciphertext, key material, messages and
/// what authenticates them.
const SECRET_FIELDS: &[&str] = &[
    "Plaintext",
    "CiphertextBlob",
    "EncryptedKeyMaterial",
    "ImportToken",
    "Message",
    "Mac",
    "Signature",
    "SharedSecretCiphertextBlob",
];

impl Kms {
    /// Writes the call to the trail, when it is one CloudTrail keeps here.
    pub(super) fn record_call(
        &mut self,
        op: &str,
        region: &str,
        input: &Value,
        result: &OpResult,
        served: &Served,
    ) {
        if !is_recorded(op) {
            return;
        }
        let caller = served.caller.clone().unwrap_or_else(|| self.setup_caller());
        let event = TrailEvent {
            event_id: served.event_id.clone(),
            event_name: op.to_string(),
            time: served.now,
            region: region.to_string(),
            account: self.account.clone(),
            caller: caller.clone(),
            error_code: result.as_ref().err().map(|f| f.code.to_string()),
            error_message: result.as_ref().err().map(|f| f.message.clone()),
            request_id: served.request_id.clone(),
            resources: self.resources_of(op, region, input, result),
            request_parameters: parameters(input),
        };
        self.trail.push(event.clone());
        let Ok(out) = result else {
            return;
        };
        let by_kms = Caller {
            invoked_by: Some("kms.amazonaws.com".into()),
            ..caller
        };
        let echo = |event_name: &str, region: &str, resources: Vec<String>| TrailEvent {
            event_id: format!("{}-{region}", served.event_id),
            event_name: event_name.to_string(),
            region: region.to_string(),
            caller: by_kms.clone(),
            resources,
            ..event.clone()
        };
        match op {
            "ReplicateKey" => {
                let replica = &out["ReplicaKeyMetadata"];
                if let (Some(arn), Some(target)) = (
                    replica["Arn"].as_str(),
                    input.get("ReplicaRegion").and_then(Value::as_str),
                ) {
                    self.trail
                        .push(echo("CreateKey", target, vec![arn.to_string()]));
                }
            }
            "UpdatePrimaryRegion" => {
                if let Some(target) = input.get("PrimaryRegion").and_then(Value::as_str) {
                    self.trail
                        .push(echo("UpdatePrimaryRegion", target, Vec::new()));
                }
            }
            // A shared property changed on a primary: KMS synchronises the family, on its own.
            "EnableKeyRotation" | "DisableKeyRotation" | "RotateKeyOnDemand" => {
                let multi_region = event
                    .resources
                    .first()
                    .is_some_and(|arn| arn.contains("key/mrk-"));
                if multi_region {
                    self.trail.push(TrailEvent {
                        event_id: format!("{}-sync", served.event_id),
                        event_name: "SynchronizeMultiRegionKey".into(),
                        caller: Caller {
                            arn: String::new(),
                            access_key_id: String::new(),
                            source_ip: "AWS Internal".into(),
                            invoked_by: Some("AWS Internal".into()),
                        },
                        request_parameters: Value::Null,
                        ..event.clone()
                    });
                }
            }
            _ => {}
        }
    }

    /// Who made the calls the simulator's own setup made (the seed, imagined traffic).
    pub fn setup_caller(&self) -> Caller {
        Caller {
            arn: format!("arn:aws:iam::{}:role/platform-automation", self.account),
            access_key_id: "ASIASIMULATORSETUP00".into(),
            source_ip: "10.0.0.10".into(),
            invoked_by: None,
        }
    }

    /// The ARNs of the keys a call was about: from its answer when it has one, else from what
    /// it named (a key ID, an alias's target, a ciphertext's key).
    fn resources_of(
        &self,
        op: &str,
        region: &str,
        input: &Value,
        result: &OpResult,
    ) -> Vec<String> {
        if let Ok(out) = result {
            if let Some(arn) = out["KeyMetadata"]["Arn"].as_str() {
                return vec![arn.to_string()];
            }
            let arns: Vec<String> = ["SourceKeyId", "KeyId"]
                .iter()
                .filter_map(|f| out[*f].as_str())
                .filter(|a| a.starts_with("arn:"))
                .map(str::to_string)
                .collect();
            if !arns.is_empty() && op != "ReplicateKey" {
                return arns;
            }
        }
        let named = ["KeyId", "TargetKeyId", "DestinationKeyId"]
            .iter()
            .find_map(|f| input.get(*f).and_then(Value::as_str))
            .and_then(|asked| self.resolve(region, asked).ok())
            .or_else(|| {
                input
                    .get("CiphertextBlob")
                    .and_then(Value::as_str)
                    .and_then(key_of_blob)
            });
        named
            .map(|id| vec![self.key_arn(region, &id)])
            .unwrap_or_default()
    }
}

/// The request as a trail shows it: camelCase names, nothing secret.
fn parameters(input: &Value) -> Value {
    let Value::Object(fields) = input else {
        return Value::Null;
    };
    let kept: Map<String, Value> = fields
        .iter()
        .filter(|(k, _)| !SECRET_FIELDS.contains(&k.as_str()))
        .map(|(k, v)| {
            let mut chars = k.chars();
            let camel = chars
                .next()
                .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
                .unwrap_or_default();
            (camel, v.clone())
        })
        .collect();
    Value::Object(kept)
}
