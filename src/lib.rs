//! kms-replica-console: see and drive AWS KMS multi-Region key replication across every Region.
//!
//! Layers, with one direction of dependency: `domain` ← `aws` and `store` ← `jobs` ← `ui`;
//! `report` renders the domain for the headless audit, and `headless` runs it for the binary.

pub mod aws;
pub mod domain;
pub mod headless;
pub mod jobs;
pub mod report;
pub mod sim;
pub mod store;
pub mod ui;
