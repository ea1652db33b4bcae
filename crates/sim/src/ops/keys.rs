//! CreateKey, DescribeKey, ListKeys, EnableKey / DisableKey, UpdateKeyDescription.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{check_editable, invalid_state, optional, page};
use crate::error::{Fault, OpResult};
use crate::model::{Family, Key, Kms, State};
use crate::validate;

const KEY_SPECS: &[&str] = &[
    "SYMMETRIC_DEFAULT",
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "ECC_NIST_P256",
    "ECC_NIST_P384",
    "ECC_NIST_P521",
    "ECC_SECG_P256K1",
    "HMAC_224",
    "HMAC_256",
    "HMAC_384",
    "HMAC_512",
    "SM2",
    "ML_DSA_44",
    "ML_DSA_65",
    "ML_DSA_87",
    "ECC_NIST_EDWARDS25519",
    "ML_KEM_512",
    "ML_KEM_768",
    "ML_KEM_1024",
];
const KEY_USAGES: &[&str] = &[
    "ENCRYPT_DECRYPT",
    "SIGN_VERIFY",
    "GENERATE_VERIFY_MAC",
    "KEY_AGREEMENT",
    "ENCAPSULATE_DECAPSULATE",
];

/// The key usages a key spec takes (KMS_FACTS §4 and the KeySpec/KeyUsage model): KMS refuses
/// any other pair with a ValidationException.
fn usages_of(spec: &str) -> &'static [&'static str] {
    match spec {
        "SYMMETRIC_DEFAULT" => &["ENCRYPT_DECRYPT"],
        "RSA_2048" | "RSA_3072" | "RSA_4096" => &["ENCRYPT_DECRYPT", "SIGN_VERIFY"],
        "ECC_NIST_P256" | "ECC_NIST_P384" | "ECC_NIST_P521" => &["SIGN_VERIFY", "KEY_AGREEMENT"],
        "ECC_SECG_P256K1" | "ML_DSA_44" | "ML_DSA_65" | "ML_DSA_87" | "ECC_NIST_EDWARDS25519" => {
            &["SIGN_VERIFY"]
        }
        "HMAC_224" | "HMAC_256" | "HMAC_384" | "HMAC_512" => &["GENERATE_VERIFY_MAC"],
        "SM2" => &["ENCRYPT_DECRYPT", "SIGN_VERIFY", "KEY_AGREEMENT"],
        "ML_KEM_512" | "ML_KEM_768" | "ML_KEM_1024" => &["ENCAPSULATE_DECAPSULATE"],
        _ => &[],
    }
}

impl Kms {
    pub(super) fn create_key(&mut self, region: &str, input: &Value, now: f64) -> OpResult {
        let props = self.new_key_props(region, input)?;
        let key_spec = optional(input, "KeySpec")
            .or_else(|| optional(input, "CustomerMasterKeySpec"))
            .unwrap_or("SYMMETRIC_DEFAULT");
        if !KEY_SPECS.contains(&key_spec) {
            return Err(Fault::validation(format!(
                "1 validation error detected: Value '{key_spec}' at 'keySpec' failed to satisfy constraint"
            )));
        }
        let usages = usages_of(key_spec);
        // Without KeyUsage, KMS takes ENCRYPT_DECRYPT; a spec that cannot encrypt needs it named.
        let key_usage = optional(input, "KeyUsage").unwrap_or("ENCRYPT_DECRYPT");
        if !KEY_USAGES.contains(&key_usage) {
            return Err(Fault::validation(format!(
                "1 validation error detected: Value '{key_usage}' at 'keyUsage' failed to satisfy constraint"
            )));
        }
        if !usages.contains(&key_usage) {
            return Err(Fault::validation(format!(
                "KeyUsage {key_usage} is not compatible with KeySpec {key_spec} (it takes {}).",
                usages.join(", ")
            )));
        }
        if key_spec.starts_with("ML_KEM") && region.starts_with("cn-") {
            return Err(Fault::unsupported(format!(
                "KeySpec {key_spec} is not available in {region}."
            )));
        }
        let origin = optional(input, "Origin").unwrap_or("AWS_KMS");
        match origin {
            "AWS_KMS" | "EXTERNAL" => {}
            "AWS_CLOUDHSM" | "EXTERNAL_KEY_STORE" => {
                return Err(Fault::unsupported(format!(
                    "Origin {origin} needs a custom key store, which this simulator does not model."
                )));
            }
            other => {
                return Err(Fault::validation(format!(
                    "1 validation error detected: Value '{other}' at 'origin' failed to satisfy constraint"
                )));
            }
        }
        let multi_region = input
            .get("MultiRegion")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let id = self.new_key_id(multi_region);
        let key = Key {
            arn: self.key_arn(region, &id),
            id: id.clone(),
            region: region.to_string(),
            created: now,
            description: props.description,
            key_spec: key_spec.to_string(),
            key_usage: key_usage.to_string(),
            origin: origin.to_string(),
            state: if origin == "EXTERNAL" {
                State::PendingImport
            } else {
                State::Enabled
            },
            policy: props.policy,
            tags: props.tags,
            multi_region,
            deletion_date: None,
            pending_window_days: None,
            ready_at: None,
            materials: Vec::new(),
            imports: Vec::new(),
        };
        if multi_region {
            self.families.insert(
                id.clone(),
                Family {
                    primary_region: region.to_string(),
                    regions: BTreeSet::from([region.to_string()]),
                    pending_primary: None,
                },
            );
        }
        let metadata = self.metadata(&key);
        self.keys.insert((region.to_string(), id), key);
        Ok(json!({ "KeyMetadata": metadata }))
    }

    pub(super) fn describe_key(&self, region: &str, input: &Value) -> OpResult {
        let id = self.target(region, input)?;
        let key = self.get(region, &id)?;
        Ok(json!({ "KeyMetadata": self.metadata(key) }))
    }

    pub(super) fn list_keys(&self, region: &str, input: &Value) -> OpResult {
        let items: Vec<(String, Value)> = self
            .keys
            .range((region.to_string(), String::new())..)
            .take_while(|((r, _), _)| r == region)
            .map(|((_, id), key)| (id.clone(), json!({ "KeyId": id, "KeyArn": key.arn })))
            .collect();
        let (keys, next) = page(&items, input)?;
        let mut out = json!({ "Keys": keys, "Truncated": next.is_some() });
        if let Some(marker) = next {
            out["NextMarker"] = json!(marker);
        }
        Ok(out)
    }

    pub(super) fn set_enabled(&mut self, region: &str, input: &Value, enable: bool) -> OpResult {
        let id = self.target(region, input)?;
        let key = self.get_mut(region, &id)?;
        match key.state {
            State::Enabled | State::Disabled => {
                key.state = if enable {
                    State::Enabled
                } else {
                    State::Disabled
                };
                Ok(json!({}))
            }
            _ => Err(invalid_state(key)),
        }
    }

    pub(super) fn update_description(&mut self, region: &str, input: &Value) -> OpResult {
        let id = self.target(region, input)?;
        let description = super::required(input, "Description")?;
        validate::description(description)?;
        let key = self.get_mut(region, &id)?;
        check_editable(key)?;
        key.description = description.to_string();
        Ok(json!({}))
    }
}
