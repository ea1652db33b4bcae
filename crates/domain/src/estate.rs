//! The estate: every multi-Region key family seen by a scan, and the cell each family has in each
//! Region.
//!
//! Scan results arrive one Region at a time and in any order; the estate folds them in and derives
//! cells on demand, so a Region that is still scanning or has failed never erases what the other
//! Regions reported.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::key::{KeyInfo, KeyState, MrkId, Role};
use super::problem::Problem;
use super::region::Region;

/// Where a Region's scan stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionStatus {
    /// Not scanned yet in this session.
    Waiting,
    /// A scan is running; earlier data (if any) is still shown.
    Scanning,
    /// The last scan finished; its keys are in the estate.
    Scanned,
    /// The last scan failed as a whole (ListKeys or ListAliases).
    Failed(Problem),
}

/// How a Region's read ended, as reports and the history name it: `scanned`, `failed`,
/// `not-scanned`. Never a bare string: a comparison with a misspelt word would compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RegionRead {
    Scanned,
    Failed,
    NotScanned,
}

impl RegionRead {
    pub fn as_str(self) -> &'static str {
        match self {
            RegionRead::Scanned => "scanned",
            RegionRead::Failed => "failed",
            RegionRead::NotScanned => "not-scanned",
        }
    }
}

/// A saved Region read status this build does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a Region's read status")]
pub struct UnknownRegionRead(pub String);

impl std::str::FromStr for RegionRead {
    type Err = UnknownRegionRead;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "scanned" => Ok(RegionRead::Scanned),
            "failed" => Ok(RegionRead::Failed),
            "not-scanned" => Ok(RegionRead::NotScanned),
            other => Err(UnknownRegionRead(other.to_string())),
        }
    }
}

impl RegionStatus {
    /// How the Region's read ended, and the failure's problem.
    pub fn word_and_problem(&self) -> (RegionRead, Option<&Problem>) {
        match self {
            RegionStatus::Scanned => (RegionRead::Scanned, None),
            RegionStatus::Failed(p) => (RegionRead::Failed, Some(p)),
            RegionStatus::Waiting | RegionStatus::Scanning => (RegionRead::NotScanned, None),
        }
    }
}

/// One `mrk-` key ID listed in a Region: described, or listed but not describable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyEntry {
    Described(Box<KeyInfo>),
    /// ListKeys returned the ID but DescribeKey failed (often a key policy that denies it).
    Failed {
        key_id: MrkId,
        problem: Problem,
    },
}

impl KeyEntry {
    pub fn key_id(&self) -> &MrkId {
        match self {
            KeyEntry::Described(info) => &info.key_id,
            KeyEntry::Failed { key_id, .. } => key_id,
        }
    }
}

/// Everything one successful Region scan found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegionScan {
    pub keys: Vec<KeyEntry>,
    /// `(alias name, target key ID)` from ListAliases, for labelling rows.
    pub aliases: Vec<(String, String)>,
}

/// What "Refresh changes" found in one Region: the whole listing, fresh descriptions of only the
/// keys that may have changed, and the aliases.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegionRescan {
    /// Every `mrk-` key ID listed (minus those found deleted when described).
    pub listed: Vec<MrkId>,
    pub described: Vec<KeyEntry>,
    pub aliases: Vec<(String, String)>,
}

/// Whether a refresh may skip describing this key again: only settled Enabled and Disabled keys
/// do not change on their own. Everything else (Creating, Updating, Pending…, Unavailable,
/// unreadable) is described again.
pub fn is_settled(entry: &KeyEntry) -> bool {
    matches!(entry, KeyEntry::Described(info) if matches!(info.state, KeyState::Enabled | KeyState::Disabled))
}

/// A family's cell in one Region: what the grid draws.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Primary(&'a KeyInfo),
    Replica(&'a KeyInfo),
    /// The Region was scanned and holds no key of this family.
    Absent,
    /// A related key's `MultiRegionConfiguration` names a key here, but this Region's scan did not
    /// return it (listing lag, or a permission that hides it).
    Reported {
        role: Role,
        arn: &'a str,
    },
    /// This Region, or this key in it, could not be read: never to be confused with `Absent`.
    Unknown(&'a Problem),
    /// The Region has not been scanned yet.
    Scanning,
}

/// One multi-Region key family: its keys per Region and their aliases.
#[derive(Debug, Clone, Default)]
pub struct Family {
    keys: BTreeMap<Region, KeyEntry>,
    aliases: BTreeMap<Region, Vec<String>>,
}

impl Family {
    pub fn entry(&self, region: Region) -> Option<&KeyEntry> {
        self.keys.get(&region)
    }

    /// Every described key of the family, in column order.
    pub fn described(&self) -> impl Iterator<Item = &KeyInfo> {
        self.keys.values().filter_map(|e| match e {
            KeyEntry::Described(info) => Some(info.as_ref()),
            KeyEntry::Failed { .. } => None,
        })
    }

    /// Every Region where a key of this family was listed, described or not.
    pub fn listed_regions(&self) -> impl Iterator<Item = Region> + '_ {
        self.keys.keys().copied()
    }

    /// Keys that were listed but could not be described, with why.
    pub fn unreadable(&self) -> impl Iterator<Item = (Region, &Problem)> {
        self.keys.iter().filter_map(|(r, e)| match e {
            KeyEntry::Failed { problem, .. } => Some((*r, problem)),
            KeyEntry::Described(_) => None,
        })
    }

    /// The primary as a described key says it is: a key that calls itself primary wins, then
    /// the `PrimaryKey` any replica names.
    pub fn primary_region(&self) -> Option<String> {
        if let Some(p) = self.described().find(|k| k.role() == Role::Primary) {
            return Some(p.region.name().to_string());
        }
        self.described()
            .filter_map(|k| k.multi_region.as_ref()?.primary.as_ref())
            .map(|p| p.region.clone())
            .next()
    }

    /// The first alias, preferring the primary's Region, for labelling the row.
    pub fn first_alias(&self) -> Option<&str> {
        let primary = self.primary_region();
        let in_primary = self
            .aliases
            .iter()
            .find(|(r, _)| Some(r.name()) == primary.as_deref())
            .and_then(|(_, a)| a.first());
        in_primary
            .or_else(|| self.aliases.values().flat_map(|a| a.first()).next())
            .map(String::as_str)
    }

    /// Every alias of the family, in every Region.
    pub fn all_aliases(&self) -> impl Iterator<Item = &str> {
        self.aliases.values().flatten().map(String::as_str)
    }

    pub fn aliases_in(&self, region: Region) -> &[String] {
        self.aliases.get(&region).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Key spec and usage are synchronised by KMS, so any described key tells them.
    pub fn spec_and_usage(&self) -> Option<(&str, &str)> {
        self.described()
            .next()
            .map(|k| (k.key_spec.as_str(), k.key_usage.as_str()))
    }

    /// Keys that related keys' configurations place in a Region, with the role they give it.
    pub fn reported_in(&self, region: Region) -> Option<(Role, &str)> {
        for key in self.described() {
            let Some(config) = &key.multi_region else {
                continue;
            };
            if let Some(p) = config
                .primary
                .as_ref()
                .filter(|p| p.region == region.name())
            {
                return Some((Role::Primary, p.arn.as_str()));
            }
            if let Some(r) = config.replicas.iter().find(|r| r.region == region.name()) {
                return Some((Role::Replica, r.arn.as_str()));
            }
        }
        None
    }

    fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Every family the scan has seen, and each scanned Region's status.
#[derive(Debug, Clone, Default)]
pub struct Estate {
    regions: Vec<Region>,
    status: HashMap<Region, RegionStatus>,
    families: BTreeMap<MrkId, Family>,
    /// Family IDs in display order, kept beside the map so a row can be reached by index.
    order: Vec<MrkId>,
    /// Bumped by every change, so views derived from the estate (filtered, sorted rows) know
    /// when to recompute instead of recomputing every frame.
    revision: u64,
}

impl Estate {
    /// The ARNs of described keys that belong to another account than `account` (by their
    /// ARN). A scan must hold only the account it was made for: keys of another account mean
    /// the endpoint or the credentials are not that account's.
    pub fn keys_of_other_accounts(&self, account: &str) -> Vec<String> {
        self.families()
            .flat_map(|(_, family)| family.described())
            .filter(|k| super::account::account_of_arn(&k.arn) != Some(account))
            .map(|k| k.arn.to_string())
            .collect()
    }
    /// An estate over `regions`, all `Waiting`.
    pub fn new(regions: Vec<Region>) -> Estate {
        let status = regions
            .iter()
            .map(|r| (*r, RegionStatus::Waiting))
            .collect();
        Estate {
            regions,
            status,
            ..Estate::default()
        }
    }

    /// The grid's columns.
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// Changes the column set. Data of Regions that are dropped is forgotten; new ones start `Waiting`.
    pub fn set_regions(&mut self, regions: Vec<Region>) {
        self.revision += 1;
        let keep: BTreeSet<Region> = regions.iter().copied().collect();
        for family in self.families.values_mut() {
            family.keys.retain(|r, _| keep.contains(r));
            family.aliases.retain(|r, _| keep.contains(r));
        }
        self.status.retain(|r, _| keep.contains(r));
        for r in &regions {
            self.status.entry(*r).or_insert(RegionStatus::Waiting);
        }
        self.regions = regions;
        self.prune();
    }

    pub fn status(&self, region: Region) -> &RegionStatus {
        self.status.get(&region).unwrap_or(&RegionStatus::Waiting)
    }

    pub fn mark_scanning(&mut self, region: Region) {
        self.revision += 1;
        self.status.insert(region, RegionStatus::Scanning);
    }

    /// Replaces everything known about `region` with a fresh scan.
    pub fn apply_scan(&mut self, region: Region, scan: RegionScan) {
        self.revision += 1;
        for family in self.families.values_mut() {
            family.keys.remove(&region);
            family.aliases.remove(&region);
        }
        for entry in scan.keys {
            let family = self.families.entry(entry.key_id().clone()).or_default();
            family.keys.insert(region, entry);
        }
        self.fold_aliases(region, scan.aliases);
        self.status.insert(region, RegionStatus::Scanned);
        self.prune();
    }

    /// The keys of `region` a refresh need not describe again (see `is_settled`).
    pub fn settled_in(&self, region: Region) -> BTreeSet<MrkId> {
        self.families
            .iter()
            .filter(|(_, f)| f.entry(region).is_some_and(is_settled))
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// Folds a "Refresh changes" of `region` in: keys no longer listed go, fresh descriptions
    /// replace old ones, the others are kept as they were. Returns the families that gained or
    /// lost a key in this Region: their other keys' multi-Region configuration is stale now.
    pub fn apply_rescan(&mut self, region: Region, rescan: RegionRescan) -> Vec<MrkId> {
        self.revision += 1;
        let listed: BTreeSet<&MrkId> = rescan.listed.iter().collect();
        let mut changed = Vec::new();
        for (id, family) in &mut self.families {
            if family.keys.contains_key(&region) && !listed.contains(id) {
                family.keys.remove(&region);
                changed.push(id.clone());
            }
            family.aliases.remove(&region);
        }
        for entry in rescan.described {
            let id = entry.key_id().clone();
            let family = self.families.entry(id.clone()).or_default();
            if family.keys.insert(region, entry).is_none() {
                changed.push(id);
            }
        }
        self.fold_aliases(region, rescan.aliases);
        self.status.insert(region, RegionStatus::Scanned);
        self.prune();
        changed
    }

    /// Forgets one key (DescribeKey said it no longer exists).
    pub fn remove_key(&mut self, id: &MrkId, region: Region) {
        self.revision += 1;
        if let Some(family) = self.families.get_mut(id) {
            family.keys.remove(&region);
        }
        self.prune();
    }

    /// Puts one key, as DescribeKey or ReplicateKey just returned it, into its family and Region
    /// (a new replica appears at once, `Creating`).
    pub fn upsert_key(&mut self, info: KeyInfo) {
        self.revision += 1;
        let region = info.region;
        let id = info.key_id.clone();
        self.families
            .entry(id)
            .or_default()
            .keys
            .insert(region, KeyEntry::Described(Box::new(info)));
        self.prune();
    }

    fn fold_aliases(&mut self, region: Region, aliases: Vec<(String, String)>) {
        for (alias, target) in aliases {
            let Some(id) = MrkId::parse(&target) else {
                continue;
            };
            // Aliases of keys the scan did not describe cannot label a row.
            if let Some(family) = self.families.get_mut(&id) {
                family.aliases.entry(region).or_default().push(alias);
            }
        }
        for family in self.families.values_mut() {
            if let Some(list) = family.aliases.get_mut(&region) {
                list.sort();
            }
        }
    }

    /// Records an alias created by the app, so the grid labels it without a rescan.
    pub fn add_alias(&mut self, region: Region, id: &MrkId, alias: String) {
        self.revision += 1;
        if let Some(family) = self.families.get_mut(id) {
            let list = family.aliases.entry(region).or_default();
            if !list.contains(&alias) {
                list.push(alias);
                list.sort();
            }
        }
    }

    /// Records that `region` could not be scanned. Its earlier data stays in memory but every
    /// cell of the column shows the problem, because the current state there is unknown.
    pub fn apply_failure(&mut self, region: Region, problem: Problem) {
        self.revision += 1;
        self.status.insert(region, RegionStatus::Failed(problem));
    }

    fn prune(&mut self) {
        self.families.retain(|_, f| !f.is_empty());
        self.order = self.families.keys().cloned().collect();
    }

    /// Changes whenever anything in the estate changes.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn family_count(&self) -> usize {
        self.order.len()
    }

    /// The family shown in row `index`.
    pub fn family_at(&self, index: usize) -> Option<(&MrkId, &Family)> {
        let id = self.order.get(index)?;
        self.families.get(id).map(|f| (id, f))
    }

    pub fn family(&self, id: &MrkId) -> Option<&Family> {
        self.families.get(id)
    }

    pub fn families(&self) -> impl Iterator<Item = (&MrkId, &Family)> {
        self.families.iter()
    }

    /// The cell of family `id` in `region`.
    pub fn cell(&self, id: &MrkId, region: Region) -> Cell<'_> {
        let status = self.status(region);
        if let RegionStatus::Failed(problem) = status {
            return Cell::Unknown(problem);
        }
        let Some(family) = self.families.get(id) else {
            return Cell::Absent;
        };
        match family.entry(region) {
            Some(KeyEntry::Described(info)) => match info.role() {
                Role::Primary => Cell::Primary(info),
                Role::Replica => Cell::Replica(info),
            },
            Some(KeyEntry::Failed { problem, .. }) => Cell::Unknown(problem),
            None => match status {
                RegionStatus::Waiting | RegionStatus::Scanning => Cell::Scanning,
                _ => match family.reported_in(region) {
                    Some((role, arn)) => Cell::Reported { role, arn },
                    None => Cell::Absent,
                },
            },
        }
    }

    /// True when no Region is still waiting or scanning.
    pub fn is_settled(&self) -> bool {
        self.regions.iter().all(|r| {
            matches!(
                self.status(*r),
                RegionStatus::Scanned | RegionStatus::Failed(_)
            )
        })
    }
}

#[cfg(test)]
#[path = "estate_tests.rs"]
mod tests;
