//! The findings panel through the real `App` on the demo estate: run the audit, see the counts
//! and findings, filter the grid, export the report.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kms_replica_console::aws::AwsClients;
use kms_replica_console::jobs::{Inventory, Runner};
use kms_replica_console::sim::{DEMO_REGIONS, Seed, Sim, SimConfig};
use kms_replica_console::ui::{App, AppOptions};

use crate::harness::{audited, scanned, step_until};
use crate::support::{self, region};

fn start() -> (Harness<'static, App>, Sim) {
    start_with(SimConfig::default())
}

fn start_with(config: SimConfig) -> (Harness<'static, App>, Sim) {
    let runner = Runner::new().unwrap();
    let sim = runner.block_on(Sim::start(config, Seed::Demo)).unwrap();
    let clients = AwsClients::from_sdk_config(support::sdk_config(&sim.endpoint()));
    let regions = DEMO_REGIONS.iter().map(|r| region(r)).collect();
    let app = App::new(
        runner,
        Inventory::new(clients, regions),
        AppOptions::default(),
    );
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1800.0, 1200.0))
        .build_ui_state(|ui, app: &mut App| app.show(ui), app);
    step_until(&mut harness, "the scan", scanned);
    harness.run_steps(4);
    (harness, sim)
}

fn run_audit(harness: &mut Harness<'static, App>) {
    harness.get_by_label("Audit").click_accesskit();
    step_until(harness, "the audit's findings", audited);
    harness.run_steps(4);
}

#[test]
fn the_findings_panel_counts_and_lists_what_the_headless_audit_finds() {
    let (mut harness, _sim) = start();
    run_audit(&mut harness);
    let n = harness
        .state()
        .findings()
        .iter()
        .filter(|f| f.severity == kms_replica_console::domain::audit::Severity::High)
        .count();
    harness.get_by_label(&format!("High: {n}"));
    assert!(n >= 1, "the vendor-account grants are high findings");
    assert!(
        harness
            .query_all_by_label_contains("444455556666:role/vendor-support")
            .count()
            >= 1
    );
    harness.get_by_label_contains(
        "(alias/legacy-reports) in us-east-2 is scheduled for deletion and waiting",
    );
}

#[test]
fn only_families_with_findings_shows_exactly_those_families() {
    let (mut harness, _sim) = start();
    run_audit(&mut harness);
    let total = harness.state().inventory().estate().family_count();
    assert_eq!(harness.state().shown_families(), total);
    let with_findings: std::collections::BTreeSet<String> = harness
        .state()
        .findings()
        .iter()
        .filter_map(|f| f.key_id.as_ref().map(|k| k.to_string()))
        .collect();
    harness
        .get_by_label("Only families with findings")
        .click_accesskit();
    harness.run_steps(3);
    assert_eq!(harness.state().shown_families(), with_findings.len());
}

#[test]
fn the_report_is_saved_where_the_user_says() {
    let (mut harness, _sim) = start();
    run_audit(&mut harness);
    let dir = std::env::temp_dir().join(format!("kms-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("report.json");
    let field = harness.get_by_label("Report file");
    field.focus();
    harness.run_steps(1);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness
        .get_by_label("Report file")
        .type_text(path.to_str().unwrap());
    harness.run_steps(2);
    harness.get_by_label("Save report").click_accesskit();
    // A background task writes the file, then the panel says so: wait for what it says.
    step_until(&mut harness, "the report saved", |h| {
        h.query_by_label_contains("Saved ").is_some()
    });
    let text = std::fs::read_to_string(&path).expect("the report was written");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert!(!json["findings"].as_array().unwrap().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn keys_that_could_not_be_read_make_the_panel_say_incomplete_and_name_them() {
    let config = SimConfig {
        faults: vec!["internal:1:us-west-2:DescribeKey".parse().unwrap()],
        ..SimConfig::default()
    };
    let (mut harness, sim) = start_with(config);
    assert!(
        sim.stats()["faults"].as_u64().unwrap_or(0) > 0,
        "the fault was injected"
    );
    run_audit(&mut harness);
    let unreadable = harness
        .state()
        .inventory()
        .estate()
        .families()
        .filter(|(_, f)| f.unreadable().next().is_some())
        .count();
    assert!(unreadable > 0);
    harness.get_by_label_contains("Incomplete: ");
    assert!(
        harness
            .query_all_by_label_contains("Not audited: ")
            .any(|n| format!("{n:?}").contains("us-west-2")),
        "the keys in us-west-2 are named"
    );
}
