use super::*;
use crate::audit::KeyProps;
use crate::estate::{KeyEntry, RegionScan};
use crate::test_keys::{ID, key};

fn region(name: &str) -> Region {
    name.parse().unwrap()
}

fn id() -> MrkId {
    MrkId::parse(ID).unwrap()
}

const P1: &str = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}"#;
const P2: &str = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/other"},"Action":"kms:*","Resource":"*"}]}"#;

/// Primary in us-east-1 ("payments", alias/payments), replica in eu-west-1 (`replica_description`,
/// no alias); ap-southeast-2 scanned and empty.
fn estate(replica_description: &str) -> Estate {
    let mut estate = Estate::new(vec![
        region("us-east-1"),
        region("eu-west-1"),
        region("ap-southeast-2"),
    ]);
    let mut primary = key("us-east-1", Role::Primary, "us-east-1", &["eu-west-1"]);
    primary.description = "payments".into();
    let mut replica = key("eu-west-1", Role::Replica, "us-east-1", &["eu-west-1"]);
    replica.description = replica_description.into();
    estate.apply_scan(
        region("us-east-1"),
        RegionScan {
            keys: vec![KeyEntry::Described(Box::new(primary))],
            aliases: vec![("alias/payments".into(), ID.into())],
        },
    );
    estate.apply_scan(
        region("eu-west-1"),
        RegionScan {
            keys: vec![KeyEntry::Described(Box::new(replica))],
            aliases: vec![],
        },
    );
    estate.apply_scan(region("ap-southeast-2"), RegionScan::default());
    estate
}

fn props(replica_policy: &str, replica_tags: Vec<Tag>) -> PropsMap {
    let mut map = PropsMap::new();
    map.insert(
        (id(), region("us-east-1")),
        KeyProps {
            policy: Some(P1.into()),
            tags: Some(vec![Tag::new("team", "payments"), Tag::new("env", "prod")]),
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

fn copy_all() -> ReplicaRules {
    ReplicaRules {
        policy: Carry::CopyPrimary,
        tags: Carry::CopyPrimary,
        description: Carry::CopyPrimary,
        aliases: Carry::CopyPrimary,
        grants: Carry::Keep,
        disallowed: Disallowed::Report,
    }
}

fn ops(plan: &Plan) -> Vec<(&str, &str)> {
    plan.steps
        .iter()
        .map(|s| (s.operation.as_str(), s.region.as_str()))
        .collect()
}

#[test]
fn a_required_region_without_a_key_gets_a_replica_carrying_what_the_baseline_asks() {
    let baseline = Baseline {
        require_regions: vec![region("ap-southeast-2")],
        replicas: copy_all(),
        ..Baseline::default()
    };
    let same_tags = vec![Tag::new("env", "prod"), Tag::new("team", "payments")];
    let mut e = estate("payments");
    e.add_alias(region("eu-west-1"), &id(), "alias/payments".into());
    let plan = plan(&e, &props(P1, same_tags), &baseline, "111122223333");
    assert_eq!(
        ops(&plan),
        vec![
            ("ReplicateKey", "us-east-1"),
            ("CreateAlias", "ap-southeast-2")
        ]
    );
    let replicate = &plan.steps[0];
    assert_eq!(replicate.parameters["ReplicaRegion"], "ap-southeast-2");
    assert_eq!(replicate.parameters["Policy"], P1);
    assert_eq!(replicate.parameters["Description"], "payments");
    assert_eq!(
        replicate.parameters["Tags"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(replicate.precondition, Precondition::NoKeyIn);
    assert_eq!(plan.steps[1].precondition, Precondition::KeyUsable);
}

#[test]
fn with_keep_a_new_replica_takes_the_api_defaults_and_drift_is_left_alone() {
    let baseline = Baseline {
        require_regions: vec![region("ap-southeast-2")],
        ..Baseline::default()
    };
    let plan = plan(
        &estate("other"),
        &props(P2, vec![]),
        &baseline,
        "111122223333",
    );
    assert_eq!(ops(&plan), vec![("ReplicateKey", "us-east-1")]);
    assert!(plan.steps[0].parameters.get("Policy").is_none());
    assert!(plan.steps[0].parameters.get("Tags").is_none());
}

#[test]
fn drift_is_fixed_with_the_call_that_copies_the_primary_and_the_state_it_saw() {
    let baseline = Baseline {
        replicas: copy_all(),
        ..Baseline::default()
    };
    let replica_tags = vec![Tag::new("team", "other"), Tag::new("stray", "x")];
    let plan = plan(
        &estate("old"),
        &props(P2, replica_tags.clone()),
        &baseline,
        "111122223333",
    );
    assert_eq!(
        ops(&plan),
        vec![
            ("PutKeyPolicy", "eu-west-1"),
            ("TagResource", "eu-west-1"),
            ("UntagResource", "eu-west-1"),
            ("UpdateKeyDescription", "eu-west-1"),
            ("CreateAlias", "eu-west-1"),
        ]
    );
    assert_eq!(
        plan.steps[0].precondition,
        Precondition::PolicyHash { sha256: sha256(P2) }
    );
    assert_eq!(
        plan.steps[1].precondition,
        Precondition::TagsHash {
            sha256: tags_hash(&replica_tags)
        }
    );
    // The Untag step expects the tags as the Tag step leaves them.
    let after_tag = vec![
        Tag::new("stray", "x"),
        Tag::new("team", "payments"),
        Tag::new("env", "prod"),
    ];
    assert_eq!(
        plan.steps[2].precondition,
        Precondition::TagsHash {
            sha256: tags_hash(&after_tag)
        }
    );
    assert_eq!(
        plan.steps[2].parameters["TagKeys"],
        serde_json::json!(["stray"])
    );
    assert_eq!(
        plan.steps[3].precondition,
        Precondition::Description { text: "old".into() }
    );
}

#[test]
fn a_replica_that_matches_its_primary_needs_no_step() {
    let baseline = Baseline {
        replicas: copy_all(),
        ..Baseline::default()
    };
    let mut e = estate("payments");
    e.add_alias(region("eu-west-1"), &id(), "alias/payments".into());
    let same_tags = vec![Tag::new("env", "prod"), Tag::new("team", "payments")];
    assert_eq!(
        plan(&e, &props(P1, same_tags), &baseline, "111122223333").steps,
        vec![]
    );
}

#[test]
fn a_replica_in_a_disallowed_region_is_scheduled_for_deletion_only_when_the_baseline_says_so() {
    let mut baseline = Baseline {
        allow_regions: Some(vec![region("us-east-1")]),
        ..Baseline::default()
    };
    let p = props(P1, vec![]);
    assert_eq!(plan(&estate("payments"), &p, &baseline, "1").steps, vec![]);
    baseline.replicas.disallowed = Disallowed::ScheduleDeletion;
    let plan = plan(&estate("payments"), &p, &baseline, "1");
    assert_eq!(ops(&plan), vec![("ScheduleKeyDeletion", "eu-west-1")]);
    assert_eq!(plan.steps[0].parameters["PendingWindowInDays"], 30);
}

#[test]
fn retire_disables_an_enabled_replica_now_and_deletes_a_disabled_one_behind_a_quiet_week() {
    let baseline = Baseline::from_toml(
        "allow_regions = [\"us-east-1\"]\n[replicas]\ndisallowed = \"retire\"\n",
    )
    .unwrap();
    let p = props(P1, vec![]);
    let first = plan(&estate("payments"), &p, &baseline, "111122223333");
    assert_eq!(ops(&first), vec![("DisableKey", "eu-west-1")]);
    assert_eq!(
        first.steps[0].precondition,
        Precondition::KeyState {
            state: "Enabled".into()
        }
    );
    assert_eq!(crate::plan_check::check_plan(&first), Ok(()));

    let mut disabled = estate("payments");
    let mut replica = key("eu-west-1", Role::Replica, "us-east-1", &["eu-west-1"]);
    replica.description = "payments".into();
    replica.state = KeyState::Disabled;
    disabled.upsert_key(replica);
    let second = plan(&disabled, &p, &baseline, "111122223333");
    assert_eq!(ops(&second), vec![("ScheduleKeyDeletion", "eu-west-1")]);
    assert_eq!(
        second.steps[0].precondition,
        Precondition::Quiet { days: 7 }
    );
    assert!(
        second.steps[0]
            .precondition
            .describe()
            .contains("no DisabledException and no use since")
    );
    assert_eq!(crate::plan_check::check_plan(&second), Ok(()));
}

#[test]
fn a_family_whose_properties_were_not_read_gets_no_step() {
    let baseline = Baseline {
        require_regions: vec![region("ap-southeast-2")],
        replicas: copy_all(),
        ..Baseline::default()
    };
    assert_eq!(
        plan(&estate("x"), &PropsMap::new(), &baseline, "1").steps,
        vec![]
    );
}

#[test]
fn the_replicas_table_is_read_from_the_baseline_and_a_wrong_value_is_refused() {
    let b = Baseline::from_toml(
        "require_regions = [\"us-east-1\"]\n[replicas]\npolicy = \"copy-primary\"\ndisallowed = \"schedule-deletion\"\n",
    )
    .unwrap();
    assert_eq!(b.replicas.policy, Carry::CopyPrimary);
    assert_eq!(b.replicas.tags, Carry::Keep);
    assert_eq!(b.replicas.disallowed, Disallowed::ScheduleDeletion);
    assert!(Baseline::from_toml("[replicas]\npolicy = \"copy\"\n").is_err());
    assert!(Baseline::from_toml("[replicas]\nrotation = \"copy-primary\"\n").is_err());
}

#[test]
fn a_rule_overrides_the_replicas_table_for_the_families_it_matches_only() {
    let b = Baseline::from_toml(
        "[replicas]\npolicy = \"copy-primary\"\n\
         [[rule]]\nalias = \"alias/payments\"\nreplicas = { policy = \"keep\", description = \"copy-primary\" }\n\
         [[rule]]\nalias = \"alias/other\"\nreplicas = { tags = \"copy-primary\" }\n",
    )
    .unwrap();
    let e = estate("old");
    let family = e.family(&id()).unwrap();
    let rules = ReplicaRules::for_family(&b, family, None);
    assert_eq!(rules.policy, Carry::Keep, "the matching rule wins");
    assert_eq!(rules.description, Carry::CopyPrimary);
    assert_eq!(
        rules.tags,
        Carry::Keep,
        "a rule that does not match changes nothing"
    );
    let plan = plan(&e, &props(P2, vec![]), &b, "1");
    assert_eq!(ops(&plan), vec![("UpdateKeyDescription", "eu-west-1")]);
}

#[test]
fn with_grants_copied_a_replica_gets_each_primary_grant_it_lacks_and_nothing_is_revoked() {
    use crate::parity::{Grant, GrantConstraints};
    let grant = |grantee: &str| Grant {
        id: format!("{grantee}-id"),
        name: Some("app".into()),
        grantee: grantee.into(),
        grantee_kind: Default::default(),
        retiring: None,
        retiring_service: false,
        operations: ["Decrypt".to_string()].into_iter().collect(),
        constraints: GrantConstraints {
            subset: [("app".to_string(), "payments".to_string())]
                .into_iter()
                .collect(),
            equals: Default::default(),
            source_arn: None,
        },
    };
    let app = grant("arn:aws:iam::111122223333:role/app");
    let extra = grant("arn:aws:iam::111122223333:role/extra");
    let mut p = props(
        P1,
        vec![Tag::new("env", "prod"), Tag::new("team", "payments")],
    );
    if let Some(k) = p.get_mut(&(id(), region("us-east-1"))) {
        k.grants = Some(vec![app.clone()]);
    }
    if let Some(k) = p.get_mut(&(id(), region("eu-west-1"))) {
        k.grants = Some(vec![extra]);
    }
    let baseline = Baseline {
        replicas: ReplicaRules {
            grants: Carry::CopyPrimary,
            ..ReplicaRules::default()
        },
        ..Baseline::default()
    };
    let plan = plan(&estate("payments"), &p, &baseline, "1");
    assert_eq!(ops(&plan), vec![("CreateGrant", "eu-west-1")]);
    assert_eq!(
        plan.steps[0].precondition,
        Precondition::GrantAbsent {
            grant: app.describe()
        }
    );
    let rebuilt = grant_of(&plan.steps[0].parameters);
    assert!(rebuilt.same_as(&app), "{rebuilt:?}");
}

const PUBLIC: &str = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}"#;

#[test]
fn a_public_primary_policy_is_never_copied_to_a_replica_and_the_plan_says_why() {
    let baseline = Baseline {
        require_regions: vec![region("ap-southeast-2")],
        replicas: copy_all(),
        ..Baseline::default()
    };
    let mut props = props(
        P2,
        vec![Tag::new("env", "prod"), Tag::new("team", "payments")],
    );
    if let Some(primary) = props.get_mut(&(id(), region("us-east-1"))) {
        primary.policy = Some(PUBLIC.into());
    }
    let plan = plan(&estate("payments"), &props, &baseline, "111122223333");
    assert!(
        plan.steps
            .iter()
            .all(|s| s.operation != "PutKeyPolicy" && s.operation != "ReplicateKey"),
        "{:?}",
        ops(&plan)
    );
    let blocked: Vec<(&str, &str)> = plan
        .blocked
        .iter()
        .map(|b| (b.operation.as_str(), b.region.as_str()))
        .collect();
    assert_eq!(
        blocked,
        vec![
            ("ReplicateKey", "ap-southeast-2"),
            ("PutKeyPolicy", "eu-west-1")
        ]
    );
    assert!(plan.blocked[0].reason.contains("public-access"));
}

/// The estate of `estate("other")` with its primary in `state`.
fn estate_with_primary(state: KeyState) -> Estate {
    let mut e = estate("other");
    let mut primary = key("us-east-1", Role::Primary, "us-east-1", &["eu-west-1"]);
    primary.description = "payments".into();
    primary.state = state;
    e.upsert_key(primary);
    e
}

fn require_ap_and_copy_all() -> Baseline {
    Baseline {
        require_regions: vec![region("ap-southeast-2")],
        replicas: copy_all(),
        ..Baseline::default()
    }
}

#[test]
fn a_family_whose_primary_is_pending_deletion_gets_no_step_and_each_call_is_left_out_with_why() {
    for state in [KeyState::PendingDeletion, KeyState::PendingReplicaDeletion] {
        let e = estate_with_primary(state.clone());
        let plan = plan(
            &e,
            &props(P2, vec![]),
            &require_ap_and_copy_all(),
            "111122223333",
        );
        assert!(plan.steps.is_empty(), "{state}: {:?}", ops(&plan));
        let left_out: Vec<&str> = plan.blocked.iter().map(|b| b.operation.as_str()).collect();
        assert!(left_out.contains(&"ReplicateKey"), "{state}: {left_out:?}");
        assert!(left_out.contains(&"PutKeyPolicy"), "{state}: {left_out:?}");
        assert!(
            plan.blocked.iter().all(|b| b
                .reason
                .contains(&format!("the primary in us-east-1 is {state}"))),
            "{:?}",
            plan.blocked
        );
    }
}

#[test]
fn a_family_whose_primary_is_creating_or_updating_gets_no_step_until_it_settles() {
    for state in [KeyState::Creating, KeyState::Updating] {
        let e = estate_with_primary(state.clone());
        let plan = plan(
            &e,
            &props(P2, vec![]),
            &require_ap_and_copy_all(),
            "111122223333",
        );
        assert!(plan.steps.is_empty(), "{state}: {:?}", ops(&plan));
        assert!(
            plan.blocked
                .iter()
                .all(|b| b.reason.contains("until it settles"))
        );
    }
}

#[test]
fn a_disabled_primary_makes_no_replica_but_its_replicas_drift_is_still_fixed() {
    let e = estate_with_primary(KeyState::Disabled);
    let plan = plan(
        &e,
        &props(P2, vec![]),
        &require_ap_and_copy_all(),
        "111122223333",
    );
    let planned: Vec<&str> = plan.steps.iter().map(|s| s.operation.as_str()).collect();
    assert!(!planned.contains(&"ReplicateKey"), "{planned:?}");
    assert!(planned.contains(&"PutKeyPolicy"), "{planned:?}");
    let left_out: Vec<(&str, &str)> = plan
        .blocked
        .iter()
        .map(|b| (b.operation.as_str(), b.region.as_str()))
        .collect();
    assert_eq!(
        left_out,
        vec![
            ("ReplicateKey", "us-east-1"),
            ("CreateAlias", "ap-southeast-2")
        ]
    );
    assert!(plan.blocked[0].reason.contains("DisabledException"));
}
