//! Encapsulate/Decapsulate for ML-KEM keys (KMS_FACTS.md §4): a 32-byte shared secret and a
//! ciphertext of the length the key spec sets (768, 1088, 1568 bytes). A ciphertext of another
//! length is InvalidCiphertextException; any other ciphertext decapsulates — with material that
//! is not the one it was made with, to pseudo-random bytes (implicit rejection), never an error.
//! Related keys share their material, so a secret encapsulated in one Region decapsulates in
//! every other. Not cryptography: enough to tell materials apart.

use base64::Engine as _;
use serde_json::{Value, json};

use super::crypto::{Served, blob, keystream};
use super::required;
use crate::error::{Fault, OpResult};
use crate::model::Kms;

const SECRET_BYTES: usize = 32;

/// The ciphertext length of an ML-KEM key spec.
fn ciphertext_length(spec: &str) -> Option<usize> {
    match spec {
        "ML_KEM_512" => Some(768),
        "ML_KEM_768" => Some(1088),
        "ML_KEM_1024" => Some(1568),
        _ => None,
    }
}

fn algorithm(input: &Value) -> Result<(), Fault> {
    match required(input, "EncapsulationAlgorithm")? {
        "ML_KEM" => Ok(()),
        other => Err(Fault::validation(format!(
            "1 validation error detected: Value '{other}' at 'encapsulationAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [ML_KEM]"
        ))),
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

impl Kms {
    pub(super) fn encapsulate(&mut self, region: &str, input: &Value, ctx: &Served) -> OpResult {
        let id = self.target(region, input)?;
        algorithm(input)?;
        let key = self.usable_as(region, &id, "ENCAPSULATE_DECAPSULATE")?;
        let len = ciphertext_length(&key.key_spec).ok_or_else(|| {
            Fault::invalid_key_usage(format!("{} is not an ML-KEM key.", key.arn))
        })?;
        let arn = key.arn.clone();
        let secret = keystream(ctx.nonce, 0x5ec7, SECRET_BYTES);
        // The nonce, then the secret under the material's keystream, then padding.
        let mut blob_out = ctx.nonce.to_be_bytes().to_vec();
        let stream = keystream(self.material(region, &id), ctx.nonce, SECRET_BYTES);
        blob_out.extend(secret.iter().zip(stream).map(|(s, k)| s ^ k));
        blob_out.resize(len, 0);
        self.record_use(region, &id, "Encapsulate", ctx);
        Ok(json!({
            "KeyId": arn,
            "SharedSecret": b64(&secret),
            "SharedSecretCiphertextBlob": b64(&blob_out),
            "EncapsulationAlgorithm": "ML_KEM",
        }))
    }

    pub(super) fn decapsulate(&mut self, region: &str, input: &Value, ctx: &Served) -> OpResult {
        let id = self.target(region, input)?;
        algorithm(input)?;
        let sealed = blob(input, "SharedSecretCiphertextBlob", 1, 6144)?;
        let key = self.usable_as(region, &id, "ENCAPSULATE_DECAPSULATE")?;
        if ciphertext_length(&key.key_spec) != Some(sealed.len()) {
            return Err(Fault::invalid_ciphertext(format!(
                "The ciphertext is not {} bytes long, as an {} ciphertext is.",
                ciphertext_length(&key.key_spec).unwrap_or_default(),
                key.key_spec
            )));
        }
        let arn = key.arn.clone();
        let (nonce, body) = sealed.split_at(8);
        let nonce = u64::from_be_bytes(nonce.try_into().unwrap_or_default());
        let stream = keystream(self.material(region, &id), nonce, SECRET_BYTES);
        let secret: Vec<u8> = body[..SECRET_BYTES]
            .iter()
            .zip(stream)
            .map(|(c, k)| c ^ k)
            .collect();
        self.record_use(region, &id, "Decapsulate", ctx);
        Ok(json!({
            "KeyId": arn,
            "SharedSecret": b64(&secret),
            "EncapsulationAlgorithm": "ML_KEM",
        }))
    }
}
