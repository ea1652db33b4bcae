//! The simulator's cryptographic operations and last usage, against KMS_FACTS.md §1 and §5.

use serde_json::json;

use super::usage::SERVICE_TRACKING_START;
use crate::model::{DAY, Kms};
use crate::test_kms::{b64, code};

fn kms() -> Kms {
    crate::test_kms::kms(7)
}

/// A family with its primary in us-east-1 and a replica in eu-west-1, made at `at`.
fn family(kms: &mut Kms, at: f64) -> String {
    crate::test_kms::family_of(kms, json!({}), at)
}

const T0: f64 = SERVICE_TRACKING_START + 10.0 * DAY;

fn encrypt(kms: &mut Kms, region: &str, id: &str, at: f64) -> String {
    let out = kms
        .call(
            "Encrypt",
            region,
            &json!({"KeyId": id, "Plaintext": b64(b"secret"), "EncryptionContext": {"app": "orders"}}),
            at,
        )
        .unwrap();
    out["CiphertextBlob"].as_str().unwrap().to_string()
}

#[test]
fn a_ciphertext_of_the_primary_decrypts_with_its_replica_in_another_region() {
    let mut kms = kms();
    let id = family(&mut kms, T0);
    let blob = encrypt(&mut kms, "us-east-1", &id, T0 + 1.0);
    let out = kms
        .call(
            "Decrypt",
            "eu-west-1",
            &json!({"CiphertextBlob": blob, "EncryptionContext": {"app": "orders"}}),
            T0 + 2.0,
        )
        .unwrap();
    assert_eq!(out["Plaintext"], json!(b64(b"secret")));
    assert!(
        out["KeyId"].as_str().unwrap().contains(":eu-west-1:"),
        "the key that decrypted is the local replica: {out}"
    );
}

#[test]
fn a_ciphertext_is_refused_with_another_context_or_another_key_named() {
    let mut kms = kms();
    let id = family(&mut kms, T0);
    let other = family(&mut kms, T0);
    let blob = encrypt(&mut kms, "us-east-1", &id, T0);
    let wrong_context = json!({"CiphertextBlob": blob, "EncryptionContext": {"app": "ledger"}});
    assert_eq!(
        code(kms.call("Decrypt", "us-east-1", &wrong_context, T0)),
        "InvalidCiphertextException"
    );
    let wrong_key =
        json!({"CiphertextBlob": blob, "KeyId": other, "EncryptionContext": {"app": "orders"}});
    assert_eq!(
        code(kms.call("Decrypt", "us-east-1", &wrong_key, T0)),
        "IncorrectKeyException"
    );
}

#[test]
fn each_key_refuses_by_its_own_state_and_a_refusal_is_no_use() {
    let mut kms = kms();
    let id = family(&mut kms, T0);
    kms.call("DisableKey", "eu-west-1", &json!({"KeyId": id}), T0)
        .unwrap();
    let blob = encrypt(&mut kms, "us-east-1", &id, T0);
    let input = json!({"CiphertextBlob": blob, "EncryptionContext": {"app": "orders"}});
    let refused = kms.call("Decrypt", "eu-west-1", &input, T0).unwrap_err();
    assert_eq!(refused.code, "DisabledException");
    assert!(
        refused.message.ends_with("is disabled."),
        "{}",
        refused.message
    );
    assert!(
        kms.call("Decrypt", "us-east-1", &input, T0).is_ok(),
        "the primary's state is its own"
    );
    kms.call(
        "ScheduleKeyDeletion",
        "eu-west-1",
        &json!({"KeyId": id, "PendingWindowInDays": 7}),
        T0,
    )
    .unwrap();
    assert_eq!(
        code(kms.call("Decrypt", "eu-west-1", &input, T0)),
        "KMSInvalidStateException"
    );
    let usage = kms
        .call("GetKeyLastUsage", "eu-west-1", &json!({"KeyId": id}), T0)
        .unwrap();
    assert_eq!(usage["KeyLastUsage"], json!({}), "only successes count");
}

#[test]
fn last_usage_names_the_operation_time_and_ids_for_each_key_on_its_own() {
    let mut kms = kms();
    let id = family(&mut kms, T0);
    let served = super::Served::at(T0 + 60.0);
    let input = json!({"KeyId": id, "NumberOfBytes": 32});
    kms.serve("GenerateDataKey", "us-east-1", &input, &served)
        .unwrap();
    let usage = kms
        .call(
            "GetKeyLastUsage",
            "us-east-1",
            &json!({"KeyId": id}),
            T0 + 90.0,
        )
        .unwrap();
    assert_eq!(usage["KeyLastUsage"]["Operation"], "GenerateDataKey");
    assert_eq!(usage["KeyLastUsage"]["Timestamp"], json!(T0 + 60.0));
    assert_eq!(
        usage["KeyLastUsage"]["KmsRequestId"],
        json!(served.request_id)
    );
    assert_eq!(
        usage["KeyLastUsage"]["CloudTrailEventId"],
        json!(served.event_id)
    );
    let replica = kms
        .call(
            "GetKeyLastUsage",
            "eu-west-1",
            &json!({"KeyId": id}),
            T0 + 90.0,
        )
        .unwrap();
    assert_eq!(
        replica["KeyLastUsage"],
        json!({}),
        "the replica tracks its own use"
    );
}

#[test]
fn a_key_made_after_tracking_began_starts_its_tracking_at_its_creation() {
    let mut kms = kms();
    let id = family(&mut kms, T0);
    let usage = kms
        .call(
            "GetKeyLastUsage",
            "eu-west-1",
            &json!({"KeyId": id}),
            T0 + 5.0,
        )
        .unwrap();
    assert_eq!(usage["TrackingStartDate"], usage["KeyCreationDate"]);
    assert_eq!(usage["KeyLastUsage"], json!({}));
}

#[test]
fn a_key_older_than_tracking_reports_the_service_date_as_its_start() {
    let mut kms = kms();
    let id = family(&mut kms, SERVICE_TRACKING_START - 100.0 * DAY);
    let usage = kms
        .call("GetKeyLastUsage", "us-east-1", &json!({"KeyId": id}), T0)
        .unwrap();
    assert_eq!(usage["TrackingStartDate"], json!(SERVICE_TRACKING_START));
    assert!(usage["KeyCreationDate"].as_f64().unwrap() < SERVICE_TRACKING_START);
}

#[test]
fn last_usage_takes_a_key_id_or_arn_never_an_alias() {
    let mut kms = kms();
    let id = family(&mut kms, T0);
    kms.call(
        "CreateAlias",
        "us-east-1",
        &json!({"AliasName": "alias/orders", "TargetKeyId": id}),
        T0,
    )
    .unwrap();
    let by_alias = json!({"KeyId": "alias/orders"});
    assert_eq!(
        code(kms.call("GetKeyLastUsage", "us-east-1", &by_alias, T0)),
        "NotFoundException",
        "the error for an alias is undocumented: NotFound is this simulator's choice"
    );
    let arn = kms.key_arn("us-east-1", &id);
    assert!(
        kms.call("GetKeyLastUsage", "us-east-1", &json!({"KeyId": arn}), T0)
            .is_ok()
    );
}

#[test]
fn re_encrypt_is_a_use_of_both_keys() {
    let mut kms = kms();
    let source = family(&mut kms, T0);
    let destination = family(&mut kms, T0);
    let blob = encrypt(&mut kms, "us-east-1", &source, T0);
    kms.call(
        "ReEncrypt",
        "us-east-1",
        &json!({
            "CiphertextBlob": blob,
            "SourceEncryptionContext": {"app": "orders"},
            "DestinationKeyId": destination,
        }),
        T0 + 5.0,
    )
    .unwrap();
    for id in [&source, &destination] {
        let usage = kms
            .call(
                "GetKeyLastUsage",
                "us-east-1",
                &json!({"KeyId": id}),
                T0 + 6.0,
            )
            .unwrap();
        assert_eq!(usage["KeyLastUsage"]["Operation"], "ReEncrypt");
    }
}

#[test]
fn a_replica_holding_other_material_refuses_its_familys_ciphertext_with_incorrect_key() {
    let mut kms = kms();
    let id = family(&mut kms, T0);
    kms.replace_material("eu-west-1", &id);
    let blob = encrypt(&mut kms, "us-east-1", &id, T0);
    let input = json!({"CiphertextBlob": blob, "EncryptionContext": {"app": "orders"}});
    assert_eq!(
        code(kms.call("Decrypt", "eu-west-1", &input, T0)),
        "IncorrectKeyException"
    );
    assert!(kms.call("Decrypt", "us-east-1", &input, T0).is_ok());
}

#[test]
fn the_new_key_specs_are_made_multi_region_with_their_own_usage_and_refused_with_another() {
    let mut kms = kms();
    for (spec, usage) in [
        ("ML_DSA_65", "SIGN_VERIFY"),
        ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY"),
        ("ML_KEM_768", "ENCAPSULATE_DECAPSULATE"),
        ("HMAC_256", "GENERATE_VERIFY_MAC"),
    ] {
        let input = json!({"MultiRegion": true, "KeySpec": spec, "KeyUsage": usage});
        let out = kms.call("CreateKey", "us-east-1", &input, T0).unwrap();
        assert_eq!(out["KeyMetadata"]["KeySpec"], spec);
        let id = out["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
        let replicate = json!({"KeyId": id, "ReplicaRegion": "eu-west-1"});
        let replica = kms
            .call("ReplicateKey", "us-east-1", &replicate, T0)
            .unwrap();
        assert_eq!(replica["ReplicaKeyMetadata"]["KeySpec"], spec);
        assert_eq!(replica["ReplicaKeyMetadata"]["KeyUsage"], usage);
    }
    let wrong =
        json!({"MultiRegion": true, "KeySpec": "ML_KEM_512", "KeyUsage": "ENCRYPT_DECRYPT"});
    assert_eq!(
        code(kms.call("CreateKey", "us-east-1", &wrong, T0)),
        "ValidationException"
    );
    let unnamed = json!({"KeySpec": "ML_DSA_44"});
    assert_eq!(
        code(kms.call("CreateKey", "us-east-1", &unnamed, T0)),
        "ValidationException",
        "a signing spec needs its usage named"
    );
}
