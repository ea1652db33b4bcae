//! Memory benchmark: peak resident memory of this process (the app's engine, headless) while
//! scanning `scale:34:10000` served by the simulator in another process. Prints the peak against
//! the 300 MB target, and what the process held before the scan.
//!
//! Run: `cargo bench --bench memory`

#[path = "../tests/support/mod.rs"]
mod support;

mod common;

use std::time::{Duration, Instant};

use criterion::Criterion;
use kms_replica_console::aws::AwsClients;
use kms_replica_console::domain::Region;
use kms_replica_console::jobs::{Inventory, Runner};
use kms_replica_console::sim::SCALE_REGIONS;

const REGIONS: usize = 34;
const FAMILIES: usize = 10_000;
const TARGET_BYTES: f64 = 300e6;

fn main() {
    let sim = common::SimProcess::spawn(&[
        "--seed",
        &format!("scale:{REGIONS}:{FAMILIES}"),
        "--quotas",
        "aws",
    ]);
    let runner = Runner::new().expect("a runtime");
    let regions: Vec<Region> = SCALE_REGIONS[..REGIONS]
        .iter()
        .map(|r| r.parse().expect("a known Region"))
        .collect();
    let clients = runner.block_on(AwsClients::connect(&support::connect_settings(
        &sim.endpoint,
    )));
    let before = common::peak_rss();

    // The first scan is the one the figure is about; criterion then times a few more.
    let started = Instant::now();
    let mut inventory = Inventory::new(clients.clone(), regions.clone());
    inventory.refresh(&runner);
    inventory.wait_all(&runner);
    let first = started.elapsed();
    let estate = inventory.estate().clone();
    drop(inventory);
    let after_first = common::peak_rss();

    let mut criterion = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(30));
    criterion.bench_function("headless scan scale:34:10000", |b| {
        b.iter(|| {
            let mut inventory = Inventory::new(clients.clone(), regions.clone());
            inventory.refresh(&runner);
            inventory.wait_all(&runner);
            inventory.estate().family_count()
        })
    });
    let after_all = common::peak_rss();
    let keys: usize = estate.families().map(|(_, f)| f.described().count()).sum();
    println!(
        "memory of a headless scan of scale:{REGIONS}:{FAMILIES} ({} families, {keys} multi-Region \
         keys, first scan {:.1} s), one run:\n  peak RSS = {:.0} MB = {:.2} of the 300 MB target \
         ({:.0} MB before the scan; {:.0} MB after all criterion runs)",
        estate.family_count(),
        first.as_secs_f64(),
        after_first as f64 / 1e6,
        after_first as f64 / TARGET_BYTES,
        before as f64 / 1e6,
        after_all as f64 / 1e6,
    );
    criterion.final_summary();
}
