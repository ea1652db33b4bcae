//! The rest of the multi-Region lifecycle as pure rules: which action a key in a given state
//! allows, what the call will do (in words, before it is made), and how a pending deletion reads.
//!
//! KMS enforces these too; checking first means the user sees the reason on a disabled button
//! instead of an error after a confirmation.

use std::fmt;

use super::estate::Family;
use super::key::{KeyInfo, KeyState, Role, format_utc};
use super::region::Region;

/// KMS's deletion waiting period, in days.
pub const MIN_DELETION_DAYS: i32 = 7;
pub const MAX_DELETION_DAYS: i32 = 30;
pub const DEFAULT_DELETION_DAYS: i32 = 30;

/// A mutating call on one key (one Region) of a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAction {
    Enable,
    Disable,
    ScheduleDeletion {
        days: i32,
    },
    CancelDeletion,
    /// UpdatePrimaryRegion: make this replica the primary.
    Promote,
    /// EnableKeyRotation with a period, on the primary (for the whole family).
    EnableRotation {
        days: i32,
    },
    /// DisableKeyRotation, on the primary.
    DisableRotation,
    /// RotateKeyOnDemand, on the primary.
    RotateNow,
}

/// Automatic rotation periods KMS accepts, in days.
pub const MIN_ROTATION_DAYS: i32 = 90;
pub const MAX_ROTATION_DAYS: i32 = 2560;
pub const DEFAULT_ROTATION_DAYS: i32 = 365;

impl fmt::Display for KeyAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyAction::Enable => "Enable",
            KeyAction::Disable => "Disable",
            KeyAction::ScheduleDeletion { .. } => "Schedule deletion",
            KeyAction::CancelDeletion => "Cancel deletion",
            KeyAction::Promote => "Make primary",
            KeyAction::EnableRotation { .. } => "Enable rotation",
            KeyAction::DisableRotation => "Disable rotation",
            KeyAction::RotateNow => "Rotate now",
        })
    }
}

impl KeyAction {
    /// The KMS operation's name, for the audit trail.
    pub fn operation(&self) -> &'static str {
        match self {
            KeyAction::Enable => "EnableKey",
            KeyAction::Disable => "DisableKey",
            KeyAction::ScheduleDeletion { .. } => "ScheduleKeyDeletion",
            KeyAction::CancelDeletion => "CancelKeyDeletion",
            KeyAction::Promote => "UpdatePrimaryRegion",
            KeyAction::EnableRotation { .. } => "EnableKeyRotation",
            KeyAction::DisableRotation => "DisableKeyRotation",
            KeyAction::RotateNow => "RotateKeyOnDemand",
        }
    }

    /// Whether the action changes the family's rotation (its shown status must be read again).
    pub fn is_rotation(&self) -> bool {
        matches!(
            self,
            KeyAction::EnableRotation { .. } | KeyAction::DisableRotation | KeyAction::RotateNow
        )
    }

    /// Why `self` cannot be done to `key` now, or `None` when it can. `family` gives the primary
    /// for a promotion.
    pub fn blocker(&self, key: &KeyInfo, family: &Family) -> Option<String> {
        use KeyState::*;
        let state = &key.state;
        match self {
            KeyAction::Enable => match state {
                Disabled => None,
                Enabled => Some("already Enabled".into()),
                _ => Some(format!("a key in {state} cannot be enabled")),
            },
            KeyAction::Disable => match state {
                Enabled => None,
                Disabled => Some("already Disabled".into()),
                _ => Some(format!("a key in {state} cannot be disabled")),
            },
            KeyAction::ScheduleDeletion { days } => {
                if !(MIN_DELETION_DAYS..=MAX_DELETION_DAYS).contains(days) {
                    Some(format!(
                        "the waiting period must be 7 to 30 days, not {days}"
                    ))
                } else {
                    match state {
                        Enabled | Disabled | PendingImport => None,
                        PendingDeletion | PendingReplicaDeletion => {
                            Some("already pending deletion".into())
                        }
                        _ => Some(format!("a key in {state} cannot be scheduled for deletion")),
                    }
                }
            }
            KeyAction::CancelDeletion => match state {
                PendingDeletion | PendingReplicaDeletion => None,
                _ => Some("not pending deletion".into()),
            },
            KeyAction::Promote => {
                if key.role() != Role::Replica {
                    return Some("this key is the primary already".into());
                }
                if *state != Enabled {
                    return Some(format!("the replica is {state}; both keys must be Enabled"));
                }
                match family.described().find(|k| k.role() == Role::Primary) {
                    None => {
                        Some("the primary's Region is not scanned, so its state is unknown".into())
                    }
                    Some(p) if p.state != Enabled => Some(format!(
                        "the primary is {}; both keys must be Enabled",
                        p.state
                    )),
                    Some(_) => None,
                }
            }
            KeyAction::EnableRotation { days }
                if !(MIN_ROTATION_DAYS..=MAX_ROTATION_DAYS).contains(days) =>
            {
                Some(format!(
                    "the rotation period must be 90 to 2560 days, not {days}"
                ))
            }
            KeyAction::EnableRotation { .. } | KeyAction::DisableRotation => {
                rotation_blocker(key, false)
            }
            KeyAction::RotateNow => rotation_blocker(key, true),
        }
    }

    /// What the call will do, in words, for the confirmation step.
    pub fn consequence(&self, key: &KeyInfo, family: &Family) -> String {
        match self {
            KeyAction::Enable => format!("EnableKey in {}: the key can be used again.", key.region),
            KeyAction::Disable => format!(
                "DisableKey in {}: every cryptographic use of this key in {} fails until it is \
                 enabled again. Other Regions' keys are not affected.",
                key.region, key.region
            ),
            KeyAction::ScheduleDeletion { days } => {
                let replicas = replicas_of(key, family);
                if key.role() == Role::Primary && !replicas.is_empty() {
                    format!(
                        "ScheduleKeyDeletion in {} with a {days}-day waiting period. This primary \
                         still has replicas in {}: it will wait in PendingReplicaDeletion (with no \
                         deletion date) until every one of them is deleted, and only then start \
                         its {days}-day wait.",
                        key.region,
                        replicas.join(", ")
                    )
                } else {
                    format!(
                        "ScheduleKeyDeletion in {} with a {days}-day waiting period: the key goes \
                         PendingDeletion and is deleted for good when the period ends. Data \
                         encrypted under it can then no longer be decrypted in {}.",
                        key.region, key.region
                    )
                }
            }
            KeyAction::CancelDeletion => format!(
                "CancelKeyDeletion in {}: the key goes Disabled; enable it to use it again.",
                key.region
            ),
            KeyAction::Promote => format!(
                "UpdatePrimaryRegion from the primary's Region to {}: both keys go Updating for a \
                 while, then {} is the primary and the old primary a replica.",
                key.region, key.region
            ),
            KeyAction::EnableRotation { days } => format!(
                "EnableKeyRotation on the primary in {}: KMS makes new key material every {days} \
                 days. Rotation is one setting for the whole family: every replica ({}) reports \
                 it and receives the new material; old material stays usable for decryption.",
                key.region,
                or_none(replicas_of(key, family))
            ),
            KeyAction::DisableRotation => format!(
                "DisableKeyRotation on the primary in {}: no more automatic rotation, for the \
                 primary and every replica ({}). Security Hub KMS.4 will flag the family.",
                key.region,
                or_none(replicas_of(key, family))
            ),
            KeyAction::RotateNow if crate::material::has_imported_materials(key) => format!(
                "RotateKeyOnDemand on the primary in {}: the imported material pending rotation \
                 becomes current in the primary and every replica ({}); KMS refuses while a \
                 replica lacks it. It uses one of the key's 25 on-demand rotations, which cannot \
                 be raised.",
                key.region,
                or_none(replicas_of(key, family))
            ),
            KeyAction::RotateNow => format!(
                "RotateKeyOnDemand on the primary in {}: KMS makes new key material now and copies \
                 it to every replica ({}). It uses one of the key's 25 on-demand rotations, which \
                 cannot be raised; the automatic schedule does not change.",
                key.region,
                or_none(replicas_of(key, family))
            ),
        }
    }

    /// Whether the user must type the Region or key ID to confirm (the irreversible ones).
    pub fn needs_typed_confirmation(&self) -> bool {
        matches!(self, KeyAction::ScheduleDeletion { .. })
    }
}

/// Rotation is set and started on the primary only, for keys that can rotate, while Enabled;
/// imported symmetric material rotates `on_demand` only (once new material is imported).
fn rotation_blocker(key: &KeyInfo, on_demand: bool) -> Option<String> {
    if key.role() != Role::Primary {
        return Some("rotation is set on the primary, for every replica".into());
    }
    let imported = on_demand && crate::material::has_imported_materials(key);
    if !super::parity::can_rotate(key) && !imported {
        return Some(
            "only symmetric encryption keys rotate (imported material on demand only, once new \
             material is imported), not asymmetric or HMAC keys"
                .into(),
        );
    }
    match key.state {
        KeyState::Enabled => None,
        ref state => Some(format!("the primary is {state}; it must be Enabled")),
    }
}

fn or_none(regions: Vec<String>) -> String {
    if regions.is_empty() {
        "none yet".into()
    } else {
        regions.join(", ")
    }
}

/// Regions (other than the key's own) where the family has a key, as the primary's
/// configuration or the scan knows them.
fn replicas_of(key: &KeyInfo, family: &Family) -> Vec<String> {
    let mut regions: Vec<String> = key
        .multi_region
        .as_ref()
        .map(|c| c.replicas.iter().map(|r| r.region.clone()).collect())
        .unwrap_or_default();
    for k in family.described() {
        if k.region != key.region && !regions.iter().any(|r| r == k.region.name()) {
            regions.push(k.region.name().to_string());
        }
    }
    regions.sort();
    regions
}

/// How a key pending deletion reads: its date, or what its primary waits for.
pub fn pending_note(key: &KeyInfo, family: &Family) -> Option<String> {
    match key.state {
        KeyState::PendingDeletion => Some(match key.deletion_date {
            Some(date) => format!("deleted on {}", format_utc(date)),
            None => "pending deletion".into(),
        }),
        KeyState::PendingReplicaDeletion => {
            let n = replicas_of(key, family).len();
            Some(format!(
                "waiting for {n} replica{} to be deleted",
                if n == 1 { "" } else { "s" }
            ))
        }
        _ => None,
    }
}

/// Imported key material: flagged when it has expired or expires within `soon_days`.
pub fn material_note(key: &KeyInfo, now: i64, soon_days: i64) -> Option<(bool, String)> {
    if key.origin != "EXTERNAL" {
        return None;
    }
    if key.state == KeyState::PendingImport {
        return Some((
            true,
            "PendingImport: import the same key material as the primary's into this key, with its own import token".into(),
        ));
    }
    match (key.expiration_model.as_deref(), key.valid_to) {
        (Some("KEY_MATERIAL_DOES_NOT_EXPIRE"), _) => {
            Some((false, "imported material does not expire".into()))
        }
        (_, Some(valid_to)) if valid_to <= now => Some((
            true,
            format!("imported material expired on {}", format_utc(valid_to)),
        )),
        (_, Some(valid_to)) if valid_to - now <= soon_days * 86_400 => Some((
            true,
            format!(
                "imported material expires on {} (within {soon_days} days)",
                format_utc(valid_to)
            ),
        )),
        (_, Some(valid_to)) => Some((
            false,
            format!("imported material valid to {}", format_utc(valid_to)),
        )),
        _ => None,
    }
}

/// The text a user must type to confirm `action` on `key`: its Region.
pub fn confirmation_word(key: &KeyInfo) -> &'static str {
    let region: Region = key.region;
    region.name()
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
