//! KMS operations of the simulator, grouped by topic. `Kms::call` settles time-driven
//! transitions, then dispatches by operation name.

mod aliases;
mod crypto;
mod deletion;
mod encapsulation;
mod grants;
mod import;
mod keys;
mod mac_and_signature;
mod multi_region;
mod policy_tags;
mod record;
mod rotation;
mod usage;

pub use crypto::{Served, uuid_like};
pub use usage::{LastUse, SERVICE_TRACKING_START};

use serde_json::Value;

use super::error::{Fault, OpResult};
use super::model::{Key, Kms, State};

/// Operations that change state; the rest only read. Used by the request statistics so tests
/// can prove a read-only session made no mutating call.
pub const MUTATING: &[&str] = &[
    "CreateKey",
    "CreateAlias",
    "DeleteAlias",
    "PutKeyPolicy",
    "TagResource",
    "UntagResource",
    "UpdateKeyDescription",
    "EnableKey",
    "DisableKey",
    "ReplicateKey",
    "UpdatePrimaryRegion",
    "ScheduleKeyDeletion",
    "CancelKeyDeletion",
    "GetParametersForImport",
    "ImportKeyMaterial",
    "DeleteImportedKeyMaterial",
    "CreateGrant",
    "RevokeGrant",
    "RetireGrant",
    "EnableKeyRotation",
    "DisableKeyRotation",
    "RotateKeyOnDemand",
];

/// Every operation the simulator answers (fault rules may name only these).
pub const OPERATIONS: &[&str] = &[
    "CreateKey",
    "DescribeKey",
    "ListKeys",
    "EnableKey",
    "DisableKey",
    "UpdateKeyDescription",
    "GetKeyPolicy",
    "PutKeyPolicy",
    "ListResourceTags",
    "TagResource",
    "UntagResource",
    "ListAliases",
    "CreateAlias",
    "DeleteAlias",
    "ReplicateKey",
    "UpdatePrimaryRegion",
    "ScheduleKeyDeletion",
    "CancelKeyDeletion",
    "GetParametersForImport",
    "ImportKeyMaterial",
    "DeleteImportedKeyMaterial",
    "CreateGrant",
    "ListGrants",
    "RevokeGrant",
    "RetireGrant",
    "EnableKeyRotation",
    "DisableKeyRotation",
    "GetKeyRotationStatus",
    "RotateKeyOnDemand",
    "ListKeyRotations",
    "Encrypt",
    "Decrypt",
    "GenerateDataKey",
    "ReEncrypt",
    "GenerateMac",
    "VerifyMac",
    "Sign",
    "Verify",
    "Encapsulate",
    "Decapsulate",
    "GetKeyLastUsage",
    // CloudTrail's, answered beside KMS at the same endpoint.
    "LookupEvents",
];

/// Request fields and the JSON type the KMS service model gives them. KMS refuses a field of
/// the wrong type (`"Description": 5`, `"MultiRegion": "yes"`) with a SerializationException
/// before looking at anything else.
const STRING_FIELDS: &[&str] = &[
    "KeyId",
    "Description",
    "Policy",
    "PolicyName",
    "Marker",
    "AliasName",
    "TargetKeyId",
    "ReplicaRegion",
    "PrimaryRegion",
    "KeySpec",
    "KeyUsage",
    "CustomerMasterKeySpec",
    "Origin",
    "ImportToken",
    "EncryptedKeyMaterial",
    "ExpirationModel",
    "ImportType",
    "KeyMaterialId",
    "KeyMaterialDescription",
    "IncludeKeyMaterial",
    "WrappingAlgorithm",
    "WrappingKeySpec",
    "GranteePrincipal",
    "RetiringPrincipal",
    "GranteeServicePrincipal",
    "RetiringServicePrincipal",
    "Name",
    "GrantId",
    "GrantToken",
    "Plaintext",
    "CiphertextBlob",
    "Message",
    "Mac",
    "MacAlgorithm",
    "Signature",
    "SigningAlgorithm",
    "MessageType",
    "EncapsulationAlgorithm",
    "SharedSecretCiphertextBlob",
    "DestinationKeyId",
    "SourceKeyId",
    "EncryptionAlgorithm",
];
const BOOL_FIELDS: &[&str] = &["MultiRegion", "BypassPolicyLockoutSafetyCheck"];
const NUMBER_FIELDS: &[&str] = &[
    "Limit",
    "PendingWindowInDays",
    "ValidTo",
    "RotationPeriodInDays",
    "NumberOfBytes",
];
const LIST_FIELDS: &[&str] = &["Tags", "TagKeys", "Operations", "GrantTokens"];

fn check_types(input: &Value) -> Result<(), Fault> {
    let Value::Object(fields) = input else {
        return Ok(());
    };
    for (name, value) in fields {
        if value.is_null() {
            continue;
        }
        let ok = if STRING_FIELDS.contains(&name.as_str()) {
            value.is_string()
        } else if BOOL_FIELDS.contains(&name.as_str()) {
            value.is_boolean()
        } else if NUMBER_FIELDS.contains(&name.as_str()) {
            value.is_number()
        } else if LIST_FIELDS.contains(&name.as_str()) {
            value.is_array()
        } else {
            true
        };
        if !ok {
            return Err(Fault::serialization(format!(
                "Start of structure or map found where not expected, or a value of the wrong type for '{name}'."
            )));
        }
    }
    Ok(())
}

impl Kms {
    /// Runs one operation in `region` at simulated time `now`.
    pub fn call(&mut self, op: &str, region: &str, input: &Value, now: f64) -> OpResult {
        self.serve(op, region, input, &Served::at(now))
    }

    /// Runs one operation as the request `served` (its time, identifiers and caller), and
    /// writes it to the trail.
    pub fn serve(&mut self, op: &str, region: &str, input: &Value, served: &Served) -> OpResult {
        self.settle(served.now);
        let result = check_types(input).and_then(|()| self.dispatch(op, region, input, served));
        self.record_call(op, region, input, &result, served);
        result
    }

    fn dispatch(&mut self, op: &str, region: &str, input: &Value, served: &Served) -> OpResult {
        let now = served.now;
        match op {
            "CreateKey" => self.create_key(region, input, now),
            "DescribeKey" => self.describe_key(region, input),
            "ListKeys" => self.list_keys(region, input),
            "EnableKey" => self.set_enabled(region, input, true),
            "DisableKey" => self.set_enabled(region, input, false),
            "UpdateKeyDescription" => self.update_description(region, input),
            "GetKeyPolicy" => self.get_key_policy(region, input),
            "PutKeyPolicy" => self.put_key_policy(region, input),
            "ListResourceTags" => self.list_resource_tags(region, input),
            "TagResource" => self.tag_resource(region, input),
            "UntagResource" => self.untag_resource(region, input),
            "ListAliases" => self.list_aliases(region, input),
            "CreateAlias" => self.create_alias(region, input, now),
            "DeleteAlias" => self.delete_alias(region, input),
            "ReplicateKey" => self.replicate_key(region, input, now),
            "UpdatePrimaryRegion" => self.update_primary_region(region, input, now),
            "ScheduleKeyDeletion" => self.schedule_key_deletion(region, input, now),
            "CancelKeyDeletion" => self.cancel_key_deletion(region, input),
            "GetParametersForImport" => self.get_parameters_for_import(region, input, now),
            "ImportKeyMaterial" => self.import_key_material(region, input, now),
            "DeleteImportedKeyMaterial" => self.delete_imported_key_material(region, input),
            "CreateGrant" => self.create_grant(region, input, now),
            "ListGrants" => self.list_grants(region, input),
            "RevokeGrant" => self.revoke_grant(region, input),
            "RetireGrant" => self.retire_grant(region, input),
            "EnableKeyRotation" => self.enable_key_rotation(region, input, now),
            "DisableKeyRotation" => self.disable_key_rotation(region, input),
            "GetKeyRotationStatus" => self.get_key_rotation_status(region, input),
            "RotateKeyOnDemand" => self.rotate_key_on_demand(region, input, now),
            "ListKeyRotations" => self.list_key_rotations(region, input),
            "Encrypt" => self.encrypt(region, input, served),
            "Decrypt" => self.decrypt(region, input, served),
            "GenerateDataKey" => self.generate_data_key(region, input, served),
            "ReEncrypt" => self.re_encrypt(region, input, served),
            "GenerateMac" => self.generate_mac(region, input, served),
            "VerifyMac" => self.verify_mac(region, input, served),
            "Sign" => self.sign(region, input, served),
            "Verify" => self.verify(region, input, served),
            "Encapsulate" => self.encapsulate(region, input, served),
            "Decapsulate" => self.decapsulate(region, input, served),
            "GetKeyLastUsage" => self.get_key_last_usage(region, input),
            other => Err(Fault::unknown_operation(format!(
                "The operation {other} is not supported by this KMS simulator."
            ))),
        }
    }

    /// Resolves the `KeyId` field of `input` to an existing key in `region`.
    fn target(&self, region: &str, input: &Value) -> Result<String, Fault> {
        let key_id = required(input, "KeyId")?;
        self.resolve(region, key_id)
    }

    fn get(&self, region: &str, id: &str) -> Result<&Key, Fault> {
        self.key(region, id).ok_or_else(|| {
            Fault::not_found(format!("Key '{}' does not exist", self.key_arn(region, id)))
        })
    }

    fn get_mut(&mut self, region: &str, id: &str) -> Result<&mut Key, Fault> {
        let arn = self.key_arn(region, id);
        self.key_mut(region, id)
            .ok_or_else(|| Fault::not_found(format!("Key '{arn}' does not exist")))
    }
}

/// The per-key properties CreateKey and ReplicateKey both take, checked as KMS does: the Policy
/// (the default key policy of `region`'s partition when omitted), Description and Tags.
pub struct NewKeyProps {
    pub policy: String,
    pub description: String,
    pub tags: Vec<super::validate::Tag>,
}

impl Kms {
    fn new_key_props(&self, region: &str, input: &Value) -> Result<NewKeyProps, Fault> {
        let partition = super::regions::partition_of(region).unwrap_or("aws");
        let policy = match optional(input, "Policy") {
            Some(p) => {
                super::validate::policy(p)?;
                p.to_string()
            }
            None => super::validate::default_policy(partition, &self.account),
        };
        let description = optional(input, "Description").unwrap_or("");
        super::validate::description(description)?;
        let tags = super::validate::tags(input.get("Tags"))?;
        Ok(NewKeyProps {
            policy,
            description: description.to_string(),
            tags,
        })
    }
}

/// A required string field; KMS answers a missing one with a ValidationException.
pub fn required<'a>(input: &'a Value, field: &str) -> Result<&'a str, Fault> {
    input.get(field).and_then(Value::as_str).ok_or_else(|| {
        let mut chars = field.chars();
        let camel = chars
            .next()
            .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
            .unwrap_or_default();
        Fault::validation(format!(
            "1 validation error detected: Value null at '{camel}' failed to satisfy constraint: \
             Member must not be null"
        ))
    })
}

pub fn optional<'a>(input: &'a Value, field: &str) -> Option<&'a str> {
    input.get(field).and_then(Value::as_str)
}

/// `Limit` for list operations: 1–1000, default 100.
pub fn limit(input: &Value) -> Result<usize, Fault> {
    match input.get("Limit") {
        None | Some(Value::Null) => Ok(100),
        Some(v) => match v.as_u64() {
            Some(n @ 1..=1000) => Ok(n as usize),
            _ => Err(Fault::validation(format!(
                "1 validation error detected: Value '{v}' at 'limit' failed to satisfy constraint: \
                 Member must have value between 1 and 1000"
            ))),
        },
    }
}

/// The error KMS gives for an operation on a key in a state that does not allow it.
pub fn invalid_state(key: &Key) -> Fault {
    Fault::invalid_state(format!("{} is {}.", key.arn, key.state.phrase()))
}

/// States in which a key's policy, tags and description can change.
pub fn check_editable(key: &Key) -> Result<(), Fault> {
    match key.state {
        State::Enabled | State::Disabled | State::PendingImport | State::Updating => Ok(()),
        _ => Err(invalid_state(key)),
    }
}

/// Pages `items` (already in order) after `Marker`, at most `Limit` of them.
///
/// Markers are opaque tokens, as KMS's are: one this simulator did not hand out is an
/// `InvalidMarkerException`, never a silent skip of keys.
pub fn page<T: Clone>(
    items: &[(String, T)],
    input: &Value,
) -> Result<(Vec<T>, Option<String>), Fault> {
    let limit = limit(input)?;
    let start = match optional(input, "Marker") {
        None => 0,
        Some(marker) => {
            let after = decode_marker(marker)?;
            items
                .iter()
                .position(|(k, _)| k.as_str() > after.as_str())
                .unwrap_or(items.len())
        }
    };
    let slice = &items[start..items.len().min(start + limit)];
    let next = (start + limit < items.len())
        .then(|| slice.last().map(|(k, _)| encode_marker(k)))
        .flatten();
    Ok((slice.iter().map(|(_, v)| v.clone()).collect(), next))
}

const MARKER_PREFIX: &str = "kms-sim-marker:";

fn encode_marker(after: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{MARKER_PREFIX}{after}"))
}

fn decode_marker(marker: &str) -> Result<String, Fault> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(marker)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix(MARKER_PREFIX).map(str::to_string))
        .ok_or_else(|| Fault::invalid_marker("The request contains an invalid marker."))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::Delays;

    /// Every operation the simulator answers, and one it does not.
    fn operation(i: usize) -> &'static str {
        OPERATIONS.get(i).copied().unwrap_or("Nonsense")
    }

    fn arbitrary_input() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(|f| serde_json::json!(f)),
            "\\PC{0,40}".prop_map(Value::from),
            Just(Value::from("mrk-0123456789abcdef0123456789abcdef")),
            Just(Value::from("alias/x")),
            Just(Value::from("eu-west-1")),
        ];
        let fields = prop_oneof![
            Just("KeyId"),
            Just("ReplicaRegion"),
            Just("Policy"),
            Just("Tags"),
            Just("TagKeys"),
            Just("Description"),
            Just("Limit"),
            Just("Marker"),
            Just("AliasName"),
            Just("TargetKeyId"),
            Just("PendingWindowInDays"),
            Just("PrimaryRegion"),
            Just("MultiRegion"),
            Just("Origin"),
            Just("ValidTo"),
            Just("ImportToken"),
            Just("ExpirationModel"),
            Just("EncryptedKeyMaterial"),
            Just("KeySpec"),
            Just("KeyUsage"),
        ];
        let value = leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                proptest::collection::btree_map("[A-Za-z]{1,8}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        });
        proptest::collection::btree_map(fields, value, 0..8)
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
    }

    proptest! {
        /// Any operation with any input answers (an output or an AWS error), never panics.
        #[test]
        fn any_request_body_gets_an_answer(
            ops in proptest::collection::vec((0..=OPERATIONS.len(), arbitrary_input()), 1..12),
            seed_key in any::<bool>(),
        ) {
            let mut kms = Kms::new("111122223333".into(), Delays { replica_creation: 0.0, update_primary: 0.0 }, None);
            if seed_key {
                let _ = kms.call("CreateKey", "us-east-1", &serde_json::json!({"MultiRegion": true}), 0.0);
            }
            for (i, (op, input)) in ops.iter().enumerate() {
                let result = kms.call(operation(*op), "us-east-1", input, i as f64);
                if let Err(fault) = result {
                    prop_assert!(fault.code.ends_with("Exception"), "{}", fault.code);
                }
            }
        }

        #[test]
        fn any_authorization_header_parses_without_panicking(header in "\\PC{0,120}") {
            let _ = crate::server::region_from_authorization(&header);
            let _ = crate::server::access_key_from_authorization(&header);
        }
    }
}

#[cfg(test)]
mod crypto_tests;
#[cfg(test)]
mod grant_tests;
#[cfg(test)]
mod import_tests;
#[cfg(test)]
mod mac_sign_kem_tests;
