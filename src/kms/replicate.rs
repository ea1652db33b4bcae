//! The calls of the replicate workflow: reading the primary's policy and tags (what the console
//! would copy), ReplicateKey itself, and CreateAlias for the new replica.

use aws_sdk_kms::types::Tag as KmsTag;

use super::{KmsError, RegionClient};
use crate::domain::{KeyInfo, MrkId, ReplicateRequest, Tag};

/// What ReplicateKey answered: the replica as created (`Creating`), and the policy and tags KMS
/// actually attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaCreated {
    pub replica: KeyInfo,
    pub replica_policy: Option<String>,
    pub replica_tags: Option<Vec<Tag>>,
}

impl RegionClient {
    /// GetKeyPolicy (the only policy name KMS has is `default`).
    pub async fn key_policy(&self, key_id: &MrkId) -> Result<String, KmsError> {
        let out = self
            .sdk()
            .get_key_policy()
            .key_id(key_id.as_str())
            .policy_name("default")
            .send()
            .await
            .map_err(|e| KmsError::from_sdk(self.region(), e))?;
        Ok(out.policy().unwrap_or_default().to_string())
    }

    /// ListResourceTags over all pages.
    pub async fn tags(&self, key_id: &MrkId) -> Result<Vec<Tag>, KmsError> {
        let mut tags = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let out = self
                .sdk()
                .list_resource_tags()
                .key_id(key_id.as_str())
                .set_marker(marker.clone())
                .send()
                .await
                .map_err(|e| KmsError::from_sdk(self.region(), e))?;
            tags.extend(
                out.tags()
                    .iter()
                    .map(|t| Tag::new(t.tag_key(), t.tag_value())),
            );
            match out.next_marker() {
                Some(next) if out.truncated() && Some(next) != marker.as_deref() => {
                    marker = Some(next.to_string());
                }
                _ => return Ok(tags),
            }
        }
    }

    /// ReplicateKey, called in the primary's Region (this client's). Fields the request leaves
    /// `None` are omitted, so KMS applies its own defaults.
    pub async fn replicate_key(
        &self,
        request: &ReplicateRequest,
    ) -> Result<ReplicaCreated, KmsError> {
        let tags = request.tags.as_ref().map(|tags| {
            tags.iter()
                .filter_map(|t| {
                    KmsTag::builder()
                        .tag_key(&t.key)
                        .tag_value(&t.value)
                        .build()
                        .ok()
                })
                .collect::<Vec<_>>()
        });
        let out = self
            .sdk()
            .replicate_key()
            .key_id(request.key_id.as_str())
            .replica_region(request.target.name())
            .set_policy(request.policy.clone())
            .set_description(request.description.clone())
            .set_tags(tags)
            .bypass_policy_lockout_safety_check(request.bypass_lockout)
            .send()
            .await
            .map_err(|e| KmsError::from_sdk(self.region(), e))?;
        let meta = out.replica_key_metadata().ok_or_else(|| KmsError::Other {
            region: self.region(),
            detail: "ReplicateKey returned no ReplicaKeyMetadata".into(),
        })?;
        Ok(ReplicaCreated {
            replica: super::region_client::key_info(request.target, &request.key_id, meta),
            replica_policy: out.replica_policy().map(str::to_string),
            replica_tags: out.replica_tags.as_ref().map(|tags| {
                tags.iter()
                    .map(|t| Tag::new(t.tag_key(), t.tag_value()))
                    .collect()
            }),
        })
    }

    /// CreateAlias for a key in this client's Region.
    pub async fn create_alias(&self, alias: &str, key_id: &MrkId) -> Result<(), KmsError> {
        self.sdk()
            .create_alias()
            .alias_name(alias)
            .target_key_id(key_id.as_str())
            .send()
            .await
            .map_err(|e| KmsError::from_sdk(self.region(), e))?;
        Ok(())
    }
}
