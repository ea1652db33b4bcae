//! Lifecycle actions through the inventory against the simulator, with its clock: promotion,
//! deletion of a primary that waits for its replicas, cancel then enable, read-only refusal,
//! and the session's audit trail.

use std::time::Duration;

use kms_replica_console::domain::lifecycle::KeyAction;
use kms_replica_console::domain::{Cell, KeyState, Role};
use kms_replica_console::jobs::{ActionPhase, ReplicaPhase};

use crate::replicate::{CREATING_FOR, Setup, WAIT, request, setup, state, wait_for};
use crate::support::region;

const DAY: f64 = 86_400.0;

/// Replicas in eu-west-1 and eu-west-2, Enabled.
fn with_two_replicas() -> Setup {
    let mut s = setup(vec![]);
    let requests = vec![request(&s, "eu-west-1"), request(&s, "eu-west-2")];
    s.inventory.replicate(&s.runner, requests);
    assert!(wait_for(&mut s, &["eu-west-1", "eu-west-2"], |p| *p
        == ReplicaPhase::Watching));
    s.sim
        .advance_clock(Duration::from_secs_f64(CREATING_FOR + 1.0));
    assert!(wait_for(&mut s, &["eu-west-1", "eu-west-2"], |p| *p
        == ReplicaPhase::Done));
    s
}

fn act(s: &mut Setup, region_name: &str, action: KeyAction) {
    let id = s.key_id.clone();
    assert!(
        s.inventory.act(&s.runner, &id, region(region_name), action),
        "{action} started"
    );
    let Setup {
        runner,
        inventory,
        key_id,
        ..
    } = s;
    assert!(runner.wait_until(WAIT, || {
        inventory.poll(runner);
        inventory
            .action_job(key_id, region(region_name))
            .is_some_and(|j| !matches!(j.phase, ActionPhase::Calling))
    }));
}

fn role(s: &Setup, r: &str) -> Option<Role> {
    match s.inventory.estate().cell(&s.key_id, region(r)) {
        Cell::Primary(_) => Some(Role::Primary),
        Cell::Replica(_) => Some(Role::Replica),
        _ => None,
    }
}

#[test]
fn promoting_a_replica_shows_updating_then_swaps_the_roles_in_every_region() {
    let mut s = with_two_replicas();
    act(&mut s, "eu-west-1", KeyAction::Promote);
    assert_eq!(state(&s, "eu-west-1"), Some(KeyState::Updating));
    assert_eq!(state(&s, "us-east-1"), Some(KeyState::Updating));

    s.sim
        .advance_clock(Duration::from_secs_f64(CREATING_FOR + 1.0));
    let Setup {
        runner,
        inventory,
        key_id,
        ..
    } = &mut s;
    assert!(runner.wait_until(WAIT, || {
        inventory.poll(runner);
        inventory
            .action_job(key_id, region("eu-west-1"))
            .is_some_and(|j| j.phase == ActionPhase::Done)
    }));
    assert_eq!(role(&s, "eu-west-1"), Some(Role::Primary));
    assert_eq!(role(&s, "us-east-1"), Some(Role::Replica));
    assert_eq!(role(&s, "eu-west-2"), Some(Role::Replica));
    assert_eq!(state(&s, "eu-west-1"), Some(KeyState::Enabled));
}

#[test]
fn a_primary_with_replicas_waits_then_goes_pending_deletion_when_they_are_gone() {
    let mut s = with_two_replicas();
    act(&mut s, "us-east-1", KeyAction::ScheduleDeletion { days: 7 });
    assert_eq!(
        state(&s, "us-east-1"),
        Some(KeyState::PendingReplicaDeletion)
    );

    act(&mut s, "eu-west-1", KeyAction::ScheduleDeletion { days: 7 });
    act(&mut s, "eu-west-2", KeyAction::ScheduleDeletion { days: 7 });
    assert_eq!(state(&s, "eu-west-1"), Some(KeyState::PendingDeletion));

    s.sim.advance_clock(Duration::from_secs_f64(8.0 * DAY));
    s.inventory.refresh(&s.runner);
    s.inventory.wait_all(&s.runner);
    assert_eq!(state(&s, "us-east-1"), Some(KeyState::PendingDeletion));
    assert_eq!(
        s.inventory.estate().cell(&s.key_id, region("eu-west-1")),
        Cell::Absent
    );
}

#[test]
fn cancelling_deletion_leaves_the_key_disabled_and_it_can_be_enabled() {
    let mut s = with_two_replicas();
    act(
        &mut s,
        "eu-west-2",
        KeyAction::ScheduleDeletion { days: 30 },
    );
    act(&mut s, "eu-west-2", KeyAction::CancelDeletion);
    assert_eq!(state(&s, "eu-west-2"), Some(KeyState::Disabled));
    act(&mut s, "eu-west-2", KeyAction::Enable);
    assert_eq!(state(&s, "eu-west-2"), Some(KeyState::Enabled));
}

#[test]
fn an_action_the_rules_forbid_is_not_called() {
    let mut s = with_two_replicas();
    let id = s.key_id.clone();
    assert!(
        !s.inventory
            .act(&s.runner, &id, region("eu-west-1"), KeyAction::Enable),
        "already Enabled"
    );
    assert!(
        !s.inventory
            .act(&s.runner, &id, region("us-east-1"), KeyAction::Promote),
        "already primary"
    );
    assert!(
        s.sim.stats()["requests"]["eu-west-1"]
            .get("EnableKey")
            .is_none()
    );
}

#[test]
fn read_only_mode_makes_no_lifecycle_call() {
    let mut s = with_two_replicas();
    s.inventory.set_read_only(true);
    let id = s.key_id.clone();
    for action in [
        KeyAction::Disable,
        KeyAction::ScheduleDeletion { days: 7 },
        KeyAction::Promote,
    ] {
        assert!(!s.inventory.act(&s.runner, &id, region("eu-west-1"), action));
    }
    let stats = s.sim.stats();
    for op in ["DisableKey", "ScheduleKeyDeletion"] {
        assert!(stats["requests"]["eu-west-1"].get(op).is_none(), "{op}");
    }
    assert!(
        stats["requests"]["us-east-1"]
            .get("UpdatePrimaryRegion")
            .is_none()
    );
    assert_eq!(s.inventory.actions_in_flight(), 0);
}

#[test]
fn the_audit_trail_records_each_call_with_its_result() {
    let mut s = with_two_replicas();
    act(&mut s, "eu-west-2", KeyAction::Disable);
    let trail: Vec<(&str, String, bool)> = s
        .inventory
        .actions_on(&s.key_id)
        .map(|h| {
            (
                h.operation.as_str(),
                h.region.to_string(),
                h.outcome.is_done(),
            )
        })
        .collect();
    assert!(trail.contains(&("ReplicateKey", "eu-west-1".into(), true)));
    assert!(trail.contains(&("CreateAlias", "eu-west-2".into(), true)));
    assert_eq!(
        trail.last(),
        Some(&("DisableKey", "eu-west-2".into(), true))
    );
}
