//! Expired credentials: a banner that names where they came from and what to do, and a reload
//! that rebuilds the clients without restarting the app or losing what is on screen.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kms_replica_console::aws::{AwsClients, ConnectSettings};
use kms_replica_console::jobs::{Inventory, Runner};
use kms_replica_console::ui::{App, AppOptions};

use crate::harness::{scanned, step_until};
use crate::support::{self, TEST_ACCESS_KEY, TEST_SECRET_KEY, region};

#[test]
fn expired_credentials_show_a_banner_and_reloading_recovers_the_grid() {
    let runner = Runner::new().unwrap();
    let sim = crate::harness::empty_sim(&runner);
    let us = support::client_in(&support::sdk_config(&sim.endpoint()), "us-east-1");
    let id = runner.block_on(async { support::create_mrk(&us).await });
    sim.set_expired_keys(vec![TEST_ACCESS_KEY.into()]);

    let settings = ConnectSettings {
        max_attempts: 1,
        ..support::connect_settings(&sim.endpoint())
    };
    let clients = runner.block_on(AwsClients::connect(&settings));
    let regions = vec![region("us-east-1"), region("eu-west-1")];
    let app = App::new(
        runner,
        Inventory::new(clients, regions).with_reload(settings),
        AppOptions::default(),
    );
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1400.0, 700.0))
        .build_ui_state(|ui, app: &mut App| app.show(ui), app);
    step_until(&mut harness, "the scan", scanned);
    harness.run_steps(3);

    harness.get_by_label_contains("were rejected in us-east-1 (ExpiredTokenException");
    assert!(harness.query_by_label(&id).is_none(), "nothing to show yet");
    assert!(
        !format!("{:?}", harness.root()).contains(TEST_SECRET_KEY),
        "the secret never reaches the UI"
    );

    sim.set_expired_keys(vec![]); // the user renewed the session
    harness.get_by_label("Reload credentials").click_accesskit();
    let row = id.clone();
    step_until(&mut harness, "the key's row after the rescan", |h| {
        scanned(h) && h.query_by_label(&row).is_some()
    });
    harness.run_steps(3);

    harness.get_by_label(&id);
    assert!(
        harness.query_by_label_contains("were rejected").is_none(),
        "the banner is gone"
    );
}
