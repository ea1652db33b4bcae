//! CloudTrail LookupEvents: the records about one key in one Region, a page at a time (its
//! quota is 2 per second per account and Region: `jobs` paces the pages). A record's
//! `CloudTrailEvent` is read for who made the call, from where, its request ID and its error.

use aws_sdk_cloudtrail::config::Region as SdkRegion;
use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use aws_smithy_types::DateTime;
use serde_json::Value;

use super::KmsError;
use super::pages::PageTokens;
use crate::domain::Region;
use crate::domain::trail::TrailEvent;

/// LookupEvents in one Region.
#[derive(Clone)]
pub struct TrailClient {
    region: Region,
    client: aws_sdk_cloudtrail::Client,
}

/// One page of a key's records, and the token of the next when there is one.
pub struct TrailPage {
    pub events: Vec<TrailEvent>,
    pub next: Option<String>,
}

impl super::AwsClients {
    /// A CloudTrail client signed for, and sent to, `region` (the same endpoint and credentials
    /// as KMS).
    pub fn trail(&self, region: Region) -> TrailClient {
        let conf = aws_sdk_cloudtrail::config::Builder::from(self.sdk_config())
            .region(SdkRegion::new(region.name()))
            .build();
        TrailClient {
            region,
            client: aws_sdk_cloudtrail::Client::from_conf(conf),
        }
    }
}

impl TrailClient {
    pub fn region(&self) -> Region {
        self.region
    }

    /// One page of the records whose resource is `key_arn`, since `since` (seconds since the
    /// Unix epoch), newest first. `tokens` follows the listing: a token sent twice stops it.
    pub async fn key_events_page(
        &self,
        key_arn: &str,
        since: i64,
        token: Option<String>,
        tokens: &mut TrailTokens,
    ) -> Result<TrailPage, KmsError> {
        let attribute = LookupAttribute::builder()
            .attribute_key(LookupAttributeKey::ResourceName)
            .attribute_value(key_arn)
            .build()
            .map_err(|e| KmsError::Other {
                region: self.region,
                detail: e.to_string(),
            })?;
        let out = self
            .client
            .lookup_events()
            .lookup_attributes(attribute)
            .start_time(DateTime::from_secs(since))
            .max_results(50)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| KmsError::from_sdk(self.region, e))?;
        let events = out.events().iter().filter_map(|e| self.event(e)).collect();
        let next = tokens
            .0
            .next(out.next_token(), true)
            .map_err(|e| KmsError::Other {
                region: self.region,
                detail: e.to_string(),
            })?;
        Ok(TrailPage { events, next })
    }

    fn event(&self, e: &aws_sdk_cloudtrail::types::Event) -> Option<TrailEvent> {
        let record: Value = e
            .cloud_trail_event()
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or(Value::Null);
        let text = |v: &Value| v.as_str().map(str::to_string);
        Some(TrailEvent {
            time: e.event_time()?.secs(),
            region: text(&record["awsRegion"]).unwrap_or_else(|| self.region.name().to_string()),
            account: text(&record["recipientAccountId"]).unwrap_or_default(),
            event_name: e.event_name()?.to_string(),
            identity_arn: text(&record["userIdentity"]["arn"]),
            source_ip: text(&record["sourceIPAddress"]),
            error_code: text(&record["errorCode"]),
            request_id: text(&record["requestID"]),
            event_id: e.event_id()?.to_string(),
        })
    }
}

/// The tokens one key's listing in one Region has been given.
pub struct TrailTokens(PageTokens);

impl Default for TrailTokens {
    fn default() -> Self {
        TrailTokens(PageTokens::new("LookupEvents"))
    }
}
