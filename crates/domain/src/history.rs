//! What changed between two snapshots of the estate: families and replicas that came and went,
//! keys whose state or role changed, findings that appeared or were fixed.
//!
//! Pure: the store keeps snapshots as these facts, this module compares them. A Region that was
//! not read completely in both snapshots is never compared (a failed scan must not read as
//! "every replica there was removed"); the diff names it instead.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::audit::{Finding, NotAudited};
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

/// What kind of change a diff reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    FamilyAdded,
    FamilyRemoved,
    ReplicaAdded,
    ReplicaRemoved,
    StateChanged,
    /// A key became the primary or a replica (UpdatePrimaryRegion).
    RoleChanged,
    FindingNew,
    FindingResolved,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::FamilyAdded => "family-added",
            ChangeKind::FamilyRemoved => "family-removed",
            ChangeKind::ReplicaAdded => "replica-added",
            ChangeKind::ReplicaRemoved => "replica-removed",
            ChangeKind::StateChanged => "state-changed",
            ChangeKind::RoleChanged => "role-changed",
            ChangeKind::FindingNew => "finding-new",
            ChangeKind::FindingResolved => "finding-resolved",
        }
    }
}

/// One change, reported once. `from` and `to` are the two snapshots' values (`None` where the
/// thing did not exist).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub kind: ChangeKind,
    pub account: String,
    pub key_id: String,
    pub region: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Every change from one snapshot to the next, and the Regions that could not be compared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diff {
    pub changes: Vec<Change>,
    /// Regions read completely in only one of the two snapshots (or neither): nothing in them
    /// is compared.
    pub not_compared: Vec<String>,
    /// Key families that either snapshot did not read completely ("KEY in REGION"): their
    /// findings are neither new nor resolved, and a key there that could not be described is
    /// not reported as changed.
    pub keys_not_compared: Vec<String>,
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

/// What an audit saw, for a snapshot: its findings and what it could not look at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFacts {
    pub findings: Vec<Finding>,
    pub not_audited: Vec<NotAudited>,
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
    }
}

/// Key families that `facts` did not read completely: a gap the audit named, or a key listed
/// but not described.
fn incomplete_families(facts: &SnapshotFacts) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (key, region) in &facts.gaps {
        out.entry(key.clone()).or_insert_with(|| region.clone());
    }
    for ((key, region), cell) in &facts.cells {
        if cell.state == UNREADABLE {
            out.entry(key.clone()).or_insert_with(|| region.clone());
        }
    }
    out
}

/// The state a snapshot gives a key it listed but could not describe.
const UNREADABLE: &str = "Unreadable";

fn finding_fact(f: &Finding) -> FindingFact {
    let kind = serde_json::to_value(f.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
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

/// Every change from `from` to `to`, each reported once: a family that appeared is one
/// `family-added` (not one per replica); keys in a Region that either snapshot could not read
/// are not compared.
pub fn diff(from: &SnapshotFacts, to: &SnapshotFacts) -> Diff {
    let compared: BTreeSet<&String> = from.scanned.intersection(&to.scanned).collect();
    let not_compared = from
        .scanned
        .symmetric_difference(&to.scanned)
        .cloned()
        .collect();
    let mut incomplete = incomplete_families(from);
    for (key, region) in incomplete_families(to) {
        incomplete.entry(key).or_insert(region);
    }
    // A key that could not be described in either snapshot is not compared there: "Unreadable"
    // is not a state the key went into.
    let unreadable: BTreeSet<&(String, String)> = [from, to]
        .iter()
        .flat_map(|f| f.cells.iter())
        .filter(|(_, c)| c.state == UNREADABLE)
        .map(|(at, _)| at)
        .collect();
    let in_compared = |facts: &'_ SnapshotFacts| -> BTreeMap<String, BTreeMap<String, CellFact>> {
        let mut families: BTreeMap<String, BTreeMap<String, CellFact>> = BTreeMap::new();
        for (at, fact) in &facts.cells {
            let (key, region) = at;
            if compared.contains(region) && !unreadable.contains(at) {
                families
                    .entry(key.clone())
                    .or_default()
                    .insert(region.clone(), fact.clone());
            }
        }
        families
    };
    let (before, after) = (in_compared(from), in_compared(to));
    let account = to.account.clone();
    let change = |kind, key: &str, region: &str, from: Option<String>, to: Option<String>| Change {
        kind,
        account: account.clone(),
        key_id: key.to_string(),
        region: region.to_string(),
        from,
        to,
    };
    let mut changes = Vec::new();
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for key in keys {
        match (before.get(key), after.get(key)) {
            (None, Some(cells)) => {
                let (region, summary) = family_summary(cells);
                changes.push(change(
                    ChangeKind::FamilyAdded,
                    key,
                    &region,
                    None,
                    Some(summary),
                ));
            }
            (Some(cells), None) => {
                let (region, summary) = family_summary(cells);
                changes.push(change(
                    ChangeKind::FamilyRemoved,
                    key,
                    &region,
                    Some(summary),
                    None,
                ));
            }
            (Some(old), Some(new)) => changes.extend(
                cell_changes(old, new)
                    .into_iter()
                    .map(|(kind, region, f, t)| change(kind, key, &region, f, t)),
            ),
            (None, None) => {}
        }
    }
    changes.extend(finding_changes(from, to, &incomplete));
    Diff {
        changes,
        not_compared,
        keys_not_compared: incomplete
            .iter()
            .map(|(key, region)| format!("{key} in {region}"))
            .collect(),
    }
}

/// Where a family's primary is (or its first key), and "Primary in R, replicas in …".
fn family_summary(cells: &BTreeMap<String, CellFact>) -> (String, String) {
    let primary = cells.iter().find(|(_, c)| c.role == "Primary");
    let region = primary
        .or_else(|| cells.iter().next())
        .map(|(r, _)| r.clone())
        .unwrap_or_default();
    let keys: Vec<String> = cells
        .iter()
        .map(|(r, c)| format!("{r} {} {}", c.role, c.state))
        .collect();
    (region, keys.join(", "))
}

type CellChange = (ChangeKind, String, Option<String>, Option<String>);

fn cell_changes(
    old: &BTreeMap<String, CellFact>,
    new: &BTreeMap<String, CellFact>,
) -> Vec<CellChange> {
    let regions: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut out = Vec::new();
    for region in regions {
        match (old.get(region), new.get(region)) {
            (None, Some(c)) => out.push((
                ChangeKind::ReplicaAdded,
                region.clone(),
                None,
                Some(c.state.clone()),
            )),
            (Some(c), None) => out.push((
                ChangeKind::ReplicaRemoved,
                region.clone(),
                Some(c.state.clone()),
                None,
            )),
            (Some(a), Some(b)) => {
                if a.role != b.role {
                    out.push((
                        ChangeKind::RoleChanged,
                        region.clone(),
                        Some(a.role.clone()),
                        Some(b.role.clone()),
                    ));
                }
                if a.state != b.state {
                    out.push((
                        ChangeKind::StateChanged,
                        region.clone(),
                        Some(a.state.clone()),
                        Some(b.state.clone()),
                    ));
                }
            }
            (None, None) => {}
        }
    }
    out
}

/// Findings that appeared or went away. Only when both snapshots were audited; a finding is
/// resolved only where the later snapshot could look (a Region it failed to read keeps its
/// findings unresolved, not fixed), and neither new nor resolved on a family either snapshot
/// did not read completely (`incomplete`).
fn finding_changes(
    from: &SnapshotFacts,
    to: &SnapshotFacts,
    incomplete: &BTreeMap<String, String>,
) -> Vec<Change> {
    let (Some(before), Some(after)) = (&from.findings, &to.findings) else {
        return Vec::new();
    };
    let looked = |f: &FindingFact| {
        (f.region.is_empty()
            || (to.scanned.contains(&f.region) && from.scanned.contains(&f.region)))
            && !incomplete.contains_key(&f.key_id)
    };
    let mut out = Vec::new();
    for (print, f) in after {
        if !before.contains_key(print) && looked(f) {
            out.push(finding_change(
                ChangeKind::FindingNew,
                &to.account,
                f,
                None,
                Some(f),
            ));
        }
    }
    for (print, f) in before {
        if !after.contains_key(print) && looked(f) {
            out.push(finding_change(
                ChangeKind::FindingResolved,
                &to.account,
                f,
                Some(f),
                None,
            ));
        }
    }
    out
}

fn finding_change(
    kind: ChangeKind,
    account: &str,
    f: &FindingFact,
    from: Option<&FindingFact>,
    to: Option<&FindingFact>,
) -> Change {
    let text = |f: &FindingFact| format!("{} {}: {}", f.severity, f.kind, f.message);
    Change {
        kind,
        account: account.to_string(),
        key_id: f.key_id.clone(),
        region: f.region.clone(),
        from: from.map(text),
        to: to.map(text),
    }
}

#[cfg(test)]
#[path = "history_tests.rs"]
mod tests;
