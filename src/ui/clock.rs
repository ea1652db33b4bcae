//! What time the window judges by: the wall clock, or one a test gives (a simulator whose clock
//! has been moved days ahead), so "disabled 8 days ago" can be tested without waiting 8 days.

use std::sync::Arc;

/// Seconds since the Unix epoch, from the wall clock unless a test set another.
#[derive(Clone, Default)]
pub struct Clock(Option<Arc<dyn Fn() -> i64 + Send + Sync>>);

impl Clock {
    /// A clock that reads `now`.
    pub fn from_fn(now: impl Fn() -> i64 + Send + Sync + 'static) -> Clock {
        Clock(Some(Arc::new(now)))
    }

    pub fn now(&self) -> i64 {
        match &self.0 {
            Some(now) => now(),
            None => crate::jobs::now_epoch(),
        }
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            Some(_) => "Clock(given)",
            None => "Clock(wall)",
        })
    }
}
