use super::*;
use crate::snapshot_diff::{ChangeKind, Diff, diff};

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
        gaps: BTreeSet::new(),
        rules: None,
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
        fingerprint(kind, "111122223333", key, region, ""),
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

use crate::audit::{FindingKind, Severity};
use crate::{MrkId, Region};

/// Every kind the audit raises (the match makes a new kind a compile error here until it is
/// listed).
fn every_kind() -> Vec<FindingKind> {
    use FindingKind::*;
    let all = vec![
        MissingRequiredRegion,
        RegionNotAllowed,
        NoReplicas,
        PolicyDrift,
        DefaultPolicyReplica,
        TagDrift,
        DescriptionDrift,
        AliasDrift,
        DisabledReplica,
        PendingDeletion,
        PendingReplicaDeletion,
        PendingImport,
        MaterialExpiry,
        RegionUnreadable,
        KeyUnreadable,
        PublicAccess,
        GrantMissing,
        GrantExtra,
        RotationDisabled,
        MaterialExpiresBeforePrimary,
        ReplicaMaterialMissing,
        RotationWaitingOnReplicas,
        ReplicaUnused,
        PrimaryUnused,
    ];
    for kind in &all {
        match kind {
            MissingRequiredRegion
            | RegionNotAllowed
            | NoReplicas
            | PolicyDrift
            | DefaultPolicyReplica
            | TagDrift
            | DescriptionDrift
            | AliasDrift
            | DisabledReplica
            | PendingDeletion
            | PendingReplicaDeletion
            | PendingImport
            | MaterialExpiry
            | RegionUnreadable
            | KeyUnreadable
            | PublicAccess
            | GrantMissing
            | GrantExtra
            | RotationDisabled
            | MaterialExpiresBeforePrimary
            | ReplicaMaterialMissing
            | RotationWaitingOnReplicas
            | ReplicaUnused
            | PrimaryUnused => {}
        }
    }
    all
}

fn raised(kind: FindingKind, severity: Severity, subject: &str) -> Finding {
    Finding {
        severity,
        kind,
        key_id: MrkId::parse(A),
        region: "eu-west-1".parse::<Region>().ok(),
        message: format!("{kind:?} about {subject}"),
        subject: subject.into(),
    }
}

fn audited(findings: Vec<Finding>) -> AuditFacts {
    AuditFacts {
        findings,
        not_audited: Vec::new(),
        rules: "rules-1".into(),
    }
}

#[test]
fn every_finding_reported_is_kept_for_every_kind_even_two_alike_on_one_key_and_region() {
    let estate = Estate::new(Vec::new());
    for kind in every_kind() {
        let reported = vec![
            raised(kind, Severity::High, "grant to 444455556666"),
            raised(kind, Severity::Medium, "grant to a role of the account"),
            // The audit should never raise two with one subject; if it does, both are kept.
            raised(kind, Severity::Medium, "grant to a role of the account"),
        ];
        let facts = facts_of(&estate, Some(&audited(reported.clone())), "111122223333");
        let kept = facts.findings.unwrap();
        assert_eq!(kept.len(), reported.len(), "{kind:?}: saved = reported");
        let high = kept.values().filter(|f| f.severity == "high").count();
        assert_eq!(
            high, 1,
            "{kind:?}: the high one is kept beside the medium ones"
        );
    }
}

#[test]
fn a_second_grant_finding_on_the_same_replica_is_a_new_finding() {
    let estate = Estate::new(Vec::new());
    let one = vec![raised(
        FindingKind::GrantExtra,
        Severity::High,
        "arn:aws:iam::444455556666:root may Decrypt",
    )];
    let mut two = one.clone();
    two.push(raised(
        FindingKind::GrantExtra,
        Severity::High,
        "arn:aws:iam::777788889999:root may Decrypt",
    ));
    let mut before = facts_of(&estate, Some(&audited(one)), "111122223333");
    let mut after = facts_of(&estate, Some(&audited(two)), "111122223333");
    for f in [&mut before, &mut after] {
        f.scanned = REGIONS.iter().map(|r| r.to_string()).collect();
    }
    let d = diff(&before, &after);
    assert_eq!(kinds(&d), vec![(ChangeKind::FindingNew, A, "eu-west-1")]);
    assert!(d.changes[0].to.as_deref().unwrap().contains("777788889999"));
}

#[test]
fn findings_of_a_key_the_later_audit_could_not_read_are_not_resolved_but_named() {
    let mut before = facts(REGIONS, &[(A, "us-east-1", "Primary", "Enabled")]);
    before.findings = Some(
        [
            finding("policy-drift", A, "eu-west-1"),
            finding("tag-drift", A, "eu-west-1"),
            finding("alias-drift", B, "eu-west-1"),
        ]
        .into_iter()
        .collect(),
    );
    let mut after = facts(REGIONS, &[(A, "us-east-1", "Unknown", "Unreadable")]);
    after.findings = Some(
        [finding("key-unreadable", A, "us-east-1")]
            .into_iter()
            .collect(),
    );
    let d = diff(&before, &after);
    assert_eq!(
        kinds(&d),
        vec![(ChangeKind::FindingResolved, B, "eu-west-1")],
        "only the family read completely is compared"
    );
    assert_eq!(d.keys_not_compared, vec![format!("{A} in us-east-1")]);
}

#[test]
fn a_key_whose_properties_were_not_read_is_not_compared_either() {
    let mut before = facts(REGIONS, &[]);
    before.findings = Some(
        [finding("policy-drift", A, "eu-west-1")]
            .into_iter()
            .collect(),
    );
    let mut after = facts(REGIONS, &[]);
    after.findings = Some(BTreeMap::new());
    after.gaps.insert((A.to_string(), "eu-west-1".to_string()));
    let d = diff(&before, &after);
    assert!(d.changes.is_empty(), "{:?}", d.changes);
    assert_eq!(d.keys_not_compared, vec![format!("{A} in eu-west-1")]);
}

fn baseline(text: &str) -> crate::baseline::Baseline {
    crate::baseline::Baseline::from_toml(text).unwrap()
}

#[test]
fn the_rules_print_ignores_how_the_baseline_is_written_but_not_what_it_says() {
    let one = baseline("require_regions = [\"us-east-1\", \"eu-west-1\"]\n");
    let reordered = baseline("# the same rule\nrequire_regions = [\"eu-west-1\", \"us-east-1\"]\n");
    let more = baseline("require_regions = [\"us-east-1\", \"eu-west-1\", \"ap-south-1\"]\n");
    let days = |expiry_days, unused_days| crate::audit::AuditOptions {
        expiry_days,
        now: 0,
        unused_days,
        provenance: false,
    };
    let print = |b: &crate::baseline::Baseline, e, u| rules_print(b, days(e, u));
    assert_eq!(print(&one, 30, None), print(&reordered, 30, None));
    assert_ne!(print(&one, 30, None), print(&more, 30, None));
    assert_ne!(
        print(&one, 30, None),
        print(&one, 90, None),
        "the expiry window is a rule too"
    );
    assert_ne!(
        print(&one, 30, None),
        print(&one, 30, Some(90)),
        "and the usage window"
    );
    assert_ne!(
        print(&one, 30, None),
        print(&crate::baseline::Baseline::default(), 30, None),
        "no baseline is a rule set of its own"
    );
}

#[test]
fn a_snapshot_keeps_the_rules_of_its_audit_and_none_without_one() {
    let estate = crate::estate::Estate::new(Vec::new());
    assert_eq!(
        facts_of(&estate, Some(&audited(Vec::new())), "111122223333")
            .rules
            .as_deref(),
        Some("rules-1")
    );
    assert_eq!(facts_of(&estate, None, "111122223333").rules, None);
}

#[test]
fn a_diff_between_audits_under_different_rules_says_so() {
    let mut before = facts(REGIONS, &[]);
    before.findings = Some(Default::default());
    before.rules = Some("rules-1".into());
    let mut after = before.clone();
    assert!(!diff(&before, &after).rules_changed);
    after.rules = Some("rules-2".into());
    assert!(diff(&before, &after).rules_changed);
    after.rules = None;
    assert!(
        !diff(&before, &after).rules_changed,
        "an unrecorded side is not a known change"
    );
}
