//! What a baseline asks of each cell of the grid, and how each Region measures up: a required
//! Region with no key is *missing*, a key in a Region the baseline does not allow is *not
//! allowed*, and an empty cell no rule cares about is nothing at all.
//!
//! The audit's coverage findings and the grid's marks read the same rules, so the picture and
//! the report never disagree.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::audit::Baseline;
use super::estate::{Cell, Estate, Family};
use super::key::MrkId;
use super::region::Region;
use super::tags::Tag;

/// A cell the baseline has something to say about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// The baseline requires a key of this family here, and there is none.
    Missing,
    /// A key sits in a Region the baseline does not allow.
    NotAllowed,
}

impl Baseline {
    /// The Regions `family` must have a key in: the baseline's own, plus those of every rule
    /// its aliases or its primary's tags (when known) match.
    pub fn required_for(&self, family: &Family, primary_tags: Option<&[Tag]>) -> BTreeSet<Region> {
        let mut required: BTreeSet<Region> = self.require_regions.iter().copied().collect();
        for rule in &self.rules {
            if rule.matches(family, primary_tags) {
                required.extend(rule.require_regions.iter().copied());
            }
        }
        required
    }

    /// Whether a key may be in `region` (every Region is, without an allow list).
    pub fn allows(&self, region: Region) -> bool {
        self.allow_regions
            .as_ref()
            .is_none_or(|allowed| allowed.contains(&region))
    }

    /// True when the baseline asks nothing (no grid marks, no summary against it).
    pub fn is_empty(&self) -> bool {
        self.require_regions.is_empty() && self.allow_regions.is_none() && self.rules.is_empty()
    }
}

/// The mark of one cell: `required` says whether the baseline requires the family here.
pub fn cell_mark(
    baseline: &Baseline,
    cell: &Cell<'_>,
    region: Region,
    required: bool,
) -> Option<Mark> {
    match cell {
        Cell::Absent if required => Some(Mark::Missing),
        Cell::Primary(_) | Cell::Replica(_) | Cell::Reported { .. } if !baseline.allows(region) => {
            Some(Mark::NotAllowed)
        }
        _ => None,
    }
}

/// How one Region measures up: families with a key there, families the baseline requires
/// there, and how many of those have none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RegionCoverage {
    pub present: usize,
    pub required: usize,
    pub missing: usize,
}

/// Every scanned Region's coverage. `tags` gives a family's primary tags when they are known
/// (tag rules match only then).
pub fn region_coverage(
    estate: &Estate,
    baseline: &Baseline,
    tags: &HashMap<MrkId, Vec<Tag>>,
) -> BTreeMap<Region, RegionCoverage> {
    let mut out: BTreeMap<Region, RegionCoverage> = estate
        .regions()
        .iter()
        .map(|r| (*r, RegionCoverage::default()))
        .collect();
    for (id, family) in estate.families() {
        let required = baseline.required_for(family, tags.get(id).map(Vec::as_slice));
        for (region, coverage) in out.iter_mut() {
            let cell = estate.cell(id, *region);
            let present = matches!(
                cell,
                Cell::Primary(_) | Cell::Replica(_) | Cell::Reported { .. }
            );
            coverage.present += usize::from(present);
            if required.contains(region) {
                coverage.required += 1;
                coverage.missing += usize::from(matches!(cell, Cell::Absent));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::estate::{KeyEntry, RegionScan};
    use crate::domain::test_keys::{ID, key};
    use crate::domain::{KeyInfo, Role};

    fn region(name: &str) -> Region {
        name.parse().unwrap()
    }

    /// One family: primary in us-east-1, replica in ap-southeast-2; eu-west-1 scanned, empty.
    fn estate() -> Estate {
        let mut estate = Estate::new(vec![
            region("us-east-1"),
            region("eu-west-1"),
            region("ap-southeast-2"),
        ]);
        let scan = |k: KeyInfo| RegionScan {
            keys: vec![KeyEntry::Described(Box::new(k))],
            aliases: vec![],
        };
        estate.apply_scan(
            region("us-east-1"),
            scan(key(
                "us-east-1",
                Role::Primary,
                "us-east-1",
                &["ap-southeast-2"],
            )),
        );
        estate.apply_scan(
            region("ap-southeast-2"),
            scan(key(
                "ap-southeast-2",
                Role::Replica,
                "us-east-1",
                &["ap-southeast-2"],
            )),
        );
        estate.apply_scan(region("eu-west-1"), RegionScan::default());
        estate
    }

    fn baseline() -> Baseline {
        Baseline {
            require_regions: vec![region("us-east-1"), region("eu-west-1")],
            allow_regions: Some(vec![region("us-east-1"), region("eu-west-1")]),
            rules: vec![],
        }
    }

    #[test]
    fn an_empty_required_cell_is_missing_and_a_key_outside_the_allow_list_is_not_allowed() {
        let estate = estate();
        let id = MrkId::parse(ID).unwrap();
        let b = baseline();
        let mark = |r: &str, required: bool| {
            cell_mark(&b, &estate.cell(&id, region(r)), region(r), required)
        };
        assert_eq!(mark("eu-west-1", true), Some(Mark::Missing));
        assert_eq!(
            mark("eu-west-1", false),
            None,
            "an empty cell no rule needs is quiet"
        );
        assert_eq!(mark("ap-southeast-2", false), Some(Mark::NotAllowed));
        assert_eq!(mark("us-east-1", true), None);
        assert_eq!(
            cell_mark(
                &Baseline::default(),
                &estate.cell(&id, region("ap-southeast-2")),
                region("ap-southeast-2"),
                false
            ),
            None
        );
    }

    #[test]
    fn each_region_counts_families_present_and_required() {
        let coverage = region_coverage(&estate(), &baseline(), &HashMap::new());
        assert_eq!(
            coverage[&region("us-east-1")],
            RegionCoverage {
                present: 1,
                required: 1,
                missing: 0
            }
        );
        assert_eq!(
            coverage[&region("eu-west-1")],
            RegionCoverage {
                present: 0,
                required: 1,
                missing: 1
            }
        );
        assert_eq!(
            coverage[&region("ap-southeast-2")],
            RegionCoverage {
                present: 1,
                required: 0,
                missing: 0
            }
        );
    }
}
