//! The GUI stays bounded and reachable whatever the user does: typing without end, clicking
//! Refresh in a burst, a window shrunk to 400 × 300.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kms_replica_console::aws::AwsClients;
use kms_replica_console::domain::Region;
use kms_replica_console::jobs::{Inventory, Runner};
use kms_replica_console::sim::{DEMO_REGIONS, Seed, Sim, SimConfig};
use kms_replica_console::ui::{App, AppOptions, SEARCH_LIMIT};

use crate::harness::{scanned, step_until};
use crate::support;

pub(crate) fn app_on_demo(size: egui::Vec2) -> (Sim, Harness<'static, App>) {
    app_on(SimConfig::default(), size)
}

fn app_on(config: SimConfig, size: egui::Vec2) -> (Sim, Harness<'static, App>) {
    let runner = Runner::new().unwrap();
    let sim = runner
        .block_on(Sim::start(config, Seed::Demo))
        .expect("the simulator starts");
    let clients = AwsClients::from_sdk_config(support::sdk_config(&sim.endpoint()));
    let regions: Vec<Region> = DEMO_REGIONS.iter().map(|r| support::region(r)).collect();
    let app = App::new(
        runner,
        Inventory::new(clients, regions),
        AppOptions::default(),
    );
    let mut harness = Harness::builder()
        .with_size(size)
        .build_ui_state(|ui, app: &mut App| app.show(ui), app);
    step_until(&mut harness, "the first scan", scanned);
    (sim, harness)
}

fn described(sim: &Sim) -> u64 {
    sim.stats()["requests"]
        .as_object()
        .into_iter()
        .flat_map(|regions| regions.values())
        .filter_map(|ops| ops["DescribeKey"].as_u64())
        .sum()
}

#[test]
fn ten_clicks_on_refresh_make_one_scan() {
    // Each answer takes half a second, so a scan (ListKeys, then DescribeKeys) outlasts ten
    // frames by far; the loop checks that it did before each click.
    let slow = SimConfig {
        latency: std::time::Duration::from_millis(500),
        ..SimConfig::default()
    };
    let (sim, mut harness) = app_on(slow, egui::vec2(1600.0, 900.0));
    let keys: u64 = {
        let estate = harness.state().inventory().estate();
        estate
            .families()
            .map(|(_, f)| f.listed_regions().count() as u64)
            .sum()
    };
    assert!(keys > 0);
    sim.reset_stats();

    for click in 0..10 {
        harness.get_by_label("Refresh").click_accesskit();
        harness.step();
        assert!(
            harness.state().inventory().is_scanning(),
            "the scan started by the first click is still running at click {click}"
        );
    }
    step_until(&mut harness, "the refresh to finish", scanned);
    assert_eq!(
        described(&sim),
        keys,
        "one DescribeKey per key, as for one click"
    );
}

#[test]
fn the_search_box_keeps_at_most_its_limit_however_much_is_typed() {
    let (_sim, mut harness) = app_on_demo(egui::vec2(1600.0, 900.0));
    harness.get_by_label("Search").focus();
    harness.run_steps(1);
    harness
        .get_by_label("Search")
        .type_text(&"x".repeat(10_000));
    harness.run_steps(2);
    let kept = harness.get_by_label("Search").value().unwrap_or_default();
    assert_eq!(kept.chars().count(), SEARCH_LIMIT);
    assert_eq!(
        harness.state().shown_families(),
        0,
        "the search still applies"
    );
}

#[test]
fn in_a_400_by_300_window_the_toolbar_actions_stay_on_screen() {
    let (_sim, mut harness) = app_on_demo(egui::vec2(400.0, 300.0));
    harness.run_steps(2);
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(400.0, 300.0));
    for label in ["Refresh", "Refresh changes", "Regions…", "Audit"] {
        let rect = harness.get_by_label(label).rect();
        assert!(screen.contains_rect(rect), "{label} at {rect:?} is cut off");
    }
}
