//! Grants to service principals across a family (#25 row 1): read with their new fields, a
//! replica lacking the primary's named in `grant-missing`, a service the primary does not grant
//! on a replica `grant-extra` high, and a copy made as the same kind of grant. moto does not
//! know service-principal grants: the simulator covers them.

use aws_sdk_kms::types::{GrantConstraints, GrantOperation};
use kms_replica_console::aws::AwsClients;
use kms_replica_console::domain::MrkId;
use kms_replica_console::domain::parity::GranteeKind;
use kms_replica_console::jobs::Runner;

use crate::support::{self, region};

const SUPPORT: &str = "us-east-1.supportauthz.amazonaws.com";
const OTHER: &str = "eu-west-1.otherservice.amazonaws.com";

async fn service_grant(client: &aws_sdk_kms::Client, key: &str, service: &str) {
    client
        .create_grant()
        .key_id(key)
        .grantee_service_principal(service)
        .retiring_service_principal(service)
        .operations(GrantOperation::Decrypt)
        .constraints(
            GrantConstraints::builder()
                .source_arn("arn:aws:support:us-east-1:111122223333:case/case-7")
                .build(),
        )
        .send()
        .await
        .expect("a service-principal grant with its SourceArn and retiring principal");
}

#[test]
fn service_principal_grants_are_read_compared_and_copied_as_such() {
    let runner = Runner::new().unwrap();
    let sim = crate::harness::quick_sim(&runner, 0.0);
    let sdk = support::sdk_config(&sim.endpoint());
    let (us, eu) = (
        support::client_in(&sdk, "us-east-1"),
        support::client_in(&sdk, "eu-west-1"),
    );
    let key = runner.block_on(async { support::create_family(&us, &["eu-west-1"]).await });
    sim.advance_clock(std::time::Duration::from_secs(1));
    runner.block_on(async {
        service_grant(&us, &key, SUPPORT).await;
        service_grant(&eu, &key, OTHER).await;
    });

    let state = crate::history::StateDir::new("service-grants");
    let endpoint = sim.endpoint();
    let out = crate::history::binary(
        &state,
        &[
            "audit",
            "--endpoint-url",
            &endpoint,
            "--regions",
            "us-east-1,eu-west-1",
        ],
    )
    .output()
    .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let finding = |kind: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["kind"] == kind)
            .cloned()
            .unwrap_or_else(|| panic!("no {kind}: {report}"))
    };
    let missing = finding("grant-missing");
    assert!(
        missing["message"]
            .as_str()
            .unwrap()
            .contains(&format!("service principal {SUPPORT} may Decrypt")),
        "{missing}"
    );
    let extra = finding("grant-extra");
    assert_eq!(extra["severity"], "high", "{extra}");
    assert!(extra["message"].as_str().unwrap().contains(OTHER));

    // The primary's grant copied to the replica through the app's client: the same kind.
    let clients = AwsClients::from_sdk_config(sdk.clone());
    let id = MrkId::parse(&key).unwrap();
    runner.block_on(async {
        let grants = clients
            .client(region("us-east-1"))
            .grants(&id)
            .await
            .unwrap();
        let support_grant = grants.iter().find(|g| g.grantee == SUPPORT).unwrap();
        assert_eq!(support_grant.grantee_kind, GranteeKind::ServicePrincipal);
        assert!(support_grant.constraints.source_arn.is_some());
        clients
            .client(region("eu-west-1"))
            .create_grant(&id, support_grant)
            .await
            .expect("copied");
        let listed = eu
            .list_grants()
            .key_id(&key)
            .grantee_service_principal(SUPPORT)
            .send()
            .await
            .unwrap();
        let copy = &listed.grants()[0];
        assert_eq!(copy.retiring_service_principal(), Some(SUPPORT));
        assert!(copy.grantee_principal().is_none());
        assert_eq!(
            copy.constraints().and_then(|c| c.source_arn()),
            Some("arn:aws:support:us-east-1:111122223333:case/case-7")
        );
    });
}
