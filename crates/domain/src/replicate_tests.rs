//! Specifications of the replicate draft: validation, and API defaults versus the console.

use super::*;
use crate::estate::RegionScan;
use crate::key::KeyInfo;

use crate::test_keys::ID;
const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"app","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"kms:Decrypt","Resource":"*"}]}"#;

fn region(name: &str) -> Region {
    name.parse().unwrap()
}

fn props() -> PrimaryProps {
    PrimaryProps {
        description: "payments data key".into(),
        policy: Some(POLICY.into()),
        tags: Some(vec![Tag::new("team", "payments"), Tag::new("env", "prod")]),
        alias: Some("alias/payments".into()),
    }
}

fn draft() -> Draft {
    let mut d = Draft::new(MrkId::parse(ID).unwrap(), region("us-east-1"), &props());
    d.targets.insert(region("eu-west-1"));
    d
}

fn any_target(_: Region) -> TargetStatus {
    TargetStatus::Available
}

fn fields(d: &Draft, p: &PrimaryProps) -> Vec<Field> {
    d.differences(p).iter().map(|d| d.field).collect()
}

#[test]
fn a_new_draft_uses_the_api_defaults_and_flags_every_field_the_console_would_copy() {
    let d = draft();
    assert_eq!(
        fields(&d, &props()),
        [Field::Policy, Field::Description, Field::Tags, Field::Alias]
    );
    let text = &d.differences(&props())[0].text;
    assert!(text.contains("default key policy") && text.contains("console would copy"));
}

#[test]
fn copying_each_field_from_the_primary_removes_its_flag() {
    let mut d = draft();
    d.policy = Source::CopyFromPrimary;
    assert!(!fields(&d, &props()).contains(&Field::Policy));
    d.description = Source::CopyFromPrimary;
    assert!(!fields(&d, &props()).contains(&Field::Description));
    d.tags = Source::CopyFromPrimary;
    assert!(!fields(&d, &props()).contains(&Field::Tags));
    d.create_alias = true;
    assert!(d.differences(&props()).is_empty());
}

#[test]
fn a_custom_value_equal_to_the_primarys_is_not_flagged_but_a_different_one_is() {
    let mut d = draft();
    d.policy = Source::Custom;
    d.custom_policy =
        serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(POLICY).unwrap())
            .unwrap();
    assert!(
        !fields(&d, &props()).contains(&Field::Policy),
        "same JSON, other layout"
    );
    d.custom_policy = POLICY.replace("kms:Decrypt", "kms:*");
    assert!(fields(&d, &props()).contains(&Field::Policy));

    d.tags = Source::Custom;
    d.custom_tags = vec![Tag::new("env", "prod"), Tag::new("team", "payments")];
    assert!(
        !fields(&d, &props()).contains(&Field::Tags),
        "same set, other order"
    );
    d.custom_tags.pop();
    assert!(fields(&d, &props()).contains(&Field::Tags));

    d.description = Source::Custom;
    d.custom_description = "something else".into();
    assert!(fields(&d, &props()).contains(&Field::Description));
}

#[test]
fn an_empty_primary_description_or_no_tags_make_the_api_default_equal_to_the_console() {
    let p = PrimaryProps {
        description: String::new(),
        tags: Some(vec![]),
        alias: None,
        ..props()
    };
    let d = Draft::new(MrkId::parse(ID).unwrap(), region("us-east-1"), &p);
    assert_eq!(fields(&d, &p), [Field::Policy]);
}

#[test]
fn a_primary_on_the_default_policy_makes_the_api_default_policy_no_difference() {
    let p = PrimaryProps {
        policy: Some(r#"{"Id":"key-default-1","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}"#.into()),
        ..props()
    };
    assert!(!fields(&draft(), &p).contains(&Field::Policy));
}

#[test]
fn api_defaults_omit_policy_tags_and_description_from_the_request() {
    let requests = draft().requests(&props(), any_target).unwrap();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(
        (
            r.policy.as_deref(),
            r.tags.as_deref(),
            r.description.as_deref()
        ),
        (None, None, None)
    );
    assert!(r.describe_calls()[0].contains("Policy=omitted (KMS attaches the default key policy)"));
}

#[test]
fn copied_fields_send_the_primarys_values_to_every_target() {
    let mut d = draft();
    d.targets.insert(region("ap-southeast-2"));
    d.policy = Source::CopyFromPrimary;
    d.tags = Source::CopyFromPrimary;
    d.description = Source::CopyFromPrimary;
    d.create_alias = true;
    let requests = d.requests(&props(), any_target).unwrap();
    assert_eq!(requests.len(), 2);
    for r in &requests {
        assert_eq!(r.policy.as_deref(), Some(POLICY));
        assert_eq!(r.tags.as_ref().map(Vec::len), Some(2));
        assert_eq!(r.description.as_deref(), Some("payments data key"));
        assert_eq!(r.alias.as_deref(), Some("alias/payments"));
        assert_eq!(
            r.describe_calls().len(),
            2,
            "ReplicateKey, then CreateAlias"
        );
    }
}

#[test]
fn copying_a_field_that_is_still_loading_blocks_the_request() {
    let loading = PrimaryProps {
        policy: None,
        tags: None,
        ..props()
    };
    let mut d = draft();
    d.policy = Source::CopyFromPrimary;
    let problems = d.requests(&loading, any_target).unwrap_err();
    assert_eq!(problems, [DraftProblem::StillLoading("key policy")]);
}

#[test]
fn invalid_custom_policy_blocks_the_request_with_its_position() {
    let mut d = draft();
    d.policy = Source::Custom;
    d.custom_policy = "{\n  \"Statement\": [\n".into();
    let problems = d.problems(&props(), any_target);
    assert!(matches!(&problems[..], [DraftProblem::Policy(e)] if e.position().is_some()));
}

#[test]
fn a_reserved_tag_blocks_the_request() {
    let mut d = draft();
    d.tags = Source::Custom;
    d.custom_tags.push(Tag::new("aws:created-by", "me"));
    assert_eq!(d.problems(&props(), any_target), [DraftProblem::Tags]);
}

#[test]
fn no_target_and_an_unselectable_target_block_the_request() {
    let mut d = draft();
    d.targets.clear();
    assert_eq!(d.problems(&props(), any_target), [DraftProblem::NoTarget]);
    d.targets.insert(region("eu-west-1"));
    let problems = d.problems(&props(), |_| TargetStatus::PendingDeletion);
    assert!(matches!(&problems[..], [DraftProblem::BadTarget(r, _)] if *r == region("eu-west-1")));
}

#[test]
fn a_long_description_and_a_bad_alias_block_the_request() {
    let mut d = draft();
    d.description = Source::Custom;
    d.custom_description = "d".repeat(8_193);
    d.create_alias = true;
    d.alias_name = "alias/aws/mine".into();
    let problems = d.problems(&props(), any_target);
    assert!(problems.contains(&DraftProblem::DescriptionTooLong(8_193)));
    assert!(matches!(problems.last(), Some(DraftProblem::Alias(_))));
}

#[test]
fn bypassing_the_lockout_check_is_spelled_out_in_the_calls() {
    let mut d = draft();
    d.bypass_lockout = true;
    let requests = d.requests(&props(), any_target).unwrap();
    assert!(requests[0].describe_calls()[0].contains("BypassPolicyLockoutSafetyCheck=true"));
}

fn described(r: &str, role: Role, state: KeyState) -> KeyEntry {
    let key = crate::test_keys::key(r, role, "us-east-1", &["ap-south-1"]);
    KeyEntry::Described(Box::new(KeyInfo { state, ..key }))
}

#[test]
fn target_status_follows_what_the_scan_saw() {
    let regions = [
        "us-east-1",
        "eu-west-1",
        "eu-west-2",
        "af-south-1",
        "ap-south-1",
        "sa-east-1",
    ];
    let mut estate = Estate::new(regions.iter().map(|r| region(r)).collect());
    let scan = |keys| RegionScan {
        keys,
        aliases: vec![],
    };
    estate.apply_scan(
        region("us-east-1"),
        scan(vec![described(
            "us-east-1",
            Role::Primary,
            KeyState::Enabled,
        )]),
    );
    estate.apply_scan(
        region("eu-west-1"),
        scan(vec![described(
            "eu-west-1",
            Role::Replica,
            KeyState::Enabled,
        )]),
    );
    estate.apply_scan(
        region("eu-west-2"),
        scan(vec![described(
            "eu-west-2",
            Role::Replica,
            KeyState::PendingDeletion,
        )]),
    );
    estate.apply_scan(region("ap-south-1"), scan(vec![]));
    estate.apply_scan(region("sa-east-1"), scan(vec![]));
    estate.apply_failure(
        region("af-south-1"),
        Problem::new(
            ProblemKind::RegionNotEnabled,
            "UnrecognizedClientException",
            "x",
        ),
    );
    let id = MrkId::parse(ID).unwrap();
    let status = |r: &str| target_status(&estate, &id, region("us-east-1"), region(r));

    assert_eq!(status("us-east-1"), TargetStatus::PrimaryRegion);
    assert!(matches!(
        status("eu-west-1"),
        TargetStatus::HoldsKey {
            state: Some(KeyState::Enabled),
            ..
        }
    ));
    assert_eq!(status("eu-west-2"), TargetStatus::PendingDeletion);
    assert_eq!(status("af-south-1"), TargetStatus::NotEnabled);
    assert!(
        matches!(
            status("ap-south-1"),
            TargetStatus::HoldsKey { state: None, .. }
        ),
        "reported by the primary"
    );
    assert_eq!(status("sa-east-1"), TargetStatus::Available);
    assert!(status("sa-east-1").selectable() && !status("eu-west-1").selectable());
}
