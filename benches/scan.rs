//! Scan benchmark: `scale:17:5000` behind 20 ms of latency and the AWS default quotas, scanned
//! by the app's own engine. Prints, from one run: wall time against the quota/latency bound,
//! requests made against the minimum, and ThrottlingExceptions seen.
//!
//! The bound (issue #7): the slowest Region's ListKeys pages × latency + its DescribeKeys ÷
//! 2,000/s. The minimum: per Region, ListKeys and ListAliases pages of 1,000 plus one DescribeKey
//! per `mrk-` key.
//!
//! Run: `cargo bench --bench scan`

#[path = "../tests/support/mod.rs"]
mod support;

mod common;

use std::time::{Duration, Instant};

use criterion::Criterion;
use kms_replica_console::domain::{Estate, Region};
use kms_replica_console::jobs::{Inventory, Runner};
use kms_replica_console::kms::KmsClients;
use kms_replica_console::sim::SCALE_REGIONS;

const REGIONS: usize = 17;
const FAMILIES: usize = 5000;
const LATENCY: Duration = Duration::from_millis(20);
const DESCRIBE_QUOTA: f64 = 2000.0;
const PAGE: usize = 1000;

/// What one Region holds, counted with plain SDK calls outside the measurement.
struct RegionSize {
    keys: usize,
    aliases: usize,
}

fn region_size(runner: &Runner, config: &aws_config::SdkConfig, region: Region) -> RegionSize {
    let client = support::client_in(config, region.name());
    runner.block_on(async {
        let mut keys = 0;
        let mut pages = client
            .list_keys()
            .limit(PAGE as i32)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            keys += page.expect("ListKeys").keys().len();
        }
        let mut aliases = 0;
        let mut pages = client
            .list_aliases()
            .limit(PAGE as i32)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            aliases += page.expect("ListAliases").aliases().len();
        }
        RegionSize { keys, aliases }
    })
}

fn pages(n: usize) -> usize {
    n.div_ceil(PAGE).max(1)
}

fn scan(runner: &Runner, clients: &KmsClients, regions: &[Region]) -> Estate {
    let mut inventory = Inventory::new(clients.clone(), regions.to_vec());
    inventory.refresh(runner);
    inventory.wait_all();
    inventory.estate().clone()
}

fn main() {
    let sim = common::SimProcess::spawn(&[
        "--seed",
        &format!("scale:{REGIONS}:{FAMILIES}"),
        "--latency-ms",
        &LATENCY.as_millis().to_string(),
        "--quotas",
        "aws",
    ]);
    let runner = Runner::new().expect("a runtime");
    let regions: Vec<Region> = SCALE_REGIONS[..REGIONS]
        .iter()
        .map(|r| r.parse().expect("a known Region"))
        .collect();
    let clients = runner.block_on(KmsClients::connect(&support::connect_settings(
        &sim.endpoint,
    )));
    let config = support::sdk_config(&sim.endpoint);
    let sizes: Vec<RegionSize> = regions
        .iter()
        .map(|r| region_size(&runner, &config, *r))
        .collect();

    let mut runs: Vec<(Duration, Estate, serde_json::Value)> = Vec::new();
    let mut cpu = (Duration::ZERO, Duration::ZERO);
    let mut criterion = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(30));
    criterion.bench_function("scan scale:17:5000, 20 ms, AWS quotas", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                // Let every quota bucket refill, as between two scans a user starts.
                std::thread::sleep(Duration::from_secs(1));
                sim.reset_stats();
                let (app_cpu, sim_cpu) = (common::own_cpu(), sim.cpu());
                let started = Instant::now();
                let estate = scan(&runner, &clients, &regions);
                let wall = started.elapsed();
                cpu = (common::own_cpu() - app_cpu, sim.cpu() - sim_cpu);
                total += wall;
                runs.push((wall, estate, sim.stats()));
            }
            total
        })
    });

    let Some((wall, estate, stats)) = runs.last() else {
        return;
    };
    let mut minimum = 0;
    let mut bound = Duration::ZERO;
    for (region, size) in regions.iter().zip(&sizes) {
        let mrk = estate
            .families()
            .filter(|(_, f)| f.entry(*region).is_some())
            .count();
        minimum += pages(size.keys) + pages(size.aliases) + mrk;
        let region_bound = LATENCY * pages(size.keys) as u32
            + Duration::from_secs_f64(mrk as f64 / DESCRIBE_QUOTA);
        bound = bound.max(region_bound);
    }
    let requests = common::total(stats, "requests", None);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let throttled = common::total(stats, "throttled", None);
    let walls: Vec<f64> = runs.iter().map(|(w, _, _)| w.as_secs_f64()).collect();
    let best = walls.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "scan of scale:{REGIONS}:{FAMILIES} ({} families, {} multi-Region keys), latency {} ms, AWS quotas:\n  \
         wall / bound = {:.2} (last run {:.2} s, best of {} runs {:.2} s, bound {:.2} s)\n  \
         requests / minimum = {:.2} ({requests} / {minimum})\n  \
         ThrottlingExceptions seen = {throttled} (in all {} runs: {})\n  \
         CPU in the last run: app {:.2} s, simulator {:.2} s, on {} cores \
         (wall / bound if the app had the cores to itself: {:.2})",
        estate.family_count(),
        estate
            .families()
            .map(|(_, f)| f.described().count())
            .sum::<usize>(),
        LATENCY.as_millis(),
        wall.as_secs_f64() / bound.as_secs_f64(),
        wall.as_secs_f64(),
        runs.len(),
        best,
        bound.as_secs_f64(),
        requests as f64 / minimum as f64,
        runs.len(),
        runs.iter()
            .map(|(_, _, s)| common::total(s, "throttled", None))
            .sum::<u64>(),
        cpu.0.as_secs_f64(),
        cpu.1.as_secs_f64(),
        cores,
        (cpu.0.as_secs_f64() / cores as f64).max(bound.as_secs_f64()) / bound.as_secs_f64(),
    );
    criterion.final_summary();
}
