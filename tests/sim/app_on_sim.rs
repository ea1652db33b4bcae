//! The real app and scan on the simulator's demo estate: what moto cannot show (transient
//! states, an opt-in Region that is not enabled).

use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kms_replica_console::aws::AwsClients;
use kms_replica_console::domain::{Cell, KeyState, ProblemKind, Region, RegionStatus};
use kms_replica_console::jobs::{Inventory, ReplicaPhase, Runner};
use kms_replica_console::sim::{DEMO_REGIONS, Seed, Sim, SimConfig};
use kms_replica_console::ui::{App, AppOptions, Command};

use crate::harness::{scanned, step_until};
use crate::support;

fn demo_regions() -> Vec<Region> {
    DEMO_REGIONS
        .iter()
        .chain(["me-south-1"].iter())
        .map(|r| support::region(r))
        .collect()
}

/// Starts the demo estate on `runner` and returns it with clients for it.
fn demo(runner: &Runner) -> (Sim, AwsClients) {
    let config = SimConfig {
        disabled_regions: vec!["me-south-1".into()],
        ..SimConfig::default()
    };
    let sim = runner
        .block_on(Sim::start(config, Seed::Demo))
        .expect("the simulator starts");
    let clients = AwsClients::from_sdk_config(support::sdk_config(&sim.endpoint()));
    (sim, clients)
}

#[test]
fn the_demo_estate_scans_into_forty_families_with_its_awkward_states() {
    let runner = Runner::new().unwrap();
    let (_sim, clients) = demo(&runner);
    let mut inventory = Inventory::new(clients, demo_regions());
    inventory.refresh(&runner);
    inventory.wait_all(&runner);
    let estate = inventory.estate();

    assert_eq!(estate.family_count(), 40);
    let states: Vec<KeyState> = estate
        .families()
        .flat_map(|(id, _)| {
            estate
                .regions()
                .iter()
                .filter_map(|r| match estate.cell(id, *r) {
                    Cell::Primary(k) | Cell::Replica(k) => Some(k.state.clone()),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .collect();
    for expected in [
        KeyState::PendingReplicaDeletion,
        KeyState::PendingDeletion,
        KeyState::PendingImport,
        KeyState::Disabled,
    ] {
        assert!(
            states.contains(&expected),
            "no {expected} in the demo estate"
        );
    }
    match estate.status(support::region("me-south-1")) {
        RegionStatus::Failed(p) => assert_eq!(p.kind, ProblemKind::RegionNotEnabled),
        other => panic!("me-south-1 should fail as not enabled, got {other:?}"),
    }
}

#[test]
fn the_app_shows_a_region_that_is_not_enabled_as_an_error_column_not_as_absent() {
    let runner = Runner::new().unwrap();
    let (_sim, clients) = demo(&runner);
    let regions = vec![support::region("us-east-1"), support::region("me-south-1")];
    let app = App::new(
        runner,
        Inventory::new(clients, regions),
        AppOptions::default(),
    );
    let mut harness = Harness::builder()
        .with_size(egui::vec2(900.0, 600.0))
        .build_ui_state(|ui, app: &mut App| app.show(ui), app);
    step_until(&mut harness, "the scan", scanned);
    harness.run();

    let families = harness.state().inventory().estate().family_count();
    assert!(families > 0);
    // The header and every row's me-south-1 cell say what went wrong there.
    let markers = harness.query_all_by_label("RegionNotEnabled").count();
    assert!(markers >= 2, "header plus at least one row, got {markers}");
    harness.get_by_label("1 Region could not be read (hover the column header for the reason)");
}

#[test]
fn searching_by_alias_narrows_the_grid_to_that_family() {
    let (_sim, mut harness) = settled_demo_app();
    assert_eq!(harness.state().shown_families(), 40);

    harness.get_by_label("Search").focus();
    harness.run_steps(1);
    harness.get_by_label("Search").type_text("PAYMENTS");
    harness.run_steps(3);

    assert_eq!(harness.state().shown_families(), 1);
    assert!(
        harness
            .query_all_by_label_contains("alias/payments")
            .count()
            >= 1
    );
    assert!(
        harness
            .query_all_by_label_contains("alias/ledger")
            .next()
            .is_none(),
        "other families are hidden"
    );
}

/// The demo app after its scans, in a window wide enough for the filter bar.
fn settled_demo_app() -> (Sim, Harness<'static, App>) {
    let runner = Runner::new().unwrap();
    let (sim, clients) = demo(&runner);
    let app = App::new(
        runner,
        Inventory::new(clients, demo_regions()),
        AppOptions::default(),
    );
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1600.0, 900.0))
        .build_ui_state(|ui, app: &mut App| app.show(ui), app);
    step_until(&mut harness, "the scan", scanned);
    harness.run_steps(3);
    (sim, harness)
}

#[test]
fn the_tag_filter_reads_the_primaries_tags_on_request_and_keeps_matching_families() {
    let (_sim, mut harness) = settled_demo_app();
    harness.get_by_label("Tag filter").focus();
    harness.run_steps(1);
    harness
        .get_by_label("Tag filter")
        .type_text("team=payments-team");
    harness.run_steps(3);
    // Tags are not part of the scan: nothing matches until they are read.
    assert_eq!(harness.state().shown_families(), 0);

    harness
        .get_by_label_contains("Read tags of")
        .click_accesskit();
    step_until(&mut harness, "the primaries' tags read", |h| {
        h.query_by_label_contains("Read tags of").is_none()
            && h.query_by_label("reading tags…").is_none()
    });
    harness.run_steps(3);

    assert_eq!(harness.state().shown_families(), 1);
    assert!(harness.query_by_label_contains("Read tags of").is_none());
    assert!(
        harness
            .query_all_by_label_contains("alias/payments")
            .count()
            >= 1
    );
}

#[test]
fn clicking_a_region_header_puts_the_families_with_a_primary_there_first() {
    let (_sim, mut harness) = settled_demo_app();
    let region = support::region("eu-west-1");
    let estate = harness.state().inventory().estate().clone();
    let with_primary = estate
        .families()
        .filter(|(id, _)| matches!(estate.cell(id, region), Cell::Primary(_)))
        .count();
    assert!(with_primary > 0 && with_primary < estate.family_count());

    harness.get_by_label("eu-west-1").click_accesskit();
    harness.run_steps(3);

    let rows = harness.state().shown_rows();
    assert_eq!(rows.len(), estate.family_count(), "sorting hides nothing");
    assert!(
        rows[..with_primary]
            .iter()
            .all(|id| matches!(estate.cell(id, region), Cell::Primary(_))),
        "primaries in eu-west-1 come first"
    );
    harness.get_by_label("eu-west-1 · asc");
    harness.get_by_label("eu-west-1 · asc").click_accesskit();
    harness.run_steps(3);
    let reversed = harness.state().shown_rows();
    assert!(matches!(
        estate.cell(&reversed[reversed.len() - 1], region),
        Cell::Primary(_)
    ));
}

#[test]
fn the_state_filter_keeps_only_families_with_a_key_in_that_state() {
    let (_sim, mut harness) = settled_demo_app();
    let estate = harness.state().inventory().estate().clone();
    let disabled = estate
        .families()
        .filter(|(_, f)| f.described().any(|k| k.state == KeyState::Disabled))
        .count();
    assert!(disabled > 0 && disabled < estate.family_count());

    harness.get_by_label("State").click_accesskit();
    harness.run_steps(2);
    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, "Disabled")
        .click_accesskit();
    harness.run_steps(3);

    assert_eq!(harness.state().shown_families(), disabled);
}

#[test]
fn a_replica_being_followed_does_not_keep_the_window_repainting() {
    let (_sim, mut harness) = settled_demo_app();
    let request = support::replication_candidate(harness.state().inventory().estate())
        .expect("the demo has a family to replicate");
    let (id, target) = (request.key_id.clone(), request.target);
    harness.state_mut().apply(Command::Replicate(vec![request]));
    // Frames fold finished jobs in; between them, wait for the next job to finish.
    let watching = |app: &App| {
        app.inventory()
            .replica_job(&id, target)
            .is_some_and(|job| job.phase == ReplicaPhase::Watching)
    };
    for _ in 0..20 {
        let before = harness.state().runner().finished_count();
        harness.step();
        if watching(harness.state()) {
            break;
        }
        let runner = harness.state().runner();
        runner.wait_until(Duration::from_secs(5), || runner.finished_count() > before);
    }
    assert!(watching(harness.state()), "ReplicateKey answered");

    // `run` fails if frames keep asking for more frames (a spinner would).
    let frames = harness.run();
    assert!(frames < 10, "{frames} frames to settle");
    harness.get_by_label("following…");
    assert!(harness.query_all_by_label("Creating").count() >= 1);
}

#[test]
fn refresh_changes_reads_only_the_keys_that_may_have_changed() {
    let (sim, mut harness) = settled_demo_app();
    let estate = harness.state().inventory().estate().clone();
    let unsettled: usize = estate
        .regions()
        .iter()
        .filter(|r| estate.status(**r) == &RegionStatus::Scanned)
        .map(|r| {
            let keys = estate
                .families()
                .filter(|(_, f)| f.entry(*r).is_some())
                .count();
            keys - estate.settled_in(*r).len()
        })
        .sum();
    let total: usize = estate.families().map(|(_, f)| f.described().count()).sum();
    assert!(unsettled > 0 && unsettled < total);
    sim.reset_stats();

    harness.get_by_label("Refresh changes").click_accesskit();
    harness.step();
    assert!(
        harness.state().inventory().is_scanning(),
        "the click started a scan"
    );
    step_until(
        &mut harness,
        "Refresh changes and its follow-ups to finish",
        scanned,
    );
    harness.run_steps(3);

    let stats = sim.stats();
    let described: u64 = stats["requests"]
        .as_object()
        .into_iter()
        .flat_map(|regions| regions.values())
        .filter_map(|ops| ops["DescribeKey"].as_u64())
        .sum();
    assert_eq!(described, unsettled as u64);
    assert_eq!(harness.state().inventory().estate().family_count(), 40);
}
