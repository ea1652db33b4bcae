//! The simulator's clock: real time, optionally sped up, plus an offset that tests and the admin
//! route can advance. Deletion waiting periods of 7–30 days are testable only this way.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[derive(Debug)]
pub struct SimClock {
    start_epoch: f64,
    start: Instant,
    speed: f64,
    offset: Mutex<f64>,
}

impl SimClock {
    /// A clock that starts at `start` (seconds since the Unix epoch; the real time without it)
    /// and runs `speed` times faster than real time.
    pub fn new(speed: f64, start: Option<f64>) -> SimClock {
        let start_epoch = start.unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or(0.0)
        });
        SimClock {
            start_epoch,
            start: Instant::now(),
            speed: if speed.is_finite() && speed > 0.0 {
                speed
            } else {
                1.0
            },
            offset: Mutex::new(0.0),
        }
    }

    /// Seconds since the Unix epoch, in simulated time.
    pub fn now(&self) -> f64 {
        let offset = *self.offset.lock().unwrap_or_else(|p| p.into_inner());
        self.start_epoch + self.start.elapsed().as_secs_f64() * self.speed + offset
    }

    /// Moves simulated time forward.
    pub fn advance(&self, by: Duration) {
        *self.offset.lock().unwrap_or_else(|p| p.into_inner()) += by.as_secs_f64();
    }
}
