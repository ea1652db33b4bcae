//! The simulator's knobs as the command line gives them, and what `--demo` makes of the ones
//! left out: a realistic pace (25 ms a request, the AWS quotas, replicas `Creating` for six
//! seconds) and, on the demo estate, an opt-in Region the account has not enabled.

use std::time::Duration;

use super::config::{BadKnob, FaultRule, SimConfig};
use super::model::Delays;
use super::seed::{DEMO_REGIONS, SCALE_REGIONS, Seed};

/// What the user set; `None` leaves the choice to `config`. With the `cli` feature these are
/// the command line's flags themselves (`--demo` and `sim` flatten them), declared once here.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct Knobs {
    /// The estate to start with: demo (an organization of five accounts), empty, scale:REGIONS:FAMILIES
    /// (families spread over that many Regions with mixed coverage, plus as many single-Region
    /// keys as noise), or org:ACCOUNTS:REGIONS:FAMILIES (an organization, each account seeded so).
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            default_value = "demo",
            value_name = "demo|empty|scale:R:F|org:A:R:F"
        )
    )]
    pub seed: Seed,
    /// Added latency per request, in milliseconds (demo default: 25).
    #[cfg_attr(feature = "cli", arg(long, value_name = "N"))]
    pub latency_ms: Option<u64>,
    /// `aws` enforces the AWS default request quotas per Region and operation (demo default),
    /// `off` none.
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            value_name = "aws|off",
            value_parser = quota_mode()
        )
    )]
    pub quotas: Option<bool>,
    /// With quotas on, the share of each quota left to this app (0–1): other callers in the
    /// simulated account use the rest, so the scan meets throttling it must ride out.
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "SHARE", default_value_t = 1.0)
    )]
    pub quota_share: f64,
    /// Inject faults: KIND:RATE[:REGION[:OPERATION]], KIND one of internal, hang, drop, throttle,
    /// deny.
    #[cfg_attr(feature = "cli", arg(long = "fault", value_name = "SPEC"))]
    pub faults: Vec<FaultRule>,
    /// Seconds a new replica stays `Creating` (demo default: 6).
    #[cfg_attr(feature = "cli", arg(long, value_name = "SECONDS"))]
    pub replica_delay: Option<f64>,
    /// Simulated seconds per real second (deletion windows pass faster).
    #[cfg_attr(feature = "cli", arg(long, value_name = "X", default_value_t = 1.0))]
    pub clock_speed: f64,
    /// Simulated account ID.
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "ID", default_value = "111122223333")
    )]
    pub account_id: String,
    /// An opt-in Region the simulated account has not enabled (repeatable; demo default: me-south-1).
    #[cfg_attr(feature = "cli", arg(long = "disable-region", value_name = "REGION"))]
    pub disabled_regions: Vec<String>,
    /// An account of the seeded organization whose role refuses AssumeRole (repeatable).
    #[cfg_attr(feature = "cli", arg(long, value_name = "ACCOUNT"))]
    pub deny_assume_role: Vec<String>,
    /// An account of the seeded organization that is SUSPENDED (repeatable).
    #[cfg_attr(feature = "cli", arg(long = "suspend-account", value_name = "ACCOUNT"))]
    pub suspended_accounts: Vec<String>,
    /// `on`: imagined workloads have used the keys (most today, some replicas not for months,
    /// some never), so last usage can be seen without AWS (demo default: on).
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            value_name = "on|off",
            num_args = 0..=1,
            default_missing_value = "on",
            value_parser = on_off()
        )
    )]
    pub traffic: Option<bool>,
    /// The day KMS began tracking last usage (GetKeyLastUsage's TrackingStartDate for older
    /// keys), as YYYY-MM-DD (default: 2026-04-27, the API's release).
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "YYYY-MM-DD", value_parser = date_epoch)
    )]
    pub usage_tracking_start: Option<f64>,
}

/// `YYYY-MM-DD` as seconds since the Unix epoch at midnight UTC (Howard Hinnant's
/// days-from-civil), or why it is not a date.
pub fn date_epoch(text: &str) -> Result<f64, BadKnob> {
    let bad = || BadKnob(format!("'{text}': expected a date as YYYY-MM-DD"));
    let parts: Vec<i64> = text
        .split('-')
        .map(|p| p.parse::<i64>().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let [year, month, day] = parts[..] else {
        return Err(bad());
    };
    if !(1970..=2095).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return Err(bad());
    }
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Ok(((era * 146_097 + doe - 719_468) * 86_400) as f64)
}

/// `--quotas aws|off` as `Some(true)` / `Some(false)`, its two values listed in `--help`.
#[cfg(feature = "cli")]
fn quota_mode() -> impl clap::builder::TypedValueParser<Value = bool> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(["aws", "off"]).map(|mode| mode == "aws")
}

/// `on|off` as `true` / `false`, its two values listed in `--help`.
#[cfg(feature = "cli")]
fn on_off() -> impl clap::builder::TypedValueParser<Value = bool> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(["on", "off"]).map(|mode| mode == "on")
}

/// The demo's opt-in Region that its account has not enabled.
const DEMO_DISABLED_REGION: &str = "me-south-1";

/// Seeds the demo's key IDs.
pub const DEMO_KEY_ID_SEED: u64 = 0x6b6d_735f_6465_6d6f;

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
            // The demo's key IDs are the same on every launch, so a history kept across demo
            // runs (--state-dir) compares the same keys, not 80 "changes" of new IDs.
            key_id_seed: demo.then_some(DEMO_KEY_ID_SEED),
            traffic: self.traffic.unwrap_or(demo_estate),
            usage_tracking_start: self.usage_tracking_start,
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
            traffic: None,
            usage_tracking_start: None,
        }
    }

    #[test]
    fn a_tracking_start_date_is_midnight_utc_of_that_day_and_a_bad_one_is_refused() {
        assert_eq!(date_epoch("2026-04-27"), Ok(1_777_248_000.0));
        assert_eq!(date_epoch("1970-01-01"), Ok(0.0));
        assert!(date_epoch("2026-13-01").is_err());
        assert!(date_epoch("27/04/2026").is_err());
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

    /// Two demo launches make the same key IDs (a history kept across them compares the same
    /// keys); the simulator alone keeps KMS's random ones.
    #[test]
    fn the_demo_makes_the_same_key_ids_on_every_launch() {
        assert_eq!(
            knobs(Seed::Demo).config(true, 0).key_id_seed,
            Some(DEMO_KEY_ID_SEED)
        );
        assert_eq!(knobs(Seed::Demo).config(false, 0).key_id_seed, None);
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
