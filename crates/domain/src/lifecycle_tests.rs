//! Specifications of the lifecycle rules.

use super::*;
use crate::estate::{Estate, KeyEntry, RegionScan};
use crate::key::MrkId;

use crate::test_keys::ID;

fn key(r: &str, role: Role, state: KeyState) -> KeyInfo {
    crate::test_keys::key_in_state(r, role, state)
}

fn family(keys: Vec<KeyInfo>) -> Family {
    let mut estate = Estate::new(keys.iter().map(|k| k.region).collect());
    for k in keys {
        let r = k.region;
        estate.apply_scan(
            r,
            RegionScan {
                keys: vec![KeyEntry::Described(Box::new(k))],
                aliases: vec![],
            },
        );
    }
    estate.family(&MrkId::parse(ID).unwrap()).unwrap().clone()
}

#[test]
fn promotion_needs_an_enabled_replica_and_an_enabled_primary() {
    let primary = key("us-east-1", Role::Primary, KeyState::Enabled);
    let replica = key("eu-west-1", Role::Replica, KeyState::Enabled);
    let f = family(vec![primary.clone(), replica.clone()]);
    assert_eq!(KeyAction::Promote.blocker(&replica, &f), None);
    assert!(KeyAction::Promote.blocker(&primary, &f).is_some());

    let disabled_primary = key("us-east-1", Role::Primary, KeyState::Disabled);
    let f = family(vec![disabled_primary, replica.clone()]);
    assert!(
        KeyAction::Promote
            .blocker(&replica, &f)
            .unwrap()
            .contains("primary is Disabled")
    );
}

#[test]
fn deletion_of_a_primary_with_replicas_says_it_will_wait_and_names_them() {
    let primary = key("us-east-1", Role::Primary, KeyState::Enabled);
    let f = family(vec![primary.clone()]);
    let text = KeyAction::ScheduleDeletion { days: 7 }.consequence(&primary, &f);
    assert!(text.contains("PendingReplicaDeletion"));
    assert!(text.contains("ap-southeast-2, eu-west-1"));
}

#[test]
fn the_deletion_window_must_be_7_to_30_days() {
    let k = key("eu-west-1", Role::Replica, KeyState::Enabled);
    let f = family(vec![k.clone()]);
    assert!(
        KeyAction::ScheduleDeletion { days: 6 }
            .blocker(&k, &f)
            .is_some()
    );
    assert!(
        KeyAction::ScheduleDeletion { days: 31 }
            .blocker(&k, &f)
            .is_some()
    );
    assert!(
        KeyAction::ScheduleDeletion { days: 7 }
            .blocker(&k, &f)
            .is_none()
    );
}

#[test]
fn enable_disable_and_cancel_follow_the_key_state() {
    let disabled = key("eu-west-1", Role::Replica, KeyState::Disabled);
    let pending = key("eu-west-1", Role::Replica, KeyState::PendingDeletion);
    let f = family(vec![disabled.clone()]);
    assert!(KeyAction::Enable.blocker(&disabled, &f).is_none());
    assert!(KeyAction::Disable.blocker(&disabled, &f).is_some());
    assert!(KeyAction::CancelDeletion.blocker(&pending, &f).is_none());
    assert!(KeyAction::CancelDeletion.blocker(&disabled, &f).is_some());
    assert!(KeyAction::Enable.blocker(&pending, &f).is_some());
}

#[test]
fn a_pending_key_reads_as_its_date_or_the_replicas_it_waits_for() {
    let mut replica = key("eu-west-1", Role::Replica, KeyState::PendingDeletion);
    replica.deletion_date = Some(0);
    let f = family(vec![replica.clone()]);
    assert_eq!(
        pending_note(&replica, &f).as_deref(),
        Some("deleted on 1970-01-01T00:00:00Z")
    );
    let primary = key("us-east-1", Role::Primary, KeyState::PendingReplicaDeletion);
    assert_eq!(
        pending_note(&primary, &f).as_deref(),
        Some("waiting for 2 replicas to be deleted")
    );
}

#[test]
fn imported_material_is_flagged_when_expired_or_expiring_soon() {
    let mut k = key("eu-west-1", Role::Replica, KeyState::Enabled);
    k.origin = "EXTERNAL".into();
    k.expiration_model = Some("KEY_MATERIAL_EXPIRES".into());
    let day = 86_400;
    k.valid_to = Some(100 * day);
    assert_eq!(material_note(&k, 50 * day, 30).map(|n| n.0), Some(false));
    assert_eq!(material_note(&k, 80 * day, 30).map(|n| n.0), Some(true));
    assert!(
        material_note(&k, 101 * day, 30)
            .unwrap()
            .1
            .contains("expired")
    );
    k.state = KeyState::PendingImport;
    assert!(
        material_note(&k, 0, 30)
            .unwrap()
            .1
            .starts_with("PendingImport")
    );
}

#[test]
fn an_imported_primary_rotates_on_demand_but_never_automatically() {
    let mut primary = key("us-east-1", Role::Primary, KeyState::Enabled);
    primary.origin = "EXTERNAL".into();
    let f = family(vec![primary.clone()]);
    assert_eq!(KeyAction::RotateNow.blocker(&primary, &f), None);
    assert!(
        KeyAction::RotateNow
            .consequence(&primary, &f)
            .contains("imported material pending rotation")
    );
    assert!(
        KeyAction::EnableRotation { days: 365 }
            .blocker(&primary, &f)
            .is_some()
    );
}
