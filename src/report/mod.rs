//! Headless output of a scan (the `audit` subcommand), from the same domain values the GUI draws.

mod audit;
mod coverage;

pub use audit::{AuditReport, Format, SCHEMA_VERSION, Summary, audit_report};
pub use coverage::{CoverageReport, coverage_report};
