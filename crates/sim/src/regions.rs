//! The simulator's own table of KMS Regions and their partitions, from KMS_FACTS.md.
//!
//! Deliberately not shared with the app's `domain::region`: the simulator is a second, independent
//! reading of the KMS facts, so a mistake in the app's table cannot hide itself in both.

const AWS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];
const AWS_CN: &[&str] = &["cn-north-1", "cn-northwest-1"];
const AWS_US_GOV: &[&str] = &["us-gov-east-1", "us-gov-west-1"];

/// The partition (`aws`, `aws-cn`, `aws-us-gov`) of a KMS Region, or `None` for an unknown name.
pub fn partition_of(region: &str) -> Option<&'static str> {
    if AWS.contains(&region) {
        Some("aws")
    } else if AWS_CN.contains(&region) {
        Some("aws-cn")
    } else if AWS_US_GOV.contains(&region) {
        Some("aws-us-gov")
    } else {
        None
    }
}

/// `^([a-z]+-){2,3}\d+$`, ReplicaRegion's pattern in the KMS API model.
pub fn matches_region_pattern(name: &str) -> bool {
    if name.len() > 32 {
        return false;
    }
    let parts: Vec<&str> = name.split('-').collect();
    let Some((last, words)) = parts.split_last() else {
        return false;
    };
    (2..=3).contains(&words.len())
        && words
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        && !last.is_empty()
        && last.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_pattern_follows_the_api_model() {
        assert!(matches_region_pattern("us-east-1"));
        assert!(matches_region_pattern("us-gov-west-1"));
        assert!(!matches_region_pattern("us-east"));
        assert!(!matches_region_pattern("US-east-1"));
        assert!(!matches_region_pattern("a-b-c-d-1"));
    }

    #[test]
    fn partitions_are_known_per_region() {
        assert_eq!(partition_of("eu-west-1"), Some("aws"));
        assert_eq!(partition_of("cn-north-1"), Some("aws-cn"));
        assert_eq!(partition_of("mars-east-1"), None);
    }
}
