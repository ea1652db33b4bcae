//! GetParametersForImport and ImportKeyMaterial. The material itself is opaque; what matters is
//! the state machine: `PendingImport` until material arrives, back to it when material expires.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::{invalid_state, optional, required};
use crate::error::{Fault, OpResult};
use crate::model::{DAY, Kms, State};

/// Import tokens kept per key; older ones stop working, as expired ones do in KMS.
const TOKENS_KEPT: usize = 4;

fn random_blob(len: usize) -> String {
    let bytes: Vec<u8> = (0..len).map(|_| fastrand::u8(..)).collect();
    STANDARD.encode(bytes)
}

impl Kms {
    pub(super) fn get_parameters_for_import(
        &mut self,
        region: &str,
        input: &Value,
        now: f64,
    ) -> OpResult {
        let id = self.target(region, input)?;
        let key = self.get_mut(region, &id)?;
        if key.origin != "EXTERNAL" {
            return Err(Fault::unsupported(format!(
                "{} origin is {}, not EXTERNAL.",
                key.arn, key.origin
            )));
        }
        if matches!(
            key.state,
            State::PendingDeletion | State::PendingReplicaDeletion | State::Creating
        ) {
            return Err(invalid_state(key));
        }
        let token = random_blob(48);
        key.import_tokens.push(token.clone());
        if key.import_tokens.len() > TOKENS_KEPT {
            key.import_tokens.remove(0);
        }
        Ok(json!({
            "KeyId": key.arn,
            "ImportToken": token,
            "PublicKey": random_blob(64),
            "ParametersValidTo": now + DAY,
        }))
    }

    pub(super) fn import_key_material(
        &mut self,
        region: &str,
        input: &Value,
        _now: f64,
    ) -> OpResult {
        let id = self.target(region, input)?;
        let token = required(input, "ImportToken")?;
        required(input, "EncryptedKeyMaterial")?;
        let model = optional(input, "ExpirationModel").unwrap_or("KEY_MATERIAL_EXPIRES");
        let valid_to = input.get("ValidTo").and_then(Value::as_f64);
        match (model, valid_to) {
            ("KEY_MATERIAL_EXPIRES", None) => {
                return Err(Fault::validation(
                    "ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES.",
                ));
            }
            ("KEY_MATERIAL_DOES_NOT_EXPIRE", Some(_)) => {
                return Err(Fault::validation(
                    "ValidTo must be omitted when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.",
                ));
            }
            ("KEY_MATERIAL_EXPIRES" | "KEY_MATERIAL_DOES_NOT_EXPIRE", _) => {}
            (other, _) => {
                return Err(Fault::validation(format!(
                    "1 validation error detected: Value '{other}' at 'expirationModel' failed to satisfy constraint"
                )));
            }
        }
        let key = self.get_mut(region, &id)?;
        if key.origin != "EXTERNAL" {
            return Err(Fault::unsupported(format!(
                "{} origin is {}, not EXTERNAL.",
                key.arn, key.origin
            )));
        }
        if !key.import_tokens.iter().any(|t| t == token) {
            return Err(Fault::invalid_import_token(
                "The import token is not valid for this key.",
            ));
        }
        match key.state {
            State::PendingImport => key.state = State::Enabled,
            State::Enabled | State::Disabled => {}
            _ => return Err(invalid_state(key)),
        }
        key.expiration_model = Some(model.to_string());
        key.valid_to = valid_to;
        if let Some(at) = valid_to {
            self.watch_key(region, &id, at);
        }
        Ok(json!({}))
    }
}
