//! The audit against the simulator's demo estate: it finds the seeded gaps, drifts and states,
//! every format carries the same findings, and the binary's exit status gates a pipeline.

use std::process::Command;

use kms_replica_console::aws::AwsClients;
use kms_replica_console::domain::audit::{AuditOptions, Finding, FindingKind, Severity};
use kms_replica_console::domain::baseline::Baseline;
use kms_replica_console::jobs::{Runner, now_epoch, run_audit};
use kms_replica_console::report::{Format, audit_report};
use kms_replica_console::sim::{DEMO_REGIONS, Seed, Sim, SimConfig};

use crate::support::{self, TEST_SECRET_KEY, region};

fn demo(runner: &Runner) -> Sim {
    runner
        .block_on(Sim::start(SimConfig::default(), Seed::Demo))
        .expect("the simulator starts")
}

fn audit_demo(baseline: &Baseline) -> (Sim, Vec<Finding>, kms_replica_console::jobs::AuditOutcome) {
    let runner = Runner::new().unwrap();
    let sim = demo(&runner);
    let clients = AwsClients::from_sdk_config(support::sdk_config(&sim.endpoint()));
    let regions = DEMO_REGIONS.iter().map(|r| region(r)).collect();
    let options = AuditOptions {
        expiry_days: 30,
        now: now_epoch(),
        unused_days: None,
        provenance: false,
    };
    let outcome = run_audit(&runner, clients, regions, baseline, options);
    (sim, outcome.findings.clone(), outcome)
}

/// Findings of `kind` whose message names `alias`.
fn about<'a>(findings: &'a [Finding], kind: FindingKind, alias: &str) -> Vec<&'a Finding> {
    findings
        .iter()
        .filter(|f| f.kind == kind && f.message.contains(&format!("({alias})")))
        .collect()
}

#[test]
fn the_demo_audit_finds_the_seeded_states() {
    let (_sim, findings, _) = audit_demo(&Baseline::default());
    assert_eq!(
        about(
            &findings,
            FindingKind::PendingReplicaDeletion,
            "alias/legacy-reports"
        )
        .len(),
        1
    );
    let pending = about(&findings, FindingKind::PendingDeletion, "alias/old-exports");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].severity, Severity::High);
    assert_eq!(
        about(&findings, FindingKind::DisabledReplica, "alias/analytics").len(),
        1
    );
    assert_eq!(
        about(&findings, FindingKind::PendingImport, "alias/byok-hsm").len(),
        1,
        "us-west-2 still waits for material; eu-west-1 got its own"
    );
    assert_eq!(
        about(&findings, FindingKind::MaterialExpiry, "alias/byok-hsm").len(),
        2,
        "the primary's material and eu-west-1's expire within 30 days"
    );
    assert_eq!(
        about(
            &findings,
            FindingKind::MaterialExpiresBeforePrimary,
            "alias/byok-hsm"
        )
        .len(),
        1
    );
}

#[test]
fn the_demo_audit_finds_the_seeded_grant_and_rotation_drift() {
    let (_sim, findings, _) = audit_demo(&Baseline::default());
    let extra = about(&findings, FindingKind::GrantExtra, "alias/payments");
    assert_eq!(extra.len(), 1);
    assert_eq!(
        extra[0].severity,
        Severity::High,
        "a grant to another account"
    );
    assert!(findings.iter().any(|f| f.kind == FindingKind::GrantMissing));
    assert!(
        findings
            .iter()
            .any(|f| f.kind == FindingKind::RotationDisabled)
    );
    assert!(
        about(&findings, FindingKind::RotationDisabled, "alias/byok-hsm").is_empty(),
        "imported material cannot rotate"
    );
}

#[test]
fn the_demo_audit_finds_the_seeded_drift() {
    let (_sim, findings, _) = audit_demo(&Baseline::default());
    let vendor: Vec<&Finding> = findings
        .iter()
        .filter(|f| {
            f.kind == FindingKind::PolicyDrift
                && f.message.contains("444455556666:role/vendor-support")
        })
        .collect();
    assert!(
        !vendor.is_empty(),
        "replicas granting a vendor account are found"
    );
    assert!(vendor.iter().all(|f| f.severity == Severity::High));
    assert!(
        vendor[0].message.contains("kms:Decrypt"),
        "{}",
        vendor[0].message
    );
    assert!(
        findings
            .iter()
            .any(|f| f.kind == FindingKind::DefaultPolicyReplica)
    );
    assert!(findings.iter().any(|f| {
        f.kind == FindingKind::TagDrift
            && f.message
                .contains("env changed from \"prod\" to \"staging\"")
    }));
    assert!(
        !findings
            .iter()
            .any(|f| f.kind == FindingKind::MissingRequiredRegion),
        "no baseline, no coverage gaps"
    );
}

#[test]
fn a_required_region_makes_every_family_without_a_key_there_a_high_finding() {
    let baseline = Baseline {
        require_regions: vec![region("eu-west-1")],
        ..Baseline::default()
    };
    let (_sim, findings, outcome) = audit_demo(&baseline);
    let missing: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.kind == FindingKind::MissingRequiredRegion)
        .collect();
    let without_eu = outcome
        .estate
        .families()
        .filter(|(id, _)| {
            !matches!(
                outcome.estate.cell(id, region("eu-west-1")),
                kms_replica_console::domain::Cell::Primary(_)
                    | kms_replica_console::domain::Cell::Replica(_)
            )
        })
        .count();
    assert_eq!(missing.len(), without_eu);
    assert!(!missing.is_empty());
}

#[test]
fn every_format_carries_the_same_findings_and_the_evidence_header() {
    let (_sim, findings, outcome) = audit_demo(&Baseline::default());
    let n = findings.len();
    let report = audit_report(&outcome.estate, findings, vec![], 0);
    let json: serde_json::Value =
        serde_json::from_str(&report.render(Format::Json).unwrap()).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["account"], "111122223333");
    assert_eq!(json["partition"], "aws");
    assert_eq!(json["findings"].as_array().unwrap().len(), n);
    assert_eq!(
        json["regions_scanned"].as_array().unwrap().len(),
        DEMO_REGIONS.len()
    );

    let csv = report.render(Format::Csv).unwrap();
    assert_eq!(
        csv.lines().count(),
        n + 1,
        "a header and one row per finding"
    );
    let md = report.render(Format::Markdown).unwrap();
    assert!(md.contains("| Account | 111122223333 |"));
    assert_eq!(
        md.lines()
            .filter(|l| l.starts_with("| high |")
                || l.starts_with("| medium |")
                || l.starts_with("| low |")
                || l.starts_with("| info |"))
            .count(),
        n
    );
    let html = report.render(Format::Html).unwrap();
    assert_eq!(html.matches("<tr><td class=").count(), n);
}

fn audit_binary(endpoint: &str, args: &[&str]) -> std::process::Output {
    support::clean_env(
        Command::new(env!("CARGO_BIN_EXE_kms-replica-console"))
            .arg("audit")
            .args(["--endpoint-url", endpoint])
            .args(args),
    )
    .output()
    .expect("the binary runs")
}

#[test]
fn fail_on_sets_the_exit_status() {
    let runner = Runner::new().unwrap();
    let sim = demo(&runner);
    let regions = DEMO_REGIONS.join(",");
    let base = ["--regions", regions.as_str(), "--format", "csv"];
    let high = audit_binary(
        &sim.endpoint(),
        &[&base[..], &["--fail-on", "high"]].concat(),
    );
    assert_eq!(
        high.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&high.stderr)
    );
    let none = audit_binary(&sim.endpoint(), &base);
    assert_eq!(none.status.code(), Some(0));

    let empty = crate::harness::empty_sim(&runner);
    let clean = audit_binary(
        &empty.endpoint(),
        &["--regions", "us-east-1", "--fail-on", "low"],
    );
    assert_eq!(clean.status.code(), Some(0));
}

#[test]
fn an_unreadable_region_exits_2_and_names_the_region() {
    let runner = Runner::new().unwrap();
    let config = SimConfig {
        disabled_regions: vec!["me-south-1".into()],
        ..SimConfig::default()
    };
    let sim = runner.block_on(Sim::start(config, Seed::Demo)).unwrap();
    let out = audit_binary(
        &sim.endpoint(),
        &["--regions", "us-east-1,me-south-1", "--format", "md"],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("me-south-1"), "{stderr}");
    assert!(
        !stderr.contains(TEST_SECRET_KEY)
            && !String::from_utf8_lossy(&out.stdout).contains(TEST_SECRET_KEY)
    );
}

#[test]
fn a_bad_baseline_is_a_usage_error_with_status_2() {
    let runner = Runner::new().unwrap();
    let sim = demo(&runner);
    let out = audit_binary(
        &sim.endpoint(),
        &[
            "--regions",
            "us-east-1",
            "--require-regions",
            "mars-north-1",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("mars-north-1"));
}

/// ASFF from the binary on the demo estate: a JSON array of records Security Hub takes, the
/// same Ids on a second run; OCSF's uids are those Ids.
#[test]
fn asff_and_ocsf_from_the_binary_carry_the_same_stable_ids_run_after_run() {
    let runner = Runner::new().unwrap();
    let sim = demo(&runner);
    let regions = DEMO_REGIONS.join(",");
    let run = |format: &str| -> Vec<serde_json::Value> {
        let out = audit_binary(
            &sim.endpoint(),
            &["--regions", &regions, "--format", format],
        );
        assert_ne!(
            out.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .expect("a JSON array")
            .as_array()
            .cloned()
            .unwrap()
    };
    let (first, second) = (run("asff"), run("asff"));
    assert!(!first.is_empty());
    let ids = |records: &[serde_json::Value]| -> Vec<String> {
        let mut ids: Vec<String> = records
            .iter()
            .map(|r| r["Id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&first), ids(&second), "the same findings, the same Ids");
    for record in &first {
        assert_eq!(record["AwsAccountId"], "111122223333");
        let resource = &record["Resources"][0];
        assert!(
            ["AwsKmsKey", "AwsAccount"].contains(&resource["Type"].as_str().unwrap()),
            "{record}"
        );
    }
    let ocsf = run("ocsf");
    let mut uids: Vec<String> = ocsf
        .iter()
        .map(|r| r["finding_info"]["uid"].as_str().unwrap().to_string())
        .collect();
    uids.sort();
    assert_eq!(uids, ids(&first));
}
