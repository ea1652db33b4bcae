use super::*;
use crate::Role;
use crate::test_keys::key;

fn grant(grantee: &str, ops: &[&str], subset: &[(&str, &str)]) -> Grant {
    Grant {
        id: format!("id-{}", fastrand::u32(..)),
        name: Some("app".into()),
        grantee: grantee.into(),
        grantee_kind: Default::default(),
        retiring: None,
        retiring_service: false,
        operations: ops.iter().map(|o| o.to_string()).collect(),
        constraints: GrantConstraints {
            subset: subset
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            equals: BTreeMap::new(),
            source_arn: None,
        },
    }
}

const ROLE: &str = "arn:aws:iam::111122223333:role/app";

#[test]
fn grants_are_equal_whatever_the_order_of_operations_and_context_keys_and_whatever_their_ids() {
    let a = grant(ROLE, &["Decrypt", "Encrypt"], &[("a", "1"), ("b", "2")]);
    let b = grant(ROLE, &["Encrypt", "Decrypt"], &[("b", "2"), ("a", "1")]);
    assert_ne!(a.id, b.id);
    assert!(a.same_as(&b));
    let diff = grant_diff(std::slice::from_ref(&a), std::slice::from_ref(&b));
    assert!(diff.missing.is_empty() && diff.extra.is_empty());
}

#[test]
fn a_grant_differing_in_operations_constraints_retiring_principal_or_name_is_another_grant() {
    let base = grant(ROLE, &["Decrypt"], &[("a", "1")]);
    let mut others = vec![
        grant(ROLE, &["Decrypt", "Encrypt"], &[("a", "1")]),
        grant(ROLE, &["Decrypt"], &[("a", "2")]),
        grant(
            "arn:aws:iam::111122223333:role/other",
            &["Decrypt"],
            &[("a", "1")],
        ),
    ];
    let mut retiring = base.clone();
    retiring.retiring = Some(ROLE.into());
    let mut renamed = base.clone();
    renamed.name = Some("other".into());
    let mut equals = base.clone();
    equals.constraints = GrantConstraints {
        subset: BTreeMap::new(),
        equals: base.constraints.subset.clone(),
        source_arn: None,
    };
    others.extend([retiring, renamed, equals]);
    for other in &others {
        assert!(!base.same_as(other), "{other:?}");
    }
}

#[test]
fn the_diff_names_what_the_replica_lacks_and_what_it_has_beyond_the_primary() {
    let shared = grant(ROLE, &["Decrypt"], &[]);
    let only_primary = grant("arn:aws:iam::111122223333:role/ebs", &["Decrypt"], &[]);
    let only_replica = grant("arn:aws:iam::444455556666:role/vendor", &["Decrypt"], &[]);
    let primary = vec![shared.clone(), only_primary.clone()];
    let replica = vec![only_replica.clone(), shared];
    let diff = grant_diff(&primary, &replica);
    assert_eq!(diff.missing, vec![&only_primary]);
    assert_eq!(diff.extra, vec![&only_replica]);
}

#[test]
fn an_extra_grant_is_high_for_another_account_or_a_service_with_broader_operations() {
    let owner = "111122223333";
    let service = "rds.amazonaws.com";
    let primary = vec![grant(service, &["Decrypt"], &[])];
    let other_account = grant("arn:aws:iam::444455556666:role/vendor", &["Decrypt"], &[]);
    let broader_service = grant(service, &["Decrypt", "Encrypt"], &[]);
    let same_service_ops = {
        let mut g = grant(service, &["Decrypt"], &[]);
        g.name = None;
        g
    };
    let own_role = grant(ROLE, &["Decrypt", "Encrypt"], &[]);
    assert!(extra_grant_is_high(&other_account, &primary, owner));
    assert!(extra_grant_is_high(&broader_service, &primary, owner));
    assert!(!extra_grant_is_high(&same_service_ops, &primary, owner));
    assert!(!extra_grant_is_high(&own_role, &primary, owner));
}

#[test]
fn only_symmetric_encryption_keys_with_kms_made_material_can_rotate() {
    let mut k = key("us-east-1", Role::Primary, "us-east-1", &[]);
    assert!(can_rotate(&k));
    k.origin = "EXTERNAL".into();
    assert!(!can_rotate(&k));
    k.origin = "AWS_KMS".into();
    k.key_spec = "HMAC_256".into();
    k.key_usage = "GENERATE_VERIFY_MAC".into();
    assert!(!can_rotate(&k));
}

#[test]
fn a_replica_whose_material_expires_first_is_named_and_one_that_never_expires_is_not() {
    let mut primary = key("us-east-1", Role::Primary, "us-east-1", &["eu-west-1"]);
    let mut replica = key("eu-west-1", Role::Replica, "us-east-1", &["eu-west-1"]);
    primary.origin = "EXTERNAL".into();
    replica.origin = "EXTERNAL".into();
    primary.valid_to = Some(2_000);
    replica.valid_to = Some(1_000);
    assert!(expires_before_primary(&replica, &primary));
    replica.valid_to = Some(3_000);
    assert!(!expires_before_primary(&replica, &primary));
    replica.valid_to = None;
    replica.expiration_model = Some("KEY_MATERIAL_DOES_NOT_EXPIRE".into());
    assert!(!expires_before_primary(&replica, &primary));
    primary.valid_to = None;
    primary.expiration_model = Some("KEY_MATERIAL_DOES_NOT_EXPIRE".into());
    replica.valid_to = Some(1_000);
    assert!(expires_before_primary(&replica, &primary));
}

fn service_grant() -> Grant {
    Grant {
        grantee_kind: crate::parity::GranteeKind::ServicePrincipal,
        retiring: Some("us-east-1.supportauthz.amazonaws.com".into()),
        retiring_service: true,
        constraints: GrantConstraints {
            source_arn: Some("arn:aws:support:us-east-1:111122223333:case/1".into()),
            ..GrantConstraints::default()
        },
        ..grant("us-east-1.supportauthz.amazonaws.com", &["Decrypt"], &[])
    }
}

#[test]
fn a_service_principal_grant_is_its_own_grant_and_says_what_it_is_for() {
    let service = service_grant();
    let legacy = Grant {
        grantee_kind: crate::parity::GranteeKind::LegacyServicePrincipal,
        ..grant("dynamodb.us-east-1.amazonaws.com", &["Decrypt"], &[])
    };
    assert!(
        service
            .describe()
            .contains("service principal us-east-1.supportauthz.amazonaws.com may Decrypt")
    );
    assert!(
        service
            .describe()
            .contains("(for arn:aws:support:us-east-1:111122223333:case/1 only)")
    );
    assert!(legacy.describe().contains("(a service, in a legacy grant)"));
    let other_source = Grant {
        constraints: GrantConstraints {
            source_arn: Some("arn:aws:support:us-east-1:111122223333:case/2".into()),
            ..GrantConstraints::default()
        },
        ..service.clone()
    };
    assert!(
        !service.same_as(&other_source),
        "another resource is another grant"
    );
    let as_legacy = Grant {
        grantee_kind: crate::parity::GranteeKind::LegacyServicePrincipal,
        ..service.clone()
    };
    assert!(
        !service.same_as(&as_legacy),
        "the field it is given in is part of the grant"
    );
}

#[test]
fn a_service_principal_the_primary_does_not_grant_is_high_on_a_replica() {
    let primary = [grant(
        "arn:aws:iam::111122223333:role/app",
        &["Decrypt"],
        &[],
    )];
    let replica = [service_grant()];
    let diff = grant_diff(&primary, &replica);
    assert_eq!(diff.extra.len(), 1);
    assert!(extra_grant_is_high(diff.extra[0], &primary, "111122223333"));
}

#[test]
fn a_service_grant_copied_by_a_plan_is_the_same_grant_and_passes_the_plans_checks() {
    let service = service_grant();
    let id = crate::MrkId::parse("mrk-1234abcd12ab34cd56ef1234567890ab").unwrap();
    let step = crate::plan::Step {
        account: "111122223333".into(),
        region: "eu-west-1".into(),
        key_id: id.to_string(),
        operation: "CreateGrant".into(),
        parameters: crate::plan_grants::grant_json(&id, &service),
        reason: "grant-missing".into(),
        precondition: crate::plan::Precondition::GrantAbsent {
            grant: service.describe(),
        },
    };
    assert!(crate::plan::grant_of(&step.parameters).same_as(&service));
    let plan = crate::plan::Plan {
        schema_version: crate::plan::PLAN_SCHEMA_VERSION,
        steps: vec![step],
        blocked: Vec::new(),
    };
    assert_eq!(crate::plan_check::check_plan(&plan), Ok(()));
}
