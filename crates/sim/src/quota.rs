//! AWS default request quotas per Region and operation, as token buckets (one second of burst).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Requests per second, per account and Region (KMS_FACTS.md). Operations the facts do not list
/// get 5/s if they change state and 100/s if they only read: conservative stand-ins.
pub fn aws_default_rate(operation: &str) -> f64 {
    match operation {
        "ListKeys" | "ListAliases" => 500.0,
        "DescribeKey" | "ListResourceTags" => 2000.0,
        "GetKeyPolicy" => 1000.0,
        "TagResource" | "UntagResource" => 10.0,
        "ScheduleKeyDeletion" => 15.0,
        // The grant operations' own rows of the KMS request quota table.
        "CreateGrant" | "RevokeGrant" => 50.0,
        "RetireGrant" => 30.0,
        "ListGrants" => 100.0,
        "GetKeyLastUsage" => 5.0,
        // CloudTrail's, per account and Region.
        "LookupEvents" => 2.0,
        // The shared quota of symmetric cryptographic operations (the smallest Regions').
        "Encrypt" | "Decrypt" | "GenerateDataKey" | "ReEncrypt" => 10_000.0,
        op if super::ops::MUTATING.contains(&op) => 5.0,
        _ => 100.0,
    }
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

#[derive(Debug)]
pub struct Quotas {
    buckets: Mutex<HashMap<(String, String), Bucket>>,
    /// The share of each quota left to the client under test: the account's other callers are
    /// imagined to use the rest.
    share: f64,
}

impl Default for Quotas {
    fn default() -> Self {
        Quotas::with_share(1.0)
    }
}

impl Quotas {
    pub fn with_share(share: f64) -> Quotas {
        Quotas {
            buckets: Mutex::default(),
            share: share.clamp(0.001, 1.0),
        }
    }

    /// Takes `cost` requests' worth from the bucket of `(region, operation)`; false means throttle.
    pub fn take(&self, region: &str, operation: &str, cost: f64) -> bool {
        self.take_at(region, operation, cost, Instant::now())
    }

    /// As `take`, at the instant `now` (tests hold the clock still).
    fn take_at(&self, region: &str, operation: &str, cost: f64, now: Instant) -> bool {
        let rate = aws_default_rate(operation) * self.share;
        // One second of burst, and never less than one request: a bucket that can never hold a
        // whole request (a 5/s quota of which 10 % is left) would refuse every call forever.
        let burst = rate.max(1.0);
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let bucket = buckets
            .entry((region.to_string(), operation.to_string()))
            .or_insert(Bucket {
                tokens: burst,
                last: now,
            });
        bucket.tokens =
            (bucket.tokens + now.duration_since(bucket.last).as_secs_f64() * rate).min(burst);
        bucket.last = now;
        if bucket.tokens >= cost {
            bucket.tokens -= cost;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The clock is held still: a burst within one instant, however slow the machine.
    #[test]
    fn a_burst_beyond_the_quota_is_refused() {
        let quotas = Quotas::default();
        let now = Instant::now();
        let granted = (0..20)
            .filter(|_| quotas.take_at("us-east-1", "ReplicateKey", 1.0, now))
            .count();
        assert_eq!(granted, 5);
        assert!(
            quotas.take_at("eu-west-1", "ReplicateKey", 1.0, now),
            "per Region"
        );
    }

    #[test]
    fn a_share_of_the_quota_leaves_only_that_share() {
        let quotas = Quotas::with_share(0.5);
        let now = Instant::now();
        let granted = (0..3000)
            .filter(|_| quotas.take_at("us-east-1", "DescribeKey", 1.0, now))
            .count();
        assert_eq!(granted, 1000);
    }

    /// 10 % of GetKeyLastUsage's 5 per second is one call every two seconds, never none.
    #[test]
    fn a_quota_under_one_a_second_still_grants_one_call_and_refills() {
        let quotas = Quotas::with_share(0.1);
        let start = Instant::now();
        assert!(quotas.take_at("us-east-1", "GetKeyLastUsage", 1.0, start));
        assert!(!quotas.take_at("us-east-1", "GetKeyLastUsage", 1.0, start));
        let later = start + std::time::Duration::from_millis(2_100);
        assert!(quotas.take_at("us-east-1", "GetKeyLastUsage", 1.0, later));
    }

    #[test]
    fn the_bucket_refills_at_the_rate() {
        let quotas = Quotas::default();
        let start = Instant::now();
        while quotas.take_at("us-east-1", "ReplicateKey", 1.0, start) {}
        let later = start + std::time::Duration::from_millis(400);
        assert!(
            quotas.take_at("us-east-1", "ReplicateKey", 1.0, later),
            "2 tokens after 0.4 s"
        );
        assert!(quotas.take_at("us-east-1", "ReplicateKey", 1.0, later));
        assert!(!quotas.take_at("us-east-1", "ReplicateKey", 1.0, later));
    }
}
