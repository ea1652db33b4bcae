//! `audit --security-hub` against moto's Security Hub (BatchImportFindings, GetFindings): the
//! findings arrive with their resources and severities, a second run adds none, a finding fixed
//! since comes back ARCHIVED and PASSED, and an import that fails exits 2.

use kms_replica_console::jobs::Runner;

use crate::support::{self, Moto};

/// The audit, importing into Security Hub, its ASFF on stdout, its history under `state`.
fn audit(endpoint: &str, state: &std::path::Path) -> std::process::Output {
    support::clean_env(
        std::process::Command::new(env!("CARGO_BIN_EXE_kms-replica-console")).args([
            "audit",
            "--security-hub",
            "--format",
            "asff",
            "--regions",
            "us-east-1,eu-west-1",
            "--require-regions",
            "us-east-1,eu-west-1",
            "--endpoint-url",
            endpoint,
            "--state-dir",
            state.to_str().unwrap(),
        ]),
    )
    .output()
    .expect("the binary runs")
}

/// Every finding moto's Security Hub holds in us-east-1: (Id, record state, compliance). Read
/// on a thread of its own with a large stack: an ASFF finding is a deep type, and its parser
/// overflows a test thread's 2 MiB in a debug build.
fn held(moto: &Moto, _runner: &Runner) -> Vec<(String, String, String)> {
    let sdk = moto.sdk_config();
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || held_on_this_thread(sdk))
        .expect("a thread")
        .join()
        .expect("GetFindings answered")
}

fn held_on_this_thread(sdk: aws_config::SdkConfig) -> Vec<(String, String, String)> {
    let conf = aws_sdk_securityhub::config::Builder::from(&sdk)
        .region(aws_sdk_securityhub::config::Region::new("us-east-1"))
        .build();
    let client = aws_sdk_securityhub::Client::from_conf(conf);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let out = runtime
        .block_on(client.get_findings().max_results(100).send())
        .expect("GetFindings");
    out.findings()
        .iter()
        .map(|f| {
            (
                f.id().unwrap_or_default().to_string(),
                f.record_state()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                f.compliance()
                    .and_then(|c| c.status())
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn findings_go_to_security_hub_once_and_a_fixed_one_comes_back_archived() {
    let moto = Moto::start();
    let runner = Runner::new().unwrap();
    let sdk = moto.sdk_config();
    let us = support::client_in(&sdk, "us-east-1");
    let key = runner.block_on(support::create_mrk(&us));
    let state = std::env::temp_dir().join(format!(
        "kms-rc-hub-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));

    let first = audit(&moto.endpoint, &state);
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert_ne!(first.status.code(), Some(2), "{stderr}");
    let records: Vec<serde_json::Value> = serde_json::from_slice(&first.stdout).expect("ASFF");
    let missing = records
        .iter()
        .find(|r| r["ProductFields"]["kms-replica-console/Kind"] == "missing-required-region")
        .expect("eu-west-1 is required and has no key");
    let missing_id = missing["Id"].as_str().unwrap().to_string();
    // Fixed below by the replication (moto does not list the replica in eu-west-1, so the
    // missing Region stays: the family's "no replicas" is what the fix resolves there).
    let lonely_id = records
        .iter()
        .find(|r| r["ProductFields"]["kms-replica-console/Kind"] == "no-replicas")
        .and_then(|r| r["Id"].as_str())
        .expect("a family with no replica")
        .to_string();
    let after_first = held(&moto, &runner);
    assert_eq!(after_first.len(), records.len(), "{stderr}");
    assert!(
        after_first
            .iter()
            .any(|(id, state, status)| *id == missing_id
                && state == "ACTIVE"
                && status == "FAILED")
    );
    assert_eq!(missing["Resources"][0]["Type"], "AwsKmsKey");
    assert_eq!(missing["Severity"]["Label"], "HIGH");

    let second = audit(&moto.endpoint, &state);
    assert_ne!(
        second.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert_eq!(
        held(&moto, &runner).len(),
        after_first.len(),
        "a second run adds no finding"
    );

    // Fixed: the family replicated to eu-west-1.
    runner.block_on(async {
        us.replicate_key()
            .key_id(&key)
            .replica_region("eu-west-1")
            .send()
            .await
            .expect("moto replicates");
    });
    let third = audit(&moto.endpoint, &state);
    let stderr = String::from_utf8_lossy(&third.stderr);
    assert_ne!(third.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("resolved, archived"), "{stderr}");
    let now = held(&moto, &runner);
    assert!(
        now.iter().any(|(id, state, status)| *id == lonely_id
            && state == "ARCHIVED"
            && status == "PASSED"),
        "{now:?}"
    );
    assert!(
        now.iter()
            .any(|(id, state, _)| *id == missing_id && state == "ACTIVE"),
        "a finding still there stays active: {now:?}"
    );
    let _ = std::fs::remove_dir_all(&state);
}

#[test]
fn an_import_that_fails_exits_2_and_says_why() {
    // The simulator serves KMS, not Security Hub: every import call fails.
    let runner = Runner::new().unwrap();
    let sim = runner
        .block_on(kms_replica_console::sim::Sim::start(
            kms_replica_console::sim::SimConfig::default(),
            kms_replica_console::sim::Seed::Empty,
        ))
        .unwrap();
    let us = support::client_in(&support::sdk_config(&sim.endpoint()), "us-east-1");
    runner.block_on(support::create_mrk(&us));
    let state = std::env::temp_dir().join(format!(
        "kms-rc-hub-fail-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    let out = audit(&sim.endpoint(), &state);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("Security Hub in us-east-1"), "{stderr}");
    let _ = std::fs::remove_dir_all(&state);
}
