//! The organization-wide audit against the simulator's demo organization (management, two
//! workload accounts, a sandbox whose role refuses AssumeRole, a suspended legacy account): each
//! account's families under its own account, every account that could not be entered named
//! with why, one AssumeRole per account, and rules that select by account. The simulator covers
//! what moto does not: a role that refuses AssumeRole and a suspended account.

use std::process::Command;

use kms_replica_console::sim::{DEMO_REGIONS, Seed, Sim, SimConfig};

use crate::support;

const ROLE: &str = "OrganizationAccountAccessRole";
const PAYMENTS: &str = "222233334444";
const SANDBOX: &str = "666677778888";
const LEGACY: &str = "777788889999";

fn organization() -> (tokio::runtime::Runtime, Sim) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime
        .block_on(Sim::start(SimConfig::default(), Seed::Demo))
        .expect("the simulator starts");
    (runtime, sim)
}

/// `audit --format json` of the demo Regions with `args`, keeping no history; the report and
/// stderr.
fn audit(sim: &Sim, args: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    audit_keeping_history(sim, &[&["--no-history"], args].concat())
}

/// `audit --format json` of the demo Regions with `args`; the report and stderr.
fn audit_keeping_history(sim: &Sim, args: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let out = support::clean_env(
        Command::new(env!("CARGO_BIN_EXE_kms-replica-console"))
            .args(["audit", "--format", "json"])
            .args(["--endpoint-url", &sim.endpoint()])
            .args(["--regions", &DEMO_REGIONS.join(",")])
            .args(args),
    )
    .output()
    .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON report ({e}); stderr: {stderr}"));
    (out.status.code(), report, stderr)
}

fn account<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["accounts"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["id"] == id))
        .unwrap_or_else(|| panic!("account {id} is not in {}", report["accounts"]))
}

#[test]
fn every_account_is_reported_and_those_not_entered_are_named_with_why_and_exit_2() {
    let (_rt, sim) = organization();
    let (code, report, stderr) = audit(&sim, &["--accounts", "all", "--assume-role", ROLE]);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(report["accounts"].as_array().map(Vec::len), Some(5));
    assert_eq!(account(&report, sim.account_id())["status"], "read");
    assert_eq!(account(&report, PAYMENTS)["status"], "read");
    let sandbox = account(&report, SANDBOX);
    assert_eq!(sandbox["status"], "not-read");
    assert!(
        sandbox["problem"]
            .as_str()
            .is_some_and(|p| p.contains("AssumeRole refused: AccessDenied")),
        "{sandbox}"
    );
    assert!(
        account(&report, LEGACY)["problem"]
            .as_str()
            .is_some_and(|p| p.starts_with("SUSPENDED"))
    );
    for id in [SANDBOX, LEGACY] {
        assert!(
            stderr.contains(&format!("account {id} not read")),
            "{stderr}"
        );
        assert!(
            report["not_audited"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["account"] == id),
            "not_audited must not read as complete while {id} was not read"
        );
    }
}

#[test]
fn each_family_and_finding_carries_its_own_account() {
    let (_rt, sim) = organization();
    let (_, report, _) = audit(&sim, &["--accounts", "all", "--assume-role", ROLE]);
    let families = report["families"].as_array().unwrap();
    let in_payments: Vec<_> = families
        .iter()
        .filter(|f| f["account"] == PAYMENTS)
        .collect();
    assert_eq!(
        in_payments.len() as u64,
        account(&report, PAYMENTS)["families"].as_u64().unwrap()
    );
    assert!(!in_payments.is_empty());
    for family in families {
        let account_id = family["account"]
            .as_str()
            .expect("every family has an account");
        for cell in family["cells"].as_array().unwrap() {
            if let Some(arn) = cell["arn"].as_str() {
                assert_eq!(arn.split(':').nth(4), Some(account_id), "{family}");
            }
        }
    }
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["account"].is_string())
    );
}

#[test]
fn one_assume_role_serves_every_call_of_an_account() {
    let (_rt, sim) = organization();
    let _ = audit(&sim, &["--accounts", "all", "--assume-role", ROLE]);
    let stats = sim.stats();
    // payments-prod, data-platform and the refusing sandbox; never the management account
    // (its own credentials) nor the suspended one (not entered).
    assert_eq!(stats["global"]["AssumeRole"], 3, "{stats}");
    assert_eq!(stats["global"]["ListAccounts"], 1, "{stats}");
    let member_calls = stats["accounts"][PAYMENTS].as_u64().unwrap_or(0);
    assert!(member_calls > 30, "the member account was read: {stats}");
}

#[test]
fn a_baseline_rule_can_select_the_families_of_one_account() {
    let (_rt, sim) = organization();
    let dir = tempdir();
    let baseline = dir.join("baseline.toml");
    std::fs::write(
        &baseline,
        format!("[[rule]]\naccount = \"{PAYMENTS}\"\nrequire_regions = [\"ap-southeast-1\"]\n"),
    )
    .unwrap();
    let (_, report, _) = audit(
        &sim,
        &[
            "--accounts",
            &format!("{},{PAYMENTS}", sim.account_id()),
            "--assume-role",
            ROLE,
            "--baseline",
            baseline.to_str().unwrap(),
        ],
    );
    let missing: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "missing-required-region" && f["region"] == "ap-southeast-1")
        .collect();
    assert!(!missing.is_empty());
    assert!(
        missing.iter().all(|f| f["account"] == PAYMENTS),
        "{missing:?}"
    );
}

#[test]
fn another_account_without_a_role_is_not_read_and_says_how_to_enter_it() {
    let (_rt, sim) = organization();
    let (code, report, _) = audit(&sim, &["--accounts", PAYMENTS]);
    assert_eq!(code, Some(2));
    let payments = account(&report, PAYMENTS);
    assert_eq!(payments["status"], "not-read");
    assert!(
        payments["problem"]
            .as_str()
            .is_some_and(|p| p.contains("--assume-role"))
    );
    assert_eq!(report["families"].as_array().map(Vec::len), Some(0));
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "kms-rc-org-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A shared-credentials file with these profiles, each with the simulator's static test keys
/// (the simulator signs them all into its management account).
fn profiles_file(names: &[&str]) -> std::path::PathBuf {
    let dir = tempdir();
    let path = dir.join("credentials");
    let text: String = names
        .iter()
        .map(|n| {
            format!(
                "[{n}]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
                support::TEST_ACCESS_KEY,
                support::TEST_SECRET_KEY
            )
        })
        .collect();
    std::fs::write(&path, text).unwrap();
    path
}

fn audit_with_profiles(sim: &Sim, file: &std::path::Path, profiles: &str) -> std::process::Output {
    support::clean_env(
        Command::new(env!("CARGO_BIN_EXE_kms-replica-console"))
            .args(["audit", "--format", "json", "--no-history"])
            .args(["--endpoint-url", &sim.endpoint()])
            .args(["--regions", "us-east-1", "--profiles", profiles]),
    )
    .env("AWS_SHARED_CREDENTIALS_FILE", file)
    .output()
    .expect("the binary runs")
}

#[test]
fn each_profile_is_read_as_its_own_account() {
    let (_rt, sim) = organization();
    let file = profiles_file(&["security"]);
    let out = audit_with_profiles(&sim, &file, "security");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let listed = account(&report, sim.account_id());
    assert_eq!(listed["access"], "profile security");
    assert_eq!(listed["status"], "read");
    assert!(listed["families"].as_u64().is_some_and(|n| n > 0));
}

#[test]
fn two_profiles_of_the_same_account_are_refused_before_any_kms_call() {
    let (_rt, sim) = organization();
    let file = profiles_file(&["a", "b"]);
    let out = audit_with_profiles(&sim, &file, "a,b");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("profile `b` is account 111122223333 again"),
        "{stderr}"
    );
    assert!(
        sim.stats()["requests"]
            .as_object()
            .is_none_or(|r| r.is_empty())
    );
}

/// Disables `key` in `region` of `account`, signed with a role assumed there (as the app
/// enters it: aws-config's provider).
fn disable_in_account(sim: &Sim, account: &str, region: &str, key: &str) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let base =
            support::load_sdk_config(&sim.endpoint(), std::time::Duration::from_secs(10)).await;
        let role = aws_config::sts::AssumeRoleProvider::builder(format!(
            "arn:aws:iam::{account}:role/{ROLE}"
        ))
        .session_name("test")
        .configure(&base)
        .build()
        .await;
        let member = base
            .to_builder()
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(role),
            )
            .build();
        support::client_in(&member, region)
            .disable_key()
            .key_id(key)
            .send()
            .await
            .expect("DisableKey in the member account");
    });
}

fn history_command(sim: &Sim, state: &std::path::Path, args: &[&str]) -> std::process::Output {
    support::clean_env(
        Command::new(env!("CARGO_BIN_EXE_kms-replica-console"))
            .args(["--state-dir", state.to_str().unwrap()])
            .args(["--endpoint-url", &sim.endpoint()])
            .args(args),
    )
    .output()
    .expect("the binary runs")
}

#[test]
fn an_organization_audit_keeps_each_accounts_snapshot_and_diff_compares_one_account() {
    let (_rt, sim) = organization();
    let state = tempdir();
    let state_dir = state.to_str().unwrap();
    let org_audit = [
        "--accounts",
        "all",
        "--assume-role",
        ROLE,
        "--state-dir",
        state_dir,
    ];
    let (_, first, _) = audit_keeping_history(&sim, &org_audit);
    let family = first["families"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["account"] == PAYMENTS)
        .expect("payments-prod has a family")
        .clone();
    let cell = family["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["state"] == "Enabled")
        .expect("an Enabled key")
        .clone();
    let (key, region) = (
        family["key_id"].as_str().unwrap(),
        cell["region"].as_str().unwrap(),
    );
    disable_in_account(&sim, PAYMENTS, region, key);
    let _ = audit_keeping_history(&sim, &org_audit);

    let listed = history_command(&sim, &state, &["history", "--format", "json"]);
    let snapshots: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let of_payments = snapshots["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["account"] == PAYMENTS)
        .count();
    assert_eq!(of_payments, 2, "{snapshots}");

    let diff = history_command(
        &sim,
        &state,
        &["diff", "--accounts", PAYMENTS, "--format", "json"],
    );
    let diff: serde_json::Value = serde_json::from_slice(&diff.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&diff.stderr)));
    let keys: Vec<_> = diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !c["kind"].as_str().unwrap_or("").starts_with("finding-"))
        .map(|c| (c["kind"].clone(), c["key_id"].clone(), c["to"].clone()))
        .collect();
    assert_eq!(
        keys,
        vec![("state-changed".into(), key.into(), "Disabled".into())],
        "only what changed in payments-prod, nothing of the other accounts"
    );
}

#[test]
fn a_diff_between_two_accounts_snapshots_is_refused() {
    let (_rt, sim) = organization();
    let state = tempdir();
    let state_dir = state.to_str().unwrap();
    let _ = audit_keeping_history(
        &sim,
        &[
            "--accounts",
            "all",
            "--assume-role",
            ROLE,
            "--state-dir",
            state_dir,
        ],
    );
    let listed = history_command(&sim, &state, &["history", "--format", "json"]);
    let snapshots: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let id_of = |account: &str| {
        snapshots["snapshots"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["account"] == account)
            .and_then(|s| s["id"].as_i64())
            .unwrap_or_else(|| panic!("a snapshot of {account}: {snapshots}"))
    };
    let (management, payments) = (id_of(sim.account_id()), id_of(PAYMENTS));
    let out = history_command(
        &sim,
        &state,
        &[
            "diff",
            "--from",
            &management.to_string(),
            "--to",
            &payments.to_string(),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("one account's snapshots"), "{stderr}");
}

#[test]
fn aws_endpoint_url_alone_carries_kms_sts_and_organizations() {
    let (_rt, sim) = organization();
    let out = support::clean_env(
        Command::new(env!("CARGO_BIN_EXE_kms-replica-console"))
            .args(["audit", "--format", "json", "--no-history"])
            .args(["--regions", "us-east-1"])
            .args(["--accounts", "all", "--assume-role", ROLE]),
    )
    .env("AWS_ENDPOINT_URL", sim.endpoint())
    .output()
    .expect("the binary runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(account(&report, PAYMENTS)["status"], "read");
    assert_eq!(sim.stats()["global"]["ListAccounts"], 1);
}

#[test]
fn a_partition_that_disagrees_with_the_regions_is_refused_before_any_call() {
    let (_rt, sim) = organization();
    let out = support::clean_env(
        Command::new(env!("CARGO_BIN_EXE_kms-replica-console"))
            .args(["audit", "--no-history", "--endpoint-url", &sim.endpoint()])
            .args(["--regions", "us-east-1", "--partition", "aws-us-gov"]),
    )
    .output()
    .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--partition aws-us-gov"), "{stderr}");
    assert!(
        sim.stats()["requests"]
            .as_object()
            .is_none_or(|r| r.is_empty())
    );
}
