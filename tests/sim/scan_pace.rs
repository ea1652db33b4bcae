//! The scan engine against the simulator with AWS quotas on: the minimum number of requests, no
//! throttle when the pace holds, and no key lost or shown throttled when KMS throttles anyway.

use kms_replica_console::aws::AwsClients;
use kms_replica_console::domain::{
    Cell, Estate, KeyEntry, MrkId, ProblemKind, Region, RegionStatus,
};
use kms_replica_console::jobs::{Inventory, Runner};
use kms_replica_console::sim::{FaultRule, SCALE_REGIONS, Seed, Sim, SimConfig};
use serde_json::Value;

use crate::support::region;

fn start(runner: &Runner, config: SimConfig, regions: usize, families: usize) -> Sim {
    runner
        .block_on(Sim::start(config, Seed::Scale { regions, families }))
        .unwrap()
}

fn scan(runner: &Runner, sim: &Sim, regions: &[Region]) -> Estate {
    let settings = crate::support::connect_settings(&sim.endpoint());
    let clients = runner.block_on(AwsClients::connect(&settings));
    let mut inventory = Inventory::new(clients, regions.to_vec());
    inventory.refresh(runner);
    inventory.wait_all(runner);
    inventory.estate().clone()
}

fn count(stats: &Value, what: &str, region: Region, op: &str) -> u64 {
    stats[what][region.name()][op].as_u64().unwrap_or(0)
}

/// Keys of the Region the scan put in the estate, described or not.
fn keys_in(estate: &Estate, region: Region) -> usize {
    estate
        .families()
        .filter(|(_, f)| f.entry(region).is_some())
        .count()
}

#[test]
fn a_scan_describes_each_multi_region_key_once_and_lists_each_page_once() {
    let runner = Runner::new().unwrap();
    let sim = start(
        &runner,
        SimConfig {
            quotas: true,
            ..SimConfig::default()
        },
        2,
        3000,
    );
    let regions: Vec<Region> = SCALE_REGIONS[..2].iter().map(|r| region(r)).collect();
    let estate = scan(&runner, &sim, &regions);
    let stats = sim.stats();
    for r in &regions {
        assert_eq!(estate.status(*r), &RegionStatus::Scanned);
        let keys = keys_in(&estate, *r);
        assert!(
            keys > 2000,
            "{r}: {keys} keys, more than one second of quota"
        );
        assert_eq!(count(&stats, "requests", *r, "DescribeKey"), keys as u64);
        assert_eq!(count(&stats, "throttled", *r, "DescribeKey"), 0);
        // The seed adds as many single-Region keys as noise: at least two pages of a thousand.
        let pages = count(&stats, "requests", *r, "ListKeys");
        assert!((2..=8).contains(&pages), "{r}: {pages} ListKeys pages");
        assert_eq!(count(&stats, "requests", *r, "GetKeyPolicy"), 0);
        assert_eq!(count(&stats, "requests", *r, "ListResourceTags"), 0);
    }
}

#[test]
fn a_scan_that_kms_keeps_throttling_loses_no_key_and_shows_no_throttle() {
    let runner = Runner::new().unwrap();
    let sim = start(&runner, SimConfig::default(), 2, 300);
    let regions: Vec<Region> = SCALE_REGIONS[..2].iter().map(|r| region(r)).collect();
    let truth = scan(&runner, &sim, &regions);

    sim.reset_stats();
    // One DescribeKey call in five is throttled, whatever the rate.
    sim.set_faults(vec![FaultRule {
        operation: Some("DescribeKey".into()),
        .."throttle:0.2".parse().unwrap()
    }]);
    let estate = scan(&runner, &sim, &regions);
    let stats = sim.stats();
    let throttled: u64 = regions
        .iter()
        .map(|r| count(&stats, "requests", *r, "DescribeKey"))
        .sum::<u64>()
        - regions
            .iter()
            .map(|r| keys_in(&truth, *r) as u64)
            .sum::<u64>();
    assert!(throttled > 50, "the fault did throttle ({throttled} calls)");
    assert_same_keys_and_no_throttle(&truth, &estate, &regions);
}

#[test]
fn a_scan_sharing_the_quota_with_other_callers_slows_down_instead_of_failing() {
    let runner = Runner::new().unwrap();
    // Other callers use 98% of every quota: 40 DescribeKey per second are left to the scan, far
    // below what it starts at however slow (loaded) the machine, so it meets throttling
    // whatever the timing (at 95% a loaded machine sometimes never reached the quota).
    let config = SimConfig {
        quotas: true,
        quota_share: 0.02,
        ..SimConfig::default()
    };
    let sim = start(&runner, config, 2, 150);
    let regions: Vec<Region> = SCALE_REGIONS[..2].iter().map(|r| region(r)).collect();
    let estate = scan(&runner, &sim, &regions);
    let stats = sim.stats();
    let throttled: u64 = regions
        .iter()
        .map(|r| count(&stats, "throttled", *r, "DescribeKey"))
        .sum();
    assert!(throttled > 0, "the scan met the lower quota");
    // Every multi-Region key ListKeys names is described: none lost, none shown throttled.
    let config = runner.block_on(crate::support::load_sdk_config(
        &sim.endpoint(),
        std::time::Duration::from_secs(10),
    ));
    for r in &regions {
        let client = crate::support::client_in(&config, r.name());
        let listed = runner.block_on(async {
            let mut pages = client.list_keys().limit(1000).into_paginator().send();
            let mut ids = Vec::new();
            while let Some(page) = pages.next().await {
                let page = page.unwrap();
                ids.extend(
                    page.keys()
                        .iter()
                        .filter_map(|k| k.key_id())
                        .map(str::to_string),
                );
            }
            ids
        });
        let mrks: Vec<_> = listed.iter().filter_map(|id| MrkId::parse(id)).collect();
        assert!(mrks.len() > 100);
        for id in &mrks {
            match estate.cell(id, *r) {
                Cell::Primary(_) | Cell::Replica(_) => {}
                other => panic!("{id} in {r}: {other:?}"),
            }
        }
    }
}

fn assert_same_keys_and_no_throttle(truth: &Estate, estate: &Estate, regions: &[Region]) {
    for (id, family) in truth.families() {
        for r in regions.iter() {
            let expected = family.entry(*r).map(KeyEntry::key_id);
            match estate.cell(id, *r) {
                Cell::Primary(k) | Cell::Replica(k) => assert_eq!(Some(&k.key_id), expected),
                Cell::Unknown(p) => panic!("{id} in {r}: {p} ({:?})", p.kind),
                _ => assert!(expected.is_none(), "{id} in {r} lost"),
            }
        }
    }
    assert!(
        !estate
            .families()
            .any(|(_, f)| regions.iter().any(|r| matches!(
                f.entry(*r),
                Some(KeyEntry::Failed { problem, .. }) if problem.kind == ProblemKind::Throttled
            ))),
        "no cell shows a throttle"
    );
}

#[test]
fn refresh_changes_describes_only_new_keys_and_keys_that_move_on_their_own() {
    let runner = Runner::new().unwrap();
    let sim = start(&runner, SimConfig::default(), 2, 300);
    let regions: Vec<Region> = SCALE_REGIONS[..2].iter().map(|r| region(r)).collect();
    let settings = crate::support::connect_settings(&sim.endpoint());
    let clients = runner.block_on(AwsClients::connect(&settings));
    let mut inventory = Inventory::new(clients, regions.clone());
    inventory.refresh(&runner);
    inventory.wait_all(&runner);
    let unsettled: usize = regions
        .iter()
        .map(|r| {
            let all = keys_in(inventory.estate(), *r);
            all - inventory.estate().settled_in(*r).len()
        })
        .sum();

    // One new multi-Region key appears in the first Region.
    let config = runner.block_on(crate::support::load_sdk_config(
        &sim.endpoint(),
        std::time::Duration::from_secs(10),
    ));
    let client = crate::support::client_in(&config, regions[0].name());
    let new_id = runner.block_on(crate::support::create_mrk(&client));
    sim.reset_stats();

    inventory.refresh_changes(&runner);
    inventory.wait_all(&runner);
    let stats = sim.stats();
    let described: u64 = regions
        .iter()
        .map(|r| count(&stats, "requests", *r, "DescribeKey"))
        .sum();
    assert_eq!(described, unsettled as u64 + 1);
    let new_id = MrkId::parse(&new_id).unwrap();
    assert!(matches!(
        inventory.estate().cell(&new_id, regions[0]),
        Cell::Primary(_)
    ));
}

#[test]
fn refresh_changes_rereads_the_primary_of_a_family_that_gained_a_replica_elsewhere() {
    let runner = Runner::new().unwrap();
    let h = runner.block_on(crate::harness::SimHarness::start());
    let id = runner.block_on(h.primary("us-east-1"));
    let regions = vec![region("us-east-1"), region("eu-west-1")];
    let settings = crate::support::connect_settings(&h.sim.endpoint());
    let clients = runner.block_on(AwsClients::connect(&settings));
    let mut inventory = Inventory::new(clients, regions.clone());
    inventory.refresh(&runner);
    inventory.wait_all(&runner);

    // Replicated from somewhere else (the console, a script): the app did not see it happen.
    runner.block_on(h.replica(&id, "us-east-1", "eu-west-1"));
    inventory.refresh_changes(&runner);
    inventory.wait_all(&runner);

    let id = MrkId::parse(&id).unwrap();
    let estate = inventory.estate();
    assert!(matches!(
        estate.cell(&id, region("eu-west-1")),
        Cell::Replica(_)
    ));
    let Cell::Primary(primary) = estate.cell(&id, region("us-east-1")) else {
        panic!("the primary is still shown");
    };
    let replicas: Vec<&str> = primary
        .multi_region
        .as_ref()
        .map(|c| c.replicas.iter().map(|r| r.region.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        replicas,
        ["eu-west-1"],
        "the primary's configuration was read again"
    );
}
