//! The simulator's CloudTrail against KMS_FACTS.md §6.

use base64::Engine as _;
use serde_json::{Value, json};

use crate::model::{DAY, Delays, Kms};

const T0: f64 = 1_790_000_000.0;

fn kms() -> Kms {
    Kms::new(
        "111122223333".into(),
        Delays {
            replica_creation: 0.0,
            update_primary: 0.0,
        },
        Some(11),
    )
}

fn family(kms: &mut Kms) -> String {
    let out = kms
        .call("CreateKey", "us-east-1", &json!({"MultiRegion": true}), T0)
        .unwrap();
    let id = out["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    let replicate = json!({"KeyId": id, "ReplicaRegion": "eu-west-1"});
    kms.call("ReplicateKey", "us-east-1", &replicate, T0 + 10.0)
        .unwrap();
    id
}

fn by_resource(kms: &Kms, region: &str, arn: &str, now: f64) -> Vec<Value> {
    let input =
        json!({"LookupAttributes": [{"AttributeKey": "ResourceName", "AttributeValue": arn}]});
    let out = kms.trail.lookup(region, &input, now).unwrap();
    out["Events"].as_array().unwrap().clone()
}

fn names(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["EventName"].as_str().unwrap())
        .collect()
}

#[test]
fn replicate_key_is_recorded_in_the_primarys_region_and_create_key_in_the_replicas() {
    let mut kms = kms();
    let id = family(&mut kms);
    let primary = by_resource(&kms, "us-east-1", &kms.key_arn("us-east-1", &id), T0 + 20.0);
    assert_eq!(
        names(&primary),
        vec!["ReplicateKey", "CreateKey"],
        "newest first"
    );
    let replica = by_resource(&kms, "eu-west-1", &kms.key_arn("eu-west-1", &id), T0 + 20.0);
    assert_eq!(names(&replica), vec!["CreateKey"]);
    let record: Value =
        serde_json::from_str(replica[0]["CloudTrailEvent"].as_str().unwrap()).unwrap();
    assert_eq!(record["awsRegion"], "eu-west-1");
    assert_eq!(record["userIdentity"]["invokedBy"], "kms.amazonaws.com");
}

#[test]
fn a_refused_decrypt_is_recorded_with_its_error_code_and_no_plaintext_ever() {
    let mut kms = kms();
    let id = family(&mut kms);
    let plaintext = base64::engine::general_purpose::STANDARD.encode(b"top secret");
    let blob = kms
        .call(
            "Encrypt",
            "us-east-1",
            &json!({"KeyId": id, "Plaintext": plaintext}),
            T0 + 20.0,
        )
        .unwrap()["CiphertextBlob"]
        .clone();
    kms.call("DisableKey", "eu-west-1", &json!({"KeyId": id}), T0 + 30.0)
        .unwrap();
    let refused = kms.call(
        "Decrypt",
        "eu-west-1",
        &json!({"CiphertextBlob": blob}),
        T0 + 40.0,
    );
    assert_eq!(refused.unwrap_err().code, "DisabledException");
    let events = by_resource(&kms, "eu-west-1", &kms.key_arn("eu-west-1", &id), T0 + 50.0);
    assert_eq!(names(&events), vec!["Decrypt", "DisableKey", "CreateKey"]);
    let record: Value =
        serde_json::from_str(events[0]["CloudTrailEvent"].as_str().unwrap()).unwrap();
    assert_eq!(record["errorCode"], "DisabledException");
    let all = kms
        .trail
        .lookup("us-east-1", &json!({}), T0 + 50.0)
        .unwrap()
        .to_string();
    assert!(!all.contains(&plaintext), "plaintext never reaches a trail");
}

#[test]
fn reads_are_not_kept() {
    let mut kms = kms();
    let id = family(&mut kms);
    kms.call("DescribeKey", "us-east-1", &json!({"KeyId": id}), T0 + 20.0)
        .unwrap();
    let events = by_resource(&kms, "us-east-1", &kms.key_arn("us-east-1", &id), T0 + 30.0);
    assert!(!names(&events).contains(&"DescribeKey"));
}

#[test]
fn lookup_takes_one_attribute_a_valid_range_and_at_most_fifty_a_page() {
    let mut kms = kms();
    family(&mut kms);
    let two = json!({"LookupAttributes": [
        {"AttributeKey": "EventName", "AttributeValue": "CreateKey"},
        {"AttributeKey": "ReadOnly", "AttributeValue": "false"},
    ]});
    let code = |input: &Value| {
        kms.trail
            .lookup("us-east-1", input, T0 + 20.0)
            .unwrap_err()
            .code
    };
    assert_eq!(code(&two), "InvalidLookupAttributesException");
    assert_eq!(
        code(&json!({"MaxResults": 51})),
        "InvalidMaxResultsException"
    );
    assert_eq!(
        code(&json!({"StartTime": T0 + 10.0, "EndTime": T0})),
        "InvalidTimeRangeException"
    );
    assert_eq!(
        code(&json!({"NextToken": "bm9wZQ"})),
        "InvalidNextTokenException"
    );
}

#[test]
fn lookup_pages_with_a_token_bound_to_its_parameters_and_sees_ninety_days() {
    let mut kms = kms();
    let id = family(&mut kms);
    for i in 0..60 {
        let tag = json!({"KeyId": id, "Tags": [{"TagKey": "n", "TagValue": i.to_string()}]});
        kms.call("TagResource", "us-east-1", &tag, T0 + 100.0 + f64::from(i))
            .unwrap();
    }
    let now = T0 + 1_000.0;
    let first = kms.trail.lookup("us-east-1", &json!({}), now).unwrap();
    assert_eq!(first["Events"].as_array().unwrap().len(), 50);
    let token = first["NextToken"].as_str().unwrap();
    let second = kms
        .trail
        .lookup("us-east-1", &json!({"NextToken": token}), now)
        .unwrap();
    assert_eq!(second["Events"].as_array().unwrap().len(), 12);
    assert!(second.get("NextToken").is_none());
    let other = json!({"NextToken": token, "MaxResults": 5, "StartTime": T0 + 500.0});
    assert_eq!(
        kms.trail.lookup("us-east-1", &other, now).unwrap_err().code,
        "InvalidNextTokenException"
    );
    let later = kms
        .trail
        .lookup("us-east-1", &json!({}), T0 + 91.0 * DAY)
        .unwrap();
    assert_eq!(later["Events"], json!([]), "older than 90 days");
}

#[test]
fn a_shared_property_changed_on_a_primary_is_synchronised_by_aws_internal() {
    let mut kms = kms();
    let id = family(&mut kms);
    kms.call(
        "EnableKeyRotation",
        "us-east-1",
        &json!({"KeyId": id}),
        T0 + 20.0,
    )
    .unwrap();
    let events = by_resource(&kms, "us-east-1", &kms.key_arn("us-east-1", &id), T0 + 30.0);
    let sync = events
        .iter()
        .find(|e| e["EventName"] == "SynchronizeMultiRegionKey")
        .expect("KMS's own synchronisation is recorded");
    let record: Value = serde_json::from_str(sync["CloudTrailEvent"].as_str().unwrap()).unwrap();
    assert_eq!(record["userIdentity"]["invokedBy"], "AWS Internal");
    assert_eq!(record["sourceIPAddress"], "AWS Internal");
    assert!(record["userIdentity"].get("arn").is_none());
    assert_eq!(sync["Username"], "AWS Internal");
}
