//! One behaviour of KMS_FACTS.md per test, observed through aws-sdk-kms.

use aws_sdk_kms::error::ProvideErrorMetadata;
use aws_sdk_kms::operation::replicate_key::ReplicateKeyError;
use aws_sdk_kms::types::{
    ExpirationModelType, KeyState, MultiRegionKeyType, OriginType, Tag as KmsTag,
};
use aws_smithy_types::{Blob, DateTime};
use kms_replica_console::sim::{FaultKind, FaultRule, SimConfig};

use crate::harness::{DELAY, SimHarness};

const DAY: f64 = 86_400.0;

fn tag(k: &str, v: &str) -> KmsTag {
    KmsTag::builder().tag_key(k).tag_value(v).build().unwrap()
}

fn code<E: ProvideErrorMetadata>(e: &E) -> String {
    e.code().unwrap_or("no code").to_string()
}

#[tokio::test]
async fn multi_region_key_ids_are_mrk_and_32_hex_and_the_key_is_its_own_primary() {
    let h = SimHarness::start().await;
    let out = h
        .client("us-east-1")
        .create_key()
        .multi_region(true)
        .send()
        .await
        .unwrap();
    let meta = out.key_metadata().unwrap();
    let hex = meta.key_id().strip_prefix("mrk-").unwrap();
    assert_eq!(hex.len(), 32);
    assert!(hex.chars().all(|c| c.is_ascii_hexdigit()));
    let config = meta.multi_region_configuration().unwrap();
    assert_eq!(
        config.multi_region_key_type(),
        Some(&MultiRegionKeyType::Primary)
    );
    assert_eq!(config.primary_key().unwrap().arn(), meta.arn());
    assert!(config.replica_keys().is_empty());
}

#[tokio::test]
async fn a_single_region_key_has_no_multi_region_configuration() {
    let h = SimHarness::start().await;
    let out = h.client("us-east-1").create_key().send().await.unwrap();
    let meta = out.key_metadata().unwrap();
    assert_eq!(meta.multi_region(), Some(false));
    assert!(meta.multi_region_configuration().is_none());
    assert!(!meta.key_id().starts_with("mrk-"));
}

#[tokio::test]
async fn a_new_replica_is_creating_until_the_delay_has_passed_then_enabled() {
    let h = SimHarness::start().await;
    let id = h.primary("us-east-1").await;
    let out = h
        .client("us-east-1")
        .replicate_key()
        .key_id(&id)
        .replica_region("eu-west-1")
        .send()
        .await
        .unwrap();
    let meta = out.replica_key_metadata().unwrap();
    assert_eq!(meta.key_state(), Some(&KeyState::Creating));
    assert!(!meta.enabled());
    assert_eq!(h.state("eu-west-1", &id).await, "Creating");
    h.advance(DELAY + 1.0);
    assert_eq!(h.state("eu-west-1", &id).await, "Enabled");
}

#[tokio::test]
async fn the_primary_lists_a_replica_at_once_while_it_is_still_creating() {
    let h = SimHarness::start().await;
    let id = h.primary("us-east-1").await;
    h.client("us-east-1")
        .replicate_key()
        .key_id(&id)
        .replica_region("ap-southeast-2")
        .send()
        .await
        .unwrap();
    let out = h
        .client("us-east-1")
        .describe_key()
        .key_id(&id)
        .send()
        .await
        .unwrap();
    let replicas = out
        .key_metadata()
        .and_then(|m| m.multi_region_configuration())
        .map(|c| c.replica_keys().to_vec())
        .unwrap();
    assert_eq!(replicas.len(), 1);
    assert_eq!(replicas[0].region(), Some("ap-southeast-2"));
}

/// An EXTERNAL multi-Region primary in `region`, still waiting for its material.
pub(crate) async fn external_primary(h: &SimHarness, region: &str) -> String {
    h.client(region)
        .create_key()
        .multi_region(true)
        .origin(OriginType::External)
        .send()
        .await
        .unwrap()
        .key_metadata()
        .unwrap()
        .key_id()
        .to_string()
}

/// The material every test family imports (32 bytes, as symmetric material is).
pub(crate) const MATERIAL: [u8; 32] = [0x5a; 32];

/// Imports `MATERIAL`, valid for `days`, into `id` in `region`: wrapped under the public key
/// GetParametersForImport returned, as a KMS user does.
pub(crate) async fn import(h: &SimHarness, region: &str, id: &str, days: u64) {
    let client = h.client(region);
    let params = client
        .get_parameters_for_import()
        .key_id(id)
        .wrapping_algorithm(aws_sdk_kms::types::AlgorithmSpec::RsaesOaepSha256)
        .wrapping_key_spec(aws_sdk_kms::types::WrappingKeySpec::Rsa2048)
        .send()
        .await
        .unwrap();
    let valid_to = std::time::SystemTime::now() + std::time::Duration::from_secs(days * 86_400);
    client
        .import_key_material()
        .key_id(id)
        .import_token(params.import_token().unwrap().clone())
        .encrypted_key_material(Blob::new(wrap(
            params.public_key().unwrap().as_ref(),
            &MATERIAL,
        )))
        .expiration_model(ExpirationModelType::KeyMaterialExpires)
        .valid_to(DateTime::from(valid_to))
        .send()
        .await
        .unwrap();
}

/// RSAES_OAEP_SHA_256 under a DER public key.
pub(crate) fn wrap(public_der: &[u8], material: &[u8]) -> Vec<u8> {
    use aws_lc_rs::rsa::{OAEP_SHA256_MGF1SHA256, OaepPublicEncryptingKey, PublicEncryptingKey};
    let key =
        OaepPublicEncryptingKey::new(PublicEncryptingKey::from_der(public_der).unwrap()).unwrap();
    let mut out = vec![0; key.ciphertext_size()];
    key.encrypt(&OAEP_SHA256_MGF1SHA256, material, &mut out, None)
        .unwrap()
        .to_vec()
}

#[tokio::test]
async fn an_external_primary_cannot_be_replicated_before_its_material_is_imported() {
    let h = SimHarness::start().await;
    let id = external_primary(&h, "us-east-1").await;
    let err = h
        .client("us-east-1")
        .replicate_key()
        .key_id(&id)
        .replica_region("eu-west-1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "KMSInvalidStateException");
    assert!(err.message().unwrap_or("").ends_with("is pending import."));
}

#[tokio::test]
async fn a_replica_of_an_external_key_waits_in_pending_import() {
    let h = SimHarness::start().await;
    let id = external_primary(&h, "us-east-1").await;
    import(&h, "us-east-1", &id, 30).await;
    h.replica(&id, "us-east-1", "eu-west-1").await;
    assert_eq!(h.state("eu-west-1", &id).await, "PendingImport");
}

#[tokio::test]
async fn replicate_without_policy_tags_or_description_gives_the_api_defaults() {
    let h = SimHarness::start().await;
    let us = h.client("us-east-1");
    let id = us
        .create_key()
        .multi_region(true)
        .description("primary's description")
        .tags(tag("team", "payments"))
        .send()
        .await
        .unwrap()
        .key_metadata()
        .unwrap()
        .key_id()
        .to_string();
    let out = us
        .replicate_key()
        .key_id(&id)
        .replica_region("eu-west-1")
        .send()
        .await
        .unwrap();
    let policy: serde_json::Value = serde_json::from_str(out.replica_policy().unwrap()).unwrap();
    assert_eq!(policy["Id"], "key-default-1");
    assert_eq!(
        policy["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::111122223333:root"
    );
    assert_eq!(policy["Statement"][0]["Action"], "kms:*");
    assert!(
        out.replica_tags.is_none(),
        "no ReplicaTags key without Tags"
    );
    assert_eq!(out.replica_key_metadata().unwrap().description(), Some(""));
    let tags = h
        .client("eu-west-1")
        .list_resource_tags()
        .key_id(&id)
        .send()
        .await
        .unwrap();
    assert!(tags.tags().is_empty());
}

#[tokio::test]
async fn replicate_with_policy_tags_and_description_applies_them_to_the_replica() {
    let h = SimHarness::start().await;
    let id = h.primary("us-east-1").await;
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Sid":"custom","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}"#;
    let out = h
        .client("us-east-1")
        .replicate_key()
        .key_id(&id)
        .replica_region("eu-west-1")
        .policy(policy)
        .description("replica description")
        .tags(tag("env", "prod"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.replica_policy(), Some(policy));
    assert_eq!(out.replica_tags(), [tag("env", "prod")]);
    let stored = h
        .client("eu-west-1")
        .get_key_policy()
        .key_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(stored.policy(), Some(policy));
}

#[tokio::test]
async fn a_second_replicate_to_the_same_region_is_already_exists() {
    let h = SimHarness::start().await;
    let id = h.primary("us-east-1").await;
    h.replica(&id, "us-east-1", "eu-west-1").await;
    let err = h
        .client("us-east-1")
        .replicate_key()
        .key_id(&id)
        .replica_region("eu-west-1")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, ReplicateKeyError::AlreadyExistsException(_)),
        "{err:?}"
    );
}

#[tokio::test]
async fn replicating_a_replica_is_unsupported_with_the_kms_message() {
    let h = SimHarness::start().await;
    let id = h.primary("us-east-1").await;
    h.replica(&id, "us-east-1", "eu-west-1").await;
    let err = h
        .client("eu-west-1")
        .replicate_key()
        .key_id(&id)
        .replica_region("ap-southeast-2")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(matches!(
        err,
        ReplicateKeyError::UnsupportedOperationException(_)
    ));
    assert!(
        err.message()
            .unwrap_or("")
            .ends_with("is not a multi-region primary key.")
    );
}

#[tokio::test]
async fn replicating_a_single_region_key_is_unsupported() {
    let h = SimHarness::start().await;
    let us = h.client("us-east-1");
    let id = us
        .create_key()
        .send()
        .await
        .unwrap()
        .key_metadata()
        .unwrap()
        .key_id()
        .to_string();
    let err = us
        .replicate_key()
        .key_id(&id)
        .replica_region("eu-west-1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "UnsupportedOperationException");
}

#[tokio::test]
async fn replicating_to_the_primary_region_another_partition_or_a_bad_name_is_a_validation_error() {
    let h = SimHarness::start().await;
    let id = h.primary("us-east-1").await;
    for target in ["us-east-1", "cn-north-1", "Europe"] {
        let err = h
            .client("us-east-1")
            .replicate_key()
            .key_id(&id)
            .replica_region(target)
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&err), "ValidationException", "{target}");
    }
}

#[tokio::test]
async fn replicating_a_disabled_primary_is_a_disabled_exception() {
    let h = SimHarness::start().await;
    let id = h.primary("us-east-1").await;
    let us = h.client("us-east-1");
    us.disable_key().key_id(&id).send().await.unwrap();
    let err = us
        .replicate_key()
        .key_id(&id)
        .replica_region("eu-west-1")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(matches!(err, ReplicateKeyError::DisabledException(_)));
    assert!(err.message().unwrap_or("").ends_with("is disabled."));
}

#[tokio::test]
async fn replicating_a_primary_pending_deletion_is_an_invalid_state() {
    let h = SimHarness::start().await;
    let id = h.primary("us-east-1").await;
    let us = h.client("us-east-1");
    us.schedule_key_deletion()
        .key_id(&id)
        .pending_window_in_days(7)
        .send()
        .await
        .unwrap();
    let err = us
        .replicate_key()
        .key_id(&id)
        .replica_region("eu-west-1")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(matches!(
        err,
        ReplicateKeyError::KmsInvalidStateException(_)
    ));
    assert!(
        err.message()
            .unwrap_or("")
            .ends_with("is pending deletion.")
    );
}

#[tokio::test]
async fn policies_that_are_not_json_too_large_or_with_bad_characters_are_malformed() {
    let h = SimHarness::start().await;
    let id = h.primary("us-east-1").await;
    let huge = format!(r#"{{"Statement":[{{"Sid":"{}"}}]}}"#, "a".repeat(33_000));
    for policy in ["{not json", huge.as_str(), r#"{"Statement":[{"Sid":"☃"}]}"#] {
        let err = h
            .client("us-east-1")
            .put_key_policy()
            .key_id(&id)
            .policy(policy)
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&err), "MalformedPolicyDocumentException");
    }
}

#[tokio::test]
async fn reserved_duplicate_and_too_many_tags_are_tag_exceptions_and_long_keys_validation_errors() {
    let h = SimHarness::start().await;
    let us = h.client("us-east-1");
    let reserved = us
        .create_key()
        .tags(tag("aws:owner", "x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        reserved.message(),
        Some("Tags beginning with aws: are reserved")
    );
    let duplicate = us
        .create_key()
        .tags(tag("a", "1"))
        .tags(tag("a", "2"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(duplicate.message(), Some("Duplicate tag keys"));
    let many: Vec<KmsTag> = (0..51).map(|i| tag(&format!("k{i}"), "v")).collect();
    let too_many = us
        .create_key()
        .set_tags(Some(many))
        .send()
        .await
        .unwrap_err();
    assert_eq!(too_many.message(), Some("Too many tags"));
    let long = us
        .create_key()
        .tags(tag(&"k".repeat(129), "v"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&long), "ValidationException");
    assert!(
        long.message()
            .unwrap_or("")
            .contains("tags.1.member.tagKey")
    );
}

#[tokio::test]
async fn a_description_over_8192_characters_is_a_validation_error() {
    let h = SimHarness::start().await;
    let err = h
        .client("us-east-1")
        .create_key()
        .description("d".repeat(8193))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ValidationException");
}

#[tokio::test]
async fn a_deletion_window_outside_7_to_30_days_is_a_validation_error() {
    let h = SimHarness::start().await;
    let id = h.primary("us-east-1").await;
    for days in [6, 31] {
        let err = h
            .client("us-east-1")
            .schedule_key_deletion()
            .key_id(&id)
            .pending_window_in_days(days)
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&err), "ValidationException", "{days} days");
    }
}

#[tokio::test]
async fn a_primary_with_replicas_waits_in_pending_replica_deletion_until_its_last_replica_is_gone()
{
    let h = SimHarness::start().await;
    let id = h.primary("us-east-1").await;
    h.replica(&id, "us-east-1", "eu-west-1").await;
    h.replica(&id, "us-east-1", "ap-southeast-2").await;
    let out = h
        .client("us-east-1")
        .schedule_key_deletion()
        .key_id(&id)
        .pending_window_in_days(7)
        .send()
        .await
        .unwrap();
    assert_eq!(out.key_state(), Some(&KeyState::PendingReplicaDeletion));
    assert!(out.deletion_date().is_none());

    for (region, days) in [("eu-west-1", 7), ("ap-southeast-2", 10)] {
        h.client(region)
            .schedule_key_deletion()
            .key_id(&id)
            .pending_window_in_days(days)
            .send()
            .await
            .unwrap();
    }
    h.advance(8.0 * DAY);
    assert_eq!(
        h.state("us-east-1", &id).await,
        "PendingReplicaDeletion",
        "one replica left"
    );
    h.advance(3.0 * DAY);
    assert_eq!(h.state("us-east-1", &id).await, "PendingDeletion");
    let err = h
        .client("eu-west-1")
        .describe_key()
        .key_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotFoundException", "the replica is deleted");
}

#[tokio::test]
async fn cancelling_deletion_leaves_the_key_disabled_without_a_deletion_date() {
    let h = SimHarness::start().await;
    let id = h.primary("us-east-1").await;
    let us = h.client("us-east-1");
    us.schedule_key_deletion()
        .key_id(&id)
        .pending_window_in_days(7)
        .send()
        .await
        .unwrap();
    us.cancel_key_deletion().key_id(&id).send().await.unwrap();
    let meta = us
        .describe_key()
        .key_id(&id)
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    assert_eq!(meta.key_state(), Some(&KeyState::Disabled));
    assert!(meta.deletion_date().is_none());
}

#[tokio::test]
async fn update_primary_region_holds_both_keys_in_updating_then_swaps_roles_in_every_region() {
    let h = SimHarness::start().await;
    let id = h.primary("us-east-1").await;
    h.replica(&id, "us-east-1", "eu-west-1").await;
    h.replica(&id, "us-east-1", "ap-southeast-2").await;
    h.client("us-east-1")
        .update_primary_region()
        .key_id(&id)
        .primary_region("eu-west-1")
        .send()
        .await
        .unwrap();
    assert_eq!(h.state("us-east-1", &id).await, "Updating");
    assert_eq!(h.state("eu-west-1", &id).await, "Updating");
    h.advance(DELAY + 1.0);
    for region in ["us-east-1", "eu-west-1", "ap-southeast-2"] {
        let meta = h
            .client(region)
            .describe_key()
            .key_id(&id)
            .send()
            .await
            .unwrap()
            .key_metadata
            .unwrap();
        assert_eq!(meta.key_state(), Some(&KeyState::Enabled), "{region}");
        let config = meta.multi_region_configuration().unwrap();
        assert_eq!(
            config.primary_key().unwrap().region(),
            Some("eu-west-1"),
            "{region}"
        );
        let expected = if region == "eu-west-1" {
            MultiRegionKeyType::Primary
        } else {
            MultiRegionKeyType::Replica
        };
        assert_eq!(config.multi_region_key_type(), Some(&expected), "{region}");
    }
}

#[tokio::test]
async fn update_primary_region_needs_both_keys_enabled() {
    let h = SimHarness::start().await;
    let id = h.primary("us-east-1").await;
    h.replica(&id, "us-east-1", "eu-west-1").await;
    h.client("eu-west-1")
        .disable_key()
        .key_id(&id)
        .send()
        .await
        .unwrap();
    let err = h
        .client("us-east-1")
        .update_primary_region()
        .key_id(&id)
        .primary_region("eu-west-1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "DisabledException");
}

#[tokio::test]
async fn list_keys_honours_limit_and_marker() {
    let h = SimHarness::start().await;
    let us = h.client("us-east-1");
    for _ in 0..5 {
        us.create_key().send().await.unwrap();
    }
    let first = us.list_keys().limit(2).send().await.unwrap();
    assert_eq!(first.keys().len(), 2);
    assert!(first.truncated());
    let mut seen = first.keys().len();
    let mut marker = first.next_marker().map(str::to_string);
    while let Some(m) = marker {
        let page = us.list_keys().limit(2).marker(m).send().await.unwrap();
        seen += page.keys().len();
        marker = page.next_marker().map(str::to_string);
    }
    assert_eq!(seen, 5);
}

#[tokio::test]
async fn describe_key_accepts_a_key_arn_an_alias_name_and_an_alias_arn() {
    let h = SimHarness::start().await;
    let id = h.primary("us-east-1").await;
    let us = h.client("us-east-1");
    us.create_alias()
        .alias_name("alias/payments")
        .target_key_id(&id)
        .send()
        .await
        .unwrap();
    let account = h.sim.account_id().to_string();
    for key_id in [
        format!("arn:aws:kms:us-east-1:{account}:key/{id}"),
        "alias/payments".to_string(),
        format!("arn:aws:kms:us-east-1:{account}:alias/payments"),
    ] {
        let meta = us
            .describe_key()
            .key_id(&key_id)
            .send()
            .await
            .unwrap()
            .key_metadata
            .unwrap();
        assert_eq!(meta.key_id(), id, "{key_id}");
    }
}

#[tokio::test]
async fn describe_key_answers_not_found_with_the_kms_messages() {
    let h = SimHarness::start().await;
    let id = h.primary("us-east-1").await;
    let eu = h.client("eu-west-1");
    let absent = eu.describe_key().key_id(&id).send().await.unwrap_err();
    assert_eq!(
        absent.message().unwrap_or(""),
        format!("Key 'arn:aws:kms:eu-west-1:111122223333:key/{id}' does not exist")
    );
    let malformed = eu
        .describe_key()
        .key_id("mrk-fake-key-id")
        .send()
        .await
        .unwrap_err();
    assert_eq!(malformed.message(), Some("Invalid keyId 'mrk-fake-key-id'"));
    let other_region = eu
        .describe_key()
        .key_id(format!("arn:aws:kms:us-east-1:111122223333:key/{id}"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(other_region.message(), Some("Invalid arn us-east-1"));
}

#[tokio::test]
async fn imported_material_enables_the_key_and_its_expiry_returns_it_to_pending_import() {
    let h = SimHarness::start().await;
    let id = external_primary(&h, "us-east-1").await;
    assert_eq!(h.state("us-east-1", &id).await, "PendingImport");
    import(&h, "us-east-1", &id, 1).await;
    assert_eq!(h.state("us-east-1", &id).await, "Enabled");
    h.advance(2.0 * DAY);
    assert_eq!(h.state("us-east-1", &id).await, "PendingImport");
}

#[tokio::test]
async fn tags_policy_and_description_round_trip_on_one_key_only() {
    let h = SimHarness::start().await;
    let id = h.primary("us-east-1").await;
    h.replica(&id, "us-east-1", "eu-west-1").await;
    let eu = h.client("eu-west-1");
    eu.tag_resource()
        .key_id(&id)
        .tags(tag("env", "prod"))
        .tags(tag("team", "a"))
        .send()
        .await
        .unwrap();
    eu.untag_resource()
        .key_id(&id)
        .tag_keys("team")
        .send()
        .await
        .unwrap();
    eu.update_key_description()
        .key_id(&id)
        .description("replica only")
        .send()
        .await
        .unwrap();
    let tags = eu.list_resource_tags().key_id(&id).send().await.unwrap();
    assert_eq!(tags.tags(), [tag("env", "prod")]);
    let primary = h
        .client("us-east-1")
        .describe_key()
        .key_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        primary.key_metadata().unwrap().description(),
        Some("primary description"),
        "KMS does not sync descriptions"
    );
}

#[tokio::test]
async fn aliases_are_per_region_and_a_duplicate_is_already_exists() {
    let h = SimHarness::start().await;
    let id = h.primary("us-east-1").await;
    h.replica(&id, "us-east-1", "eu-west-1").await;
    let us = h.client("us-east-1");
    us.create_alias()
        .alias_name("alias/shared")
        .target_key_id(&id)
        .send()
        .await
        .unwrap();
    let dup = us
        .create_alias()
        .alias_name("alias/shared")
        .target_key_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&dup), "AlreadyExistsException");
    let eu_aliases = h.client("eu-west-1").list_aliases().send().await.unwrap();
    assert!(
        eu_aliases.aliases().is_empty(),
        "aliases are never replicated"
    );
    us.delete_alias()
        .alias_name("alias/shared")
        .send()
        .await
        .unwrap();
    assert!(us.list_aliases().send().await.unwrap().aliases().is_empty());
}

#[tokio::test]
async fn requests_beyond_the_aws_quota_are_throttled() {
    let h = SimHarness::with(SimConfig {
        quotas: true,
        ..SimConfig::default()
    })
    .await;
    let us = h.client("us-east-1");
    let mut throttled = 0;
    for _ in 0..8 {
        if let Err(e) = us.create_key().send().await {
            assert_eq!(code(&e), "ThrottlingException");
            throttled += 1;
        }
    }
    assert!(
        throttled >= 2,
        "CreateKey allows 5 per second; {throttled} of 8 throttled"
    );
}

#[tokio::test]
async fn an_injected_internal_fault_is_a_kms_internal_exception() {
    let h = SimHarness::with(SimConfig {
        faults: vec![FaultRule {
            kind: FaultKind::Internal,
            rate: 1.0,
            region: Some("eu-west-1".into()),
            operation: None,
        }],
        ..SimConfig::default()
    })
    .await;
    let err = h.client("eu-west-1").list_keys().send().await.unwrap_err();
    assert_eq!(code(&err), "KMSInternalException");
    assert!(
        h.client("us-east-1").list_keys().send().await.is_ok(),
        "only eu-west-1 fails"
    );
}

#[tokio::test]
async fn a_dropped_replicate_has_still_created_the_replica() {
    let h = SimHarness::with(SimConfig {
        faults: vec!["drop:1::ReplicateKey".parse().unwrap()],
        ..SimConfig::default()
    })
    .await;
    let id = h.primary("us-east-1").await;
    let result = h
        .client("us-east-1")
        .replicate_key()
        .key_id(&id)
        .replica_region("eu-west-1")
        .send()
        .await;
    assert!(result.is_err(), "the client never hears back");
    assert_eq!(h.state("eu-west-1", &id).await, "Creating");
}

#[tokio::test]
async fn a_region_the_account_has_not_enabled_refuses_every_call() {
    let h = SimHarness::with(SimConfig {
        disabled_regions: vec!["me-south-1".into()],
        ..SimConfig::default()
    })
    .await;
    let err = h.client("me-south-1").list_keys().send().await.unwrap_err();
    assert_eq!(code(&err), "UnrecognizedClientException");
}

#[tokio::test]
async fn stats_count_requests_per_region_and_operation_until_reset() {
    let h = SimHarness::start().await;
    h.client("eu-west-1").list_keys().send().await.unwrap();
    h.client("eu-west-1").list_keys().send().await.unwrap();
    let stats = h.sim.stats();
    assert_eq!(stats["requests"]["eu-west-1"]["ListKeys"], 2);
    h.sim.reset_stats();
    assert!(h.sim.stats()["requests"].as_object().unwrap().is_empty());
}
