//! The coverage view against a baseline: a required Region with no key says "missing", a key
//! outside the allowed Regions says "not allowed", empty cells no rule needs are quiet, the
//! header's summary counts each Region, and a baseline can be loaded (a bad one changes
//! nothing).

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kms_replica_console::aws::AwsClients;
use kms_replica_console::domain::baseline::Baseline;
use kms_replica_console::domain::coverage::region_coverage;
use kms_replica_console::domain::{Cell, Region};
use kms_replica_console::jobs::{Inventory, Runner};
use kms_replica_console::sim::{DEMO_REGIONS, Seed, Sim, SimConfig};
use kms_replica_console::ui::{App, AppOptions};

use crate::harness::{AppHarness, scanned, step_until};
use crate::support::{self, region};

fn demo_regions() -> Vec<Region> {
    DEMO_REGIONS.iter().map(|r| region(r)).collect()
}

/// Every family must be in eu-west-1; keys may be anywhere but ap-southeast-2.
fn baseline() -> Baseline {
    Baseline {
        require_regions: vec![region("eu-west-1")],
        allow_regions: Some(
            demo_regions()
                .into_iter()
                .filter(|r| r.name() != "ap-southeast-2")
                .collect(),
        ),
        rules: vec![],
        replicas: Default::default(),
    }
}

fn app(baseline: Baseline) -> (Sim, AppHarness) {
    app_with(baseline, None)
}

fn app_with(baseline: Baseline, baseline_path: Option<&str>) -> (Sim, AppHarness) {
    let runner = Runner::new().unwrap();
    let sim = runner
        .block_on(Sim::start(SimConfig::default(), Seed::Demo))
        .expect("the simulator starts");
    let clients = AwsClients::from_sdk_config(support::sdk_config(&sim.endpoint()));
    let options = AppOptions {
        baseline,
        baseline_path: baseline_path.map(str::to_string),
        ..AppOptions::default()
    };
    let app = App::new(runner, Inventory::new(clients, demo_regions()), options);
    let mut harness = Harness::builder()
        .with_size(egui::vec2(2000.0, 3000.0))
        .build_ui_state(|ui, app: &mut App| app.show(ui), app);
    step_until(&mut harness, "the scan", scanned);
    harness.run_steps(2);
    (sim, harness)
}

/// Families with no key in eu-west-1, and keys in ap-southeast-2, as the estate says.
fn expected(harness: &AppHarness) -> (usize, usize) {
    let estate = harness.state().inventory().estate();
    let count = |r: &str, present: bool| {
        estate
            .families()
            .filter(|(id, _)| {
                let held = matches!(
                    estate.cell(id, region(r)),
                    Cell::Primary(_) | Cell::Replica(_) | Cell::Reported { .. }
                );
                held == present
            })
            .count()
    };
    (count("eu-west-1", false), count("ap-southeast-2", true))
}

#[test]
fn required_regions_without_a_key_say_missing_and_keys_outside_the_allow_list_say_not_allowed() {
    let (_sim, harness) = app(baseline());
    let (missing, not_allowed) = expected(&harness);
    assert!(missing > 0 && not_allowed > 0, "the demo has both");
    assert!(harness.state().inventory().estate().family_count() <= 40);
    assert_eq!(harness.query_all_by_label("missing").count(), missing);
    assert_eq!(
        harness.query_all_by_label("not allowed").count(),
        not_allowed
    );
    assert!(
        harness.query_by_label("absent").is_none(),
        "empty cells no rule needs carry no word"
    );
}

#[test]
fn the_summary_row_gives_each_regions_coverage_against_the_baseline() {
    let (_sim, harness) = app(baseline());
    let estate = harness.state().inventory().estate();
    let coverage = region_coverage(estate, &baseline(), &Default::default());
    let eu = coverage[&region("eu-west-1")];
    assert!(eu.missing > 0);
    harness.get_by_label(&format!(
        "{} / {} required",
        eu.required - eu.missing,
        eu.required
    ));
    let us = coverage[&region("us-east-1")];
    harness.get_by_label(&format!("{} with a key", us.present));
}

#[test]
fn without_a_baseline_nothing_is_missing_or_not_allowed() {
    let (_sim, harness) = app(Baseline::default());
    assert_eq!(harness.query_all_by_label("missing").count(), 0);
    assert_eq!(harness.query_all_by_label("not allowed").count(), 0);
    harness.get_by_label_contains("No baseline: start with --baseline FILE");
}

#[test]
fn a_baseline_loaded_from_the_findings_panel_marks_the_grid_and_a_bad_one_changes_nothing() {
    let (_sim, mut harness) = app(Baseline::default());
    harness.get_by_label("Audit").click_accesskit();
    step_until(&mut harness, "the findings panel", crate::harness::audited);
    let dir = std::env::temp_dir().join(format!("kms-rc-baseline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "require_regions = [\"mars-north-1\"]\n").unwrap();
    let good = dir.join("good.toml");
    std::fs::write(&good, "require_regions = [\"eu-west-1\"]\n").unwrap();

    let load = |harness: &mut AppHarness, path: &std::path::Path| {
        harness.get_by_label("Baseline file").focus();
        harness.run_steps(1);
        harness
            .get_by_label("Baseline file")
            .type_text(&path.display().to_string());
        harness.run_steps(1);
        harness.get_by_label("Load baseline…").click_accesskit();
    };
    load(&mut harness, &bad);
    step_until(&mut harness, "the bad baseline's error", |h| {
        h.query_by_label_contains("mars-north-1").is_some()
    });
    assert_eq!(
        harness.query_all_by_label("missing").count(),
        0,
        "nothing changed"
    );

    // The field keeps what was typed: clear it first.
    harness.get_by_label("Baseline file").focus();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.key_press(egui::Key::Backspace);
    harness.run_steps(1);
    load(&mut harness, &good);
    let (missing, _) = expected(&harness);
    step_until(
        &mut harness,
        "the grid marked against the loaded baseline",
        |h| h.query_all_by_label("missing").count() == missing,
    );
    harness.get_by_label_contains("Holding the grid to");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_status_bar_names_the_baseline_given_on_the_command_line() {
    let (_sim, harness) = app_with(baseline(), Some("team-baseline.toml"));
    harness.get_by_label("Baseline team-baseline.toml: 0 rules, 1 Region required");
}

#[test]
fn without_a_baseline_the_status_bar_says_so() {
    let (_sim, harness) = app(Baseline::default());
    harness.get_by_label("No baseline");
}
