//! The calls a plan's apply makes besides ReplicateKey, CreateAlias and ScheduleKeyDeletion:
//! PutKeyPolicy, TagResource, UntagResource, UpdateKeyDescription. Each returns KMS's request
//! ID for the journal.

use aws_sdk_kms::operation::RequestId;

use super::{KmsError, RegionClient};
use crate::domain::{MrkId, Tag};

impl RegionClient {
    pub async fn put_key_policy(
        &self,
        key_id: &MrkId,
        policy: &str,
    ) -> Result<Option<String>, KmsError> {
        self.sdk()
            .put_key_policy()
            .key_id(key_id.as_str())
            .policy_name("default")
            .policy(policy)
            .send()
            .await
            .map(|o| o.request_id().map(str::to_string))
            .map_err(|e| KmsError::from_sdk(self.region(), e))
    }

    pub async fn tag_resource(
        &self,
        key_id: &MrkId,
        tags: &[Tag],
    ) -> Result<Option<String>, KmsError> {
        let tags = super::replicate::sdk_tags(tags);
        self.sdk()
            .tag_resource()
            .key_id(key_id.as_str())
            .set_tags(Some(tags))
            .send()
            .await
            .map(|o| o.request_id().map(str::to_string))
            .map_err(|e| KmsError::from_sdk(self.region(), e))
    }

    pub async fn untag_resource(
        &self,
        key_id: &MrkId,
        keys: &[String],
    ) -> Result<Option<String>, KmsError> {
        self.sdk()
            .untag_resource()
            .key_id(key_id.as_str())
            .set_tag_keys(Some(keys.to_vec()))
            .send()
            .await
            .map(|o| o.request_id().map(str::to_string))
            .map_err(|e| KmsError::from_sdk(self.region(), e))
    }

    pub async fn update_description(
        &self,
        key_id: &MrkId,
        description: &str,
    ) -> Result<Option<String>, KmsError> {
        self.sdk()
            .update_key_description()
            .key_id(key_id.as_str())
            .description(description)
            .send()
            .await
            .map(|o| o.request_id().map(str::to_string))
            .map_err(|e| KmsError::from_sdk(self.region(), e))
    }
}
