//! `--traffic`: workloads the simulator imagines using the estate, so last usage can be seen
//! without AWS. Most keys were used today; some replicas not for weeks or months, some never.
//! The estate is backdated first (its keys made `AGE` ago), or no key could be unused for long:
//! the only change to the seeded keys themselves.

use crate::error::Fault;
use crate::model::{DAY, Kms, State};

/// How long ago the imagined estate was made.
const AGE: f64 = 200.0 * DAY;
const HOUR: f64 = 3_600.0;
/// How long ago the imagined estate's disabled keys were disabled.
const DISABLED_AGO: f64 = 5.0 * DAY;

/// Backdates every key of `kms` and gives each a last use by its bucket (a stable hash of its
/// key ID and Region): primaries are used today, except one in ten (unused for months);
/// replicas spread over today, this month, 40–79 days, 100–179 days, and never.
pub fn imagine(kms: &mut Kms, now: f64) {
    let keys: Vec<(String, String, bool)> = kms
        .keys
        .iter_mut()
        .map(|((region, id), key)| {
            key.created -= AGE;
            (region.clone(), id.clone(), key.multi_region)
        })
        .collect();
    // The calls that made the estate were made then, too.
    kms.trail.backdate(
        &[
            "CreateKey",
            "ReplicateKey",
            "CreateAlias",
            "TagResource",
            "PutKeyPolicy",
            "GetParametersForImport",
            "ImportKeyMaterial",
            "CreateGrant",
            "EnableKeyRotation",
        ],
        AGE,
    );
    // The demo's disabled keys were disabled days ago, and a workload still calls one since.
    kms.trail.backdate(&["DisableKey"], DISABLED_AGO);
    for (region, id, multi_region) in keys {
        let is_primary = !multi_region
            || kms
                .families
                .get(&id)
                .is_some_and(|f| f.primary_region == region);
        let hash = stable_hash(&id, &region);
        let ago = match (is_primary, hash % 10) {
            (_, 9) if is_primary => Some(120.0 * DAY),
            (true, _) | (false, 0..=4) => Some((hash % 12) as f64 * HOUR + 0.25 * HOUR),
            (false, 5 | 6) => Some((3 + hash % 20) as f64 * DAY),
            (false, 7) => Some((40 + hash % 40) as f64 * DAY),
            (false, 8) => Some((100 + hash % 80) as f64 * DAY),
            (false, _) => None,
        };
        // A key that is not Enabled was last used before it stopped being usable.
        let usable = kms
            .key(&region, &id)
            .is_some_and(|k| matches!(k.state, State::Enabled | State::Updating));
        let ago = ago.map(|a| {
            if usable {
                a
            } else {
                a.max(DISABLED_AGO + 2.0 * DAY)
            }
        });
        let role = format!("workload-{}", hash % 7);
        if let Some(ago) = ago {
            let operation = if hash.is_multiple_of(3) {
                "GenerateDataKey"
            } else {
                "Decrypt"
            };
            kms.imagine_call((&region, &id), operation, now - ago, &role, None);
        }
        // A workload still calling a disabled key: what a retirement must wait out.
        if let Some(key) = kms.key(&region, &id).filter(|k| k.state == State::Disabled) {
            let refused = Fault::disabled(format!("{} is disabled.", key.arn));
            kms.imagine_call(
                (&region, &id),
                "Decrypt",
                now - 3.0 * HOUR,
                &role,
                Some(refused),
            );
        }
    }
}

/// FNV-1a of the key ID and Region: the same bucket on every run.
fn stable_hash(id: &str, region: &str) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for byte in id.bytes().chain([b'|']).chain(region.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::Delays;

    /// Forty families, each with a replica: every bucket the Usage view draws is there.
    #[test]
    fn imagined_traffic_leaves_keys_used_today_long_ago_and_never() {
        let mut kms = Kms::new(
            "111122223333".into(),
            Delays {
                replica_creation: 0.0,
                update_primary: 0.0,
            },
            Some(3),
        );
        let now = 1_800_000_000.0;
        for _ in 0..40 {
            let out = kms
                .call("CreateKey", "us-east-1", &json!({"MultiRegion": true}), now)
                .unwrap();
            let id = out["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
            let input = json!({"KeyId": id, "ReplicaRegion": "eu-west-1"});
            kms.call("ReplicateKey", "us-east-1", &input, now).unwrap();
        }
        imagine(&mut kms, now);
        let ages: Vec<Option<f64>> = kms
            .keys
            .keys()
            .filter(|(region, _)| region == "eu-west-1")
            .map(|key| kms.usage.get(key).map(|u| (now - u.at) / DAY))
            .collect();
        assert!(
            ages.iter().any(|a| a.is_some_and(|d| d < 1.0)),
            "used today"
        );
        assert!(
            ages.iter().any(|a| a.is_some_and(|d| d >= 100.0)),
            "unused for months"
        );
        assert!(ages.iter().any(Option::is_none), "never used");
        assert!(
            kms.keys.values().all(|k| k.created <= now - AGE),
            "the estate is backdated"
        );
    }
}
