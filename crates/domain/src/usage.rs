//! What a key's last usage means (KMS_FACTS.md §1). GetKeyLastUsage answers one of three things
//! — used since tracking began; never used since the key was made; or no record since tracking
//! began, when the key is older than tracking (it may have been used before) — and only
//! successful cryptographic operations count. Each key of a family tracks its own use.
//! Pure: `aws` reads the call into `KeyUsage`; the audit and the window read it from here.

use std::collections::HashMap;

use super::audit::{Finding, FindingKind, NotAudited, Severity};
use super::estate::{Estate, KeyEntry};
use super::key::{Role, format_utc};
use super::{MrkId, Region};

const DAY: i64 = 86_400;

/// What a replica costs each month (KMS pricing: every key, replicas included).
pub const MONTHLY_COST: &str = "USD 1 a month";

/// The last successful cryptographic operation a key recorded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LastUse {
    /// `Decrypt`, `GenerateDataKey`, …: kept as text, the list grows.
    pub operation: String,
    /// Seconds since the Unix epoch.
    pub at: i64,
    pub cloudtrail_event_id: Option<String>,
    pub kms_request_id: Option<String>,
}

/// One key's GetKeyLastUsage answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KeyUsage {
    pub last: Option<LastUse>,
    /// The later of when KMS began tracking and when the key was made.
    pub tracking_start: i64,
    pub created: Option<i64>,
}

/// The three answers of the API, in words a decision can rest on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict<'a> {
    Used(&'a LastUse),
    /// No use since the key was made.
    NeverUsed,
    /// No use recorded since tracking began on this date; the key is older than that.
    NoRecordSince(i64),
}

/// How long ago a key was last used, as the Usage view marks a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Age {
    /// Used within the last day.
    Today,
    /// Used within the last 30 days.
    ThisMonth,
    /// Last used this many days ago.
    Days(i64),
    /// Never used since it was made.
    Never,
    /// No record for this many days (tracking began then; it may have been used before).
    NoRecord(i64),
}

impl KeyUsage {
    pub fn verdict(&self) -> Verdict<'_> {
        match (&self.last, self.created) {
            (Some(last), _) => Verdict::Used(last),
            (None, Some(created)) if created < self.tracking_start => {
                Verdict::NoRecordSince(self.tracking_start)
            }
            (None, _) => Verdict::NeverUsed,
        }
    }

    /// Since when no successful use is known: the last use, or the start of tracking (which
    /// is the creation date for a key made after tracking began).
    pub fn quiet_since(&self) -> i64 {
        self.last.as_ref().map_or(self.tracking_start, |l| l.at)
    }

    pub fn age(&self, now: i64) -> Age {
        let days = (now - self.quiet_since()).max(0) / DAY;
        match self.verdict() {
            Verdict::Used(_) if days < 1 => Age::Today,
            Verdict::Used(_) if days <= 30 => Age::ThisMonth,
            Verdict::Used(_) => Age::Days(days),
            Verdict::NeverUsed => Age::Never,
            Verdict::NoRecordSince(_) => Age::NoRecord(days),
        }
    }

    /// The details panel's line: what the key last did, when, and under which CloudTrail
    /// event; or which of the two "no use" answers it is.
    pub fn describe(&self) -> String {
        match self.verdict() {
            Verdict::Used(last) => {
                let event = last
                    .cloudtrail_event_id
                    .as_deref()
                    .map(|id| format!(" (CloudTrail event {id})"))
                    .unwrap_or_default();
                format!(
                    "last used: {} at {}{event}",
                    last.operation,
                    format_utc(last.at)
                )
            }
            Verdict::NeverUsed => "not used since it was created".into(),
            Verdict::NoRecordSince(start) => format!(
                "no record since tracking began on {} — it may have been used before",
                &format_utc(start)[..10]
            ),
        }
    }
}

impl KeyUsage {
    /// The details panel's sentence, led by how long ago: "Last used today: Decrypt at …
    /// (CloudTrail event …)", "Never used since it was created", "No record since tracking
    /// began on … — it may have been used before".
    pub fn sentence(&self, now: i64) -> String {
        let when = match self.age(now) {
            Age::Today => "today".to_string(),
            Age::ThisMonth | Age::Days(_) => {
                let days = (now - self.quiet_since()).max(0) / DAY;
                format!("{days} days ago")
            }
            Age::Never => return "Never used since it was created".into(),
            Age::NoRecord(_) => {
                let mut text = self.describe();
                text[..1].make_ascii_uppercase();
                return text;
            }
        };
        let rest = self.describe();
        let rest = rest.strip_prefix("last used: ").unwrap_or(&rest);
        format!("Last used {when}: {rest}")
    }
}

impl Age {
    /// A word for the cell, so no meaning rests on colour alone.
    pub fn label(self) -> String {
        match self {
            Age::Today => "used today".into(),
            Age::ThisMonth => "used this month".into(),
            Age::Days(d) => format!("not in {d} d"),
            Age::Never => "never used".into(),
            Age::NoRecord(d) => format!("no record {d} d"),
        }
    }
}

/// Each key's usage, by family and Region.
pub type UsageMap = HashMap<(MrkId, Region), KeyUsage>;

/// The usage findings of `estate`: a replica with no successful use known for `unused_days`
/// is `replica-unused` (low, with its cost), a primary `primary-unused` (info). A key whose
/// usage was not read (in `usage`) is not audited, so an audit with usage never reads as
/// complete where it could not look.
pub fn usage_findings(
    estate: &Estate,
    usage: &UsageMap,
    unused_days: i64,
    now: i64,
) -> (Vec<Finding>, Vec<NotAudited>) {
    let mut findings = Vec::new();
    let mut not_audited = Vec::new();
    for (id, family) in estate.families() {
        for region in family.listed_regions() {
            let Some(KeyEntry::Described(info)) = family.entry(region) else {
                continue;
            };
            let Some(used) = usage.get(&(id.clone(), region)) else {
                not_audited.push(NotAudited {
                    key_id: Some(id.clone()),
                    region,
                    reason: "its last usage could not be read (GetKeyLastUsage)".into(),
                });
                continue;
            };
            let quiet_days = (now - used.quiet_since()) / DAY;
            if quiet_days < unused_days {
                continue;
            }
            let (kind, severity, advice) = match info.role() {
                Role::Replica => (
                    FindingKind::ReplicaUnused,
                    Severity::Low,
                    format!(
                        "a replica costs {MONTHLY_COST} and is one more place the key can be used: \
                         retire it the safe way (disable it, watch CloudTrail for DisabledException, \
                         then schedule its deletion)"
                    ),
                ),
                Role::Primary => (
                    FindingKind::PrimaryUnused,
                    Severity::Info,
                    "its replicas are used on their own; a primary is retired only after them"
                        .into(),
                ),
            };
            findings.push(Finding {
                severity,
                kind,
                key_id: Some(id.clone()),
                region: Some(region),
                message: format!(
                    "{id} in {region}: no successful use for {quiet_days} days ({}); {advice}.",
                    used.describe()
                ),
                subject: String::new(),
            });
        }
    }
    (findings, not_audited)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_keys::{ID, pair_estate};

    const NOW: i64 = 1_800_000_000;
    const TRACKING: i64 = 1_777_248_000;

    fn used(days_ago: i64) -> KeyUsage {
        KeyUsage {
            last: Some(LastUse {
                operation: "Decrypt".into(),
                at: NOW - days_ago * DAY,
                cloudtrail_event_id: Some("e-1".into()),
                kms_request_id: Some("r-1".into()),
            }),
            tracking_start: TRACKING,
            created: Some(TRACKING - 400 * DAY),
        }
    }

    fn unused(created: i64) -> KeyUsage {
        KeyUsage {
            last: None,
            tracking_start: created.max(TRACKING),
            created: Some(created),
        }
    }

    fn region(name: &str) -> Region {
        name.parse().unwrap()
    }

    #[test]
    fn the_three_answers_of_the_api_are_told_apart() {
        assert!(matches!(used(3).verdict(), Verdict::Used(l) if l.operation == "Decrypt"));
        assert_eq!(unused(TRACKING + 10 * DAY).verdict(), Verdict::NeverUsed);
        assert_eq!(
            unused(TRACKING - 10 * DAY).verdict(),
            Verdict::NoRecordSince(TRACKING)
        );
        assert!(used(3).describe().contains("CloudTrail event e-1"));
        assert!(
            used(3)
                .sentence(NOW)
                .starts_with("Last used 3 days ago: Decrypt at ")
        );
        assert_eq!(
            unused(TRACKING + DAY).sentence(NOW),
            "Never used since it was created"
        );
        assert!(
            unused(TRACKING - DAY)
                .sentence(NOW)
                .starts_with("No record since")
        );
        assert_eq!(
            unused(TRACKING + DAY).describe(),
            "not used since it was created"
        );
        assert!(unused(TRACKING - DAY).describe().contains(
            "no record since tracking began on 2026-04-27 — it may have been used before"
        ));
    }

    #[test]
    fn a_cell_is_marked_by_how_long_ago_and_in_words() {
        assert_eq!(used(0).age(NOW), Age::Today);
        assert_eq!(used(12).age(NOW), Age::ThisMonth);
        assert_eq!(used(45).age(NOW), Age::Days(45));
        assert_eq!(unused(NOW - 5 * DAY).age(NOW), Age::Never);
        let days = (NOW - TRACKING) / DAY;
        assert_eq!(unused(TRACKING - DAY).age(NOW), Age::NoRecord(days));
        assert_eq!(Age::Days(45).label(), "not in 45 d");
    }

    fn usage(primary: KeyUsage, replica: Option<KeyUsage>) -> UsageMap {
        let id = MrkId::parse(ID).unwrap();
        let mut map = UsageMap::new();
        map.insert((id.clone(), region("us-east-1")), primary);
        if let Some(replica) = replica {
            map.insert((id, region("eu-west-1")), replica);
        }
        map
    }

    #[test]
    fn a_replica_quiet_for_the_window_is_low_with_its_cost_and_a_primary_info() {
        let (findings, gaps) = usage_findings(
            &pair_estate(&[]),
            &usage(used(120), Some(used(91))),
            90,
            NOW,
        );
        assert!(gaps.is_empty());
        let of = |kind| {
            findings
                .iter()
                .find(|f| f.kind == kind)
                .map(|f| (f.severity, &f.message))
        };
        assert!(matches!(
            of(FindingKind::PrimaryUnused),
            Some((Severity::Info, _))
        ));
        let Some((Severity::Low, message)) = of(FindingKind::ReplicaUnused) else {
            panic!("no low replica-unused finding: {findings:?}");
        };
        assert!(message.contains(MONTHLY_COST), "{message}");
        assert!(message.contains("91 days"), "{message}");
        assert_eq!(findings.len(), 2);
    }

    #[test]
    fn a_key_used_within_the_window_or_made_within_it_is_no_finding() {
        let young = unused(NOW - 10 * DAY);
        let (findings, _) =
            usage_findings(&pair_estate(&[]), &usage(used(2), Some(young)), 90, NOW);
        assert!(findings.is_empty(), "{findings:?}");
    }

    #[test]
    fn a_key_older_than_tracking_is_judged_from_the_start_of_tracking() {
        let (findings, _) = usage_findings(
            &pair_estate(&[]),
            &usage(used(1), Some(unused(TRACKING - DAY))),
            90,
            NOW,
        );
        assert_eq!(findings.len(), 1);
        assert!(findings[0].message.contains("it may have been used before"));
    }

    #[test]
    fn a_key_whose_usage_was_not_read_is_not_audited() {
        let (findings, gaps) = usage_findings(&pair_estate(&[]), &usage(used(1), None), 90, NOW);
        assert!(findings.is_empty());
        assert_eq!(gaps.len(), 1);
        assert_eq!(gaps[0].region, region("eu-west-1"));
        assert!(gaps[0].reason.contains("GetKeyLastUsage"));
    }
}
