//! What the history keeps: a snapshot of the estate reduced to facts (`facts_of`), each finding's
//! stable identity across snapshots (`fingerprint`), the journal's entries and ages. Pure: the
//! store saves these, `snapshot_diff` compares two of them.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::audit::{AuditOptions, Finding, NotAudited};
use super::baseline::Baseline;
use super::estate::{Estate, KeyEntry, RegionStatus};

/// One snapshot, reduced to what a diff compares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotFacts {
    pub account: String,
    /// Regions read completely (ListKeys and ListAliases answered).
    pub scanned: BTreeSet<String>,
    /// (key ID, Region) → the key there.
    pub cells: BTreeMap<(String, String), CellFact>,
    /// Fingerprint → finding; `None` when the snapshot was taken without an audit.
    pub findings: Option<BTreeMap<String, FindingFact>>,
    /// (key ID, Region) of keys the audit could not read completely (not described, policy,
    /// tags or grants unread, primary unread): nothing about their family is compared.
    pub gaps: BTreeSet<(String, String)>,
    /// The print of the rules the audit judged by (`rules_print`); `None` without an audit.
    pub rules: Option<String>,
}

/// One Region's status in a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RegionRecord {
    pub region: String,
    pub status: super::estate::RegionRead,
    pub problem: Option<String>,
}

/// A snapshot as `history` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SnapshotSummary {
    pub id: i64,
    pub time: i64,
    pub identity: String,
    pub account: String,
    pub source: String,
    pub regions: Vec<RegionRecord>,
    pub families: usize,
    /// Findings by severity; `None` when the snapshot was taken without an audit.
    pub findings: Option<BTreeMap<String, usize>>,
    /// The print of the rules its audit judged by (`rules_print`): two audited snapshots'
    /// counts compare only when these are equal. `None` without an audit, and for snapshots
    /// saved before the history recorded it (schema 4).
    pub rules: Option<String>,
}

/// A key in one Region as a snapshot saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellFact {
    /// `Primary` or `Replica`; `Unknown` when the key was listed but could not be described.
    pub role: String,
    /// The key state, or `Unreadable` when DescribeKey failed.
    pub state: String,
}

/// A finding as a snapshot kept it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingFact {
    pub kind: String,
    pub severity: String,
    pub key_id: String,
    pub region: String,
    pub message: String,
}

/// One mutating call this app made, as the journal keeps it. Never a secret: the parameters
/// name what was asked (Regions, choices, tag keys and values, a policy's size), not
/// credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    /// Seconds since the Unix epoch.
    pub time: i64,
    /// The caller's ARN, or "identity unknown".
    pub identity: String,
    pub account: String,
    pub region: String,
    pub operation: String,
    pub key_id: String,
    /// The call's parameters, as JSON text.
    pub parameters: String,
    /// "ok: …" or "failed: …".
    pub outcome: String,
    pub request_id: Option<String>,
    /// Where in this app the call came from: `the window`, `apply of PLAN`; `None` for entries
    /// journaled before it was recorded.
    pub source: Option<String>,
}

/// An age such as `90d`, `12h`, `30m` or `2w`, in seconds; for `--since` and `--keep`.
/// An age (`--keep`, `--since`) that is not a number and a unit, or is beyond a century.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}': expected an age such as 90d, 12h, 30m or 2w (at most a century)")]
pub struct BadAge(pub String);

pub fn parse_age(text: &str) -> Result<i64, BadAge> {
    let text = text.trim();
    let split = text.len() - text.chars().last().map_or(0, char::len_utf8);
    let (number, unit) = text.split_at(split);
    let per = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 604_800,
        _ => 0,
    };
    match number.parse::<i64>() {
        Ok(n) if per > 0 && (1..=36_500 * 86_400 / per).contains(&n) => Ok(n * per),
        _ => Err(BadAge(text.to_string())),
    }
}

/// The stable identity of a finding across snapshots: kind, account, key, Region, and what
/// makes it itself among others of its kind there (`subject`: the grant, the policy
/// statements, the aliases). A finding with no subject keeps the form older snapshots saved,
/// so they still compare.
pub fn fingerprint(kind: &str, account: &str, key_id: &str, region: &str, subject: &str) -> String {
    if subject.is_empty() {
        format!("{kind}|{account}|{key_id}|{region}")
    } else {
        format!("{kind}|{account}|{key_id}|{region}|{subject}")
    }
}

/// What an audit saw, for a snapshot: its findings, what it could not look at, and the rules it
/// judged by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFacts {
    pub findings: Vec<Finding>,
    pub not_audited: Vec<NotAudited>,
    /// `rules_print` of the baseline and expiry window the findings were computed under.
    pub rules: String,
}

/// A short print of what an audit judges by — the baseline as parsed (not the file's bytes: a
/// comment or a reordered Region list is no new rule), the expiry window and the usage window
/// — so the history never compares finding counts taken under different rules as if they were
/// one series.
pub fn rules_print(baseline: &Baseline, options: AuditOptions) -> String {
    let mut canonical = baseline.clone();
    canonical.require_regions.sort();
    if let Some(allowed) = canonical.allow_regions.as_mut() {
        allowed.sort();
    }
    for rule in &mut canonical.rules {
        rule.require_regions.sort();
    }
    let mut text = format!("{canonical:?}|expiry-days={}", options.expiry_days);
    // Absent when usage is not read, so prints saved before it existed still match.
    if let Some(days) = options.unused_days {
        text.push_str(&format!("|unused-days={days}"));
    }
    let digest = super::plan::sha256(&text);
    digest[..12].to_string()
}

/// The facts of `estate` (and of the audit, when one ran) for `account`. Every finding the
/// audit reported is kept: two with one fingerprint (which the audit should never raise) are
/// told apart by a counter rather than merged.
pub fn facts_of(estate: &Estate, audited: Option<&AuditFacts>, account: &str) -> SnapshotFacts {
    let scanned = estate
        .regions()
        .iter()
        .filter(|r| matches!(estate.status(**r), RegionStatus::Scanned))
        .map(|r| r.name().to_string())
        .collect();
    let mut cells = BTreeMap::new();
    for (id, family) in estate.families() {
        for region in family.listed_regions() {
            let fact = match family.entry(region) {
                Some(KeyEntry::Described(info)) => CellFact {
                    role: format!("{:?}", info.role()),
                    state: info.state.to_string(),
                },
                _ => CellFact {
                    role: "Unknown".into(),
                    state: UNREADABLE.into(),
                },
            };
            cells.insert((id.to_string(), region.name().to_string()), fact);
        }
    }
    let findings = audited.map(|a| {
        let mut kept = BTreeMap::new();
        for f in &a.findings {
            let fact = finding_fact(f);
            let print = fingerprint(&fact.kind, account, &fact.key_id, &fact.region, &f.subject);
            let mut unique = print.clone();
            let mut n = 1;
            while kept.contains_key(&unique) {
                n += 1;
                unique = format!("{print}#{n}");
            }
            kept.insert(unique, fact);
        }
        kept
    });
    let gaps = audited
        .into_iter()
        .flat_map(|a| &a.not_audited)
        .filter_map(|g| Some((g.key_id.as_ref()?.to_string(), g.region.name().to_string())))
        .collect();
    SnapshotFacts {
        account: account.to_string(),
        scanned,
        cells,
        findings,
        gaps,
        rules: audited.map(|a| a.rules.clone()),
    }
}

/// The state a snapshot gives a key it listed but could not describe.
pub(crate) const UNREADABLE: &str = "Unreadable";

fn finding_fact(f: &Finding) -> FindingFact {
    let kind = f.kind.name();
    FindingFact {
        kind,
        severity: f.severity.to_string(),
        key_id: f
            .key_id
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        region: f.region.map(|r| r.name().to_string()).unwrap_or_default(),
        message: f.message.clone(),
    }
}

#[cfg(test)]
#[path = "history_tests.rs"]
mod tests;
