//! The plan view through the real `App` (egui_kittest) against the simulator: the findings
//! panel's Plan fixes… lists the calls per family, Apply asks for a confirmation naming the
//! account, Regions and number of calls, and the replica ends as the baseline says; read-only
//! mode offers Apply disabled.

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use kms_replica_console::aws::AwsClients;
use kms_replica_console::domain::audit::FindingKind;
use kms_replica_console::domain::baseline::Baseline;
use kms_replica_console::jobs::{Actor, HistoryLog, Inventory, Runner};
use kms_replica_console::sim::Sim;
use kms_replica_console::store::Store;
use kms_replica_console::ui::{App, AppOptions};

use crate::harness::{AppHarness, audited, scanned, step_until};
use crate::support::{self, region};

const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"admins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/kms-admins"},"Action":"kms:*","Resource":"*"}]}"#;
const BASELINE: &str = "require_regions = [\"us-east-1\", \"eu-west-1\"]\n[replicas]\npolicy = \"copy-primary\"\ndescription = \"copy-primary\"\n";

struct Fixture {
    harness: AppHarness,
    sim: Sim,
    key: String,
    plan_file: std::path::PathBuf,
    log: HistoryLog,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.plan_file);
        let mut journal = self.plan_file.clone().into_os_string();
        journal.push(".journal");
        let _ = std::fs::remove_file(journal);
    }
}

/// A primary in us-east-1 with its own policy and description, a replica in eu-west-1 made
/// with the API's defaults; the app has audited it and shows the plan.
fn planned(read_only: bool) -> Fixture {
    let runner = Runner::new().unwrap();
    let sim = crate::harness::quick_sim(&runner, 0.0);
    let sdk = support::sdk_config(&sim.endpoint());
    let key = runner.block_on(async {
        let us = support::client_in(&sdk, "us-east-1");
        let id = us
            .create_key()
            .multi_region(true)
            .description("payments data key")
            .policy(POLICY)
            .send()
            .await
            .unwrap()
            .key_metadata()
            .unwrap()
            .key_id()
            .to_string();
        us.replicate_key()
            .key_id(&id)
            .replica_region("eu-west-1")
            .send()
            .await
            .unwrap();
        id
    });
    sim.advance_clock(std::time::Duration::from_secs(1));
    let options = AppOptions {
        read_only,
        baseline: Baseline::from_toml(BASELINE).unwrap(),
        account: Some("111122223333".into()),
        ..AppOptions::default()
    };
    let regions = ["us-east-1", "eu-west-1"]
        .iter()
        .map(|r| region(r))
        .collect();
    let dir = std::env::temp_dir().join(format!(
        "kms-rc-plan-ui-history-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    let actor = Actor {
        identity: "arn:aws:iam::111122223333:user/test".into(),
        account: sim.account_id().to_string(),
    };
    let log = HistoryLog::start(Store::open(&dir.join("history.sqlite")).unwrap(), actor);
    let inventory =
        Inventory::new(AwsClients::from_sdk_config(sdk), regions).with_history(log.clone(), &[]);
    let app = App::new(runner, inventory, options);
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1500.0, 1200.0))
        .build_ui_state(|ui, app: &mut App| app.show(ui), app);
    step_until(&mut harness, "the scan", scanned);
    harness.get_by_label("Audit").click_accesskit();
    step_until(&mut harness, "the findings", audited);
    harness.get_by_label("Plan fixes…").click_accesskit();
    step_until(&mut harness, "the plan", |h| {
        h.query_by_label_contains("2 calls of 2 ticked").is_some()
    });
    let plan_file = std::env::temp_dir().join(format!(
        "kms-rc-plan-ui-{}-{}.json",
        std::process::id(),
        fastrand::u64(..)
    ));
    let field = harness.get_by_label("Plan file");
    field.focus();
    harness.run_steps(1);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness
        .get_by_label("Plan file")
        .type_text(&plan_file.to_string_lossy());
    harness.run_steps(2);
    Fixture {
        harness,
        sim,
        key,
        plan_file,
        log,
    }
}

#[test]
fn the_plan_is_applied_after_a_confirmation_that_names_the_account_and_regions() {
    let mut f = planned(false);
    f.harness.get_by_label_contains("PutKeyPolicy in eu-west-1");
    f.harness.get_by_label("Apply 2 calls…").click_accesskit();
    f.harness.run_steps(4);
    f.harness.get_by_label("Apply 2 calls?");
    f.harness
        .get_by_label("In account 111122223333, Regions eu-west-1");
    f.harness.get_by_label("Confirm: apply").click_accesskit();
    step_until(&mut f.harness, "both steps applied", |h| {
        h.query_by_label("2 applied").is_some()
    });
    f.harness.get_by_label("0 failed");
    f.harness.get_by_label("0 stale");
    assert_eq!(f.sim.stats()["requests"]["eu-west-1"]["PutKeyPolicy"], 1);
    assert_eq!(
        f.sim.stats()["requests"]["eu-west-1"]["UpdateKeyDescription"],
        1
    );
    let sdk = support::sdk_config(&f.sim.endpoint());
    let policy = f.harness.state().runner().block_on(async {
        support::client_in(&sdk, "eu-west-1")
            .get_key_policy()
            .key_id(&f.key)
            .policy_name("default")
            .send()
            .await
            .unwrap()
            .policy()
            .unwrap_or_default()
            .to_string()
    });
    assert_eq!(policy, POLICY);
    assert!(
        f.plan_file.exists(),
        "the plan is written where the field says"
    );
}

#[test]
fn the_window_refuses_to_apply_a_plan_a_command_line_apply_holds() {
    let mut f = planned(false);
    // What `apply PLAN` holds while it runs.
    let held = kms_replica_console::jobs::PlanLock::acquire(&f.plan_file).unwrap();
    f.harness.get_by_label("Apply 2 calls…").click_accesskit();
    f.harness.run_steps(4);
    f.harness.get_by_label("Confirm: apply").click_accesskit();
    step_until(&mut f.harness, "the refusal", |h| {
        h.query_by_label_contains("is being applied by another process")
            .is_some()
    });
    assert!(
        f.sim.stats()["requests"]["eu-west-1"]
            .get("PutKeyPolicy")
            .is_none(),
        "no call made"
    );
    drop(held);
}

#[test]
fn an_unticked_step_is_not_applied() {
    let mut f = planned(false);
    f.harness
        .get_by_label_contains("UpdateKeyDescription in eu-west-1")
        .click_accesskit();
    f.harness.run_steps(2);
    f.harness.get_by_label("Apply 1 call…").click_accesskit();
    f.harness.run_steps(4);
    f.harness.get_by_label("Confirm: apply").click_accesskit();
    step_until(&mut f.harness, "the step applied", |h| {
        h.query_by_label("1 applied").is_some()
    });
    assert!(
        f.sim.stats()["requests"]["eu-west-1"]
            .get("UpdateKeyDescription")
            .is_none()
    );
}

#[test]
fn read_only_mode_offers_apply_disabled() {
    let f = planned(true);
    let apply = f.harness.get_by_label("Apply 2 calls…");
    assert!(apply.accesskit_node().is_disabled());
    assert!(
        f.sim.stats()["requests"]["eu-west-1"]
            .get("PutKeyPolicy")
            .is_none()
    );
}

#[test]
fn a_saved_plan_loads_back_with_its_calls() {
    let mut f = planned(false);
    f.harness.get_by_label("Save plan").click_accesskit();
    step_until(&mut f.harness, "the plan saved", |h| {
        h.query_by_label_contains("Saved ").is_some()
    });
    // Where it went, in full, and readable by its owner only (it holds key policies).
    f.harness.get_by_label(&format!(
        "Saved {} (readable by you only)",
        f.plan_file.display()
    ));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&f.plan_file)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let text = std::fs::read_to_string(&f.plan_file).unwrap();
    let saved: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(saved["steps"].as_array().map(Vec::len), Some(2));
    // Untick one, then load the file: both calls are back.
    f.harness
        .get_by_label_contains("UpdateKeyDescription in eu-west-1")
        .click_accesskit();
    f.harness.run_steps(2);
    f.harness.get_by_label_contains("1 call of 2 ticked");
    f.harness.get_by_label("Load plan").click_accesskit();
    step_until(&mut f.harness, "the plan loaded", |h| {
        h.query_by_label_contains("2 calls of 2 ticked").is_some()
    });
    assert!(
        f.sim.stats()["requests"]["eu-west-1"]
            .get("PutKeyPolicy")
            .is_none(),
        "saving and loading call nothing"
    );
}

/// After an apply the audit reads again what the calls changed (the new state is audited,
/// never "not read"), and the apply is one snapshot in the history, not one per call.
#[test]
fn an_apply_reads_again_what_it_changed_and_is_one_snapshot() {
    let mut f = planned(false);
    let snapshots = |log: &HistoryLog| Store::open(log.path()).unwrap().snapshots().unwrap().len();
    assert!(f.log.flush(std::time::Duration::from_secs(30)));
    let before = snapshots(&f.log);
    f.harness.get_by_label("Apply 2 calls…").click_accesskit();
    f.harness.run_steps(4);
    f.harness.get_by_label("Confirm: apply").click_accesskit();
    step_until(&mut f.harness, "both steps applied", |h| {
        h.query_by_label("2 applied").is_some()
    });
    let drift = |h: &AppHarness| {
        h.state().findings().iter().any(|f| {
            matches!(
                f.kind,
                FindingKind::PolicyDrift | FindingKind::DescriptionDrift
            )
        })
    };
    step_until(&mut f.harness, "the audit of what the apply changed", |h| {
        !drift(h) && h.query_by_label_contains("could not be audited").is_none()
    });
    assert!(f.log.flush(std::time::Duration::from_secs(30)));
    assert_eq!(snapshots(&f.log), before + 1, "one snapshot for the apply");
}
