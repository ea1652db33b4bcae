use serde_json::json;

use super::*;
use crate::plan::PLAN_SCHEMA_VERSION;

const KEY: &str = "mrk-1234abcd12ab34cd56ef1234567890ab";
const POLICY: &str = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}"#;

fn step(operation: &str, parameters: Value, precondition: Precondition) -> Step {
    Step {
        account: "111122223333".into(),
        region: "eu-west-1".into(),
        key_id: KEY.into(),
        operation: operation.into(),
        parameters,
        reason: "test".into(),
        precondition,
    }
}

fn plan(steps: Vec<Step>) -> Plan {
    Plan {
        schema_version: PLAN_SCHEMA_VERSION,
        steps,
        blocked: Vec::new(),
    }
}

fn deletion(days: Value) -> Step {
    step(
        "ScheduleKeyDeletion",
        json!({ "KeyId": KEY, "PendingWindowInDays": days }),
        Precondition::KeyState {
            state: "Enabled".into(),
        },
    )
}

fn put_policy(precondition: Precondition) -> Step {
    step(
        "PutKeyPolicy",
        json!({ "KeyId": KEY, "PolicyName": "default", "Policy": POLICY }),
        precondition,
    )
}

#[test]
fn a_valid_step_of_each_kind_passes() {
    let ok = plan(vec![
        deletion(json!(7)),
        deletion(json!(30)),
        put_policy(Precondition::PolicyHash { sha256: "x".into() }),
        step(
            "CreateAlias",
            json!({ "AliasName": "alias/payments", "TargetKeyId": KEY }),
            Precondition::AliasAbsent {
                alias: "alias/payments".into(),
            },
        ),
        step(
            "TagResource",
            json!({ "KeyId": KEY, "Tags": [{ "TagKey": "team", "TagValue": "pay" }] }),
            Precondition::TagsHash { sha256: "x".into() },
        ),
        step(
            "CreateGrant",
            json!({ "KeyId": KEY, "GranteePrincipal": "arn:aws:iam::111122223333:role/app", "Operations": ["Decrypt"] }),
            Precondition::GrantAbsent { grant: "g".into() },
        ),
    ]);
    assert_eq!(check_plan(&ok), Ok(()));
}

#[test]
fn a_deletion_window_outside_7_to_30_days_refuses_the_plan_naming_the_step() {
    for days in [
        json!(4294967303u64),
        json!(6),
        json!(31),
        json!(-1),
        json!("7"),
        json!(7.5),
    ] {
        let p = plan(vec![
            put_policy(Precondition::PolicyHash { sha256: "x".into() }),
            deletion(days.clone()),
        ]);
        let err = check_plan(&p).unwrap_err();
        assert_eq!(err.step, 2, "{days}");
        assert!(
            matches!(
                err.problem,
                StepProblem::Parameter {
                    field: "PendingWindowInDays",
                    ..
                }
            ),
            "{err}"
        );
    }
}

#[test]
fn a_call_behind_a_precondition_that_does_not_guard_it_is_refused() {
    let p = plan(vec![put_policy(Precondition::AliasAbsent {
        alias: "alias/x".into(),
    })]);
    let err = check_plan(&p).unwrap_err();
    assert!(err.to_string().contains("step 1 (PutKeyPolicy)"), "{err}");
    assert!(
        matches!(
            err.problem,
            StepProblem::Unguarded {
                needs: "policy-hash",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn bad_parameters_are_refused_by_the_api_limits() {
    let big = format!(
        r#"{{"Statement":[{{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Sid":"{}"}}]}}"#,
        "x".repeat(40_000)
    );
    let cases = [
        step(
            "PutKeyPolicy",
            json!({ "KeyId": KEY, "Policy": big }),
            Precondition::PolicyHash { sha256: "x".into() },
        ),
        step(
            "TagResource",
            json!({ "KeyId": KEY, "Tags": [{ "TagKey": "aws:owner", "TagValue": "x" }] }),
            Precondition::TagsHash { sha256: "x".into() },
        ),
        step(
            "CreateAlias",
            json!({ "AliasName": "alias/aws/evil", "TargetKeyId": KEY }),
            Precondition::KeyUsable,
        ),
        step(
            "UpdateKeyDescription",
            json!({ "KeyId": KEY, "Description": "d".repeat(9000) }),
            Precondition::Description {
                text: String::new(),
            },
        ),
        step(
            "CreateGrant",
            json!({ "KeyId": KEY, "GranteePrincipal": "arn:aws:iam::1:root", "Operations": ["Everything"] }),
            Precondition::GrantAbsent { grant: "g".into() },
        ),
        step(
            "ReplicateKey",
            json!({ "KeyId": KEY, "ReplicaRegion": "mars-north-1" }),
            Precondition::NoKeyIn,
        ),
        step(
            "DeleteImportedKeyMaterial",
            json!({ "KeyId": KEY }),
            Precondition::KeyUsable,
        ),
    ];
    for case in cases {
        let op = case.operation.clone();
        assert!(check_plan(&plan(vec![case])).is_err(), "{op} was accepted");
    }
}

#[test]
fn a_step_whose_key_region_or_account_is_malformed_is_refused() {
    let mut bad_key = deletion(json!(7));
    bad_key.key_id = "1234abcd-12ab-34cd-56ef-1234567890ab".into();
    let mut bad_region = deletion(json!(7));
    bad_region.region = "eu-west-9".into();
    let mut bad_account = deletion(json!(7));
    bad_account.account = "unknown".into();
    let mut other_key = deletion(json!(7));
    other_key.parameters["KeyId"] = json!("mrk-00000000000000000000000000000000");
    for s in [bad_key, bad_region, bad_account, other_key] {
        assert!(check_plan(&plan(vec![s.clone()])).is_err(), "{s:?}");
    }
}
