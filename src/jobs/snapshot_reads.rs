//! The history read back for the window: its snapshots, and what changed since one of them.
//! Each read opens a connection of its own (the writer thread keeps its own), off the UI thread.

use crate::domain::history::{SnapshotFacts, SnapshotSummary};
use crate::domain::snapshot_diff::{Diff, diff};
use crate::store::{Store, StoreError};

/// Every snapshot in the history at `path`, oldest first, read on a connection of its own.
pub fn read_snapshots(path: &std::path::Path) -> Result<Vec<SnapshotSummary>, StoreError> {
    Store::open(path).and_then(|store| store.snapshots())
}

/// What changed from snapshot `id` to `now` (the estate as the grid shows it).
pub fn changes_since(
    path: &std::path::Path,
    id: i64,
    now: &SnapshotFacts,
) -> Result<Diff, StoreError> {
    let then = Store::open(path).and_then(|store| store.snapshot_facts(id))?;
    Ok(diff(&then, now))
}
