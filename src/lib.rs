//! kms-replica-console: see and drive AWS KMS multi-Region key replication across every Region.
//!
//! Layers, with one direction of dependency: `domain` ← `aws` and `store` ← `jobs` ← `ui`;
//! `report` renders the domain for the headless commands, and `cli` turns the command line into
//! one of them (or the window) for the binary.

pub mod aws;
pub mod cli;
pub mod jobs;
pub mod report;
pub mod store;
pub mod ui;

/// The pure domain, a crate of its own (`crates/domain`): named `domain` here as everywhere.
pub use kms_replica_domain as domain;
/// The embedded simulator, a crate of its own (`crates/sim`) that names no app crate.
pub use kms_replica_sim as sim;
