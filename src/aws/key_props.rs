//! Reads of the per-key properties KMS does not synchronise between a primary and its replicas:
//! the key policy (GetKeyPolicy) and the tags (ListResourceTags, every page). The audit, the
//! details panel, the tag filter and the replicate dialog all read them through these.

use super::pages::PageTokens;
use super::{KmsError, RegionClient};
use crate::domain::{MrkId, Tag};

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
        let mut pages = PageTokens::new("ListResourceTags");
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
            marker = pages
                .next(out.next_marker(), out.truncated())
                .map_err(|e| self.listing_error(e))?;
            if marker.is_none() {
                return Ok(tags);
            }
        }
    }
}
