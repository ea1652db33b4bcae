//! Imported key material, several per key, against KMS_FACTS.md §3: real wrapping keys,
//! material IDs derived from key ID and material, NEW into the primary and EXISTING into each
//! replica, the four material states, rotation on demand, and deletion by ID.

use base64::Engine as _;
use serde_json::{Value, json};

use crate::model::{DAY, Kms};
use crate::test_kms::{b64, code};

fn kms() -> Kms {
    crate::test_kms::kms(11)
}
use crate::wrapping::wrap_oaep_sha256;

const T0: f64 = 1_800_000_000.0;

/// An EXTERNAL multi-Region primary in us-east-1 holding material `[1; 32]` (a primary pending
/// import cannot be replicated), with a replica in eu-west-1 that holds none yet.
fn external_family(kms: &mut Kms) -> String {
    let out = kms
        .call(
            "CreateKey",
            "us-east-1",
            &json!({"MultiRegion": true, "Origin": "EXTERNAL"}),
            T0,
        )
        .unwrap();
    let id = out["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    import(kms, "us-east-1", &id, &[1; 32], json!({})).unwrap();
    kms.call(
        "ReplicateKey",
        "us-east-1",
        &json!({"KeyId": id, "ReplicaRegion": "eu-west-1"}),
        T0,
    )
    .unwrap();
    id
}

/// ImportKeyMaterial of `material`, wrapped under a fresh GetParametersForImport public key.
fn import(
    kms: &mut Kms,
    region: &str,
    id: &str,
    material: &[u8],
    extra: Value,
) -> Result<Value, crate::error::Fault> {
    let params = kms
        .call(
            "GetParametersForImport",
            region,
            &json!({"KeyId": id, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}),
            T0,
        )
        .unwrap();
    let public = base64::engine::general_purpose::STANDARD
        .decode(params["PublicKey"].as_str().unwrap())
        .unwrap();
    let mut input = json!({
        "KeyId": id,
        "ImportToken": params["ImportToken"],
        "EncryptedKeyMaterial": b64(&wrap_oaep_sha256(&public, material).unwrap()),
        "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",
    });
    if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
        input.extend(extra.clone());
    }
    kms.call("ImportKeyMaterial", region, &input, T0)
}

fn materials(kms: &mut Kms, region: &str, id: &str) -> Vec<(String, String)> {
    let out = kms
        .call(
            "ListKeyRotations",
            region,
            &json!({"KeyId": id, "IncludeKeyMaterial": "ALL_KEY_MATERIAL"}),
            T0,
        )
        .unwrap();
    out["Rotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["KeyMaterialId"].as_str().unwrap().to_string(),
                r["KeyMaterialState"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn state(kms: &mut Kms, region: &str, id: &str) -> String {
    let out = kms
        .call("DescribeKey", region, &json!({"KeyId": id}), T0)
        .unwrap();
    out["KeyMetadata"]["KeyState"].as_str().unwrap().to_string()
}

/// NEW material `[2; 32]` into the primary in us-east-1; its KeyMaterialId.
fn new_material(kms: &mut Kms, id: &str) -> String {
    let out = import(kms, "us-east-1", id, &[2; 32], new()).unwrap();
    out["KeyMaterialId"].as_str().unwrap().to_string()
}

fn existing() -> Value {
    json!({"ImportType": "EXISTING_KEY_MATERIAL"})
}

fn new() -> Value {
    json!({"ImportType": "NEW_KEY_MATERIAL"})
}

#[test]
fn get_parameters_for_import_returns_a_der_public_key_of_the_requested_size() {
    let mut kms = kms();
    let id = external_family(&mut kms);
    for (spec, modulus_bytes) in [("RSA_2048", 256), ("RSA_3072", 384)] {
        let out = kms
            .call(
                "GetParametersForImport",
                "us-east-1",
                &json!({"KeyId": id, "WrappingAlgorithm": "RSAES_OAEP_SHA_1", "WrappingKeySpec": spec}),
                T0,
            )
            .unwrap();
        let der = base64::engine::general_purpose::STANDARD
            .decode(out["PublicKey"].as_str().unwrap())
            .unwrap();
        let key = aws_lc_rs::rsa::PublicEncryptingKey::from_der(&der).unwrap();
        assert_eq!(key.key_size_bytes(), modulus_bytes, "{spec}");
    }
}

#[test]
fn the_same_material_in_two_regions_has_one_id_and_other_material_another() {
    let mut kms = kms();
    let id = external_family(&mut kms);
    let primary = kms
        .call("DescribeKey", "us-east-1", &json!({"KeyId": id}), T0)
        .unwrap()["KeyMetadata"]["CurrentKeyMaterialId"]
        .clone();
    let replica = import(&mut kms, "eu-west-1", &id, &[1; 32], json!({})).unwrap();
    assert_eq!(primary, replica["KeyMaterialId"]);
    assert_eq!(primary.as_str().unwrap().len(), 64);
    let other = import(&mut kms, "eu-west-1", &id, &[2; 32], existing());
    assert_eq!(code(other), "IncorrectKeyMaterialException");
    assert_eq!(state(&mut kms, "eu-west-1", &id), "Enabled");
}

#[test]
fn a_replica_without_material_is_pending_import_until_it_gets_the_primarys() {
    let mut kms = kms();
    let id = external_family(&mut kms);
    assert_eq!(state(&mut kms, "eu-west-1", &id), "PendingImport");
    import(&mut kms, "eu-west-1", &id, &[1; 32], json!({})).unwrap();
    assert_eq!(state(&mut kms, "eu-west-1", &id), "Enabled");
}

#[test]
fn new_material_cannot_be_imported_into_a_replica() {
    let mut kms = kms();
    let id = external_family(&mut kms);
    let refused = import(&mut kms, "eu-west-1", &id, &[1; 32], new());
    assert_eq!(code(refused), "UnsupportedOperationException");
}

#[test]
fn a_key_material_id_that_does_not_match_the_material_is_refused() {
    let mut kms = kms();
    let id = external_family(&mut kms);
    let wrong = json!({"ImportType": "EXISTING_KEY_MATERIAL", "KeyMaterialId": "a".repeat(64)});
    assert_eq!(
        code(import(&mut kms, "eu-west-1", &id, &[1; 32], wrong)),
        "IncorrectKeyMaterialException"
    );
    let with_new = json!({"ImportType": "NEW_KEY_MATERIAL", "KeyMaterialId": "a".repeat(64)});
    assert_eq!(
        code(import(&mut kms, "us-east-1", &id, &[3; 32], with_new)),
        "ValidationException"
    );
}

#[test]
fn new_material_on_a_primary_waits_for_every_replica_then_for_a_rotation() {
    let mut kms = kms();
    let id = external_family(&mut kms);
    import(&mut kms, "eu-west-1", &id, &[1; 32], json!({})).unwrap();
    let next = new_material(&mut kms, &id);
    let waiting = materials(&mut kms, "us-east-1", &id);
    assert!(waiting.contains(&(
        next.clone(),
        "PENDING_MULTI_REGION_IMPORT_AND_ROTATION".into()
    )));
    let early = kms.call("RotateKeyOnDemand", "us-east-1", &json!({"KeyId": id}), T0);
    let early = early.unwrap_err();
    assert_eq!(early.code, "KMSInvalidStateException");
    assert!(early.message.contains("eu-west-1"), "{}", early.message);

    import(&mut kms, "eu-west-1", &id, &[2; 32], existing()).unwrap();
    assert!(
        materials(&mut kms, "us-east-1", &id).contains(&(next.clone(), "PENDING_ROTATION".into()))
    );
    assert!(
        materials(&mut kms, "eu-west-1", &id).contains(&(next.clone(), "PENDING_ROTATION".into()))
    );

    kms.call(
        "RotateKeyOnDemand",
        "us-east-1",
        &json!({"KeyId": id}),
        T0 + DAY,
    )
    .unwrap();
    for region in ["us-east-1", "eu-west-1"] {
        let after = materials(&mut kms, region, &id);
        assert_eq!(after.len(), 2, "{region}: {after:?}");
        assert_eq!(after[0].1, "NON_CURRENT", "{region}");
        assert_eq!(after[1], (next.clone(), "CURRENT".into()), "{region}");
        let described = kms
            .call("DescribeKey", region, &json!({"KeyId": id}), T0 + DAY)
            .unwrap();
        assert_eq!(
            described["KeyMetadata"]["CurrentKeyMaterialId"],
            json!(next)
        );
    }
}

#[test]
fn ciphertext_made_before_a_rotation_still_decrypts_and_new_ciphertext_uses_the_new_material() {
    let mut kms = kms();
    let id = external_family(&mut kms);
    import(&mut kms, "eu-west-1", &id, &[1; 32], json!({})).unwrap();
    let encrypt = |kms: &mut Kms| {
        kms.call(
            "Encrypt",
            "us-east-1",
            &json!({"KeyId": id, "Plaintext": b64(b"secret")}),
            T0,
        )
        .unwrap()["CiphertextBlob"]
            .clone()
    };
    let before = encrypt(&mut kms);
    import(&mut kms, "us-east-1", &id, &[2; 32], new()).unwrap();
    import(&mut kms, "eu-west-1", &id, &[2; 32], existing()).unwrap();
    kms.call("RotateKeyOnDemand", "us-east-1", &json!({"KeyId": id}), T0)
        .unwrap();
    let after = encrypt(&mut kms);
    for blob in [before, after] {
        let out = kms.call("Decrypt", "eu-west-1", &json!({"CiphertextBlob": blob}), T0);
        assert_eq!(out.unwrap()["Plaintext"], json!(b64(b"secret")));
    }
}

#[test]
fn rotating_an_imported_key_needs_pending_material() {
    let mut kms = kms();
    let id = external_family(&mut kms);
    let refused = kms.call("RotateKeyOnDemand", "us-east-1", &json!({"KeyId": id}), T0);
    assert_eq!(code(refused), "UnsupportedOperationException");
    let automatic = kms.call("EnableKeyRotation", "us-east-1", &json!({"KeyId": id}), T0);
    assert_eq!(code(automatic), "UnsupportedOperationException");
}

#[test]
fn deleting_a_primarys_pending_material_deletes_the_replicas_copies() {
    let mut kms = kms();
    let id = external_family(&mut kms);
    import(&mut kms, "eu-west-1", &id, &[1; 32], json!({})).unwrap();
    let next =
        import(&mut kms, "us-east-1", &id, &[2; 32], new()).unwrap()["KeyMaterialId"].clone();
    import(&mut kms, "eu-west-1", &id, &[2; 32], existing()).unwrap();
    let out = kms
        .call(
            "DeleteImportedKeyMaterial",
            "us-east-1",
            &json!({"KeyId": id, "KeyMaterialId": next}),
            T0,
        )
        .unwrap();
    assert_eq!(out["KeyMaterialId"], next);
    for region in ["us-east-1", "eu-west-1"] {
        assert_eq!(materials(&mut kms, region, &id).len(), 1, "{region}");
        assert_eq!(state(&mut kms, region, &id), "Enabled", "{region}");
    }
}

#[test]
fn deleting_a_replicas_current_material_leaves_the_primary_unchanged() {
    let mut kms = kms();
    let id = external_family(&mut kms);
    import(&mut kms, "eu-west-1", &id, &[1; 32], json!({})).unwrap();
    kms.call(
        "DeleteImportedKeyMaterial",
        "eu-west-1",
        &json!({"KeyId": id}),
        T0,
    )
    .unwrap();
    assert_eq!(state(&mut kms, "eu-west-1", &id), "PendingImport");
    assert_eq!(state(&mut kms, "us-east-1", &id), "Enabled");
    let listed = kms
        .call(
            "ListKeyRotations",
            "eu-west-1",
            &json!({"KeyId": id, "IncludeKeyMaterial": "ALL_KEY_MATERIAL"}),
            T0,
        )
        .unwrap();
    assert_eq!(listed["Rotations"][0]["ImportState"], "PENDING_IMPORT");
}

#[test]
fn material_wrapped_for_another_region_is_invalid_ciphertext() {
    let mut kms = kms();
    let id = external_family(&mut kms);
    let params = kms
        .call(
            "GetParametersForImport",
            "us-east-1",
            &json!({"KeyId": id, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}),
            T0,
        )
        .unwrap();
    let elsewhere = kms
        .call(
            "GetParametersForImport",
            "eu-west-1",
            &json!({"KeyId": id, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}),
            T0,
        )
        .unwrap();
    let public = base64::engine::general_purpose::STANDARD
        .decode(elsewhere["PublicKey"].as_str().unwrap())
        .unwrap();
    let out = kms.call(
        "ImportKeyMaterial",
        "us-east-1",
        &json!({
            "KeyId": id,
            "ImportToken": params["ImportToken"],
            "EncryptedKeyMaterial": b64(&wrap_oaep_sha256(&public, &[1; 32]).unwrap()),
            "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",
        }),
        T0,
    );
    assert_eq!(code(out), "InvalidCiphertextException");
}

#[test]
fn rotations_only_lists_no_first_material_and_all_key_material_does() {
    let mut kms = kms();
    let out = kms.call("CreateKey", "us-east-1", &json!({}), T0).unwrap();
    let id = out["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    let current = out["KeyMetadata"]["CurrentKeyMaterialId"].clone();
    assert_eq!(current.as_str().map(str::len), Some(64));
    let only = kms
        .call("ListKeyRotations", "us-east-1", &json!({"KeyId": id}), T0)
        .unwrap();
    assert_eq!(only["Rotations"], json!([]));
    let all = materials(&mut kms, "us-east-1", &id);
    assert_eq!(
        all,
        vec![(current.as_str().unwrap().to_string(), "CURRENT".into())]
    );
}

#[test]
fn a_replica_added_after_new_material_makes_the_primary_wait_for_it_too() {
    let mut kms = kms();
    let id = external_family(&mut kms);
    import(&mut kms, "eu-west-1", &id, &[1; 32], json!({})).unwrap();
    let next = new_material(&mut kms, &id);
    import(&mut kms, "eu-west-1", &id, &[2; 32], existing()).unwrap();
    assert!(
        materials(&mut kms, "us-east-1", &id).contains(&(next.clone(), "PENDING_ROTATION".into()))
    );
    kms.call(
        "ReplicateKey",
        "us-east-1",
        &json!({"KeyId": id, "ReplicaRegion": "ap-southeast-2"}),
        T0,
    )
    .unwrap();
    assert!(
        materials(&mut kms, "us-east-1", &id)
            .contains(&(next, "PENDING_MULTI_REGION_IMPORT_AND_ROTATION".into()))
    );
}

#[test]
fn a_deleted_replica_no_longer_holds_up_the_primarys_new_material() {
    let mut kms = kms();
    let id = external_family(&mut kms);
    import(&mut kms, "eu-west-1", &id, &[1; 32], json!({})).unwrap();
    let next = new_material(&mut kms, &id);
    kms.call(
        "ScheduleKeyDeletion",
        "eu-west-1",
        &json!({"KeyId": id, "PendingWindowInDays": 7}),
        T0,
    )
    .unwrap();
    // Any call after the window settles the deletion.
    kms.call(
        "DescribeKey",
        "us-east-1",
        &json!({"KeyId": id}),
        T0 + 8.0 * DAY,
    )
    .unwrap();
    assert!(materials(&mut kms, "us-east-1", &id).contains(&(next, "PENDING_ROTATION".into())));
}
