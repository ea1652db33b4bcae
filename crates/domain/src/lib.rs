//! Pure types and rules of the product: Regions, keys, families and their cells, the audit's
//! findings, plans and the history's diff.
//!
//! No I/O, no SDK, no egui, no SQLite, no tokio here — the crate boundary holds it: this crate
//! depends on none of them, so `cargo test -p kms-replica-domain` builds and runs without
//! compiling the window or the SDK. Everything is unit-tested and fast, and both the GUI and the
//! headless audit read the same values.

pub mod account;
pub mod audit;
pub mod baseline;
pub mod coverage;
pub mod estate;
pub mod history;
pub mod key;
pub mod lifecycle;
pub mod material;
pub mod parity;
pub mod plan;
pub mod plan_check;
mod plan_grants;
pub mod policy;
pub mod policy_compare;
pub mod problem;
pub mod quota;
pub mod region;
pub mod replicate;
pub mod retirement;
pub mod rows;
pub mod snapshot_diff;
pub mod tags;
/// Keys and families for tests, here and in the app's tests (feature `test-support`).
#[cfg(any(test, feature = "test-support"))]
pub mod test_keys;
pub mod trail;
pub mod usage;
pub mod verify;

pub use estate::{
    Cell, Estate, Family, KeyEntry, RegionRead, RegionRescan, RegionScan, RegionStatus,
    UnknownRegionRead,
};
pub use key::{KeyInfo, KeyState, MrkId, MultiRegionConfig, RelatedKey, Role};
pub use problem::{Problem, ProblemKind};
pub use region::{Partition, Region, UnknownRegion};
pub use replicate::{Draft, PrimaryProps, ReplicateRequest, Source, TargetStatus};
pub use tags::Tag;
