//! The organization-wide window over the simulator's demo organization: a header row per
//! account (those not entered say why), collapsing a section, and acting on another account's
//! family through that account's own credentials — never the first account's.

use egui_kittest::kittest::{NodeT, Queryable};
use kms_replica_console::aws::AwsClients;
use kms_replica_console::domain::account::{AccountSelection, AccountStatus};
use kms_replica_console::domain::region::Partition;
use kms_replica_console::domain::{KeyState, MrkId, Region, Role};
use kms_replica_console::jobs::{Inventory, RoleSettings, Runner, enter_accounts};
use kms_replica_console::sim::{Seed, Sim, SimConfig};
use kms_replica_console::ui::{AccountSlot, App, AppOptions};

use crate::harness::{AppHarness, step_until};
use crate::support::{self, region};

const PAYMENTS: &str = "222233334444";
const REGIONS: [&str; 4] = ["us-east-1", "us-west-2", "eu-west-1", "eu-west-2"];

struct Org {
    harness: AppHarness,
    sim: Sim,
}

/// The demo organization entered as the binary enters it (Organizations, then the role),
/// in a window over four Regions, every account scanned.
fn open(read_only: bool) -> Org {
    let runner = Runner::new().unwrap();
    let sim = runner
        .block_on(Sim::start(SimConfig::default(), Seed::Demo))
        .expect("the simulator starts");
    let regions: Vec<Region> = REGIONS.iter().map(|r| region(r)).collect();
    let entered = runner.block_on(async {
        let base = AwsClients::connect(&support::connect_settings(&sim.endpoint())).await;
        let caller = base.caller_identity().await.expect("STS answers");
        let roles = RoleSettings {
            role: Some("OrganizationAccountAccessRole".into()),
            external_id: None,
            session_name: "kms-replica-console".into(),
            partition: Partition::Aws,
        };
        enter_accounts(&base, &caller, &AccountSelection::All, &roles)
            .await
            .expect("the organization is listed")
    });
    let slots = entered
        .into_iter()
        .map(|e| {
            let inventory = e
                .clients
                .map(|c| Inventory::new(c, regions.clone()).with_account(e.account.clone()));
            AccountSlot::new(e.account, inventory)
        })
        .collect();
    let options = AppOptions {
        read_only,
        connection: "test".into(),
        ..AppOptions::default()
    };
    let app = App::for_organization(runner, slots, options).expect("an account was entered");
    let mut harness = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1400.0, 1600.0))
        .build_ui_state(|ui, app: &mut App| app.show(ui), app);
    step_until(&mut harness, "every entered account scanned", |h| {
        let app = h.state();
        [sim.account_id(), PAYMENTS, "333344445555"]
            .iter()
            .all(|id| {
                app.inventory_of(id)
                    .is_some_and(|i| i.estate().is_settled() && !i.is_scanning())
            })
    });
    Org { harness, sim }
}

/// Shows only payments-prod's section, through the account filter (the management account's
/// forty families would push it below the window).
fn show_only_payments(org: &mut Org) {
    org.harness.get_by_label("Account filter").click();
    org.harness.run_steps(4);
    org.harness
        .get_by_label("222233334444 (payments-prod)")
        .click();
    org.harness.run_steps(4);
}

/// A payments-prod family with a replica in one of the window's Regions: its ID and Region.
fn payments_replica(org: &Org) -> (MrkId, Region) {
    let estate = org.harness.state().inventory_of(PAYMENTS).unwrap().estate();
    estate
        .families()
        .find_map(|(id, f)| {
            f.described()
                .find(|k| k.role() == Role::Replica && k.state == KeyState::Enabled)
                .map(|k| (id.clone(), k.region))
        })
        .expect("the demo's payments-prod account has a replicated family here")
}

#[test]
fn every_account_has_a_header_and_those_not_entered_say_why() {
    let org = open(false);
    let h = &org.harness;
    let (id, _) = payments_replica(&org);
    h.get_by_label_contains("Account 111122223333 (management)");
    h.get_by_label_contains("Account 222233334444 (payments-prod)");
    h.get_by_label_contains("not read: cannot be entered: AssumeRole refused: AccessDenied");
    h.get_by_label_contains("not read: SUSPENDED in the organization");
    let mut org = org;
    show_only_payments(&mut org);
    org.harness.get_by_label(&id.to_string());
    let h = &org.harness;
    assert!(h.state().inventory_of("666677778888").is_none());
    let denied = h
        .state()
        .working_account()
        .map(|a| a.status == AccountStatus::Read);
    assert_eq!(
        denied,
        Some(true),
        "the window works in an account it could enter"
    );
}

#[test]
fn acting_on_another_accounts_family_goes_through_that_accounts_credentials() {
    let mut org = open(false);
    let (id, region) = payments_replica(&org);
    show_only_payments(&mut org);
    org.harness.get_by_label(&id.to_string()).click();
    let actions = format!("Actions in {region}");
    // The details panel reads the key's policy and tags once the window works in its
    // account; until they land it grows, and the menu would move under the pointer.
    let policy = format!("Key policy in {region}");
    step_until(&mut org.harness, "the key's policy read", |h| {
        h.query_by_label(&policy).is_some() && h.query_by_label(&actions).is_some()
    });
    assert_eq!(
        org.harness
            .state()
            .working_account()
            .map(|a| a.id.to_string()),
        Some(PAYMENTS.to_string()),
        "selecting the family works in its account"
    );
    org.harness
        .get_by_label(&format!("Actions in {region}"))
        .click_accesskit();
    org.harness.run_steps(8);
    org.harness
        .get_by_label(&format!("Disable in {region}…"))
        .click_accesskit();
    org.harness.run_steps(8);
    org.harness.get_by_label_contains(&format!(
        "In account 222233334444 (payments-prod), Region {region}"
    ));
    org.harness
        .get_by_label("Confirm: DisableKey")
        .click_accesskit();
    step_until(&mut org.harness, "the replica shows Disabled", |h| {
        h.state()
            .inventory_of(PAYMENTS)
            .and_then(|i| i.estate().family(&id))
            .and_then(|f| {
                f.described()
                    .find(|k| k.region == region)
                    .map(|k| k.state.clone())
            })
            == Some(KeyState::Disabled)
    });
    // The key exists only in payments-prod: signed as the management account, KMS would
    // have answered NotFound and nothing would be Disabled.
    assert_eq!(org.sim.stats()["requests"][region.name()]["DisableKey"], 1);
}

#[test]
fn a_family_of_another_account_is_refused_with_the_first_accounts_credentials() {
    let org = open(false);
    let (id, target) = payments_replica(&org);
    let app = org.harness.state();
    let management = app.inventory_of(org.sim.account_id()).unwrap();
    let runner = Runner::new().unwrap();
    // The management account's clients and account, holding payments-prod's estate.
    let mut wrong = Inventory::new(
        management.clients().clone(),
        REGIONS.iter().map(|r| region(r)).collect(),
    )
    .with_account(management.account().unwrap().clone());
    wrong.set_estate(app.inventory_of(PAYMENTS).unwrap().estate().clone());
    let started = wrong.act(
        &runner,
        &id,
        target,
        kms_replica_console::domain::lifecycle::KeyAction::Disable,
    );
    assert!(!started, "refused before any call");
    assert!(
        org.sim.stats()["requests"][target.name()]
            .get("DisableKey")
            .is_none()
    );
}

#[test]
fn collapsing_an_account_hides_its_families_and_keeps_its_header() {
    let mut org = open(false);
    let (id, _) = payments_replica(&org);
    show_only_payments(&mut org);
    org.harness.get_by_label(&id.to_string());
    org.harness
        .get_by_label("Collapse account 222233334444")
        .click_accesskit();
    org.harness.run_steps(4);
    assert!(org.harness.query_by_label(&id.to_string()).is_none());
    org.harness
        .get_by_label_contains("Account 222233334444 (payments-prod)");
    org.harness.get_by_label("Expand account 222233334444");
}

#[test]
fn read_only_covers_every_account_of_the_window() {
    let mut org = open(true);
    let (id, region) = payments_replica(&org);
    show_only_payments(&mut org);
    org.harness.get_by_label(&id.to_string()).click();
    let actions = format!("Actions in {region}");
    // The details panel reads the key's policy and tags once the window works in its
    // account; until they land it grows, and the menu would move under the pointer.
    let policy = format!("Key policy in {region}");
    step_until(&mut org.harness, "the key's policy read", |h| {
        h.query_by_label(&policy).is_some() && h.query_by_label(&actions).is_some()
    });
    org.harness.get_by_label(&actions).click_accesskit();
    org.harness.run_steps(8);
    let label = format!("Disable in {region}…");
    let disable = org.harness.get_by_label(&label);
    assert!(disable.accesskit_node().is_disabled());
    assert!(
        org.harness
            .state()
            .inventory_of(PAYMENTS)
            .unwrap()
            .is_read_only()
    );
}

#[test]
fn the_status_bar_counts_the_families_of_every_account_in_the_window() {
    let org = open(false);
    let app = org.harness.state();
    let every: usize = [
        "111122223333",
        "222233334444",
        "333344445555",
        "666677778888",
        "777788889999",
    ]
    .iter()
    .filter_map(|id| app.inventory_of(id))
    .map(|i| i.estate().family_count())
    .sum();
    assert!(every > app.inventory().estate().family_count());
    org.harness
        .get_by_label_contains(&format!("{every} key families in "));
}
