//! The demo's parity set-up: what KMS does not copy to replicas (grants, rotation, imported
//! material), left as people leave it, and imported material brought in as a KMS user does.

use base64::Engine as _;
use serde_json::json;

use super::model::{DAY, Kms};
use super::seed::call;

/// What KMS does not copy to replicas, set up as people leave it: most families rotate and carry
/// their application's grant in every Region; some do not (rotation off, a grant missing in one
/// replica, a vendor's grant only in a replica); the imported key's replica in eu-west-1 got
/// material that expires before the primary's.
pub(crate) fn parity(
    kms: &mut Kms,
    i: usize,
    name: &str,
    id: &str,
    primary_region: &str,
    targets: &[&str],
    at: f64,
) {
    if name == "byok-hsm" {
        import_material(kms, "eu-west-1", id, at + 9.0 * DAY, at);
        return;
    }
    if i % 5 != 2 {
        call(
            kms,
            "EnableKeyRotation",
            primary_region,
            json!({ "KeyId": id, "RotationPeriodInDays": 365 }),
            at,
        );
    }
    let app_grant = json!({
        "KeyId": id,
        "GranteePrincipal": format!("arn:aws:iam::{}:role/{name}-app", kms.account),
        "Operations": ["Decrypt", "GenerateDataKey"],
        "Constraints": { "EncryptionContextSubset": { "app": name } },
        "Name": format!("{name}-app"),
    });
    call(kms, "CreateGrant", primary_region, app_grant.clone(), at);
    for (j, target) in targets.iter().enumerate() {
        // The first replica of every seventh family never got the grant.
        if !(j == 0 && i % 7 == 1) {
            call(kms, "CreateGrant", target, app_grant.clone(), at);
        }
    }
    if name == "payments"
        && let Some(target) = targets.first()
    {
        call(
            kms,
            "CreateGrant",
            target,
            json!({
                "KeyId": id,
                "GranteePrincipal": "arn:aws:iam::444455556666:role/vendor-support",
                "Operations": ["Decrypt"],
                "Name": "vendor-debugging",
            }),
            at,
        );
    }
}

/// Imports the family's material into the key in `region` as a KMS user does: wrapped under
/// the public key GetParametersForImport hands out (the same material in every Region, so a
/// replica takes it as EXISTING).
pub(crate) fn import_material(kms: &mut Kms, region: &str, id: &str, valid_to: f64, at: f64) {
    let params = call(
        kms,
        "GetParametersForImport",
        region,
        json!({ "KeyId": id, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048" }),
        at,
    );
    let public = params["PublicKey"]
        .as_str()
        .and_then(|p| base64::engine::general_purpose::STANDARD.decode(p).ok());
    let mut rng = fastrand::Rng::with_seed(
        id.bytes()
            .fold(7u64, |h, b| h.wrapping_mul(31) ^ u64::from(b)),
    );
    let material: Vec<u8> = (0..32).map(|_| rng.u8(..)).collect();
    let wrapped = public.and_then(|p| crate::wrapping::wrap_oaep_sha256(&p, &material));
    if let (Some(token), Some(wrapped)) = (params["ImportToken"].as_str(), wrapped) {
        call(
            kms,
            "ImportKeyMaterial",
            region,
            json!({
                "KeyId": id,
                "ImportToken": token,
                "EncryptedKeyMaterial": base64::engine::general_purpose::STANDARD.encode(wrapped),
                "ExpirationModel": "KEY_MATERIAL_EXPIRES",
                "ValidTo": valid_to,
            }),
            at,
        );
    }
}
