//! GetParametersForImport, ImportKeyMaterial and DeleteImportedKeyMaterial (KMS_FACTS.md §3):
//! real wrapping keys, material recognised by the ID derived from it, several materials per
//! key, and the multi-Region flow (NEW into the primary, the same material as EXISTING into each
//! replica; deleting a primary's pending material deletes the replicas' copies too).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::{invalid_state, optional, required};
use crate::error::{Fault, OpResult};
use crate::materials::{ImportParams, Material, MaterialState};
use crate::model::{DAY, Key, Kms, State};
use crate::wrapping::{Algorithm, WrappingKey, key_size, material_id};

/// Import tokens kept per key; older ones stop working, as expired ones do in KMS.
const TOKENS_KEPT: usize = 4;
/// Symmetric key material is 256 bits.
const SYMMETRIC_MATERIAL_BYTES: usize = 32;
/// ValidTo may be at most 365 days ahead.
const MAX_VALIDITY: f64 = 365.0 * DAY;

fn random_blob(len: usize) -> String {
    let bytes: Vec<u8> = (0..len).map(|_| fastrand::u8(..)).collect();
    STANDARD.encode(bytes)
}

/// What an ImportKeyMaterial request asks, checked before any key is looked at.
struct ImportRequest {
    wrapped: Vec<u8>,
    expiration_model: String,
    valid_to: Option<f64>,
    import_type: Option<String>,
    material_id: Option<String>,
    description: Option<String>,
}

impl Kms {
    pub(super) fn get_parameters_for_import(
        &mut self,
        region: &str,
        input: &Value,
        now: f64,
    ) -> OpResult {
        let id = self.target(region, input)?;
        let algorithm_name = required(input, "WrappingAlgorithm")?;
        let spec = required(input, "WrappingKeySpec")?;
        let algorithm = Algorithm::parse(algorithm_name).ok_or_else(|| {
            Fault::validation(format!(
                "1 validation error detected: Value '{algorithm_name}' at 'wrappingAlgorithm' failed to satisfy constraint (this simulator models the RSA algorithms, not SM2PKE)"
            ))
        })?;
        let size = key_size(spec).ok_or_else(|| {
            Fault::validation(format!(
                "1 validation error detected: Value '{spec}' at 'wrappingKeySpec' failed to satisfy constraint (this simulator models RSA_2048, RSA_3072 and RSA_4096)"
            ))
        })?;
        let key = self.get(region, &id)?;
        check_external(key)?;
        if matches!(
            key.state,
            State::PendingDeletion | State::PendingReplicaDeletion | State::Creating
        ) {
            return Err(invalid_state(key));
        }
        let wrapping = WrappingKey::generate(size, algorithm)?;
        let public = STANDARD.encode(wrapping.public_der()?);
        let token = random_blob(48);
        let key = self.get_mut(region, &id)?;
        key.imports.push(ImportParams {
            token: token.clone(),
            wrapping,
            valid_until: now + DAY,
        });
        if key.imports.len() > TOKENS_KEPT {
            key.imports.remove(0);
        }
        Ok(json!({
            "KeyId": key.arn,
            "ImportToken": token,
            "PublicKey": public,
            "ParametersValidTo": now + DAY,
        }))
    }

    pub(super) fn import_key_material(
        &mut self,
        region: &str,
        input: &Value,
        now: f64,
    ) -> OpResult {
        let id = self.target(region, input)?;
        let request = import_request(input, now)?;
        let token = required(input, "ImportToken")?;
        let key = self.get(region, &id)?;
        check_external(key)?;
        if !matches!(
            key.state,
            State::PendingImport | State::Enabled | State::Disabled
        ) {
            return Err(invalid_state(key));
        }
        let params = key
            .imports
            .iter()
            .find(|p| p.token == token)
            .ok_or_else(|| {
                Fault::invalid_import_token("The import token is not valid for this key.")
            })?;
        if params.valid_until <= now {
            return Err(Fault::expired_import_token(
                "The import token has expired: call GetParametersForImport again.",
            ));
        }
        let material = params.wrapping.unwrap(&request.wrapped)?;
        if key.key_spec == "SYMMETRIC_DEFAULT" && material.len() != SYMMETRIC_MATERIAL_BYTES {
            return Err(Fault::incorrect_key_material(format!(
                "Symmetric key material must be {SYMMETRIC_MATERIAL_BYTES} bytes (256 bits), not {}.",
                material.len()
            )));
        }
        let new = self.is_new_import(region, &id, &request)?;
        let derived = material_id(&id, &material);
        if let Some(asked) = &request.material_id
            && *asked != derived
        {
            return Err(Fault::incorrect_key_material(format!(
                "The key material does not match KeyMaterialId {asked}."
            )));
        }
        let entry = Material {
            id: derived.clone(),
            secret: Some(material),
            state: MaterialState::Current,
            expiration_model: request.expiration_model.clone(),
            valid_to: request.valid_to,
            description: request.description.clone(),
            rotated: None,
        };
        match new {
            true => self.import_new(region, &id, entry)?,
            false => self.import_existing(region, &id, entry)?,
        }
        if let Some(at) = request.valid_to {
            self.watch_key(region, &id, at);
        }
        self.refresh_pending(&id);
        let key = self.get_mut(region, &id)?;
        if key.state == State::PendingImport && key.all_associated_imported() {
            key.state = State::Enabled;
        }
        Ok(json!({ "KeyId": key.arn, "KeyMaterialId": derived }))
    }

    /// Whether the request imports NEW material (as asked, or by default: NEW when the key
    /// never held any). Decision (undocumented): a replica's default is EXISTING, since it can
    /// never take NEW material; NEW into a replica is UnsupportedOperationException and a
    /// KeyMaterialId with NEW is a ValidationException.
    fn is_new_import(
        &self,
        region: &str,
        id: &str,
        request: &ImportRequest,
    ) -> Result<bool, Fault> {
        let key = self.get(region, id)?;
        let replica = self
            .families
            .get(id)
            .filter(|f| key.multi_region && f.primary_region != region);
        let new = match request.import_type.as_deref() {
            Some("NEW_KEY_MATERIAL") => true,
            Some(_) => false,
            None => replica.is_none() && key.materials.is_empty(),
        };
        if new && request.material_id.is_some() {
            return Err(Fault::validation(
                "KeyMaterialId is not allowed with ImportType NEW_KEY_MATERIAL: KMS derives the ID of new material.",
            ));
        }
        if new && let Some(family) = replica {
            return Err(Fault::unsupported(format!(
                "{} is a multi-Region replica key: import new key material into its primary, in {}, then the same material into each replica with ImportType EXISTING_KEY_MATERIAL.",
                key.arn, family.primary_region
            )));
        }
        Ok(new)
    }

    /// NEW material: the key's first (current at once), or the next one, pending a rotation
    /// (and, on a primary with replicas, their import of it first). It replaces a pending one.
    fn import_new(&mut self, region: &str, id: &str, mut entry: Material) -> Result<(), Fault> {
        let key = self.get(region, id)?;
        if key.material_by_id(&entry.id).is_some() {
            return Err(Fault::incorrect_key_material(
                "This key material is already associated with the key: import it with ImportType EXISTING_KEY_MATERIAL.",
            ));
        }
        if !key.materials.is_empty() && key.key_spec != "SYMMETRIC_DEFAULT" {
            return Err(Fault::unsupported(format!(
                "{} holds key material already: only symmetric encryption keys take new material.",
                key.arn
            )));
        }
        if !key.materials.is_empty() {
            entry.state = MaterialState::PendingMultiRegion;
            if let Some(old) = key.pending_material().map(|m| m.id.clone()) {
                self.delete_pending_everywhere(id, &old);
            }
        }
        self.get_mut(region, id)?.materials.push(entry);
        Ok(())
    }

    /// EXISTING material: again into a key that held it, or a primary's material into a replica,
    /// in the state it has on the primary (a primary's pending material is PENDING_ROTATION on
    /// the replica).
    fn import_existing(
        &mut self,
        region: &str,
        id: &str,
        mut entry: Material,
    ) -> Result<(), Fault> {
        let primary_state = self
            .families
            .get(id)
            .filter(|f| f.primary_region != region)
            .and_then(|f| self.key(&f.primary_region, id))
            .and_then(|p| p.material_by_id(&entry.id))
            .map(|m| (m.state, m.rotated));
        let key = self.get_mut(region, id)?;
        if let Some(held) = key.materials.iter_mut().find(|m| m.id == entry.id) {
            held.secret = entry.secret;
            held.expiration_model = entry.expiration_model;
            held.valid_to = entry.valid_to;
            if entry.description.is_some() {
                held.description = entry.description;
            }
            return Ok(());
        }
        let Some((state, rotated)) = primary_state else {
            return Err(Fault::incorrect_key_material(format!(
                "This key material is not associated with {}: import new material with ImportType NEW_KEY_MATERIAL (into the primary of a multi-Region key).",
                key.arn
            )));
        };
        entry.state = match state {
            MaterialState::PendingMultiRegion => MaterialState::PendingRotation,
            other => other,
        };
        entry.rotated = rotated;
        key.materials.push(entry);
        Ok(())
    }

    /// Removes pending material `material_id` from every key of family (or the single key) `id`.
    fn delete_pending_everywhere(&mut self, id: &str, material_id: &str) {
        for key in self.keys.values_mut().filter(|k| k.id == id) {
            key.materials
                .retain(|m| !(m.id == material_id && m.state.pending()));
        }
    }

    pub(super) fn delete_imported_key_material(&mut self, region: &str, input: &Value) -> OpResult {
        let id = self.target(region, input)?;
        let key = self.get(region, &id)?;
        check_external(key)?;
        if matches!(key.state, State::Creating | State::Updating) {
            return Err(invalid_state(key));
        }
        let chosen = match optional(input, "KeyMaterialId") {
            Some(asked) => key.material_by_id(asked),
            None => key.current_material(),
        }
        .map(|m| (m.id.clone(), m.state))
        .ok_or_else(|| {
            Fault::not_found(format!(
                "{} holds no key material {}.",
                key.arn,
                optional(input, "KeyMaterialId").unwrap_or("(current)")
            ))
        })?;
        let primary = self
            .families
            .get(&id)
            .is_none_or(|f| !key.multi_region || f.primary_region == region);
        let (material, state) = chosen;
        if state.pending() && primary {
            self.delete_pending_everywhere(&id, &material);
        } else if state.pending() {
            let key = self.get_mut(region, &id)?;
            key.materials.retain(|m| m.id != material);
        } else {
            let key = self.get_mut(region, &id)?;
            for m in key.materials.iter_mut().filter(|m| m.id == material) {
                m.secret = None;
                m.valid_to = None;
            }
            if !matches!(
                key.state,
                State::PendingDeletion | State::PendingReplicaDeletion
            ) {
                key.state = State::PendingImport;
            }
        }
        self.refresh_pending(&id);
        let arn = self.get(region, &id)?.arn.clone();
        Ok(json!({ "KeyId": arn, "KeyMaterialId": material }))
    }
}

fn check_external(key: &Key) -> Result<(), Fault> {
    if key.origin != "EXTERNAL" {
        return Err(Fault::unsupported(format!(
            "{} origin is {}, not EXTERNAL.",
            key.arn, key.origin
        )));
    }
    Ok(())
}

/// The request's fields, checked as KMS's validation does before it looks at the key.
fn import_request(input: &Value, now: f64) -> Result<ImportRequest, Fault> {
    let wrapped = STANDARD
        .decode(required(input, "EncryptedKeyMaterial")?)
        .map_err(|_| Fault::serialization("'EncryptedKeyMaterial' is not valid base64."))?;
    let model = optional(input, "ExpirationModel").unwrap_or("KEY_MATERIAL_EXPIRES");
    let valid_to = input.get("ValidTo").and_then(Value::as_f64);
    match (model, valid_to) {
        ("KEY_MATERIAL_EXPIRES", None) => {
            return Err(Fault::validation(
                "ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES.",
            ));
        }
        ("KEY_MATERIAL_EXPIRES", Some(t)) if t > now + MAX_VALIDITY => {
            return Err(Fault::validation(
                "ValidTo must be at most 365 days from now.",
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
    let import_type = optional(input, "ImportType").map(str::to_string);
    if let Some(t) = &import_type
        && !matches!(t.as_str(), "NEW_KEY_MATERIAL" | "EXISTING_KEY_MATERIAL")
    {
        return Err(Fault::validation(format!(
            "1 validation error detected: Value '{t}' at 'importType' failed to satisfy constraint: Member must satisfy enum value set: [NEW_KEY_MATERIAL, EXISTING_KEY_MATERIAL]"
        )));
    }
    let material_id = optional(input, "KeyMaterialId").map(str::to_string);
    if let Some(m) = &material_id
        && !(m.len() == 64
            && m.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    {
        return Err(Fault::validation(format!(
            "1 validation error detected: Value '{m}' at 'keyMaterialId' failed to satisfy constraint: Member must be 64 lowercase hexadecimal digits"
        )));
    }
    let description = optional(input, "KeyMaterialDescription").map(str::to_string);
    if let Some(d) = &description
        && (d.len() > 256
            || !d
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c.is_whitespace() || ":/_.-".contains(c)))
    {
        return Err(Fault::validation(
            "1 validation error detected: Value at 'keyMaterialDescription' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_\\s.-]+$ and have length at most 256",
        ));
    }
    Ok(ImportRequest {
        wrapped,
        expiration_model: model.to_string(),
        valid_to,
        import_type,
        material_id,
        description,
    })
}
