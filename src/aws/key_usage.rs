//! GetKeyLastUsage: one key's last successful cryptographic operation, as KMS tracks it for each
//! key of a family on its own. Never part of a plain scan (its quota is 5 per second per
//! account and Region): the Usage view, the details panel and `audit --usage` ask for it.

use super::{KmsError, RegionClient};
use crate::domain::MrkId;
use crate::domain::usage::{KeyUsage, LastUse};

impl RegionClient {
    /// GetKeyLastUsage of `key_id` in this Region. An unused key answers an empty
    /// `KeyLastUsage` (no operation, no time): that is `last: None`, not an error.
    pub async fn key_usage(&self, key_id: &MrkId) -> Result<KeyUsage, KmsError> {
        let out = self
            .sdk()
            .get_key_last_usage()
            .key_id(key_id.as_str())
            .send()
            .await
            .map_err(|e| KmsError::from_sdk(self.region(), e))?;
        let created = out.key_creation_date().map(|d| d.secs());
        let last = out.key_last_usage().and_then(|data| {
            Some(LastUse {
                operation: data.operation()?.as_str().to_string(),
                at: data.timestamp()?.secs(),
                cloudtrail_event_id: data.cloud_trail_event_id().map(str::to_string),
                kms_request_id: data.kms_request_id().map(str::to_string),
            })
        });
        Ok(KeyUsage {
            last,
            // Absent only from a KMS that breaks its own model: the creation date is then the
            // honest start (nothing before it can be claimed).
            tracking_start: out
                .tracking_start_date()
                .map(|d| d.secs())
                .or(created)
                .unwrap_or_default(),
            created,
        })
    }
}
