//! Encrypt, Decrypt, GenerateDataKey and ReEncrypt, as KMS_FACTS.md §5 describes them for
//! multi-Region keys: related keys share their key ID and their material, so a ciphertext made
//! by any key of a family decrypts with any related key in any Region, without a cross-Region
//! call; each key's state is its own and refuses as KMS does; each success is a use of the key
//! (`usage`). Not cryptography: a keystream from the key ID, enough to tell keys apart.

use base64::Engine as _;
use serde_json::{Value, json};

use super::{invalid_state, optional, required};
use crate::error::{Fault, OpResult};
use crate::model::{Key, Kms, State};

/// Marks a blob this simulator made.
const MAGIC: &[u8; 4] = b"KSM1";

impl Kms {
    pub(super) fn encrypt(&mut self, region: &str, input: &Value, ctx: &Served) -> OpResult {
        let id = self.target(region, input)?;
        let plaintext = blob(input, "Plaintext", 1, 4096)?;
        let context = encryption_context(input.get("EncryptionContext"))?;
        let key = self.usable(region, &id)?;
        let out = json!({
            "KeyId": key.arn,
            "CiphertextBlob": seal(&id, self.material(region, &id), &context, &plaintext, ctx.nonce),
            "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        });
        self.record_use(region, &id, "Encrypt", ctx);
        Ok(out)
    }

    pub(super) fn decrypt(&mut self, region: &str, input: &Value, ctx: &Served) -> OpResult {
        let sealed = blob(input, "CiphertextBlob", 1, 6144)?;
        let context = encryption_context(input.get("EncryptionContext"))?;
        let (id, plaintext) = self.open(region, input.get("KeyId"), &sealed, &context)?;
        let arn = self.usable(region, &id)?.arn.clone();
        self.record_use(region, &id, "Decrypt", ctx);
        Ok(json!({
            "KeyId": arn,
            "Plaintext": base64::engine::general_purpose::STANDARD.encode(plaintext),
            "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        }))
    }

    pub(super) fn generate_data_key(
        &mut self,
        region: &str,
        input: &Value,
        ctx: &Served,
    ) -> OpResult {
        let id = self.target(region, input)?;
        let bytes = data_key_length(input)?;
        let context = encryption_context(input.get("EncryptionContext"))?;
        let key = self.usable(region, &id)?;
        let mut rng = fastrand::Rng::with_seed(ctx.nonce ^ 0x9e37_79b9_7f4a_7c15);
        let plaintext: Vec<u8> = (0..bytes).map(|_| rng.u8(..)).collect();
        let out = json!({
            "KeyId": key.arn,
            "Plaintext": base64::engine::general_purpose::STANDARD.encode(&plaintext),
            "CiphertextBlob": seal(&id, self.material(region, &id), &context, &plaintext, ctx.nonce),
        });
        self.record_use(region, &id, "GenerateDataKey", ctx);
        Ok(out)
    }

    /// Decrypts with the source key and encrypts with the destination: a use of each.
    pub(super) fn re_encrypt(&mut self, region: &str, input: &Value, ctx: &Served) -> OpResult {
        let sealed = blob(input, "CiphertextBlob", 1, 6144)?;
        let source_context = encryption_context(input.get("SourceEncryptionContext"))?;
        let destination_context = encryption_context(input.get("DestinationEncryptionContext"))?;
        let destination = self.resolve(region, required(input, "DestinationKeyId")?)?;
        let (source, plaintext) =
            self.open(region, input.get("SourceKeyId"), &sealed, &source_context)?;
        let source_arn = self.usable(region, &source)?.arn.clone();
        let destination_arn = self.usable(region, &destination)?.arn.clone();
        self.record_use(region, &source, "ReEncrypt", ctx);
        self.record_use(region, &destination, "ReEncrypt", ctx);
        Ok(json!({
            "SourceKeyId": source_arn,
            "KeyId": destination_arn,
            "CiphertextBlob": seal(
                &destination,
                self.material(region, &destination),
                &destination_context,
                &plaintext,
                ctx.nonce
            ),
            "SourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
            "DestinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        }))
    }

    /// The key ID a blob was sealed under, and its plaintext: refused when the blob is not one
    /// of ours or its context differs (InvalidCiphertext), when `asked` names another key or the
    /// key here holds other material (IncorrectKey), or when no key of that ID is in `region`
    /// (NotFound: the ciphertext of a key with no relative here cannot be decrypted here).
    fn open(
        &self,
        region: &str,
        asked: Option<&Value>,
        sealed: &[u8],
        context: &str,
    ) -> Result<(String, Vec<u8>), Fault> {
        let sealed = unseal(sealed, context).ok_or_else(invalid_ciphertext)?;
        let id = sealed.id.clone();
        if let Some(asked) = asked.and_then(Value::as_str) {
            let named = self.resolve(region, asked)?;
            if named != id {
                return Err(Fault::incorrect_key(
                    "The key ID in the request does not identify a KMS key that can perform this operation.",
                ));
            }
        }
        self.existing_key(region, &id)?;
        let plaintext = self
            .decrypting_materials(region, &id)
            .into_iter()
            .find_map(|material| sealed.open(material))
            .ok_or_else(|| {
            Fault::incorrect_key(
                "The key material in this Region is not the material the ciphertext was made with.",
            )
        })?;
        Ok((id, plaintext))
    }

    /// The material the key `id` in `region` encrypts with: its current imported material,
    /// or the family's (KMS-made material is the same in every related key).
    pub(super) fn material(&self, region: &str, id: &str) -> u64 {
        if let Some(replaced) = self.materials.get(&(region.to_string(), id.to_string())) {
            return *replaced;
        }
        match self.key(region, id).and_then(|k| k.current_material()) {
            Some(current) => imported_material(current),
            None => family_material(id),
        }
    }

    /// Every material the key decrypts with: for imported material, each permanently
    /// associated one still imported (current and non-current).
    fn decrypting_materials(&self, region: &str, id: &str) -> Vec<u64> {
        let imported: Vec<u64> = self
            .key(region, id)
            .filter(|k| k.origin == "EXTERNAL")
            .map(|k| {
                k.materials
                    .iter()
                    .filter(|m| m.state.associated() && m.secret.is_some())
                    .map(imported_material)
                    .collect()
            })
            .unwrap_or_default();
        match imported.is_empty()
            || self
                .materials
                .contains_key(&(region.to_string(), id.to_string()))
        {
            true => vec![self.material(region, id)],
            false => imported,
        }
    }

    /// Gives the key `id` in `region` material of its own (a replica that is not what its
    /// family promises: what `verify` must find).
    pub fn replace_material(&mut self, region: &str, id: &str) {
        let other = fnv(&[id.as_bytes(), region.as_bytes(), b"other material"]);
        self.materials
            .insert((region.to_string(), id.to_string()), other);
    }

    fn existing_key(&self, region: &str, id: &str) -> Result<&Key, Fault> {
        self.key(region, id).ok_or_else(|| {
            Fault::not_found(format!("Key '{}' does not exist", self.key_arn(region, id)))
        })
    }

    /// The key, when its state and kind allow a cryptographic operation (KMS_FACTS.md §5):
    /// Disabled is a DisabledException; Creating, PendingImport and the pending deletions are
    /// KMSInvalidStateException; Updating still works.
    fn usable(&self, region: &str, id: &str) -> Result<&Key, Fault> {
        let key = self.usable_in_state(region, id)?;
        if key.key_spec != "SYMMETRIC_DEFAULT" || key.key_usage != "ENCRYPT_DECRYPT" {
            return Err(Fault::invalid_key_usage(format!(
                "{} key usage is {} and key spec is {}: it cannot perform this operation.",
                key.arn, key.key_usage, key.key_spec
            )));
        }
        Ok(key)
    }

    /// The key, when its state allows a cryptographic operation (the same for every kind).
    fn usable_in_state(&self, region: &str, id: &str) -> Result<&Key, Fault> {
        let key = self.existing_key(region, id)?;
        match key.state {
            State::Enabled | State::Updating => Ok(key),
            State::Disabled => Err(Fault::disabled(format!("{} is disabled.", key.arn))),
            _ => Err(invalid_state(key)),
        }
    }

    /// The key, when its state allows an operation and its usage is `usage`.
    pub(super) fn usable_as(&self, region: &str, id: &str, usage: &str) -> Result<&Key, Fault> {
        let key = self.usable_in_state(region, id)?;
        if key.key_usage != usage {
            return Err(Fault::invalid_key_usage(format!(
                "{} key usage is {}, not {usage}: it cannot perform this operation.",
                key.arn, key.key_usage
            )));
        }
        Ok(key)
    }
}

/// The key ID a blob of this simulator was sealed under (for the trail of a failed Decrypt).
pub fn key_of_blob(text: &str) -> Option<String> {
    let sealed = base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()?;
    let rest = sealed.strip_prefix(MAGIC)?;
    let (&len, rest) = rest.split_first()?;
    let id = rest.get(..usize::from(len))?;
    std::str::from_utf8(id).ok().map(str::to_string)
}

/// What the server tells an operation about the request it serves.
#[derive(Debug, Clone)]
pub struct Served {
    /// The `x-amzn-requestid` of the answer.
    pub request_id: String,
    /// The CloudTrail event ID the call is recorded under.
    pub event_id: String,
    pub now: f64,
    /// Randomness for this request (ciphertext nonces, data keys).
    pub nonce: u64,
    /// Who made the call; `None` for the simulator's own setup.
    pub caller: Option<crate::trail::Caller>,
}

impl Served {
    /// A request served at `now` with fresh identifiers.
    pub fn at(now: f64) -> Served {
        let mut rng = fastrand::Rng::new();
        Served {
            request_id: uuid_like(&mut rng),
            event_id: uuid_like(&mut rng),
            now,
            nonce: rng.u64(..),
            caller: None,
        }
    }
}

/// `8-4-4-4-12` lowercase hex, the shape of KMS request IDs and CloudTrail event IDs (and of
/// a single-Region key ID).
pub fn uuid_like(rng: &mut fastrand::Rng) -> String {
    crate::model::new_key_id(rng, false)
}

fn invalid_ciphertext() -> Fault {
    Fault::invalid_ciphertext(
        "The ciphertext is not valid, or its encryption context does not match.",
    )
}

/// A base64 blob field of `min..=max` bytes once decoded.
pub(super) fn blob(input: &Value, field: &str, min: usize, max: usize) -> Result<Vec<u8>, Fault> {
    let text = required(input, field)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| Fault::serialization(format!("'{field}' is not valid base64.")))?;
    if !(min..=max).contains(&bytes.len()) {
        return Err(Fault::validation(format!(
            "1 validation error detected: Value at '{field}' failed to satisfy constraint: \
             Member must have length between {min} and {max}"
        )));
    }
    Ok(bytes)
}

/// `NumberOfBytes` (1–1024) or `KeySpec` (AES_128, AES_256): exactly one.
fn data_key_length(input: &Value) -> Result<usize, Fault> {
    match (
        input.get("NumberOfBytes").and_then(Value::as_u64),
        optional(input, "KeySpec"),
    ) {
        (Some(n @ 1..=1024), None) => Ok(n as usize),
        (None, Some("AES_256")) => Ok(32),
        (None, Some("AES_128")) => Ok(16),
        _ => Err(Fault::validation(
            "Specify either KeySpec (AES_128 or AES_256) or NumberOfBytes (1-1024), not both.",
        )),
    }
}

/// The encryption context as one canonical string (pairs sorted by key); absent is empty.
fn encryption_context(value: Option<&Value>) -> Result<String, Fault> {
    let Some(Value::Object(pairs)) = value else {
        return match value {
            None | Some(Value::Null) => Ok(String::new()),
            Some(_) => Err(Fault::serialization("'EncryptionContext' must be a map.")),
        };
    };
    let mut sorted: Vec<(&String, &str)> = Vec::new();
    for (k, v) in pairs {
        let v = v
            .as_str()
            .ok_or_else(|| Fault::serialization("Encryption context values must be strings."))?;
        sorted.push((k, v));
    }
    sorted.sort();
    Ok(sorted
        .iter()
        .map(|(k, v)| format!("{}:{k}{}:{v}\n", k.len(), v.len()))
        .collect())
}

/// FNV-1a, 64 bits: stable across runs and builds (std's hasher is neither).
pub(super) fn fnv(parts: &[&[u8]]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for part in parts {
        for byte in *part {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        hash = (hash ^ 0xff).wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

pub(super) fn keystream(material: u64, nonce: u64, len: usize) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(material ^ nonce);
    (0..len).map(|_| rng.u8(..)).collect()
}

/// The keystream seed of imported material (its bytes, never kept anywhere else).
fn imported_material(material: &crate::materials::Material) -> u64 {
    fnv(&[material.secret.as_deref().unwrap_or_default(), b"imported"])
}

/// A family's material unless a test replaced one key's (`Kms::replace_material`).
pub fn family_material(id: &str) -> u64 {
    fnv(&[id.as_bytes(), b"material"])
}

/// A ciphertext taken apart: the key ID it names, and what only that key's material opens.
struct Sealed {
    id: String,
    nonce: u64,
    tag: u64,
    body: Vec<u8>,
}

/// MAGIC, the key ID's length and bytes, the nonce, the context's digest, the material's tag
/// of the plaintext, the sealed bytes.
fn seal(id: &str, material: u64, context: &str, plaintext: &[u8], nonce: u64) -> String {
    let mut out = Vec::with_capacity(plaintext.len() + id.len() + 40);
    out.extend_from_slice(MAGIC);
    out.push(id.len() as u8);
    out.extend_from_slice(id.as_bytes());
    out.extend_from_slice(&nonce.to_be_bytes());
    out.extend_from_slice(&fnv(&[id.as_bytes(), context.as_bytes()]).to_be_bytes());
    out.extend_from_slice(&fnv(&[&material.to_be_bytes(), plaintext]).to_be_bytes());
    let stream = keystream(material, nonce, plaintext.len());
    out.extend(plaintext.iter().zip(stream).map(|(p, k)| p ^ k));
    base64::engine::general_purpose::STANDARD.encode(out)
}

/// The parts of `sealed`, when it is one of ours made under `context`.
fn unseal(sealed: &[u8], context: &str) -> Option<Sealed> {
    let rest = sealed.strip_prefix(MAGIC)?;
    let (&len, rest) = rest.split_first()?;
    let (id, rest) = rest.split_at_checked(usize::from(len))?;
    let id = std::str::from_utf8(id).ok()?.to_string();
    let (nonce, rest) = rest.split_at_checked(8)?;
    let (digest, rest) = rest.split_at_checked(8)?;
    let (tag, body) = rest.split_at_checked(8)?;
    if u64::from_be_bytes(digest.try_into().ok()?) != fnv(&[id.as_bytes(), context.as_bytes()]) {
        return None;
    }
    Some(Sealed {
        id,
        nonce: u64::from_be_bytes(nonce.try_into().ok()?),
        tag: u64::from_be_bytes(tag.try_into().ok()?),
        body: body.to_vec(),
    })
}

impl Sealed {
    /// The plaintext, when `material` is the one it was sealed with.
    fn open(&self, material: u64) -> Option<Vec<u8>> {
        let stream = keystream(material, self.nonce, self.body.len());
        let plaintext: Vec<u8> = self.body.iter().zip(stream).map(|(c, k)| c ^ k).collect();
        (fnv(&[&material.to_be_bytes(), &plaintext]) == self.tag).then_some(plaintext)
    }
}
