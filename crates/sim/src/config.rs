//! The simulator's knobs: account, timing, realism (latency, quotas, faults), disabled Regions.

use std::str::FromStr;
use std::time::Duration;

use super::model::Delays;

/// What to inject, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// HTTP 500 `KMSInternalException`.
    Internal,
    /// No answer until the client gives up (the server answers 500 after ten minutes).
    Hang,
    /// The server acts on the request, then closes the connection without answering.
    Drop,
    /// `ThrottlingException`, whatever the quota says.
    Throttle,
    /// `AccessDeniedException`, as when IAM denies the caller in one Region.
    Deny,
}

/// A fault injected into a share of the requests, optionally only in one Region or operation.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    pub kind: FaultKind,
    /// Probability per matching request, 0–1.
    pub rate: f64,
    pub region: Option<String>,
    pub operation: Option<String>,
}

impl FaultRule {
    pub fn matches(&self, region: &str, operation: &str) -> bool {
        self.region.as_deref().is_none_or(|r| r == region)
            && self.operation.as_deref().is_none_or(|o| o == operation)
    }
}

/// A knob the simulator refuses, in words that name the flag: a knob that would make it lie
/// quietly (a fault that never fires, a clock that panics) is an error, never ignored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadKnob(pub String);

/// `KIND:RATE[:REGION[:OPERATION]]`, e.g. `internal:0.2`, `drop:1:eu-west-1:ReplicateKey`,
/// `hang:0.1::DescribeKey`.
impl FromStr for FaultRule {
    type Err = BadKnob;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split(':').collect();
        let kind = match parts.first().copied() {
            Some("internal") => FaultKind::Internal,
            Some("hang") => FaultKind::Hang,
            Some("drop") => FaultKind::Drop,
            Some("throttle") => FaultKind::Throttle,
            Some("deny") => FaultKind::Deny,
            _ => {
                return Err(BadKnob(format!(
                    "fault '{s}': the kind must be internal, hang, drop, throttle or deny"
                )));
            }
        };
        let rate: f64 = parts
            .get(1)
            .and_then(|r| r.parse().ok())
            .filter(|r: &f64| (0.0..=1.0).contains(r))
            .ok_or_else(|| {
                BadKnob(format!(
                    "fault '{s}': the rate must be a number from 0 to 1"
                ))
            })?;
        let field = |i: usize| {
            parts
                .get(i)
                .filter(|p| !p.is_empty())
                .map(|p| p.to_string())
        };
        if parts.len() > 4 {
            return Err(BadKnob(format!(
                "fault '{s}': expected KIND:RATE[:REGION[:OPERATION]]"
            )));
        }
        Ok(FaultRule {
            kind,
            rate,
            region: field(2),
            operation: field(3),
        })
    }
}

#[derive(Debug, Clone)]
pub struct SimConfig {
    pub account_id: String,
    /// 0 picks a free port. The simulator always binds 127.0.0.1.
    pub port: u16,
    pub delays: Delays,
    /// Simulated seconds per real second.
    pub clock_speed: f64,
    /// Added before every KMS answer.
    pub latency: Duration,
    /// Enforce the AWS default request quotas per Region and operation.
    pub quotas: bool,
    /// With `quotas`, the share of each quota left to the client (1.0: all of it); the account's
    /// other callers are imagined to use the rest.
    pub quota_share: f64,
    pub faults: Vec<FaultRule>,
    /// Opt-in Regions the simulated account has not enabled: every call there is refused.
    pub disabled_regions: Vec<String>,
    /// Largest request body accepted.
    pub max_body_bytes: usize,
    /// Key IDs from a generator seeded with this, the same on every run (image snapshots); KMS's
    /// own are random, and so are the simulator's without it.
    pub key_id_seed: Option<u64>,
    /// Where the simulated clock starts, in seconds since the Unix epoch (the real time
    /// without it): with `key_id_seed`, every run shows the same dates (image snapshots).
    pub clock_start: Option<f64>,
    /// Accounts of the seeded organization whose role refuses every AssumeRole (`AccessDenied`).
    pub deny_assume_role: Vec<String>,
    /// Accounts of the seeded organization that are SUSPENDED.
    pub suspended_accounts: Vec<String>,
    /// Imagined workloads have used the keys (`traffic`): last usage to see without AWS.
    pub traffic: bool,
    /// When KMS began tracking last usage (seconds since the Unix epoch); the service's date
    /// (2026-04-27) without it.
    pub usage_tracking_start: Option<f64>,
}

impl Default for SimConfig {
    /// Faithful semantics, no realism knobs: what tests start from.
    fn default() -> Self {
        SimConfig {
            account_id: "111122223333".into(),
            port: 0,
            delays: Delays {
                replica_creation: 5.0,
                update_primary: 5.0,
            },
            clock_speed: 1.0,
            latency: Duration::ZERO,
            quotas: false,
            quota_share: 1.0,
            faults: Vec::new(),
            disabled_regions: Vec::new(),
            max_body_bytes: 1 << 20,
            key_id_seed: None,
            clock_start: None,
            deny_assume_role: Vec::new(),
            suspended_accounts: Vec::new(),
            traffic: false,
            usage_tracking_start: None,
        }
    }
}

impl SimConfig {
    /// Refuses knobs that would make the simulator lie quietly: a NaN share throttles
    /// everything, an infinite clock panics, a fault in a Region or operation that does not
    /// exist never fires.
    pub fn validate(&self) -> Result<(), BadKnob> {
        if !(self.quota_share.is_finite() && self.quota_share > 0.0 && self.quota_share <= 1.0) {
            return Err(BadKnob(format!(
                "--quota-share {}: expected a share of the quota greater than 0 and at most 1",
                self.quota_share
            )));
        }
        if !(self.clock_speed.is_finite() && self.clock_speed > 0.0 && self.clock_speed <= 1e6) {
            return Err(BadKnob(format!(
                "--clock-speed {}: expected simulated seconds per real second, greater than 0 and at most 1000000",
                self.clock_speed
            )));
        }
        if let Some(start) = self.usage_tracking_start
            && !(start.is_finite() && (0.0..=4e9).contains(&start))
        {
            return Err(BadKnob(format!(
                "usage tracking start {start}: expected seconds since the Unix epoch, before the year 2096"
            )));
        }
        if let Some(start) = self.clock_start
            && !(start.is_finite() && (0.0..=4e9).contains(&start))
        {
            return Err(BadKnob(format!(
                "clock start {start}: expected seconds since the Unix epoch, before the year 2096"
            )));
        }
        if self.account_id.len() != 12 || !self.account_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(BadKnob(format!(
                "--account-id '{}': an AWS account ID is 12 digits",
                self.account_id
            )));
        }
        for rule in &self.faults {
            if let Some(region) = &rule.region
                && super::regions::partition_of(region).is_none()
            {
                return Err(BadKnob(format!("--fault: unknown Region '{region}'")));
            }
            if let Some(op) = &rule.operation
                && !super::ops::OPERATIONS.contains(&op.as_str())
            {
                return Err(BadKnob(format!(
                    "--fault: the simulator has no operation '{op}' (it answers {})",
                    super::ops::OPERATIONS.join(", ")
                )));
            }
        }
        for region in &self.disabled_regions {
            if super::regions::partition_of(region).is_none() {
                return Err(BadKnob(format!(
                    "--disable-region: unknown Region '{region}'"
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knobs_that_cannot_be_simulated_are_refused_by_name() {
        let bad = [
            SimConfig {
                quota_share: f64::NAN,
                ..SimConfig::default()
            },
            SimConfig {
                quota_share: 5.0,
                ..SimConfig::default()
            },
            SimConfig {
                clock_speed: f64::NAN,
                ..SimConfig::default()
            },
            SimConfig {
                clock_speed: f64::INFINITY,
                ..SimConfig::default()
            },
            SimConfig {
                account_id: String::new(),
                ..SimConfig::default()
            },
            SimConfig {
                clock_start: Some(f64::NAN),
                ..SimConfig::default()
            },
            SimConfig {
                faults: vec!["internal:0.5:mars-1".parse().unwrap()],
                ..SimConfig::default()
            },
            SimConfig {
                faults: vec!["internal:0.5::Frobnicate".parse().unwrap()],
                ..SimConfig::default()
            },
        ];
        for config in bad {
            assert!(config.validate().is_err(), "{config:?} was accepted");
        }
        assert_eq!(SimConfig::default().validate(), Ok(()));
    }

    #[test]
    fn fault_rules_parse_kind_rate_region_and_operation() {
        let rule: FaultRule = "drop:0.5:eu-west-1:ReplicateKey".parse().unwrap();
        assert_eq!(rule.kind, FaultKind::Drop);
        assert!(rule.matches("eu-west-1", "ReplicateKey"));
        assert!(!rule.matches("us-east-1", "ReplicateKey"));
        let any: FaultRule = "internal:0.2::DescribeKey".parse().unwrap();
        assert!(any.matches("us-east-1", "DescribeKey"));
        assert!("melt:0.2".parse::<FaultRule>().is_err());
        assert!("hang:2".parse::<FaultRule>().is_err());
    }
}
