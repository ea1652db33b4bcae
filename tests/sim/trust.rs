//! The audit never says "all clear" where it could not look, and never audits as the wrong
//! identity: the rows of the hostile trial that go through the binary, each proving the fault it
//! depends on was really there.

use std::process::{Command, Output};

use kms_replica_console::jobs::Runner;
use kms_replica_console::sim::{Seed, Sim, SimConfig};

use crate::harness::DELAY;
use crate::support::{self, TEST_ACCESS_KEY};

const PUBLIC_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
  {"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}"#;

/// The binary with a clean environment: static test credentials, no profile files, no IMDS.
fn binary(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kms-replica-console"));
    command.args(args);
    support::clean_env(&mut command);
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("the binary runs")
}

fn audit(endpoint: &str, args: &[&str]) -> Output {
    let mut all = vec!["audit", "--endpoint-url", endpoint, "--format", "json"];
    all.extend_from_slice(args);
    run(&mut binary(&all))
}

fn report(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not a JSON report ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn kinds_in(report: &serde_json::Value, region: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["region"] == region)
        .map(|f| f["kind"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn faults_injected(sim: &Sim) -> u64 {
    sim.stats()["faults"].as_u64().unwrap_or(0)
}

/// A simulator with a primary in `primary_at` replicated to `replica_at` (settled); returns
/// the simulator and the key ID.
fn family(runner: &Runner, primary_at: &str, replica_at: &str) -> (Sim, String) {
    let sim = crate::harness::empty_sim(runner);
    let config = support::sdk_config(&sim.endpoint());
    let id = runner.block_on(async {
        let id = support::create_mrk(&support::client_in(&config, primary_at)).await;
        support::client_in(&config, primary_at)
            .replicate_key()
            .key_id(&id)
            .replica_region(replica_at)
            .send()
            .await
            .expect("ReplicateKey succeeds");
        id
    });
    sim.advance_clock(std::time::Duration::from_secs_f64(DELAY + 1.0));
    (sim, id)
}

#[test]
fn a_grant_read_that_fails_is_named_as_such_not_as_an_unread_policy() {
    let runner = Runner::new().unwrap();
    let (sim, id) = family(&runner, "us-east-1", "us-west-2");
    sim.set_faults(vec!["deny:1:us-west-2:ListGrants".parse().unwrap()]);
    let out = audit(&sim.endpoint(), &["--regions", "us-east-1,us-west-2"]);
    assert!(faults_injected(&sim) > 0, "the fault was injected");
    assert_eq!(out.status.code(), Some(2));
    let json = report(&out);
    let gap = json["not_audited"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|g| g["key_id"] == id.as_str() && g["region"] == "us-west-2")
        .unwrap_or_else(|| panic!("{json}"));
    let reason = gap["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("ListGrants failed"), "{reason}");
    assert!(!reason.contains("key policy and tags"), "{reason}");
}

#[test]
fn a_region_whose_keys_cannot_be_described_names_them_not_audited_and_exits_2() {
    let runner = Runner::new().unwrap();
    let (sim, id) = family(&runner, "us-east-1", "us-west-2");
    let config = support::sdk_config(&sim.endpoint());
    runner.block_on(async {
        support::client_in(&config, "us-west-2")
            .schedule_key_deletion()
            .key_id(&id)
            .pending_window_in_days(7)
            .send()
            .await
            .expect("ScheduleKeyDeletion succeeds");
    });
    sim.set_faults(vec!["internal:1:us-west-2:DescribeKey".parse().unwrap()]);

    let out = audit(
        &sim.endpoint(),
        &["--regions", "us-east-1,us-west-2", "--fail-on", "high"],
    );
    assert!(faults_injected(&sim) > 0, "the fault was injected");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = report(&out);
    let gaps = json["not_audited"]
        .as_array()
        .expect("not_audited is a list");
    assert!(
        gaps.iter()
            .any(|g| g["key_id"] == id.as_str() && g["region"] == "us-west-2"),
        "{gaps:?}"
    );
    assert!(
        json["not_compared"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|line| line.as_str().is_some_and(|l| l.contains(&id))),
        "not_compared names the key"
    );
    assert!(!kinds_in(&json, "us-east-1").contains(&"no-replicas".to_string()));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&id) && stderr.contains("us-west-2"),
        "{stderr}"
    );
}

#[test]
fn a_replica_whose_primary_is_outside_the_scan_is_audited_against_it_and_judged_on_its_own() {
    let runner = Runner::new().unwrap();
    let (sim, id) = family(&runner, "ap-southeast-2", "us-east-1");
    let config = support::sdk_config(&sim.endpoint());
    runner.block_on(async {
        let us = support::client_in(&config, "us-east-1");
        us.put_key_policy()
            .key_id(&id)
            .policy_name("default")
            .policy(PUBLIC_POLICY)
            .send()
            .await
            .expect("PutKeyPolicy succeeds");
        us.disable_key()
            .key_id(&id)
            .send()
            .await
            .expect("DisableKey succeeds");
    });
    let out = audit(
        &sim.endpoint(),
        &[
            "--regions",
            "us-east-1,eu-west-1",
            "--allow-regions",
            "us-east-1,eu-west-1",
            "--fail-on",
            "high",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = report(&out);
    let us = kinds_in(&json, "us-east-1");
    for kind in ["public-access", "policy-drift", "disabled-replica"] {
        assert!(us.contains(&kind.to_string()), "{kind} not in {us:?}");
    }
    assert!(kinds_in(&json, "ap-southeast-2").contains(&"region-not-allowed".to_string()));
    assert_eq!(json["not_audited"], serde_json::json!([]));
}

#[test]
fn a_primary_outside_the_scan_that_cannot_be_read_leaves_its_replica_not_audited() {
    let runner = Runner::new().unwrap();
    let (sim, id) = family(&runner, "ap-southeast-2", "us-east-1");
    sim.set_faults(vec!["deny:1:ap-southeast-2".parse().unwrap()]);
    let out = audit(&sim.endpoint(), &["--regions", "us-east-1,eu-west-1"]);
    assert!(faults_injected(&sim) > 0, "the fault was injected");
    assert_eq!(out.status.code(), Some(2));
    let gaps = report(&out)["not_audited"].clone();
    assert!(
        gaps.as_array()
            .into_iter()
            .flatten()
            .any(|g| g["key_id"] == id.as_str()
                && g["reason"]
                    .as_str()
                    .is_some_and(|r| r.contains("ap-southeast-2"))),
        "{gaps}"
    );
}

#[test]
fn endpoint_urls_the_sdk_cannot_use_are_usage_errors_before_any_call() {
    for url in [
        "",
        "http://127.0.0.1:99999",
        "ftp://127.0.0.1:21",
        "not a url",
    ] {
        let out = run(&mut binary(&[
            "audit",
            "--regions",
            "us-east-1",
            "--endpoint-url",
            url,
        ]));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{url:?}: {stderr}");
        assert!(stderr.contains("--endpoint-url"), "{url:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{url:?}: {stderr}");
        assert!(out.stdout.is_empty());
    }
    for name in ["AWS_ENDPOINT_URL_KMS", "AWS_ENDPOINT_URL"] {
        let out = run(binary(&["audit", "--regions", "us-east-1"]).env(name, ""));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains(name) && !stderr.contains("panicked"),
            "{stderr}"
        );
    }
}

/// Profile files with one profile, `audit`, whose key is not the environment's.
fn profile_files(dir: &std::path::Path) -> (String, String) {
    let config = dir.join("config");
    let credentials = dir.join("credentials");
    std::fs::write(&config, "[profile audit]\nregion = us-east-1\n").unwrap();
    std::fs::write(
        &credentials,
        "[audit]\naws_access_key_id = AKIAPROFILEAUDIT0001\naws_secret_access_key = profile-secret\n",
    )
    .unwrap();
    (
        config.display().to_string(),
        credentials.display().to_string(),
    )
}

#[test]
fn an_explicit_profile_wins_over_environment_keys_and_the_report_names_the_identity() {
    let runner = Runner::new().unwrap();
    let sim = runner
        .block_on(Sim::start(SimConfig::default(), Seed::Demo))
        .unwrap();
    // Anything signed with the environment's key fails: only the profile's key can succeed.
    sim.set_expired_keys(vec![TEST_ACCESS_KEY.into()]);
    let dir = std::env::temp_dir().join(format!("kms-rc-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (config, credentials) = profile_files(&dir);
    let endpoint = sim.endpoint();
    let args = [
        "audit",
        "--profile",
        "audit",
        "--endpoint-url",
        &endpoint,
        "--regions",
        "us-east-1",
        "--format",
        "json",
    ];
    let out = run(binary(&args)
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", &credentials));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let json = report(&out);
    assert_eq!(
        json["identity"],
        "arn:aws:iam::111122223333:user/kms-simulator-user"
    );
    assert_eq!(json["regions"][0]["status"], "scanned");

    // Without --profile the environment's (expired) key is used: the control case.
    let without_profile = [
        "audit",
        "--endpoint-url",
        &endpoint,
        "--regions",
        "us-east-1",
        "--format",
        "json",
    ];
    let control = run(binary(&without_profile)
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", &credentials));
    assert_eq!(control.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unknown_profile_is_an_error_naming_it_before_any_call() {
    let runner = Runner::new().unwrap();
    let sim = runner
        .block_on(Sim::start(SimConfig::default(), Seed::Demo))
        .unwrap();
    let out = audit(
        &sim.endpoint(),
        &["--profile", "no-such-profile", "--regions", "us-east-1"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no-such-profile"), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(
        sim.stats()["requests"],
        serde_json::json!({}),
        "no KMS call was made"
    );
}

#[test]
fn an_expiry_window_beyond_a_century_is_a_usage_error() {
    let out = run(&mut binary(&["audit", "--expiry-days", "106751991167301"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expiry-days"));
}

#[test]
fn regions_of_two_partitions_are_a_usage_error() {
    let out = run(&mut binary(&["audit", "--regions", "us-east-1,cn-north-1"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("aws-cn: cn-north-1"), "{stderr}");
}

#[test]
fn a_report_written_to_a_closed_standard_output_is_an_error() {
    let runner = Runner::new().unwrap();
    let sim = crate::harness::empty_sim(&runner);
    let exe = env!("CARGO_BIN_EXE_kms-replica-console");
    let endpoint = sim.endpoint();
    let mut shell = Command::new("/bin/sh");
    shell.args(["-c", r#"exec "$0" "$@" >&-"#, exe]);
    shell.args([
        "audit",
        "--endpoint-url",
        &endpoint,
        "--regions",
        "us-east-1",
    ]);
    support::clean_env(&mut shell);
    let out = shell.output().expect("sh runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("standard output"), "{stderr}");
}

#[test]
fn an_audit_whose_output_is_the_null_device_opened_read_write_runs_and_keeps_its_history() {
    let runner = Runner::new().unwrap();
    let sim = crate::harness::empty_sim(&runner);
    let state = crate::history::StateDir::new("devnull");
    // As a process supervisor or Python's subprocess.DEVNULL opens it.
    let null = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
        .unwrap();
    let out = binary(&[
        "audit",
        "--endpoint-url",
        &sim.endpoint(),
        "--regions",
        "us-east-1",
        "--state-dir",
        state.arg(),
    ])
    .stdout(null)
    .output()
    .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(state.db().exists(), "the snapshot was saved");
}

#[test]
fn stderr_carries_no_colour_codes_when_it_is_not_a_terminal() {
    let runner = Runner::new().unwrap();
    let config = SimConfig {
        disabled_regions: vec!["me-south-1".into()],
        ..SimConfig::default()
    };
    let sim = runner.block_on(Sim::start(config, Seed::Demo)).unwrap();
    let endpoint = sim.endpoint();
    let out = run(binary(&[
        "audit",
        "--endpoint-url",
        &endpoint,
        "--regions",
        "us-east-1,me-south-1",
    ])
    .env("RUST_LOG", "debug"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("me-south-1"),
        "a Region error was logged: {stderr}"
    );
    assert!(!stderr.contains('\u{1b}'), "no escape codes in a pipe");
}
