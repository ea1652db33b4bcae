//! Lifecycle actions through the real `App`: the confirmation steps (a typed Region before a
//! deletion) and read-only mode (the actions are there, disabled, with the reason).

use egui_kittest::kittest::{NodeT, Queryable};
use kms_replica_console::domain::KeyState;

use crate::harness::{details_read, step_until};
use crate::replicate_ui::{Ui, start};

/// Selects the key and opens its actions in `region`, once the details panel has drawn its own
/// reads (until then it grows as they land, and the menu would move under the pointer).
fn open_actions(ui: &mut Ui, region: &str) {
    ui.harness.get_by_label(&ui.key_id.clone()).click();
    let actions = format!("Actions in {region}");
    step_until(&mut ui.harness, "the details panel's reads", |h| {
        details_read(h) && h.query_by_label(&actions).is_some()
    });
    ui.harness.get_by_label(&actions).click_accesskit();
    ui.harness.run_steps(8);
}

#[test]
fn scheduling_deletion_needs_the_region_typed_before_the_call_is_made() {
    let mut ui = start(false);
    open_actions(&mut ui, "us-east-1");
    ui.harness
        .get_by_label("Schedule deletion in us-east-1…")
        .click_accesskit();
    ui.harness.run_steps(8);
    ui.harness.get_by_label("Schedule deletion in us-east-1?");
    let confirm = ui.harness.get_by_label("Confirm: ScheduleKeyDeletion");
    assert!(
        confirm.accesskit_node().is_disabled(),
        "locked until the Region is typed"
    );

    ui.harness.get_by_label("Typed confirmation").focus();
    ui.harness.run_steps(1);
    ui.harness
        .get_by_label("Typed confirmation")
        .type_text("us-east-1");
    ui.harness.run_steps(8);
    let confirm = ui.harness.get_by_label("Confirm: ScheduleKeyDeletion");
    assert!(!confirm.accesskit_node().is_disabled());
    confirm.click_accesskit();
    let id = kms_replica_console::domain::MrkId::parse(&ui.key_id).unwrap();
    ui.settle("the key PendingDeletion", |app| {
        matches!(
            app.inventory().estate().cell(&id, "us-east-1".parse().unwrap()),
            kms_replica_console::domain::Cell::Primary(k) if k.state == KeyState::PendingDeletion
        )
    });

    assert_eq!(ui.state_in("us-east-1"), Some(KeyState::PendingDeletion));
    assert_eq!(
        ui.sim.stats()["requests"]["us-east-1"]["ScheduleKeyDeletion"],
        1
    );
    ui.harness
        .get_by_label_contains("ScheduleKeyDeletion in us-east-1: us-east-1 PendingDeletion");
}

#[test]
fn disabling_asks_for_confirmation_and_cancel_makes_no_call() {
    let mut ui = start(false);
    open_actions(&mut ui, "us-east-1");
    ui.harness
        .get_by_label("Disable in us-east-1…")
        .click_accesskit();
    ui.harness.run_steps(8);
    ui.harness
        .get_by_label_contains("DisableKey in us-east-1: every cryptographic use");
    ui.harness.get_by_label("Cancel").click_accesskit();
    ui.harness.run_steps(8);
    assert!(ui.harness.query_by_label("Disable in us-east-1?").is_none());
    assert!(
        ui.sim.stats()["requests"]["us-east-1"]
            .get("DisableKey")
            .is_none()
    );
    assert_eq!(ui.state_in("us-east-1"), Some(KeyState::Enabled));
}

#[test]
fn read_only_mode_shows_every_action_disabled_with_the_reason() {
    let mut ui = start(true);
    open_actions(&mut ui, "us-east-1");
    for label in [
        "Disable in us-east-1…",
        "Schedule deletion in us-east-1…",
        "Make primary in us-east-1…",
    ] {
        let item = ui.harness.get_by_label(label);
        assert!(item.accesskit_node().is_disabled(), "{label}");
    }
    // The reason is the disabled item's tooltip, which shows once the pointer has rested on it
    // for egui's tooltip delay: frames are stepped until it is drawn, not counted.
    ui.harness.get_by_label("Disable in us-east-1…").hover();
    step_until(&mut ui.harness, "the disabled item's tooltip", |h| {
        h.query_by_label("Read-only mode: no call that changes a key is made.")
            .is_some()
    });
}
