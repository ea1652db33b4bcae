//! Grants and rotation through the real `App` (egui_kittest) against the simulator: the
//! details panel sets a family's grants side by side, copies a missing one after a
//! confirmation, and enables rotation on the primary; read-only mode refuses both.

use std::time::Duration;

use aws_sdk_kms::types::GrantOperation;
use egui_kittest::kittest::{NodeT, Queryable};
use kms_replica_console::domain::{Cell, KeyState, MrkId};

use crate::harness::{scanned, step_until};
use crate::replicate_ui::{Ui, start};
use crate::support;

const APP_ROLE: &str = "arn:aws:iam::111122223333:role/payments-app";

/// The replicate UI's key, replicated to eu-west-1, with a grant on the primary only; the app
/// has scanned it again and shows the family's details (grants read).
fn with_replica_and_grant(read_only: bool) -> Ui {
    let mut ui = start(read_only);
    let sdk = support::sdk_config(&ui.sim.endpoint());
    let runner = ui.harness.state().runner();
    runner.block_on(async {
        let us = support::client_in(&sdk, "us-east-1");
        us.replicate_key()
            .key_id(&ui.key_id)
            .replica_region("eu-west-1")
            .send()
            .await
            .unwrap();
        us.create_grant()
            .key_id(&ui.key_id)
            .grantee_principal(APP_ROLE)
            .operations(GrantOperation::Decrypt)
            .name("payments-app")
            .send()
            .await
            .unwrap();
    });
    ui.sim.advance_clock(Duration::from_secs(600));
    ui.harness.get_by_label("Refresh").click_accesskit();
    let id = MrkId::parse(&ui.key_id).unwrap();
    step_until(&mut ui.harness, "the replica scanned Enabled", |h| {
        scanned(h)
            && matches!(
                h.state().inventory().estate().cell(&id, "eu-west-1".parse().unwrap()),
                Cell::Replica(k) if k.state == KeyState::Enabled
            )
    });
    ui.harness.get_by_label(&ui.key_id.clone()).click();
    step_until(&mut ui.harness, "the grants side by side", |h| {
        h.query_by_label("Grants by Region (KMS never copies them)")
            .is_some()
            && h.query_by_label_contains("payments-app").is_some()
            && h.query_by_label("missing in eu-west-1").is_some()
    });
    ui.harness.run_steps(2);
    ui
}

fn grants_in(ui: &Ui, region: &str) -> usize {
    let sdk = support::sdk_config(&ui.sim.endpoint());
    ui.harness.state().runner().block_on(async {
        support::client_in(&sdk, region)
            .list_grants()
            .key_id(&ui.key_id)
            .send()
            .await
            .unwrap()
            .grants()
            .len()
    })
}

#[test]
fn a_grant_the_replica_lacks_is_copied_after_a_confirmation_that_names_its_region() {
    let mut ui = with_replica_and_grant(false);
    assert_eq!(grants_in(&ui, "eu-west-1"), 0);
    ui.harness
        .get_by_label("Copy to eu-west-1…")
        .click_accesskit();
    ui.harness.run_steps(4);
    ui.harness.get_by_label("Copy the grant to eu-west-1?");
    ui.harness
        .get_by_label("In account 111122223333, Region eu-west-1");
    ui.harness
        .get_by_label("Confirm: CreateGrant")
        .click_accesskit();
    step_until(&mut ui.harness, "the grant present in both Regions", |h| {
        h.query_by_label("missing in eu-west-1").is_none()
            && h.query_by_label("present in us-east-1 (primary), eu-west-1")
                .is_some()
    });
    assert_eq!(grants_in(&ui, "eu-west-1"), 1);
    assert_eq!(ui.sim.stats()["requests"]["eu-west-1"]["CreateGrant"], 1);
    ui.harness
        .get_by_label_contains("CreateGrant in eu-west-1: copied: 'payments-app'");
}

#[test]
fn cancelling_the_copy_makes_no_call() {
    let mut ui = with_replica_and_grant(false);
    ui.harness
        .get_by_label("Copy to eu-west-1…")
        .click_accesskit();
    ui.harness.run_steps(4);
    ui.harness.get_by_label("Cancel").click_accesskit();
    ui.harness.run_steps(4);
    assert!(
        ui.harness
            .query_by_label("Copy the grant to eu-west-1?")
            .is_none()
    );
    assert!(
        ui.sim.stats()["requests"]["eu-west-1"]
            .get("CreateGrant")
            .is_none()
    );
}

#[test]
fn read_only_mode_offers_the_copy_disabled_and_makes_no_call() {
    let ui = with_replica_and_grant(true);
    let copy = ui.harness.get_by_label("Copy to eu-west-1…");
    assert!(copy.accesskit_node().is_disabled());
    assert!(
        ui.sim.stats()["requests"]["eu-west-1"]
            .get("CreateGrant")
            .is_none()
    );
}

#[test]
fn rotation_is_enabled_on_the_primary_with_its_period_and_every_replica_reports_it() {
    let mut ui = with_replica_and_grant(false);
    ui.harness.get_by_label_contains("Rotation: off");
    ui.harness
        .get_by_label("Actions in us-east-1")
        .click_accesskit();
    ui.harness.run_steps(8);
    ui.harness
        .get_by_label("Enable rotation in us-east-1…")
        .click_accesskit();
    ui.harness.run_steps(8);
    ui.harness.get_by_label("Enable rotation in us-east-1?");
    ui.harness
        .get_by_label_contains("every replica (eu-west-1)");
    ui.harness
        .get_by_label("Confirm: EnableKeyRotation")
        .click_accesskit();
    step_until(&mut ui.harness, "rotation shown on", |h| {
        h.query_by_label_contains("Rotation: on, every 365 days")
            .is_some()
    });
    let sdk = support::sdk_config(&ui.sim.endpoint());
    let on_replica = ui.harness.state().runner().block_on(async {
        support::client_in(&sdk, "eu-west-1")
            .get_key_rotation_status()
            .key_id(&ui.key_id)
            .send()
            .await
            .unwrap()
            .key_rotation_enabled()
    });
    assert!(on_replica, "the replica reports the primary's rotation");
    ui.harness.get_by_label_contains("· rotation on");
}

#[test]
fn rotation_is_not_offered_on_a_replica() {
    let mut ui = with_replica_and_grant(false);
    ui.harness
        .get_by_label("Actions in eu-west-1")
        .click_accesskit();
    ui.harness.run_steps(8);
    assert!(
        ui.harness
            .query_by_label("Enable rotation in eu-west-1…")
            .is_none()
    );
}
