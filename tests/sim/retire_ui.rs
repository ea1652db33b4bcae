//! Retiring a replica from the window, AWS's way (#24): disable (confirmed), then the quiet
//! period read from CloudTrail — blocked while a DisabledException is there, deletion offered
//! once the simulator's clock has moved a quiet week past the last one.

use aws_sdk_kms::primitives::Blob;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kms_replica_console::aws::AwsClients;
use kms_replica_console::jobs::{Inventory, Runner};
use kms_replica_console::sim::SimConfig;
use kms_replica_console::ui::clock::Clock;
use kms_replica_console::ui::{App, AppOptions};

use crate::harness::real_now;
use crate::harness::{AppHarness, DELAY, SimHarness, scanned, step_until};
use crate::support::{self, region};

const DAY: f64 = 86_400.0;

/// A family (us-east-1, eu-west-1) on a simulator whose clock starts 30 days ago (served by
/// `runner`, which the window then owns), and the window, judging time by the simulator's clock.
fn window(runner: Runner) -> (SimHarness, String, AppHarness) {
    let h = runner.block_on(SimHarness::with(SimConfig {
        clock_start: Some(real_now() - 30.0 * DAY),
        ..SimConfig::default()
    }));
    let key = runner.block_on(async {
        let key = h.primary("us-east-1").await;
        h.replica(&key, "us-east-1", "eu-west-1").await;
        key
    });
    h.advance(DELAY + 1.0);
    let clients = AwsClients::from_sdk_config(support::sdk_config(&h.sim.endpoint()));
    let regions = vec![region("us-east-1"), region("eu-west-1")];
    let sim_now = h.sim.clock_reader();
    let options = AppOptions {
        clock: Clock::from_fn(move || sim_now() as i64),
        ..AppOptions::default()
    };
    let app = App::new(runner, Inventory::new(clients, regions), options);
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1600.0, 1000.0))
        .build_ui_state(|ui, app: &mut App| app.show(ui), app);
    step_until(&mut harness, "the scan", |h| {
        scanned(h) && h.query_by_label(&key).is_some()
    });
    (h, key, harness)
}

fn open_retire(harness: &mut AppHarness, key: &str) {
    if harness.query_by_label("Actions in eu-west-1").is_none() {
        harness.get_by_label(key).click();
        step_until(harness, "the details", crate::harness::details_read);
    }
    harness.get_by_label("Actions in eu-west-1").click();
    step_until(harness, "the menu", |h| {
        h.query_by_label("Retire in eu-west-1…").is_some()
    });
    harness.get_by_label("Retire in eu-west-1…").click();
}

#[test]
fn a_replica_is_disabled_then_blocked_by_a_refused_use_then_offered_for_deletion_after_a_quiet_week()
 {
    let (h, key, mut harness) = window(Runner::new().unwrap());
    open_retire(&mut harness, &key);
    step_until(&mut harness, "step 1", |h| {
        h.query_by_label("Step 1: Disable…").is_some()
    });
    harness.get_by_label_contains("In account 111122223333, Region eu-west-1");
    harness.get_by_label("Step 1: Disable…").click();
    step_until(&mut harness, "the confirmation", |h| {
        h.query_by_label("Confirm: DisableKey").is_some()
    });
    harness.get_by_label("Confirm: DisableKey").click();
    step_until(&mut harness, "the replica disabled", |h| {
        h.state()
            .inventory()
            .estate()
            .family(&kms_replica_console::domain::MrkId::parse(&key).unwrap())
            .and_then(|f| {
                f.described()
                    .find(|k| k.region == region("eu-west-1"))
                    .cloned()
            })
            .is_some_and(|k| k.state.to_string() == "Disabled")
    });

    // A workload still calls the replica: refused, in CloudTrail.
    harness.state().runner().block_on(async {
        let blob = h
            .client("us-east-1")
            .encrypt()
            .key_id(&key)
            .plaintext(Blob::new(b"payload".to_vec()))
            .send()
            .await
            .unwrap()
            .ciphertext_blob
            .unwrap();
        let refused = h
            .client("eu-west-1")
            .decrypt()
            .ciphertext_blob(blob)
            .send()
            .await;
        assert!(refused.is_err(), "the disabled replica refuses");
    });
    h.advance(3_600.0);
    open_retire(&mut harness, &key);
    step_until(&mut harness, "the block", |h| {
        h.query_by_label_contains("Blocked: disabled 0 days ago; 1 DisabledException since")
            .is_some()
    });
    assert!(
        harness
            .query_by_label("Step 3: Schedule deletion…")
            .is_none()
    );
    harness.get_by_label("Re-enable…");

    // A quiet week passes with no other call.
    h.advance(8.0 * DAY);
    harness.get_by_label("Read the trail again").click();
    step_until(&mut harness, "step 3", |h| {
        h.query_by_label("Step 3: Schedule deletion…").is_some()
    });
    harness.get_by_label_contains("Step 3: disabled 8 days ago");
    harness.get_by_label("Step 3: Schedule deletion…").click();
    step_until(&mut harness, "the deletion's confirmation", |h| {
        h.query_by_label("Typed confirmation").is_some()
    });
}

#[test]
fn in_read_only_mode_the_retirement_is_shown_but_no_step_can_be_taken() {
    // The simulator is served by the first window's runner: it stays open beside.
    let (h, key, _first) = window(Runner::new().unwrap());
    let clients = AwsClients::from_sdk_config(support::sdk_config(&h.sim.endpoint()));
    let regions = vec![region("us-east-1"), region("eu-west-1")];
    let options = AppOptions {
        read_only: true,
        ..AppOptions::default()
    };
    let app = App::new(
        Runner::new().unwrap(),
        Inventory::new(clients, regions),
        options,
    );
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1600.0, 1000.0))
        .build_ui_state(|ui, app: &mut App| app.show(ui), app);
    step_until(&mut harness, "the scan", |h| {
        scanned(h) && h.query_by_label(&key).is_some()
    });
    open_retire(&mut harness, &key);
    step_until(&mut harness, "step 1", |h| {
        h.query_by_label("Step 1: Disable…").is_some()
    });
    let before = h.sim.stats()["requests"]["eu-west-1"]["DisableKey"].as_u64();
    harness.get_by_label("Step 1: Disable…").click();
    harness.run_steps(2);
    assert!(harness.query_by_label("Confirm: DisableKey").is_none());
    assert_eq!(
        h.sim.stats()["requests"]["eu-west-1"]["DisableKey"].as_u64(),
        before
    );
}
