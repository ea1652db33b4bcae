//! The snapshot diff: what changed between two snapshots of the estate — families and replicas
//! that came and went, keys whose state or role changed, findings that appeared or were fixed.
//!
//! Pure. A Region that was not read completely in both snapshots is never compared (a failed
//! scan must not read as "every replica there was removed"); the diff names it instead.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::history::{CellFact, FindingFact, SnapshotFacts, UNREADABLE};

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

/// What a diff says when its two audits were judged by different rules.
pub const RULES_CHANGED: &str = "The two audits were judged by different rules (baseline or \
expiry window): a finding new or resolved between them may be the rules' doing, not the estate's.";

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
    /// Both snapshots were audited, under different rules (baseline or expiry window): a
    /// finding new or resolved between them may be the rules' doing, not the estate's.
    pub rules_changed: bool,
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
        rules_changed: matches!((&from.rules, &to.rules), (Some(a), Some(b)) if a != b),
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
