//! Sending ASFF records to Security Hub: each in the Region its `ProductArn` names, at most 100
//! a call, no faster than its quota (10 per second per account and Region), every Region at
//! once. Every refusal is kept with its finding's Id: a caller must not report success.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use crate::aws::{AwsClients, FINDINGS_PER_CALL};
use crate::domain::Region;

/// BatchImportFindings per second, per account and Region.
const CALLS_PER_SECOND: f64 = 10.0;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HubImport {
    pub imported: usize,
    /// (finding Id, why) for each finding Security Hub refused.
    pub refused: Vec<(String, String)>,
    /// Calls that failed whole: (Region, why).
    pub failed_calls: Vec<(String, String)>,
}

impl HubImport {
    pub fn is_complete(&self) -> bool {
        self.refused.is_empty() && self.failed_calls.is_empty()
    }
}

/// The Region a record's `ProductArn` names (`arn:aws:securityhub:REGION:…`).
fn region_of(record: &Value) -> Option<Region> {
    record["ProductArn"]
        .as_str()?
        .split(':')
        .nth(3)?
        .parse()
        .ok()
}

/// Imports `records` (ASFF) into Security Hub, Region by Region.
pub async fn import_findings(clients: &AwsClients, records: Vec<Value>) -> HubImport {
    let mut by_region: BTreeMap<Region, Vec<Value>> = BTreeMap::new();
    let mut outcome = HubImport::default();
    for record in records {
        match region_of(&record) {
            Some(region) => by_region.entry(region).or_default().push(record),
            None => outcome.refused.push((
                record["Id"].as_str().unwrap_or_default().to_string(),
                "its ProductArn names no known Region".into(),
            )),
        }
    }
    let spacing = Duration::from_secs_f64(1.0 / CALLS_PER_SECOND);
    let sends = by_region.into_iter().map(|(region, records)| {
        let hub = clients.security_hub(region);
        async move {
            let mut part = HubImport::default();
            for chunk in records.chunks(FINDINGS_PER_CALL) {
                let started = tokio::time::Instant::now();
                match hub.import(chunk).await {
                    Ok(done) => {
                        part.imported += done.succeeded;
                        part.refused.extend(done.failed);
                    }
                    Err(e) => part.failed_calls.push((region.to_string(), e.to_string())),
                }
                tokio::time::sleep_until(started + spacing).await;
            }
            part
        }
    });
    for part in futures::future::join_all(sends).await {
        outcome.imported += part.imported;
        outcome.refused.extend(part.refused);
        outcome.failed_calls.extend(part.failed_calls);
    }
    outcome
}
