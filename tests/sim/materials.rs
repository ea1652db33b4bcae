//! Several key materials per imported key (#25): the app's import (NEW into the primary, then
//! EXISTING into each replica, wrapped under each Region's own wrapping key), the materials read
//! back side by side, and the audit's `replica-material-missing` and
//! `rotation-waiting-on-replicas`. moto models neither several materials nor real wrapping keys:
//! the simulator covers them (KMS_FACTS.md §3).

use egui_kittest::kittest::Queryable;
use kms_replica_console::aws::AwsClients;
use kms_replica_console::domain::MrkId;
use kms_replica_console::domain::audit::{AuditOptions, FindingKind, Severity};
use kms_replica_console::domain::baseline::Baseline;
use kms_replica_console::domain::material::{Expiry, ImportStep, MaterialState};
use kms_replica_console::jobs::{Runner, import_into_family, now_epoch, run_audit};
use zeroize::Zeroizing;

use crate::harness::SimHarness;
use crate::support::{self, region};

/// An imported family: primary in us-east-1 holding `MATERIAL`, replicas in eu-west-1 and
/// ap-southeast-2 holding nothing yet.
fn imported_family(runner: &Runner) -> (SimHarness, AwsClients, MrkId) {
    let (h, id) = runner.block_on(async {
        let h = SimHarness::start().await;
        let id = crate::conformance::external_primary(&h, "us-east-1").await;
        crate::conformance::import(&h, "us-east-1", &id, 30).await;
        for to in ["eu-west-1", "ap-southeast-2"] {
            h.replica(&id, "us-east-1", to).await;
        }
        (h, id)
    });
    let clients = AwsClients::from_sdk_config(support::sdk_config(&h.sim.endpoint()));
    (h, clients, MrkId::parse(&id).unwrap())
}

/// The primary's material imported as EXISTING into each of `replicas`, naming its ID.
async fn import_primarys_material_into(
    clients: &AwsClients,
    id: &MrkId,
    replicas: &[kms_replica_console::domain::Region],
) -> Vec<Result<kms_replica_console::aws::MaterialImported, kms_replica_console::aws::KmsError>> {
    let material = Zeroizing::new(crate::conformance::MATERIAL.to_vec());
    let primary_id = clients
        .client(region("us-east-1"))
        .key_materials(id)
        .await
        .unwrap()[0]
        .id
        .clone();
    let step = ImportStep::Existing {
        material_id: primary_id,
    };
    let mut steps = Vec::new();
    for &r in replicas {
        steps.push(
            clients
                .client(r)
                .import_material(id, &material, &step, Expiry::Never)
                .await,
        );
    }
    steps
}

fn audit(sim: &kms_replica_console::sim::Sim) -> Vec<kms_replica_console::domain::audit::Finding> {
    let runner = Runner::new().unwrap();
    let clients = AwsClients::from_sdk_config(support::sdk_config(&sim.endpoint()));
    let regions = ["us-east-1", "eu-west-1", "ap-southeast-2"]
        .map(region)
        .to_vec();
    let options = AuditOptions {
        expiry_days: 0,
        now: now_epoch(),
        unused_days: None,
        provenance: false,
    };
    run_audit(&runner, clients, regions, &Baseline::default(), options).findings
}

#[test]
fn a_replica_without_the_primarys_current_material_is_a_high_finding() {
    let runner = Runner::new().unwrap();
    let (h, _, _) = imported_family(&runner);
    let findings = audit(&h.sim);
    let missing: Vec<_> = findings
        .iter()
        .filter(|f| f.kind == FindingKind::ReplicaMaterialMissing)
        .map(|f| (f.severity, f.region.map(|r| r.to_string())))
        .collect();
    assert_eq!(
        missing,
        vec![
            (Severity::High, Some("ap-southeast-2".to_string())),
            (Severity::High, Some("eu-west-1".to_string())),
        ]
    );
}

#[test]
fn the_app_imports_the_same_material_into_every_replica_and_reads_it_back() {
    let runner = Runner::new().unwrap();
    let (h, clients, id) = imported_family(&runner);
    let replicas = [region("eu-west-1"), region("ap-southeast-2")];
    // The primary already holds the material: each replica takes it as EXISTING.
    let steps = runner.block_on(import_primarys_material_into(&clients, &id, &replicas));
    assert!(steps.iter().all(Result::is_ok), "{steps:?}");
    let read = runner.block_on(async {
        let mut read = Vec::new();
        for r in ["us-east-1", "eu-west-1", "ap-southeast-2"] {
            read.push(clients.client(region(r)).key_materials(&id).await.unwrap());
        }
        read
    });
    assert!(
        read.iter()
            .all(|m| m.len() == 1 && m[0].id == read[0][0].id)
    );
    assert!(read.iter().all(|m| m[0].state == MaterialState::Current));
    let findings = audit(&h.sim);
    assert!(
        !findings
            .iter()
            .any(|f| f.kind == FindingKind::ReplicaMaterialMissing),
        "{findings:?}"
    );
}

#[test]
fn new_material_waits_on_the_replicas_until_the_import_job_reaches_them() {
    let runner = Runner::new().unwrap();
    let (h, clients, id) = imported_family(&runner);
    // The replicas take the first material, then the primary gets new material only.
    let next = Zeroizing::new(vec![0x17; 32]);
    let replicas = [region("eu-west-1"), region("ap-southeast-2")];
    runner.block_on(async {
        let steps = import_primarys_material_into(&clients, &id, &replicas).await;
        assert!(steps.iter().all(Result::is_ok), "{steps:?}");
        clients
            .client(region("us-east-1"))
            .import_material(&id, &next, &ImportStep::New, Expiry::Never)
            .await
            .unwrap();
    });
    let waiting: Vec<_> = audit(&h.sim)
        .into_iter()
        .filter(|f| f.kind == FindingKind::RotationWaitingOnReplicas)
        .collect();
    assert_eq!(waiting.len(), 1);
    assert!(
        waiting[0].message.contains("ap-southeast-2, eu-west-1"),
        "{}",
        waiting[0].message
    );

    // The import job with other new material: it replaces the pending one in the primary,
    // then reaches every replica with the same ID, and nothing waits any more.
    let steps = runner.block_on(import_into_family(
        &clients,
        &id,
        region("us-east-1"),
        &replicas,
        &Zeroizing::new(vec![0x29; 32]),
        Expiry::Never,
    ));
    assert_eq!(steps.len(), 3, "{steps:?}");
    assert!(steps.iter().all(|s| s.result.is_ok()), "{steps:?}");
    let ids: Vec<&str> = steps
        .iter()
        .filter_map(|s| s.result.as_ref().ok().map(|m| m.material_id.as_str()))
        .collect();
    assert!(ids.iter().all(|m| *m == ids[0]));
    assert!(
        !audit(&h.sim)
            .iter()
            .any(|f| f.kind == FindingKind::RotationWaitingOnReplicas)
    );
}

#[test]
fn deleting_the_primarys_pending_material_removes_the_replicas_copies() {
    let runner = Runner::new().unwrap();
    let (_h, clients, id) = imported_family(&runner);
    let replicas = [region("eu-west-1"), region("ap-southeast-2")];
    let left = runner.block_on(async {
        let steps = import_primarys_material_into(&clients, &id, &replicas).await;
        assert!(steps.iter().all(Result::is_ok), "{steps:?}");
        let steps = import_into_family(
            &clients,
            &id,
            region("us-east-1"),
            &replicas,
            &Zeroizing::new(vec![0x33; 32]),
            Expiry::Never,
        )
        .await;
        let pending = steps[0].result.as_ref().unwrap().material_id.clone();
        clients
            .client(region("us-east-1"))
            .delete_material(&id, &pending)
            .await
            .unwrap();
        let mut left = Vec::new();
        for r in ["us-east-1", "eu-west-1", "ap-southeast-2"] {
            let held = clients.client(region(r)).key_materials(&id).await.unwrap();
            left.push((r, held.iter().any(|m| m.id == pending), held.len()));
        }
        left
    });
    assert_eq!(
        left,
        vec![
            ("us-east-1", false, 1),
            ("eu-west-1", false, 1),
            ("ap-southeast-2", false, 1)
        ]
    );
}

#[test]
fn the_window_imports_new_material_into_the_primary_then_every_replica() {
    let runner = Runner::new().unwrap();
    let (h, clients, id) = imported_family(&runner);
    let regions = ["us-east-1", "eu-west-1", "ap-southeast-2"]
        .map(region)
        .to_vec();
    let app = kms_replica_console::ui::App::new(
        runner,
        kms_replica_console::jobs::Inventory::new(clients, regions),
        kms_replica_console::ui::AppOptions::default(),
    );
    let mut harness = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1600.0, 1000.0))
        .build_ui_state(
            |ui, app: &mut kms_replica_console::ui::App| app.show(ui),
            app,
        );
    let key = id.as_str().to_string();
    crate::harness::step_until(&mut harness, "the key's row", |h| {
        crate::harness::scanned(h) && h.query_by_label(&key).is_some()
    });
    harness.get_by_label(&key).click_secondary();
    crate::harness::step_until(&mut harness, "the family's menu", |h| {
        h.query_by_label("Import material…").is_some()
    });
    harness.get_by_label("Import material…").click();
    crate::harness::step_until(&mut harness, "the import dialog", |h| {
        h.query_by_label("Material file:").is_some()
    });
    let file = std::env::temp_dir().join(format!("material-ui-{}.bin", std::process::id()));
    std::fs::write(&file, [0x44u8; 32]).unwrap();
    harness.get_by_label("Material file:").focus();
    harness.step();
    harness
        .get_by_label("Material file:")
        .type_text(&file.display().to_string());
    harness.step();
    assert_eq!(
        h.sim.stats()["requests"]["eu-west-1"]["ImportKeyMaterial"].as_u64(),
        None,
        "nothing before the confirmation"
    );
    harness.get_by_label("Confirm: import").click();
    crate::harness::step_until(&mut harness, "every Region's answer", |h| {
        ["us-east-1", "eu-west-1", "ap-southeast-2"]
            .iter()
            .all(|r| {
                h.query_by_label_contains(&format!("{r}: imported key material"))
                    .is_some()
            })
    });
    std::fs::remove_file(&file).unwrap();
    for r in ["eu-west-1", "ap-southeast-2"] {
        assert_eq!(
            h.sim.stats()["requests"][r]["ImportKeyMaterial"].as_u64(),
            Some(1),
            "{r}: one import, as EXISTING"
        );
    }
}
