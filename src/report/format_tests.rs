//! ASFF and OCSF records, field by field (KMS_FACTS §7): the fields Security Hub requires, within
//! their limits, the taxonomy's shape, and Ids that are the same on every run.

use serde_json::Value;

use super::audit::{AuditReport, audit_report};
use crate::domain::audit::{Finding, FindingKind, Severity};
use crate::domain::test_keys::{ID, pair_estate};
use crate::domain::{MrkId, Region};

fn region(name: &str) -> Region {
    name.parse().unwrap()
}

fn finding(kind: FindingKind, severity: Severity, r: &str, message: &str) -> Finding {
    Finding {
        severity,
        kind,
        key_id: MrkId::parse(ID),
        region: Some(region(r)),
        message: message.into(),
        subject: String::new(),
    }
}

/// A family (primary us-east-1, replica eu-west-1) and three findings, one with a message far
/// beyond ASFF's limits.
fn report(now: i64) -> AuditReport {
    let estate = pair_estate(&["alias/payments"]);
    let findings = vec![
        finding(
            FindingKind::PublicAccess,
            Severity::High,
            "eu-west-1",
            "Anyone may decrypt.",
        ),
        finding(
            FindingKind::MissingRequiredRegion,
            Severity::High,
            "ap-southeast-2",
            &"x".repeat(3_000),
        ),
        finding(
            FindingKind::ReplicaUnused,
            Severity::Low,
            "eu-west-1",
            "Not used.",
        ),
    ];
    audit_report(&estate, findings, Vec::new(), now)
}

fn asff(now: i64) -> Vec<Value> {
    super::asff::asff_records(&report(now)).unwrap()
}

#[test]
fn every_asff_record_has_the_fields_security_hub_requires_within_their_limits() {
    for record in asff(1_800_000_000) {
        for field in [
            "SchemaVersion",
            "Id",
            "ProductArn",
            "GeneratorId",
            "AwsAccountId",
            "CreatedAt",
            "UpdatedAt",
            "Title",
            "Description",
            "Resources",
            "Severity",
            "Types",
        ] {
            assert!(!record[field].is_null(), "{field} in {record}");
        }
        assert_eq!(record["SchemaVersion"], "2018-10-08");
        assert!(record["Id"].as_str().unwrap().len() <= 512);
        assert!(record["GeneratorId"].as_str().unwrap().len() <= 512);
        assert!(record["Title"].as_str().unwrap().chars().count() <= 256);
        assert!(record["Description"].as_str().unwrap().chars().count() <= 1024);
        let text = &record["Remediation"]["Recommendation"]["Text"];
        assert!(text.as_str().unwrap().chars().count() <= 512);
        assert_eq!(record["AwsAccountId"].as_str().unwrap().len(), 12);
        let arn = record["ProductArn"].as_str().unwrap();
        assert!(
            arn.starts_with("arn:aws:securityhub:")
                && arn.ends_with(":product/111122223333/default"),
            "{arn}"
        );
        for t in record["Types"].as_array().unwrap() {
            let parts: Vec<&str> = t.as_str().unwrap().split('/').collect();
            assert!(
                (1..=3).contains(&parts.len()),
                "namespace/category/classifier: {t}"
            );
            assert!(
                [
                    "Software and Configuration Checks",
                    "TTPs",
                    "Effects",
                    "Unusual Behaviors",
                    "Sensitive Data Identifications"
                ]
                .contains(&parts[0]),
                "{t}"
            );
        }
        assert!(
            ["HIGH", "MEDIUM", "LOW", "INFORMATIONAL"]
                .contains(&record["Severity"]["Label"].as_str().unwrap())
        );
        assert_eq!(record["Compliance"]["Status"], "FAILED");
        assert_eq!(record["CreatedAt"], record["UpdatedAt"]);
    }
}

#[test]
fn the_key_is_the_resource_and_a_region_without_one_names_the_primary() {
    let records = asff(1_800_000_000);
    let public = &records[0]["Resources"][0];
    assert_eq!(public["Type"], "AwsKmsKey");
    assert_eq!(
        public["Id"],
        format!("arn:aws:kms:eu-west-1:111122223333:key/{ID}")
    );
    assert_eq!(public["Region"], "eu-west-1");
    assert_eq!(public["Details"]["AwsKmsKey"]["KeyState"], "Enabled");
    let missing = &records[1]["Resources"][0];
    assert_eq!(
        missing["Id"],
        format!("arn:aws:kms:us-east-1:111122223333:key/{ID}")
    );
    assert_eq!(records[0]["Types"][1], "Effects/Data Exposure");
    assert_eq!(
        records[1]["ProductFields"]["kms-replica-console/PrimaryRegion"],
        "us-east-1"
    );
}

#[test]
fn a_finding_has_the_same_id_on_every_run_and_two_findings_two_ids() {
    let (first, later) = (asff(1_800_000_000), asff(1_900_000_000));
    let ids = |records: &[Value]| -> Vec<String> {
        records
            .iter()
            .map(|r| r["Id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&first), ids(&later));
    let mut unique = ids(&first);
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 3);
    assert_ne!(first[0]["UpdatedAt"], later[0]["UpdatedAt"]);
}

#[test]
fn a_report_without_its_account_is_refused_not_written_with_a_made_up_one() {
    let mut unknown = report(0);
    unknown.account = None;
    unknown.findings.iter_mut().for_each(|f| f.account = None);
    assert!(matches!(
        super::asff::asff_records(&unknown),
        Err(super::RenderError::NoAccount)
    ));
}

#[test]
fn every_ocsf_record_is_a_detection_finding_with_the_asff_id() {
    let r = report(1_800_000_000);
    let asff = super::asff::asff_records(&r).unwrap();
    let ocsf = super::ocsf::ocsf_records(&r).unwrap();
    assert_eq!(ocsf.len(), 3);
    for (o, a) in ocsf.iter().zip(&asff) {
        assert_eq!(o["class_uid"], 2004);
        assert_eq!(o["category_uid"], 2);
        assert_eq!(o["type_uid"], 200401);
        assert_eq!(o["activity_id"], 1);
        assert_eq!(o["metadata"]["version"], "1.5.0");
        assert_eq!(o["time"], 1_800_000_000);
        assert_eq!(o["finding_info"]["uid"], a["Id"]);
        assert_eq!(o["resources"][0]["uid"], a["Resources"][0]["Id"]);
        assert_eq!(o["cloud"]["account"]["uid"], "111122223333");
        assert_eq!(o["status_code"], "FAIL");
    }
    assert_eq!(
        (
            ocsf[0]["severity_id"].as_u64(),
            ocsf[0]["severity"].as_str()
        ),
        (Some(4), Some("High"))
    );
    assert_eq!(ocsf[2]["severity_id"], 2);
}
