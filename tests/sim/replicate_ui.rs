//! The replicate workflow end to end through the real `App` (egui_kittest) against the simulator:
//! what a person sees and clicks, with the simulator's clock deciding when replicas are ready.

use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use kms_replica_console::aws::AwsClients;
use kms_replica_console::domain::{Cell, KeyState, MrkId};
use kms_replica_console::jobs::{Backoff, Inventory, Runner};
use kms_replica_console::sim::{Delays, Seed, Sim, SimConfig};
use kms_replica_console::ui::{App, AppOptions};

use crate::harness::{scanned, step_until};
use crate::support::{self, region};

const CREATING_FOR: f64 = 120.0;

pub struct Ui {
    pub harness: Harness<'static, App>,
    pub sim: Sim,
    pub key_id: String,
}

/// The app over us-east-1, eu-west-1, eu-west-2, with one primary in us-east-1 that has its own
/// policy, tags, description and alias (so the console and the API disagree on all four).
pub fn start(read_only: bool) -> Ui {
    let runner = Runner::new().unwrap();
    let config = SimConfig {
        delays: Delays {
            replica_creation: CREATING_FOR,
            update_primary: CREATING_FOR,
        },
        ..SimConfig::default()
    };
    let sim = runner.block_on(Sim::start(config, Seed::Empty)).unwrap();
    let sdk = support::sdk_config(&sim.endpoint());
    let us = support::client_in(&sdk, "us-east-1");
    let key_id = runner.block_on(async {
        let tag = aws_sdk_kms::types::Tag::builder().tag_key("team").tag_value("payments").build().unwrap();
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Sid":"admins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/kms-admins"},"Action":"kms:*","Resource":"*"}]}"#;
        let id = us
            .create_key()
            .multi_region(true)
            .description("payments data key")
            .policy(policy)
            .tags(tag)
            .send()
            .await
            .unwrap()
            .key_metadata()
            .unwrap()
            .key_id()
            .to_string();
        us.create_alias().alias_name("alias/payments").target_key_id(&id).send().await.unwrap();
        id
    });
    let regions = ["us-east-1", "eu-west-1", "eu-west-2"]
        .iter()
        .map(|r| region(r))
        .collect();
    let options = AppOptions {
        read_only,
        connection: "test".into(),
        ..AppOptions::default()
    };
    let mut app = App::new(
        runner,
        Inventory::new(AwsClients::from_sdk_config(sdk), regions),
        options,
    );
    app.inventory_mut().set_backoff(Backoff {
        first: Duration::from_millis(10),
        max: Duration::from_millis(50),
        give_up_after: Duration::from_secs(60),
    });
    let harness = Harness::builder()
        .with_size(egui::vec2(1500.0, 1400.0))
        .build_ui_state(|ui, app: &mut App| app.show(ui), app);
    let mut ui = Ui {
        harness,
        sim,
        key_id,
    };
    let row = ui.key_id.clone();
    step_until(&mut ui.harness, "the scan and the key's row", |h| {
        scanned(h) && h.query_by_label(&row).is_some()
    });
    ui
}

impl Ui {
    /// Steps frames, waiting for background jobs between them, until `done` holds of the app,
    /// then draws two more frames so what it shows is current.
    pub fn settle(&mut self, what: &str, mut done: impl FnMut(&App) -> bool) {
        step_until(&mut self.harness, what, |h| done(h.state()));
        self.harness.run_steps(2);
    }

    pub fn state_in(&self, r: &str) -> Option<KeyState> {
        let id = MrkId::parse(&self.key_id).unwrap();
        match self
            .harness
            .state()
            .inventory()
            .estate()
            .cell(&id, region(r))
        {
            Cell::Primary(k) | Cell::Replica(k) => Some(k.state.clone()),
            _ => None,
        }
    }

    fn open_dialog(&mut self) {
        // The row takes the pointer click (a label alone is not clickable).
        self.harness.get_by_label(&self.key_id).click();
        self.harness.run_steps(2);
        self.harness.get_by_label("Replicate…").click_accesskit();
        // Reading the primary's policy and tags is a background job: wait until the dialog
        // shows them.
        step_until(
            &mut self.harness,
            "the dialog with the primary's properties",
            |h| {
                h.query_by_label("Target Regions").is_some()
                    && h.query_by_label("Reading the primary's policy and tags…")
                        .is_none()
            },
        );
        self.harness.run_steps(2);
    }

    fn flags(&self) -> usize {
        self.harness
            .query_all_by_label_contains("Differs from the console:")
            .count()
    }
}

#[test]
fn the_dialog_flags_api_defaults_and_a_flag_goes_when_the_field_copies_the_primary() {
    let mut ui = start(false);
    ui.open_dialog();
    ui.harness.get_by_label_contains(
        "Differs from the console: the API will attach the default key policy",
    );
    assert_eq!(
        ui.flags(),
        4,
        "policy, description, tags and alias differ from the console"
    );

    ui.harness
        .get_by_label("Copy primary's policy (console)")
        .click_accesskit();
    ui.harness.run_steps(2);
    assert!(
        ui.harness
            .query_all_by_label_contains("the API will attach the default key policy")
            .next()
            .is_none()
    );
    assert_eq!(ui.flags(), 3);
}

#[test]
fn invalid_policy_json_disables_replicate_and_says_where() {
    let mut ui = start(false);
    ui.open_dialog();
    ui.harness
        .get_by_role_and_label(egui::Role::CheckBox, "eu-west-1")
        .click_accesskit();
    ui.harness.get_by_label("Custom policy").click_accesskit();
    ui.harness.run_steps(2);
    let editor = ui.harness.get_by_label("Key policy (JSON)");
    editor.focus();
    ui.harness.run_steps(1);
    ui.harness.get_by_label("Key policy (JSON)").type_text("{{");
    ui.harness.run_steps(2);

    ui.harness.get_by_label_contains("Invalid policy: line");
    let button = ui.harness.get_by_label("Review calls…");
    assert!(button.accesskit_node().is_disabled());
}

#[test]
fn a_tag_with_an_aws_prefix_is_rejected_on_its_row() {
    let mut ui = start(false);
    ui.open_dialog();
    ui.harness.get_by_label("Custom tags").click_accesskit();
    ui.harness.run_steps(2);
    ui.harness.get_by_label("Add tag").click_accesskit();
    ui.harness.run_steps(2);
    let key = ui.harness.get_by_label("Tag 2 key");
    key.focus();
    ui.harness.run_steps(1);
    ui.harness.get_by_label("Tag 2 key").type_text("aws:owner");
    ui.harness.run_steps(2);

    ui.harness
        .get_by_label("keys beginning with aws: are reserved for AWS");
    ui.harness.get_by_label("tags: fix the marked rows");
}

#[test]
fn replicating_to_two_regions_shows_creating_then_enabled_without_user_action() {
    let mut ui = start(false);
    ui.open_dialog();
    ui.harness
        .get_by_role_and_label(egui::Role::CheckBox, "eu-west-1")
        .click_accesskit();
    ui.harness
        .get_by_role_and_label(egui::Role::CheckBox, "eu-west-2")
        .click_accesskit();
    ui.harness
        .get_by_label("Copy primary's policy (console)")
        .click_accesskit();
    ui.harness.run_steps(2);
    ui.harness.get_by_label("Review calls…").click_accesskit();
    ui.harness.run_steps(2);
    assert_eq!(
        ui.harness
            .query_all_by_label_contains("ReplicateKey in us-east-1")
            .count(),
        2,
        "the confirmation lists exactly the two calls"
    );
    ui.harness
        .get_by_label("Confirm: make these calls")
        .click_accesskit();

    let id = MrkId::parse(&ui.key_id).unwrap();
    ui.settle("both replicas Creating", |app| {
        ["eu-west-1", "eu-west-2"].iter().all(|r| {
            matches!(app.inventory().estate().cell(&id, region(r)),
                Cell::Replica(k) if k.state == KeyState::Creating)
        })
    });
    assert_eq!(ui.state_in("eu-west-1"), Some(KeyState::Creating));
    assert!(
        ui.harness.query_all_by_label("Creating").count() >= 2,
        "both badges say Creating"
    );

    ui.sim
        .advance_clock(Duration::from_secs_f64(CREATING_FOR + 1.0));
    ui.settle("the replicas followed to Enabled", |app| {
        app.inventory().replications_in_flight() == 0
    });
    assert_eq!(ui.state_in("eu-west-1"), Some(KeyState::Enabled));
    assert_eq!(ui.state_in("eu-west-2"), Some(KeyState::Enabled));
    assert_eq!(ui.harness.query_all_by_label("Creating").count(), 0);
    assert_eq!(ui.sim.stats()["requests"]["us-east-1"]["ReplicateKey"], 2);
}

#[test]
fn bypassing_the_lockout_check_needs_a_second_confirmation() {
    let mut ui = start(false);
    ui.open_dialog();
    ui.harness
        .get_by_label("BypassPolicyLockoutSafetyCheck")
        .click_accesskit();
    ui.harness.run_steps(2);
    ui.harness
        .get_by_label("Bypass the policy lockout safety check?");
    ui.harness.get_by_label("Keep the check").click_accesskit();
    ui.harness.run_steps(2);
    assert!(
        ui.harness
            .query_by_label("Bypass the policy lockout safety check?")
            .is_none()
    );
    let checkbox = ui.harness.get_by_label("BypassPolicyLockoutSafetyCheck");
    assert_ne!(
        checkbox.accesskit_node().toggled(),
        Some(egui::accesskit::Toggled::True)
    );

    ui.harness
        .get_by_label("BypassPolicyLockoutSafetyCheck")
        .click_accesskit();
    ui.harness.run_steps(2);
    ui.harness
        .get_by_label("I understand: bypass the check")
        .click_accesskit();
    ui.harness.run_steps(2);
    let checkbox = ui.harness.get_by_label("BypassPolicyLockoutSafetyCheck");
    assert_eq!(
        checkbox.accesskit_node().toggled(),
        Some(egui::accesskit::Toggled::True)
    );
}

#[test]
fn read_only_mode_shows_replicate_disabled_and_makes_no_call() {
    let mut ui = start(true);
    ui.harness.get_by_label("READ-ONLY");
    ui.harness.get_by_label(&ui.key_id.clone()).click();
    ui.harness.run_steps(2);
    let button = ui.harness.get_by_label("Replicate…");
    assert!(button.accesskit_node().is_disabled());
    button.click_accesskit();
    ui.harness.run_steps(2);
    assert!(
        ui.harness.query_by_label("Target Regions").is_none(),
        "the dialog did not open"
    );
    assert!(
        ui.sim.stats()["requests"]["us-east-1"]
            .get("ReplicateKey")
            .is_none()
    );
}
