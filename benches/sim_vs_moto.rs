//! DescribeKey throughput of the embedded simulator against moto, through the same aws-sdk-kms
//! client, measured in one run on this machine and printed as a ratio.
//!
//! Run: `MOTO_SERVER=.venv-moto/bin/moto_server cargo bench --bench sim_vs_moto`
//! (scripts/test.sh installs moto into .venv-moto).

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use criterion::Criterion;
use futures::StreamExt;
use kms_replica_console::jobs::Runner;
use kms_replica_console::sim::{Seed, Sim, SimConfig};

/// Requests in flight during the throughput measurement (the scan's own DescribeKey concurrency).
const CONCURRENCY: usize = 16;
const REQUESTS: usize = 2_000;

fn setup_key(runner: &Runner, client: &aws_sdk_kms::Client) -> String {
    runner.block_on(support::create_mrk(client))
}

/// DescribeKey requests per second with `CONCURRENCY` in flight.
fn throughput(runner: &Runner, client: &aws_sdk_kms::Client, id: &str) -> f64 {
    runner.block_on(async {
        let start = Instant::now();
        let ok = futures::stream::iter(0..REQUESTS)
            .map(|_| client.describe_key().key_id(id).send())
            .buffer_unordered(CONCURRENCY)
            .filter(|r| std::future::ready(r.is_ok()))
            .count()
            .await;
        assert_eq!(ok, REQUESTS, "every DescribeKey succeeds");
        REQUESTS as f64 / start.elapsed().as_secs_f64()
    })
}

fn main() {
    let runner = Runner::new().expect("a runtime");
    let sim = runner
        .block_on(Sim::start(SimConfig::default(), Seed::Empty))
        .expect("the simulator starts");
    let moto = support::Moto::start();
    let sim_client = support::client_in(&support::sdk_config(&sim.endpoint()), "us-east-1");
    let moto_client = moto.seed_client("us-east-1");
    let sim_key = setup_key(&runner, &sim_client);
    let moto_key = setup_key(&runner, &moto_client);

    let mut criterion = Criterion::default()
        .configure_from_args()
        .sample_size(20)
        .measurement_time(Duration::from_secs(4));
    let mut group = criterion.benchmark_group("describe_key_latency");
    group.bench_function("simulator", |b| {
        b.iter(|| {
            runner
                .block_on(sim_client.describe_key().key_id(&sim_key).send())
                .is_ok()
        })
    });
    group.bench_function("moto", |b| {
        b.iter(|| {
            runner
                .block_on(moto_client.describe_key().key_id(&moto_key).send())
                .is_ok()
        })
    });
    group.finish();

    let sim_rps = throughput(&runner, &sim_client, &sim_key);
    let moto_rps = throughput(&runner, &moto_client, &moto_key);
    println!(
        "DescribeKey throughput, {CONCURRENCY} in flight, {REQUESTS} requests each, one run: \
         simulator {sim_rps:.0}/s, moto {moto_rps:.0}/s, ratio simulator/moto = {:.1}",
        sim_rps / moto_rps
    );
    criterion.final_summary();
}
