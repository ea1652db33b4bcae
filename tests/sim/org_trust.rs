//! Organization mode as a careless or hostile setup would drive it (#22): an account named twice,
//! an Organizations listing that is empty, lacks the caller or repeats its page token, an STS
//! that answers for another account than the keys KMS returns, and an account none of whose
//! Regions could be read. KMS is the simulator; Organizations or STS, where the row needs an
//! answer neither moto nor the simulator gives, is a canned endpoint (`fake_endpoint`).

use std::process::{Command, Output};

use kms_replica_console::sim::{FaultKind, FaultRule, Seed, Sim, SimConfig};

use crate::fake_endpoint::{FakeEndpoint, accounts_page, caller_identity};
use crate::support;

const ROLE: &str = "OrganizationAccountAccessRole";
const PAYMENTS: &str = "222233334444";
const STRANGER: &str = "999988887777";

fn demo() -> (tokio::runtime::Runtime, Sim) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime
        .block_on(Sim::start(SimConfig::default(), Seed::Demo))
        .expect("the simulator starts");
    (runtime, sim)
}

/// `audit --format json` of us-east-1 with `args` and extra environment `env`.
fn audit(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kms-replica-console"));
    support::clean_env(&mut command);
    command
        .args(["audit", "--format", "json", "--regions", "us-east-1"])
        .args(args);
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("the binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn report(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no report ({e}): {}", stderr(out)))
}

#[test]
fn an_account_named_twice_is_read_once() {
    let (_rt, sim) = demo();
    let state = crate::history::StateDir::new("twice");
    let me = sim.account_id().to_string();
    let accounts = format!("{me},{PAYMENTS},{me}");
    let out = audit(
        &[
            "--endpoint-url",
            &sim.endpoint(),
            "--accounts",
            &accounts,
            "--assume-role",
            ROLE,
            "--state-dir",
            state.arg(),
        ],
        &[],
    );
    let report = report(&out);
    let ids: Vec<&str> = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert_eq!(ids, [me.as_str(), PAYMENTS], "{}", stderr(&out));
    let history = crate::history::json_of(
        &crate::history::binary(&state, &["history", "--format", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(history["snapshots"].as_array().map(Vec::len), Some(2));
}

/// KMS and STS from the simulator, Organizations from `organizations`.
fn with_organizations(sim: &Sim, organizations: &FakeEndpoint) -> Output {
    audit(
        &["--accounts", "all", "--assume-role", ROLE, "--no-history"],
        &[
            ("AWS_ENDPOINT_URL_KMS", &sim.endpoint()),
            ("AWS_ENDPOINT_URL_STS", &sim.endpoint()),
            ("AWS_ENDPOINT_URL_ORGANIZATIONS", &organizations.url),
        ],
    )
}

#[test]
fn an_organization_listing_no_account_is_an_error_not_a_clean_audit() {
    let (_rt, sim) = demo();
    let organizations = FakeEndpoint::start(|_| accounts_page(&[], None));
    let out = with_organizations(&sim, &organizations);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("listed no account"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        organizations.calls("ListAccounts"),
        1,
        "the empty listing was served"
    );
}

#[test]
fn an_organization_listing_without_the_caller_is_an_error() {
    let (_rt, sim) = demo();
    let organizations = FakeEndpoint::start(|_| accounts_page(&[PAYMENTS], None));
    let out = with_organizations(&sim, &organizations);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "not the caller's own account {}",
            sim.account_id()
        )),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_repeated_page_token_stops_the_listing_with_the_call_named() {
    let (_rt, sim) = demo();
    let me = sim.account_id().to_string();
    let organizations =
        FakeEndpoint::start(move |_| accounts_page(&[me.as_str()], Some("same-token")));
    let out = with_organizations(&sim, &organizations);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("ListAccounts sent the page token \"same-token\" a second time"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        organizations.calls("ListAccounts"),
        2,
        "stopped at the repeat"
    );
}

#[test]
fn keys_of_another_account_are_never_reported_as_the_account_read() {
    let (_rt, sim) = demo();
    let sts = FakeEndpoint::start(|_| caller_identity(STRANGER));
    let env = [
        ("AWS_ENDPOINT_URL_KMS", sim.endpoint()),
        ("AWS_ENDPOINT_URL_STS", sts.url.clone()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();

    let single = audit(&["--no-history"], &env);
    assert_eq!(single.status.code(), Some(2), "{}", stderr(&single));
    assert!(
        stderr(&single).contains(&format!(
            "key(s) of another account while reading account {STRANGER}"
        )),
        "{}",
        stderr(&single)
    );
    assert!(
        sts.calls("GetCallerIdentity") >= 1,
        "STS answered for {STRANGER}"
    );

    let listed = audit(&["--no-history", "--accounts", STRANGER], &env);
    assert_eq!(listed.status.code(), Some(2), "{}", stderr(&listed));
    let report = report(&listed);
    let account = &report["accounts"][0];
    assert_eq!(account["id"], STRANGER);
    assert_eq!(account["status"], "not-read", "{account}");
    assert_eq!(report["families"].as_array().map(Vec::len), Some(0));
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(0));
}

#[test]
fn an_account_none_of_whose_regions_could_be_read_is_not_read() {
    let (_rt, sim) = demo();
    sim.set_faults(vec![FaultRule {
        kind: FaultKind::Deny,
        rate: 1.0,
        region: None,
        operation: Some("ListKeys".into()),
    }]);
    let out = audit(&["--no-history", "--endpoint-url", &sim.endpoint()], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let report = report(&out);
    let account = &report["accounts"][0];
    assert_eq!(account["status"], "not-read", "{account}");
    assert!(
        account["problem"]
            .as_str()
            .is_some_and(|p| p.starts_with("no Region could be read (us-east-1:")),
        "{account}"
    );
}

#[test]
fn a_profile_that_assumes_a_role_makes_its_assume_role_at_the_endpoint_given() {
    let (_rt, sim) = demo();
    let dir = std::env::temp_dir().join(format!("kms-rc-role-profile-{}", fastrand::u64(..)));
    std::fs::create_dir_all(&dir).unwrap();
    let credentials = dir.join("credentials");
    std::fs::write(
        &credentials,
        format!(
            "[base]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            support::TEST_ACCESS_KEY,
            support::TEST_SECRET_KEY
        ),
    )
    .unwrap();
    let config = dir.join("config");
    std::fs::write(
        &config,
        format!(
            "[profile payments]\nrole_arn = arn:aws:iam::{PAYMENTS}:role/{ROLE}\nsource_profile = base\nregion = us-east-1\n"
        ),
    )
    .unwrap();
    let out = audit(
        &[
            "--no-history",
            "--endpoint-url",
            &sim.endpoint(),
            "--profiles",
            "payments",
        ],
        &[
            ("AWS_SHARED_CREDENTIALS_FILE", credentials.to_str().unwrap()),
            ("AWS_CONFIG_FILE", config.to_str().unwrap()),
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
    let report = report(&out);
    let account = &report["accounts"][0];
    assert_eq!(account["id"], PAYMENTS, "{}", stderr(&out));
    assert_eq!(account["status"], "read", "{account}");
    assert_eq!(
        sim.stats()["global"]["AssumeRole"],
        1,
        "the simulator's STS answered"
    );
}

#[test]
fn a_window_account_whose_answers_carry_another_accounts_keys_files_none_of_them() {
    use kms_replica_console::aws::AwsClients;
    use kms_replica_console::domain::RegionStatus;
    use kms_replica_console::domain::account::{Access, Account, AccountStatus};
    use kms_replica_console::jobs::{Inventory, Runner};

    let runner = Runner::new().unwrap();
    let sim = runner
        .block_on(Sim::start(SimConfig::default(), Seed::Demo))
        .expect("the simulator starts");
    // The management account's credentials, held by payments-prod's inventory.
    let clients = AwsClients::from_sdk_config(support::sdk_config(&sim.endpoint()));
    let payments = Account {
        id: PAYMENTS.parse().unwrap(),
        name: Some("payments-prod".into()),
        access: Access::Role(ROLE.into()),
        status: AccountStatus::Read,
    };
    let regions: Vec<_> = ["us-east-1", "eu-west-1"]
        .iter()
        .map(|r| support::region(r))
        .collect();
    let mut inventory = Inventory::new(clients, regions.clone()).with_account(payments);
    inventory.refresh(&runner);
    inventory.wait_all(&runner);
    let estate = inventory.estate();
    assert_eq!(
        estate.family_count(),
        0,
        "nothing filed under payments-prod"
    );
    for region in regions {
        match estate.status(region) {
            RegionStatus::Failed(problem) => assert!(
                problem.to_string().contains("a key of another account"),
                "{region}: {problem}"
            ),
            other => panic!("{region}: {other:?} — the management account has keys there"),
        }
    }
}
