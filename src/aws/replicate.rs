//! The calls that create a replica: ReplicateKey itself, and CreateAlias for the new replica.

use aws_sdk_kms::operation::RequestId;
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
    /// KMS's request ID for the call, for the journal.
    pub request_id: Option<String>,
}

impl RegionClient {
    /// ReplicateKey, called in the primary's Region (this client's). Fields the request leaves
    /// `None` are omitted, so KMS applies its own defaults.
    pub async fn replicate_key(
        &self,
        request: &ReplicateRequest,
    ) -> Result<ReplicaCreated, KmsError> {
        let tags = request.tags.as_deref().map(sdk_tags);
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
            request_id: out.request_id().map(str::to_string),
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

/// Tags as the SDK takes them.
pub(super) fn sdk_tags(tags: &[Tag]) -> Vec<KmsTag> {
    tags.iter()
        .filter_map(|t| {
            KmsTag::builder()
                .tag_key(&t.key)
                .tag_value(&t.value)
                .build()
                .ok()
        })
        .collect()
}
