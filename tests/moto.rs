//! Interop against moto (`moto[server]`, a KMS implementation nobody here wrote): the real
//! aws-sdk-kms client, the real scan, the real binary and the real `App`.
//!
//! moto is wrong about some multi-Region behaviour (see KMS_FACTS.md); these tests assert only
//! what moto models correctly: keys, replicas, their Regions, aliases, Enabled state.

mod support;

#[path = "moto/org.rs"]
mod org;
#[path = "moto/security_hub.rs"]
mod security_hub;

use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kms_replica_console::domain::{Cell, Estate, MrkId, RegionStatus};
use kms_replica_console::jobs::{Inventory, Runner};
use kms_replica_console::ui::{App, AppOptions};
use support::{Moto, TEST_SECRET_KEY, region};

const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-southeast-2"];

/// What `seed` created, for assertions.
struct Seeded {
    /// Primary in us-east-1 with replicas in eu-west-1 and ap-southeast-2, alias `alias/payments`.
    replicated: String,
    /// Primary in eu-west-1 without replicas.
    lonely: String,
}

/// Seeds moto with two multi-Region families over three Regions, plus a single-Region key in
/// every Region as noise that the scan must ignore.
fn seed(moto: &Moto, runner: &Runner) -> Seeded {
    let us = moto.seed_client("us-east-1");
    let eu = moto.seed_client("eu-west-1");
    let noise: Vec<_> = REGIONS.iter().map(|r| moto.seed_client(r)).collect();
    runner.block_on(async move {
        let created = us
            .create_key()
            .multi_region(true)
            .description("payments")
            .send()
            .await
            .expect("moto creates a multi-Region key");
        let replicated = created
            .key_metadata()
            .map(|m| m.key_id().to_string())
            .expect("CreateKey returns metadata");
        us.create_alias()
            .alias_name("alias/payments")
            .target_key_id(&replicated)
            .send()
            .await
            .expect("moto creates an alias");
        for target in ["eu-west-1", "ap-southeast-2"] {
            us.replicate_key()
                .key_id(&replicated)
                .replica_region(target)
                .send()
                .await
                .expect("moto replicates");
        }
        let lonely = eu
            .create_key()
            .multi_region(true)
            .send()
            .await
            .expect("moto creates a second multi-Region key")
            .key_metadata()
            .map(|m| m.key_id().to_string())
            .expect("CreateKey returns metadata");
        for client in noise {
            client
                .create_key()
                .description("single-Region noise")
                .send()
                .await
                .expect("moto creates a single-Region key");
        }
        Seeded { replicated, lonely }
    })
}

fn scan(moto: &Moto, runner: &Runner) -> Estate {
    let mut inventory = Inventory::new(moto.clients(), REGIONS.iter().map(|r| region(r)).collect());
    inventory.refresh(runner);
    inventory.wait_all(runner);
    inventory.estate().clone()
}

fn id(s: &str) -> MrkId {
    MrkId::parse(s).expect("moto returns mrk- IDs for multi-Region keys")
}

#[test]
fn scan_finds_each_multi_region_family_once_and_ignores_single_region_keys() {
    let moto = Moto::start();
    let runner = Runner::new().unwrap();
    let seeded = seed(&moto, &runner);
    let estate = scan(&moto, &runner);

    assert!(
        REGIONS
            .iter()
            .all(|r| *estate.status(region(r)) == RegionStatus::Scanned)
    );
    let ids: Vec<String> = estate.families().map(|(id, _)| id.to_string()).collect();
    let mut expected = vec![seeded.replicated.clone(), seeded.lonely.clone()];
    expected.sort();
    assert_eq!(ids, expected);
}

#[test]
fn scan_places_replicas_in_their_regions_with_their_state() {
    let moto = Moto::start();
    let runner = Runner::new().unwrap();
    let seeded = seed(&moto, &runner);
    let estate = scan(&moto, &runner);
    let family = id(&seeded.replicated);

    for r in ["eu-west-1", "ap-southeast-2"] {
        match estate.cell(&family, region(r)) {
            Cell::Replica(key) => {
                assert_eq!(
                    key.state.as_str(),
                    "Enabled",
                    "moto creates replicas Enabled"
                );
                assert!(key.arn.contains(&format!(":{r}:")), "{}", key.arn);
            }
            other => panic!("expected a replica in {r}, got {other:?}"),
        }
    }
    assert_eq!(
        estate
            .family(&family)
            .and_then(|f| f.primary_region())
            .as_deref(),
        Some("us-east-1")
    );
    let lonely = id(&seeded.lonely);
    assert_eq!(estate.cell(&lonely, region("us-east-1")), Cell::Absent);
    assert!(matches!(
        estate.cell(&lonely, region("eu-west-1")),
        Cell::Primary(_)
    ));
}

#[test]
fn scan_labels_a_family_with_its_alias() {
    let moto = Moto::start();
    let runner = Runner::new().unwrap();
    let seeded = seed(&moto, &runner);
    let estate = scan(&moto, &runner);
    let family = estate.family(&id(&seeded.replicated)).unwrap();
    assert_eq!(family.first_alias(), Some("alias/payments"));
}

#[test]
fn audit_json_lists_every_family_with_a_cell_per_region() {
    let moto = Moto::start();
    let runner = Runner::new().unwrap();
    let seeded = seed(&moto, &runner);

    let out = support::clean_env(
        std::process::Command::new(env!("CARGO_BIN_EXE_kms-replica-console")).args([
            "audit",
            "--format",
            "json",
            "--regions",
            &REGIONS.join(","),
            "--endpoint-url",
            &moto.endpoint,
        ]),
    )
    .output()
    .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "audit failed: {stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("audit prints JSON");

    let families = report["families"].as_array().expect("a families array");
    assert_eq!(families.len(), 2);
    let replicated = families
        .iter()
        .find(|f| f["key_id"] == seeded.replicated.as_str())
        .expect("the replicated family is listed");
    let cells: Vec<(String, String, String)> = replicated["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["region"].as_str().unwrap_or_default().to_string(),
                c["cell"].as_str().unwrap_or_default().to_string(),
                c["state"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(cells.len(), 3);
    assert_eq!(
        cells[1],
        ("eu-west-1".into(), "replica".into(), "Enabled".into())
    );
    assert_eq!(
        cells[2],
        ("ap-southeast-2".into(), "replica".into(), "Enabled".into())
    );
    assert_eq!(cells[0].0, "us-east-1");
    // The output never carries the secret it was signed with.
    let all_output = format!("{}{stderr}", String::from_utf8_lossy(&out.stdout));
    assert!(!all_output.contains(TEST_SECRET_KEY));
}

#[test]
fn the_app_shows_a_moto_key_and_its_state_badge() {
    let moto = Moto::start();
    let runner = Runner::new().unwrap();
    let seeded = seed(&moto, &runner);
    let regions = REGIONS.iter().map(|r| region(r)).collect();
    let app = App::new(
        runner,
        Inventory::new(moto.clients(), regions),
        AppOptions::default(),
    );

    let mut harness = Harness::builder()
        .with_size(egui::vec2(1400.0, 700.0))
        .build_ui_state(|ui, app: &mut App| app.show(ui), app);
    // The first frame starts the scans; step until every Region has reported and no scan runs.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let before = harness.state().runner().finished_count();
        harness.step();
        let inventory = harness.state().inventory();
        if inventory.estate().is_settled() && !inventory.is_scanning() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the scans finish");
        let runner = harness.state().runner();
        runner.wait_until(Duration::from_secs(10), || runner.finished_count() > before);
    }
    harness.run();

    harness.get_by_label(&seeded.replicated);
    harness.get_by_label(&seeded.lonely);
    assert!(harness.query_all_by_label("Enabled").count() >= 4);
    assert!(harness.query_all_by_label("Replica").count() >= 2);
    // The row's second line: alias, then what moto reports of spec and usage (no KeyUsage).
    harness.get_by_label("alias/payments · SYMMETRIC_DEFAULT");
}

/// What one happy-path scenario observed, in terms both moto and the simulator model correctly.
#[derive(Debug, PartialEq)]
struct Observed {
    id_is_mrk: bool,
    primary_region_seen_from_replica: String,
    replica_regions_seen_from_primary: Vec<String>,
    replica_state: String,
    replica_tags: Vec<(String, String)>,
    policy_round_trips: bool,
    listed_in_replica_region: bool,
    scheduled_state: String,
    scheduled_has_deletion_date: bool,
}

/// Create, replicate to two Regions, tag, put a policy, describe, list, schedule deletion of a
/// replica. `settle` lets a simulator's replicas finish `Creating` (moto's are Enabled at once).
async fn happy_path(config: aws_config::SdkConfig, settle: impl Fn()) -> Observed {
    let client = |r: &str| support::client_in(&config, r);
    let (us, eu) = (client("us-east-1"), client("eu-west-1"));
    let id = support::create_mrk(&us).await;
    for target in ["eu-west-1", "ap-southeast-2"] {
        // Key IDs only: moto answers 500 to ReplicateKey with a key ARN.
        us.replicate_key()
            .key_id(&id)
            .replica_region(target)
            .send()
            .await
            .unwrap();
    }
    settle();
    let tag = aws_sdk_kms::types::Tag::builder()
        .tag_key("env")
        .tag_value("prod")
        .build()
        .unwrap();
    eu.tag_resource()
        .key_id(&id)
        .tags(tag)
        .send()
        .await
        .unwrap();
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Sid":"x","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"}]}"#;
    eu.put_key_policy()
        .key_id(&id)
        .policy(policy)
        .policy_name("default")
        .send()
        .await
        .unwrap();
    let got_policy = eu
        .get_key_policy()
        .key_id(&id)
        .policy_name("default")
        .send()
        .await
        .unwrap();
    let replica = eu
        .describe_key()
        .key_id(&id)
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    let config_of_replica = replica.multi_region_configuration().unwrap();
    let primary = us
        .describe_key()
        .key_id(&id)
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    let mut replica_regions: Vec<String> = primary
        .multi_region_configuration()
        .unwrap()
        .replica_keys()
        .iter()
        .filter_map(|k| k.region().map(str::to_string))
        .collect();
    replica_regions.sort();
    let tags = eu.list_resource_tags().key_id(&id).send().await.unwrap();
    let listed = eu.list_keys().send().await.unwrap();
    let scheduled = eu
        .schedule_key_deletion()
        .key_id(&id)
        .pending_window_in_days(7)
        .send()
        .await
        .unwrap();
    let after = eu
        .describe_key()
        .key_id(&id)
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    Observed {
        id_is_mrk: id.starts_with("mrk-"),
        primary_region_seen_from_replica: config_of_replica
            .primary_key()
            .and_then(|p| p.region())
            .unwrap_or_default()
            .to_string(),
        replica_regions_seen_from_primary: replica_regions,
        replica_state: replica
            .key_state()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        replica_tags: tags
            .tags()
            .iter()
            .map(|t| (t.tag_key().to_string(), t.tag_value().to_string()))
            .collect(),
        policy_round_trips: got_policy
            .policy()
            .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
            == serde_json::from_str(policy).ok(),
        listed_in_replica_region: listed
            .keys()
            .iter()
            .any(|k| k.key_id() == Some(id.as_str())),
        scheduled_state: after
            .key_state()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        scheduled_has_deletion_date: scheduled.deletion_date().is_some(),
    }
}

#[test]
fn moto_and_the_simulator_agree_on_a_happy_path_where_moto_is_right() {
    let moto = Moto::start();
    let runner = Runner::new().unwrap();
    let sim = runner
        .block_on(kms_replica_console::sim::Sim::start(
            kms_replica_console::sim::SimConfig::default(),
            kms_replica_console::sim::Seed::Empty,
        ))
        .unwrap();
    let sim_config = support::sdk_config(&sim.endpoint());
    let moto_config = moto.sdk_config();

    let from_moto = runner.block_on(happy_path(moto_config, || {}));
    let from_sim = runner.block_on(happy_path(sim_config, || {
        sim.advance_clock(Duration::from_secs(3600))
    }));

    assert_eq!(from_moto, from_sim);
    assert_eq!(from_sim.replica_state, "Enabled");
    assert_eq!(from_sim.scheduled_state, "PendingDeletion");
    assert_eq!(
        from_sim.replica_regions_seen_from_primary,
        ["ap-southeast-2", "eu-west-1"]
    );
}

#[test]
fn a_replica_made_by_the_app_on_moto_shows_in_a_fresh_scan() {
    let moto = Moto::start();
    let runner = Runner::new().unwrap();
    let seeded = seed(&moto, &runner);
    let regions: Vec<_> = REGIONS.iter().map(|r| region(r)).collect();
    let mut inventory = Inventory::new(moto.clients(), regions.clone());
    inventory.set_backoff(kms_replica_console::jobs::Backoff {
        first: Duration::from_millis(10),
        max: Duration::from_millis(50),
        give_up_after: Duration::from_secs(30),
    });
    inventory.refresh(&runner);
    inventory.wait_all(&runner);
    let family = id(&seeded.lonely);
    assert_eq!(
        inventory.estate().cell(&family, region("us-east-1")),
        Cell::Absent
    );

    // moto ignores Policy, Tags and Description on ReplicateKey, so the API defaults are sent.
    let request = kms_replica_console::domain::ReplicateRequest {
        key_id: family.clone(),
        primary_region: region("eu-west-1"),
        target: region("us-east-1"),
        policy: None,
        description: None,
        tags: None,
        bypass_lockout: false,
        alias: None,
    };
    assert_eq!(inventory.replicate(&runner, vec![request]), 1);
    assert!(runner.wait_until(Duration::from_secs(30), || {
        inventory.poll(&runner);
        inventory.replications_in_flight() == 0
    }));

    let fresh = scan(&moto, &runner);
    match fresh.cell(&family, region("us-east-1")) {
        Cell::Replica(key) => assert_eq!(key.state.as_str(), "Enabled"),
        other => panic!("expected the new replica in us-east-1, got {other:?}"),
    }
    assert!(matches!(
        fresh.cell(&family, region("eu-west-1")),
        Cell::Primary(_)
    ));
}

/// Enable/disable and schedule/cancel deletion of a replica on moto. (moto answers
/// UpdatePrimaryRegion with HTTP 500, not implemented: promotion is tested on the simulator only.)
#[test]
fn lifecycle_actions_on_a_moto_replica_change_its_state() {
    use kms_replica_console::domain::lifecycle::KeyAction;
    use kms_replica_console::jobs::ActionPhase;

    let moto = Moto::start();
    let runner = Runner::new().unwrap();
    let seeded = seed(&moto, &runner);
    let mut inventory = Inventory::new(moto.clients(), REGIONS.iter().map(|r| region(r)).collect());
    inventory.refresh(&runner);
    inventory.wait_all(&runner);
    let family = id(&seeded.replicated);
    let eu = region("eu-west-1");

    let mut act_and_read = |action: KeyAction| -> String {
        assert!(
            inventory.act(&runner, &family, eu, action),
            "{action} starts"
        );
        assert!(runner.wait_until(Duration::from_secs(30), || {
            inventory.poll(&runner);
            inventory
                .action_job(&family, eu)
                .is_some_and(|j| !matches!(j.phase, ActionPhase::Calling))
        }));
        match inventory.estate().cell(&family, eu) {
            Cell::Replica(k) => k.state.to_string(),
            other => panic!("expected the replica, got {other:?}"),
        }
    };
    assert_eq!(act_and_read(KeyAction::Disable), "Disabled");
    assert_eq!(act_and_read(KeyAction::Enable), "Enabled");
    assert_eq!(
        act_and_read(KeyAction::ScheduleDeletion { days: 7 }),
        "PendingDeletion"
    );
    assert_eq!(act_and_read(KeyAction::CancelDeletion), "Disabled");
}

#[test]
fn drift_seeded_on_a_moto_replica_is_found_by_the_audit() {
    use kms_replica_console::domain::audit::{AuditOptions, FindingKind};
    use kms_replica_console::domain::baseline::Baseline;

    let moto = Moto::start();
    let runner = Runner::new().unwrap();
    let seeded = seed(&moto, &runner);
    let eu = moto.seed_client("eu-west-1");
    let key = seeded.replicated.clone();
    runner.block_on(async {
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"},{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kms:Decrypt","Resource":"*"}]}"#;
        eu.put_key_policy().key_id(&key).policy(policy).policy_name("default").send().await.unwrap();
        let tag = aws_sdk_kms::types::Tag::builder().tag_key("owner").tag_value("someone-else").build().unwrap();
        eu.tag_resource().key_id(&key).tags(tag).send().await.unwrap();
        eu.update_key_description().key_id(&key).description("edited in eu-west-1").send().await.unwrap();
    });

    let outcome = kms_replica_console::jobs::run_audit(
        &runner,
        moto.clients(),
        REGIONS.iter().map(|r| region(r)).collect(),
        &Baseline::default(),
        AuditOptions {
            expiry_days: 30,
            now: 0,
            unused_days: None,
            provenance: false,
        },
    );
    let about_eu: Vec<FindingKind> = outcome
        .findings
        .iter()
        .filter(|f| {
            f.key_id.as_ref().map(|k| k.as_str()) == Some(key.as_str())
                && f.region == Some(region("eu-west-1"))
        })
        .map(|f| f.kind)
        .collect();
    for kind in [
        FindingKind::PolicyDrift,
        FindingKind::TagDrift,
        FindingKind::DescriptionDrift,
    ] {
        assert!(about_eu.contains(&kind), "{kind:?} not in {about_eu:?}");
    }
    let ap_drift = outcome.findings.iter().any(|f| {
        f.region == Some(region("ap-southeast-2"))
            && matches!(
                f.kind,
                FindingKind::PolicyDrift | FindingKind::TagDrift | FindingKind::DescriptionDrift
            )
    });
    assert!(!ap_drift, "the untouched replica has no drift");
}

/// `verify` on moto, a KMS nobody here wrote, where moto models the calls across Regions: an
/// HMAC family (GenerateMac/VerifyMac) and an ECC signing family (Sign/Verify) interoperate.
/// moto's gap, measured: a data key made in one Region is refused (AccessDeniedException) by the
/// replica's Decrypt, so symmetric families are verified against the simulator only.
#[test]
fn verify_proves_an_hmac_and_a_signing_family_on_moto() {
    use kms_replica_console::domain::verify::Verdict;
    let moto = Moto::start();
    let runner = Runner::new().unwrap();
    let us = moto.seed_client("us-east-1");
    let families = runner.block_on(async {
        let mut made = Vec::new();
        for (spec, usage) in [
            ("HMAC_256", "GENERATE_VERIFY_MAC"),
            ("ECC_NIST_P256", "SIGN_VERIFY"),
        ] {
            made.push(support::create_family_of(&us, spec, usage, &["eu-west-1"]).await);
        }
        made
    });
    let estate = scan(&moto, &runner);
    let clients = moto.clients();
    for key in families {
        let keys: Vec<_> = estate
            .family(&id(&key))
            .expect("the scan found the family")
            .described()
            .cloned()
            .collect();
        assert_eq!(keys.len(), 2, "{key}: primary and replica");
        let proof = runner.block_on(kms_replica_console::jobs::verify_family(&clients, &keys));
        assert_eq!(
            proof.verdict(),
            Verdict::AllInteroperate,
            "{key}: {proof:?}"
        );
        assert_eq!(proof.legs.len(), 2);
    }
}
