//! `audit --format asff`: each finding as an AWS Security Finding Format record (KMS_FACTS §7),
//! ready for Security Hub's BatchImportFindings — a stable `Id` (the same finding has the same Id
//! on every run, whoever runs it), the custom product of the account and Region, the ASFF
//! taxonomy, every field within its limit, the key as an `AwsKmsKey` resource.

use serde_json::{Value, json};

use super::RenderError;
use super::audit::{AuditReport, InAccount};
use super::coverage::FamilyReport;
use crate::domain::audit::{Finding, FindingKind, Severity};

/// The generator of every finding, and the prefix of their Ids.
pub const GENERATOR: &str = "kms-replica-console";

/// The ASFF schema this writes.
const SCHEMA_VERSION: &str = "2018-10-08";

/// A finding's stable identity: its kind, account, key, Region and what makes it itself among
/// others of its kind there — the history's fingerprint — hashed to a fixed length.
pub fn stable_id(finding: &Finding, account: &str) -> String {
    stable_id_of_print(finding.kind, &print_of(finding, account))
}

/// The Id of the finding of `kind` whose history fingerprint is `print`.
fn stable_id_of_print(kind: FindingKind, print: &str) -> String {
    let digest = crate::domain::plan::sha256(print);
    format!("{GENERATOR}/{}/{}", kind.name(), &digest[..32])
}

fn print_of(finding: &Finding, account: &str) -> String {
    crate::domain::history::fingerprint(
        &finding.kind.name(),
        account,
        &finding
            .key_id
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        &finding
            .region
            .map(|r| r.name().to_string())
            .unwrap_or_default(),
        &finding.subject,
    )
}

/// `text` cut to at most `max` characters, on a character boundary, marked when cut.
fn within(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn label(severity: Severity) -> &'static str {
    match severity {
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
        Severity::Info => "INFORMATIONAL",
    }
}

/// The ASFF taxonomy (`namespace/category/classifier`): every finding is a configuration check;
/// access beyond what the primary allows is also a data-exposure effect.
fn types(kind: FindingKind) -> Vec<&'static str> {
    let mut types = vec!["Software and Configuration Checks/AWS Security Best Practices"];
    if matches!(kind, FindingKind::PublicAccess | FindingKind::GrantExtra) {
        types.push("Effects/Data Exposure");
    }
    types
}

/// A finding title in words: "Replica unused: mrk-… in eu-west-1".
fn title(finding: &Finding) -> String {
    let mut kind = finding.kind.name().replace('-', " ");
    if let Some(first) = kind.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    let key = finding
        .key_id
        .as_ref()
        .map(|k| format!(": {k}"))
        .unwrap_or_default();
    let region = finding
        .region
        .map(|r| format!(" in {r}"))
        .unwrap_or_default();
    within(&format!("{kind}{key}{region}"), 256)
}

/// The resource a finding is about: the key in the finding's Region, else the family's primary
/// (a Region with no key of the family), else the account (a Region that could not be read).
fn resource(
    finding: &Finding,
    family: Option<&FamilyReport>,
    account: &str,
    partition: &str,
) -> Value {
    let region = finding.region.map(|r| r.name().to_string());
    let cell = family.and_then(|f| {
        f.cells
            .iter()
            .find(|c| Some(c.region.name().to_string()) == region && c.arn.is_some())
            .or_else(|| {
                f.cells.iter().find(|c| {
                    Some(c.region.name().to_string()) == f.primary_region && c.arn.is_some()
                })
            })
    });
    let Some(cell) = cell else {
        return json!({
            "Type": "AwsAccount",
            "Id": format!("AWS::::Account:{account}"),
            "Partition": partition,
            "Region": region.unwrap_or_else(|| "us-east-1".into()),
        });
    };
    let mut details = json!({
        "AWSAccountId": account,
        "KeyId": finding.key_id.as_ref().map(ToString::to_string).unwrap_or_default(),
        "KeyManager": "CUSTOMER",
    });
    if let Some(state) = &cell.state {
        details["KeyState"] = json!(state);
    }
    json!({
        "Type": "AwsKmsKey",
        "Id": cell.arn,
        "Partition": partition,
        "Region": cell.region.name(),
        "Details": { "AwsKmsKey": details },
    })
}

/// One finding as an ASFF record, or why it cannot be one (no account to name).
fn record(
    report: &AuditReport,
    finding: &InAccount<Finding>,
    partition: &str,
) -> Result<Value, RenderError> {
    let account = finding
        .account
        .as_deref()
        .or(report.account.as_deref())
        .filter(|a| a.len() == 12)
        .ok_or(RenderError::NoAccount)?;
    let f = &finding.item;
    let family = f.key_id.as_ref().and_then(|id| {
        report.coverage.families.iter().find(|fam| {
            fam.key_id == id.as_str() && fam.account.as_deref().is_none_or(|a| a == account)
        })
    });
    let resource = resource(f, family, account, partition);
    let region = resource["Region"]
        .as_str()
        .unwrap_or("us-east-1")
        .to_string();
    let mut fields = json!({
        "kms-replica-console/Kind": f.kind.name(),
    });
    if let Some(family) = family {
        fields["kms-replica-console/Family"] = json!(family.key_id);
        if let Some(primary) = &family.primary_region {
            fields["kms-replica-console/PrimaryRegion"] = json!(primary);
        }
        if let Some(alias) = &family.alias {
            fields["kms-replica-console/Alias"] = json!(within(alias, 2048));
        }
    }
    Ok(json!({
        "SchemaVersion": SCHEMA_VERSION,
        "Id": stable_id(f, account),
        "ProductArn": format!("arn:{partition}:securityhub:{region}:{account}:product/{account}/default"),
        "GeneratorId": format!("{GENERATOR}/{}", f.kind.name()),
        "AwsAccountId": account,
        "Types": types(f.kind),
        "CreatedAt": report.generated_at,
        "UpdatedAt": report.generated_at,
        "Severity": { "Label": label(f.severity) },
        "Title": title(f),
        "Description": within(&f.message, 1024),
        "Resources": [resource],
        "Compliance": { "Status": "FAILED" },
        "Remediation": { "Recommendation": { "Text": within(&f.message, 512) } },
        "ProductFields": fields,
        "RecordState": "ACTIVE",
    }))
}

/// Every finding of `report` as an ASFF record.
pub fn asff_records(report: &AuditReport) -> Result<Vec<Value>, RenderError> {
    let partition = report.partition.as_deref().unwrap_or("aws");
    report
        .findings
        .iter()
        .map(|f| record(report, f, partition))
        .collect()
}

/// The report as a JSON array of ASFF records.
pub fn asff(report: &AuditReport) -> Result<String, RenderError> {
    Ok(serde_json::to_string_pretty(&asff_records(report)?)?)
}

/// The findings of `before` (an earlier audited snapshot of the account) that `now` no longer
/// has, where `now` looked again (their Region read, their key audited): as ASFF records that
/// resolve them — the same Id, a newer `UpdatedAt`, `Compliance.Status` PASSED and
/// `RecordState` ARCHIVED (KMS_FACTS §7).
pub fn resolved_records(
    before: &crate::domain::history::SnapshotFacts,
    now: &crate::domain::history::SnapshotFacts,
    partition: &str,
    at: &str,
) -> Vec<Value> {
    let (Some(then), Some(current)) = (&before.findings, &now.findings) else {
        return Vec::new();
    };
    let account = &now.account;
    then.iter()
        .filter(|(print, _)| !current.contains_key(*print))
        .filter(|(_, f)| f.region.is_empty() || now.scanned.contains(&f.region))
        .filter(|(_, f)| !now.gaps.contains(&(f.key_id.clone(), f.region.clone())))
        .filter_map(|(print, f)| {
            let kind: FindingKind = serde_json::from_value(json!(f.kind)).ok()?;
            let region = if f.region.is_empty() { "us-east-1" } else { &f.region };
            let print = print.split('#').next().unwrap_or(print);
            let resource = match f.key_id.is_empty() {
                true => json!({
                    "Type": "AwsAccount",
                    "Id": format!("AWS::::Account:{account}"),
                    "Partition": partition,
                    "Region": region,
                }),
                false => json!({
                    "Type": "AwsKmsKey",
                    "Id": format!("arn:{partition}:kms:{region}:{account}:key/{}", f.key_id),
                    "Partition": partition,
                    "Region": region,
                }),
            };
            Some(json!({
                "SchemaVersion": SCHEMA_VERSION,
                "Id": stable_id_of_print(kind, print),
                "ProductArn": format!("arn:{partition}:securityhub:{region}:{account}:product/{account}/default"),
                "GeneratorId": format!("{GENERATOR}/{}", f.kind),
                "AwsAccountId": account,
                "Types": types(kind),
                "CreatedAt": at,
                "UpdatedAt": at,
                "Severity": { "Label": f.severity.to_uppercase().replace("INFO", "INFORMATIONAL") },
                "Title": within(&format!("Resolved: {}", f.message), 256),
                "Description": within(&f.message, 1024),
                "Resources": [resource],
                "Compliance": { "Status": "PASSED" },
                "Remediation": { "Recommendation": { "Text": "Resolved: a later audit no longer finds it." } },
                "ProductFields": { "kms-replica-console/Kind": f.kind },
                "RecordState": "ARCHIVED",
            }))
        })
        .collect()
}
