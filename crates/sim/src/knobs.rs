//! The simulator's knobs as the command line gives them, and what `--demo` makes of the ones
//! left out: a realistic pace (25 ms a request, the AWS quotas, replicas `Creating` for six
//! seconds) and, on the demo estate, an opt-in Region the account has not enabled.

use std::time::Duration;

use super::config::{FaultRule, SimConfig};
use super::model::Delays;
use super::seed::{DEMO_REGIONS, SCALE_REGIONS, Seed};

/// What the user set; `None` leaves the choice to `config`.
#[derive(Debug, Clone)]
pub struct Knobs {
    pub seed: Seed,
    pub latency_ms: Option<u64>,
    /// `Some(true)`: the AWS default request quotas; `Some(false)`: none.
    pub quotas: Option<bool>,
    pub quota_share: f64,
    pub faults: Vec<FaultRule>,
    pub replica_delay: Option<f64>,
    pub clock_speed: f64,
    pub account_id: String,
    pub disabled_regions: Vec<String>,
    pub deny_assume_role: Vec<String>,
    pub suspended_accounts: Vec<String>,
}

/// The demo's opt-in Region that its account has not enabled.
const DEMO_DISABLED_REGION: &str = "me-south-1";

impl Knobs {
    /// The configuration, with the demo's realism for what was left out when `demo` is set.
    pub fn config(&self, demo: bool, port: u16) -> SimConfig {
        let defaults = SimConfig::default();
        let replica_delay = self
            .replica_delay
            .unwrap_or(if demo {
                6.0
            } else {
                defaults.delays.replica_creation
            })
            .max(0.0);
        let demo_estate = demo && self.seed == Seed::Demo;
        SimConfig {
            account_id: self.account_id.clone(),
            port,
            delays: Delays {
                replica_creation: replica_delay,
                update_primary: replica_delay + 2.0,
            },
            clock_speed: self.clock_speed,
            latency: Duration::from_millis(self.latency_ms.unwrap_or(if demo { 25 } else { 0 })),
            quotas: self.quotas.unwrap_or(demo),
            quota_share: self.quota_share,
            faults: self.faults.clone(),
            deny_assume_role: self.deny_assume_role.clone(),
            suspended_accounts: self.suspended_accounts.clone(),
            disabled_regions: if self.disabled_regions.is_empty() && demo_estate {
                vec![DEMO_DISABLED_REGION.into()]
            } else {
                self.disabled_regions.clone()
            },
            ..defaults
        }
    }
}

impl Seed {
    /// The Regions this seed puts keys in, by name; the demo estate's include the opt-in Region
    /// its account has not enabled (so the grid shows that column's state).
    pub fn region_names(self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = match self {
            Seed::Scale { regions, .. } | Seed::Org { regions, .. } => {
                SCALE_REGIONS.iter().take(regions).copied().collect()
            }
            Seed::Demo | Seed::Empty => DEMO_REGIONS.to_vec(),
        };
        if self == Seed::Demo {
            names.push(DEMO_DISABLED_REGION);
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn knobs(seed: Seed) -> Knobs {
        Knobs {
            seed,
            latency_ms: None,
            quotas: None,
            quota_share: 1.0,
            faults: vec![],
            replica_delay: None,
            clock_speed: 1.0,
            account_id: "111122223333".into(),
            disabled_regions: vec![],
            deny_assume_role: vec![],
            suspended_accounts: vec![],
        }
    }

    #[test]
    fn the_demo_fills_what_was_left_out_with_realism_and_sim_alone_does_not() {
        let demo = knobs(Seed::Demo).config(true, 0);
        assert!(demo.quotas);
        assert_eq!(demo.latency, Duration::from_millis(25));
        assert_eq!(demo.disabled_regions, vec!["me-south-1".to_string()]);
        let bare = knobs(Seed::Demo).config(false, 4566);
        assert!(!bare.quotas && bare.latency.is_zero() && bare.disabled_regions.is_empty());
        assert_eq!(bare.port, 4566);
    }

    #[test]
    fn a_seed_names_its_regions_and_the_demo_its_disabled_one() {
        assert!(Seed::Demo.region_names().contains(&"me-south-1"));
        assert_eq!(
            Seed::Scale {
                regions: 3,
                families: 1
            }
            .region_names()
            .len(),
            3
        );
    }
}
