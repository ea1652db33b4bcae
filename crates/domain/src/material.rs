//! Key material of keys whose material is imported, several per key (KMS_FACTS.md §3): what
//! each key holds, and what a replica lacks of its primary's. A replica that lacks the
//! primary's current material cannot decrypt what the primary encrypts now; one that lacks a
//! material the primary waits on stalls the family's rotation.

use crate::key::KeyInfo;

/// `KeyMaterialState`, as ListKeyRotations reports it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MaterialState {
    /// Encrypts and decrypts.
    Current,
    /// Decrypts only (made current before a rotation).
    NonCurrent,
    /// Imported, waiting for an on-demand rotation.
    PendingRotation,
    /// Imported into a primary, not yet into every replica.
    PendingMultiRegion,
    /// A state this version does not know, kept as KMS spelled it.
    Other(String),
}

impl MaterialState {
    pub fn from_api(state: &str) -> MaterialState {
        match state {
            "CURRENT" => MaterialState::Current,
            "NON_CURRENT" => MaterialState::NonCurrent,
            "PENDING_ROTATION" => MaterialState::PendingRotation,
            "PENDING_MULTI_REGION_IMPORT_AND_ROTATION" => MaterialState::PendingMultiRegion,
            other => MaterialState::Other(other.to_string()),
        }
    }

    /// In words, for a cell or a finding.
    pub fn label(&self) -> &str {
        match self {
            MaterialState::Current => "current",
            MaterialState::NonCurrent => "non-current",
            MaterialState::PendingRotation => "pending rotation",
            MaterialState::PendingMultiRegion => "waiting on replicas",
            MaterialState::Other(s) => s,
        }
    }

    /// Permanently associated with the key (current or non-current).
    pub fn associated(&self) -> bool {
        matches!(self, MaterialState::Current | MaterialState::NonCurrent)
    }
}

/// One key material of one key in one Region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMaterial {
    /// 64 lowercase hex digits.
    pub id: String,
    pub state: MaterialState,
    /// ImportState IMPORTED (false: PENDING_IMPORT, expired or deleted); KMS-made material is
    /// always there.
    pub imported: bool,
    /// Seconds since the Unix epoch; `None` when it does not expire.
    pub valid_to: Option<i64>,
    pub description: Option<String>,
}

impl KeyMaterial {
    /// The first eight digits: enough to tell a key's materials apart on screen.
    pub fn short_id(&self) -> &str {
        self.id.get(..8).unwrap_or(&self.id)
    }

    /// In words: "3f2a9c1e current", "… non-current, not imported (expired or deleted)".
    pub fn describe(&self) -> String {
        let mut out = format!("{} {}", self.short_id(), self.state.label());
        if !self.imported {
            out.push_str(", not imported (expired or deleted)");
        }
        out
    }
}

/// Whether the key's materials are worth reading: symmetric encryption keys with imported
/// material (several materials per key exist only there).
pub fn has_imported_materials(key: &KeyInfo) -> bool {
    key.origin == "EXTERNAL" && key.key_spec == "SYMMETRIC_DEFAULT"
}

/// Whether the audit reads the key's materials: imported symmetric material, in a state where
/// it matters (a key being created or deleted is judged by its state alone; ListKeyRotations
/// may refuse it, and that must not cost the key's other checks).
pub fn materials_worth_reading(key: &KeyInfo) -> bool {
    use crate::KeyState::*;
    has_imported_materials(key)
        && matches!(key.state, Enabled | Disabled | PendingImport | Updating)
}

/// The primary's permanently associated materials the replica does not hold imported, current
/// first.
pub fn missing_from_replica<'a>(
    primary: &'a [KeyMaterial],
    replica: &[KeyMaterial],
) -> Vec<&'a KeyMaterial> {
    let mut missing: Vec<&KeyMaterial> = primary
        .iter()
        .filter(|m| m.state.associated() && m.imported)
        .filter(|m| !held(replica, &m.id))
        .collect();
    missing.sort_by_key(|m| m.state != MaterialState::Current);
    missing
}

/// The primary's material waiting on its replicas, if any.
pub fn waiting_on_replicas(primary: &[KeyMaterial]) -> Option<&KeyMaterial> {
    primary
        .iter()
        .find(|m| m.state == MaterialState::PendingMultiRegion)
}

/// Whether `materials` holds material `id`, imported.
pub fn held(materials: &[KeyMaterial], id: &str) -> bool {
    materials.iter().any(|m| m.id == id && m.imported)
}

/// What deleting material `m` of a key in `role` does beyond that key (KMS_FACTS.md §3), in
/// words for the confirmation: a primary's pending material goes from every replica too; a
/// current or older material leaves the key PendingImport until it is imported again.
pub fn deletion_consequence(role: crate::Role, m: &KeyMaterial, replicas: &[String]) -> String {
    match (m.state.associated(), role) {
        (false, crate::Role::Primary) if !replicas.is_empty() => format!(
            "This is the primary's pending material: deleting it here also deletes the replicas' copies, in {}.",
            replicas.join(", ")
        ),
        (false, _) => "This pending material is deleted from this key only.".to_string(),
        (true, _) => format!(
            "The key becomes PendingImport until the same material is imported again: nothing \
             encrypted under its {} material can be decrypted with this key meanwhile.",
            m.state.label()
        ),
    }
}

/// How long imported material stays: KMS's ExpirationModel and ValidTo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    Never,
    /// Seconds since the Unix epoch (at most 365 days ahead).
    At(i64),
}

/// One Region's part in importing material into a family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportStep {
    /// NEW_KEY_MATERIAL into the primary: KMS derives the ID.
    New,
    /// EXISTING_KEY_MATERIAL into a replica, naming the ID the primary returned.
    Existing { material_id: String },
}

#[cfg(test)]
#[path = "material_tests.rs"]
mod tests;
