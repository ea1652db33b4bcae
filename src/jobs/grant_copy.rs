//! Where a grant copy stands: the grant, its phase, and the promise of its CreateGrant. Data
//! only, so the inventory can hold it without depending on the code that runs the call
//! (`grant_copies.rs`).

use poll_promise::Promise;

use super::action_state::ActionPhase;
use super::runner::Panicked;
use crate::aws::KmsError;
use crate::domain::parity::Grant;

pub(super) type Outcome = Result<Result<Option<String>, KmsError>, Panicked>;

/// One grant being copied into one Region.
pub struct GrantCopy {
    pub grant: Grant,
    pub phase: ActionPhase,
    pub(super) promise: Option<Promise<Outcome>>,
}

impl GrantCopy {
    pub fn in_flight(&self) -> bool {
        matches!(self.phase, ActionPhase::Calling)
    }
}
