//! A simulator per test, and SDK clients for it.

use std::time::Duration;

use aws_sdk_kms::Client;
use kms_replica_console::sim::{Delays, Seed, Sim, SimConfig};

use crate::support;

/// Seconds a replica stays `Creating` (and an UpdatePrimaryRegion `Updating`) in these tests.
pub const DELAY: f64 = 60.0;

pub struct SimHarness {
    pub sim: Sim,
    config: aws_config::SdkConfig,
}

impl SimHarness {
    pub async fn start() -> SimHarness {
        SimHarness::with(SimConfig::default()).await
    }

    pub async fn with(mut config: SimConfig) -> SimHarness {
        config.delays = Delays {
            replica_creation: DELAY,
            update_primary: DELAY,
        };
        let sim = Sim::start(config, Seed::Empty)
            .await
            .expect("the simulator binds a loopback port");
        let config = support::load_sdk_config(&sim.endpoint(), Duration::from_secs(10)).await;
        SimHarness { sim, config }
    }

    pub fn client(&self, region: &str) -> Client {
        support::client_in(&self.config, region)
    }

    /// Lets simulated time pass.
    pub fn advance(&self, seconds: f64) {
        self.sim.advance_clock(Duration::from_secs_f64(seconds));
    }

    /// A multi-Region primary in `region`; returns its key ID.
    pub async fn primary(&self, region: &str) -> String {
        self.client(region)
            .create_key()
            .multi_region(true)
            .description("primary description")
            .send()
            .await
            .expect("CreateKey succeeds")
            .key_metadata()
            .map(|m| m.key_id().to_string())
            .expect("CreateKey returns metadata")
    }

    /// Replicates `id` from `from` to `to` and waits (in simulated time) until the replica settles.
    pub async fn replica(&self, id: &str, from: &str, to: &str) {
        self.client(from)
            .replicate_key()
            .key_id(id)
            .replica_region(to)
            .send()
            .await
            .expect("ReplicateKey succeeds");
        self.advance(DELAY + 1.0);
    }

    pub async fn state(&self, region: &str, id: &str) -> String {
        self.client(region)
            .describe_key()
            .key_id(id)
            .send()
            .await
            .expect("DescribeKey succeeds")
            .key_metadata()
            .and_then(|m| m.key_state())
            .map(|s| s.as_str().to_string())
            .unwrap_or_default()
    }
}

/// An empty simulator on `runner` with the default settings.
pub fn empty_sim(runner: &kms_replica_console::jobs::Runner) -> Sim {
    runner
        .block_on(Sim::start(SimConfig::default(), Seed::Empty))
        .expect("the simulator binds a loopback port")
}

/// An empty simulator on `runner` whose new replicas (and primary swaps) settle after
/// `seconds` of simulated time.
pub fn quick_sim(runner: &kms_replica_console::jobs::Runner, seconds: f64) -> Sim {
    let config = SimConfig {
        delays: Delays {
            replica_creation: seconds,
            update_primary: seconds,
        },
        ..SimConfig::default()
    };
    runner
        .block_on(Sim::start(config, Seed::Empty))
        .expect("the simulator binds a loopback port")
}

/// The real app in a kittest harness.
pub type AppHarness = egui_kittest::Harness<'static, kms_replica_console::ui::App>;

/// Steps `harness` until `done` holds: each time it does not, waits for the next background
/// job to finish (an event, never a sleep), then draws a frame to fold it in. Panics with
/// `what` if it never holds within a minute. `done` looks at what the frame drew or at the
/// app's state, never at "nothing in flight right now".
pub fn step_until(harness: &mut AppHarness, what: &str, mut done: impl FnMut(&AppHarness) -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let before = harness.state().runner().finished_count();
        harness.step();
        if done(harness) {
            return;
        }
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        assert!(!left.is_zero(), "waited a minute for: {what}");
        // egui may need another frame with no job involved (a new window's sizing pass, a
        // spinner): then only a short wait for a job, and a frame either way.
        let wait = if harness.ctx.has_requested_repaint() {
            left.min(Duration::from_millis(20))
        } else {
            left
        };
        let runner = harness.state().runner();
        runner.wait_until(wait, || runner.finished_count() > before);
    }
}

/// Every Region's scan has reported (scanned or failed) and none is running.
pub fn scanned(harness: &AppHarness) -> bool {
    let inventory = harness.state().inventory();
    inventory.estate().is_settled() && !inventory.is_scanning()
}

/// The details panel of the selected family has drawn its own reads (grants and rotation): what
/// it shows no longer grows, so a widget below it stays where the pointer is.
pub fn details_read(harness: &AppHarness) -> bool {
    use egui_kittest::kittest::Queryable;
    harness.query_by_label_contains("Rotation: ").is_some()
        && harness.query_by_label_contains("not read yet").is_none()
        && harness.query_by_label_contains("Not read yet").is_none()
        && usage_read(harness)
}

/// The details panel shows each key's last usage: read (or why not), none still being read.
pub fn usage_read(harness: &AppHarness) -> bool {
    use egui_kittest::kittest::Queryable;
    let answered = [
        "Last used ",
        "Never used since it was created",
        "No record since",
        "Last usage: ",
    ]
    .iter()
    .any(|text| harness.query_all_by_label_contains(text).next().is_some());
    answered
        && harness
            .query_all_by_label_contains("Reading its last usage")
            .next()
            .is_none()
}

/// The findings panel is drawn with its results (its button to run again is back).
pub fn audited(harness: &AppHarness) -> bool {
    use egui_kittest::kittest::Queryable;
    harness.query_by_label("Run audit again").is_some()
}

/// The wall clock, in seconds since the Unix epoch: where a test starts a simulator's clock
/// days in the past, so that moving it forward brings it to the app's "now".
pub fn real_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or_default()
}
