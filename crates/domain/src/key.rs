//! One KMS key as DescribeKey reports it, reduced to what the coverage grid and audit need.
//!
//! These types mirror KMS's own vocabulary (key states, PRIMARY/REPLICA) so that a reader can check
//! them against the KMS documentation; the `aws` module fills them from SDK shapes.

use std::fmt;

use super::region::Region;

/// The key ID shared by a multi-Region primary and all of its replicas (`mrk-…`).
///
/// Only IDs that start with `mrk-` can be multi-Region, so holding this type already says
/// "worth a DescribeKey".
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct MrkId(String);

impl MrkId {
    /// Accepts a multi-Region key ID; anything else (single-Region UUIDs, aliases, ARNs) is `None`.
    pub fn parse(key_id: &str) -> Option<MrkId> {
        let rest = key_id.strip_prefix("mrk-")?;
        let plausible = !rest.is_empty()
            && rest.len() <= 64
            && rest.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
        plausible.then(|| MrkId(key_id.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MrkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// KMS key states. `Other` keeps a state this build does not know yet instead of failing the scan.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub enum KeyState {
    Creating,
    Enabled,
    Disabled,
    PendingDeletion,
    PendingReplicaDeletion,
    PendingImport,
    Updating,
    Unavailable,
    Other(String),
}

impl KeyState {
    /// The state's name exactly as KMS spells it.
    pub fn as_str(&self) -> &str {
        match self {
            KeyState::Creating => "Creating",
            KeyState::Enabled => "Enabled",
            KeyState::Disabled => "Disabled",
            KeyState::PendingDeletion => "PendingDeletion",
            KeyState::PendingReplicaDeletion => "PendingReplicaDeletion",
            KeyState::PendingImport => "PendingImport",
            KeyState::Updating => "Updating",
            KeyState::Unavailable => "Unavailable",
            KeyState::Other(s) => s,
        }
    }

    pub fn from_kms(s: &str) -> KeyState {
        match s {
            "Creating" => KeyState::Creating,
            "Enabled" => KeyState::Enabled,
            "Disabled" => KeyState::Disabled,
            "PendingDeletion" => KeyState::PendingDeletion,
            "PendingReplicaDeletion" => KeyState::PendingReplicaDeletion,
            "PendingImport" => KeyState::PendingImport,
            "Updating" => KeyState::Updating,
            "Unavailable" => KeyState::Unavailable,
            other => KeyState::Other(other.to_string()),
        }
    }

    /// States that change on their own and so must be followed by a live badge.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            KeyState::Creating | KeyState::Updating | KeyState::PendingReplicaDeletion
        )
    }
}

impl fmt::Display for KeyState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// PRIMARY or REPLICA, from `MultiRegionConfiguration.MultiRegionKeyType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Role {
    Primary,
    Replica,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Primary => "Primary",
            Role::Replica => "Replica",
        })
    }
}

/// A related key named by `MultiRegionConfiguration` (`PrimaryKey` or one of `ReplicaKeys`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RelatedKey {
    pub arn: String,
    /// The Region as KMS named it; kept as text because it may be a Region this build does not know.
    pub region: String,
}

/// The multi-Region part of DescribeKey: every related key returns the same one, but it carries no
/// key *state* — each replica's state needs a DescribeKey in that replica's own Region.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MultiRegionConfig {
    pub role: Role,
    pub primary: Option<RelatedKey>,
    pub replicas: Vec<RelatedKey>,
}

/// One multi-Region key in one Region, as DescribeKey returned it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KeyInfo {
    pub key_id: MrkId,
    pub region: Region,
    pub arn: String,
    pub state: KeyState,
    pub enabled: bool,
    pub description: String,
    pub key_spec: String,
    pub key_usage: String,
    pub origin: String,
    /// Seconds since the Unix epoch.
    pub created: Option<i64>,
    /// Seconds since the Unix epoch; only while `PendingDeletion`.
    pub deletion_date: Option<i64>,
    /// Imported key material (`Origin = EXTERNAL`): when it expires, per key.
    pub valid_to: Option<i64>,
    /// `KEY_MATERIAL_EXPIRES` or `KEY_MATERIAL_DOES_NOT_EXPIRE`, for imported material.
    pub expiration_model: Option<String>,
    pub multi_region: Option<MultiRegionConfig>,
}

impl KeyInfo {
    /// The role this key declares for itself; a key without a multi-Region configuration
    /// (which a `mrk-` ID should never be) counts as a primary of a family of one.
    pub fn role(&self) -> Role {
        self.multi_region
            .as_ref()
            .map(|m| m.role)
            .unwrap_or(Role::Primary)
    }
}

/// Formats epoch seconds as an ISO 8601 UTC timestamp (`2026-11-29T15:36:29Z`).
///
/// Hand-written because it is the only date arithmetic the app needs; the algorithm is
/// Howard Hinnant's `civil_from_days`.
pub fn format_utc(epoch_seconds: i64) -> String {
    let days = epoch_seconds.div_euclid(86_400);
    let secs = epoch_seconds.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_mrk_ids_are_multi_region() {
        assert!(MrkId::parse("mrk-1234abcd12ab34cd56ef1234567890ab").is_some());
        assert!(MrkId::parse("1234abcd-12ab-34cd-56ef-1234567890ab").is_none());
        assert!(MrkId::parse("alias/mrk-x").is_none());
        assert!(MrkId::parse("mrk-").is_none());
    }

    #[test]
    fn unknown_key_state_is_kept_by_name() {
        let state = KeyState::from_kms("Frozen");
        assert_eq!(state.as_str(), "Frozen");
        assert!(!state.is_transient());
    }

    #[test]
    fn creating_updating_and_pending_replica_deletion_are_transient() {
        for s in ["Creating", "Updating", "PendingReplicaDeletion"] {
            assert!(KeyState::from_kms(s).is_transient(), "{s}");
        }
        assert!(!KeyState::Enabled.is_transient());
    }

    #[test]
    fn utc_formatting_matches_known_instants() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_utc(1_796_052_989), "2026-11-30T15:36:29Z");
    }
}
