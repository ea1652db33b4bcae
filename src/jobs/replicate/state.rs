//! Where each replication stands: its phase and what KMS said. Data only (its calls are jobs
//! in the inventory's table), so the inventory can hold it without depending on the code that
//! runs them (`poll.rs`).

use crate::domain::{Problem, ReplicateRequest, Tag};

/// Where one replication stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplicaPhase {
    /// ReplicateKey is in flight.
    Replicating,
    /// The replica exists; DescribeKey is polled until it is usable.
    Watching,
    /// The replica is usable (or the watcher gave up; see `gave_up`).
    Done,
    /// ReplicateKey or the watcher failed: the KMS code and message, and a retry.
    Failed(Problem),
}

/// One replication, with what KMS said about it.
pub struct ReplicaJob {
    pub request: ReplicateRequest,
    pub phase: ReplicaPhase,
    /// The replica was already there (AlreadyExists) and was adopted, not created.
    pub adopted: bool,
    pub gave_up: bool,
    /// The policy and tags ReplicateKey reports it attached.
    pub replica_policy: Option<String>,
    pub replica_tags: Option<Vec<Tag>>,
    pub alias_error: Option<Problem>,
}

impl ReplicaJob {
    pub fn in_flight(&self) -> bool {
        matches!(
            self.phase,
            ReplicaPhase::Replicating | ReplicaPhase::Watching
        )
    }
}
