use super::*;

const A: &str = "mrk-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const B: &str = "mrk-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

fn facts(scanned: &[&str], cells: &[(&str, &str, &str, &str)]) -> SnapshotFacts {
    SnapshotFacts {
        account: "111122223333".into(),
        scanned: scanned.iter().map(|s| s.to_string()).collect(),
        cells: cells
            .iter()
            .map(|(k, r, role, state)| {
                (
                    (k.to_string(), r.to_string()),
                    CellFact {
                        role: role.to_string(),
                        state: state.to_string(),
                    },
                )
            })
            .collect(),
        findings: None,
    }
}

fn kinds(d: &Diff) -> Vec<(ChangeKind, &str, &str)> {
    d.changes
        .iter()
        .map(|c| (c.kind, c.key_id.as_str(), c.region.as_str()))
        .collect()
}

const REGIONS: &[&str] = &["us-east-1", "eu-west-1", "ap-southeast-2"];

#[test]
fn identical_snapshots_have_no_changes() {
    let s = facts(REGIONS, &[(A, "us-east-1", "Primary", "Enabled")]);
    assert_eq!(diff(&s, &s), Diff::default());
}

#[test]
fn a_replica_made_a_key_disabled_and_one_scheduled_for_deletion_are_each_reported_once() {
    let before = facts(
        REGIONS,
        &[
            (A, "us-east-1", "Primary", "Enabled"),
            (B, "eu-west-1", "Primary", "Enabled"),
            (B, "us-east-1", "Replica", "Enabled"),
        ],
    );
    let after = facts(
        REGIONS,
        &[
            (A, "us-east-1", "Primary", "Enabled"),
            (A, "ap-southeast-2", "Replica", "Creating"),
            (B, "eu-west-1", "Primary", "Disabled"),
            (B, "us-east-1", "Replica", "PendingDeletion"),
        ],
    );
    let d = diff(&before, &after);
    assert_eq!(
        kinds(&d),
        vec![
            (ChangeKind::ReplicaAdded, A, "ap-southeast-2"),
            (ChangeKind::StateChanged, B, "eu-west-1"),
            (ChangeKind::StateChanged, B, "us-east-1"),
        ]
    );
    assert_eq!(d.changes[1].from.as_deref(), Some("Enabled"));
    assert_eq!(d.changes[1].to.as_deref(), Some("Disabled"));
    assert_eq!(d.changes[2].to.as_deref(), Some("PendingDeletion"));
}

#[test]
fn a_new_family_is_one_change_not_one_per_key() {
    let before = facts(REGIONS, &[]);
    let after = facts(
        REGIONS,
        &[
            (A, "eu-west-1", "Replica", "Enabled"),
            (A, "us-east-1", "Primary", "Enabled"),
        ],
    );
    let d = diff(&before, &after);
    assert_eq!(kinds(&d), vec![(ChangeKind::FamilyAdded, A, "us-east-1")]);
    let back = diff(&after, &before);
    assert_eq!(
        kinds(&back),
        vec![(ChangeKind::FamilyRemoved, A, "us-east-1")]
    );
}

#[test]
fn a_region_that_failed_in_either_snapshot_is_not_compared_and_named() {
    let before = facts(
        REGIONS,
        &[
            (A, "us-east-1", "Primary", "Enabled"),
            (A, "eu-west-1", "Replica", "Enabled"),
        ],
    );
    // eu-west-1 could not be read the second time: its replica is not "removed".
    let after = facts(
        &["us-east-1", "ap-southeast-2"],
        &[(A, "us-east-1", "Primary", "Enabled")],
    );
    let d = diff(&before, &after);
    assert!(d.changes.is_empty(), "{:?}", d.changes);
    assert_eq!(d.not_compared, vec!["eu-west-1".to_string()]);
}

#[test]
fn a_promotion_is_a_role_change_in_both_regions() {
    let before = facts(
        REGIONS,
        &[
            (A, "us-east-1", "Primary", "Enabled"),
            (A, "eu-west-1", "Replica", "Enabled"),
        ],
    );
    let after = facts(
        REGIONS,
        &[
            (A, "us-east-1", "Replica", "Enabled"),
            (A, "eu-west-1", "Primary", "Enabled"),
        ],
    );
    assert_eq!(
        kinds(&diff(&before, &after)),
        vec![
            (ChangeKind::RoleChanged, A, "eu-west-1"),
            (ChangeKind::RoleChanged, A, "us-east-1"),
        ]
    );
}

fn finding(kind: &str, key: &str, region: &str) -> (String, FindingFact) {
    (
        fingerprint(kind, "111122223333", key, region),
        FindingFact {
            kind: kind.into(),
            severity: "high".into(),
            key_id: key.into(),
            region: region.into(),
            message: format!("{kind} on {key} in {region}"),
        },
    )
}

#[test]
fn findings_are_followed_by_fingerprint_and_resolved_only_where_the_later_scan_looked() {
    let mut before = facts(REGIONS, &[]);
    before.findings = Some(
        [
            finding("missing-required-region", A, "eu-west-1"),
            finding("policy-drift", B, "ap-southeast-2"),
        ]
        .into_iter()
        .collect(),
    );
    let mut after = facts(&["us-east-1", "eu-west-1"], &[]);
    after.findings = Some(
        [finding("public-access", A, "us-east-1")]
            .into_iter()
            .collect(),
    );
    let d = diff(&before, &after);
    assert_eq!(
        kinds(&d),
        vec![
            (ChangeKind::FindingNew, A, "us-east-1"),
            (ChangeKind::FindingResolved, A, "eu-west-1"),
        ],
        "the drift in ap-southeast-2 was not looked at again: not resolved"
    );
}

#[test]
fn findings_are_not_compared_when_either_snapshot_had_no_audit() {
    let mut before = facts(REGIONS, &[]);
    before.findings = Some(
        [finding("policy-drift", A, "us-east-1")]
            .into_iter()
            .collect(),
    );
    let after = facts(REGIONS, &[]);
    assert!(diff(&before, &after).changes.is_empty());
}

#[test]
fn ages_read_as_seconds_and_nonsense_is_refused() {
    assert_eq!(parse_age("90d"), Ok(90 * 86_400));
    assert_eq!(parse_age("12h"), Ok(43_200));
    assert_eq!(parse_age("2w"), Ok(1_209_600));
    for bad in [
        "",
        "d",
        "7",
        "-1d",
        "0d",
        "7y",
        "99999999999d",
        "1.5d",
        "7 d",
    ] {
        assert!(parse_age(bad).is_err(), "{bad:?} was accepted");
    }
}
