//! Background work: the tokio runtime, promises, and the scans that feed the estate.
//!
//! Nothing here draws; nothing here names the SDK (that is `kms`).

mod actions;
mod audit;
mod fetch;
mod inventory;
mod pace;
mod paced;
mod replicate;
mod replications;
mod runner;
mod scan;
mod tasks;

pub use actions::{ActionJob, ActionPhase, HistoryEntry, now_epoch};
pub use audit::{AuditOutcome, audit_targets, fetch_audit_props, fetch_primary_tags, run_audit};
pub use inventory::{Inventory, ReplicaJob, ReplicaPhase};
pub use paced::{PaceReport, run_paced};
pub use replicate::{Backoff, REPLICATE_SPACING, Replicated, Settled};
pub use runner::{Panicked, Repaint, Runner, no_repaint};
pub use scan::{ScanKind, ScanOutcome, ScanProgress, scan_region};
pub use tasks::{AuditResult, PropsRead, TaskKey, TaskOutput, Tasks, problem_of, take_ready};
