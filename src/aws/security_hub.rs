//! Security Hub BatchImportFindings (KMS_FACTS §7): the report's ASFF records turned into the
//! SDK's findings, at most 100 a call. The records are made by `report` (ASFF is a report
//! format); this only carries them, and says which Security Hub refused.

use std::collections::HashMap;

use aws_sdk_securityhub::config::Region as SdkRegion;
use aws_sdk_securityhub::types::{
    AwsKmsKeyDetails, AwsSecurityFinding, Compliance, ComplianceStatus, Partition, Recommendation,
    RecordState, Remediation, Resource, ResourceDetails, Severity, SeverityLabel,
};
use serde_json::Value;

use super::KmsError;
use crate::domain::Region;

/// BatchImportFindings' limit per call.
pub const FINDINGS_PER_CALL: usize = 100;

/// Security Hub in one Region.
#[derive(Clone)]
pub struct HubClient {
    region: Region,
    client: aws_sdk_securityhub::Client,
}

/// What one BatchImportFindings took, and what it refused (the finding's Id, and why).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    pub succeeded: usize,
    pub failed: Vec<(String, String)>,
}

impl super::AwsClients {
    /// Security Hub signed for, and sent to, `region` (the same endpoint and credentials).
    pub fn security_hub(&self, region: Region) -> HubClient {
        let conf = aws_sdk_securityhub::config::Builder::from(self.sdk_config())
            .region(SdkRegion::new(region.name()))
            .build();
        HubClient {
            region,
            client: aws_sdk_securityhub::Client::from_conf(conf),
        }
    }
}

impl HubClient {
    /// BatchImportFindings of `records` (ASFF, at most `FINDINGS_PER_CALL`).
    pub async fn import(&self, records: &[Value]) -> Result<Imported, KmsError> {
        let findings: Vec<AwsSecurityFinding> = records.iter().map(finding_of).collect();
        let out = self
            .client
            .batch_import_findings()
            .set_findings(Some(findings))
            .send()
            .await
            .map_err(|e| KmsError::from_sdk(self.region, e))?;
        Ok(Imported {
            succeeded: usize::try_from(out.success_count().unwrap_or(0)).unwrap_or(0),
            failed: out
                .failed_findings()
                .iter()
                .map(|f| {
                    let why = format!(
                        "{}: {}",
                        f.error_code().unwrap_or("Unknown"),
                        f.error_message().unwrap_or_default()
                    );
                    (f.id().unwrap_or_default().to_string(), why)
                })
                .collect(),
        })
    }
}

/// An ASFF record (as `report::asff_records` writes it) as the SDK's finding.
fn finding_of(v: &Value) -> AwsSecurityFinding {
    let text = |field: &str| v[field].as_str().map(str::to_string);
    let resources = v["Resources"]
        .as_array()
        .into_iter()
        .flatten()
        .map(resource_of)
        .collect();
    let product_fields: HashMap<String, String> = v["ProductFields"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect();
    AwsSecurityFinding::builder()
        .set_schema_version(text("SchemaVersion"))
        .set_id(text("Id"))
        .set_product_arn(text("ProductArn"))
        .set_generator_id(text("GeneratorId"))
        .set_aws_account_id(text("AwsAccountId"))
        .set_types(v["Types"].as_array().map(|t| {
            t.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        }))
        .set_created_at(text("CreatedAt"))
        .set_updated_at(text("UpdatedAt"))
        .severity(
            Severity::builder()
                .label(SeverityLabel::from(
                    v["Severity"]["Label"].as_str().unwrap_or("INFORMATIONAL"),
                ))
                .build(),
        )
        .set_title(text("Title"))
        .set_description(text("Description"))
        .set_resources(Some(resources))
        .compliance(
            Compliance::builder()
                .status(ComplianceStatus::from(
                    v["Compliance"]["Status"].as_str().unwrap_or("FAILED"),
                ))
                .build(),
        )
        .remediation(
            Remediation::builder()
                .recommendation(
                    Recommendation::builder()
                        .set_text(
                            v["Remediation"]["Recommendation"]["Text"]
                                .as_str()
                                .map(str::to_string),
                        )
                        .build(),
                )
                .build(),
        )
        .set_product_fields(Some(product_fields))
        .record_state(RecordState::from(
            v["RecordState"].as_str().unwrap_or("ACTIVE"),
        ))
        .build()
}

fn resource_of(r: &Value) -> Resource {
    let text = |v: &Value| v.as_str().map(str::to_string);
    let kms = &r["Details"]["AwsKmsKey"];
    let details = (!kms.is_null()).then(|| {
        ResourceDetails::builder()
            .aws_kms_key(
                AwsKmsKeyDetails::builder()
                    .set_aws_account_id(text(&kms["AWSAccountId"]))
                    .set_key_id(text(&kms["KeyId"]))
                    .set_key_manager(text(&kms["KeyManager"]))
                    .set_key_state(text(&kms["KeyState"]))
                    .build(),
            )
            .build()
    });
    Resource::builder()
        .set_type(text(&r["Type"]))
        .set_id(text(&r["Id"]))
        .set_partition(r["Partition"].as_str().map(Partition::from))
        .set_region(text(&r["Region"]))
        .set_details(details)
        .build()
}
