//! Specifications of the audit's findings.

use super::*;
use crate::baseline::BaselineRule;
use crate::estate::{KeyEntry, RegionScan};

use crate::test_keys::ID;
const CUSTOM: &str = r#"{"Statement": [
  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "kms:Decrypt", "Resource": "*"}]}"#;
const DEFAULT: &str = r#"{"Id": "key-default-1", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}"#;

fn region(name: &str) -> Region {
    name.parse().unwrap()
}

fn id() -> MrkId {
    MrkId::parse(ID).unwrap()
}

fn key(r: &str, role: Role, state: KeyState, description: &str) -> KeyInfo {
    KeyInfo {
        description: description.into(),
        state,
        ..crate::test_keys::key(r, role, "us-east-1", &["eu-west-1"])
    }
}

/// A primary in us-east-1 (alias/payments) and a replica in eu-west-1; `replica` adjusts it.
fn estate(replica: KeyInfo, replica_alias: bool) -> Estate {
    let mut estate = Estate::new(vec![
        region("us-east-1"),
        region("eu-west-1"),
        region("ap-southeast-2"),
    ]);
    estate.apply_scan(
        region("us-east-1"),
        RegionScan {
            keys: vec![KeyEntry::Described(Box::new(key(
                "us-east-1",
                Role::Primary,
                KeyState::Enabled,
                "payments",
            )))],
            aliases: vec![("alias/payments".into(), ID.into())],
        },
    );
    estate.apply_scan(
        region("eu-west-1"),
        RegionScan {
            keys: vec![KeyEntry::Described(Box::new(replica))],
            aliases: if replica_alias {
                vec![("alias/payments".into(), ID.into())]
            } else {
                vec![]
            },
        },
    );
    estate.apply_scan(region("ap-southeast-2"), RegionScan::default());
    estate
}

fn props(primary_policy: &str, replica_policy: &str, replica_tags: Vec<Tag>) -> PropsMap {
    let mut map = PropsMap::new();
    map.insert(
        (id(), region("us-east-1")),
        KeyProps {
            policy: Some(primary_policy.into()),
            tags: Some(vec![Tag::new("env", "prod"), Tag::new("team", "payments")]),
            ..KeyProps::default()
        },
    );
    map.insert(
        (id(), region("eu-west-1")),
        KeyProps {
            policy: Some(replica_policy.into()),
            tags: Some(replica_tags),
            ..KeyProps::default()
        },
    );
    map
}

const OPTIONS: AuditOptions = AuditOptions {
    expiry_days: 30,
    now: 0,
    unused_days: None,
    provenance: false,
};

fn clean_replica() -> KeyInfo {
    key("eu-west-1", Role::Replica, KeyState::Enabled, "payments")
}

fn same_tags() -> Vec<Tag> {
    vec![Tag::new("team", "payments"), Tag::new("env", "prod")]
}

fn kinds(findings: &[Finding]) -> Vec<FindingKind> {
    findings.iter().map(|f| f.kind).collect()
}

#[test]
fn a_replica_identical_to_its_primary_has_no_findings() {
    let findings = audit(
        &estate(clean_replica(), true),
        &props(CUSTOM, CUSTOM, same_tags()),
        &Baseline::default(),
        OPTIONS,
    );
    assert_eq!(findings, []);
}

#[test]
fn a_family_missing_from_a_required_region_is_high() {
    let baseline = Baseline {
        require_regions: vec![region("ap-southeast-2")],
        ..Baseline::default()
    };
    let findings = audit(
        &estate(clean_replica(), true),
        &props(CUSTOM, CUSTOM, same_tags()),
        &baseline,
        OPTIONS,
    );
    assert_eq!(kinds(&findings), [FindingKind::MissingRequiredRegion]);
    assert_eq!(findings[0].severity, Severity::High);
    assert_eq!(findings[0].region, Some(region("ap-southeast-2")));
}

#[test]
fn a_rule_requires_regions_only_for_families_whose_alias_matches() {
    let rule = |pattern: &str| Baseline {
        rules: vec![BaselineRule {
            alias: Some(pattern.into()),
            tag: None,
            account: None,
            require_regions: vec![region("ap-southeast-2")],
            replicas: Default::default(),
        }],
        ..Baseline::default()
    };
    let p = props(CUSTOM, CUSTOM, same_tags());
    assert_eq!(
        audit(
            &estate(clean_replica(), true),
            &p,
            &rule("alias/pay*"),
            OPTIONS
        )
        .len(),
        1
    );
    assert_eq!(
        audit(
            &estate(clean_replica(), true),
            &p,
            &rule("alias/ledger*"),
            OPTIONS
        )
        .len(),
        0
    );
}

#[test]
fn a_replica_outside_the_allowed_regions_is_high() {
    let baseline = Baseline {
        allow_regions: Some(vec![region("us-east-1")]),
        ..Baseline::default()
    };
    let findings = audit(
        &estate(clean_replica(), true),
        &props(CUSTOM, CUSTOM, same_tags()),
        &baseline,
        OPTIONS,
    );
    assert_eq!(kinds(&findings), [FindingKind::RegionNotAllowed]);
}

#[test]
fn a_replica_on_the_default_policy_under_a_custom_primary_is_its_own_finding() {
    let findings = audit(
        &estate(clean_replica(), true),
        &props(CUSTOM, DEFAULT, same_tags()),
        &Baseline::default(),
        OPTIONS,
    );
    assert_eq!(kinds(&findings), [FindingKind::DefaultPolicyReplica]);
}

#[test]
fn a_replica_granting_another_account_is_high_policy_drift() {
    let replica_policy = CUSTOM.replace(
        r#""Action": "kms:Decrypt", "Resource": "*"}"#,
        r#""Action": "kms:Decrypt", "Resource": "*"}, {"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "kms:*", "Resource": "*"}"#,
    );
    let findings = audit(
        &estate(clean_replica(), true),
        &props(CUSTOM, &replica_policy, same_tags()),
        &Baseline::default(),
        OPTIONS,
    );
    assert_eq!(kinds(&findings), [FindingKind::PolicyDrift]);
    assert_eq!(findings[0].severity, Severity::High);
    assert!(
        findings[0]
            .message
            .contains("arn:aws:iam::444455556666:root"),
        "{}",
        findings[0].message
    );
}

#[test]
fn tags_description_alias_and_disabled_state_drift_are_each_reported() {
    let mut replica = key(
        "eu-west-1",
        Role::Replica,
        KeyState::Disabled,
        "something else",
    );
    replica.enabled = false;
    let tags = vec![Tag::new("env", "staging")];
    let findings = audit(
        &estate(replica, false),
        &props(CUSTOM, CUSTOM, tags),
        &Baseline::default(),
        OPTIONS,
    );
    let mut got = kinds(&findings);
    got.sort_by_key(|k| format!("{k:?}"));
    assert_eq!(
        got,
        [
            FindingKind::AliasDrift,
            FindingKind::DescriptionDrift,
            FindingKind::DisabledReplica,
            FindingKind::TagDrift
        ]
    );
    let tag_finding = findings
        .iter()
        .find(|f| f.kind == FindingKind::TagDrift)
        .unwrap();
    assert!(
        tag_finding
            .message
            .contains("env changed from \"prod\" to \"staging\"")
    );
    assert!(tag_finding.message.contains("team removed"));
}

#[test]
fn a_replica_pending_deletion_is_high_with_its_date() {
    let mut replica = key(
        "eu-west-1",
        Role::Replica,
        KeyState::PendingDeletion,
        "payments",
    );
    replica.deletion_date = Some(86_400);
    let findings = audit(
        &estate(replica, true),
        &props(CUSTOM, CUSTOM, same_tags()),
        &Baseline::default(),
        OPTIONS,
    );
    assert_eq!(kinds(&findings), [FindingKind::PendingDeletion]);
    assert!(findings[0].message.contains("1970-01-02"));
}

fn opts() -> AuditOptions {
    AuditOptions {
        expiry_days: 30,
        now: 0,
        unused_days: None,
        provenance: false,
    }
}

const PUBLIC: &str = r#"{"Statement": [
  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
  {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}]}"#;

#[test]
fn a_key_listed_but_not_described_is_a_high_finding_and_not_audited_never_no_replicas() {
    let mut estate = estate(clean_replica(), true);
    let denied = crate::Problem::new(
        crate::ProblemKind::Other,
        "KMSInternalException",
        "internal error",
    );
    estate.apply_scan(
        region("eu-west-1"),
        RegionScan {
            keys: vec![KeyEntry::Failed {
                key_id: id(),
                problem: denied,
            }],
            aliases: vec![],
        },
    );
    // The primary's configuration is stale in this test: it names no replica.
    let mut primary = key("us-east-1", Role::Primary, KeyState::Enabled, "payments");
    if let Some(c) = primary.multi_region.as_mut() {
        c.replicas.clear();
    }
    estate.upsert_key(primary);
    let findings = audit(&estate, &PropsMap::new(), &Baseline::default(), opts());
    assert!(kinds(&findings).contains(&FindingKind::KeyUnreadable));
    assert!(
        !kinds(&findings).contains(&FindingKind::NoReplicas),
        "a listed key in eu-west-1 is a key there: {findings:?}"
    );
    let gaps = not_audited(&estate, &[], &PropsMap::new(), &HashMap::new());
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(gaps[0].key_id, Some(id()));
    assert_eq!(gaps[0].region, region("eu-west-1"));
    assert!(gaps[0].reason.contains("KMSInternalException"));
}

#[test]
fn a_replica_whose_primary_was_not_read_is_not_audited_and_judged_on_its_own_policy() {
    // Primary in ap-southeast-2, outside the scan; the replica in us-east-1 is public.
    let mut estate = Estate::new(vec![region("us-east-1"), region("eu-west-1")]);
    let replica = KeyInfo {
        state: KeyState::Disabled,
        ..crate::test_keys::key("us-east-1", Role::Replica, "ap-southeast-2", &["us-east-1"])
    };
    estate.apply_scan(
        region("us-east-1"),
        RegionScan {
            keys: vec![KeyEntry::Described(Box::new(replica))],
            aliases: vec![],
        },
    );
    estate.apply_scan(region("eu-west-1"), RegionScan::default());
    let mut props = PropsMap::new();
    props.insert(
        (id(), region("us-east-1")),
        KeyProps {
            policy: Some(PUBLIC.into()),
            tags: Some(vec![]),
            ..KeyProps::default()
        },
    );
    let baseline = Baseline {
        allow_regions: Some(vec![region("us-east-1"), region("eu-west-1")]),
        ..Baseline::default()
    };
    let findings = audit(&estate, &props, &baseline, opts());
    let public: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.kind == FindingKind::PublicAccess)
        .collect();
    assert_eq!(public.len(), 1, "{findings:?}");
    assert_eq!(public[0].severity, Severity::High);
    assert!(
        findings
            .iter()
            .any(|f| f.kind == FindingKind::RegionNotAllowed
                && f.region == Some(region("ap-southeast-2"))
                && f.message.contains("primary"))
    );
    let needed = vec![(id(), region("us-east-1"))];
    let gaps = not_audited(&estate, &needed, &props, &HashMap::new());
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert!(
        gaps[0].reason.contains("ap-southeast-2"),
        "{}",
        gaps[0].reason
    );
}

#[test]
fn a_public_grant_under_the_default_policy_id_is_reported_as_public() {
    let public_default_id = PUBLIC.replacen('{', r#"{"Id": "key-default-1", "#, 1);
    let estate = estate(clean_replica(), true);
    let findings = audit(
        &estate,
        &props(CUSTOM, &public_default_id, same_tags()),
        &Baseline::default(),
        opts(),
    );
    assert!(!kinds(&findings).contains(&FindingKind::DefaultPolicyReplica));
    assert!(findings.iter().any(|f| f.kind == FindingKind::PublicAccess
        && f.region == Some(region("eu-west-1"))
        && f.severity == Severity::High));
    assert!(
        findings
            .iter()
            .any(|f| f.kind == FindingKind::PolicyDrift && f.severity == Severity::High)
    );
}

#[test]
fn a_not_principal_allow_on_a_replica_rates_as_high_as_principal_star() {
    let not_principal = CUSTOM.replace(
        r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "kms:Decrypt", "Resource": "*"}"#,
        r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "kms:Decrypt", "Resource": "*"},
           {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/alice"}, "Action": "kms:Decrypt", "Resource": "*"}"#,
    );
    assert_ne!(not_principal, CUSTOM);
    let findings = audit(
        &estate(clean_replica(), true),
        &props(CUSTOM, &not_principal, same_tags()),
        &Baseline::default(),
        opts(),
    );
    let drift: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.kind == FindingKind::PolicyDrift)
        .collect();
    assert_eq!(drift.len(), 1, "{findings:?}");
    assert_eq!(drift[0].severity, Severity::High);
}

#[test]
fn a_condition_value_written_as_a_one_item_array_is_no_drift() {
    let with = |value: &str| {
        format!(
            r#"{{"Statement": [{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:role/app"}}, "Action": "kms:Decrypt", "Resource": "*",
               "Condition": {{"StringEquals": {{"kms:CallerAccount": {value}}}}}}}]}}"#
        )
    };
    let findings = audit(
        &estate(clean_replica(), true),
        &props(
            &with(r#""111122223333""#),
            &with(r#"["111122223333"]"#),
            same_tags(),
        ),
        &Baseline::default(),
        opts(),
    );
    assert!(
        !kinds(&findings).contains(&FindingKind::PolicyDrift),
        "{findings:?}"
    );
}

fn grant(grantee: &str) -> crate::parity::Grant {
    crate::parity::Grant {
        id: format!("{grantee}-id"),
        name: None,
        grantee: grantee.into(),
        grantee_kind: Default::default(),
        retiring: None,
        retiring_service: false,
        operations: ["Decrypt".to_string()].into_iter().collect(),
        constraints: Default::default(),
    }
}

/// `props` with these grants on the primary and on the replica, and this rotation read.
fn parity_props(
    primary: Vec<crate::parity::Grant>,
    replica: Vec<crate::parity::Grant>,
    rotation: Option<bool>,
) -> PropsMap {
    let mut map = props(CUSTOM, CUSTOM, same_tags());
    if let Some(p) = map.get_mut(&(id(), region("us-east-1"))) {
        p.grants = Some(primary);
        p.rotation = rotation.map(|enabled| crate::parity::RotationStatus {
            enabled,
            ..Default::default()
        });
    }
    if let Some(r) = map.get_mut(&(id(), region("eu-west-1"))) {
        r.grants = Some(replica);
    }
    map
}

#[test]
fn a_replica_missing_its_primarys_grant_is_medium_and_a_grant_to_another_account_only_there_is_high()
 {
    let ebs = grant("arn:aws:iam::111122223333:role/ebs");
    let vendor = grant("arn:aws:iam::444455556666:role/vendor");
    let findings = audit(
        &estate(clean_replica(), true),
        &parity_props(vec![ebs], vec![vendor], Some(true)),
        &Baseline::default(),
        OPTIONS,
    );
    let missing = findings
        .iter()
        .find(|f| f.kind == FindingKind::GrantMissing)
        .expect("grant-missing");
    assert_eq!(
        (missing.severity, missing.region),
        (Severity::Medium, Some(region("eu-west-1")))
    );
    assert!(missing.message.contains("role/ebs"), "{}", missing.message);
    let extra = findings
        .iter()
        .find(|f| f.kind == FindingKind::GrantExtra)
        .expect("grant-extra");
    assert_eq!(
        (extra.severity, extra.region),
        (Severity::High, Some(region("eu-west-1")))
    );
}

#[test]
fn the_same_grants_in_both_regions_are_no_finding() {
    let ebs = grant("arn:aws:iam::111122223333:role/ebs");
    let mut copy = ebs.clone();
    copy.id = "another-id-in-eu-west-1".into();
    let findings = audit(
        &estate(clean_replica(), true),
        &parity_props(vec![ebs], vec![copy], Some(true)),
        &Baseline::default(),
        OPTIONS,
    );
    assert_eq!(findings, []);
}

#[test]
fn rotation_off_is_one_medium_finding_on_the_primarys_region_and_unread_rotation_is_none() {
    let off = audit(
        &estate(clean_replica(), true),
        &parity_props(vec![], vec![], Some(false)),
        &Baseline::default(),
        OPTIONS,
    );
    assert_eq!(kinds(&off), vec![FindingKind::RotationDisabled]);
    assert_eq!(off[0].severity, Severity::Medium);
    assert_eq!(off[0].region, Some(region("us-east-1")));
    let unread = audit(
        &estate(clean_replica(), true),
        &parity_props(vec![], vec![], None),
        &Baseline::default(),
        OPTIONS,
    );
    assert_eq!(unread, []);
}

#[test]
fn a_replica_whose_imported_material_expires_before_the_primarys_is_low() {
    let mut estate = estate(
        KeyInfo {
            origin: "EXTERNAL".into(),
            valid_to: Some(1_000),
            ..clean_replica()
        },
        true,
    );
    let mut primary = key("us-east-1", Role::Primary, KeyState::Enabled, "payments");
    primary.origin = "EXTERNAL".into();
    primary.valid_to = Some(5_000);
    estate.upsert_key(primary);
    let findings = audit(
        &estate,
        &props(CUSTOM, CUSTOM, same_tags()),
        &Baseline::default(),
        OPTIONS,
    );
    let f = findings
        .iter()
        .find(|f| f.kind == FindingKind::MaterialExpiresBeforePrimary)
        .expect("material-expires-before-primary");
    assert_eq!(
        (f.severity, f.region),
        (Severity::Low, Some(region("eu-west-1")))
    );
}

fn material(id: char, state: &str) -> crate::material::KeyMaterial {
    crate::material::KeyMaterial {
        id: id.to_string().repeat(64),
        state: crate::material::MaterialState::from_api(state),
        imported: true,
        valid_to: None,
        description: None,
    }
}

/// The audit of an imported family whose primary holds `primary` and replica `replica`.
fn material_findings(
    primary: Vec<crate::material::KeyMaterial>,
    replica: Option<Vec<crate::material::KeyMaterial>>,
) -> Vec<Finding> {
    let mut props = props(CUSTOM, CUSTOM, same_tags());
    if let Some(p) = props.get_mut(&(id(), region("us-east-1"))) {
        p.materials = Some(primary);
    }
    if let Some(r) = props.get_mut(&(id(), region("eu-west-1"))) {
        r.materials = replica;
    }
    audit(
        &estate(clean_replica(), true),
        &props,
        &Baseline::default(),
        OPTIONS,
    )
}

#[test]
fn a_replica_lacking_the_primarys_current_material_is_high_and_an_older_one_medium() {
    let findings = material_findings(
        vec![material('a', "NON_CURRENT"), material('b', "CURRENT")],
        Some(vec![]),
    );
    let missing: Vec<(Severity, &str)> = findings
        .iter()
        .filter(|f| f.kind == FindingKind::ReplicaMaterialMissing)
        .map(|f| (f.severity, f.subject.get(..1).unwrap_or_default()))
        .collect();
    assert_eq!(
        missing,
        vec![(Severity::High, "b"), (Severity::Medium, "a")]
    );
    assert!(
        findings
            .iter()
            .all(|f| f.region == Some(region("eu-west-1"))
                || f.kind != FindingKind::ReplicaMaterialMissing)
    );
}

#[test]
fn new_material_waiting_on_a_replica_names_it_on_the_primary() {
    let findings = material_findings(
        vec![
            material('a', "CURRENT"),
            material('b', "PENDING_MULTI_REGION_IMPORT_AND_ROTATION"),
        ],
        Some(vec![material('a', "CURRENT")]),
    );
    assert_eq!(
        kinds(&findings),
        vec![FindingKind::RotationWaitingOnReplicas]
    );
    assert_eq!(findings[0].region, Some(region("us-east-1")));
    assert!(
        findings[0].message.contains("eu-west-1"),
        "{}",
        findings[0].message
    );
}

#[test]
fn materials_not_read_on_the_replica_are_no_finding() {
    let findings = material_findings(vec![material('b', "CURRENT")], None);
    assert_eq!(findings, []);
}
