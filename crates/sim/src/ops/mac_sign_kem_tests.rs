//! GenerateMac/VerifyMac, Sign/Verify and Encapsulate/Decapsulate across a multi-Region family:
//! made in one Region, checked in another; other material or a disabled key refused as KMS
//! refuses; a wrong MAC or signature an exception, never `false`.

use base64::Engine as _;
use serde_json::json;

use crate::model::Kms;
use crate::test_kms::{b64, code};

fn kms() -> Kms {
    crate::test_kms::kms(13)
}

fn family(kms: &mut Kms, spec: &str, usage: &str) -> String {
    crate::test_kms::family_of(kms, json!({"KeySpec": spec, "KeyUsage": usage}), T0)
}

const T0: f64 = 1_800_000_000.0;

#[test]
fn a_mac_made_by_the_primary_verifies_in_its_replica_and_a_wrong_one_is_an_exception() {
    let mut kms = kms();
    let id = family(&mut kms, "HMAC_256", "GENERATE_VERIFY_MAC");
    let ask = json!({"KeyId": id, "Message": b64(b"m"), "MacAlgorithm": "HMAC_SHA_256"});
    let mac = kms.call("GenerateMac", "us-east-1", &ask, T0).unwrap()["Mac"].clone();
    let mut check = ask.clone();
    check["Mac"] = mac;
    let out = kms.call("VerifyMac", "eu-west-1", &check, T0).unwrap();
    assert_eq!(out["MacValid"], json!(true));
    check["Message"] = json!(b64(b"other"));
    assert_eq!(
        code(kms.call("VerifyMac", "eu-west-1", &check, T0)),
        "KMSInvalidMacException"
    );
    let mut wrong = ask;
    wrong["MacAlgorithm"] = json!("HMAC_SHA_512");
    assert_eq!(
        code(kms.call("GenerateMac", "us-east-1", &wrong, T0)),
        "InvalidKeyUsageException"
    );
}

#[test]
fn a_signature_of_the_primary_verifies_in_its_replica_unless_the_replica_holds_other_material() {
    let mut kms = kms();
    let id = family(&mut kms, "ECC_NIST_EDWARDS25519", "SIGN_VERIFY");
    let ask = json!({"KeyId": id, "Message": b64(b"m"), "SigningAlgorithm": "ED25519_SHA_512"});
    let signature = kms.call("Sign", "us-east-1", &ask, T0).unwrap()["Signature"].clone();
    let mut check = ask.clone();
    check["Signature"] = signature;
    let out = kms.call("Verify", "eu-west-1", &check, T0).unwrap();
    assert_eq!(out["SignatureValid"], json!(true));
    kms.replace_material("eu-west-1", &id);
    assert_eq!(
        code(kms.call("Verify", "eu-west-1", &check, T0)),
        "KMSInvalidSignatureException"
    );
    let mut wrong = ask;
    wrong["SigningAlgorithm"] = json!("ECDSA_SHA_256");
    assert_eq!(
        code(kms.call("Sign", "us-east-1", &wrong, T0)),
        "InvalidKeyUsageException"
    );
}

#[test]
fn a_secret_encapsulated_by_the_primary_decapsulates_in_its_replica() {
    let mut kms = kms();
    let id = family(&mut kms, "ML_KEM_768", "ENCAPSULATE_DECAPSULATE");
    let out = kms
        .call(
            "Encapsulate",
            "us-east-1",
            &json!({"KeyId": id, "EncapsulationAlgorithm": "ML_KEM"}),
            T0,
        )
        .unwrap();
    let blob = out["SharedSecretCiphertextBlob"].clone();
    let length = base64::engine::general_purpose::STANDARD
        .decode(blob.as_str().unwrap())
        .unwrap()
        .len();
    assert_eq!(length, 1088);
    let ask = json!({"KeyId": id, "EncapsulationAlgorithm": "ML_KEM", "SharedSecretCiphertextBlob": blob});
    let opened = kms.call("Decapsulate", "eu-west-1", &ask, T0).unwrap();
    assert_eq!(opened["SharedSecret"], out["SharedSecret"]);
    // Other material: implicit rejection, pseudo-random bytes and no error.
    kms.replace_material("eu-west-1", &id);
    let rejected = kms.call("Decapsulate", "eu-west-1", &ask, T0).unwrap();
    assert_ne!(rejected["SharedSecret"], out["SharedSecret"]);
    let short = json!({"KeyId": id, "EncapsulationAlgorithm": "ML_KEM", "SharedSecretCiphertextBlob": b64(&[1; 768])});
    assert_eq!(
        code(kms.call("Decapsulate", "eu-west-1", &short, T0)),
        "InvalidCiphertextException"
    );
}

#[test]
fn a_disabled_replica_refuses_to_verify() {
    let mut kms = kms();
    let id = family(&mut kms, "HMAC_384", "GENERATE_VERIFY_MAC");
    kms.call("DisableKey", "eu-west-1", &json!({"KeyId": id}), T0)
        .unwrap();
    let ask = json!({"KeyId": id, "Message": b64(b"m"), "MacAlgorithm": "HMAC_SHA_384"});
    assert_eq!(
        code(kms.call("GenerateMac", "eu-west-1", &ask, T0)),
        "DisabledException"
    );
    let symmetric = family(&mut kms, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    let ask = json!({"KeyId": symmetric, "Message": b64(b"m"), "MacAlgorithm": "HMAC_SHA_256"});
    assert_eq!(
        code(kms.call("GenerateMac", "us-east-1", &ask, T0)),
        "InvalidKeyUsageException"
    );
}
