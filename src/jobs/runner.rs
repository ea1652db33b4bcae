//! Owns the tokio runtime and turns futures into `poll_promise::Promise`s the UI can poll.
//!
//! Why a wrapper: every finished job must wake the UI exactly once (`repaint`), a panicking job
//! must become an error rather than a dead promise, and tests need to wait for "nothing in
//! flight" without sleeping.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use futures::FutureExt;
use poll_promise::Promise;

use crate::aws::KmsError;
use crate::domain::{Problem, ProblemKind};

/// Wakes whoever draws the state (`egui::Context::request_repaint` in the GUI, nothing headless).
pub type Repaint = Arc<dyn Fn() + Send + Sync>;

/// A repaint hook that does nothing, for headless use.
pub fn no_repaint() -> Repaint {
    Arc::new(|| {})
}

/// Counts jobs in flight, and jobs finished, so tests can wait for a condition without sleeping.
#[derive(Default)]
struct InFlight {
    state: Mutex<Counts>,
    changed: Condvar,
}

#[derive(Default, Clone, Copy)]
struct Counts {
    in_flight: usize,
    finished: u64,
}

impl InFlight {
    fn started(&self) {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .in_flight += 1;
        self.changed.notify_all();
    }

    fn finished(&self) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.in_flight = state.in_flight.saturating_sub(1);
        state.finished += 1;
        self.changed.notify_all();
    }

    fn counts(&self) -> Counts {
        *self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Takes the value out of a finished promise, leaving a pending one where it was. A task that
/// panicked gives `Err(Panicked)`, never a dead promise.
pub fn take_ready<T: Send + 'static>(
    slot: &mut Option<Promise<Result<T, Panicked>>>,
) -> Option<Result<T, Panicked>> {
    let promise = slot.take()?;
    match promise.try_take() {
        Ok(outcome) => Some(outcome),
        Err(pending) => {
            *slot = Some(pending);
            None
        }
    }
}

/// A KMS call's outcome as a cell-level problem, a panic included.
pub fn problem_of<T>(outcome: Result<Result<T, KmsError>, Panicked>) -> Result<T, Problem> {
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(e.to_problem()),
        Err(p) => Err(Problem::new(ProblemKind::Other, "", p.to_string())),
    }
}

/// The background executor of the app.
pub struct Runner {
    runtime: tokio::runtime::Runtime,
    repaint: Mutex<Repaint>,
    in_flight: Arc<InFlight>,
}

/// A job that panicked; its message is kept for the log and the cell.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a background task panicked: {0}")]
pub struct Panicked(pub String);

impl Runner {
    /// A multi-threaded runtime with two workers: the work is network-bound, and the machines
    /// this runs on may have two cores.
    pub fn new() -> std::io::Result<Runner> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("kms-jobs")
            .enable_all()
            .build()?;
        Ok(Runner {
            runtime,
            repaint: Mutex::new(no_repaint()),
            in_flight: Arc::default(),
        })
    }

    /// Sets the hook called after every job ends (the GUI passes `request_repaint`).
    pub fn set_repaint(&self, repaint: Repaint) {
        *self.repaint.lock().unwrap_or_else(|p| p.into_inner()) = repaint;
    }

    pub fn repaint_hook(&self) -> Repaint {
        self.repaint
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Runs `future` in the background. The promise is fulfilled before the repaint and before the
    /// job stops counting as in flight, so whoever wakes up finds the value ready.
    pub fn spawn<T: Send + 'static>(
        &self,
        future: impl Future<Output = T> + Send + 'static,
    ) -> Promise<Result<T, Panicked>> {
        let (sender, promise) = Promise::new();
        let repaint = self.repaint_hook();
        let in_flight = self.in_flight.clone();
        in_flight.started();
        self.runtime.spawn(async move {
            let outcome = AssertUnwindSafe(future)
                .catch_unwind()
                .await
                .map_err(|payload| Panicked(panic_message(payload.as_ref())));
            if let Err(p) = &outcome {
                tracing::error!("{p}");
            }
            sender.send(outcome);
            repaint();
            in_flight.finished();
        });
        promise
    }

    /// Runs `future` to completion on the runtime (headless commands).
    pub fn block_on<T>(&self, future: impl Future<Output = T>) -> T {
        self.runtime.block_on(future)
    }

    /// Waits until no job is in flight, up to `timeout`. Returns whether it got quiet.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        self.wait_until(timeout, || self.in_flight() == 0)
    }

    /// Waits until `done` holds, re-checking it each time a job finishes, up to `timeout`.
    /// Returns whether it held. This is how tests synchronise with background work: on events,
    /// never on sleeps.
    pub fn wait_until(&self, timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            let seen = self.in_flight.counts().finished;
            if done() {
                return true;
            }
            let mut state = self
                .in_flight
                .state
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            while state.finished == seen {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    drop(state);
                    return done();
                }
                state = self
                    .in_flight
                    .changed
                    .wait_timeout(state, left)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
        }
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.counts().in_flight
    }

    /// Jobs finished so far: take it before looking at state, then `wait_until` it grows, and no
    /// completion can slip between the look and the wait.
    pub fn finished_count(&self) -> u64 {
        self.in_flight.counts().finished
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finished_job_is_ready_when_wait_idle_returns() {
        let runner = Runner::new().unwrap();
        let promise = runner.spawn(async { 40 + 2 });
        assert!(runner.wait_idle(Duration::from_secs(5)));
        assert_eq!(promise.ready(), Some(&Ok(42)));
    }

    #[test]
    fn a_panicking_job_becomes_an_error_not_a_dead_promise() {
        let runner = Runner::new().unwrap();
        let promise = runner.spawn(async {
            if true {
                panic!("boom");
            }
            1
        });
        assert!(runner.wait_idle(Duration::from_secs(5)));
        assert_eq!(promise.ready(), Some(&Err(Panicked("boom".into()))));
    }

    #[test]
    fn every_finished_job_requests_one_repaint() {
        let runner = Runner::new().unwrap();
        let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let c = count.clone();
        runner.set_repaint(Arc::new(move || {
            c.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }));
        let _a = runner.spawn(async {});
        let _b = runner.spawn(async {});
        assert!(runner.wait_idle(Duration::from_secs(5)));
        assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 2);
    }
}
