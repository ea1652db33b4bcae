//! The history panel through the real `App` (egui_kittest) against the simulator: each
//! completed Refresh is a snapshot, "changes since" lists what changed and marks those cells on
//! the grid, and an Audit adds a point to the findings plot.

use std::path::PathBuf;
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kms_replica_console::aws::AwsClients;
use kms_replica_console::domain::{Cell, KeyState, MrkId};
use kms_replica_console::jobs::{Actor, HistoryLog, Inventory, Runner};
use kms_replica_console::sim::Sim;
use kms_replica_console::store::Store;
use kms_replica_console::ui::{App, AppOptions};

use crate::harness::{AppHarness, audited, scanned, step_until};
use crate::support::{self, region};

struct Fixture {
    harness: AppHarness,
    log: HistoryLog,
    sim: Sim,
    key: String,
    dir: PathBuf,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One family: primary in us-east-1, replica in eu-west-1; the app keeps history in a folder
/// of its own and has scanned once (snapshot 1 is on disk).
fn start() -> Fixture {
    let runner = Runner::new().unwrap();
    let sim = crate::harness::quick_sim(&runner, 0.0);
    let sdk = support::sdk_config(&sim.endpoint());
    let us = support::client_in(&sdk, "us-east-1");
    let key = runner.block_on(async { support::create_family(&us, &["eu-west-1"]).await });
    sim.advance_clock(Duration::from_secs(1));
    let dir = std::env::temp_dir().join(format!(
        "kms-rc-history-ui-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    let store = Store::open(&dir.join("history.sqlite")).unwrap();
    let actor = Actor {
        identity: "arn:aws:iam::111122223333:user/test".into(),
        account: sim.account_id().to_string(),
    };
    let log = HistoryLog::start(store, actor);
    let regions = ["us-east-1", "eu-west-1"]
        .iter()
        .map(|r| region(r))
        .collect();
    let inventory =
        Inventory::new(AwsClients::from_sdk_config(sdk), regions).with_history(log.clone(), &[]);
    let app = App::new(runner, inventory, AppOptions::default());
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1500.0, 1100.0))
        .build_ui_state(|ui, app: &mut App| app.show(ui), app);
    step_until(&mut harness, "the scan and the key's row", |h| {
        scanned(h) && h.query_by_label(&key).is_some()
    });
    assert!(
        log.wait_until_written(1, Duration::from_secs(60)),
        "{:?}",
        log.problem()
    );
    Fixture {
        harness,
        log,
        sim,
        key,
        dir,
    }
}

fn state_in(h: &AppHarness, key: &str, r: &str) -> Option<KeyState> {
    let id = MrkId::parse(key).unwrap();
    match h.state().inventory().estate().cell(&id, region(r)) {
        Cell::Primary(k) | Cell::Replica(k) => Some(k.state.clone()),
        _ => None,
    }
}

#[test]
fn changes_since_a_snapshot_are_listed_and_only_the_changed_cell_is_marked() {
    let mut f = start();
    let sdk = support::sdk_config(&f.sim.endpoint());
    f.harness.state().runner().block_on(async {
        support::client_in(&sdk, "eu-west-1")
            .disable_key()
            .key_id(&f.key)
            .send()
            .await
            .unwrap();
    });
    f.harness.get_by_label("Refresh").click_accesskit();
    let key = f.key.clone();
    step_until(&mut f.harness, "the replica seen Disabled", |h| {
        scanned(h) && state_in(h, &key, "eu-west-1") == Some(KeyState::Disabled)
    });
    assert!(f.log.wait_until_written(2, Duration::from_secs(60)));

    f.harness.get_by_label("History").click_accesskit();
    step_until(&mut f.harness, "the snapshot list", |h| {
        h.query_by_label_contains("2 snapshots").is_some()
    });
    assert_eq!(f.harness.query_all_by_label("changed").count(), 0);
    f.harness.get_by_label("Changes since").click_accesskit();
    f.harness.run_steps(2);
    f.harness.get_by_label_contains("#1 ·").click_accesskit();
    step_until(&mut f.harness, "the changes since #1", |h| {
        h.query_by_label_contains("1 change since").is_some()
    });
    f.harness.run_steps(2);
    f.harness.get_by_label_contains(&format!(
        "state-changed {} in eu-west-1: was Enabled, now Disabled",
        f.key
    ));
    assert_eq!(
        f.harness.query_all_by_label("changed").count(),
        1,
        "only the disabled replica's cell is marked"
    );
}

#[test]
fn an_audit_is_saved_with_its_findings_and_becomes_a_point_on_the_plot() {
    let mut f = start();
    f.harness.get_by_label("History").click_accesskit();
    step_until(&mut f.harness, "the snapshot list", |h| {
        h.query_by_label_contains("1 snapshot:").is_some()
    });
    f.harness.get_by_label_contains("No audited snapshot yet");
    f.harness.get_by_label("Audit").click_accesskit();
    step_until(&mut f.harness, "the audit's findings", audited);
    assert!(f.log.wait_until_written(2, Duration::from_secs(60)));
    f.harness.get_by_label("Reload").click_accesskit();
    step_until(&mut f.harness, "the audited snapshot on the plot", |h| {
        h.query_by_label_contains("Latest audited (#2)").is_some()
    });
    let n = f.harness.state().findings().len();
    let saved = Store::open(&f.dir.join("history.sqlite"))
        .unwrap()
        .snapshots()
        .unwrap();
    assert_eq!(saved[1].source, "gui-audit");
    let counted: usize = saved[1].findings.as_ref().unwrap().values().sum();
    assert_eq!(
        counted, n,
        "every finding the panel shows is in the snapshot"
    );
}
