//! What the simulator's unit tests share: a KMS with no delays, a family made through the API,
//! and the small conversions every test of an operation needs.

use base64::Engine as _;
use serde_json::{Value, json};

use crate::model::{Delays, Kms};

/// A KMS whose replicas and promotions complete at once; `seed` fixes its key IDs.
pub fn kms(seed: u64) -> Kms {
    Kms::new(
        "111122223333".into(),
        Delays {
            replica_creation: 0.0,
            update_primary: 0.0,
        },
        Some(seed),
    )
}

/// A multi-Region key made in us-east-1 with `create` (its other CreateKey fields), replicated
/// into eu-west-1, at `at`; its key ID.
pub fn family_of(kms: &mut Kms, create: Value, at: f64) -> String {
    let mut input = json!({"MultiRegion": true});
    if let (Some(input), Some(create)) = (input.as_object_mut(), create.as_object()) {
        input.extend(create.clone());
    }
    let out = kms.call("CreateKey", "us-east-1", &input, at).unwrap();
    let id = out["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    kms.call(
        "ReplicateKey",
        "us-east-1",
        &json!({"KeyId": id, "ReplicaRegion": "eu-west-1"}),
        at,
    )
    .unwrap();
    id
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The error code of a call, or "no error".
pub fn code(result: Result<Value, crate::error::Fault>) -> &'static str {
    result.err().map_or("no error", |f| f.code)
}
