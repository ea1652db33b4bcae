//! AWS Regions where KMS runs, their partitions, and which ones an account has by default.
//!
//! Why a table rather than asking EC2 `DescribeRegions`: the app must know the partition of a Region
//! before any call succeeds (replicas stay in their primary's partition), and a Region that the
//! account has not enabled has to show as its own column state, not vanish from the list.

use std::fmt;
use std::str::FromStr;

/// An AWS partition. Multi-Region keys never cross one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Partition {
    #[serde(rename = "aws")]
    Aws,
    #[serde(rename = "aws-cn")]
    AwsCn,
    #[serde(rename = "aws-us-gov")]
    AwsUsGov,
}

impl Partition {
    /// The partition's name as it appears in ARNs.
    pub fn arn_name(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsCn => "aws-cn",
            Partition::AwsUsGov => "aws-us-gov",
        }
    }
}

/// How a Region becomes usable for an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    /// Enabled for every account (Regions launched before March 2019).
    Default,
    /// The account owner must opt in first; until then every call there fails.
    OptIn,
}

struct RegionInfo {
    name: &'static str,
    partition: Partition,
    availability: Availability,
}

const fn r(name: &'static str, partition: Partition, availability: Availability) -> RegionInfo {
    RegionInfo {
        name,
        partition,
        availability,
    }
}

use Availability::{Default as D, OptIn as O};
use Partition::{Aws, AwsCn, AwsUsGov};

/// Every Region with KMS, per `KMS_FACTS.md`. Order is the order of grid columns.
const REGIONS: &[RegionInfo] = &[
    r("us-east-1", Aws, D),
    r("us-east-2", Aws, D),
    r("us-west-1", Aws, D),
    r("us-west-2", Aws, D),
    r("ca-central-1", Aws, D),
    r("ca-west-1", Aws, O),
    r("mx-central-1", Aws, O),
    r("sa-east-1", Aws, D),
    r("eu-west-1", Aws, D),
    r("eu-west-2", Aws, D),
    r("eu-west-3", Aws, D),
    r("eu-central-1", Aws, D),
    r("eu-central-2", Aws, O),
    r("eu-north-1", Aws, D),
    r("eu-south-1", Aws, O),
    r("eu-south-2", Aws, O),
    r("il-central-1", Aws, O),
    r("me-central-1", Aws, O),
    r("me-south-1", Aws, O),
    r("af-south-1", Aws, O),
    r("ap-south-1", Aws, D),
    r("ap-south-2", Aws, O),
    r("ap-northeast-1", Aws, D),
    r("ap-northeast-2", Aws, D),
    r("ap-northeast-3", Aws, D),
    r("ap-southeast-1", Aws, D),
    r("ap-southeast-2", Aws, D),
    r("ap-southeast-3", Aws, O),
    r("ap-southeast-4", Aws, O),
    r("ap-southeast-5", Aws, O),
    r("ap-southeast-6", Aws, O),
    r("ap-southeast-7", Aws, O),
    r("ap-east-1", Aws, O),
    r("ap-east-2", Aws, O),
    r("cn-north-1", AwsCn, D),
    r("cn-northwest-1", AwsCn, D),
    r("us-gov-east-1", AwsUsGov, D),
    r("us-gov-west-1", AwsUsGov, D),
];

/// A Region known to have KMS. Constructing one checks the name against the table, so an
/// unknown Region is rejected where the user typed it, not deep inside a failed call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region(&'static str);

/// A Region name that is not in the table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown Region '{0}': expected a KMS Region such as us-east-1 or eu-west-1")]
pub struct UnknownRegion(pub String);

impl Region {
    fn info(self) -> &'static RegionInfo {
        // Every Region value was built from the table, so the lookup cannot miss.
        REGIONS
            .iter()
            .find(|i| i.name == self.0)
            .unwrap_or(&REGIONS[0])
    }

    pub fn name(self) -> &'static str {
        self.0
    }

    pub fn partition(self) -> Partition {
        self.info().partition
    }

    pub fn availability(self) -> Availability {
        self.info().availability
    }

    pub fn is_opt_in(self) -> bool {
        self.availability() == Availability::OptIn
    }

    /// Every KMS Region, in column order.
    pub fn all() -> impl Iterator<Item = Region> {
        REGIONS.iter().map(|i| Region(i.name))
    }

    /// Every Region of one partition.
    pub fn all_in(partition: Partition) -> impl Iterator<Item = Region> {
        Region::all().filter(move |r| r.partition() == partition)
    }

    /// The default scan set: commercial Regions that every account has without opting in.
    pub fn default_scan_set() -> Vec<Region> {
        Region::all_in(Partition::Aws)
            .filter(|r| !r.is_opt_in())
            .collect()
    }
}

impl FromStr for Region {
    type Err = UnknownRegion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        REGIONS
            .iter()
            .find(|i| i.name == wanted)
            .map(|i| Region(i.name))
            .ok_or_else(|| UnknownRegion(s.to_string()))
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl serde::Serialize for Region {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

/// What the user asked to scan: `all` (every commercial Region, opt-in ones included) or a list.
pub fn parse_region_list(spec: &str) -> Result<Vec<Region>, UnknownRegion> {
    if spec.trim().eq_ignore_ascii_case("all") {
        return Ok(Region::all_in(Partition::Aws).collect());
    }
    let mut regions = Vec::new();
    for name in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let region: Region = name.parse()?;
        if !regions.contains(&region) {
            regions.push(region);
        }
    }
    if regions.is_empty() {
        return Err(UnknownRegion(spec.to_string()));
    }
    Ok(regions)
}

/// A scan set spanning partitions: credentials, ARNs and endpoints belong to one partition, so
/// such a scan could not read half its Regions and the report could name only one partition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the Regions span partitions ({0}): scan one partition at a time")]
pub struct MixedPartitions(String);

/// The one partition all `regions` belong to.
pub fn single_partition(regions: &[Region]) -> Result<Option<Partition>, MixedPartitions> {
    let mut seen: Vec<Partition> = Vec::new();
    for r in regions {
        if !seen.contains(&r.partition()) {
            seen.push(r.partition());
        }
    }
    match seen.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        many => Err(MixedPartitions(
            many.iter()
                .map(|p| {
                    let names: Vec<&str> = regions
                        .iter()
                        .filter(|r| r.partition() == *p)
                        .map(|r| r.name())
                        .collect();
                    format!("{}: {}", p.arn_name(), names.join(", "))
                })
                .collect::<Vec<_>>()
                .join("; "),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_of_two_partitions_are_refused_naming_both() {
        let regions = parse_region_list("us-east-1,cn-north-1").unwrap();
        let err = single_partition(&regions).unwrap_err().to_string();
        assert!(
            err.contains("aws: us-east-1") && err.contains("aws-cn: cn-north-1"),
            "{err}"
        );
        let one = parse_region_list("us-east-1,eu-west-1").unwrap();
        assert_eq!(single_partition(&one), Ok(Some(Partition::Aws)));
    }

    #[test]
    fn default_scan_set_is_the_seventeen_regions_every_account_has() {
        let set = Region::default_scan_set();
        assert_eq!(set.len(), 17);
        assert!(set.iter().all(|r| r.partition() == Partition::Aws));
        assert!(!set.iter().any(|r| r.name() == "af-south-1"));
        assert!(set.iter().any(|r| r.name() == "eu-north-1"));
    }

    #[test]
    fn unknown_region_is_rejected_with_its_name() {
        let err = "mars-north-1".parse::<Region>().unwrap_err();
        assert!(err.to_string().contains("mars-north-1"));
    }

    #[test]
    fn region_list_keeps_order_and_drops_duplicates() {
        let list = parse_region_list("eu-west-1, us-east-1,eu-west-1").unwrap();
        let names: Vec<_> = list.iter().map(|r| r.name()).collect();
        assert_eq!(names, ["eu-west-1", "us-east-1"]);
    }

    #[test]
    fn all_means_every_commercial_region_including_opt_in() {
        let all = parse_region_list("all").unwrap();
        assert!(all.iter().any(|r| r.name() == "af-south-1"));
        assert!(!all.iter().any(|r| r.name() == "cn-north-1"));
    }

    #[test]
    fn china_and_govcloud_regions_carry_their_partitions() {
        let cn: Region = "cn-north-1".parse().unwrap();
        let gov: Region = "us-gov-west-1".parse().unwrap();
        assert_eq!(cn.partition().arn_name(), "aws-cn");
        assert_eq!(gov.partition().arn_name(), "aws-us-gov");
    }
}
