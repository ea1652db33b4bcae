//! The pace of one Region's stream of read calls: how many may be in flight and when the next may
//! leave, so a scan reaches KMS's request quota when latency allows and backs off when KMS
//! throttles instead of failing.
//!
//! Why a rate *and* a window: the quota is a rate (2,000 DescribeKey per second per Region), but
//! how many calls must be in flight to reach it depends on latency (Little's law: rate ×
//! latency). The rate starts just under the published quota, because the account's other callers
//! share it; it halves on a throttle and climbs back slowly while calls succeed. The window
//! follows the lowest latency seen, so a far Region gets more calls in flight than a near one.
//!
//! Why the lowest latency and not the average: when this machine is the bottleneck (34 Regions
//! on two cores), answers come late because of the calls already queued here; a window sized on
//! that latency would queue still more, and each call in flight holds a connection and its
//! buffers (a scan of 34 Regions went from 117 MB to 489 MB that way).
//!
//! Pure arithmetic on instants given by the caller, so the rules are tested without a clock.

use std::time::{Duration, Instant};

/// The share of the published quota a scan aims for: the rest is headroom for the account's
/// other callers and for clock skew between this machine's pacing and KMS's buckets.
pub const QUOTA_SHARE: f64 = 0.95;
/// Never slower than this share of the ceiling, however often KMS throttles: below it a scan
/// would take minutes, and a call throttled that often is reported instead.
const MIN_SHARE: f64 = 0.02;
/// Never slower than this, in requests per second, whatever the quota.
const MIN_RATE: f64 = 1.0;
/// After a throttle the rate is multiplied by this.
const DECREASE: f64 = 0.5;
/// Each success gives back this share of the ceiling: from half the ceiling back to all of it
/// takes 1,000 successes (half a second at a 2,000/s quota).
const INCREASE_PER_SUCCESS: f64 = 1.0 / 2000.0;
/// In flight before the first answer tells the latency.
const INITIAL_WINDOW: usize = 8;
/// A ceiling on calls in flight per Region, whatever the latency: each holds a connection.
pub const MAX_WINDOW: usize = 256;
/// How far behind schedule the pace may run and still catch up (see `Pace::sent`).
const MAX_LAG: Duration = Duration::from_millis(10);
/// Calls in flight as a multiple of rate × lowest latency: room for answers up to twice as slow
/// as the fastest before a slot goes unused.
const WINDOW_HEADROOM: f64 = 2.0;

/// Pacing state of one (Region, operation) stream.
#[derive(Debug, Clone)]
pub struct Pace {
    ceiling: f64,
    rate: f64,
    /// The lowest latency of a successful call: the network's, without queueing; `None`
    /// before the first answer.
    latency: Option<Duration>,
    /// When the next call may leave.
    next_slot: Option<Instant>,
    /// Throttles answered for calls sent before this instant were caused by the rate that a
    /// previous throttle already cut: they do not cut it again.
    cut_at: Option<Instant>,
    throttles: u64,
}

impl Pace {
    /// A pace for an operation whose published quota is `quota_per_second`.
    pub fn new(quota_per_second: f64) -> Pace {
        let ceiling = (quota_per_second * QUOTA_SHARE).max(MIN_RATE);
        Pace {
            ceiling,
            rate: ceiling,
            latency: None,
            next_slot: None,
            cut_at: None,
            throttles: 0,
        }
    }

    fn floor(&self) -> f64 {
        (self.ceiling * MIN_SHARE).max(MIN_RATE)
    }

    /// Requests per second currently allowed.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Throttles seen so far (each was retried, none reached the user by itself).
    pub fn throttles(&self) -> u64 {
        self.throttles
    }

    /// How many calls may be in flight: enough to sustain the rate at the lowest latency seen.
    pub fn window(&self) -> usize {
        match self.latency {
            None => INITIAL_WINDOW,
            Some(latency) => {
                let needed = self.rate * latency.as_secs_f64() * WINDOW_HEADROOM;
                (needed.ceil() as usize).clamp(1, MAX_WINDOW) + 1
            }
        }
        .min(MAX_WINDOW)
    }

    /// The earliest instant the next call may leave.
    pub fn next_slot(&self, now: Instant) -> Instant {
        self.next_slot.map_or(now, |slot| slot.max(now))
    }

    /// Whether a call may leave at `now` with `in_flight` calls outstanding.
    pub fn may_send(&self, now: Instant, in_flight: usize) -> bool {
        in_flight < self.window() && self.next_slot(now) <= now
    }

    /// Records a call leaving at `now` and books the next slot one interval after this one's.
    ///
    /// Slots are kept on a schedule rather than counted from `now`: timers wake about a
    /// millisecond late, and at 1,900 calls per second counting from the wake-up would lose half
    /// the rate. Slots missed by up to `MAX_LAG` are caught up (those calls leave together);
    /// older ones are forgiven, so an idle pause never turns into a burst.
    pub fn sent(&mut self, now: Instant) {
        let interval = Duration::from_secs_f64(1.0 / self.rate);
        let earliest = now.checked_sub(MAX_LAG).unwrap_or(now);
        let slot = self.next_slot.map_or(now, |slot| slot.max(earliest));
        self.next_slot = Some(slot + interval);
    }

    /// A call sent at `sent_at` succeeded at `now`.
    pub fn succeeded(&mut self, sent_at: Instant, now: Instant) {
        let sample = now.saturating_duration_since(sent_at);
        self.latency = Some(self.latency.map_or(sample, |lowest| lowest.min(sample)));
        self.rate = (self.rate + self.ceiling * INCREASE_PER_SUCCESS).min(self.ceiling);
    }

    /// KMS throttled a call sent at `sent_at`; `now` is when the answer came.
    pub fn throttled(&mut self, sent_at: Instant, now: Instant) {
        self.throttles += 1;
        if self.cut_at.is_some_and(|cut| sent_at < cut) {
            return;
        }
        self.rate = (self.rate * DECREASE).max(self.floor());
        self.cut_at = Some(now);
        // The bucket is empty: wait one new interval before the next call.
        self.next_slot = Some(now + Duration::from_secs_f64(1.0 / self.rate));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn starts_just_under_the_published_quota() {
        let pace = Pace::new(2000.0);
        assert_eq!(pace.rate(), 2000.0 * QUOTA_SHARE);
    }

    #[test]
    fn calls_leave_one_interval_apart() {
        let t0 = Instant::now();
        let mut pace = Pace::new(100.0 / QUOTA_SHARE);
        assert!(pace.may_send(t0, 0));
        pace.sent(t0);
        assert!(!pace.may_send(t0, 1), "the second call waits for its slot");
        assert_eq!(pace.next_slot(t0), t0 + ms(10));
        assert!(pace.may_send(t0 + ms(10), 1));
    }

    #[test]
    fn slots_missed_by_a_late_wake_up_are_caught_up() {
        let t0 = Instant::now();
        let mut pace = Pace::new(1000.0 / QUOTA_SHARE);
        pace.sent(t0);
        // The timer wakes 3 ms late: the slots at 1, 2 and 3 ms are all due now.
        let late = t0 + ms(3);
        let mut sent = 0;
        while pace.may_send(late, 0) {
            pace.sent(late);
            sent += 1;
        }
        assert_eq!(sent, 3);
    }

    #[test]
    fn a_long_pause_does_not_turn_into_a_burst() {
        let t0 = Instant::now();
        let mut pace = Pace::new(1000.0 / QUOTA_SHARE);
        pace.sent(t0);
        let much_later = t0 + Duration::from_secs(5);
        let mut sent = 0;
        while pace.may_send(much_later, 0) {
            pace.sent(much_later);
            sent += 1;
        }
        assert!(sent <= 11, "{sent} calls at once after a pause");
    }

    #[test]
    fn the_window_grows_with_latency_to_sustain_the_rate() {
        let t0 = Instant::now();
        let mut near = Pace::new(2000.0);
        near.succeeded(t0, t0 + ms(1));
        let mut far = Pace::new(2000.0);
        far.succeeded(t0, t0 + ms(100));
        // 1,900/s × 0.1 s = 190 calls must be in flight to reach the quota 100 ms away.
        assert!(far.window() >= 190, "far window {}", far.window());
        assert!(near.window() <= 8, "near window {}", near.window());
    }

    #[test]
    fn answers_slowed_by_queueing_here_do_not_widen_the_window() {
        let t0 = Instant::now();
        let mut pace = Pace::new(2000.0);
        pace.succeeded(t0, t0 + ms(20));
        let window = pace.window();
        for _ in 0..100 {
            pace.succeeded(t0, t0 + ms(400));
        }
        assert_eq!(pace.window(), window);
    }

    #[test]
    fn the_window_is_capped_however_slow_the_answers() {
        let t0 = Instant::now();
        let mut pace = Pace::new(2000.0);
        pace.succeeded(t0, t0 + Duration::from_secs(30));
        assert_eq!(pace.window(), MAX_WINDOW);
    }

    #[test]
    fn a_throttle_halves_the_rate_and_delays_the_next_call() {
        let t0 = Instant::now();
        let mut pace = Pace::new(2000.0);
        let before = pace.rate();
        pace.throttled(t0, t0 + ms(20));
        assert_eq!(pace.rate(), before * DECREASE);
        assert!(!pace.may_send(t0 + ms(20), 0));
        assert_eq!(pace.throttles(), 1);
    }

    #[test]
    fn throttles_of_calls_sent_before_a_cut_do_not_cut_again() {
        let t0 = Instant::now();
        let mut pace = Pace::new(2000.0);
        pace.throttled(t0, t0 + ms(20));
        let after_one = pace.rate();
        // Thirty more answers for calls that were already on the wire at the old rate.
        for _ in 0..30 {
            pace.throttled(t0 + ms(5), t0 + ms(25));
        }
        assert_eq!(pace.rate(), after_one);
        // A call sent after the cut that is throttled again does cut.
        pace.throttled(t0 + ms(30), t0 + ms(50));
        assert_eq!(pace.rate(), after_one * DECREASE);
    }

    #[test]
    fn successes_climb_back_to_the_ceiling_and_no_further() {
        let t0 = Instant::now();
        let mut pace = Pace::new(2000.0);
        pace.throttled(t0, t0);
        for _ in 0..5000 {
            pace.succeeded(t0, t0 + ms(1));
        }
        assert_eq!(pace.rate(), 2000.0 * QUOTA_SHARE);
    }

    #[test]
    fn the_rate_never_falls_below_the_floor() {
        let t0 = Instant::now();
        let mut pace = Pace::new(2000.0);
        for i in 0..100 {
            let at = t0 + ms(i * 1000);
            pace.throttled(at, at);
        }
        assert_eq!(pace.rate(), 2000.0 * QUOTA_SHARE * MIN_SHARE);
    }
}
