//! Where a grant copy stands: the grant and its phase. Data only (its CreateGrant is a job in
//! the inventory's table), so the inventory can hold it without depending on the code that runs
//! the call (`grant_copies.rs`).

use super::action_state::ActionPhase;
use crate::domain::parity::Grant;

/// One grant being copied into one Region.
pub struct GrantCopy {
    pub grant: Grant,
    pub phase: ActionPhase,
}

impl GrantCopy {
    pub fn in_flight(&self) -> bool {
        matches!(self.phase, ActionPhase::Calling)
    }
}
