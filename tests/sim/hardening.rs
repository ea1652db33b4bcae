//! Hardening that spans the app: no secret in any output, and a read-only session that makes no
//! mutating call.

use std::process::Command;
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kms_replica_console::aws::AwsClients;
use kms_replica_console::jobs::{Inventory, Runner};
use kms_replica_console::sim::{DEMO_REGIONS, MUTATING, Seed, Sim, SimConfig};
use kms_replica_console::ui::{App, AppOptions};

use crate::harness::{audited, scanned, step_until};
use crate::support::{self, TEST_ACCESS_KEY, TEST_SECRET_KEY, region};

const SESSION_TOKEN: &str = "test-session-token-IQoJb3JpZ2luX2VjEJr";

#[test]
fn no_secret_or_session_token_reaches_the_log_or_the_report_even_at_trace_level() {
    let runner = Runner::new().unwrap();
    let sim = runner
        .block_on(Sim::start(SimConfig::default(), Seed::Demo))
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kms-replica-console"))
        .args([
            "audit",
            "--format",
            "json",
            "--regions",
            "us-east-1,eu-west-1",
            "--no-history",
        ])
        .args(["--endpoint-url", &sim.endpoint()])
        .env_clear()
        .env("RUST_LOG", "trace")
        .env("AWS_ACCESS_KEY_ID", TEST_ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", TEST_SECRET_KEY)
        .env("AWS_SESSION_TOKEN", SESSION_TOKEN)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .output()
        .expect("the binary runs");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.code().is_some());
    assert!(
        all.len() > 10_000,
        "trace logging produced output to search"
    );
    assert!(
        !all.contains(TEST_SECRET_KEY),
        "the secret access key leaked"
    );
    assert!(!all.contains(SESSION_TOKEN), "the session token leaked");
}

#[test]
fn a_read_only_session_clicking_everywhere_makes_no_mutating_call() {
    let runner = Runner::new().unwrap();
    let sim = runner
        .block_on(Sim::start(SimConfig::default(), Seed::Demo))
        .unwrap();
    let clients = AwsClients::from_sdk_config(support::sdk_config(&sim.endpoint()));
    let regions = DEMO_REGIONS.iter().map(|r| region(r)).collect();
    let options = AppOptions {
        read_only: true,
        connection: "test".into(),
        ..AppOptions::default()
    };
    let app = App::new(runner, Inventory::new(clients, regions), options);
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1800.0, 1200.0))
        .build_ui_state(|ui, app: &mut App| app.show(ui), app);
    step_until(&mut harness, "the scan", scanned);
    harness.run_steps(3);

    let first = harness
        .state()
        .inventory()
        .estate()
        .family_at(0)
        .map(|(id, _)| id.to_string())
        .unwrap();
    harness.get_by_label(&first).click();
    harness.run_steps(4);
    harness.get_by_label("Replicate…").click_accesskit();
    harness.run_steps(4);
    harness.get_by_label("Audit").click_accesskit();
    step_until(&mut harness, "the audit's findings", audited);
    harness.run_steps(3);
    let menus: Vec<String> = harness
        .query_all_by_label_contains("Actions in ")
        .map(|n| format!("{n:?}"))
        .collect();
    assert!(!menus.is_empty());
    for region in DEMO_REGIONS {
        if let Some(menu) = harness.query_by_label(&format!("Actions in {region}")) {
            menu.click_accesskit();
            harness.run_steps(3);
            for item in harness.query_all_by_label_contains(&format!(" in {region}…")) {
                item.click_accesskit();
            }
            harness.run_steps(3);
        }
    }
    // Drain, not a wait for something to appear: any call a click started must have reached
    // the simulator before its counts are read.
    assert!(harness.state().runner().wait_idle(Duration::from_secs(30)));

    let stats = sim.stats();
    let requests = stats["requests"].as_object().unwrap();
    assert!(!requests.is_empty(), "the session did read");
    for (region, ops) in requests {
        for op in ops.as_object().unwrap().keys() {
            assert!(
                !MUTATING.contains(&op.as_str()),
                "{op} was called in {region} in read-only mode"
            );
        }
    }
}
