//! The read calls of a scan, for one Region: ListKeys, ListAliases, DescribeKey.
//!
//! Each returns domain types; SDK shapes stop here.

use aws_sdk_kms::Client;
use aws_sdk_kms::types::{
    KeyMetadata, MultiRegionConfiguration, MultiRegionKey, MultiRegionKeyType,
};

use super::KmsError;
use super::pages::{PageTokens, RepeatedToken};
use crate::domain::{KeyInfo, KeyState, MrkId, MultiRegionConfig, Region, RelatedKey, Role};

/// ListKeys and ListAliases accept up to 1,000 entries a page; the largest page means the fewest
/// requests against a quota of 500 per second.
const PAGE_SIZE: i32 = 1000;

/// A KMS client bound to one Region.
#[derive(Debug, Clone)]
pub struct RegionClient {
    region: Region,
    client: Client,
}

impl RegionClient {
    /// Binds an already configured client (tests pass `aws-smithy-mocks` clients this way).
    pub fn new(region: Region, client: Client) -> RegionClient {
        RegionClient { region, client }
    }

    pub fn region(&self) -> Region {
        self.region
    }

    /// The same client with the SDK's retries turned off, for calls paced by the caller: a
    /// throttle must reach the pace that caused it, not be retried blindly underneath it.
    pub fn single_attempt(&self) -> RegionClient {
        let config = self
            .client
            .config()
            .to_builder()
            .retry_config(aws_sdk_kms::config::retry::RetryConfig::disabled())
            .build();
        RegionClient {
            region: self.region,
            client: Client::from_conf(config),
        }
    }

    pub(super) fn sdk(&self) -> &Client {
        &self.client
    }

    /// Every multi-Region key ID in the Region, over all ListKeys pages. Single-Region keys are
    /// dropped here: only `mrk-` IDs can belong to a family.
    pub async fn list_mrk_ids(&self) -> Result<Vec<MrkId>, KmsError> {
        let mut pages = PageTokens::new("ListKeys");
        let mut marker: Option<String> = None;
        let mut ids = Vec::new();
        loop {
            let page = self
                .client
                .list_keys()
                .limit(PAGE_SIZE)
                .set_marker(marker.take())
                .send()
                .await
                .map_err(|e| KmsError::from_sdk(self.region, e))?;
            ids.extend(
                page.keys()
                    .iter()
                    .filter_map(|k| k.key_id())
                    .filter_map(MrkId::parse),
            );
            marker = pages
                .next(page.next_marker(), page.truncated())
                .map_err(|e| self.listing_error(e))?;
            if marker.is_none() {
                break;
            }
        }
        ids.sort();
        ids.dedup();
        Ok(ids)
    }

    /// `(alias name, target key ID)` for every alias in the Region that points at a key.
    pub async fn list_aliases(&self) -> Result<Vec<(String, String)>, KmsError> {
        let mut pages = PageTokens::new("ListAliases");
        let mut marker: Option<String> = None;
        let mut aliases = Vec::new();
        loop {
            let page = self
                .client
                .list_aliases()
                .limit(PAGE_SIZE)
                .set_marker(marker.take())
                .send()
                .await
                .map_err(|e| KmsError::from_sdk(self.region, e))?;
            aliases.extend(page.aliases().iter().filter_map(|a| {
                Some((a.alias_name()?.to_string(), a.target_key_id()?.to_string()))
            }));
            marker = pages
                .next(page.next_marker(), page.truncated())
                .map_err(|e| self.listing_error(e))?;
            if marker.is_none() {
                return Ok(aliases);
            }
        }
    }

    /// A listing stopped on a repeated page token, as this Region's error.
    pub(super) fn listing_error(&self, e: RepeatedToken) -> KmsError {
        KmsError::Other {
            region: self.region,
            detail: e.to_string(),
        }
    }

    /// DescribeKey of one multi-Region key in this Region.
    pub async fn describe_key(&self, key_id: &MrkId) -> Result<KeyInfo, KmsError> {
        let out = self
            .client
            .describe_key()
            .key_id(key_id.as_str())
            .send()
            .await
            .map_err(|e| KmsError::from_sdk(self.region, e))?;
        let meta = out.key_metadata().ok_or_else(|| KmsError::Other {
            region: self.region,
            detail: format!("DescribeKey of {key_id} returned no KeyMetadata"),
        })?;
        Ok(key_info(self.region, key_id, meta))
    }
}

pub(super) fn key_info(region: Region, key_id: &MrkId, meta: &KeyMetadata) -> KeyInfo {
    KeyInfo {
        key_id: key_id.clone(),
        region,
        arn: meta.arn().unwrap_or_default().to_string(),
        state: meta
            .key_state()
            .map(|s| KeyState::from_kms(s.as_str()))
            .unwrap_or_else(|| KeyState::Other("unknown".into())),
        enabled: meta.enabled(),
        description: meta.description().unwrap_or_default().to_string(),
        key_spec: meta
            .key_spec()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        key_usage: meta
            .key_usage()
            .map(|u| u.as_str().to_string())
            .unwrap_or_default(),
        origin: meta
            .origin()
            .map(|o| o.as_str().to_string())
            .unwrap_or_default(),
        created: meta.creation_date().map(|d| d.secs()),
        deletion_date: meta.deletion_date().map(|d| d.secs()),
        valid_to: meta.valid_to().map(|d| d.secs()),
        expiration_model: meta.expiration_model().map(|m| m.as_str().to_string()),
        multi_region: meta
            .multi_region_configuration()
            .map(|c| multi_region_config(meta.arn(), c)),
    }
}

fn multi_region_config(own_arn: Option<&str>, c: &MultiRegionConfiguration) -> MultiRegionConfig {
    let primary = c.primary_key().and_then(related);
    // `PrimaryKey` is the authority on which key is primary, when both ARNs are known: moto
    // reports a primary as REPLICA after its replicas are described (a shared in-memory object)
    // and a new replica as PRIMARY in ReplicateKey's response.
    let role = match (own_arn, &primary) {
        (Some(own), Some(p)) if p.arn == own => Role::Primary,
        (Some(_), Some(_)) => Role::Replica,
        _ => match c.multi_region_key_type() {
            Some(MultiRegionKeyType::Replica) => Role::Replica,
            _ => Role::Primary,
        },
    };
    MultiRegionConfig {
        role,
        primary,
        replicas: c.replica_keys().iter().filter_map(related).collect(),
    }
}

fn related(key: &MultiRegionKey) -> Option<RelatedKey> {
    Some(RelatedKey {
        arn: key.arn()?.to_string(),
        region: key.region()?.to_string(),
    })
}
