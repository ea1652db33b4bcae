//! Hardening under faults injected by the simulator: a scan where a fifth of the calls fail
//! (500s, dropped connections, hangs, throttling) loses no Region, and a replicate to five Regions
//! shows exactly the outcome KMS reached in each. Each scenario is repeated 20 times.

use std::collections::BTreeMap;
use std::time::Duration;

use kms_replica_console::aws::{AwsClients, ConnectSettings, Timeouts};
use kms_replica_console::domain::{Cell, Estate, Region, RegionStatus, ReplicateRequest};
use kms_replica_console::jobs::{Backoff, Inventory, ReplicaPhase, Runner};
use kms_replica_console::sim::{Delays, FaultRule, SCALE_REGIONS, Seed, Sim, SimConfig};

use crate::support::region;

const REPEATS: usize = 20;

/// A fifth of matching calls fail: 500s, dropped connections, hangs and throttling, 5% each.
fn one_in_five(operation: Option<&str>) -> Vec<FaultRule> {
    ["internal", "drop", "hang", "throttle"]
        .iter()
        .map(|kind| FaultRule {
            operation: operation.map(str::to_string),
            ..format!("{kind}:0.05").parse().unwrap()
        })
        .collect()
}

/// The app's own SDK settings (standard retries, explicit timeouts), short enough that a hang
/// costs a fraction of a second.
fn clients(runner: &Runner, sim: &Sim) -> AwsClients {
    let settings = ConnectSettings {
        timeouts: Timeouts {
            connect: Duration::from_secs(2),
            attempt: Duration::from_millis(250),
            operation: Duration::from_secs(5),
        },
        max_attempts: 3,
        ..crate::support::connect_settings(&sim.endpoint())
    };
    runner.block_on(AwsClients::connect(&settings))
}

/// Clients with the app's default timeouts, for reading the truth without faults: a busy
/// machine must not turn a slow answer into a missing key there.
fn truth_clients(runner: &Runner, sim: &Sim) -> AwsClients {
    runner.block_on(AwsClients::connect(&crate::support::connect_settings(
        &sim.endpoint(),
    )))
}

fn scan(runner: &Runner, clients: AwsClients, regions: &[Region]) -> Estate {
    let mut inventory = Inventory::new(clients, regions.to_vec());
    inventory.refresh(runner);
    inventory.wait_all(runner);
    inventory.estate().clone()
}

/// Role and state per (family, Region) where the scan saw a key.
fn cells(estate: &Estate) -> BTreeMap<(String, Region), String> {
    let mut out = BTreeMap::new();
    for (id, _) in estate.families() {
        for r in estate.regions() {
            if let Cell::Primary(k) | Cell::Replica(k) = estate.cell(id, *r) {
                out.insert((id.to_string(), *r), format!("{} {}", k.role(), k.state));
            }
        }
    }
    out
}

#[test]
fn a_scan_with_one_call_in_five_failing_ends_every_region_with_its_data_or_a_named_error() {
    let runner = Runner::new().unwrap();
    let sim = runner
        .block_on(Sim::start(
            SimConfig::default(),
            Seed::Scale {
                regions: 8,
                families: 200,
            },
        ))
        .unwrap();
    let regions: Vec<Region> = SCALE_REGIONS[..8].iter().map(|r| region(r)).collect();
    let truth = cells(&scan(&runner, truth_clients(&runner, &sim), &regions));
    assert!(truth.len() >= 200);

    sim.set_faults(one_in_five(None));
    let faults_before = injected(&sim);
    let (mut lost, mut failed_regions, mut unknown_cells) = (0, 0, 0);
    for _ in 0..REPEATS {
        let estate = scan(&runner, clients(&runner, &sim), &regions);
        for r in &regions {
            match estate.status(*r) {
                RegionStatus::Scanned => {}
                RegionStatus::Failed(problem) => {
                    assert!(!problem.message.is_empty(), "{r}: a failed Region is named");
                    failed_regions += 1;
                    continue;
                }
                other => panic!("{r} ended {other:?}"),
            }
            for ((id, region), expected) in truth.iter().filter(|((_, reg), _)| reg == r) {
                let family = kms_replica_console::domain::MrkId::parse(id).unwrap();
                match estate.cell(&family, *region) {
                    Cell::Primary(k) | Cell::Replica(k) => {
                        assert_eq!(&format!("{} {}", k.role(), k.state), expected)
                    }
                    Cell::Unknown(_) => unknown_cells += 1,
                    other => {
                        lost += 1;
                        eprintln!("{id} in {region}: expected {expected}, got {other:?}");
                    }
                }
            }
        }
    }
    eprintln!(
        "{REPEATS} scans of 8 Regions under 20% faults: {lost} keys lost, {failed_regions} Regions \
         ended with a named error, {unknown_cells} cells unknown (named error); faults injected: {}",
        sim.stats()["faults"]
    );
    assert!(
        injected(&sim) - faults_before >= REPEATS as u64,
        "faults were injected in the scans (at least one per scan)"
    );
    assert_eq!(lost, 0, "no key silently missing");
}

/// Faults the simulator has injected so far, by its own count.
fn injected(sim: &Sim) -> u64 {
    sim.stats()["faults"].as_u64().unwrap_or(0)
}

#[test]
fn replicating_to_five_regions_under_faults_shows_exactly_what_kms_did() {
    let runner = Runner::new().unwrap();
    let config = SimConfig {
        delays: Delays {
            replica_creation: 0.0,
            update_primary: 0.0,
        },
        ..SimConfig::default()
    };
    let sim = runner.block_on(Sim::start(config, Seed::Empty)).unwrap();
    let targets = [
        "eu-west-1",
        "eu-west-2",
        "eu-central-1",
        "ap-southeast-2",
        "ap-northeast-1",
    ];
    let mut regions: Vec<Region> = vec![region("us-east-1")];
    regions.extend(targets.iter().map(|r| region(r)));
    let (mut created, mut failed, mut wrong) = (0, 0, 0);
    let mut faults_in_replications = 0;

    for _ in 0..REPEATS {
        sim.set_faults(vec![]);
        let client =
            crate::support::client_in(&crate::support::sdk_config(&sim.endpoint()), "us-east-1");
        let id = runner.block_on(async { crate::support::create_mrk(&client).await });
        let key_id = kms_replica_console::domain::MrkId::parse(&id).unwrap();
        let mut inventory = Inventory::new(clients(&runner, &sim), regions.clone());
        inventory.set_backoff(Backoff {
            first: Duration::from_millis(10),
            max: Duration::from_millis(50),
            give_up_after: Duration::from_secs(20),
        });
        inventory.refresh(&runner);
        inventory.wait_all(&runner);

        let mut faults = one_in_five(Some("ReplicateKey"));
        faults.extend(one_in_five(Some("DescribeKey")));
        sim.set_faults(faults);
        let faults_before = injected(&sim);
        let requests = targets
            .iter()
            .map(|t| ReplicateRequest {
                key_id: key_id.clone(),
                primary_region: region("us-east-1"),
                target: region(t),
                policy: None,
                description: None,
                tags: None,
                bypass_lockout: false,
                alias: None,
            })
            .collect();
        assert_eq!(inventory.replicate(&runner, requests), 5);
        assert!(runner.wait_until(Duration::from_secs(60), || {
            inventory.poll(&runner);
            inventory.replications_in_flight() == 0
        }));

        // The truth, read without faults: what KMS holds in each Region.
        sim.set_faults(vec![]);
        faults_in_replications += injected(&sim) - faults_before;
        let truth = cells(&scan(&runner, truth_clients(&runner, &sim), &regions));
        for t in targets {
            let exists = truth.contains_key(&(id.clone(), region(t)));
            let phase = inventory
                .replica_job(&key_id, region(t))
                .map(|j| j.phase.clone());
            match (exists, phase) {
                (true, Some(ReplicaPhase::Done)) => created += 1,
                (false, Some(ReplicaPhase::Failed(p))) => {
                    assert!(!p.code.is_empty() || !p.message.is_empty());
                    failed += 1;
                }
                (exists, phase) => {
                    wrong += 1;
                    eprintln!("{t}: replica exists={exists} but the app shows {phase:?}");
                    if let Some(ReplicaPhase::Failed(p)) = &phase {
                        eprintln!("  the error shown: {p}");
                    }
                }
            }
        }
    }
    eprintln!(
        "{REPEATS} replications to 5 Regions under 20% faults: {created} replicas shown created, \
         {failed} failures shown (no replica), {wrong} outcomes shown wrong"
    );
    assert!(
        faults_in_replications > 0,
        "faults were injected into ReplicateKey and DescribeKey"
    );
    assert_eq!(wrong, 0);
}
