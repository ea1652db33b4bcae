//! What the session knows of its lifecycle actions and of what it did: each action's phase, and
//! the audit trail. Data only (the calls are jobs in the inventory's table), so the inventory
//! can hold it without depending on the code that runs the actions (`actions.rs`).

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::domain::history::JournalEntry;
use crate::domain::lifecycle::KeyAction;
use crate::domain::{MrkId, Problem, Region};

/// One call this app made, for the trail and the journal.
pub(super) struct CallRecord {
    pub key_id: MrkId,
    pub region: Region,
    pub operation: &'static str,
    /// What was asked, as the journal keeps it (never a secret).
    pub parameters: serde_json::Value,
    pub result: Result<String, Problem>,
    /// KMS's request ID, when the call was answered.
    pub request_id: Option<String>,
}

/// One line of the session's audit trail: what this app did, where, when, with what result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRecord {
    /// Seconds since the Unix epoch.
    pub at: i64,
    pub key_id: MrkId,
    pub region: Region,
    pub operation: String,
    pub outcome: CallOutcome,
}

/// What came of a call this app made: what it did, or why it failed (in words, as the journal
/// keeps them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallOutcome {
    Done(String),
    Failed(String),
}

impl CallOutcome {
    pub fn is_done(&self) -> bool {
        matches!(self, CallOutcome::Done(_))
    }
}

/// `ok: …` or `failed: …`, the journal's form.
impl std::fmt::Display for CallOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallOutcome::Done(text) => write!(f, "ok: {text}"),
            CallOutcome::Failed(why) => write!(f, "failed: {why}"),
        }
    }
}

impl ActionRecord {
    /// A journal entry from an earlier run, for the trail; `None` when it names a Region or key
    /// this build does not know.
    pub fn from_journal(entry: &JournalEntry) -> Option<ActionRecord> {
        let outcome = match entry.outcome.strip_prefix("failed: ") {
            Some(why) => CallOutcome::Failed(why.to_string()),
            None => CallOutcome::Done(
                entry
                    .outcome
                    .strip_prefix("ok: ")
                    .unwrap_or(&entry.outcome)
                    .to_string(),
            ),
        };
        Some(ActionRecord {
            at: entry.time,
            key_id: MrkId::parse(&entry.key_id)?,
            region: entry.region.parse().ok()?,
            operation: entry.operation.clone(),
            outcome,
        })
    }
}

/// Where a lifecycle action stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionPhase {
    /// The call is in flight.
    Calling,
    /// A promotion was accepted; both keys are followed through `Updating`.
    Following,
    Done,
    Failed(Problem),
}

pub struct ActionJob {
    pub action: KeyAction,
    pub phase: ActionPhase,
}

impl ActionJob {
    pub fn in_flight(&self) -> bool {
        matches!(self.phase, ActionPhase::Calling | ActionPhase::Following)
    }
}

/// The wall clock in seconds since the Unix epoch (for the audit trail and expiry checks).
pub fn now_epoch() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The action table type, for the inventory.
pub(super) type Actions = HashMap<(MrkId, Region), ActionJob>;
