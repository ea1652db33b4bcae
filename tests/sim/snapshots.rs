//! Image snapshots of the three views a person judges by eye: the coverage grid against a
//! baseline, the replicate dialog and the findings panel. Rendered by wgpu (Mesa's lavapipe on
//! CI) and compared with the PNGs committed under `tests/snapshots/`; a change that moves a
//! pixel fails here until the new image is looked at and committed
//! (`UPDATE_SNAPSHOTS=1 cargo test --test sim snapshot`).
//!
//! The simulator's key IDs come from a seeded generator and its clock starts at a fixed time,
//! so every run draws the same rows and dates.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kms_replica_console::aws::AwsClients;
use kms_replica_console::domain::baseline::Baseline;
use kms_replica_console::jobs::{Inventory, Runner};
use kms_replica_console::sim::{DEMO_REGIONS, Seed, Sim, SimConfig};
use kms_replica_console::ui::{App, AppOptions};

use crate::harness::{AppHarness, audited, scanned, step_until};
use crate::support::{self, region};

/// The demo estate, scanned, against the README's example baseline, in a window of `size`.
fn demo(size: egui::Vec2) -> (Sim, AppHarness) {
    let runner = Runner::new().unwrap();
    let config = SimConfig {
        key_id_seed: Some(2026),
        // 2026-11-30T00:00:00Z
        clock_start: Some(1_795_996_800.0),
        ..SimConfig::default()
    };
    let sim = runner.block_on(Sim::start(config, Seed::Demo)).unwrap();
    let clients = AwsClients::from_sdk_config(support::sdk_config(&sim.endpoint()));
    let regions = DEMO_REGIONS.iter().map(|r| region(r)).collect();
    let baseline = Baseline::from_toml(include_str!("../../assets/demo-baseline.toml"))
        .expect("the example baseline parses");
    let options = AppOptions {
        baseline,
        connection: "simulator".into(),
        // The simulator's account: a plan records it in every step.
        account: Some("111122223333".into()),
        ..AppOptions::default()
    };
    let app = App::new(runner, Inventory::new(clients, regions), options);
    let mut harness = Harness::builder()
        .with_size(size)
        .build_ui_state(|ui, app: &mut App| app.show(ui), app);
    step_until(&mut harness, "the scan", scanned);
    harness.run_steps(4);
    (sim, harness)
}

#[test]
fn snapshot_of_the_coverage_grid_with_a_baseline() {
    let (_sim, mut harness) = demo(egui::vec2(1500.0, 820.0));
    assert!(harness.query_all_by_label("missing").count() > 0);
    harness.snapshot("coverage_grid_with_baseline");
}

#[test]
fn snapshot_of_the_replicate_dialog() {
    let (_sim, mut harness) = demo(egui::vec2(1500.0, 820.0));
    // The grid sorts by key ID: the first family is the top row.
    let row = harness
        .state()
        .inventory()
        .estate()
        .families()
        .map(|(id, _)| id.to_string())
        .min()
        .expect("the demo has families");
    harness.get_by_label(&row).click();
    harness.run_steps(2);
    harness.get_by_label("Replicate…").click_accesskit();
    step_until(
        &mut harness,
        "the dialog with the primary's properties",
        |h| {
            h.query_by_label("Target Regions").is_some()
                && h.query_by_label("Reading the primary's policy and tags…")
                    .is_none()
                // The details panel behind reads the family's grants and rotation on its own:
                // the picture waits for those too, or it would depend on which lands first.
                && crate::harness::details_read(h)
        },
    );
    harness.run_steps(4);
    harness.snapshot("replicate_dialog");
}

#[test]
fn snapshot_of_the_findings_panel() {
    let (_sim, mut harness) = demo(egui::vec2(1500.0, 820.0));
    harness.get_by_label("Audit").click_accesskit();
    step_until(&mut harness, "the audit's findings", audited);
    harness.run_steps(4);
    harness.snapshot("findings_panel");
}

/// The window with the findings, the plan and a family's details open at once, at `size`: the
/// grid keeps at least `rows` rows in view, the details run the window's height, and the
/// status bar reads whole.
fn crowded(size: egui::Vec2, rows: usize) -> AppHarness {
    let (sim, mut harness) = demo(size);
    std::mem::forget(sim);
    let first = harness.state().shown_rows()[0].to_string();
    harness.get_by_label(&first).click();
    step_until(&mut harness, "the details", crate::harness::details_read);
    harness.get_by_label("Audit").click_accesskit();
    step_until(&mut harness, "the audit's findings", audited);
    harness.get_by_label("Plan fixes…").click_accesskit();
    step_until(&mut harness, "the plan", |h| {
        h.query_by_label_contains("ticked").is_some()
    });
    // The plan file field starts at the working folder's absolute path, which differs between
    // checkouts (CI clones elsewhere): the picture shows one fixed path, as a person would type it.
    let field = harness.get_by_label("Plan file");
    assert!(
        field
            .value()
            .is_some_and(|path| path.starts_with('/') && path.ends_with("kms-plan.json")),
        "the plan file starts absolute"
    );
    field.set_text_value_accesskit("/home/you/kms-plan.json");
    step_until(&mut harness, "the typed plan path", |h| {
        h.get_by_label("Plan file").value().as_deref() == Some("/home/you/kms-plan.json")
    });
    harness.run_steps(4);
    let ids: Vec<String> = harness
        .state()
        .shown_rows()
        .iter()
        .map(ToString::to_string)
        .collect();
    let visible = ids
        .iter()
        .filter(|id| harness.query_all_by_label(id.as_str()).next().is_some())
        .count();
    assert!(visible >= rows, "{visible} rows of the grid in view");
    harness.get_by_label_contains("40 key families · 10 Regions");
    harness
}

#[test]
fn snapshot_of_a_crowded_window_at_1600_by_1000() {
    let mut harness = crowded(egui::vec2(1600.0, 1000.0), 8);
    harness.snapshot("crowded_1600x1000");
}

#[test]
fn snapshot_of_a_crowded_window_at_1024_by_640() {
    let mut harness = crowded(egui::vec2(1024.0, 640.0), 4);
    harness.snapshot("crowded_1024x640");
}
