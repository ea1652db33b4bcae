//! GenerateMac/VerifyMac (HMAC keys) and Sign/Verify (signing keys), as the KMS service model
//! gives them (KMS_FACTS.md's M-KMS): a value only the family's material makes, checked by any
//! related key — a multi-Region HMAC or signing key shares its material with its replicas, so a
//! MAC or signature made in one Region verifies in every other. A wrong value is
//! KMSInvalidMacException / KMSInvalidSignatureException, never `false`. Not cryptography:
//! enough to tell materials apart.

use base64::Engine as _;
use serde_json::{Value, json};

use super::crypto::{Served, blob, fnv, keystream};
use super::{optional, required};
use crate::error::{Fault, OpResult};
use crate::model::Kms;

/// The MAC algorithm an HMAC key spec takes, and its length in bytes.
fn mac_algorithm(spec: &str) -> Option<(&'static str, usize)> {
    match spec {
        "HMAC_224" => Some(("HMAC_SHA_224", 28)),
        "HMAC_256" => Some(("HMAC_SHA_256", 32)),
        "HMAC_384" => Some(("HMAC_SHA_384", 48)),
        "HMAC_512" => Some(("HMAC_SHA_512", 64)),
        _ => None,
    }
}

/// Whether a signing key of `spec` takes `algorithm`.
fn signs_with(spec: &str, algorithm: &str) -> bool {
    match spec {
        s if s.starts_with("RSA_") => algorithm.starts_with("RSASSA_"),
        "ECC_NIST_P256" | "ECC_SECG_P256K1" => algorithm == "ECDSA_SHA_256",
        "ECC_NIST_P384" => algorithm == "ECDSA_SHA_384",
        "ECC_NIST_P521" => algorithm == "ECDSA_SHA_512",
        "ECC_NIST_EDWARDS25519" => matches!(algorithm, "ED25519_SHA_512" | "ED25519_PH_SHA_512"),
        s if s.starts_with("ML_DSA_") => algorithm == "ML_DSA_SHAKE_256",
        "SM2" => algorithm == "SM2DSA",
        _ => false,
    }
}

/// `len` bytes only `material` makes of `parts`.
fn tag(material: u64, parts: &[&[u8]], len: usize) -> Vec<u8> {
    keystream(material, fnv(parts), len)
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

impl Kms {
    pub(super) fn generate_mac(&mut self, region: &str, input: &Value, ctx: &Served) -> OpResult {
        let id = self.target(region, input)?;
        let message = blob(input, "Message", 1, 4096)?;
        let asked = required(input, "MacAlgorithm")?;
        let key = self.usable_as(region, &id, "GENERATE_VERIFY_MAC")?;
        let len = self.mac_length(&key.key_spec, &key.arn, asked)?;
        let arn = key.arn.clone();
        let mac = tag(
            self.material(region, &id),
            &[b"mac", asked.as_bytes(), &message],
            len,
        );
        self.record_use(region, &id, "GenerateMac", ctx);
        Ok(json!({ "KeyId": arn, "Mac": b64(&mac), "MacAlgorithm": asked }))
    }

    pub(super) fn verify_mac(&mut self, region: &str, input: &Value, ctx: &Served) -> OpResult {
        let id = self.target(region, input)?;
        let message = blob(input, "Message", 1, 4096)?;
        let mac = blob(input, "Mac", 1, 6144)?;
        let asked = required(input, "MacAlgorithm")?;
        let key = self.usable_as(region, &id, "GENERATE_VERIFY_MAC")?;
        let len = self.mac_length(&key.key_spec, &key.arn, asked)?;
        let arn = key.arn.clone();
        let expected = tag(
            self.material(region, &id),
            &[b"mac", asked.as_bytes(), &message],
            len,
        );
        if expected != mac {
            return Err(Fault::invalid_mac(
                "The MAC is not valid for this message, key and MAC algorithm.",
            ));
        }
        self.record_use(region, &id, "VerifyMac", ctx);
        Ok(json!({ "KeyId": arn, "MacValid": true, "MacAlgorithm": asked }))
    }

    /// The MAC's length, when `asked` is the algorithm of an HMAC key of `spec`.
    fn mac_length(&self, spec: &str, arn: &str, asked: &str) -> Result<usize, Fault> {
        match mac_algorithm(spec) {
            Some((algorithm, len)) if algorithm == asked => Ok(len),
            _ => Err(Fault::invalid_key_usage(format!(
                "{arn} ({spec}) does not support MAC algorithm {asked}."
            ))),
        }
    }

    pub(super) fn sign(&mut self, region: &str, input: &Value, ctx: &Served) -> OpResult {
        let (id, arn, signature) = self.signature_of(region, input)?;
        let algorithm = required(input, "SigningAlgorithm")?.to_string();
        self.record_use(region, &id, "Sign", ctx);
        Ok(json!({ "KeyId": arn, "Signature": b64(&signature), "SigningAlgorithm": algorithm }))
    }

    pub(super) fn verify(&mut self, region: &str, input: &Value, ctx: &Served) -> OpResult {
        let given = blob(input, "Signature", 1, 6144)?;
        let (id, arn, expected) = self.signature_of(region, input)?;
        if expected != given {
            return Err(Fault::invalid_signature(
                "The signature is not valid for this message, key and signing algorithm.",
            ));
        }
        let algorithm = required(input, "SigningAlgorithm")?.to_string();
        self.record_use(region, &id, "Verify", ctx);
        Ok(json!({ "KeyId": arn, "SignatureValid": true, "SigningAlgorithm": algorithm }))
    }

    /// The key ID, its ARN, and the signature its material makes of the request's message.
    fn signature_of(
        &self,
        region: &str,
        input: &Value,
    ) -> Result<(String, String, Vec<u8>), Fault> {
        let id = self.target(region, input)?;
        let message = blob(input, "Message", 1, 4096)?;
        let message_type = optional(input, "MessageType").unwrap_or("RAW");
        if !matches!(message_type, "RAW" | "DIGEST" | "EXTERNAL_MU") {
            return Err(Fault::validation(format!(
                "1 validation error detected: Value '{message_type}' at 'messageType' failed to satisfy constraint"
            )));
        }
        let algorithm = required(input, "SigningAlgorithm")?;
        let key = self.usable_as(region, &id, "SIGN_VERIFY")?;
        if !signs_with(&key.key_spec, algorithm) {
            return Err(Fault::invalid_key_usage(format!(
                "{} ({}) does not support signing algorithm {algorithm}.",
                key.arn, key.key_spec
            )));
        }
        let signature = tag(
            self.material(region, &id),
            &[
                b"signature",
                algorithm.as_bytes(),
                message_type.as_bytes(),
                &message,
            ],
            64,
        );
        Ok((id, key.arn.clone(), signature))
    }
}
