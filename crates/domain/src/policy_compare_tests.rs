//! Specifications of the semantic policy comparison.

use super::*;

const PRIMARY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
    {"Sid": "app", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:role/app"]}, "Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": "*"}
  ]
}"#;

#[test]
fn the_same_grants_written_differently_compare_equal() {
    // Other statement order, no Sids, a bare account ID, single strings, other action case.
    let rewritten = r#"{"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": ["KMS:encrypt", "kms:Decrypt"], "Resource": ["*"]},
        {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": ["kms:*"], "Resource": "*"}
    ]}"#;
    assert!(compare(PRIMARY, rewritten).unwrap().is_empty());
}

#[test]
fn a_single_statement_object_equals_a_one_item_array() {
    let array = r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}]}"#;
    let object = r#"{"Statement": {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"}}"#;
    assert!(compare(array, object).unwrap().is_empty());
}

#[test]
fn a_replica_granting_kms_star_to_another_account_is_reported() {
    let replica = PRIMARY.replace(
        r#""Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": "*"}"#,
        r#""Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": "*"},
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:*", "Resource": "*"}"#,
    );
    let diff = compare(PRIMARY, &replica).unwrap();
    assert_eq!(diff.only_in_replica.len(), 1);
    let extra = &diff.only_in_replica[0];
    assert_eq!(extra.action, "kms:*");
    assert_eq!(extra.principal_account(), Some("444455556666"));
    assert!(diff.only_in_primary.is_empty());
}

#[test]
fn grants_the_replica_lacks_are_reported_the_other_way() {
    let replica = r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}"#;
    let diff = compare(PRIMARY, replica).unwrap();
    assert!(diff.only_in_replica.is_empty());
    assert_eq!(
        diff.only_in_primary.len(),
        2,
        "Encrypt and Decrypt for the app role"
    );
}

#[test]
fn conditions_are_part_of_a_grant() {
    let with = r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}]}"#;
    let without = r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}]}"#;
    let diff = compare(with, without).unwrap();
    assert_eq!(
        (diff.only_in_replica.len(), diff.only_in_primary.len()),
        (1, 1)
    );
    assert!(diff.only_in_replica[0].is_public());
}

#[test]
fn the_default_key_policy_is_recognised_by_its_single_grant_never_by_its_id() {
    assert!(!is_default_policy(
        r#"{"Id": "key-default-1", "Statement": []}"#
    ));
    let public_under_default_id = r#"{"Id": "key-default-1", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}]}"#;
    assert!(!is_default_policy(public_under_default_id));
    assert!(is_default_policy(
        r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}"#
    ));
    assert!(!is_default_policy(PRIMARY));
}

#[test]
fn an_allow_with_not_principal_is_as_open_as_principal_star() {
    let policy = r#"{"Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/alice"}, "Action": "kms:Decrypt", "Resource": "*"}]}"#;
    let grant = grants(policy).unwrap().into_iter().next().unwrap();
    assert!(grant.is_public());
    assert!(grant.is_open_to_anyone());
}

#[test]
fn a_public_grant_confined_to_the_callers_account_is_not_open_to_anyone() {
    let scoped = r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*",
        "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"}}}]}"#;
    let grant = grants(scoped).unwrap().into_iter().next().unwrap();
    assert!(grant.is_public());
    assert!(!grant.is_open_to_anyone());
    let negated = scoped.replace("StringEquals", "StringNotEquals");
    let grant = grants(&negated).unwrap().into_iter().next().unwrap();
    assert!(
        grant.is_open_to_anyone(),
        "a negated condition confines nothing"
    );
}

#[test]
fn a_single_condition_value_equals_a_one_item_array_and_keys_ignore_case() {
    let single = r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*",
        "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"}}}]}"#;
    let array = r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*",
        "Condition": {"StringEquals": {"KMS:calleraccount": ["111122223333"]}}}]}"#;
    assert!(compare(single, array).unwrap().is_empty());
    let other = array.replace("111122223333", "444455556666");
    assert!(!compare(single, &other).unwrap().is_empty());
}

/// Any JSON value, nested a few levels, with the keys a policy uses among others.
fn arbitrary_json() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
    use proptest::prelude::*;
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        "[a-zA-Z:*/ 0-9]{0,12}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        let key = prop_oneof![
            Just("Statement".to_string()),
            Just("Principal".to_string()),
            Just("NotPrincipal".to_string()),
            Just("AWS".to_string()),
            Just("Action".to_string()),
            Just("NotAction".to_string()),
            Just("Resource".to_string()),
            Just("Effect".to_string()),
            Just("Condition".to_string()),
            Just("Id".to_string()),
            "[a-z]{1,5}".prop_map(|s| s),
        ];
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::from),
            proptest::collection::btree_map(key, inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest::proptest! {
    #[test]
    fn comparison_never_panics_and_a_policy_equals_itself(a in arbitrary_json(), b in arbitrary_json()) {
        let (a, b) = (a.to_string(), b.to_string());
        let _ = compare(&a, &b);
        let _ = is_default_policy(&a);
        if let Ok(diff) = compare(&a, &a) {
            proptest::prop_assert!(diff.is_empty());
        }
    }

    #[test]
    fn policy_validation_never_panics(text in "\\PC{0,200}") {
        let _ = crate::policy::validate_policy(&text);
        let _ = crate::policy::format_policy(&text);
    }

    #[test]
    fn tag_validation_never_panics(keys in proptest::collection::vec("\\PC{0,140}", 0..60)) {
        let tags: Vec<_> = keys.iter().map(|k| crate::Tag::new(k.clone(), k.clone())).collect();
        let check = crate::tags::check_tags(&tags);
        proptest::prop_assert_eq!(check.rows.len(), tags.len());
    }
}

#[test]
fn comparison_never_panics_on_awkward_shapes() {
    // A deterministic sweep of awkward shapes (the proptest-style guarantee, without the crate).
    let shapes = [
        "null",
        "1",
        "[]",
        "{}",
        r#"{"Statement": 3}"#,
        r#"{"Statement": [1, "x", null]}"#,
        r#"{"Statement": [{"Principal": 5, "Action": {"a": 1}, "Resource": [1, 2]}]}"#,
        r#"{"Statement": [{"Principal": {"AWS": [1, null]}, "NotAction": "kms:*"}]}"#,
        r#"{"Statement": {"NotPrincipal": "*", "NotResource": "x"}}"#,
    ];
    for a in shapes {
        for b in shapes {
            let _ = compare(a, b);
            let _ = is_default_policy(a);
        }
    }
}

/// The 2026 grant condition keys (KMS_FACTS §2) compare like any condition key: the same
/// service principal written in another case is one condition; another service is not.
#[test]
fn the_service_principal_grant_condition_keys_are_compared_case_blind() {
    let policy = |key: &str, service: &str| {
        format!(
            r#"{{"Statement": [{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:role/ops"}}, "Action": "kms:CreateGrant", "Resource": "*", "Condition": {{"StringEquals": {{"{key}": "{service}"}}, "ArnLike": {{"kms:GrantConstraintSourceArn": "arn:aws:support:*"}}}}}}]}}"#
        )
    };
    let primary = policy(
        "kms:GranteeServicePrincipal",
        "us-east-1.supportauthz.amazonaws.com",
    );
    let same = policy(
        "KMS:granteeServicePrincipal",
        "us-east-1.supportauthz.amazonaws.com",
    );
    assert!(compare(&primary, &same).unwrap().is_empty());
    let other = policy(
        "kms:GranteeServicePrincipal",
        "eu-west-1.supportauthz.amazonaws.com",
    );
    assert_eq!(compare(&primary, &other).unwrap().only_in_replica.len(), 1);
    let retiring = policy(
        "kms:RetiringServicePrincipal",
        "us-east-1.supportauthz.amazonaws.com",
    );
    assert_eq!(
        compare(&primary, &retiring).unwrap().only_in_primary.len(),
        1
    );
}
