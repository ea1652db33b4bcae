//! Retiring a key AWS's way (KMS_FACTS.md §1: "first disable the key and monitor CloudTrail for
//! DisabledException entries… CloudTrail remains the authoritative source"): disable it, wait a
//! quiet period in which nobody is refused and nothing uses it, then schedule its deletion. A
//! primary is retired only after its replicas. Pure: the evidence (the key's CloudTrail records
//! and last usage) is read elsewhere; this says which step is next, or why none is.

use super::estate::Family;
use super::key::{KeyInfo, KeyState, Role, format_utc};
use super::trail::TrailEvent;
use super::usage::KeyUsage;

/// Days a disabled key must stay quiet before its deletion is offered.
pub const DEFAULT_QUIET_DAYS: i64 = 7;

const DAY: i64 = 86_400;

/// What is known of the key's use, for the step after "disable".
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    /// The key's CloudTrail records in its Region (the last 90 days), when they were read in
    /// full; `None` when they could not be: then nothing rules out a refused use.
    pub trail: Option<&'a [TrailEvent]>,
    pub usage: Option<&'a KeyUsage>,
}

/// Where a key's retirement stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// In use: step 1 is to disable it (and watch).
    Disable,
    /// Disabled, quiet so far, the period not over yet.
    Waiting {
        /// When, by its DisableKey record; `None` before the trail's 90 days.
        disabled_at: Option<i64>,
        days_left: i64,
    },
    /// Disabled, and someone was refused (or it was used) within the quiet period: deleting it
    /// now would break them. Deletion is offered once a whole period passes with neither.
    Blocked {
        disabled_at: Option<i64>,
        /// Refused uses since the disable.
        refusals: usize,
        /// Who was refused last, and when.
        last: Option<(String, i64)>,
        /// A successful use after the disable (it was enabled again in between).
        used_since: Option<i64>,
        days_left: i64,
    },
    /// Disabled and quiet for a whole period (since the disable, or since the last refused
    /// use): its deletion may be scheduled.
    Ready { disabled_at: Option<i64> },
    /// Retiring it is not possible now, and why.
    NotPossible(String),
}

/// The next step of `key`'s retirement, judged `now` against a quiet period of `quiet_days`.
pub fn stage(
    key: &KeyInfo,
    family: &Family,
    evidence: Evidence<'_>,
    now: i64,
    quiet_days: i64,
) -> Stage {
    if let Some(why) = not_possible(key, family) {
        return Stage::NotPossible(why);
    }
    if key.state == KeyState::Enabled {
        return Stage::Disable;
    }
    after_disable(key, evidence, now, quiet_days)
}

/// Where a disabled key stands in its quiet period (what an apply checks before the deletion a
/// plan scheduled: the plan made sure the key is one that may be retired).
pub fn after_disable(key: &KeyInfo, evidence: Evidence<'_>, now: i64, quiet_days: i64) -> Stage {
    let Some(trail) = evidence.trail else {
        return Stage::NotPossible(
            "its CloudTrail records could not be read: a refused use cannot be ruled out".into(),
        );
    };
    let mine = |e: &&TrailEvent| e.region == key.region.name();
    let disabled_at = trail
        .iter()
        .filter(mine)
        .filter(|e| e.event_name == "DisableKey" && e.error_code.is_none())
        .map(|e| e.time)
        .max();
    let since = disabled_at.unwrap_or(i64::MIN);
    let refused: Vec<&TrailEvent> = trail
        .iter()
        .filter(mine)
        .filter(|e| e.is_disabled_refusal() && e.time >= since)
        .collect();
    let used_since = evidence
        .usage
        .and_then(|u| u.last.as_ref())
        .map(|l| l.at)
        .filter(|at| disabled_at.is_some_and(|d| *at > d));
    let last = refused.iter().max_by_key(|e| e.time).copied();
    // Quiet since the disable, or since the last sign that something still needs the key.
    let quiet_since = [disabled_at, last.map(|e| e.time), used_since]
        .into_iter()
        .flatten()
        .max();
    let days_left = quiet_since
        .map(|at| (quiet_days * DAY - (now - at) + DAY - 1).max(0) / DAY)
        .unwrap_or(0);
    if days_left == 0 {
        return Stage::Ready { disabled_at };
    }
    if refused.is_empty() && used_since.is_none() {
        return Stage::Waiting {
            disabled_at,
            days_left,
        };
    }
    Stage::Blocked {
        disabled_at,
        refusals: refused.len(),
        last: last.map(|e| {
            (
                e.identity_arn.clone().unwrap_or_else(|| "AWS".into()),
                e.time,
            )
        }),
        used_since,
        days_left,
    }
}

/// Why the key cannot be retired now at all.
fn not_possible(key: &KeyInfo, family: &Family) -> Option<String> {
    match &key.state {
        KeyState::PendingDeletion | KeyState::PendingReplicaDeletion => {
            return Some(format!("it is {} already", key.state));
        }
        KeyState::Enabled | KeyState::Disabled => {}
        other => return Some(format!("it is {other}: wait until it settles")),
    }
    let replicas: Vec<String> = family
        .described()
        .filter(|k| k.role() == Role::Replica)
        .filter(|k| {
            !matches!(
                k.state,
                KeyState::PendingDeletion | KeyState::PendingReplicaDeletion
            )
        })
        .map(|k| k.region.to_string())
        .collect();
    (key.role() == Role::Primary && !replicas.is_empty()).then(|| {
        format!(
            "a primary is retired only after its replicas: retire those in {} first",
            replicas.join(", ")
        )
    })
}

impl Stage {
    /// The stage in a sentence a security engineer can act on.
    pub fn describe(&self, now: i64) -> String {
        let ago = |at: Option<i64>| match at {
            Some(at) => format!("disabled {} days ago", (now - at).max(0) / DAY),
            None => "disabled before CloudTrail's 90 days".to_string(),
        };
        match self {
            Stage::Disable => {
                "Step 1: disable it, then watch CloudTrail for DisabledException during the quiet period.".into()
            }
            Stage::Waiting {
                disabled_at,
                days_left,
            } => format!(
                "Step 2: {}; no DisabledException since. Deletion is offered in {days_left} more day(s) of quiet.",
                ago(*disabled_at)
            ),
            Stage::Blocked {
                disabled_at,
                refusals,
                last,
                used_since,
                days_left,
            } => {
                let mut text = format!(
                    "Blocked: {}; {refusals} DisabledException since",
                    ago(*disabled_at)
                );
                if let Some((who, at)) = last {
                    text.push_str(&format!(", last by {who} at {}", format_utc(*at)));
                }
                if let Some(at) = used_since {
                    text.push_str(&format!("; used successfully at {}", format_utc(*at)));
                }
                text.push_str(&format!(
                    ": something still needs it. Re-enable it, or find the caller; deletion is \
                     offered after {days_left} more day(s) with none."
                ));
                text
            }
            Stage::Ready { disabled_at } => format!(
                "Step 3: {}, and quiet for the whole period: its deletion may be scheduled (7–30 days' wait).",
                ago(*disabled_at)
            ),
            Stage::NotPossible(why) => format!("Not now: {why}."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estate::{Estate, KeyEntry, RegionScan};
    use crate::test_keys::key_in_state;

    const NOW: i64 = 1_800_000_000;

    fn family(primary: KeyState, replica: KeyState) -> (Estate, KeyInfo, KeyInfo) {
        let p = key_in_state("us-east-1", Role::Primary, primary);
        let r = key_in_state("eu-west-1", Role::Replica, replica);
        let mut estate = Estate::new(vec![
            "us-east-1".parse().unwrap(),
            "eu-west-1".parse().unwrap(),
        ]);
        for k in [&p, &r] {
            estate.apply_scan(
                k.region,
                RegionScan {
                    keys: vec![KeyEntry::Described(Box::new(k.clone()))],
                    aliases: Vec::new(),
                },
            );
        }
        (estate, p, r)
    }

    fn record(days_ago: i64, name: &str, error: Option<&str>) -> TrailEvent {
        TrailEvent {
            time: NOW - days_ago * DAY,
            region: "eu-west-1".into(),
            account: "111122223333".into(),
            event_name: name.into(),
            identity_arn: Some("arn:aws:iam::111122223333:role/orders-app".into()),
            source_ip: None,
            error_code: error.map(str::to_string),
            request_id: None,
            event_id: format!("e-{days_ago}-{name}"),
        }
    }

    fn stage_of(replica: KeyState, trail: Option<&[TrailEvent]>) -> Stage {
        let (estate, _, r) = family(KeyState::Enabled, replica);
        let family = estate.family(&r.key_id).unwrap();
        let evidence = Evidence { trail, usage: None };
        stage(&r, family, evidence, NOW, DEFAULT_QUIET_DAYS)
    }

    #[test]
    fn an_enabled_replica_is_disabled_first() {
        assert_eq!(stage_of(KeyState::Enabled, Some(&[])), Stage::Disable);
    }

    #[test]
    fn a_replica_disabled_three_days_ago_and_quiet_waits_four_more() {
        let trail = [record(3, "DisableKey", None)];
        assert!(matches!(
            stage_of(KeyState::Disabled, Some(&trail)),
            Stage::Waiting { days_left: 4, .. }
        ));
    }

    #[test]
    fn a_refused_use_since_the_disable_blocks_and_names_the_caller() {
        let trail = [
            record(3, "DisableKey", None),
            record(1, "Decrypt", Some("DisabledException")),
        ];
        let stage = stage_of(KeyState::Disabled, Some(&trail));
        let Stage::Blocked { refusals, last, .. } = &stage else {
            panic!("{stage:?}");
        };
        assert_eq!(*refusals, 1);
        assert!(
            last.as_ref()
                .is_some_and(|(who, _)| who.ends_with("role/orders-app"))
        );
        assert!(stage.describe(NOW).contains(
            "1 DisabledException since, last by arn:aws:iam::111122223333:role/orders-app"
        ));
    }

    #[test]
    fn a_refusal_older_than_the_quiet_period_no_longer_blocks() {
        let trail = [
            record(30, "DisableKey", None),
            record(9, "Decrypt", Some("DisabledException")),
        ];
        assert!(matches!(
            stage_of(KeyState::Disabled, Some(&trail)),
            Stage::Ready { .. }
        ));
        let recent = [
            record(30, "DisableKey", None),
            record(2, "Decrypt", Some("DisabledException")),
        ];
        assert!(matches!(
            stage_of(KeyState::Disabled, Some(&recent)),
            Stage::Blocked { days_left: 5, .. }
        ));
    }

    #[test]
    fn a_refusal_before_the_last_disable_is_history_not_a_block() {
        let trail = [
            record(20, "Decrypt", Some("DisabledException")),
            record(15, "EnableKey", None),
            record(10, "DisableKey", None),
        ];
        assert!(matches!(
            stage_of(KeyState::Disabled, Some(&trail)),
            Stage::Ready { .. }
        ));
    }

    #[test]
    fn a_key_quiet_for_the_whole_period_may_be_scheduled_for_deletion() {
        let trail = [record(8, "DisableKey", None)];
        let stage = stage_of(KeyState::Disabled, Some(&trail));
        assert_eq!(
            stage,
            Stage::Ready {
                disabled_at: Some(NOW - 8 * DAY)
            }
        );
        assert!(
            stage
                .describe(NOW)
                .starts_with("Step 3: disabled 8 days ago")
        );
    }

    #[test]
    fn a_key_disabled_before_the_trails_window_is_judged_on_the_whole_window() {
        assert_eq!(
            stage_of(KeyState::Disabled, Some(&[])),
            Stage::Ready { disabled_at: None }
        );
        let refused = [record(3, "Decrypt", Some("DisabledException"))];
        assert!(matches!(
            stage_of(KeyState::Disabled, Some(&refused)),
            Stage::Blocked { .. }
        ));
    }

    #[test]
    fn without_the_trail_nothing_past_disable_is_offered() {
        assert!(matches!(
            stage_of(KeyState::Disabled, None),
            Stage::NotPossible(_)
        ));
    }

    #[test]
    fn a_primary_waits_for_its_replicas() {
        let (estate, p, _) = family(KeyState::Enabled, KeyState::Enabled);
        let family = estate.family(&p.key_id).unwrap();
        let evidence = Evidence {
            trail: Some(&[]),
            usage: None,
        };
        let stage = stage(&p, family, evidence, NOW, DEFAULT_QUIET_DAYS);
        assert_eq!(
            stage,
            Stage::NotPossible(
                "a primary is retired only after its replicas: retire those in eu-west-1 first"
                    .into()
            )
        );
    }
}
