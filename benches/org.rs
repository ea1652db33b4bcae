//! Organization benchmark: `org:50:17:100` (50 accounts × 17 Regions × 100 families) behind
//! 20 ms of latency and the AWS default quotas, entered and scanned by the app's own engine as
//! the window does it: Organizations ListAccounts, one AssumeRole per member account (checked
//! with GetCallerIdentity), then every account's Regions scanned at once, each account with its
//! own quotas and pace. Prints, from one run: wall time against the bound, requests against the
//! minimum, ThrottlingExceptions seen, and this process's peak resident memory.
//!
//! The bound: KMS quotas are per account and Region, so accounts do not slow each other down at
//! KMS; the slowest (account, Region)'s ListKeys pages × latency + its DescribeKeys ÷ 2,000/s.
//! The minimum: per (account, Region) one ListKeys and one ListAliases page (every Region here
//! holds fewer than 1,000 keys and aliases) plus one DescribeKey per `mrk-` key; per account one
//! GetCallerIdentity and, but for the caller's own, one AssumeRole; the ListAccounts pages.
//!
//! Run: `cargo bench --bench org`

#[path = "../tests/support/mod.rs"]
mod support;

mod common;

use std::time::{Duration, Instant};

use criterion::Criterion;
use kms_replica_console::aws::AwsClients;
use kms_replica_console::domain::account::AccountSelection;
use kms_replica_console::domain::region::Partition;
use kms_replica_console::domain::{Estate, Region};
use kms_replica_console::jobs::{Inventory, RoleSettings, Runner, enter_accounts};
use kms_replica_console::sim::SCALE_REGIONS;

const ACCOUNTS: usize = 50;
const REGIONS: usize = 17;
const FAMILIES: usize = 100;
const LATENCY: Duration = Duration::from_millis(20);
const DESCRIBE_QUOTA: f64 = 2000.0;
/// ListAccounts' page size.
const ACCOUNTS_PAGE: usize = 20;

/// Enters every account and scans them all at once; each account's estate.
fn enter_and_scan(runner: &Runner, base: &AwsClients, regions: &[Region]) -> Vec<Estate> {
    let entered = runner.block_on(async {
        let caller = base.caller_identity().await.expect("STS answers");
        let roles = RoleSettings {
            role: Some("OrganizationAccountAccessRole".into()),
            external_id: None,
            session_name: "kms-replica-console".into(),
            partition: Partition::Aws,
        };
        enter_accounts(base, &caller, &AccountSelection::All, &roles)
            .await
            .expect("the organization is listed")
    });
    let mut inventories: Vec<Inventory> = entered
        .into_iter()
        .filter_map(|e| e.clients)
        .map(|clients| Inventory::new(clients, regions.to_vec()))
        .collect();
    assert_eq!(inventories.len(), ACCOUNTS, "every account was entered");
    for inventory in &mut inventories {
        inventory.refresh(runner);
    }
    inventories
        .iter_mut()
        .map(|inventory| {
            inventory.wait_all(runner);
            inventory.estate().clone()
        })
        .collect()
}

fn main() {
    let sim = common::SimProcess::spawn(&[
        "--seed",
        &format!("org:{ACCOUNTS}:{REGIONS}:{FAMILIES}"),
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
    let before = common::peak_rss();
    // The first run alone, for the memory figure (later runs' allocator state would blur it).
    let first = {
        let base = runner.block_on(AwsClients::connect(&support::connect_settings(
            &sim.endpoint,
        )));
        let started = Instant::now();
        let estates = enter_and_scan(&runner, &base, &regions);
        (started.elapsed(), estates.len())
    };
    let peak_first = common::peak_rss();

    let mut criterion = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(30));
    let name = format!(
        "enter and scan org:{ACCOUNTS}:{REGIONS}:{FAMILIES}, {} ms, AWS quotas",
        LATENCY.as_millis()
    );
    // Each run's wall time; the last run's estates and the simulator's counts.
    let mut walls: Vec<Duration> = Vec::new();
    let mut last: Option<(Vec<Estate>, serde_json::Value)> = None;
    let mut cpu = (Duration::ZERO, Duration::ZERO);
    criterion.bench_function(&name, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                // Let every quota bucket refill, as between two scans a user starts.
                std::thread::sleep(Duration::from_secs(1));
                sim.reset_stats();
                // New clients each run: entering (and its AssumeRoles) is part of what is timed.
                let base = runner.block_on(AwsClients::connect(&support::connect_settings(
                    &sim.endpoint,
                )));
                let (app_cpu, sim_cpu) = (common::own_cpu(), sim.cpu());
                let started = Instant::now();
                let estates = enter_and_scan(&runner, &base, &regions);
                let wall = started.elapsed();
                cpu = (common::own_cpu() - app_cpu, sim.cpu() - sim_cpu);
                total += wall;
                walls.push(wall);
                last = Some((estates, sim.stats()));
            }
            total
        })
    });
    let peak = common::peak_rss();

    let (Some(wall), Some((estates, stats))) = (walls.last(), last.as_ref()) else {
        return;
    };
    // ListAccounts pages, the caller's GetCallerIdentity, and per account one GetCallerIdentity
    // and (but the caller's own) one AssumeRole.
    let mut minimum = ACCOUNTS.div_ceil(ACCOUNTS_PAGE) + 1 + ACCOUNTS + (ACCOUNTS - 1);
    let mut bound = Duration::ZERO;
    for estate in estates {
        for region in &regions {
            let mrk = estate
                .families()
                .filter(|(_, f)| f.entry(*region).is_some())
                .count();
            minimum += 2 + mrk;
            bound = bound.max(LATENCY + Duration::from_secs_f64(mrk as f64 / DESCRIBE_QUOTA));
        }
    }
    let kms_requests = common::total(stats, "requests", None);
    let global: u64 = stats["global"]
        .as_object()
        .map(|o| o.values().filter_map(serde_json::Value::as_u64).sum())
        .unwrap_or(0);
    let requests = kms_requests + global;
    let throttled = common::total(stats, "throttled", None);
    let families: usize = estates.iter().map(Estate::family_count).sum();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let best = walls
        .iter()
        .map(Duration::as_secs_f64)
        .fold(f64::INFINITY, f64::min);
    println!("one run:");
    println!(
        "{name} ({families} families in {} accounts):\n  \
         wall / bound = {:.2} (last run {:.2} s, best of {} runs {:.2} s, bound {:.2} s)\n  \
         requests / minimum = {:.3} ({requests} / {minimum}; of them STS and Organizations: {global} = {})\n  \
         ThrottlingExceptions seen = {throttled}\n  \
         CPU in the last run: app {:.2} s ({:.0} µs per request), simulator {:.2} s, on {cores} cores: \
         (app + simulator) / (cores × wall) = {:.2}\n  \
         peak RSS after the first run {:.0} MB (it took {:.2} s for {} accounts; {:.0} MB before it; \
         {:.0} MB after every run)",
        estates.len(),
        wall.as_secs_f64() / bound.as_secs_f64(),
        wall.as_secs_f64(),
        walls.len(),
        best,
        bound.as_secs_f64(),
        requests as f64 / minimum as f64,
        stats["global"],
        cpu.0.as_secs_f64(),
        cpu.0.as_secs_f64() * 1e6 / requests.max(1) as f64,
        cpu.1.as_secs_f64(),
        (cpu.0 + cpu.1).as_secs_f64() / (cores as f64 * wall.as_secs_f64()),
        peak_first as f64 / 1e6,
        first.0.as_secs_f64(),
        first.1,
        before as f64 / 1e6,
        peak as f64 / 1e6,
    );
    criterion.final_summary();
}
