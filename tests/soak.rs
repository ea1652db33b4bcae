//! A bounded soak: 500 scans against the simulator with faults, memory measured after the 50th
//! and the 500th. In its own test binary so that no other test shares the process whose RSS it
//! reads.

mod support;

use kms_replica_console::aws::{AwsClients, ConnectSettings};
use kms_replica_console::jobs::{Inventory, Runner};
use kms_replica_console::sim::{SCALE_REGIONS, Seed, Sim, SimConfig};
use support::region;

/// Resident set size of this process, in bytes.
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse::<u64>().ok())
        .unwrap_or(0)
        * 4096
}

#[test]
fn five_hundred_scans_under_faults_keep_memory_flat() {
    let runner = Runner::new().unwrap();
    let config = SimConfig {
        faults: ["internal:0.05", "drop:0.05", "throttle:0.05"]
            .iter()
            .map(|f| f.parse().unwrap())
            .collect(),
        ..SimConfig::default()
    };
    let sim = runner
        .block_on(Sim::start(
            config,
            Seed::Scale {
                regions: 4,
                families: 12,
            },
        ))
        .unwrap();
    let settings = ConnectSettings {
        max_attempts: 1,
        ..support::connect_settings(&sim.endpoint())
    };
    let clients = runner.block_on(AwsClients::connect(&settings));
    let regions: Vec<_> = SCALE_REGIONS[..4].iter().map(|r| region(r)).collect();
    let mut at_50 = 0;
    for cycle in 1..=500 {
        let mut inventory = Inventory::new(clients.clone(), regions.clone());
        inventory.refresh(&runner);
        inventory.wait_all(&runner);
        if cycle == 50 {
            at_50 = rss();
        }
    }
    let at_500 = rss();
    eprintln!(
        "RSS after scan 50: {:.1} MiB, after scan 500: {:.1} MiB ({:+.1}%); faults injected: {}",
        at_50 as f64 / 1048576.0,
        at_500 as f64 / 1048576.0,
        (at_500 as f64 / at_50 as f64 - 1.0) * 100.0,
        sim.stats()["faults"]
    );
    assert!(at_50 > 0);
    assert!(
        (at_500 as f64) <= at_50 as f64 * 1.10,
        "RSS grew more than 10%"
    );
}
