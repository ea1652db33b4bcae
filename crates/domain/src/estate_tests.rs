//! Specifications of how scan results become families and cells.

use super::*;
use crate::problem::ProblemKind;

fn region(name: &str) -> Region {
    name.parse().unwrap()
}

use crate::test_keys::{ID, arn};

/// A described key of the family `ID` in `r`, with `primary` and `replicas` as its configuration.
fn key(r: &str, role: Role, primary: &str, replicas: &[&str]) -> KeyEntry {
    KeyEntry::Described(Box::new(crate::test_keys::key(r, role, primary, replicas)))
}

fn scan(keys: Vec<KeyEntry>) -> RegionScan {
    RegionScan {
        keys,
        aliases: vec![],
    }
}

fn three_region_estate() -> Estate {
    Estate::new(vec![
        region("us-east-1"),
        region("eu-west-1"),
        region("ap-southeast-2"),
    ])
}

fn id() -> MrkId {
    MrkId::parse(ID).unwrap()
}

#[test]
fn keys_with_the_same_id_in_several_regions_form_one_family() {
    let mut estate = three_region_estate();
    let replicas = ["eu-west-1"];
    estate.apply_scan(
        region("us-east-1"),
        scan(vec![key(
            "us-east-1",
            Role::Primary,
            "us-east-1",
            &replicas,
        )]),
    );
    estate.apply_scan(
        region("eu-west-1"),
        scan(vec![key(
            "eu-west-1",
            Role::Replica,
            "us-east-1",
            &replicas,
        )]),
    );
    estate.apply_scan(region("ap-southeast-2"), scan(vec![]));

    assert_eq!(estate.family_count(), 1);
    assert!(matches!(
        estate.cell(&id(), region("us-east-1")),
        Cell::Primary(_)
    ));
    assert!(matches!(
        estate.cell(&id(), region("eu-west-1")),
        Cell::Replica(_)
    ));
    assert_eq!(estate.cell(&id(), region("ap-southeast-2")), Cell::Absent);
}

#[test]
fn replica_named_by_the_primary_but_missing_from_its_region_scan_is_reported_not_absent() {
    let mut estate = three_region_estate();
    estate.apply_scan(
        region("us-east-1"),
        scan(vec![key(
            "us-east-1",
            Role::Primary,
            "us-east-1",
            &["ap-southeast-2"],
        )]),
    );
    estate.apply_scan(region("ap-southeast-2"), scan(vec![]));

    let expected_arn = arn("ap-southeast-2");
    assert_eq!(
        estate.cell(&id(), region("ap-southeast-2")),
        Cell::Reported {
            role: Role::Replica,
            arn: &expected_arn
        }
    );
}

#[test]
fn a_region_still_scanning_shows_scanning_not_absent() {
    let mut estate = three_region_estate();
    estate.apply_scan(
        region("us-east-1"),
        scan(vec![key("us-east-1", Role::Primary, "us-east-1", &[])]),
    );
    estate.mark_scanning(region("eu-west-1"));

    assert_eq!(estate.cell(&id(), region("eu-west-1")), Cell::Scanning);
    assert!(!estate.is_settled());
}

#[test]
fn a_failed_region_shows_its_problem_in_every_cell_and_keeps_other_regions() {
    let mut estate = three_region_estate();
    estate.apply_scan(
        region("us-east-1"),
        scan(vec![key("us-east-1", Role::Primary, "us-east-1", &[])]),
    );
    let denied = Problem::new(
        ProblemKind::AccessDenied,
        "AccessDeniedException",
        "not authorized to perform kms:ListKeys",
    );
    estate.apply_failure(region("eu-west-1"), denied.clone());

    assert_eq!(
        estate.cell(&id(), region("eu-west-1")),
        Cell::Unknown(&denied)
    );
    assert!(matches!(
        estate.cell(&id(), region("us-east-1")),
        Cell::Primary(_)
    ));
}

#[test]
fn a_key_that_cannot_be_described_is_unknown_in_its_region() {
    let mut estate = three_region_estate();
    let problem = Problem::new(ProblemKind::AccessDenied, "AccessDeniedException", "denied");
    estate.apply_scan(
        region("eu-west-1"),
        scan(vec![KeyEntry::Failed {
            key_id: id(),
            problem: problem.clone(),
        }]),
    );
    assert_eq!(estate.family_count(), 1);
    assert_eq!(
        estate.cell(&id(), region("eu-west-1")),
        Cell::Unknown(&problem)
    );
}

#[test]
fn a_rescan_replaces_the_region_and_drops_families_that_are_gone() {
    let mut estate = three_region_estate();
    estate.apply_scan(
        region("us-east-1"),
        scan(vec![key("us-east-1", Role::Primary, "us-east-1", &[])]),
    );
    assert_eq!(estate.family_count(), 1);
    estate.apply_scan(region("us-east-1"), scan(vec![]));
    assert_eq!(estate.family_count(), 0);
}

#[test]
fn the_row_label_prefers_an_alias_in_the_primary_region() {
    let mut estate = three_region_estate();
    let replicas = ["eu-west-1"];
    estate.apply_scan(
        region("eu-west-1"),
        RegionScan {
            keys: vec![key("eu-west-1", Role::Replica, "us-east-1", &replicas)],
            aliases: vec![("alias/a-replica-name".into(), ID.into())],
        },
    );
    estate.apply_scan(
        region("us-east-1"),
        RegionScan {
            keys: vec![key("us-east-1", Role::Primary, "us-east-1", &replicas)],
            aliases: vec![
                ("alias/payments".into(), ID.into()),
                (
                    "alias/unrelated".into(),
                    "1234abcd-0000-0000-0000-000000000000".into(),
                ),
            ],
        },
    );
    let (_, family) = estate.family_at(0).unwrap();
    assert_eq!(family.first_alias(), Some("alias/payments"));
}

#[test]
fn the_primary_region_is_known_from_a_replica_alone() {
    let mut estate = three_region_estate();
    estate.apply_scan(
        region("eu-west-1"),
        scan(vec![key(
            "eu-west-1",
            Role::Replica,
            "us-east-1",
            &["eu-west-1"],
        )]),
    );
    let (_, family) = estate.family_at(0).unwrap();
    assert_eq!(family.primary_region().as_deref(), Some("us-east-1"));
}

#[test]
fn dropping_a_region_forgets_its_keys() {
    let mut estate = three_region_estate();
    estate.apply_scan(
        region("eu-west-1"),
        scan(vec![key("eu-west-1", Role::Replica, "us-east-1", &[])]),
    );
    estate.set_regions(vec![region("us-east-1")]);
    assert_eq!(estate.family_count(), 0);
    assert_eq!(estate.regions(), &[region("us-east-1")]);
}

#[test]
fn a_rescan_keeps_settled_keys_replaces_fresh_ones_and_drops_unlisted_ones() {
    let mut estate = three_region_estate();
    let other = MrkId::parse("mrk-00000000000000000000000000000002").unwrap();
    let mut other_key = crate::test_keys::key("eu-west-1", Role::Primary, "eu-west-1", &[]);
    other_key.key_id = other.clone();
    estate.apply_scan(
        region("eu-west-1"),
        scan(vec![
            key("eu-west-1", Role::Replica, "us-east-1", &[]),
            KeyEntry::Described(Box::new(other_key)),
        ]),
    );
    assert!(estate.settled_in(region("eu-west-1")).contains(&id()));

    // `other` was deleted; `ID` is still listed and was not described again.
    let changed = estate.apply_rescan(
        region("eu-west-1"),
        RegionRescan {
            listed: vec![id()],
            described: vec![],
            aliases: vec![],
        },
    );
    assert_eq!(changed, vec![other.clone()]);
    assert!(matches!(
        estate.cell(&id(), region("eu-west-1")),
        Cell::Replica(_)
    ));
    assert!(estate.family(&other).is_none());
}
