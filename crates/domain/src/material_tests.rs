use super::*;

fn material(id: char, state: &str, imported: bool) -> KeyMaterial {
    KeyMaterial {
        id: id.to_string().repeat(64),
        state: MaterialState::from_api(state),
        imported,
        valid_to: None,
        description: None,
    }
}

#[test]
fn a_replica_lacking_the_current_material_is_told_first() {
    let primary = [
        material('a', "NON_CURRENT", true),
        material('b', "CURRENT", true),
    ];
    let replica = [];
    let missing = missing_from_replica(&primary, &replica);
    assert_eq!(missing.len(), 2);
    assert_eq!(missing[0].state, MaterialState::Current);
}

#[test]
fn material_the_replica_holds_but_lost_counts_as_missing() {
    let primary = [material('a', "CURRENT", true)];
    let replica = [material('a', "CURRENT", false)];
    assert_eq!(missing_from_replica(&primary, &replica).len(), 1);
    let replica = [material('a', "CURRENT", true)];
    assert!(missing_from_replica(&primary, &replica).is_empty());
}

#[test]
fn pending_material_is_not_missing_but_waited_on() {
    let primary = [
        material('a', "CURRENT", true),
        material('b', "PENDING_MULTI_REGION_IMPORT_AND_ROTATION", true),
    ];
    let replica = [material('a', "CURRENT", true)];
    assert!(missing_from_replica(&primary, &replica).is_empty());
    assert_eq!(
        waiting_on_replicas(&primary).map(|m| m.short_id()),
        Some("bbbbbbbb")
    );
}

#[test]
fn an_unknown_state_is_kept_as_spelled() {
    let m = material('c', "SOMETHING_NEW", true);
    assert_eq!(m.describe(), "cccccccc SOMETHING_NEW");
    assert!(!m.state.associated());
}

#[test]
fn deleting_a_primarys_pending_material_says_it_goes_from_the_replicas_too() {
    let m = material('d', "PENDING_MULTI_REGION_IMPORT_AND_ROTATION", true);
    let said = deletion_consequence(crate::Role::Primary, &m, &["eu-west-1".into()]);
    assert!(
        said.contains("also deletes the replicas' copies, in eu-west-1"),
        "{said}"
    );
    let said = deletion_consequence(crate::Role::Replica, &m, &[]);
    assert!(said.contains("this key only"), "{said}");
    let current = material('e', "CURRENT", true);
    let said = deletion_consequence(crate::Role::Replica, &current, &[]);
    assert!(said.contains("PendingImport"), "{said}");
}

#[test]
fn materials_are_read_for_imported_keys_in_use_or_waiting_for_material_only() {
    use crate::{KeyState, Role};
    let mut k = crate::test_keys::key_in_state("eu-west-1", Role::Replica, KeyState::PendingImport);
    k.origin = "EXTERNAL".into();
    assert!(materials_worth_reading(&k));
    k.state = KeyState::PendingDeletion;
    assert!(!materials_worth_reading(&k));
    k.state = KeyState::Enabled;
    k.origin = "AWS_KMS".into();
    assert!(!materials_worth_reading(&k));
}
