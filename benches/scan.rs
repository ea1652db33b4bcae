//! Scan benchmark: `scale:17:5000` behind 20 ms of latency and the AWS default quotas, scanned
//! by the app's own engine. Prints, from one run: wall time against the quota/latency bound,
//! requests made against the minimum, ThrottlingExceptions seen, and the CPU each side used.
//! A second case, `scale:2:5000`, is the control where CPU is not the limit on a 2-core machine.
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
use kms_replica_console::aws::AwsClients;
use kms_replica_console::domain::{Estate, Region};
use kms_replica_console::jobs::{Inventory, Runner};
use kms_replica_console::sim::SCALE_REGIONS;

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

fn scan(runner: &Runner, clients: &AwsClients, regions: &[Region]) -> Estate {
    let mut inventory = Inventory::new(clients.clone(), regions.to_vec());
    inventory.refresh(runner);
    inventory.wait_all(runner);
    inventory.estate().clone()
}

/// One scan setup measured by criterion, then summarised from its last run.
fn measure(criterion: &mut Criterion, regions: usize, families: usize) -> String {
    let sim = common::SimProcess::spawn(&[
        "--seed",
        &format!("scale:{regions}:{families}"),
        "--latency-ms",
        &LATENCY.as_millis().to_string(),
        "--quotas",
        "aws",
    ]);
    let runner = Runner::new().expect("a runtime");
    let regions: Vec<Region> = SCALE_REGIONS[..regions]
        .iter()
        .map(|r| r.parse().expect("a known Region"))
        .collect();
    let clients = runner.block_on(AwsClients::connect(&support::connect_settings(
        &sim.endpoint,
    )));
    let config = support::sdk_config(&sim.endpoint);
    let sizes: Vec<RegionSize> = regions
        .iter()
        .map(|r| region_size(&runner, &config, *r))
        .collect();

    let mut runs: Vec<(Duration, Estate, serde_json::Value)> = Vec::new();
    let mut cpu = (Duration::ZERO, Duration::ZERO);
    let name = format!(
        "scan scale:{}:{families}, {} ms, AWS quotas",
        regions.len(),
        LATENCY.as_millis()
    );
    criterion.bench_function(&name, |b| {
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
        return String::new();
    };
    // "Refresh changes" right after a full scan: listing pages plus the keys that move on their
    // own, against the full scan's requests.
    let mut inventory = Inventory::new(clients.clone(), regions.clone());
    inventory.refresh(&runner);
    inventory.wait_all(&runner);
    std::thread::sleep(Duration::from_secs(1));
    sim.reset_stats();
    let started = Instant::now();
    inventory.refresh_changes(&runner);
    inventory.wait_all(&runner);
    let changes_wall = started.elapsed();
    let changes_requests = common::total(&sim.stats(), "requests", None);
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
    let throttled = common::total(stats, "throttled", None);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let best = runs
        .iter()
        .map(|(w, _, _)| w.as_secs_f64())
        .fold(f64::INFINITY, f64::min);
    format!(
        "{name} ({} families, {} multi-Region keys):\n  \
         wall / bound = {:.2} (last run {:.2} s, best of {} runs {:.2} s, bound {:.2} s)\n  \
         requests / minimum = {:.2} ({requests} / {minimum})\n  \
         ThrottlingExceptions seen = {throttled} (in all {} runs: {})\n  \
         CPU in the last run: app {:.2} s ({:.0} µs per request), simulator {:.2} s, on {cores} cores\n  \
         Refresh changes after it: {changes_requests} requests = {:.3} of the full scan's, \
         wall {:.2} s = {:.2} of the full scan's",
        estate.family_count(),
        estate
            .families()
            .map(|(_, f)| f.described().count())
            .sum::<usize>(),
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
        cpu.0.as_secs_f64() * 1e6 / requests.max(1) as f64,
        cpu.1.as_secs_f64(),
        changes_requests as f64 / requests.max(1) as f64,
        changes_wall.as_secs_f64(),
        changes_wall.as_secs_f64() / wall.as_secs_f64(),
    )
}

fn main() {
    let mut criterion = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(30));
    // The case, then a control with two Regions: the same engine where this machine's
    // CPU is not the limit, so the quota and the latency are.
    let cases = [(17, 5000), (2, 5000)];
    let summaries: Vec<String> = cases
        .iter()
        .map(|&(regions, families)| measure(&mut criterion, regions, families))
        .collect();
    println!("one run each:");
    for summary in summaries {
        println!("{summary}");
    }
    criterion.final_summary();
}
