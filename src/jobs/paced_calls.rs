//! Runs many read calls of one kind in one Region at the pace `Pace` allows: throttled calls are
//! sent again (and slow the pace down), a few transient failures are retried, and every final
//! result is handed over the moment it lands so progress can be shown.
//!
//! The calls given here must not retry on their own (see `RegionClient::single_attempt`): a
//! retry hidden inside the SDK would hide the throttle that tells the pace to slow down.

use std::collections::VecDeque;
use std::future::Future;
use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::stream::FuturesUnordered;

use super::pacing_rules::Pace;
use super::replicate::calls::transient;
use crate::aws::KmsError;

/// Attempts per call for failures other than throttling, first one included (the SDK's standard
/// retry mode makes three too).
const TRANSIENT_ATTEMPTS: u32 = 3;
/// Calls in flight in the whole process, every Region and operation together. Each holds a
/// connection and its buffers, so this bounds memory when this machine, not KMS, is the
/// bottleneck (34 Regions on two cores). The SDK costs about 200 µs of CPU per call: 512 in
/// flight sustain 5,000 calls per second at 100 ms of latency, about what two cores can sign.
pub const MAX_IN_FLIGHT: usize = 512;
static IN_FLIGHT: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_IN_FLIGHT);

/// Runs `call` as one of the calls in flight in the process (it waits for a place under
/// `MAX_IN_FLIGHT`). For calls that are not paced, like a Region's listing: an organization's
/// 850 Regions listed at once would otherwise hold 1,700 connections and their buffers.
pub async fn within_cap<T>(call: impl Future<Output = T>) -> T {
    let _permit = IN_FLIGHT.acquire().await.ok();
    call.await
}

/// A call throttled this many times is reported as throttled: KMS is then saturated by someone
/// else for tens of seconds, and the user should know rather than wait.
const MAX_THROTTLES_PER_CALL: u32 = 30;
/// First wait before retrying a transient failure; doubled each time.
const TRANSIENT_BACKOFF: Duration = Duration::from_millis(100);

/// What a paced run saw, for tracing and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaceReport {
    /// Throttled answers, each one retried.
    pub throttles: u64,
    /// Calls sent, retries included.
    pub sent: u64,
    /// The rate the pace ended at (requests per second).
    pub final_rate: f64,
}

struct Job<I> {
    item: I,
    attempts: u32,
    throttles: u32,
}

/// Calls `call` once per item (more when throttled or transiently failing), paced for an operation
/// whose published quota is `quota_per_second`, and gives each final result to `on_result`.
pub async fn run_paced<I, T, F, Fut>(
    quota_per_second: f64,
    items: Vec<I>,
    call: F,
    mut on_result: impl FnMut(I, Result<T, KmsError>),
) -> PaceReport
where
    I: Clone,
    F: Fn(I) -> Fut,
    Fut: Future<Output = Result<T, KmsError>>,
{
    let mut pace = Pace::new(quota_per_second);
    let mut queue: VecDeque<(Job<I>, Duration)> = items
        .into_iter()
        .map(|item| {
            let job = Job {
                item,
                attempts: 0,
                throttles: 0,
            };
            (job, Duration::ZERO)
        })
        .collect();
    let mut in_flight = FuturesUnordered::new();
    let mut sent = 0u64;
    loop {
        let now = Instant::now();
        while !queue.is_empty() && pace.may_send(now, in_flight.len()) {
            let Some((mut job, delay)) = queue.pop_front() else {
                break;
            };
            pace.sent(now);
            sent += 1;
            job.attempts += 1;
            let future = call(job.item.clone());
            in_flight.push(attempt(job, delay, future));
        }
        if queue.is_empty() && in_flight.is_empty() {
            break;
        }
        let wake = (!queue.is_empty() && in_flight.len() < pace.window())
            .then(|| tokio::time::Instant::from_std(pace.next_slot(Instant::now())));
        tokio::select! {
            Some((job, sent_at, result)) = in_flight.next(), if !in_flight.is_empty() => {
                let now = Instant::now();
                match result {
                    Err(KmsError::Throttled { .. }) if job.throttles < MAX_THROTTLES_PER_CALL => {
                        pace.throttled(sent_at, now);
                        let job = Job { throttles: job.throttles + 1, attempts: job.attempts - 1, ..job };
                        queue.push_front((job, Duration::ZERO));
                    }
                    Err(e) if transient(&e) && job.attempts < TRANSIENT_ATTEMPTS => {
                        let backoff = TRANSIENT_BACKOFF * 2u32.pow(job.attempts - 1);
                        let jitter = backoff.mul_f64(fastrand::f64() * 0.5);
                        queue.push_back((job, backoff + jitter));
                    }
                    result => {
                        if result.is_ok() {
                            pace.succeeded(sent_at, now);
                        }
                        on_result(job.item, result);
                    }
                }
            }
            () = sleep_until(wake), if wake.is_some() => {}
        }
    }
    PaceReport {
        throttles: pace.throttles(),
        sent,
        final_rate: pace.rate(),
    }
}

async fn sleep_until(at: Option<tokio::time::Instant>) {
    if let Some(at) = at {
        tokio::time::sleep_until(at).await;
    }
}

/// One attempt of one call, after `delay` (a transient failure's backoff).
async fn attempt<I, T, Fut>(
    job: Job<I>,
    delay: Duration,
    future: Fut,
) -> (Job<I>, Instant, Result<T, KmsError>)
where
    Fut: Future<Output = Result<T, KmsError>>,
{
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    // The semaphore is never closed; were it, calls would simply go unbounded.
    let _permit = IN_FLIGHT.acquire().await.ok();
    let sent_at = Instant::now();
    let result = future.await;
    (job, sent_at, result)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use super::*;
    use crate::domain::Region;

    fn region() -> Region {
        "eu-west-1".parse().unwrap()
    }

    fn throttled() -> KmsError {
        KmsError::Throttled {
            region: region(),
            code: "ThrottlingException".into(),
            message: "Rate exceeded".into(),
        }
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn every_item_gets_exactly_one_result() {
        let mut results = Vec::new();
        let report = runtime().block_on(run_paced(
            100_000.0,
            (0..500).collect(),
            |i: u32| async move { Ok::<_, KmsError>(i * 2) },
            |i, r| results.push((i, r)),
        ));
        results.sort_by_key(|(i, _)| *i);
        assert_eq!(results.len(), 500);
        assert!(
            results
                .iter()
                .all(|(i, r)| r.as_ref().ok() == Some(&(i * 2)))
        );
        assert_eq!(report.sent, 500);
        assert_eq!(report.throttles, 0);
    }

    #[test]
    fn a_throttled_call_is_sent_again_and_slows_the_pace() {
        // Every item is throttled on its first two attempts.
        let seen = Mutex::new(HashMap::<u32, u32>::new());
        let mut ok = 0;
        let report = runtime().block_on(run_paced(
            10_000.0,
            (0..20).collect(),
            |i: u32| {
                let attempt = {
                    let mut seen = seen.lock().unwrap();
                    let n = seen.entry(i).or_default();
                    *n += 1;
                    *n
                };
                async move {
                    if attempt <= 2 {
                        Err(throttled())
                    } else {
                        Ok(i)
                    }
                }
            },
            |_, r| ok += usize::from(r.is_ok()),
        ));
        assert_eq!(ok, 20, "no throttle reaches the caller");
        assert_eq!(report.throttles, 40);
        assert_eq!(report.sent, 60);
        assert!(report.final_rate < 10_000.0 * super::super::pacing_rules::QUOTA_SHARE);
    }

    #[test]
    fn a_call_throttled_without_end_is_reported_throttled() {
        let mut results = Vec::new();
        runtime().block_on(run_paced(
            1_000_000.0,
            vec![1u32],
            |_| async { Err::<u32, _>(throttled()) },
            |_, r| results.push(r),
        ));
        assert!(matches!(
            results.as_slice(),
            [Err(KmsError::Throttled { .. })]
        ));
    }

    /// Runs one call that always fails with `error`; returns how many times it was made and
    /// what the caller was given.
    fn always_failing(error: KmsError) -> (u32, Vec<Result<u32, KmsError>>) {
        let calls = Mutex::new(0);
        let mut results = Vec::new();
        runtime().block_on(run_paced(
            10_000.0,
            vec![1u32],
            |_| {
                *calls.lock().unwrap() += 1;
                let error = error.clone();
                async move { Err::<u32, _>(error) }
            },
            |_, r| results.push(r),
        ));
        (calls.into_inner().unwrap(), results)
    }

    #[test]
    fn a_transient_failure_is_retried_twice_then_reported() {
        let (calls, results) = always_failing(KmsError::Unreachable {
            region: region(),
            detail: "connection reset".into(),
        });
        assert_eq!(calls, TRANSIENT_ATTEMPTS);
        assert!(matches!(
            results.as_slice(),
            [Err(KmsError::Unreachable { .. })]
        ));
    }

    #[test]
    fn a_lasting_error_is_not_retried() {
        let (calls, results) = always_failing(KmsError::AccessDenied {
            region: region(),
            code: "AccessDeniedException".into(),
            message: "no".into(),
        });
        assert_eq!(calls, 1);
        assert_eq!(results.len(), 1);
    }

    #[test]
    fn calls_never_leave_faster_than_the_pace() {
        // 50 calls at 1,000/s × QUOTA_SHARE take at least 49 intervals.
        let started = Instant::now();
        let mut n = 0;
        runtime().block_on(run_paced(
            1_000.0,
            (0..50).collect(),
            |i: u32| async move { Ok::<_, KmsError>(i) },
            |_, _| n += 1,
        ));
        assert_eq!(n, 50);
        let interval = 1.0 / (1_000.0 * super::super::pacing_rules::QUOTA_SHARE);
        assert!(started.elapsed().as_secs_f64() >= 49.0 * interval);
    }
}
