//! Headless output of a scan (the `audit` subcommand), from the same domain values the GUI draws.

mod audit;
mod json;

pub use audit::{AuditReport, Format, SCHEMA_VERSION, Summary, audit_report};
pub use json::{CoverageReport, coverage_report};
