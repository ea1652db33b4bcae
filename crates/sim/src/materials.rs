//! Key material, several per key (KMS_FACTS.md §3): every material a key holds, with its state
//! (CURRENT, NON_CURRENT, PENDING_ROTATION, PENDING_MULTI_REGION_IMPORT_AND_ROTATION), whether
//! it is imported, and when it expires; and the family-wide rules of a multi-Region key whose
//! material is imported (NEW into the primary, the same material as EXISTING into each
//! replica, a rotation only once every replica holds it).

use crate::model::{Key, Kms};
use crate::wrapping::WrappingKey;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaterialState {
    /// Encrypts and decrypts.
    Current,
    /// Decrypts what it encrypted before a rotation.
    NonCurrent,
    /// Imported, waiting for RotateKeyOnDemand.
    PendingRotation,
    /// Imported into a primary, not yet into every replica.
    PendingMultiRegion,
}

impl MaterialState {
    pub fn as_str(self) -> &'static str {
        match self {
            MaterialState::Current => "CURRENT",
            MaterialState::NonCurrent => "NON_CURRENT",
            MaterialState::PendingRotation => "PENDING_ROTATION",
            MaterialState::PendingMultiRegion => "PENDING_MULTI_REGION_IMPORT_AND_ROTATION",
        }
    }

    /// Permanently associated with the key: only these decide whether it is usable. Pending
    /// material can still be deleted or replaced.
    pub fn associated(self) -> bool {
        matches!(self, MaterialState::Current | MaterialState::NonCurrent)
    }

    pub fn pending(self) -> bool {
        !self.associated()
    }
}

/// One imported key material of one key.
#[derive(Clone)]
pub struct Material {
    /// 64 lowercase hex digits, derived from the key ID and the material.
    pub id: String,
    /// The material; `None` once it expired or was deleted (ImportState PENDING_IMPORT).
    pub secret: Option<Vec<u8>>,
    pub state: MaterialState,
    pub expiration_model: String,
    pub valid_to: Option<f64>,
    pub description: Option<String>,
    /// How and when a rotation made it current; `None` for the first material and pending ones.
    pub rotated: Option<(&'static str, f64)>,
}

impl std::fmt::Debug for Material {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the material itself.
        f.debug_struct("Material")
            .field("id", &self.id)
            .field("imported", &self.secret.is_some())
            .field("state", &self.state)
            .field("valid_to", &self.valid_to)
            .finish_non_exhaustive()
    }
}

/// What one GetParametersForImport handed out: the token and the key pair behind it.
#[derive(Debug, Clone)]
pub struct ImportParams {
    pub token: String,
    pub wrapping: WrappingKey,
    pub valid_until: f64,
}

impl Key {
    pub fn current_material(&self) -> Option<&Material> {
        self.materials
            .iter()
            .find(|m| m.state == MaterialState::Current)
    }

    pub fn material_by_id(&self, id: &str) -> Option<&Material> {
        self.materials.iter().find(|m| m.id == id)
    }

    /// Every permanently associated material is imported: the key can be Enabled.
    pub fn all_associated_imported(&self) -> bool {
        self.materials
            .iter()
            .filter(|m| m.state.associated())
            .all(|m| m.secret.is_some())
            && self.materials.iter().any(|m| m.state.associated())
    }

    /// `KeyMetadata.ValidTo`: the earliest expiry of the permanently associated material.
    pub fn earliest_expiry(&self) -> Option<f64> {
        self.materials
            .iter()
            .filter(|m| m.state.associated() && m.secret.is_some())
            .filter_map(|m| m.valid_to)
            .reduce(f64::min)
    }

    /// The pending material, if any (a key waits on one rotation at a time).
    pub fn pending_material(&self) -> Option<&Material> {
        self.materials.iter().find(|m| m.state.pending())
    }
}

impl Kms {
    /// The replica Regions of family `id` that do not hold material `material_id` imported.
    pub fn replicas_without(&self, id: &str, material_id: &str) -> Vec<String> {
        self.replica_regions(id)
            .into_iter()
            .filter(|r| {
                self.key(r, id)
                    .and_then(|k| k.material_by_id(material_id))
                    .is_none_or(|m| m.secret.is_none())
            })
            .collect()
    }

    /// Moves the primary's pending material between PENDING_MULTI_REGION_IMPORT_AND_ROTATION
    /// and PENDING_ROTATION as replicas gain or lose it.
    pub fn refresh_pending(&mut self, id: &str) {
        let Some(primary_region) = self.families.get(id).map(|f| f.primary_region.clone()) else {
            return;
        };
        let Some(pending) = self
            .key(&primary_region, id)
            .and_then(|k| k.pending_material())
            .map(|m| m.id.clone())
        else {
            return;
        };
        let waiting = !self.replicas_without(id, &pending).is_empty();
        if let Some(m) = self
            .key_mut(&primary_region, id)
            .and_then(|k| k.materials.iter_mut().find(|m| m.id == pending))
        {
            m.state = match waiting {
                true => MaterialState::PendingMultiRegion,
                false => MaterialState::PendingRotation,
            };
        }
    }
}

/// The ID of the `n`th material KMS made for an `AWS_KMS` key (0: the first, then one per
/// rotation): never imported, so derived from the key ID and the count alone.
pub fn kms_material_id(key_id: &str, n: usize) -> String {
    crate::wrapping::material_id(key_id, format!("kms-made material {n}").as_bytes())
}

impl Kms {
    /// `KeyMetadata.CurrentKeyMaterialId`: for symmetric encryption keys only.
    pub fn current_material_id(&self, key: &Key) -> Option<String> {
        if key.key_spec != "SYMMETRIC_DEFAULT" {
            return None;
        }
        match key.origin.as_str() {
            "EXTERNAL" => key.current_material().map(|m| m.id.clone()),
            "AWS_KMS" => {
                let rotations = self.rotations.get(&key.id).map_or(0, |r| r.history.len());
                Some(kms_material_id(&key.id, rotations))
            }
            _ => None,
        }
    }
}
