//! Last usage end to end (#24): GetKeyLastUsage read through the app's client in its three
//! cases, and `audit --usage` naming an unused replica and refusing to say "all clear" when the
//! usage of a key could not be read. moto has no GetKeyLastUsage: the simulator covers it.

use aws_sdk_kms::primitives::Blob;
use kms_replica_console::aws::AwsClients;
use kms_replica_console::domain::MrkId;
use kms_replica_console::domain::usage::Verdict;
use kms_replica_console::jobs::Runner;
use kms_replica_console::sim::{FaultKind, FaultRule, SimConfig};

use crate::harness::SimHarness;
use crate::harness::real_now;
use crate::support::{self, region};

const DAY: f64 = 86_400.0;

/// A simulator whose clock starts 100 days ago, with usage tracked from 50 days ago: a key
/// made now (in its time) is older than tracking, and once the clock has caught up with the
/// real one the app's "now" and the simulator's agree.
fn hundred_days_ago(runner: &Runner) -> SimHarness {
    runner.block_on(SimHarness::with(SimConfig {
        clock_start: Some(real_now() - 100.0 * DAY),
        usage_tracking_start: Some(real_now() - 50.0 * DAY),
        ..SimConfig::default()
    }))
}

/// A family made 100 days ago: primary in us-east-1, replicas in eu-west-1 and ap-southeast-2;
/// then 100 days pass and the primary encrypts once.
fn old_family(runner: &Runner, h: &SimHarness) -> String {
    runner.block_on(async {
        let id = h.primary("us-east-1").await;
        h.replica(&id, "us-east-1", "eu-west-1").await;
        h.replica(&id, "us-east-1", "ap-southeast-2").await;
        h.advance(100.0 * DAY);
        h.client("us-east-1")
            .encrypt()
            .key_id(&id)
            .plaintext(Blob::new(b"payload".to_vec()))
            .send()
            .await
            .expect("the primary encrypts");
        id
    })
}

#[test]
fn usage_is_read_in_its_three_cases_through_the_apps_client() {
    let runner = Runner::new().unwrap();
    let h = hundred_days_ago(&runner);
    let id = old_family(&runner, &h);
    let young = runner.block_on(h.primary("eu-west-1"));
    let clients = AwsClients::from_sdk_config(support::sdk_config(&h.sim.endpoint()));
    let read = |key: &str, r: &str| {
        runner
            .block_on(
                clients
                    .client(region(r))
                    .key_usage(&MrkId::parse(key).unwrap()),
            )
            .expect("GetKeyLastUsage answers")
    };
    let primary = read(&id, "us-east-1");
    let Verdict::Used(last) = primary.verdict() else {
        panic!("the primary was used: {primary:?}");
    };
    assert_eq!(last.operation, "Encrypt");
    assert!(last.cloudtrail_event_id.is_some() && last.kms_request_id.is_some());
    let replica = read(&id, "eu-west-1");
    assert!(
        matches!(replica.verdict(), Verdict::NoRecordSince(_)),
        "made before tracking began, never used since: {replica:?}"
    );
    assert!(replica.describe().contains("it may have been used before"));
    assert_eq!(read(&young, "eu-west-1").verdict(), Verdict::NeverUsed);
}

fn audit_usage(h: &SimHarness, extra: &[&str]) -> std::process::Output {
    support::clean_env(
        std::process::Command::new(env!("CARGO_BIN_EXE_kms-replica-console"))
            .args(["audit", "--no-history", "--endpoint-url", &h.sim.endpoint()])
            .args(["--regions", "us-east-1,eu-west-1,ap-southeast-2", "--usage"])
            .args(extra),
    )
    .output()
    .expect("the binary runs")
}

#[test]
fn audit_with_usage_names_each_replica_known_unused_with_its_cost_and_never_claims_more_than_tracking_saw()
 {
    let runner = Runner::new().unwrap();
    let h = hundred_days_ago(&runner);
    let id = old_family(&runner, &h);
    // Tracking began 50 days ago: the replicas are known quiet for 50 days, no more.
    let out = audit_usage(&h, &["--unused-days", "45"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(2), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let unused: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"].as_str().is_some_and(|k| k.ends_with("-unused")))
        .map(|f| (f["kind"].as_str().unwrap(), f["region"].as_str().unwrap()))
        .collect();
    assert_eq!(
        unused,
        vec![
            ("replica-unused", "ap-southeast-2"),
            ("replica-unused", "eu-west-1")
        ],
        "{report}"
    );
    let message = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "replica-unused")
        .and_then(|f| f["message"].as_str())
        .unwrap();
    assert!(
        message.contains(&id) && message.contains("USD 1 a month"),
        "{message}"
    );

    let wider = audit_usage(&h, &["--unused-days", "60"]);
    let report: serde_json::Value = serde_json::from_slice(&wider.stdout).expect("JSON");
    assert!(
        !report.to_string().contains("replica-unused"),
        "no key is known quiet for 60 days: tracking began 50 days ago"
    );
}

#[test]
fn audit_with_usage_that_cannot_be_read_in_one_region_is_incomplete_and_says_why() {
    let runner = Runner::new().unwrap();
    let h = hundred_days_ago(&runner);
    old_family(&runner, &h);
    h.sim.set_faults(vec![FaultRule {
        kind: FaultKind::Deny,
        rate: 1.0,
        region: Some("eu-west-1".into()),
        operation: Some("GetKeyLastUsage".into()),
    }]);
    let out = audit_usage(&h, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("GetKeyLastUsage failed") && stderr.contains("eu-west-1"),
        "{stderr}"
    );
    let denied = h.sim.stats()["requests"]["eu-west-1"]["GetKeyLastUsage"].as_u64();
    assert!(
        denied.is_some_and(|n| n >= 1),
        "the fault was met: {}",
        h.sim.stats()
    );
}

#[test]
fn unused_days_without_usage_is_a_usage_error() {
    let out = support::clean_env(
        std::process::Command::new(env!("CARGO_BIN_EXE_kms-replica-console")).args([
            "audit",
            "--unused-days",
            "30",
        ]),
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--usage"));
}
