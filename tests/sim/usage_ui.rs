//! Last usage in the window (#24): the details panel shows each key's last use, and the
//! Usage view marks the cells on screen and reads those only, at GetKeyLastUsage's quota,
//! throttles ridden out, never shown.

use aws_sdk_kms::primitives::Blob;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kms_replica_console::aws::AwsClients;
use kms_replica_console::jobs::{Inventory, Runner};
use kms_replica_console::sim::{SCALE_REGIONS, Seed, Sim, SimConfig};
use kms_replica_console::ui::{App, AppOptions};

use crate::harness::{AppHarness, SimHarness, scanned, step_until, usage_read};
use crate::support::{self, region};

fn app_on(runner: Runner, endpoint: &str, regions: &[&str], size: egui::Vec2) -> AppHarness {
    let clients = AwsClients::from_sdk_config(support::sdk_config(endpoint));
    let regions = regions.iter().map(|r| region(r)).collect();
    let app = App::new(
        runner,
        Inventory::new(clients, regions),
        AppOptions::default(),
    );
    let mut harness = Harness::builder()
        .with_size(size)
        .build_ui_state(|ui, app: &mut App| app.show(ui), app);
    step_until(&mut harness, "the scan", scanned);
    harness
}

#[test]
fn the_details_panel_shows_each_keys_last_use_and_a_refresh_reads_it_again() {
    let runner = Runner::new().unwrap();
    let h = runner.block_on(SimHarness::start());
    let id = runner.block_on(async {
        let id = h.primary("us-east-1").await;
        h.replica(&id, "us-east-1", "eu-west-1").await;
        id
    });
    let mut harness = app_on(
        runner,
        &h.sim.endpoint(),
        &["us-east-1", "eu-west-1"],
        egui::vec2(1400.0, 900.0),
    );
    harness.get_by_label(&id).click();
    step_until(&mut harness, "each key's usage", usage_read);
    assert_eq!(
        harness
            .query_all_by_label("Never used since it was created")
            .count(),
        2
    );

    let runner = Runner::new().unwrap();
    runner.block_on(async {
        h.client("eu-west-1")
            .encrypt()
            .key_id(&id)
            .plaintext(Blob::new(b"payload".to_vec()))
            .send()
            .await
            .expect("the replica encrypts");
    });
    harness.get_by_label("Refresh").click();
    // Both keys' usage read again: the replica's use, and no key still being read.
    step_until(&mut harness, "the replica's use", |h| {
        h.query_by_label_contains("Last used today: Encrypt at")
            .is_some()
            && usage_read(h)
    });
    assert_eq!(
        harness
            .query_all_by_label("Never used since it was created")
            .count(),
        1,
        "the primary is still unused"
    );
}

/// Key cells on screen show their usage (exact words: the legend's entries say more), and
/// none is still being read.
fn usage_shown(harness: &AppHarness) -> bool {
    let marked: usize = ["used today", "used this month", "never used"]
        .iter()
        .map(|word| harness.query_all_by_label(word).count())
        .sum();
    marked > 0 && harness.query_all_by_label("reading…").next().is_none()
}

#[test]
fn the_usage_view_reads_only_the_rows_on_screen_and_never_shows_a_throttle() {
    let runner = Runner::new().unwrap();
    let families = 400;
    let config = SimConfig {
        traffic: true,
        // The AWS quotas, at a quarter of each: others in the account use the rest, so the
        // pace meets throttling it must ride out.
        quotas: true,
        quota_share: 0.25,
        ..SimConfig::default()
    };
    let sim = runner
        .block_on(Sim::start(
            config,
            Seed::Scale {
                regions: 4,
                families,
            },
        ))
        .unwrap();
    let regions: Vec<&str> = SCALE_REGIONS.iter().take(4).copied().collect();
    let mut harness = app_on(runner, &sim.endpoint(), &regions, egui::vec2(1400.0, 700.0));
    assert!(sim.stats().to_string().contains("DescribeKey"));
    harness.get_by_label("Usage").click();
    step_until(
        &mut harness,
        "the usage of the cells on screen",
        usage_shown,
    );

    let inventory = harness.state().inventory();
    let estate = inventory.estate();
    let (mut keys, mut read) = (0, 0);
    for (id, family) in estate.families() {
        for key in family.described() {
            keys += 1;
            read += usize::from(inventory.key_usage(id, key.region).is_some());
        }
    }
    let rows_on_screen = 700 / 38;
    assert!(
        read > 0 && read <= rows_on_screen * regions.len(),
        "{read} keys' usage read of {keys}: only what is on screen"
    );
    let calls: u64 = regions
        .iter()
        .filter_map(|r| sim.stats()["requests"][*r]["GetKeyLastUsage"].as_u64())
        .sum();
    assert!(
        calls as usize >= read,
        "{calls} GetKeyLastUsage calls for {read} keys"
    );
    let throttled: u64 = regions
        .iter()
        .filter_map(|r| sim.stats()["throttled"][*r]["GetKeyLastUsage"].as_u64())
        .sum();
    assert!(throttled > 0, "the quota was met: {}", sim.stats());
    assert!(
        harness.query_by_label("usage ?").is_none(),
        "a throttle is retried, never shown"
    );
}
