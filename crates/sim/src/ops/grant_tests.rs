//! Grants to service principals (KMS_FACTS.md §2): exactly one grantee kind; a service grantee
//! needs a SourceArn constraint and a retiring principal; ListGrants returns and filters the
//! new fields.

use serde_json::{Value, json};

use crate::model::{Delays, Kms};

const SERVICE: &str = "us-east-1.supportauthz.amazonaws.com";
const SOURCE: &str = "arn:aws:support:us-east-1:111122223333:case/case-1";

fn key() -> (Kms, String) {
    let mut kms = Kms::new(
        "111122223333".into(),
        Delays {
            replica_creation: 0.0,
            update_primary: 0.0,
        },
        Some(5),
    );
    let out = kms
        .call("CreateKey", "us-east-1", &json!({"MultiRegion": true}), 0.0)
        .unwrap();
    let id = out["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    (kms, id)
}

fn create(kms: &mut Kms, input: Value) -> Result<Value, &'static str> {
    kms.call("CreateGrant", "us-east-1", &input, 1.0)
        .map_err(|f| f.code)
}

#[test]
fn a_service_grant_needs_its_source_arn_and_a_retiring_principal() {
    let (mut kms, id) = key();
    let bare = json!({"KeyId": id, "GranteeServicePrincipal": SERVICE, "Operations": ["Decrypt"]});
    assert_eq!(create(&mut kms, bare), Err("ValidationException"));
    let whole = json!({
        "KeyId": id,
        "GranteeServicePrincipal": SERVICE,
        "RetiringServicePrincipal": SERVICE,
        "Operations": ["Decrypt"],
        "Constraints": {"SourceArn": SOURCE},
    });
    assert!(create(&mut kms, whole).is_ok());
    let both = json!({
        "KeyId": id,
        "GranteePrincipal": "arn:aws:iam::111122223333:role/app",
        "GranteeServicePrincipal": SERVICE,
        "Operations": ["Decrypt"],
    });
    assert_eq!(
        create(&mut kms, both),
        Err("ValidationException"),
        "exactly one grantee kind"
    );
    let bad_source = json!({
        "KeyId": id,
        "GranteeServicePrincipal": SERVICE,
        "RetiringPrincipal": "arn:aws:iam::111122223333:role/app",
        "Operations": ["Decrypt"],
        "Constraints": {"SourceArn": "not-an-arn"},
    });
    assert_eq!(create(&mut kms, bad_source), Err("ValidationException"));
}

#[test]
fn list_grants_returns_the_service_fields_and_filters_by_the_grantee_kind() {
    let (mut kms, id) = key();
    create(
        &mut kms,
        json!({
            "KeyId": id,
            "GranteeServicePrincipal": SERVICE,
            "RetiringServicePrincipal": SERVICE,
            "Operations": ["Decrypt"],
            "Constraints": {"SourceArn": SOURCE},
        }),
    )
    .unwrap();
    // A legacy grant by an AWS service: the service in GranteePrincipal.
    create(
        &mut kms,
        json!({"KeyId": id, "GranteePrincipal": "dynamodb.us-east-1.amazonaws.com", "Operations": ["Decrypt"]}),
    )
    .unwrap();
    let mut list = |filter: Value| {
        let mut input = json!({"KeyId": id});
        if let (Value::Object(i), Value::Object(f)) = (&mut input, filter) {
            i.extend(f);
        }
        kms.call("ListGrants", "us-east-1", &input, 2.0).unwrap()["Grants"]
            .as_array()
            .unwrap()
            .clone()
    };
    let all = list(json!({}));
    let service = all
        .iter()
        .find(|g| g.get("GranteeServicePrincipal").is_some())
        .unwrap();
    assert_eq!(service["RetiringServicePrincipal"], SERVICE);
    assert_eq!(service["Constraints"]["SourceArn"], SOURCE);
    assert!(service.get("GranteePrincipal").is_none());
    assert_eq!(list(json!({"GranteeServicePrincipal": SERVICE})).len(), 1);
    assert_eq!(
        list(json!({"GranteePrincipal": "dynamodb.us-east-1.amazonaws.com"})).len(),
        1,
        "the legacy grant is found by GranteePrincipal"
    );
}
