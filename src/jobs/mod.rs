//! Background work: the tokio runtime, promises, and the scans that feed the estate.
//!
//! Nothing here draws; nothing here names the SDK (that is `aws`).

mod accounts;
mod action_state;
mod actions;
mod apply;
mod audit;
mod estate_view;
mod files;
mod grant_copies;
mod grant_copy;
mod history_writer;
mod inventory;
mod job_table;
mod material_deletion;
mod material_import;
mod paced_calls;
mod paced_reads;
mod pacing_rules;
mod replicate;
mod runner;
mod scan;
mod security_hub;
mod snapshot_reads;
mod task_error;
mod tasks;
mod trail_reads;
mod usage_reads;
mod verify;

pub use accounts::{EnterError, EnteredAccount, RoleSettings, enter_accounts, enter_profiles};
pub use action_state::{ActionJob, ActionPhase, ActionRecord, CallOutcome, now_epoch};
pub use apply::{ApplyError, ApplyJournal, ApplyOptions, PlanLock, StepStatus, apply_plan};
pub use audit::{
    AuditOutcome, ExtraTargets, audit_each, audit_targets, extra_targets, fetch_audit_props,
    fetch_primary_tags, run_audit,
};
pub use estate_view::EstateView;
pub use files::{ReadError, open_private, read_bounded, write_private};
pub use grant_copy::GrantCopy;
pub use history_writer::{Actor, HistoryLog, snapshot_of};
pub use inventory::{Inventory, ReplicaJob, ReplicaPhase};
pub use job_table::{Done, Job};
pub use material_deletion::MaterialDeletion;
pub use material_import::{
    MATERIAL_BYTES, MaterialImport, RegionImport, import_into_family, read_material,
};
pub use paced_calls::{PaceReport, run_paced};
pub use paced_reads::describe_each;
pub use replicate::calls::{Backoff, REPLICATE_SPACING, Replicated, Settled};
pub use runner::{Panicked, Repaint, Runner, no_repaint, problem_of, take_ready};
pub use scan::{ScanKind, ScanOutcome, ScanProgress, scan_region};
pub use security_hub::{HubImport, import_findings};
pub use task_error::TaskError;
pub use tasks::{AuditResult, PrimaryTagsRead, PropsRead, TaskKey, TaskOutput};
pub use trail_reads::{TRAIL_DAYS, TrailRead, fetch_trail, trail_read};
pub use usage_reads::UsageCell;
pub use verify::{Verification, verify_family};
