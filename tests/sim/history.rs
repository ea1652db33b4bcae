//! History end to end against the simulator: two audits with changes between them give a diff
//! of exactly those changes; a process killed mid-scan leaves the database consistent and the
//! earlier snapshot intact; the journal of a replicate outlives the app that made it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kms_replica_console::aws::AwsClients;
use kms_replica_console::domain::{MrkId, ReplicateRequest};
use kms_replica_console::jobs::{Actor, HistoryLog, Inventory, Runner};
use kms_replica_console::sim::{Seed, Sim, SimConfig};
use kms_replica_console::store::Store;
use kms_replica_console::ui::{App, AppOptions};

use crate::harness::{SimHarness, scanned, step_until};
use crate::support::{self, region};

const REGIONS: &str = "us-east-1,eu-west-1,ap-southeast-2";

/// A folder for one test's history, removed when dropped.
pub(crate) struct StateDir(pub(crate) PathBuf);

impl StateDir {
    pub(crate) fn new(name: &str) -> StateDir {
        let dir = std::env::temp_dir().join(format!(
            "kms-rc-history-{name}-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        StateDir(dir)
    }

    pub(crate) fn arg(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temp path")
    }

    pub(crate) fn db(&self) -> PathBuf {
        self.0.join("history.sqlite")
    }
}

impl Drop for StateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(crate) fn binary(state: &StateDir, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kms-replica-console"));
    support::clean_env(&mut command);
    command.args(args).args(["--state-dir", state.arg()]);
    command
}

fn audit(state: &StateDir, endpoint: &str) -> Output {
    binary(
        state,
        &["audit", "--endpoint-url", endpoint, "--regions", REGIONS],
    )
    .output()
    .expect("the binary runs")
}

pub(crate) fn json_of(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "status {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

#[test]
fn two_audits_with_changes_between_them_diff_to_exactly_those_changes() {
    let runner = Runner::new().unwrap();
    let h = runner.block_on(SimHarness::start());
    let a = runner.block_on(h.primary("us-east-1"));
    runner.block_on(h.replica(&a, "us-east-1", "eu-west-1"));
    let b = runner.block_on(h.primary("eu-west-1"));
    let state = StateDir::new("diff");
    let first = audit(&state, &h.sim.endpoint());
    assert_ne!(
        first.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );

    // Replicate a to ap-southeast-2, disable b, schedule a's eu-west-1 replica for deletion.
    runner.block_on(async {
        h.replica(&a, "us-east-1", "ap-southeast-2").await;
        h.client("eu-west-1")
            .disable_key()
            .key_id(&b)
            .send()
            .await
            .unwrap();
        h.client("eu-west-1")
            .schedule_key_deletion()
            .key_id(&a)
            .pending_window_in_days(7)
            .send()
            .await
            .unwrap();
    });
    let second = audit(&state, &h.sim.endpoint());
    assert_ne!(
        second.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );

    let diff = json_of(
        &binary(&state, &["diff", "--format", "json"])
            .output()
            .unwrap(),
    );
    let changes = diff["changes"].as_array().unwrap();
    let is_finding = |c: &serde_json::Value| c["kind"].as_str().unwrap().starts_with("finding-");
    let mut of_keys: Vec<[String; 5]> = changes
        .iter()
        .filter(|c| !is_finding(c))
        .map(|c| {
            ["kind", "key_id", "region", "from", "to"]
                .map(|k| c[k].as_str().unwrap_or("").to_string())
        })
        .collect();
    of_keys.sort();
    let row = |fields: [&str; 5]| fields.map(str::to_string);
    let mut expected = vec![
        row(["replica-added", &a, "ap-southeast-2", "", "Enabled"]),
        row(["state-changed", &b, "eu-west-1", "Enabled", "Disabled"]),
        row([
            "state-changed",
            &a,
            "eu-west-1",
            "Enabled",
            "PendingDeletion",
        ]),
    ];
    expected.sort();
    assert_eq!(of_keys, expected);
    for c in changes.iter().filter(|c| is_finding(c)) {
        let key = c["key_id"].as_str().unwrap();
        assert!(
            key == a || key == b,
            "a finding changed on an untouched key: {c}"
        );
    }
    assert_eq!(diff["not_compared"], serde_json::json!([]));
    assert_eq!(changes[0]["account"], "111122223333");

    let history = json_of(
        &binary(&state, &["history", "--format", "json"])
            .output()
            .unwrap(),
    );
    let snapshots = history["snapshots"].as_array().unwrap();
    assert_eq!(snapshots.len(), 2);
    assert_eq!(snapshots[1]["families"], 2);
    assert_eq!(snapshots[1]["source"], "audit");
    assert!(snapshots[1]["findings"].is_object(), "{}", snapshots[1]);
}

#[test]
fn audits_under_different_baselines_are_recorded_as_such_and_their_diff_says_so() {
    let runner = Runner::new().unwrap();
    let h = runner.block_on(SimHarness::start());
    runner.block_on(h.primary("us-east-1"));
    let state = StateDir::new("rules");
    let baseline = state.0.with_extension("baseline.toml");
    let audit_under = |text: &str| {
        std::fs::write(&baseline, text).unwrap();
        let out = binary(
            &state,
            &[
                "audit",
                "--endpoint-url",
                &h.sim.endpoint(),
                "--regions",
                REGIONS,
                "--baseline",
                baseline.to_str().unwrap(),
            ],
        )
        .output()
        .unwrap();
        assert_ne!(
            out.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    audit_under("require_regions = [\"us-east-1\"]\n");
    audit_under("# reworded, same rule\nrequire_regions = [ \"us-east-1\" ]\n");
    audit_under("require_regions = [\"us-east-1\", \"eu-west-1\"]\n");
    let _ = std::fs::remove_file(&baseline);

    let history = json_of(
        &binary(&state, &["history", "--format", "json"])
            .output()
            .unwrap(),
    );
    let rules: Vec<&str> = history["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s["rules"]
                .as_str()
                .expect("an audited snapshot records its rules")
        })
        .collect();
    assert_eq!(rules.len(), 3);
    assert_eq!(rules[0], rules[1], "the same rule, written differently");
    assert_ne!(rules[1], rules[2], "a Region more is another rule");

    let diff = binary(&state, &["diff", "--format", "md"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&diff.stdout);
    assert!(
        text.contains("judged by different rules"),
        "{text}{}",
        String::from_utf8_lossy(&diff.stderr)
    );
}

#[test]
fn a_diff_with_one_snapshot_or_a_bad_age_is_a_clear_error_and_changes_nothing() {
    let state = StateDir::new("errors");
    let out = binary(&state, &["diff"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no snapshot yet"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = binary(&state, &["history", "--keep", "ninety days"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--keep"));
}

#[test]
fn a_corrupt_database_leaves_the_audit_working_and_says_history_is_off() {
    let runner = Runner::new().unwrap();
    let sim = runner
        .block_on(Sim::start(SimConfig::default(), Seed::Demo))
        .unwrap();
    let state = StateDir::new("corrupt");
    std::fs::create_dir_all(&state.0).unwrap();
    let junk = b"not a database at all\n".repeat(64);
    std::fs::write(state.db(), &junk).unwrap();
    let out = audit(&state, &sim.endpoint());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("history off for this run"), "{stderr}");
    assert!(stderr.contains("--no-history"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the report");
    assert!(!report["families"].as_array().unwrap().is_empty());
    assert_eq!(
        std::fs::read(state.db()).unwrap(),
        junk,
        "the file is left alone"
    );
}

#[test]
fn a_process_killed_mid_scan_leaves_the_database_consistent_and_the_earlier_snapshot_intact() {
    let runner = Runner::new().unwrap();
    let slow = SimConfig {
        latency: Duration::from_millis(400),
        ..SimConfig::default()
    };
    let sim = runner.block_on(Sim::start(slow, Seed::Demo)).unwrap();
    let state = StateDir::new("kill");
    let first = audit(&state, &sim.endpoint());
    assert!(first.status.code() != Some(2) || !first.stdout.is_empty());
    let before = Store::open(&state.db()).unwrap().snapshots().unwrap();
    assert_eq!(before.len(), 1);

    sim.reset_stats();
    let mut child = binary(
        &state,
        &[
            "audit",
            "--endpoint-url",
            &sim.endpoint(),
            "--regions",
            REGIONS,
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    // Mid-scan: the child has started describing keys (the sim has seen its DescribeKey calls)
    // and, at 400 ms a call, is far from done.
    wait_for_describes(&sim);
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "killed, not finished");

    let store = Store::open(&state.db()).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let after = store.snapshots().unwrap();
    assert_eq!(
        after, before,
        "the earlier snapshot is intact and nothing half-written"
    );
    assert!(!store.snapshot_facts(after[0].id).unwrap().cells.is_empty());
}

/// Waits (on the simulator's own count) until some DescribeKey has arrived.
fn wait_for_describes(sim: &Sim) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let stats = sim.stats();
        let describes: u64 = stats["requests"]
            .as_object()
            .into_iter()
            .flat_map(|regions| regions.values())
            .filter_map(|ops| ops["DescribeKey"].as_u64())
            .sum();
        if describes > 0 {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "the scan never began");
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub(crate) fn journaled_app(
    runner: Runner,
    sim: &Sim,
    db: &Path,
) -> (Inventory, HistoryLog, Runner) {
    let store = Store::open(db).unwrap();
    let past = store.journal_since(0).unwrap();
    let actor = Actor {
        identity: "arn:aws:iam::111122223333:user/test".into(),
        account: sim.account_id().to_string(),
    };
    let log = HistoryLog::start(store, actor);
    let clients = AwsClients::from_sdk_config(support::sdk_config(&sim.endpoint()));
    let regions = ["us-east-1", "eu-west-1"]
        .iter()
        .map(|r| region(r))
        .collect();
    let inventory = Inventory::new(clients, regions).with_history(log.clone(), &past);
    (inventory, log, runner)
}

/// Replicates `key` from us-east-1 to eu-west-1 through `inventory` (this app's own call, so
/// journaled) and waits until the answer is in its trail: a job finishing, never a sleep.
pub(crate) fn replicate_to_eu_west_1(inventory: &mut Inventory, runner: &Runner, key: &str) {
    let id = MrkId::parse(key).unwrap();
    let request = ReplicateRequest {
        key_id: id.clone(),
        primary_region: region("us-east-1"),
        target: region("eu-west-1"),
        policy: None,
        description: None,
        tags: None,
        bypass_lockout: false,
        alias: None,
    };
    assert_eq!(inventory.replicate(runner, vec![request]), 1);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while inventory.actions_on(&id).next().is_none() {
        let before = runner.finished_count();
        inventory.poll(runner);
        if inventory.actions_on(&id).next().is_some() {
            break;
        }
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        assert!(!left.is_zero(), "ReplicateKey never answered");
        runner.wait_until(left, || runner.finished_count() > before);
    }
}

#[test]
fn the_journal_of_a_replicate_survives_a_restart_and_shows_in_the_details_panel() {
    let runner = Runner::new().unwrap();
    let sim = crate::harness::empty_sim(&runner);
    let sdk = support::sdk_config(&sim.endpoint());
    let key = runner.block_on(support::create_mrk(&support::client_in(&sdk, "us-east-1")));
    let state = StateDir::new("journal");

    // First run: replicate, and wait until the journal entry is on disk.
    let (mut inventory, log, runner) = journaled_app(runner, &sim, &state.db());
    inventory.refresh(&runner);
    inventory.wait_all(&runner);
    replicate_to_eu_west_1(&mut inventory, &runner, &key);
    // The snapshot of the refresh, then the journal entry.
    assert!(
        log.wait_until_written(2, Duration::from_secs(60)),
        "{:?}",
        log.problem()
    );
    drop(inventory);
    drop(log);

    // Second run: the details panel shows what the first did.
    let (inventory, _log, runner) = journaled_app(runner, &sim, &state.db());
    let entries = Store::open(&state.db()).unwrap().journal_since(0).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].operation, "ReplicateKey");
    assert_eq!(entries[0].region, "eu-west-1");
    assert!(
        entries[0].outcome.starts_with("ok: "),
        "{}",
        entries[0].outcome
    );
    assert!(
        entries[0]
            .parameters
            .contains("\"ReplicaRegion\":\"eu-west-1\"")
    );
    let request_id = entries[0].request_id.as_deref().unwrap_or_default();
    assert_eq!(
        request_id.len(),
        36,
        "KMS's request ID (a UUID): {request_id:?}"
    );
    let app = App::new(runner, inventory, AppOptions::default());
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1600.0, 900.0))
        .build_ui_state(|ui, app: &mut App| app.show(ui), app);
    step_until(&mut harness, "the scan and the key's row", |h| {
        scanned(h) && h.query_by_label(&key).is_some()
    });
    harness.get_by_label(&key).click();
    step_until(&mut harness, "the details panel's trail", |h| {
        h.query_by_label_contains("ReplicateKey in eu-west-1")
            .is_some()
    });
}
