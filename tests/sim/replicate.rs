//! The replicate workflow's jobs against the simulator: Creating → Enabled driven by the
//! simulator's clock, AlreadyExists adoption, one Region's failure beside another's success, one
//! call per double click, none in read-only mode.

use std::time::Duration;

use kms_replica_console::aws::AwsClients;
use kms_replica_console::domain::replicate::Draft;
use kms_replica_console::domain::{
    Cell, KeyState, MrkId, PrimaryProps, ReplicateRequest, Source, Tag,
};
use kms_replica_console::jobs::{Backoff, Inventory, ReplicaPhase, Runner, TaskOutput};
use kms_replica_console::sim::{Delays, FaultRule, Seed, Sim, SimConfig};

use crate::support::{self, region};

pub const WAIT: Duration = Duration::from_secs(30);
/// Simulated seconds a replica stays Creating.
pub const CREATING_FOR: f64 = 120.0;

pub struct Setup {
    pub runner: Runner,
    pub sim: Sim,
    pub inventory: Inventory,
    pub key_id: MrkId,
}

/// A simulator with one primary in us-east-1 (policy, tags, description), an inventory that has
/// scanned three Regions, and a fast watcher.
pub fn setup(faults: Vec<FaultRule>) -> Setup {
    let runner = Runner::new().unwrap();
    let config = SimConfig {
        delays: Delays {
            replica_creation: CREATING_FOR,
            update_primary: CREATING_FOR,
        },
        faults,
        ..SimConfig::default()
    };
    let sim = runner.block_on(Sim::start(config, Seed::Empty)).unwrap();
    let sdk = support::sdk_config(&sim.endpoint());
    let us = support::client_in(&sdk, "us-east-1");
    let key_id = runner.block_on(async {
        let tag = aws_sdk_kms::types::Tag::builder()
            .tag_key("team")
            .tag_value("payments")
            .build()
            .unwrap();
        us.create_key()
            .multi_region(true)
            .description("payments data key")
            .tags(tag)
            .send()
            .await
            .unwrap()
            .key_metadata()
            .unwrap()
            .key_id()
            .to_string()
    });
    let mut inventory = Inventory::new(
        AwsClients::from_sdk_config(sdk),
        ["us-east-1", "eu-west-1", "eu-west-2"]
            .iter()
            .map(|r| region(r))
            .collect(),
    );
    inventory.set_backoff(Backoff {
        first: Duration::from_millis(10),
        max: Duration::from_millis(50),
        give_up_after: Duration::from_secs(60),
    });
    inventory.refresh(&runner);
    inventory.wait_all(&runner);
    Setup {
        runner,
        sim,
        inventory,
        key_id: MrkId::parse(&key_id).unwrap(),
    }
}

pub fn request(s: &Setup, target: &str) -> ReplicateRequest {
    ReplicateRequest {
        key_id: s.key_id.clone(),
        primary_region: region("us-east-1"),
        target: region(target),
        policy: None,
        description: None,
        tags: Some(vec![Tag::new("team", "payments")]),
        bypass_lockout: false,
        alias: Some("alias/payments".into()),
    }
}

fn phase(s: &Setup, target: &str) -> Option<ReplicaPhase> {
    s.inventory
        .replica_job(&s.key_id, region(target))
        .map(|j| j.phase.clone())
}

pub fn state(s: &Setup, target: &str) -> Option<KeyState> {
    match s.inventory.estate().cell(&s.key_id, region(target)) {
        Cell::Primary(k) | Cell::Replica(k) => Some(k.state.clone()),
        _ => None,
    }
}

/// Polls the inventory each time a job finishes until every listed Region is in `wanted`.
pub fn wait_for(s: &mut Setup, targets: &[&str], wanted: impl Fn(&ReplicaPhase) -> bool) -> bool {
    let Setup {
        runner,
        inventory,
        key_id,
        ..
    } = s;
    runner.wait_until(WAIT, || {
        inventory.poll(runner);
        targets.iter().all(|t| {
            inventory
                .replica_job(key_id, region(t))
                .is_some_and(|j| wanted(&j.phase))
        })
    })
}

#[test]
fn replicas_show_creating_at_once_then_enabled_when_the_simulator_says_so() {
    let mut s = setup(vec![]);
    let requests = vec![request(&s, "eu-west-1"), request(&s, "eu-west-2")];
    assert_eq!(s.inventory.replicate(&s.runner, requests), 2);

    assert!(wait_for(&mut s, &["eu-west-1", "eu-west-2"], |p| *p
        == ReplicaPhase::Watching));
    assert_eq!(state(&s, "eu-west-1"), Some(KeyState::Creating));
    assert_eq!(state(&s, "eu-west-2"), Some(KeyState::Creating));

    s.sim
        .advance_clock(Duration::from_secs_f64(CREATING_FOR + 1.0));
    assert!(wait_for(&mut s, &["eu-west-1", "eu-west-2"], |p| *p
        == ReplicaPhase::Done));
    assert_eq!(state(&s, "eu-west-1"), Some(KeyState::Enabled));
    assert_eq!(state(&s, "eu-west-2"), Some(KeyState::Enabled));
    let family = s.inventory.estate().family(&s.key_id).unwrap();
    assert_eq!(family.aliases_in(region("eu-west-1")), ["alias/payments"]);
}

#[test]
fn the_replica_policy_and_tags_kms_reports_are_kept_on_the_job() {
    let mut s = setup(vec![]);
    s.inventory
        .replicate(&s.runner, vec![request(&s, "eu-west-1")]);
    assert!(wait_for(&mut s, &["eu-west-1"], |p| *p == ReplicaPhase::Watching));
    let job = s
        .inventory
        .replica_job(&s.key_id, region("eu-west-1"))
        .unwrap();
    let policy: serde_json::Value =
        serde_json::from_str(job.replica_policy.as_deref().unwrap()).unwrap();
    assert_eq!(
        policy["Id"], "key-default-1",
        "Policy was omitted: KMS attached its default"
    );
    assert_eq!(
        job.replica_tags.as_deref(),
        Some(&[Tag::new("team", "payments")][..])
    );
}

#[test]
fn a_replica_that_already_exists_is_adopted_not_failed() {
    let mut s = setup(vec![]);
    let sdk = support::sdk_config(&s.sim.endpoint());
    let us = support::client_in(&sdk, "us-east-1");
    let id = s.key_id.to_string();
    s.runner.block_on(async {
        us.replicate_key()
            .key_id(&id)
            .replica_region("eu-west-1")
            .send()
            .await
            .unwrap();
    });

    s.inventory
        .replicate(&s.runner, vec![request(&s, "eu-west-1")]);
    assert!(wait_for(&mut s, &["eu-west-1"], |p| *p != ReplicaPhase::Replicating));
    let job = s
        .inventory
        .replica_job(&s.key_id, region("eu-west-1"))
        .unwrap();
    assert!(job.adopted);
    assert_eq!(job.phase, ReplicaPhase::Watching);
    assert_eq!(state(&s, "eu-west-1"), Some(KeyState::Creating));
    assert_eq!(
        s.sim.stats()["requests"]["us-east-1"]["ReplicateKey"],
        2,
        "ours was refused, not retried"
    );
}

#[test]
fn an_error_in_one_region_leaves_the_other_regions_success_intact() {
    let mut s = setup(vec!["deny:1:eu-west-2:DescribeKey".parse().unwrap()]);
    s.inventory.replicate(
        &s.runner,
        vec![request(&s, "eu-west-1"), request(&s, "eu-west-2")],
    );
    assert!(wait_for(&mut s, &["eu-west-1"], |p| *p == ReplicaPhase::Watching));
    s.sim
        .advance_clock(Duration::from_secs_f64(CREATING_FOR + 1.0));
    assert!(wait_for(&mut s, &["eu-west-1", "eu-west-2"], |p| matches!(
        p,
        ReplicaPhase::Done | ReplicaPhase::Failed(_)
    )));
    assert_eq!(phase(&s, "eu-west-1"), Some(ReplicaPhase::Done));
    assert_eq!(state(&s, "eu-west-1"), Some(KeyState::Enabled));
    match phase(&s, "eu-west-2") {
        Some(ReplicaPhase::Failed(p)) => assert_eq!(p.code, "AccessDeniedException"),
        other => panic!("expected eu-west-2 to fail, got {other:?}"),
    }
}

#[test]
fn replicating_twice_before_the_first_call_ends_makes_one_call() {
    let mut s = setup(vec![]);
    let first = s
        .inventory
        .replicate(&s.runner, vec![request(&s, "eu-west-1")]);
    let second = s
        .inventory
        .replicate(&s.runner, vec![request(&s, "eu-west-1")]);
    assert_eq!((first, second), (1, 0));
    assert!(wait_for(&mut s, &["eu-west-1"], |p| *p == ReplicaPhase::Watching));
    assert_eq!(s.sim.stats()["requests"]["us-east-1"]["ReplicateKey"], 1);
}

#[test]
fn read_only_mode_makes_no_replicate_call() {
    let mut s = setup(vec![]);
    s.inventory.set_read_only(true);
    assert_eq!(
        s.inventory
            .replicate(&s.runner, vec![request(&s, "eu-west-1")]),
        0
    );
    assert!(s.runner.wait_idle(WAIT));
    assert!(
        s.sim.stats()["requests"]["us-east-1"]
            .get("ReplicateKey")
            .is_none()
    );
    assert!(phase(&s, "eu-west-1").is_none());
}

#[test]
fn a_failed_region_can_be_retried_alone() {
    let mut s = setup(vec![]);
    let sdk = support::sdk_config(&s.sim.endpoint());
    let us = support::client_in(&sdk, "us-east-1");
    let id = s.key_id.to_string();
    s.runner
        .block_on(us.disable_key().key_id(&id).send())
        .unwrap();
    s.inventory
        .replicate(&s.runner, vec![request(&s, "eu-west-2")]);
    assert!(wait_for(&mut s, &["eu-west-2"], |p| matches!(
        p,
        ReplicaPhase::Failed(_)
    )));
    match phase(&s, "eu-west-2") {
        Some(ReplicaPhase::Failed(p)) => assert_eq!(p.code, "DisabledException"),
        other => panic!("expected DisabledException, got {other:?}"),
    }

    s.runner
        .block_on(us.enable_key().key_id(&id).send())
        .unwrap();
    assert!(
        s.inventory
            .retry_replicate(&s.runner, &s.key_id, region("eu-west-2"))
    );
    assert!(wait_for(&mut s, &["eu-west-2"], |p| *p == ReplicaPhase::Watching));
    assert_eq!(state(&s, "eu-west-2"), Some(KeyState::Creating));
}

#[test]
fn a_draft_built_from_the_primary_becomes_the_calls_that_are_made() {
    let mut s = setup(vec![]);
    assert!(s.inventory.read_primary_props(
        &s.runner,
        &s.key_id,
        region("us-east-1"),
        "payments data key".into(),
        None,
    ));
    let mut finished = Vec::new();
    assert!(s.runner.wait_until(Duration::from_secs(30), || {
        s.inventory.poll(&s.runner);
        finished.extend(s.inventory.take_finished_tasks());
        !finished.is_empty()
    }));
    let props: PrimaryProps = match finished.pop() {
        Some(TaskOutput::PrimaryProps {
            read: Ok(props), ..
        }) => props,
        _ => panic!("the primary's properties were read"),
    };
    assert_eq!(
        props.tags.as_deref(),
        Some(&[Tag::new("team", "payments")][..])
    );
    let mut draft = Draft::new(s.key_id.clone(), region("us-east-1"), &props);
    draft.targets.insert(region("eu-west-1"));
    draft.policy = Source::CopyFromPrimary;
    draft.description = Source::CopyFromPrimary;
    let requests = draft
        .requests(&props, |_| {
            kms_replica_console::domain::TargetStatus::Available
        })
        .unwrap();
    s.inventory.replicate(&s.runner, requests);
    assert!(wait_for(&mut s, &["eu-west-1"], |p| *p == ReplicaPhase::Watching));
    match s.inventory.estate().cell(&s.key_id, region("eu-west-1")) {
        Cell::Replica(k) => assert_eq!(k.description, "payments data key"),
        other => panic!("expected a replica, got {other:?}"),
    }
}

#[test]
fn a_replica_made_in_a_region_outside_the_grid_joins_it_and_is_followed_to_enabled() {
    let mut s = setup(vec![]);
    assert!(
        !s.inventory
            .estate()
            .regions()
            .contains(&region("ap-south-1"))
    );
    assert_eq!(
        s.inventory
            .replicate(&s.runner, vec![request(&s, "ap-south-1")]),
        1
    );
    assert!(
        s.inventory
            .estate()
            .regions()
            .contains(&region("ap-south-1"))
    );
    assert!(wait_for(&mut s, &["ap-south-1"], |p| *p == ReplicaPhase::Watching));
    assert_eq!(state(&s, "ap-south-1"), Some(KeyState::Creating));
    s.sim
        .advance_clock(Duration::from_secs_f64(CREATING_FOR + 1.0));
    assert!(wait_for(&mut s, &["ap-south-1"], |p| *p == ReplicaPhase::Done));
    assert_eq!(state(&s, "ap-south-1"), Some(KeyState::Enabled));
    // The Region's own scan, started when it joined, reports it read.
    let Setup {
        runner,
        inventory,
        key_id,
        ..
    } = &mut s;
    assert!(runner.wait_until(WAIT, || {
        inventory.poll(runner);
        matches!(
            inventory.estate().status(region("ap-south-1")),
            kms_replica_console::domain::RegionStatus::Scanned
        )
    }));
    assert!(matches!(
        inventory.estate().cell(key_id, region("ap-south-1")),
        Cell::Replica(_)
    ));
}
