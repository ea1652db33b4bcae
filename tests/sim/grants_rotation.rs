//! The simulator's grants and rotation, through aws-sdk-kms, one KMS_FACTS.md behaviour per
//! test ("Grants, rotation"). moto models neither the multi-Region side of rotation nor
//! Regional grants on replicas, which is the gap these cover.

use aws_sdk_kms::error::ProvideErrorMetadata;
use aws_sdk_kms::types::{GrantConstraints, GrantOperation, OriginType, RotationType};

use crate::harness::SimHarness;

const GRANTEE: &str = "arn:aws:iam::111122223333:role/ebs-service";

fn code<E: ProvideErrorMetadata>(e: &E) -> String {
    e.code().unwrap_or("no code").to_string()
}

/// A primary in us-east-1 with a settled replica in eu-west-1.
async fn family(h: &SimHarness) -> String {
    let id = h.primary("us-east-1").await;
    h.replica(&id, "us-east-1", "eu-west-1").await;
    id
}

async fn grant(h: &SimHarness, region: &str, id: &str) -> (String, String) {
    let out = h
        .client(region)
        .create_grant()
        .key_id(id)
        .grantee_principal(GRANTEE)
        .operations(GrantOperation::Decrypt)
        .operations(GrantOperation::GenerateDataKey)
        .constraints(
            GrantConstraints::builder()
                .encryption_context_subset("app", "billing")
                .build(),
        )
        .name("ebs-volumes")
        .send()
        .await
        .expect("CreateGrant succeeds");
    (
        out.grant_id().unwrap().to_string(),
        out.grant_token().unwrap().to_string(),
    )
}

#[tokio::test]
async fn a_grant_is_regional_a_replica_does_not_have_its_primarys_grant() {
    let h = SimHarness::start().await;
    let id = family(&h).await;
    let (grant_id, _) = grant(&h, "us-east-1", &id).await;
    assert_eq!(grant_id.len(), 64);
    let listed = h
        .client("us-east-1")
        .list_grants()
        .key_id(&id)
        .send()
        .await
        .unwrap();
    let g = &listed.grants()[0];
    assert_eq!(g.grantee_principal(), Some(GRANTEE));
    assert_eq!(g.name(), Some("ebs-volumes"));
    assert_eq!(
        g.operations(),
        &[GrantOperation::Decrypt, GrantOperation::GenerateDataKey]
    );
    let subset = g
        .constraints()
        .and_then(|c| c.encryption_context_subset())
        .unwrap();
    assert_eq!(subset.get("app").map(String::as_str), Some("billing"));
    let replica = h
        .client("eu-west-1")
        .list_grants()
        .key_id(&id)
        .send()
        .await
        .unwrap();
    assert!(
        replica.grants().is_empty(),
        "grants are never copied to replicas"
    );
}

#[tokio::test]
async fn list_grants_pages_with_opaque_markers() {
    let h = SimHarness::start().await;
    let id = h.primary("us-east-1").await;
    for name in ["a", "b", "c"] {
        h.client("us-east-1")
            .create_grant()
            .key_id(&id)
            .grantee_principal(GRANTEE)
            .operations(GrantOperation::Encrypt)
            .name(name)
            .send()
            .await
            .unwrap();
    }
    let mut seen = 0;
    let mut marker = None;
    loop {
        let page = h
            .client("us-east-1")
            .list_grants()
            .key_id(&id)
            .limit(2)
            .set_marker(marker)
            .send()
            .await
            .unwrap();
        seen += page.grants().len();
        if !page.truncated() {
            break;
        }
        marker = page.next_marker().map(str::to_string);
    }
    assert_eq!(seen, 3);
}

#[tokio::test]
async fn create_grant_refuses_unknown_principals_and_disabled_keys() {
    let h = SimHarness::start().await;
    let id = h.primary("us-east-1").await;
    let bad = h
        .client("us-east-1")
        .create_grant()
        .key_id(&id)
        .grantee_principal("not-a-principal")
        .operations(GrantOperation::Decrypt)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&bad), "ValidationException");
    h.client("us-east-1")
        .disable_key()
        .key_id(&id)
        .send()
        .await
        .unwrap();
    let disabled = h
        .client("us-east-1")
        .create_grant()
        .key_id(&id)
        .grantee_principal(GRANTEE)
        .operations(GrantOperation::Decrypt)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&disabled), "DisabledException");
}

#[tokio::test]
async fn a_grant_can_be_revoked_by_id_and_retired_by_token() {
    let h = SimHarness::start().await;
    let id = h.primary("us-east-1").await;
    let (first, _) = grant(&h, "us-east-1", &id).await;
    let us = h.client("us-east-1");
    us.revoke_grant()
        .key_id(&id)
        .grant_id(&first)
        .send()
        .await
        .unwrap();
    let again = us
        .revoke_grant()
        .key_id(&id)
        .grant_id(&first)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&again), "NotFoundException");
    let (_, token) = grant(&h, "us-east-1", &id).await;
    us.retire_grant().grant_token(&token).send().await.unwrap();
    let left = us.list_grants().key_id(&id).send().await.unwrap();
    assert!(left.grants().is_empty());
    let bad = us
        .retire_grant()
        .grant_token("bm90LWEtdG9rZW4")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&bad), "InvalidGrantTokenException");
}

#[tokio::test]
async fn rotation_is_set_on_the_primary_and_every_replica_reports_it() {
    let h = SimHarness::start().await;
    let id = family(&h).await;
    h.client("us-east-1")
        .enable_key_rotation()
        .key_id(&id)
        .rotation_period_in_days(180)
        .send()
        .await
        .unwrap();
    for region in ["us-east-1", "eu-west-1"] {
        let status = h
            .client(region)
            .get_key_rotation_status()
            .key_id(&id)
            .send()
            .await
            .unwrap();
        assert!(status.key_rotation_enabled(), "{region}");
        assert_eq!(status.rotation_period_in_days(), Some(180), "{region}");
        assert!(status.next_rotation_date().is_some(), "{region}");
    }
    let on_replica = h
        .client("eu-west-1")
        .disable_key_rotation()
        .key_id(&id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&on_replica), "UnsupportedOperationException");
}

#[tokio::test]
async fn a_rotation_period_outside_90_to_2560_days_is_refused() {
    let h = SimHarness::start().await;
    let id = h.primary("us-east-1").await;
    for days in [89, 2561] {
        let e = h
            .client("us-east-1")
            .enable_key_rotation()
            .key_id(&id)
            .rotation_period_in_days(days)
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert_eq!(code(&e), "ValidationException", "{days}");
    }
}

#[tokio::test]
async fn keys_with_imported_material_cannot_rotate_and_report_rotation_off() {
    let h = SimHarness::start().await;
    let us = h.client("us-east-1");
    let id = us
        .create_key()
        .multi_region(true)
        .origin(OriginType::External)
        .send()
        .await
        .unwrap()
        .key_metadata()
        .unwrap()
        .key_id()
        .to_string();
    let status = us
        .get_key_rotation_status()
        .key_id(&id)
        .send()
        .await
        .unwrap();
    assert!(!status.key_rotation_enabled());
    let e = us
        .enable_key_rotation()
        .key_id(&id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&e), "UnsupportedOperationException");
}

#[tokio::test]
async fn an_on_demand_rotation_of_the_primary_is_listed_in_every_region_up_to_the_limit() {
    let h = SimHarness::start().await;
    let id = family(&h).await;
    let us = h.client("us-east-1");
    us.rotate_key_on_demand().key_id(&id).send().await.unwrap();
    let listed = h
        .client("eu-west-1")
        .list_key_rotations()
        .key_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.rotations().len(), 1);
    assert_eq!(
        listed.rotations()[0].rotation_type(),
        Some(&RotationType::OnDemand)
    );
    for _ in 1..25 {
        us.rotate_key_on_demand().key_id(&id).send().await.unwrap();
    }
    let over = us
        .rotate_key_on_demand()
        .key_id(&id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&over), "LimitExceededException");
}

/// `audit --format json` (the binary) over us-east-1 and eu-west-1.
fn audit_json(endpoint: &str) -> serde_json::Value {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_kms-replica-console"));
    crate::support::clean_env(&mut command);
    let out = command
        .args(["audit", "--format", "json", "--no-history"])
        .args([
            "--regions",
            "us-east-1,eu-west-1",
            "--endpoint-url",
            endpoint,
        ])
        .output()
        .expect("the binary runs");
    assert_ne!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a JSON report")
}

#[test]
fn the_audit_reports_grant_drift_rotation_off_and_material_expiring_first_on_the_right_key_and_region()
 {
    let runner = kms_replica_console::jobs::Runner::new().unwrap();
    let h = runner.block_on(SimHarness::start());
    let (drifted, imported) = runner.block_on(async {
        let drifted = family(&h).await;
        grant(&h, "us-east-1", &drifted).await;
        h.client("eu-west-1")
            .create_grant()
            .key_id(&drifted)
            .grantee_principal("arn:aws:iam::444455556666:role/vendor")
            .operations(GrantOperation::Decrypt)
            .send()
            .await
            .unwrap();
        let imported = crate::conformance::external_primary(&h, "us-east-1").await;
        crate::conformance::import(&h, "us-east-1", &imported, 30).await;
        h.client("us-east-1")
            .replicate_key()
            .key_id(&imported)
            .replica_region("eu-west-1")
            .send()
            .await
            .unwrap();
        h.advance(crate::harness::DELAY + 1.0);
        crate::conformance::import(&h, "eu-west-1", &imported, 10).await;
        (drifted, imported)
    });
    let report = audit_json(&h.sim.endpoint());
    let found: Vec<(String, String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("kind"), s("key_id"), s("region"), s("severity"))
        })
        .collect();
    let has = |kind: &str, key: &str, region: &str, severity: &str| {
        found.contains(&(kind.into(), key.into(), region.into(), severity.into()))
    };
    assert!(
        has("grant-missing", &drifted, "eu-west-1", "medium"),
        "{found:#?}"
    );
    assert!(
        has("grant-extra", &drifted, "eu-west-1", "high"),
        "{found:#?}"
    );
    assert!(
        has("rotation-disabled", &drifted, "us-east-1", "medium"),
        "{found:#?}"
    );
    assert!(
        has(
            "material-expires-before-primary",
            &imported,
            "eu-west-1",
            "low"
        ),
        "{found:#?}"
    );
    assert!(
        !found
            .iter()
            .any(|f| f.0 == "rotation-disabled" && f.1 == imported),
        "imported material cannot rotate: no rotation finding for it"
    );
}

/// KMS_FACTS (grants): an empty encryption-context map is treated as not specified. One rule in
/// the simulator, the audit and the plan: a grant with `EncryptionContextEquals: {}` is the grant
/// with no constraint, so a retried CreateGrant of the same name returns it, and a replica
/// holding the unconstrained copy has no grant drift.
#[tokio::test]
async fn an_empty_context_map_is_no_constraint_in_the_simulator_and_the_audit() {
    let h = SimHarness::start().await;
    let id = family(&h).await;
    let create = |region: &'static str, empty: bool| {
        let mut call = h
            .client(region)
            .create_grant()
            .key_id(&id)
            .grantee_principal(GRANTEE)
            .operations(GrantOperation::Decrypt)
            .name("app");
        if empty {
            call = call.constraints(
                GrantConstraints::builder()
                    .set_encryption_context_equals(Some(Default::default()))
                    .build(),
            );
        }
        call.send()
    };
    let with_empty = create("us-east-1", true).await.unwrap();
    let without = create("us-east-1", false).await.unwrap();
    assert_eq!(
        with_empty.grant_id(),
        without.grant_id(),
        "the same grant: {{}} is no constraint"
    );
    let listed = h
        .client("us-east-1")
        .list_grants()
        .key_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.grants().len(), 1);
    assert!(listed.grants()[0].constraints().is_none());

    create("eu-west-1", false).await.unwrap();
    let clients = kms_replica_console::aws::AwsClients::from_sdk_config(
        crate::support::load_sdk_config(&h.sim.endpoint(), std::time::Duration::from_secs(10))
            .await,
    );
    let primary = clients.client(crate::support::region("us-east-1"));
    let replica = clients.client(crate::support::region("eu-west-1"));
    let mrk = kms_replica_console::domain::MrkId::parse(&id).unwrap();
    let (p, r) = (
        primary.grants(&mrk).await.unwrap(),
        replica.grants(&mrk).await.unwrap(),
    );
    let diff = kms_replica_console::domain::parity::grant_diff(&p, &r);
    assert!(diff.missing.is_empty() && diff.extra.is_empty(), "{diff:?}");
}
