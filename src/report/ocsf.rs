//! `audit --format ocsf`: each finding as an OCSF Detection Finding (class 2004, schema 1.5.0),
//! shaped as Prowler writes them (KMS_FACTS §7) so tools that read OCSF take them as they are:
//! the same stable `finding_info.uid` as the ASFF `Id`, severity and status ids, the key as a
//! resource, the account under `cloud.account`.

use serde_json::{Value, json};

use super::RenderError;
use super::asff::{GENERATOR, stable_id};
use super::audit::AuditReport;
use crate::domain::audit::Severity;

/// OCSF severity: 1 Informational, 2 Low, 3 Medium, 4 High (5 Critical is not used).
fn severity(severity: Severity) -> (u8, &'static str) {
    match severity {
        Severity::Info => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
    }
}

/// Every finding of `report` as a Detection Finding.
pub fn ocsf_records(report: &AuditReport) -> Result<Vec<Value>, RenderError> {
    let partition = report.partition.as_deref().unwrap_or("aws");
    let asff = super::asff::asff_records(report)?;
    let time = report.generated_epoch;
    Ok(report
        .findings
        .iter()
        .zip(asff)
        .map(|(finding, asff)| {
            let f = &finding.item;
            let account = asff["AwsAccountId"].as_str().unwrap_or_default().to_string();
            let resource = &asff["Resources"][0];
            let region = resource["Region"].as_str().unwrap_or_default().to_string();
            let (severity_id, severity_name) = severity(f.severity);
            let kind = f.kind.name();
            json!({
                "metadata": {
                    "version": "1.5.0",
                    "product": {
                        "name": GENERATOR,
                        "uid": GENERATOR,
                        "vendor_name": GENERATOR,
                        "version": env!("CARGO_PKG_VERSION"),
                    },
                    "event_code": kind,
                    "profiles": ["cloud", "datetime"],
                    "tenant_uid": account,
                },
                "category_uid": 2,
                "category_name": "Findings",
                "class_uid": 2004,
                "class_name": "Detection Finding",
                "activity_id": 1,
                "activity_name": "Create",
                "type_uid": 200401,
                "type_name": "Detection Finding: Create",
                "time": time,
                "time_dt": report.generated_at,
                "severity_id": severity_id,
                "severity": severity_name,
                "status_id": 1,
                "status": "New",
                "status_code": "FAIL",
                "status_detail": f.message,
                "message": f.message,
                "finding_info": {
                    "uid": stable_id(f, &account),
                    "title": asff["Title"],
                    "desc": f.message,
                    "types": asff["Types"],
                    "created_time": time,
                    "created_time_dt": report.generated_at,
                    "analytic": {
                        "name": kind,
                        "uid": format!("{GENERATOR}/{kind}"),
                        "type_id": 1,
                        "type": "Rule",
                        "category": "kms",
                    },
                },
                "resources": [{
                    "uid": resource["Id"],
                    "name": f.key_id.as_ref().map(ToString::to_string),
                    "type": resource["Type"],
                    "region": region,
                    "cloud_partition": partition,
                    "group": { "name": "kms" },
                    "labels": [],
                    "data": { "details": resource["Details"] },
                }],
                "cloud": {
                    "provider": "aws",
                    "region": region,
                    "account": { "uid": account, "type_id": 10, "type": "AWS Account" },
                },
                "remediation": { "desc": asff["Remediation"]["Recommendation"]["Text"], "references": [] },
                "unmapped": asff["ProductFields"],
            })
        })
        .collect())
}

/// The report as a JSON array of Detection Findings.
pub fn ocsf(report: &AuditReport) -> Result<String, RenderError> {
    Ok(serde_json::to_string_pretty(&ocsf_records(report)?)?)
}
