//! What a baseline asks of each cell of the grid, and how each Region measures up: a required
//! Region with no key is *missing*, a key in a Region the baseline does not allow is *not
//! allowed*, and an empty cell no rule cares about is nothing at all.
//!
//! The audit's coverage findings and the grid's marks read the same rules, so the picture and
//! the report never disagree.

use std::collections::{BTreeMap, HashMap};

use super::baseline::Baseline;
use super::estate::{Cell, Estate, Family, KeyEntry, RegionStatus};
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
///
/// Says per cell what `Estate::cell` says, but reads each family once: asking `cell` for every
/// Region repeated the family lookup and, for every empty cell, the walk of the family's
/// replica lists (the grid recounts on every estate change, 10,000 families × 34 Regions).
pub fn region_coverage(
    estate: &Estate,
    baseline: &Baseline,
    tags: &HashMap<MrkId, Vec<Tag>>,
) -> BTreeMap<Region, RegionCoverage> {
    let columns: Vec<(Region, &RegionStatus)> = estate
        .regions()
        .iter()
        .map(|r| (*r, estate.status(*r)))
        .collect();
    let mut counts = vec![RegionCoverage::default(); columns.len()];
    for (id, family) in estate.families() {
        let required = baseline.required_for(family, tags.get(id).map(Vec::as_slice));
        let reported = reported_region_names(family);
        for ((region, status), coverage) in columns.iter().zip(counts.iter_mut()) {
            let held = held_in(family, *region, status, &reported);
            coverage.present += usize::from(held == Held::Key);
            if required.contains(region) {
                coverage.required += 1;
                coverage.missing += usize::from(held == Held::Nothing);
            }
        }
    }
    columns.into_iter().map(|(r, _)| r).zip(counts).collect()
}

/// What a cell holds, for counting: `Estate::cell` folded to what the summary needs.
#[derive(PartialEq)]
enum Held {
    /// Primary, replica, or a key a related key's configuration places here.
    Key,
    /// Scanned, and no key: `Cell::Absent`.
    Nothing,
    /// Not read yet, or could not be read: neither present nor missing.
    Unknown,
}

fn held_in(family: &Family, region: Region, status: &RegionStatus, reported: &[&str]) -> Held {
    match (status, family.entry(region)) {
        (RegionStatus::Failed(_), _) => Held::Unknown,
        (_, Some(KeyEntry::Described(_))) => Held::Key,
        (_, Some(KeyEntry::Failed { .. })) => Held::Unknown,
        (RegionStatus::Waiting | RegionStatus::Scanning, None) => Held::Unknown,
        (RegionStatus::Scanned, None) if reported.contains(&region.name()) => Held::Key,
        (RegionStatus::Scanned, None) => Held::Nothing,
    }
}

/// The Regions the family's keys' configurations name (as `Family::reported_in` reads them).
fn reported_region_names(family: &Family) -> Vec<&str> {
    family
        .described()
        .filter_map(|key| key.multi_region.as_ref())
        .flat_map(|config| config.primary.iter().chain(config.replicas.iter()))
        .map(|related| related.region.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estate::{KeyEntry, RegionScan};
    use crate::test_keys::{ID, key};
    use crate::{KeyInfo, Role};

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
            replicas: Default::default(),
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
    /// `Estate::cell`, Region by Region: what the summary must agree with.
    fn counted_cell_by_cell(
        estate: &Estate,
        baseline: &Baseline,
    ) -> BTreeMap<Region, RegionCoverage> {
        let mut out = BTreeMap::new();
        for r in estate.regions() {
            let mut c = RegionCoverage::default();
            for (id, family) in estate.families() {
                let cell = estate.cell(id, *r);
                c.present += usize::from(matches!(
                    cell,
                    Cell::Primary(_) | Cell::Replica(_) | Cell::Reported { .. }
                ));
                if baseline.required_for(family, None).contains(r) {
                    c.required += 1;
                    c.missing += usize::from(matches!(cell, Cell::Absent));
                }
            }
            out.insert(*r, c);
        }
        out
    }

    #[test]
    fn the_summary_counts_what_each_cell_shows_whatever_the_regions_state() {
        use crate::problem::{Problem, ProblemKind};
        let names = [
            "us-east-1",      // the primary
            "ap-southeast-2", // listed, DescribeKey failed
            "eu-west-1",      // scanned before its replica was made: reported only
            "us-west-2",      // the whole Region failed
            "eu-central-1",   // not scanned yet
            "eu-north-1",     // scanned, empty
        ];
        let mut estate = Estate::new(names.iter().map(|n| region(n)).collect());
        let primary = key(
            "us-east-1",
            Role::Primary,
            "us-east-1",
            &["ap-southeast-2", "eu-west-1", "us-west-2", "eu-central-1"],
        );
        let denied = Problem::new(ProblemKind::AccessDenied, "AccessDeniedException", "no");
        estate.apply_scan(
            region("us-east-1"),
            RegionScan {
                keys: vec![KeyEntry::Described(Box::new(primary))],
                aliases: vec![],
            },
        );
        estate.apply_scan(
            region("ap-southeast-2"),
            RegionScan {
                keys: vec![KeyEntry::Failed {
                    key_id: MrkId::parse(ID).unwrap(),
                    problem: denied.clone(),
                }],
                aliases: vec![],
            },
        );
        estate.apply_scan(region("eu-west-1"), RegionScan::default());
        estate.apply_failure(region("us-west-2"), denied);
        estate.apply_scan(region("eu-north-1"), RegionScan::default());
        let every_region = Baseline {
            require_regions: estate.regions().to_vec(),
            allow_regions: None,
            rules: vec![],
            replicas: Default::default(),
        };
        for baseline in [every_region, Baseline::default()] {
            assert_eq!(
                region_coverage(&estate, &baseline, &HashMap::new()),
                counted_cell_by_cell(&estate, &baseline),
                "{baseline:?}"
            );
        }
        let eu_west =
            region_coverage(&estate, &Baseline::default(), &HashMap::new())[&region("eu-west-1")];
        assert_eq!(
            eu_west.present, 1,
            "a replica only its primary names still counts"
        );
    }
}
