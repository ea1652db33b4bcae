//! The replicate workflow in three parts: the calls (what the console would copy from the
//! primary, ReplicateKey per Region, the watcher), where each replication stands (its phase and
//! promises, data only), and the inventory's polling of them.

pub(super) mod calls;
pub(super) mod poll;
pub(super) mod state;
